-- Read positions: how far each user has read each stream of a group
-- (topic_id '' for the group's own, else a community topic). read_seq only
-- moves forward, except through set_unread_msg_num. set_time is when the
-- row last changed (unix seconds): a row older than the user's current
-- membership (set_time < group_members.join_time) belongs to an earlier
-- membership and is ignored. A user without a usable row has read what
-- the stream held when they joined. The key leads with the stream: the
-- positions of a user in a group are one key lookup per stream, and a
-- deleted topic's positions one range.
CREATE TABLE read_positions (
    user_id   TEXT    NOT NULL,
    group_id  TEXT    NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    topic_id  TEXT    NOT NULL,  -- '' for the group's own stream
    read_seq  INTEGER NOT NULL,  -- uint64 bits as int64
    set_time  INTEGER NOT NULL,  -- unix seconds
    PRIMARY KEY (group_id, topic_id, user_id)
) STRICT, WITHOUT ROWID;

-- The positions in a deleted topic go with it.
CREATE TRIGGER topics_delete_read_positions AFTER DELETE ON topics BEGIN
    DELETE FROM read_positions WHERE group_id = OLD.group_id AND topic_id = OLD.id;
END;

-- A sender has read its own message: in the transaction of the insert, so
-- that the send path makes no second commit.
CREATE TRIGGER group_messages_sender_read AFTER INSERT ON group_messages
WHEN NEW.is_system = 0 AND NEW.from_account <> '' BEGIN
    INSERT INTO read_positions (user_id, group_id, topic_id, read_seq, set_time)
    VALUES (NEW.from_account, NEW.group_id, NEW.topic_id, NEW.seq, NEW.time)
    ON CONFLICT (group_id, topic_id, user_id) DO UPDATE
    SET read_seq = excluded.read_seq, set_time = excluded.set_time
    WHERE excluded.read_seq > read_positions.read_seq;
END;

-- One-to-one read positions: user_id has read every message peer sent it
-- at or before read_time (unix seconds). Only moves forward.
CREATE TABLE c2c_read_positions (
    user_id   TEXT    NOT NULL,
    peer      TEXT    NOT NULL,
    read_time INTEGER NOT NULL,
    PRIMARY KEY (user_id, peer)
) STRICT, WITHOUT ROWID;

-- A user's unread one-to-one messages by sender and time: the unread count
-- reads only the unread messages.
CREATE INDEX c2c_messages_inbox ON c2c_messages (to_account, from_account, time);
