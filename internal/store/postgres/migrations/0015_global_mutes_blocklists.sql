-- The app-wide mute of an account (setnospeaking): until when (unix
-- seconds; 0 or past: not muted; 9223372036854775807: for ever) it may not
-- send one-to-one and group messages.
CREATE TABLE global_mutes (
    user_id     text   COLLATE "C" NOT NULL PRIMARY KEY,
    c2c_until   bigint NOT NULL DEFAULT 0,
    group_until bigint NOT NULL DEFAULT 0
);

-- Blocklists (black_list_add): owner_id blocked user_id at added_at (unix
-- seconds). A page of black_list_get is in (added_at, user_id) order.
CREATE TABLE blocklists (
    owner_id text   COLLATE "C" NOT NULL,
    user_id  text   COLLATE "C" NOT NULL,
    added_at bigint NOT NULL,
    PRIMARY KEY (owner_id, user_id)
);
CREATE INDEX blocklists_by_time ON blocklists (owner_id, added_at, user_id);
CREATE INDEX blocklists_by_user ON blocklists (user_id, owner_id);

-- The sequence of each blocklist (black_list_get CurruentSequence): raised
-- by every call that changed the list; its row also serializes the writers
-- of one list, so that the size limit holds.
CREATE TABLE blocklist_seqs (
    owner_id text   COLLATE "C" NOT NULL PRIMARY KEY,
    seq      bigint NOT NULL
);

-- A deleted account's mute and blocklist go with it, and so does its place
-- in others' blocklists: an account imported again under that UserID starts
-- unmuted and unlisted. (A statement trigger over the deleted rows, as
-- 0011's for conversation marks.)
CREATE FUNCTION accounts_delete_restrictions() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM global_mutes m USING deleted_accounts d WHERE m.user_id = d.user_id;
    DELETE FROM blocklists b USING deleted_accounts d WHERE b.owner_id = d.user_id;
    DELETE FROM blocklists b USING deleted_accounts d WHERE b.user_id = d.user_id;
    DELETE FROM blocklist_seqs q USING deleted_accounts d WHERE q.owner_id = d.user_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER accounts_delete_restrictions AFTER DELETE ON accounts
REFERENCING OLD TABLE AS deleted_accounts
FOR EACH STATEMENT EXECUTE FUNCTION accounts_delete_restrictions();
