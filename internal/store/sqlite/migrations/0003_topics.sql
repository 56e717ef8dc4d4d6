-- Topics of community groups and the members muted in each.
--
-- A topic is keyed by (group_id, id): topic IDs embed their group's ID and so
-- are unique in practice, but no query relies on that. seq is the creation
-- order within the group: CreateTopic gives a new topic one more than the
-- group's highest, under the single writer (a deleted last topic's seq may
-- be given again; it only orders). The unsigned 64-bit default_permission
-- and next_msg_seq are stored as the signed 64-bit integers with the same
-- bits.

CREATE TABLE topics (
    group_id           TEXT    NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    id                 TEXT    NOT NULL,
    seq                INTEGER NOT NULL,  -- creation order in the group
    name               TEXT    NOT NULL,
    face_url           TEXT    NOT NULL,
    notification       TEXT    NOT NULL,
    introduction       TEXT    NOT NULL,
    custom_string      TEXT    NOT NULL,
    mute_all_member    INTEGER NOT NULL,  -- 0 or 1
    default_permission INTEGER NOT NULL,  -- uint64 bits as int64
    creator            TEXT    NOT NULL,  -- '' for the app admin
    create_time        INTEGER NOT NULL,  -- unix seconds
    last_msg_time      INTEGER NOT NULL,
    next_msg_seq       INTEGER NOT NULL,  -- uint64 bits as int64
    PRIMARY KEY (group_id, id)
) STRICT, WITHOUT ROWID;

-- GetTopics of a whole group in creation order, and CreateTopic's count.
CREATE UNIQUE INDEX topics_seq ON topics (group_id, seq);

-- A mute row lives only as long as its topic and the membership it mutes:
-- deleting the topic, the group, the member (DeleteMembers) or the account
-- (DeleteAccounts deletes its memberships) deletes it too.
CREATE TABLE topic_mutes (
    group_id TEXT    NOT NULL,
    topic_id TEXT    NOT NULL,
    user_id  TEXT    NOT NULL,
    until    INTEGER NOT NULL,  -- unix seconds; rows with until in the past stay until cleared
    PRIMARY KEY (group_id, topic_id, user_id),
    FOREIGN KEY (group_id, topic_id) REFERENCES topics (group_id, id) ON DELETE CASCADE,
    FOREIGN KEY (group_id, user_id) REFERENCES group_members (group_id, user_id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- No index on (group_id, user_id) for the cascade from group_members: SQLite
-- without statistics passes it over for the primary key (group_id, …) and
-- there is no INDEXED BY for a foreign key action, so a deleted membership
-- reads the mutes of its group, which are few.
