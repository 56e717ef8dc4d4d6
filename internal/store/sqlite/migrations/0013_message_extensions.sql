-- Message extensions: per-message key/value pairs (reactions, polls) of
-- messages sent with SupportMessageExtension 1.
--
-- message_extensions has one row per such message: a group or topic
-- message (group_id, topic_id, msg_seq) or a one-to-one message (c2c_id),
-- the other columns NULL. The foreign keys take the row (and its keys)
-- away with the message: a destroyed group, a deleted topic, a deleted
-- message. latest_seq is the extension's sequence, moved one on by every
-- write; clear_seq is latest_seq of the last clear. Both are uint64 bits
-- as int64.
CREATE TABLE message_extensions (
    id         INTEGER PRIMARY KEY,
    group_id   TEXT,
    topic_id   TEXT,
    msg_seq    INTEGER,
    c2c_id     INTEGER REFERENCES c2c_messages (id) ON DELETE CASCADE,
    latest_seq INTEGER NOT NULL DEFAULT 0,
    clear_seq  INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (group_id, topic_id, msg_seq) REFERENCES group_messages (group_id, topic_id, seq) ON DELETE CASCADE,
    CHECK ((c2c_id IS NULL) <> (group_id IS NULL))
) STRICT;

CREATE UNIQUE INDEX message_extensions_group ON message_extensions (group_id, topic_id, msg_seq)
    WHERE group_id IS NOT NULL;
CREATE UNIQUE INDEX message_extensions_c2c ON message_extensions (c2c_id) WHERE c2c_id IS NOT NULL;

-- The keys of an extension. seq is the extension's sequence of the key's
-- last write; a deleted key stays as a tombstone (deleted 1, value '') so
-- that a pull from a StartSeq learns of the deletion, until a clear
-- removes every row.
CREATE TABLE message_extension_keys (
    ext_id  INTEGER NOT NULL REFERENCES message_extensions (id) ON DELETE CASCADE,
    key     TEXT    NOT NULL,
    value   TEXT    NOT NULL,
    seq     INTEGER NOT NULL,
    deleted INTEGER NOT NULL,  -- 0 or 1
    PRIMARY KEY (ext_id, key)
) STRICT, WITHOUT ROWID;

-- get_key_values reads a message's keys in seq order from a StartSeq.
CREATE INDEX message_extension_keys_seq ON message_extension_keys (ext_id, seq, key);
