-- The cascade from group_members to topic_mutes: SQLite uses an index for a
-- foreign key action only when the index covers every column of the table
-- (as 0004 found for perm_group_topics), so this one holds them all.
CREATE INDEX topic_mutes_member ON topic_mutes (group_id, user_id, topic_id, until);
