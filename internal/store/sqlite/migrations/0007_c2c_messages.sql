-- One-to-one (C2C) messages.
--
-- A conversation is (peer_lo, peer_hi): the two user IDs of the message in
-- byte order, so that both directions share it. id is the rowid, given in
-- insertion order (rows are never deleted yet), and breaks ties of time in
-- history. body is the MsgBody JSON text exactly as given. dedupe_key is
-- NULL for a message stored without one. msg_seq and random are uint32.
-- No foreign keys to accounts: messages are kept as they were sent.
CREATE TABLE c2c_messages (
    id                INTEGER PRIMARY KEY,          -- insertion order
    peer_lo           TEXT    NOT NULL,
    peer_hi           TEXT    NOT NULL,
    from_account      TEXT    NOT NULL,
    to_account        TEXT    NOT NULL,
    msg_seq           INTEGER NOT NULL,             -- uint32
    random            INTEGER NOT NULL,             -- uint32
    time              INTEGER NOT NULL,             -- unix seconds
    msg_key           TEXT    NOT NULL,
    msg_id            TEXT    NOT NULL,
    body              TEXT    NOT NULL,             -- MsgBody JSON, byte-exact
    cloud_custom_data TEXT    NOT NULL,
    recalled          INTEGER NOT NULL,             -- 0 or 1
    dedupe_key        TEXT                          -- NULL: stored without a key
) STRICT;

-- History of a conversation, newest first by (time, id).
CREATE INDEX c2c_messages_history ON c2c_messages (peer_lo, peer_hi, time, id);

-- The de-duplication lookup of AppendC2C; holds time so that the window
-- test needs no row.
CREATE INDEX c2c_messages_dedupe ON c2c_messages (peer_lo, peer_hi, dedupe_key, time)
    WHERE dedupe_key IS NOT NULL;

-- Recall by (sender, receiver, MsgKey), and the beforeKey anchor of history.
CREATE INDEX c2c_messages_recall ON c2c_messages (from_account, to_account, msg_key);
