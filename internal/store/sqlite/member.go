package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// selectMember selects record.MemberColumns from group_members as m.
var selectMember = record.Select("group_members", "m", record.MemberColumns)

// memberDest and member scan rows of record.MemberColumns.
var (
	memberDest = (*record.MemberRow).Dest
	member     = (*record.MemberRow).Member
)

// selectMemberStaff is selectMember through the index of owners and admins;
// the query must say m.role <> 'Member'.
var selectMemberStaff = selectMember + ` INDEXED BY group_members_staff`

// insertMembers inserts members (from newMembers: GroupID set, each UserID
// once) but those that are members already, and returns the UserIDs it
// inserted. It runs one prepared statement for each member, in UserID order:
// with no round trips to save, this beats parsing a multi-row INSERT, and the
// order keeps the index inserts local. A member that is no account fails it
// with an error wrapping account.ErrNotFound.
func insertMembers(ctx context.Context, tx *sql.Tx, members []group.Member) (map[string]bool, error) {
	ins, err := tx.PrepareContext(ctx, insertInto("group_members", record.MemberColumns)+` ON CONFLICT (group_id, user_id) DO NOTHING`)
	if err != nil {
		return nil, err
	}
	defer ins.Close()
	added := make(map[string]bool, len(members))
	for _, m := range record.SortedMembers(members) {
		res, err := ins.ExecContext(ctx, record.MemberArgs(m)...)
		if isForeignKey(err) {
			return nil, fmt.Errorf("member %q is no account: %w", m.UserID, account.ErrNotFound)
		}
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, err
		} else if n > 0 {
			added[m.UserID] = true
		}
	}
	return added, nil
}

// AddMembers implements [group.Store]: it inserts the members that are not
// members yet and counts them, then rolls back if that made the group too
// full. Repeated UserIDs count once (the first wins). When every member is
// one already, nothing changes and there is no ErrFull. A member that is no
// account fails the call with an error wrapping [account.ErrNotFound].
func (db *DB) AddMembers(ctx context.Context, groupID string, members []group.Member, maxMembers int) (group.AddResult, error) {
	members = group.NormalizeMembers(groupID, members)
	var res group.AddResult
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var num int
		err := tx.QueryRowContext(ctx, `SELECT member_num FROM groups WHERE id = ?`, groupID).Scan(&num)
		if err != nil {
			return record.NoRows(err, group.ErrNotFound)
		}
		added, err := insertMembers(ctx, tx, members)
		if err != nil {
			return err
		}
		if len(added) == 0 {
			res.Already = record.UserIDsOf(members)
			return nil
		}
		if maxMembers > 0 && num+len(added) > maxMembers {
			return fmt.Errorf("%d members and %d more exceed %d: %w", num, len(added), maxMembers, group.ErrFull)
		}
		res = record.AddResult(members, added)
		_, err = tx.ExecContext(ctx, `UPDATE groups SET member_num = member_num + ? WHERE id = ?`, len(added), groupID)
		return err
	})
	if err != nil {
		return group.AddResult{}, fmt.Errorf("sqlite: add %d members to group %q: %w", len(members), groupID, err)
	}
	return res, nil
}

// ownerIfMember is the groups.owner to keep once members have left: NULL
// when the owner is no longer a member.
const ownerIfMember = `CASE WHEN EXISTS (SELECT 1 FROM group_members
	WHERE group_id = groups.id AND user_id = groups.owner) THEN owner END`

// DeleteMembers implements [group.Store]. The result is in the order of
// userIDs, each once. When the owner leaves, the group has no owner.
func (db *DB) DeleteMembers(ctx context.Context, groupID string, userIDs []string) ([]string, error) {
	userIDs = record.Unique(userIDs)
	var deleted []string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		gone := make(map[string]bool)
		err := idsIn(ctx, tx, gone, userIDs, func(in string) string {
			return `DELETE FROM group_members WHERE group_id = ? AND user_id IN (` + in + `) RETURNING user_id`
		}, groupID)
		if err != nil {
			return err
		}
		if len(gone) == 0 {
			return nil
		}
		deleted = record.InOrder(userIDs, gone)
		_, err = tx.ExecContext(ctx, `UPDATE groups SET member_num = member_num - ?, owner = `+ownerIfMember+`
			WHERE id = ?`, len(gone), groupID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: delete %d members of group %q: %w", len(userIDs), groupID, err)
	}
	return deleted, nil
}

// getMemberQuery selects the membership of user ? in group ?.
var getMemberQuery = selectMember + ` WHERE m.group_id = ? AND m.user_id = ?`

// GetMember implements [group.Store] with a statement prepared once.
func (db *DB) GetMember(ctx context.Context, groupID, userID string) (group.Member, error) {
	stmt, err := db.readStmt(ctx, getMemberQuery)
	var m group.Member
	if err == nil {
		m, err = scanMember(stmt.QueryRowContext(ctx, groupID, userID))
	}
	if err != nil {
		return group.Member{}, fmt.Errorf("sqlite: get member %q of group %q: %w", userID, groupID, err)
	}
	return m, nil
}

// scanMember reads a row of record.MemberColumns; group.ErrNoMember when there is
// none.
func scanMember(row *sql.Row) (group.Member, error) {
	var r record.MemberRow
	if err := row.Scan(r.Dest()...); err != nil {
		return group.Member{}, record.NoRows(err, group.ErrNoMember)
	}
	return r.Member()
}

// GetMembers implements [group.Store].
func (db *DB) GetMembers(ctx context.Context, groupID string, userIDs []string) (map[string]group.Member, error) {
	members := make(map[string]group.Member, len(userIDs))
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		ms, err := queryIn(ctx, tx, memberDest, member, record.Unique(userIDs), func(in string) string {
			return selectMember + ` WHERE m.group_id = ? AND m.user_id IN (` + in + `)`
		}, groupID)
		for _, m := range ms {
			members[m.UserID] = m
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: get members of group %q: %w", groupID, err)
	}
	return members, nil
}

// ModifyMember implements [group.Store]. It does not touch groups.owner:
// ownership changes through ChangeOwner.
func (db *DB) ModifyMember(ctx context.Context, groupID, userID string, p group.MemberPatch) (group.Member, error) {
	var m group.Member
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if m, err = scanMember(tx.QueryRowContext(ctx, getMemberQuery, groupID, userID)); err != nil {
			return err
		}
		m.Apply(p)
		_, err = tx.ExecContext(ctx, `UPDATE group_members
			SET role = ?, msg_flag = ?, name_card = ?, mute_until = ?, app_defined_data = ?
			WHERE group_id = ? AND user_id = ?`,
			string(m.Role), m.MsgFlag, m.NameCard, m.MuteUntil, group.EncodeAppData(m.AppDefinedData), groupID, userID)
		return err
	})
	if err != nil {
		return group.Member{}, fmt.Errorf("sqlite: modify member %q of group %q: %w", userID, groupID, err)
	}
	return m, nil
}

// SetMuteUntil implements [group.Store]. The result is in the order of
// userIDs, each once.
func (db *DB) SetMuteUntil(ctx context.Context, groupID string, userIDs []string, until int64) ([]string, error) {
	userIDs = record.Unique(userIDs)
	set := make(map[string]bool, len(userIDs))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return idsIn(ctx, tx, set, userIDs, func(in string) string {
			return `UPDATE group_members SET mute_until = ? WHERE group_id = ? AND user_id IN (` + in + `) RETURNING user_id`
		}, until, groupID)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: set mute of %d members of group %q: %w", len(userIDs), groupID, err)
	}
	return record.InOrder(userIDs, set), nil
}

// ListMembers implements [group.Store]. q.Limit 0 means no limit; a group
// that does not exist has no members.
func (db *DB) ListMembers(ctx context.Context, groupID string, q group.MemberQuery) ([]group.Member, error) {
	from, where, args := selectMember, ` WHERE m.group_id = ?`, []any{groupID}
	if q.Role != "" {
		where, args = where+` AND m.role = ?`, append(args, string(q.Role))
		if q.Role != group.RoleMember {
			// Owners and admins are few: read them from their index, which
			// SQLite without statistics would pass over for the primary key.
			from = selectMemberStaff
			where += ` AND m.role <> 'Member'`
		}
	}
	offset := q.Offset
	if q.After != "" {
		where, args, offset = where+` AND m.user_id > ?`, append(args, q.After), 0
	}
	limit := -1 // SQLite: no limit
	if q.Limit > 0 {
		limit = q.Limit
	}
	members, err := queryAll(ctx, db.read, memberDest, member, from+where+` ORDER BY m.user_id LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list members of group %q: %w", groupID, err)
	}
	return members, nil
}

// MutedMembers implements [group.Store]. Members are in UserID order. The
// muted are few: they are read from their index, which SQLite without
// statistics would pass over for the primary key.
func (db *DB) MutedMembers(ctx context.Context, groupID string, now int64) ([]group.Member, error) {
	members, err := queryAll(ctx, db.read, memberDest, member, selectMember+` INDEXED BY group_members_muted
		WHERE m.group_id = ? AND m.mute_until <> 0 AND m.mute_until > ? ORDER BY m.user_id`, groupID, now)
	if err != nil {
		return nil, fmt.Errorf("sqlite: muted members of group %q: %w", groupID, err)
	}
	return members, nil
}
