-- Read positions: how far each user has read each stream of a group
-- (topic_id '' for the group's own, else a community topic). read_seq only
-- moves forward, except through set_unread_msg_num. set_time is when the
-- row last changed (unix seconds): a row older than the user's current
-- membership (set_time < group_members.join_time) belongs to an earlier
-- membership and is ignored. A user without a usable row has read what
-- the stream held when they joined. The key leads with the stream: the
-- positions of a user in a group are one key lookup per stream, and a
-- deleted topic's positions one range. Text keys use the
-- "C" collation, as everywhere in this store.
CREATE TABLE read_positions (
    user_id   text   COLLATE "C" NOT NULL,
    group_id  text   COLLATE "C" NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    topic_id  text   COLLATE "C" NOT NULL,  -- '' for the group's own stream
    read_seq  bigint NOT NULL,  -- uint64 bits as int64
    set_time  bigint NOT NULL,  -- unix seconds
    PRIMARY KEY (group_id, topic_id, user_id)
);

-- The positions in a deleted topic go with it (as its messages do, by the
-- same kind of statement trigger; see 0006).
CREATE FUNCTION topics_delete_read_positions() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM read_positions r USING deleted_topics d
    WHERE r.group_id = d.group_id AND r.topic_id = d.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER topics_delete_read_positions AFTER DELETE ON topics
REFERENCING OLD TABLE AS deleted_topics
FOR EACH STATEMENT EXECUTE FUNCTION topics_delete_read_positions();

-- A sender has read its own message: in the transaction of the insert, so
-- that the send path makes no second commit.
CREATE FUNCTION group_messages_sender_read() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO read_positions (user_id, group_id, topic_id, read_seq, set_time)
    VALUES (NEW.from_account, NEW.group_id, NEW.topic_id, NEW.seq, NEW.time)
    ON CONFLICT (group_id, topic_id, user_id) DO UPDATE
    SET read_seq = excluded.read_seq, set_time = excluded.set_time
    WHERE excluded.read_seq > read_positions.read_seq;
    RETURN NULL;
END
$$;

CREATE TRIGGER group_messages_sender_read AFTER INSERT ON group_messages
FOR EACH ROW WHEN (NOT NEW.is_system AND NEW.from_account <> '')
EXECUTE FUNCTION group_messages_sender_read();

-- One-to-one read positions: user_id has read every message peer sent it
-- at or before read_time (unix seconds). Only moves forward.
CREATE TABLE c2c_read_positions (
    user_id   text   COLLATE "C" NOT NULL,
    peer      text   COLLATE "C" NOT NULL,
    read_time bigint NOT NULL,
    PRIMARY KEY (user_id, peer)
);

-- A user's unread one-to-one messages by sender and time: the unread count
-- reads only the unread messages.
CREATE INDEX c2c_messages_inbox ON c2c_messages (to_account, from_account, time);
