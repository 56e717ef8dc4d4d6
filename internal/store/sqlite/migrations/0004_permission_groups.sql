-- Permission groups of communities: their community permission bits, their
-- members and the topic permissions they hold.
--
-- A permission group is keyed by (group_id, id). Its member count is not
-- stored: GetPermGroups counts perm_group_members (over the primary key),
-- which stays right however a membership ends, also by the cascades below
-- that no statement of the store names. The unsigned 64-bit permissions are
-- stored as the signed 64-bit integers with the same bits.
--
-- Every row here lives only as long as what it refers to: deleting the
-- community, the permission group, the membership (DeleteMembers, or
-- DeleteAccounts deleting its memberships) or the topic deletes it too.

CREATE TABLE perm_groups (
    group_id      TEXT    NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    id            TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    permission    INTEGER NOT NULL,  -- community permission bits, uint64 bits as int64
    custom_string TEXT    NOT NULL,
    create_time   INTEGER NOT NULL,  -- unix seconds
    PRIMARY KEY (group_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE perm_group_members (
    group_id      TEXT NOT NULL,
    perm_group_id TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    PRIMARY KEY (group_id, perm_group_id, user_id),
    FOREIGN KEY (group_id, perm_group_id) REFERENCES perm_groups (group_id, id) ON DELETE CASCADE,
    FOREIGN KEY (group_id, user_id) REFERENCES group_members (group_id, user_id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- UserGrants (the permission groups of one member, from the index alone) and
-- the cascade from group_members. SQLite uses an index for a foreign key
-- action (which takes no INDEXED BY) only when the index covers every column
-- of the table, as this one does; otherwise it reads all the rows of the
-- community through the primary key: 100 members leaving a community of
-- 5,000, each in 5 permission groups, took 0.8 s without this index, 4 ms
-- with it.
CREATE INDEX perm_group_members_user ON perm_group_members (group_id, user_id, perm_group_id);

CREATE TABLE perm_group_topics (
    group_id      TEXT    NOT NULL,
    perm_group_id TEXT    NOT NULL,
    topic_id      TEXT    NOT NULL,
    permission    INTEGER NOT NULL,  -- topic permission bits, uint64 bits as int64
    PRIMARY KEY (group_id, perm_group_id, topic_id),
    FOREIGN KEY (group_id, perm_group_id) REFERENCES perm_groups (group_id, id) ON DELETE CASCADE,
    FOREIGN KEY (group_id, topic_id) REFERENCES topics (group_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- The cascade from topics: without it every deleted topic would read the
-- topic permissions of every permission group of its community. permission
-- is in it only to make it cover every column, without which SQLite passes
-- it over for the primary key (see perm_group_members_user): deleting 100
-- topics of a community with 20 permission groups holding permissions in
-- all its 1,000 topics took 0.67 s with (group_id, topic_id), 10 ms with it.
CREATE INDEX perm_group_topics_topic ON perm_group_topics (group_id, topic_id, permission);
