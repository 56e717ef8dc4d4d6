-- Groups and their members. Text keys use the "C" collation so that ordering
-- is by bytes, as in the SQLite store.
--
-- groups.seq is the creation order (the ListGroups cursor), never reused.
-- member_num is maintained by the store in the transaction of every change to
-- group_members; every such change locks the group row first. The unsigned
-- 64-bit default_permission is stored as the signed 64-bit integer with the
-- same bits. app_defined_data is the JSON text of the []KV sorted by key (text,
-- not jsonb, so that it stays byte-exact).

CREATE TABLE groups (
    id                      text    COLLATE "C" NOT NULL PRIMARY KEY,
    seq                     bigint  GENERATED ALWAYS AS IDENTITY UNIQUE,
    type                    text    NOT NULL,
    name                    text    NOT NULL,
    introduction            text    NOT NULL,
    notification            text    NOT NULL,
    face_url                text    NOT NULL,
    owner                   text    COLLATE "C",  -- NULL when the group has no owner
    create_time             bigint  NOT NULL,     -- unix seconds
    info_seq                bigint  NOT NULL,
    last_info_time          bigint  NOT NULL,
    last_msg_time           bigint  NOT NULL,
    next_msg_seq            bigint  NOT NULL,
    member_num              integer NOT NULL,
    max_member_num          integer NOT NULL,
    apply_join_option       text    NOT NULL,
    invite_join_option      text    NOT NULL,
    mute_all_member         boolean NOT NULL,
    support_topic           boolean NOT NULL,
    enable_permission       boolean NOT NULL,
    default_permission      bigint  NOT NULL,     -- uint64 bits as int64
    history_msg_before_join boolean NOT NULL,
    app_defined_data        text    NOT NULL      -- JSON [{"Key":…,"Value":…}] sorted by key
);

-- ListGroups by type in creation order.
CREATE INDEX groups_type_seq ON groups (type, seq);

CREATE TABLE group_members (
    group_id           text    COLLATE "C" NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    -- No cascade: DeleteAccounts removes memberships itself, fixing member_num.
    user_id            text    COLLATE "C" NOT NULL REFERENCES accounts (user_id),
    role               text    NOT NULL,  -- Owner, Admin or Member
    join_time          bigint  NOT NULL,  -- unix seconds
    msg_seq            bigint  NOT NULL,
    msg_flag           text    NOT NULL,
    last_send_msg_time bigint  NOT NULL,
    mute_until         bigint  NOT NULL,  -- unix seconds; 0 not muted
    name_card          text    NOT NULL,
    app_defined_data   text    NOT NULL,  -- JSON, as groups.app_defined_data
    PRIMARY KEY (group_id, user_id)
);

-- JoinedGroups (newest join first, then group ID) and DeleteAccounts.
CREATE INDEX group_members_user ON group_members (user_id, join_time DESC, group_id);

-- The few owners and admins of a big group, in UserID order. Queries repeat
-- the condition role <> 'Member' so that the planner may use the index.
CREATE INDEX group_members_staff ON group_members (group_id, user_id) WHERE role <> 'Member';

-- The muted members of a group; few, against all its members.
CREATE INDEX group_members_muted ON group_members (group_id, user_id) WHERE mute_until <> 0;
