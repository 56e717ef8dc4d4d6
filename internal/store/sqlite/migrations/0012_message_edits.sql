-- Message edits (modify_group_msg, modify_c2c_msg, a member's edit over
-- the socket): the body and CloudCustomData change in place, the sequence
-- or MsgKey stays. edit_time is the unix seconds of the last edit, 0 for a
-- message never edited; history and sync report it as the edit marker.
ALTER TABLE group_messages ADD COLUMN edit_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE c2c_messages ADD COLUMN edit_time INTEGER NOT NULL DEFAULT 0;
