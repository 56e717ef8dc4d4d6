-- Messages of groups and of the topics of communities. Text keys use the
-- "C" collation so that ordering is by bytes, as in the SQLite store.
--
-- A stream is (group_id, topic_id), topic_id '' being the group's own.
-- AppendGroupMessage takes seq from groups.next_msg_seq or
-- topics.next_msg_seq with UPDATE … RETURNING in the transaction of the
-- insert: concurrent senders to a stream queue on that row lock, so its
-- sequences are unique and gapless. body is the MsgBody JSON text exactly as
-- given (text, not jsonb, so that it stays byte-exact). dedupe_key is NULL
-- for a message stored without one. The unsigned sequence is stored as the
-- signed 64-bit integer with the same bits.
CREATE TABLE group_messages (
    group_id          text    COLLATE "C" NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    topic_id          text    COLLATE "C" NOT NULL DEFAULT '',  -- '' for the group's own stream
    seq               bigint  NOT NULL,  -- uint64 bits as int64
    from_account      text    COLLATE "C" NOT NULL,
    random            bigint  NOT NULL,  -- uint32
    time              bigint  NOT NULL,  -- unix seconds
    priority          text    NOT NULL,
    body              text    NOT NULL,  -- MsgBody JSON, byte-exact
    cloud_custom_data text    NOT NULL,
    recalled          boolean NOT NULL,
    is_system         boolean NOT NULL,
    dedupe_key        text    COLLATE "C",  -- NULL: stored without a key
    PRIMARY KEY (group_id, topic_id, seq)
);

-- The de-duplication lookup of AppendGroupMessage; holds time so that the
-- window test needs no heap row.
CREATE INDEX group_messages_dedupe ON group_messages (group_id, topic_id, dedupe_key, time)
    WHERE dedupe_key IS NOT NULL;

-- A topic's messages go with the topic. No foreign key can say so, since
-- the group's own stream ('') has no topic row. The function's statement
-- runs after the topic rows are deleted, with a snapshot of its own (READ
-- COMMITTED), so it also sees a message that a concurrent sender committed
-- while the deletion waited for the topic row. It also fires for topics
-- deleted by the cascade from groups, whose own cascade deletes the
-- messages too. search_path is pinned to the schema of the migration.
CREATE FUNCTION topics_delete_messages() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM group_messages m USING deleted_topics d
    WHERE m.group_id = d.group_id AND m.topic_id = d.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER topics_delete_messages AFTER DELETE ON topics
REFERENCING OLD TABLE AS deleted_topics
FOR EACH STATEMENT EXECUTE FUNCTION topics_delete_messages();
