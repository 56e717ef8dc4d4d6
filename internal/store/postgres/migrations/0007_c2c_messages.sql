-- One-to-one (C2C) messages. Text keys use the "C" collation so that
-- ordering is by bytes, as in the SQLite store.
--
-- A conversation is (peer_lo, peer_hi): the two user IDs of the message in
-- byte order, so that both directions share it. id is given in insertion
-- order and breaks ties of time in history. body is the MsgBody JSON text
-- exactly as given (text, not jsonb, so that it stays byte-exact).
-- dedupe_key is NULL for a message stored without one. msg_seq and random
-- are uint32. No foreign keys to accounts: messages are kept as they were
-- sent. AppendC2C serialises appends with a key to one conversation with a
-- transaction-scoped advisory lock on it (see message.go).
CREATE TABLE c2c_messages (
    id                bigserial PRIMARY KEY,  -- insertion order
    peer_lo           text    COLLATE "C" NOT NULL,
    peer_hi           text    COLLATE "C" NOT NULL,
    from_account      text    COLLATE "C" NOT NULL,
    to_account        text    COLLATE "C" NOT NULL,
    msg_seq           bigint  NOT NULL,  -- uint32
    random            bigint  NOT NULL,  -- uint32
    time              bigint  NOT NULL,  -- unix seconds
    msg_key           text    COLLATE "C" NOT NULL,
    msg_id            text    NOT NULL,
    body              text    NOT NULL,  -- MsgBody JSON, byte-exact
    cloud_custom_data text    NOT NULL,
    recalled          boolean NOT NULL,
    dedupe_key        text    COLLATE "C"  -- NULL: stored without a key
);

-- History of a conversation, newest first by (time, id).
CREATE INDEX c2c_messages_history ON c2c_messages (peer_lo, peer_hi, time, id);

-- The de-duplication lookup of AppendC2C; holds time so that the window
-- test needs no heap row.
CREATE INDEX c2c_messages_dedupe ON c2c_messages (peer_lo, peer_hi, dedupe_key, time)
    WHERE dedupe_key IS NOT NULL;

-- Recall by (sender, receiver, MsgKey), and the beforeKey anchor of history.
CREATE INDEX c2c_messages_recall ON c2c_messages (from_account, to_account, msg_key);
