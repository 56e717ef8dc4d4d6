package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// selectMember selects record.MemberColumns from group_members as m.
var selectMember = record.Select("group_members", "m", record.MemberColumns)

// insertMembers inserts the members of group $1 from the parallel arrays
// that memberArrays makes, in one statement.
var insertMembers = `INSERT INTO group_members (` + record.Columns("", record.MemberColumns) + `)
	SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[],
		$7::bigint[], $8::bigint[], $9::text[], $10::text[])`

// memberArrays returns the arguments of insertMembers for members (from
// newMembers), sorted by UserID so that the foreign key locks accounts in
// the order DeleteAccounts deletes them.
func memberArrays(groupID string, members []group.Member) []any {
	members = record.SortedMembers(members)
	n := len(members)
	userIDs, roles, flags, cards, data := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	joins, seqs, sends, mutes := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	for i, m := range members {
		userIDs[i], roles[i], flags[i], cards[i], data[i] = m.UserID, string(m.Role), m.MsgFlag, m.NameCard, group.EncodeAppData(m.AppDefinedData)
		joins[i], seqs[i], sends[i], mutes[i] = m.JoinTime, int64(m.MsgSeq), m.LastSendMsgTime, m.MuteUntil
	}
	return []any{groupID, userIDs, roles, joins, seqs, flags, sends, mutes, cards, data}
}

// noAccount returns err, or an error wrapping account.ErrNotFound when err
// is a foreign key violation: inserting members, that means a member is no
// account.
func noAccount(err error) error {
	if e, ok := errors.AsType[*pgconn.PgError](err); ok && e.Code == foreignKeyViolation {
		return fmt.Errorf("a member is no account (%s): %w", e.Detail, account.ErrNotFound)
	}
	return err
}

// addMembers inserts the members of group $1 that memberArrays gives, but
// those that are members already, adds their number to member_num, and
// returns the new member_num and the UserIDs it inserted. The conflict check
// goes through the primary key whatever the planner's statistics.
var addMembers = `WITH added AS (
		` + insertMembers + `
		ON CONFLICT (group_id, user_id) DO NOTHING
		RETURNING user_id
	)
	UPDATE groups SET member_num = member_num + (SELECT count(*) FROM added)
	WHERE id = $1
	RETURNING member_num, ARRAY(SELECT user_id FROM added)`

// AddMembers implements [group.Store] in one transaction of two round trips
// after BEGIN: one batch that locks the group row (which makes the capacity
// check atomic) and adds the members with one statement, then COMMIT; or
// ROLLBACK when they would make the group too full. Repeated UserIDs count
// once (the first wins). When every member is one already, nothing changes
// and there is no ErrFull. A member that is no account fails the call with
// an error wrapping [account.ErrNotFound].
func (db *DB) AddMembers(ctx context.Context, groupID string, members []group.Member, maxMembers int) (group.AddResult, error) {
	members = group.NormalizeMembers(groupID, members)
	var res group.AddResult
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		res = group.AddResult{}
		b := &pgx.Batch{}
		b.Queue(`SELECT member_num FROM groups WHERE id = $1 FOR UPDATE`, groupID)
		b.Queue(addMembers, memberArrays(groupID, members)...)
		br := tx.SendBatch(ctx, b)
		var (
			before, after int
			added         []string
		)
		err := br.QueryRow().Scan(&before)
		if errors.Is(err, pgx.ErrNoRows) {
			err = group.ErrNotFound // the insert then fails on the foreign key to groups
		} else if err == nil {
			err = noAccount(br.QueryRow().Scan(&after, &added))
		}
		if closeErr := br.Close(); err == nil {
			err = closeErr
		}
		if err != nil {
			return err
		}
		if n := after - before; maxMembers > 0 && n > 0 && after > maxMembers {
			return fmt.Errorf("%d members and %d more exceed %d: %w", before, n, maxMembers, group.ErrFull)
		}
		isAdded := make(map[string]bool, len(added))
		for _, id := range added {
			isAdded[id] = true
		}
		res = record.AddResult(members, isAdded)
		return nil
	})
	if err != nil {
		return group.AddResult{}, fmt.Errorf("postgres: add %d members to group %q: %w", len(members), groupID, err)
	}
	return res, nil
}

// DeleteMembers implements [group.Store] in one round trip: a batch that
// locks the group row, then deletes the members and updates the group with
// one statement. The result is in the order of userIDs, each once. When the
// owner leaves, the group has no owner.
func (db *DB) DeleteMembers(ctx context.Context, groupID string, userIDs []string) ([]string, error) {
	userIDs = record.Unique(userIDs)
	gone, err := db.idsInGroup(ctx, " FOR UPDATE", groupID, userIDs, `WITH d AS (
			DELETE FROM group_members WHERE group_id = $1 AND user_id = ANY($2) RETURNING user_id
		), u AS (
			UPDATE groups SET member_num = member_num - (SELECT count(*) FROM d),
				owner = CASE WHEN owner IN (SELECT user_id FROM d) THEN NULL ELSE owner END
			WHERE id = $1 AND EXISTS (SELECT FROM d)
		)
		SELECT user_id FROM d`)
	if err != nil {
		return nil, fmt.Errorf("postgres: delete %d members of group %q: %w", len(userIDs), groupID, err)
	}
	return gone, nil
}

// GetMember implements [group.Store] with one query.
func (db *DB) GetMember(ctx context.Context, groupID, userID string) (group.Member, error) {
	m, err := getMember(ctx, db.pool, groupID, userID, "")
	if err != nil {
		return group.Member{}, fmt.Errorf("postgres: get member %q of group %q: %w", userID, groupID, err)
	}
	return m, nil
}

// getMember reads one membership through q, with the locking clause lock
// ("" or " FOR UPDATE"); group.ErrNoMember when there is none.
func getMember(ctx context.Context, q rowQuerier, groupID, userID, lock string) (group.Member, error) {
	var r record.MemberRow
	err := q.QueryRow(ctx, selectMember+` WHERE m.group_id = $1 AND m.user_id = $2`+lock, groupID, userID).Scan(r.Dest()...)
	if err != nil {
		return group.Member{}, record.NoRows(err, group.ErrNoMember)
	}
	return r.Member()
}

// GetMembers implements [group.Store] with one query.
func (db *DB) GetMembers(ctx context.Context, groupID string, userIDs []string) (map[string]group.Member, error) {
	members := make(map[string]group.Member, len(userIDs))
	if len(userIDs) == 0 {
		return members, nil
	}
	err := db.eachMember(ctx, func(m group.Member) { members[m.UserID] = m },
		selectMember+` WHERE m.group_id = $1 AND m.user_id = ANY($2)`, groupID, userIDs)
	if err != nil {
		return nil, fmt.Errorf("postgres: get members of group %q: %w", groupID, err)
	}
	return members, nil
}

// eachMember runs a query selecting record.MemberColumns and calls fn for each row.
func (db *DB) eachMember(ctx context.Context, fn func(group.Member), query string, args ...any) error {
	rows, _ := db.pool.Query(ctx, query, args...)
	var r record.MemberRow
	_, err := pgx.ForEachRow(rows, r.Dest(), func() error {
		m, err := r.Member()
		fn(m)
		return err
	})
	return err
}

// ModifyMember implements [group.Store]: it locks the row, applies p and
// writes it back, in one transaction. It does not touch groups.owner:
// ownership changes through ChangeOwner.
func (db *DB) ModifyMember(ctx context.Context, groupID, userID string, p group.MemberPatch) (group.Member, error) {
	var m group.Member
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if m, err = getMember(ctx, tx, groupID, userID, " FOR UPDATE"); err != nil {
			return err
		}
		m.Apply(p)
		_, err = tx.Exec(ctx, `UPDATE group_members
			SET role = $3, msg_flag = $4, name_card = $5, mute_until = $6, app_defined_data = $7
			WHERE group_id = $1 AND user_id = $2`,
			groupID, userID, string(m.Role), m.MsgFlag, m.NameCard, m.MuteUntil, group.EncodeAppData(m.AppDefinedData))
		return err
	})
	if err != nil {
		return group.Member{}, fmt.Errorf("postgres: modify member %q of group %q: %w", userID, groupID, err)
	}
	return m, nil
}

// SetMuteUntil implements [group.Store] with one statement. The result is
// in the order of userIDs, each once.
func (db *DB) SetMuteUntil(ctx context.Context, groupID string, userIDs []string, until int64) ([]string, error) {
	userIDs = record.Unique(userIDs)
	set, err := db.idsInGroup(ctx, "", groupID, userIDs, `UPDATE group_members SET mute_until = $3
		WHERE group_id = $1 AND user_id = ANY($2) RETURNING user_id`, until)
	if err != nil {
		return nil, fmt.Errorf("postgres: set mute of %d members of group %q: %w", len(userIDs), groupID, err)
	}
	return set, nil
}

// ListMembers implements [group.Store] with one query. q.Limit 0 means no
// limit; a group that does not exist has no members.
func (db *DB) ListMembers(ctx context.Context, groupID string, q group.MemberQuery) ([]group.Member, error) {
	var limit *int // nil: LIMIT NULL, no limit
	if q.Limit > 0 {
		limit = &q.Limit
	}
	where, args := ` WHERE m.group_id = $1`, []any{groupID, limit}
	if q.Role != "" {
		args = append(args, string(q.Role))
		where += fmt.Sprintf(` AND m.role = $%d`, len(args))
		if q.Role != group.RoleMember {
			where += ` AND m.role <> 'Member'` // lets the planner use group_members_staff
		}
	}
	order := ` ORDER BY m.user_id LIMIT $2`
	if q.After != "" {
		args = append(args, q.After)
		where += fmt.Sprintf(` AND m.user_id > $%d`, len(args))
	} else if q.Offset > 0 {
		args = append(args, q.Offset)
		order += fmt.Sprintf(` OFFSET $%d`, len(args))
	}
	var members []group.Member
	err := db.eachMember(ctx, func(m group.Member) { members = append(members, m) }, selectMember+where+order, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list members of group %q: %w", groupID, err)
	}
	return members, nil
}

// MutedMembers implements [group.Store] with one query. Members are in
// UserID order.
func (db *DB) MutedMembers(ctx context.Context, groupID string, now int64) ([]group.Member, error) {
	var members []group.Member
	err := db.eachMember(ctx, func(m group.Member) { members = append(members, m) },
		selectMember+` WHERE m.group_id = $1 AND m.mute_until <> 0 AND m.mute_until > $2 ORDER BY m.user_id`,
		groupID, now)
	if err != nil {
		return nil, fmt.Errorf("postgres: muted members of group %q: %w", groupID, err)
	}
	return members, nil
}
