-- Message extensions: per-message key/value pairs (reactions, polls) of
-- messages sent with SupportMessageExtension 1. Text keys use the "C"
-- collation so that ordering is by bytes, as in the SQLite store.
--
-- message_extensions has one row per such message: a group or topic
-- message (group_id, topic_id, msg_seq) or a one-to-one message (c2c_id),
-- the other columns NULL. The foreign keys take the row (and its keys)
-- away with the message. latest_seq is the extension's sequence, moved one
-- on by every write (SetExtension holds the row FOR UPDATE, so writers of
-- one message take turns); clear_seq is latest_seq of the last clear. Both
-- are uint64 bits as int64.
CREATE TABLE message_extensions (
    id         bigserial PRIMARY KEY,
    group_id   text COLLATE "C",
    topic_id   text COLLATE "C",
    msg_seq    bigint,
    c2c_id     bigint REFERENCES c2c_messages (id) ON DELETE CASCADE,
    latest_seq bigint NOT NULL DEFAULT 0,
    clear_seq  bigint NOT NULL DEFAULT 0,
    FOREIGN KEY (group_id, topic_id, msg_seq) REFERENCES group_messages (group_id, topic_id, seq) ON DELETE CASCADE,
    CHECK ((c2c_id IS NULL) <> (group_id IS NULL))
);

CREATE UNIQUE INDEX message_extensions_group ON message_extensions (group_id, topic_id, msg_seq)
    WHERE group_id IS NOT NULL;
CREATE UNIQUE INDEX message_extensions_c2c ON message_extensions (c2c_id) WHERE c2c_id IS NOT NULL;

-- The keys of an extension. seq is the extension's sequence of the key's
-- last write; a deleted key stays as a tombstone (deleted, value '') so
-- that a pull from a StartSeq learns of the deletion, until a clear
-- removes every row.
CREATE TABLE message_extension_keys (
    ext_id  bigint  NOT NULL REFERENCES message_extensions (id) ON DELETE CASCADE,
    key     text    COLLATE "C" NOT NULL,
    value   text    NOT NULL,
    seq     bigint  NOT NULL,
    deleted boolean NOT NULL,
    PRIMARY KEY (ext_id, key)
);

-- get_key_values reads a message's keys in seq order from a StartSeq.
CREATE INDEX message_extension_keys_seq ON message_extension_keys (ext_id, seq, key);
