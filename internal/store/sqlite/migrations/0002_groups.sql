-- Groups and their members.
--
-- groups.seq is the creation order (the ListGroups cursor): an AUTOINCREMENT
-- rowid, so it grows monotonically and a deleted group's seq is never reused.
-- member_num is maintained by the store in the transaction of every change to
-- group_members. The unsigned 64-bit default_permission is stored as the
-- signed 64-bit integer with the same bits. app_defined_data is the JSON of
-- the []KV sorted by key.

CREATE TABLE groups (
    seq                     INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    id                      TEXT    NOT NULL UNIQUE,
    type                    TEXT    NOT NULL,
    name                    TEXT    NOT NULL,
    introduction            TEXT    NOT NULL,
    notification            TEXT    NOT NULL,
    face_url                TEXT    NOT NULL,
    owner                   TEXT,              -- NULL when the group has no owner
    create_time             INTEGER NOT NULL,  -- unix seconds
    info_seq                INTEGER NOT NULL,
    last_info_time          INTEGER NOT NULL,
    last_msg_time           INTEGER NOT NULL,
    next_msg_seq            INTEGER NOT NULL,
    member_num              INTEGER NOT NULL,
    max_member_num          INTEGER NOT NULL,
    apply_join_option       TEXT    NOT NULL,
    invite_join_option      TEXT    NOT NULL,
    mute_all_member         INTEGER NOT NULL,  -- 0 or 1
    support_topic           INTEGER NOT NULL,
    enable_permission       INTEGER NOT NULL,
    default_permission      INTEGER NOT NULL,  -- uint64 bits as int64
    history_msg_before_join INTEGER NOT NULL,
    app_defined_data        TEXT    NOT NULL   -- JSON [{"Key":…,"Value":…}] sorted by key
) STRICT;

-- ListGroups by type in creation order (seq is the rowid, in every index).
CREATE INDEX groups_type ON groups (type);

CREATE TABLE group_members (
    group_id           TEXT    NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    -- No cascade: DeleteAccounts removes memberships itself, fixing member_num.
    user_id            TEXT    NOT NULL REFERENCES accounts (user_id),
    role               TEXT    NOT NULL,  -- Owner, Admin or Member
    join_time          INTEGER NOT NULL,  -- unix seconds
    msg_seq            INTEGER NOT NULL,
    msg_flag           TEXT    NOT NULL,
    last_send_msg_time INTEGER NOT NULL,
    mute_until         INTEGER NOT NULL,  -- unix seconds; 0 not muted
    name_card          TEXT    NOT NULL,
    app_defined_data   TEXT    NOT NULL,  -- JSON, as groups.app_defined_data
    PRIMARY KEY (group_id, user_id)
) STRICT, WITHOUT ROWID;

-- JoinedGroups (newest join first, then group ID) and DeleteAccounts.
CREATE INDEX group_members_user ON group_members (user_id, join_time DESC, group_id);

-- The few owners and admins of a big group, in UserID order. Queries repeat
-- the condition role <> 'Member' and name the index (INDEXED BY): without
-- statistics SQLite would pass it over for the primary key.
CREATE INDEX group_members_staff ON group_members (group_id, user_id) WHERE role <> 'Member';

-- The muted members of a group; few, against all its members. Read with
-- INDEXED BY, like group_members_staff.
CREATE INDEX group_members_muted ON group_members (group_id, user_id) WHERE mute_until <> 0;
