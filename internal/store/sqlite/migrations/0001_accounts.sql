-- Accounts (UserIDs) and their profile items.

CREATE TABLE accounts (
    user_id        TEXT    NOT NULL PRIMARY KEY,
    created_at     INTEGER NOT NULL,           -- unix seconds
    sig_not_before INTEGER NOT NULL DEFAULT 0  -- UserSigs issued at or before this (unix seconds) are revoked
) STRICT, WITHOUT ROWID;

CREATE TABLE profile_items (
    user_id TEXT NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
    tag     TEXT NOT NULL,
    value   TEXT NOT NULL, -- JSON text, kept byte-exact
    PRIMARY KEY (user_id, tag)
) STRICT, WITHOUT ROWID;
