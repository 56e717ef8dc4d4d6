-- Accounts (UserIDs) and their profile items. Text keys use the "C"
-- collation so that ordering is by bytes, as in the SQLite store, whatever
-- the database's default collation.

CREATE TABLE accounts (
    user_id        text   COLLATE "C" NOT NULL PRIMARY KEY,
    created_at     bigint NOT NULL,           -- unix seconds
    sig_not_before bigint NOT NULL DEFAULT 0  -- UserSigs issued at or before this (unix seconds) are revoked
);

CREATE TABLE profile_items (
    user_id text COLLATE "C" NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
    tag     text COLLATE "C" NOT NULL,
    value   text NOT NULL, -- JSON text, kept byte-exact (not jsonb, which normalises)
    PRIMARY KEY (user_id, tag)
);
