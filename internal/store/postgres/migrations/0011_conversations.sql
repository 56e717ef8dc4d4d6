-- Conversation lists (recent contacts). Text keys use the "C" collation, as
-- everywhere in this store.
--
-- A user's list is derived, not written per member: a group conversation is
-- a membership (group_members) of a group with the last messages of its
-- streams (group_last_messages), a one-to-one conversation is a pair of
-- users with its last message (c2c_conversations). Triggers keep both
-- pointer tables in the transaction of the message insert, one row per
-- stream or per pair however many members a group has, so that the send
-- paths need no change. A message touches only its own stream's row, which
-- it takes after the stream's own row (groups or topics, whose next_msg_seq
-- it moved): concurrent senders to one stream already queue there, and
-- senders to different topics of one community do not meet. Concurrent
-- senders to one pair queue on the pair's row.
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
    group_id text   COLLATE "C" NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    topic_id text   COLLATE "C" NOT NULL,  -- '' for the group's own stream
    seq      bigint NOT NULL,  -- uint64 bits as int64
    time     bigint NOT NULL,  -- unix seconds
    version  bigint NOT NULL,  -- 1 for the first message, then one more per newer one
    PRIMARY KEY (group_id, topic_id)
);

-- One function moves the pointer of the conversation of a new message of
-- either table (group_messages or c2c_messages, see c2c_conversations
-- below) to it when it is not older. search_path is pinned to the schema
-- of the migration.
CREATE FUNCTION messages_conversation() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_TABLE_NAME = 'group_messages' THEN
        INSERT INTO group_last_messages AS l (group_id, topic_id, seq, time, version)
        VALUES (NEW.group_id, NEW.topic_id, NEW.seq, NEW.time, 1)
        ON CONFLICT (group_id, topic_id) DO UPDATE
        SET seq = excluded.seq, time = excluded.time, version = l.version + 1
        WHERE excluded.time >= l.time;
    ELSE
        INSERT INTO c2c_conversations AS c (peer_lo, peer_hi, last_id, time, version)
        VALUES (NEW.peer_lo, NEW.peer_hi, NEW.id, NEW.time, 1)
        ON CONFLICT (peer_lo, peer_hi) DO UPDATE
        SET last_id = excluded.last_id, time = excluded.time, version = c.version + 1
        WHERE excluded.time >= c.time;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER group_messages_conversation AFTER INSERT ON group_messages
FOR EACH ROW EXECUTE FUNCTION messages_conversation();

-- A deleted topic's row goes with it, by the same kind of statement
-- trigger as its messages (see 0006), and its version is added to the
-- group's own stream row (made, without a message, if there is none) so
-- that the group's version does not go down. Not for topics deleted by the
-- cascade from groups: the group's rows go with it. The deletion holds the
-- topic rows, then takes the group's own stream row, as a sender to that
-- stream takes it after the group row.
CREATE FUNCTION topics_delete_conversation() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    WITH gone AS (
        DELETE FROM group_last_messages l USING deleted_topics d
        WHERE l.group_id = d.group_id AND l.topic_id = d.id
        RETURNING l.group_id, l.version
    )
    INSERT INTO group_last_messages AS l (group_id, topic_id, seq, time, version)
    SELECT group_id, '', 0, 0, sum(version)::bigint FROM gone
    WHERE EXISTS (SELECT FROM groups g WHERE g.id = gone.group_id)
    GROUP BY group_id
    ORDER BY group_id
    ON CONFLICT (group_id, topic_id) DO UPDATE SET version = l.version + excluded.version;
    RETURN NULL;
END
$$;

CREATE TRIGGER topics_delete_conversation AFTER DELETE ON topics
REFERENCING OLD TABLE AS deleted_topics
FOR EACH STATEMENT EXECUTE FUNCTION topics_delete_conversation();

-- The newest message of each pair: last_id is its c2c_messages.id. A
-- user's pairs are those with it as peer_lo (the primary key) or peer_hi
-- (c2c_conversations_hi).
CREATE TABLE c2c_conversations (
    peer_lo text   COLLATE "C" NOT NULL,
    peer_hi text   COLLATE "C" NOT NULL,
    last_id bigint NOT NULL,
    time    bigint NOT NULL,  -- unix seconds
    version bigint NOT NULL,
    PRIMARY KEY (peer_lo, peer_hi)
);

CREATE INDEX c2c_conversations_hi ON c2c_conversations (peer_hi, peer_lo);

CREATE TRIGGER c2c_messages_conversation AFTER INSERT ON c2c_messages
FOR EACH ROW EXECUTE FUNCTION messages_conversation();

-- Per-user overrides. kind is 1 (one-to-one: peer is the other user) or 2
-- (group: peer is the group ID). A row with neither a pin nor a deletion
-- is not kept.
CREATE TABLE conversation_marks (
    user_id   text     COLLATE "C" NOT NULL,
    kind      smallint NOT NULL,
    peer      text     COLLATE "C" NOT NULL,
    pinned_at bigint   NOT NULL,  -- unix seconds; 0 not pinned
    hidden    bigint   NOT NULL,  -- deleted at this version (0: before any message); -1 not deleted
    PRIMARY KEY (user_id, kind, peer)
);

-- A deleted account's marks go with it.
CREATE FUNCTION accounts_delete_conversation_marks() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM conversation_marks m USING deleted_accounts d WHERE m.user_id = d.user_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER accounts_delete_conversation_marks AFTER DELETE ON accounts
REFERENCING OLD TABLE AS deleted_accounts
FOR EACH STATEMENT EXECUTE FUNCTION accounts_delete_conversation_marks();

-- The conversations of the messages stored before this migration.
INSERT INTO group_last_messages (group_id, topic_id, seq, time, version)
SELECT DISTINCT ON (group_id, topic_id) group_id, topic_id, seq, time, 1 FROM group_messages
ORDER BY group_id, topic_id, time DESC, seq DESC;

INSERT INTO c2c_conversations (peer_lo, peer_hi, last_id, time, version)
SELECT DISTINCT ON (peer_lo, peer_hi) peer_lo, peer_hi, id, time, 1 FROM c2c_messages
ORDER BY peer_lo, peer_hi, time DESC, id DESC;
