-- Topics of community groups and the members muted in each. Text keys use
-- the "C" collation so that ordering is by bytes, as in the SQLite store.
--
-- A topic is keyed by (group_id, id): topic IDs embed their group's ID and so
-- are unique in practice, but no query relies on that. seq is the creation
-- order (never reused); CreateTopic locks the group row, so within a group it
-- is also the commit order. The unsigned 64-bit default_permission and
-- next_msg_seq are stored as the signed 64-bit integers with the same bits.

CREATE TABLE topics (
    group_id           text    COLLATE "C" NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    id                 text    COLLATE "C" NOT NULL,
    seq                bigint  GENERATED ALWAYS AS IDENTITY,
    name               text    NOT NULL,
    face_url           text    NOT NULL,
    notification       text    NOT NULL,
    introduction       text    NOT NULL,
    custom_string      text    NOT NULL,
    mute_all_member    boolean NOT NULL,
    default_permission bigint  NOT NULL,  -- uint64 bits as int64
    creator            text    COLLATE "C" NOT NULL,  -- '' for the app admin
    create_time        bigint  NOT NULL,  -- unix seconds
    last_msg_time      bigint  NOT NULL,
    next_msg_seq       bigint  NOT NULL,  -- uint64 bits as int64
    PRIMARY KEY (group_id, id)
);

-- GetTopics of a whole group in creation order.
CREATE INDEX topics_seq ON topics (group_id, seq);

-- A mute row lives only as long as its topic and the membership it mutes:
-- deleting the topic, the group, the member (DeleteMembers) or the account
-- (DeleteAccounts deletes its memberships) deletes it too.
CREATE TABLE topic_mutes (
    group_id text   COLLATE "C" NOT NULL,
    topic_id text   COLLATE "C" NOT NULL,
    user_id  text   COLLATE "C" NOT NULL,
    until    bigint NOT NULL,  -- unix seconds; rows with until in the past stay until cleared
    PRIMARY KEY (group_id, topic_id, user_id),
    FOREIGN KEY (group_id, topic_id) REFERENCES topics (group_id, id) ON DELETE CASCADE,
    FOREIGN KEY (group_id, user_id) REFERENCES group_members (group_id, user_id) ON DELETE CASCADE
);

-- The cascade from group_members: without it every deleted membership would
-- scan the group's mutes of every topic.
CREATE INDEX topic_mutes_member ON topic_mutes (group_id, user_id);
