-- The app-wide mute of an account (setnospeaking): until when (unix
-- seconds; 0 or past: not muted; 9223372036854775807: for ever) it may not
-- send one-to-one and group messages.
CREATE TABLE global_mutes (
    user_id     TEXT    NOT NULL PRIMARY KEY,
    c2c_until   INTEGER NOT NULL DEFAULT 0,
    group_until INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

-- Blocklists (black_list_add): owner_id blocked user_id at added_at (unix
-- seconds). A page of black_list_get is in (added_at, user_id) order.
CREATE TABLE blocklists (
    owner_id TEXT    NOT NULL,
    user_id  TEXT    NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (owner_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX blocklists_by_time ON blocklists (owner_id, added_at, user_id);
CREATE INDEX blocklists_by_user ON blocklists (user_id, owner_id);

-- The sequence of each blocklist (black_list_get CurruentSequence): raised
-- by every call that changed the list.
CREATE TABLE blocklist_seqs (
    owner_id TEXT    NOT NULL PRIMARY KEY,
    seq      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- A deleted account's mute and blocklist go with it, and so does its place
-- in others' blocklists: an account imported again under that UserID starts
-- unmuted and unlisted.
CREATE TRIGGER accounts_delete_restrictions AFTER DELETE ON accounts BEGIN
    DELETE FROM global_mutes WHERE user_id = OLD.user_id;
    DELETE FROM blocklists WHERE owner_id = OLD.user_id;
    DELETE FROM blocklists WHERE user_id = OLD.user_id;
    DELETE FROM blocklist_seqs WHERE owner_id = OLD.user_id;
END;
