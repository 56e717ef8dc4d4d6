package postgres

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// selectGroup selects record.GroupColumns from groups as g.
var selectGroup = record.Select("groups", "g", record.GroupColumns)

// CreateGroup implements [group.Store] in one round trip: the group and its
// members in one batch. Repeated UserIDs in members count once (the first
// wins); custom fields are stored sorted, without empty values. When g.Owner
// is set it must be among members. A member that is no account fails the
// call with an error wrapping [account.ErrNotFound].
func (db *DB) CreateGroup(ctx context.Context, g group.Group, members []group.Member) error {
	members = group.NormalizeMembers(g.ID, members)
	if g.Owner != "" && !record.HasMember(members, g.Owner) {
		return fmt.Errorf("postgres: create group %q: owner %q is not among the members", g.ID, g.Owner)
	}
	g.MemberNum = len(members)
	g.AppDefinedData = group.MergeAppData(nil, g.AppDefinedData)
	err := db.sendBatch(ctx, func(b *pgx.Batch) {
		b.Queue(`INSERT INTO groups (`+record.Columns("", record.GroupColumns)+`)
			VALUES (`+placeholders(len(record.GroupColumns))+`)`, record.GroupArgs(g)...)
		if len(members) > 0 {
			b.Queue(insertMembers, memberArrays(g.ID, members)...)
		}
	})
	if pgCode(err) == uniqueViolation { // the primary key: concurrent creates wait for the first to commit
		err = group.ErrExists
	}
	err = noAccount(err)
	if err != nil {
		return fmt.Errorf("postgres: create group %q: %w", g.ID, err)
	}
	return nil
}

// GetGroup implements [group.Store].
func (db *DB) GetGroup(ctx context.Context, id string) (group.Group, error) {
	g, err := getGroup(ctx, db.pool, id, "")
	if err != nil {
		return group.Group{}, fmt.Errorf("postgres: get group %q: %w", id, err)
	}
	return g, nil
}

// rowQuerier is a *pgxpool.Pool or a pgx.Tx.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// getGroup reads group id through q, with the locking clause lock ("" or
// " FOR UPDATE"); group.ErrNotFound when there is none.
func getGroup(ctx context.Context, q rowQuerier, id, lock string) (group.Group, error) {
	var r record.GroupRow
	if err := q.QueryRow(ctx, selectGroup+` WHERE g.id = $1`+lock, id).Scan(r.Dest()...); err != nil {
		return group.Group{}, record.NoRows(err, group.ErrNotFound)
	}
	return r.Group()
}

// GetGroups implements [group.Store] with one query.
func (db *DB) GetGroups(ctx context.Context, ids []string) (map[string]group.Group, error) {
	groups := make(map[string]group.Group, len(ids))
	if len(ids) == 0 {
		return groups, nil
	}
	rows, _ := db.pool.Query(ctx, selectGroup+` WHERE g.id = ANY($1)`, ids)
	var r record.GroupRow
	_, err := pgx.ForEachRow(rows, r.Dest(), func() error {
		g, err := r.Group()
		groups[g.ID] = g
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: get groups: %w", err)
	}
	return groups, nil
}

// ModifyGroup implements [group.Store]: it locks the row, applies p and
// writes it back, in one transaction. Custom fields are merged by key: an
// empty Value deletes the key.
func (db *DB) ModifyGroup(ctx context.Context, id string, p group.GroupPatch) (group.Group, error) {
	var g group.Group
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if g, err = getGroup(ctx, tx, id, " FOR UPDATE"); err != nil {
			return err
		}
		g.Apply(p)
		_, err = tx.Exec(ctx, `UPDATE groups SET name = $2, introduction = $3, notification = $4,
				face_url = $5, max_member_num = $6, apply_join_option = $7, invite_join_option = $8,
				mute_all_member = $9, history_msg_before_join = $10, enable_permission = $11,
				default_permission = $12, app_defined_data = $13, info_seq = $14, last_info_time = $15
			WHERE id = $1`,
			id, g.Name, g.Introduction, g.Notification, g.FaceURL, g.MaxMemberNum, g.ApplyJoinOption,
			g.InviteJoinOption, g.MuteAllMember, g.HistoryMsgBeforeJoin, g.EnablePermission,
			int64(g.DefaultPermission), group.EncodeAppData(g.AppDefinedData), int64(g.InfoSeq), g.LastInfoTime)
		return err
	})
	if err != nil {
		return group.Group{}, fmt.Errorf("postgres: modify group %q: %w", id, err)
	}
	return g, nil
}

// DeleteGroup implements [group.Store] with one statement. Its members go
// with it (ON DELETE CASCADE).
func (db *DB) DeleteGroup(ctx context.Context, id string) error {
	err := retry(ctx, func() error {
		tag, err := db.pool.Exec(ctx, `DELETE FROM groups WHERE id = $1`, id)
		if err == nil && tag.RowsAffected() == 0 {
			err = group.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: delete group %q: %w", id, err)
	}
	return nil
}

// ListGroups implements [group.Store] in one round trip. The cursor is the
// creation sequence number of the last group returned; limit <= 0 means no
// limit.
func (db *DB) ListGroups(ctx context.Context, typ group.Type, cursor uint64, limit int) (ids []string, next uint64, total int, err error) {
	var fetch *int // nil: LIMIT NULL, no limit
	if limit > 0 {
		fetch = new(limit + 1) // one more tells whether there is a next page
	}
	list, count := `SELECT seq, id FROM groups WHERE seq > $1 ORDER BY seq LIMIT $2`, `SELECT count(*) FROM groups`
	listArgs, countArgs := []any{int64(min(cursor, math.MaxInt64)), fetch}, []any{}
	if typ != "" {
		list = `SELECT seq, id FROM groups WHERE type = $3 AND seq > $1 ORDER BY seq LIMIT $2`
		count += ` WHERE type = $1`
		listArgs, countArgs = append(listArgs, string(typ)), append(countArgs, string(typ))
	}
	err = db.batch(ctx, func(b *pgx.Batch) {
		b.Queue(list, listArgs...)
		b.Queue(count, countArgs...)
	}, func(br pgx.BatchResults) error {
		ids, next = nil, 0
		rows, _ := br.Query()
		var (
			seqs []int64
			seq  int64
			id   string
		)
		if _, err := pgx.ForEachRow(rows, []any{&seq, &id}, func() error {
			seqs, ids = append(seqs, seq), append(ids, id)
			return nil
		}); err != nil {
			return err
		}
		ids, next = record.Page(ids, seqs, limit)
		return br.QueryRow().Scan(&total)
	})
	if err != nil {
		return nil, 0, 0, fmt.Errorf("postgres: list groups: %w", err)
	}
	return ids, next, total, nil
}

// ChangeOwner implements [group.Store] in one transaction that locks the
// group row: newOwner gets the role Owner, the recorded owner (when there is
// one and it is still a member) the role Member. ErrNotFound when the group
// does not exist.
func (db *DB) ChangeOwner(ctx context.Context, groupID, newOwner string) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var owner *string
		err := tx.QueryRow(ctx, `SELECT owner FROM groups WHERE id = $1 FOR UPDATE`, groupID).Scan(&owner)
		if err != nil {
			return record.NoRows(err, group.ErrNotFound)
		}
		tag, err := tx.Exec(ctx, `UPDATE group_members SET role = 'Owner'
			WHERE group_id = $1 AND user_id = $2`, groupID, newOwner)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return group.ErrNoMember
		}
		b := &pgx.Batch{}
		if owner != nil && *owner != newOwner {
			b.Queue(`UPDATE group_members SET role = 'Member' WHERE group_id = $1 AND user_id = $2`, groupID, *owner)
		}
		b.Queue(`UPDATE groups SET owner = $2 WHERE id = $1`, groupID, newOwner)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("postgres: change owner of group %q to %q: %w", groupID, newOwner, err)
	}
	return nil
}

// JoinedGroups implements [group.Store] in one round trip. Groups joined at
// the same time are in group ID order; q.Limit 0 means no limit.
func (db *DB) JoinedGroups(ctx context.Context, userID string, q group.JoinedQuery) ([]group.Joined, int, error) {
	var limit *int // nil: LIMIT NULL, no limit
	if q.Limit > 0 {
		limit = &q.Limit
	}
	from := ` FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = $1`
	listArgs, countArgs := []any{userID, limit, max(q.Offset, 0)}, []any{userID}
	list, count := from, from
	if q.Type != "" {
		list += ` AND g.type = $4`
		count += ` AND g.type = $2`
		listArgs, countArgs = append(listArgs, string(q.Type)), append(countArgs, string(q.Type))
	}
	var (
		joined []group.Joined
		total  int
	)
	err := db.batch(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT `+record.Columns("g", record.GroupColumns)+`, `+record.Columns("m", record.MemberColumns)+list+`
			ORDER BY m.join_time DESC, m.group_id LIMIT $2 OFFSET $3`, listArgs...)
		b.Queue(`SELECT count(*)`+count, countArgs...)
	}, func(br pgx.BatchResults) error {
		joined = nil
		rows, _ := br.Query()
		var (
			gr record.GroupRow
			mr record.MemberRow
		)
		if _, err := pgx.ForEachRow(rows, record.JoinedDest(&gr, &mr), func() error {
			j, err := record.Joined(&gr, &mr)
			joined = append(joined, j)
			return err
		}); err != nil {
			return err
		}
		return br.QueryRow().Scan(&total)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: groups joined by %q: %w", userID, err)
	}
	return joined, total, nil
}

// placeholders returns "$1, $2, …, $n".
func placeholders(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(i))
	}
	return b.String()
}
