-- Permission groups of communities: their community permission bits, their
-- members and the topic permissions they hold. Text keys use the "C"
-- collation so that ordering is by bytes, as in the SQLite store.
--
-- A permission group is keyed by (group_id, id). Its member count is not
-- stored: GetPermGroups counts perm_group_members (an index-only count over
-- the primary key), which stays right however a membership ends, also by the
-- cascades below that no statement of the store names. The unsigned 64-bit
-- permissions are stored as the signed 64-bit integers with the same bits.
--
-- Every row here lives only as long as what it refers to: deleting the
-- community, the permission group, the membership (DeleteMembers, or
-- DeleteAccounts deleting its memberships) or the topic deletes it too.

CREATE TABLE perm_groups (
    group_id      text   COLLATE "C" NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    id            text   COLLATE "C" NOT NULL,
    name          text   NOT NULL,
    permission    bigint NOT NULL,  -- community permission bits, uint64 bits as int64
    custom_string text   NOT NULL,
    create_time   bigint NOT NULL,  -- unix seconds
    PRIMARY KEY (group_id, id)
);

CREATE TABLE perm_group_members (
    group_id      text COLLATE "C" NOT NULL,
    perm_group_id text COLLATE "C" NOT NULL,
    user_id       text COLLATE "C" NOT NULL,
    PRIMARY KEY (group_id, perm_group_id, user_id),
    FOREIGN KEY (group_id, perm_group_id) REFERENCES perm_groups (group_id, id) ON DELETE CASCADE,
    FOREIGN KEY (group_id, user_id) REFERENCES group_members (group_id, user_id) ON DELETE CASCADE
);

-- UserGrants (the permission groups of one member, from the index alone) and
-- the cascade from group_members.
CREATE INDEX perm_group_members_user ON perm_group_members (group_id, user_id, perm_group_id);

CREATE TABLE perm_group_topics (
    group_id      text   COLLATE "C" NOT NULL,
    perm_group_id text   COLLATE "C" NOT NULL,
    topic_id      text   COLLATE "C" NOT NULL,
    permission    bigint NOT NULL,  -- topic permission bits, uint64 bits as int64
    PRIMARY KEY (group_id, perm_group_id, topic_id),
    FOREIGN KEY (group_id, perm_group_id) REFERENCES perm_groups (group_id, id) ON DELETE CASCADE,
    FOREIGN KEY (group_id, topic_id) REFERENCES topics (group_id, id) ON DELETE CASCADE
);

-- The cascade from topics: without it every deleted topic would read the
-- topic permissions of every permission group of its community.
CREATE INDEX perm_group_topics_topic ON perm_group_topics (group_id, topic_id);
