-- Conversation lists (recent contacts).
--
-- A user's list is derived, not written per member: a group conversation is
-- a membership (group_members) of a group with the last messages of its
-- streams (group_last_messages), a one-to-one conversation is a pair of
-- users with its last message (c2c_conversations). Triggers keep both
-- pointer tables in the transaction of the message insert, one row per
-- stream or per pair however many members a group has, so that the send
-- paths need no change; a message touches only its own stream's row (the
-- PostgreSQL store's senders to different topics of one community do not
-- meet on a row: the schemas are kept alike).
-- conversation_marks holds the few per-user overrides: pinned, and deleted.
--
-- version counts the moves of a pointer to a newer message (a message
-- imported with an older time does not move it). A group's version is the
-- sum of its streams' versions, which grows with every newer message in any
-- of them; a deleted topic's version is carried to the group's own stream
-- row, so that the sum never goes down. Deleting a conversation records the
-- version it had; it is listed again once its version is higher, that is
-- once a newer message arrived in it.

-- The newest message of each stream of a group: (group_id, topic_id, seq)
-- of group_messages. The group's conversation is read from its rows, one
-- range of the primary key: its time and last message are those of the
-- row with the newest time (ties: the greater topic_id), its version their
-- sum. A row with seq 0 and time 0 is the group's own stream holding only
-- the versions of deleted topics, without a message.
CREATE TABLE group_last_messages (
    group_id TEXT    NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    topic_id TEXT    NOT NULL,  -- '' for the group's own stream
    seq      INTEGER NOT NULL,  -- uint64 bits as int64
    time     INTEGER NOT NULL,  -- unix seconds
    version  INTEGER NOT NULL,  -- 1 for the first message, then one more per newer one
    PRIMARY KEY (group_id, topic_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER group_messages_conversation AFTER INSERT ON group_messages BEGIN
    INSERT INTO group_last_messages (group_id, topic_id, seq, time, version)
    VALUES (NEW.group_id, NEW.topic_id, NEW.seq, NEW.time, 1)
    ON CONFLICT (group_id, topic_id) DO UPDATE
    SET seq = excluded.seq, time = excluded.time, version = version + 1
    WHERE excluded.time >= group_last_messages.time;
END;

-- A deleted topic's row goes with it, and its version is added to the
-- group's own stream row (made, without a message, if there is none) so
-- that the group's version does not go down. Not for topics deleted by the
-- cascade from groups (the group row is gone by then): the group's rows go
-- with it.
CREATE TRIGGER topics_delete_conversation AFTER DELETE ON topics BEGIN
    INSERT INTO group_last_messages (group_id, topic_id, seq, time, version)
    SELECT group_id, '', 0, 0, version FROM group_last_messages
    WHERE group_id = OLD.group_id AND topic_id = OLD.id
        AND EXISTS (SELECT 1 FROM groups WHERE id = OLD.group_id)
    ON CONFLICT (group_id, topic_id) DO UPDATE SET version = version + excluded.version;
    DELETE FROM group_last_messages WHERE group_id = OLD.group_id AND topic_id = OLD.id;
END;

-- The newest message of each pair: last_id is its c2c_messages.id. A
-- user's pairs are those with it as peer_lo (the primary key) or peer_hi
-- (c2c_conversations_hi).
CREATE TABLE c2c_conversations (
    peer_lo TEXT    NOT NULL,
    peer_hi TEXT    NOT NULL,
    last_id INTEGER NOT NULL,
    time    INTEGER NOT NULL,  -- unix seconds
    version INTEGER NOT NULL,
    PRIMARY KEY (peer_lo, peer_hi)
) STRICT, WITHOUT ROWID;

CREATE INDEX c2c_conversations_hi ON c2c_conversations (peer_hi, peer_lo);

CREATE TRIGGER c2c_messages_conversation AFTER INSERT ON c2c_messages BEGIN
    INSERT INTO c2c_conversations (peer_lo, peer_hi, last_id, time, version)
    VALUES (NEW.peer_lo, NEW.peer_hi, NEW.id, NEW.time, 1)
    ON CONFLICT (peer_lo, peer_hi) DO UPDATE
    SET last_id = excluded.last_id, time = excluded.time, version = version + 1
    WHERE excluded.time >= c2c_conversations.time;
END;

-- Per-user overrides. kind is 1 (one-to-one: peer is the other user) or 2
-- (group: peer is the group ID). A row with neither a pin nor a deletion
-- is not kept.
CREATE TABLE conversation_marks (
    user_id   TEXT    NOT NULL,
    kind      INTEGER NOT NULL,
    peer      TEXT    NOT NULL,
    pinned_at INTEGER NOT NULL,  -- unix seconds; 0 not pinned
    hidden    INTEGER NOT NULL,  -- deleted at this version (0: before any message); -1 not deleted
    PRIMARY KEY (user_id, kind, peer)
) STRICT, WITHOUT ROWID;

-- A deleted account's marks go with it.
CREATE TRIGGER accounts_delete_conversation_marks AFTER DELETE ON accounts BEGIN
    DELETE FROM conversation_marks WHERE user_id = OLD.user_id;
END;

-- The conversations of the messages stored before this migration.
INSERT INTO group_last_messages (group_id, topic_id, seq, time, version)
SELECT group_id, topic_id, seq, time, 1 FROM (
    SELECT group_id, topic_id, seq, time,
        row_number() OVER (PARTITION BY group_id, topic_id ORDER BY time DESC, seq DESC) AS n
    FROM group_messages)
WHERE n = 1;

INSERT INTO c2c_conversations (peer_lo, peer_hi, last_id, time, version)
SELECT peer_lo, peer_hi, id, time, 1 FROM (
    SELECT peer_lo, peer_hi, id, time,
        row_number() OVER (PARTITION BY peer_lo, peer_hi ORDER BY time DESC, id DESC) AS n
    FROM c2c_messages)
WHERE n = 1;
