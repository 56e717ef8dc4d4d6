package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// selectGroup selects record.GroupColumns from groups as g.
var selectGroup = record.Select("groups", "g", record.GroupColumns)

// scanGroup reads one row of record.GroupColumns from a *sql.Row or
// *sql.Rows.
func scanGroup(s interface{ Scan(dest ...any) error }) (group.Group, error) {
	var r record.GroupRow
	if err := s.Scan(r.Dest()...); err != nil {
		return group.Group{}, err
	}
	return r.Group()
}

// CreateGroup implements [group.Store]. Repeated UserIDs in members count
// once (the first wins); custom fields are stored sorted, without empty
// values. When g.Owner is set it must be among members. A member that is no
// account fails the call with an error wrapping [account.ErrNotFound].
func (db *DB) CreateGroup(ctx context.Context, g group.Group, members []group.Member) error {
	members = group.NormalizeMembers(g.ID, members)
	if g.Owner != "" && !record.HasMember(members, g.Owner) {
		return fmt.Errorf("sqlite: create group %q: owner %q is not among the members", g.ID, g.Owner)
	}
	g.MemberNum = len(members)
	g.AppDefinedData = group.MergeAppData(nil, g.AppDefinedData)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, insertInto("groups", record.GroupColumns), record.GroupArgs(g)...)
		if isUnique(err) {
			return group.ErrExists
		}
		if err != nil {
			return err
		}
		_, err = insertMembers(ctx, tx, members)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create group %q: %w", g.ID, err)
	}
	return nil
}

// getGroupQuery selects group ?.
var getGroupQuery = selectGroup + ` WHERE g.id = ?`

// GetGroup implements [group.Store] with a statement prepared once.
func (db *DB) GetGroup(ctx context.Context, id string) (group.Group, error) {
	stmt, err := db.readStmt(ctx, getGroupQuery)
	var g group.Group
	if err == nil {
		g, err = scanOneGroup(stmt.QueryRowContext(ctx, id))
	}
	if err != nil {
		return group.Group{}, fmt.Errorf("sqlite: get group %q: %w", id, err)
	}
	return g, nil
}

// scanOneGroup reads a row of record.GroupColumns; group.ErrNotFound when there is
// none.
func scanOneGroup(row *sql.Row) (group.Group, error) {
	g, err := scanGroup(row)
	return g, record.NoRows(err, group.ErrNotFound)
}

// GetGroups implements [group.Store].
func (db *DB) GetGroups(ctx context.Context, ids []string) (map[string]group.Group, error) {
	groups := make(map[string]group.Group, len(ids))
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		gs, err := queryIn(ctx, tx, (*record.GroupRow).Dest, (*record.GroupRow).Group, record.Unique(ids), func(in string) string {
			return selectGroup + ` WHERE g.id IN (` + in + `)`
		})
		for _, g := range gs {
			groups[g.ID] = g
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: get groups: %w", err)
	}
	return groups, nil
}

// ModifyGroup implements [group.Store]. Custom fields are merged by key: an
// empty Value deletes the key.
func (db *DB) ModifyGroup(ctx context.Context, id string, p group.GroupPatch) (group.Group, error) {
	var g group.Group
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if g, err = scanOneGroup(tx.QueryRowContext(ctx, getGroupQuery, id)); err != nil {
			return err
		}
		g.Apply(p)
		_, err = tx.ExecContext(ctx, `UPDATE groups SET name = ?, introduction = ?, notification = ?,
				face_url = ?, max_member_num = ?, apply_join_option = ?, invite_join_option = ?,
				mute_all_member = ?, history_msg_before_join = ?, enable_permission = ?,
				default_permission = ?, app_defined_data = ?, info_seq = ?, last_info_time = ?
			WHERE id = ?`,
			g.Name, g.Introduction, g.Notification, g.FaceURL, g.MaxMemberNum, g.ApplyJoinOption,
			g.InviteJoinOption, g.MuteAllMember, g.HistoryMsgBeforeJoin, g.EnablePermission,
			int64(g.DefaultPermission), group.EncodeAppData(g.AppDefinedData), int64(g.InfoSeq), g.LastInfoTime, id)
		return err
	})
	if err != nil {
		return group.Group{}, fmt.Errorf("sqlite: modify group %q: %w", id, err)
	}
	return g, nil
}

// DeleteGroup implements [group.Store]. Its members go with it (ON DELETE
// CASCADE).
func (db *DB) DeleteGroup(ctx context.Context, id string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM groups WHERE id = ?`, id)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			err = group.ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("sqlite: delete group %q: %w", id, err)
	}
	return nil
}

// ListGroups implements [group.Store]. The cursor is the creation sequence
// number of the last group returned; limit <= 0 means no limit.
func (db *DB) ListGroups(ctx context.Context, typ group.Type, cursor uint64, limit int) (ids []string, next uint64, total int, err error) {
	filter, args := "", []any{}
	if typ != "" {
		filter, args = " AND type = ?", append(args, string(typ))
	}
	after := int64(min(cursor, math.MaxInt64))
	fetch := -1 // SQLite: no limit
	if limit > 0 {
		fetch = limit + 1 // one more tells whether there is a next page
	}
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT seq, id FROM groups WHERE seq > ?`+filter+`
			ORDER BY seq LIMIT ?`, append(append([]any{after}, args...), fetch)...)
		if err != nil {
			return err
		}
		var seqs []int64
		err = eachRow(rows, func() error {
			var seq int64
			var id string
			if err := rows.Scan(&seq, &id); err != nil {
				return err
			}
			seqs, ids = append(seqs, seq), append(ids, id)
			return nil
		})
		if err != nil {
			return err
		}
		ids, next = record.Page(ids, seqs, limit)
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM groups WHERE true`+filter, args...).Scan(&total)
	})
	if err != nil {
		return nil, 0, 0, fmt.Errorf("sqlite: list groups: %w", err)
	}
	return ids, next, total, nil
}

// ChangeOwner implements [group.Store]: newOwner gets the role Owner, the
// recorded owner (when there is one and it is still a member) the role
// Member. ErrNotFound when the group does not exist.
func (db *DB) ChangeOwner(ctx context.Context, groupID, newOwner string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var owner sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT owner FROM groups WHERE id = ?`, groupID).Scan(&owner)
		if err != nil {
			return record.NoRows(err, group.ErrNotFound)
		}
		res, err := tx.ExecContext(ctx, `UPDATE group_members SET role = 'Owner'
			WHERE group_id = ? AND user_id = ?`, groupID, newOwner)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return group.ErrNoMember
		}
		if owner.Valid && owner.String != newOwner {
			if _, err := tx.ExecContext(ctx, `UPDATE group_members SET role = 'Member'
				WHERE group_id = ? AND user_id = ?`, groupID, owner.String); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE groups SET owner = ? WHERE id = ?`, newOwner, groupID)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: change owner of group %q to %q: %w", groupID, newOwner, err)
	}
	return nil
}

// JoinedGroups implements [group.Store]. Groups joined at the same time are
// in group ID order; q.Limit 0 means no limit.
func (db *DB) JoinedGroups(ctx context.Context, userID string, q group.JoinedQuery) ([]group.Joined, int, error) {
	filter, args := "", []any{userID}
	if q.Type != "" {
		filter, args = ` AND g.type = ?`, append(args, string(q.Type))
	}
	limit := -1 // SQLite: no limit
	if q.Limit > 0 {
		limit = q.Limit
	}
	var (
		joined []group.Joined
		total  int
	)
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+record.Columns("g", record.GroupColumns)+`, `+record.Columns("m", record.MemberColumns)+`
			FROM group_members m JOIN groups g ON g.id = m.group_id
			WHERE m.user_id = ?`+filter+`
			ORDER BY m.join_time DESC, m.group_id LIMIT ? OFFSET ?`, append(args, limit, q.Offset)...)
		if err != nil {
			return err
		}
		err = eachRow(rows, func() error {
			var (
				gr record.GroupRow
				mr record.MemberRow
			)
			if err := rows.Scan(record.JoinedDest(&gr, &mr)...); err != nil {
				return err
			}
			j, err := record.Joined(&gr, &mr)
			joined = append(joined, j)
			return err
		})
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM group_members m JOIN groups g ON g.id = m.group_id
			WHERE m.user_id = ?`+filter, args...).Scan(&total)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: groups joined by %q: %w", userID, err)
	}
	return joined, total, nil
}
