-- Messages of groups and of the topics of communities.
--
-- A stream is (group_id, topic_id), topic_id '' being the group's own.
-- AppendGroupMessage takes seq from groups.next_msg_seq or
-- topics.next_msg_seq and moves it on in the transaction of the insert,
-- under the single writer, so that the sequences of a stream are gapless.
-- body is the MsgBody JSON text exactly as given. dedupe_key is NULL for a
-- message stored without one. Stored as seq, the unsigned sequence is the
-- signed 64-bit integer with the same bits.
--
-- WITHOUT ROWID: history reads a range of the primary key newest first, and
-- the cascade from groups deletes by its prefix. Most messages are small
-- (a text element is a few hundred bytes); a large body spills to overflow
-- pages as it would in a rowid table.
CREATE TABLE group_messages (
    group_id          TEXT    NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    topic_id          TEXT    NOT NULL DEFAULT '',  -- '' for the group's own stream
    seq               INTEGER NOT NULL,             -- uint64 bits as int64
    from_account      TEXT    NOT NULL,
    random            INTEGER NOT NULL,             -- uint32
    time              INTEGER NOT NULL,             -- unix seconds
    priority          TEXT    NOT NULL,
    body              TEXT    NOT NULL,             -- MsgBody JSON, byte-exact
    cloud_custom_data TEXT    NOT NULL,
    recalled          INTEGER NOT NULL,             -- 0 or 1
    is_system         INTEGER NOT NULL,             -- 0 or 1
    dedupe_key        TEXT,                         -- NULL: stored without a key
    PRIMARY KEY (group_id, topic_id, seq)
) STRICT, WITHOUT ROWID;

-- The de-duplication lookup of AppendGroupMessage, read with INDEXED BY
-- (without statistics SQLite could take the primary key prefix instead).
-- Holds time so that the window test needs no row; seq comes with it.
CREATE INDEX group_messages_dedupe ON group_messages (group_id, topic_id, dedupe_key, time)
    WHERE dedupe_key IS NOT NULL;

-- A topic's messages go with the topic. No foreign key can say so, since
-- the group's own stream ('') has no topic row; the trigger also fires for
-- topics deleted by the cascade from groups, whose own cascade has deleted
-- the messages already.
CREATE TRIGGER topics_delete_messages AFTER DELETE ON topics BEGIN
    DELETE FROM group_messages WHERE group_id = OLD.group_id AND topic_id = OLD.id;
END;
