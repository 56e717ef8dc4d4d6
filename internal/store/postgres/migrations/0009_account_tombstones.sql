-- Deleted accounts: UserSigs issued at or before deleted_at stay revoked
-- after the account is gone (and after it is imported again), as a kick's
-- are; without this an earlier UserSig could log in and register the
-- deleted account again.
CREATE TABLE account_tombstones (
    user_id    text   COLLATE "C" NOT NULL PRIMARY KEY,
    deleted_at bigint NOT NULL  -- unix seconds
);
