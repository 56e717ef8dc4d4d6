-- Group bans (ban_group_member): a banned user is not a member of the group
-- and cannot become one again while now < until. The ban and the removal of
-- the membership are written in one transaction. A ban whose until has
-- passed is ignored (and replaced by the next ban of the same user); an
-- unban deletes the row. Bans go with their group and with their account.
--
-- get_group_ban_member lists the bans in force in the order they end: the
-- index holds that order for one group. Text keys use the "C" collation, as
-- everywhere in this store.
CREATE TABLE group_bans (
    group_id    text   COLLATE "C" NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id     text   COLLATE "C" NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
    until       bigint NOT NULL,  -- unix seconds: banned while now < until
    description text   NOT NULL,  -- Description, up to 1000 bytes
    created     bigint NOT NULL,  -- unix seconds
    PRIMARY KEY (group_id, user_id)
);

CREATE INDEX group_bans_until ON group_bans (group_id, until, user_id);
