package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// ImportAccounts implements [account.Store] in one round trip: a batch of
// two array statements, run as one implicit transaction. Within one call a
// later Import of the same UserID, and a later item with the same tag, wins.
func (db *DB) ImportAccounts(ctx context.Context, accounts []account.Import, createdAt int64) error {
	if len(accounts) == 0 {
		return nil
	}
	ids := make([]string, 0, len(accounts))
	var items []account.ProfileItem
	var itemIDs []string
	for _, a := range accounts {
		ids = append(ids, a.UserID)
		for _, it := range a.Profile {
			itemIDs = append(itemIDs, a.UserID)
			items = append(items, it)
		}
	}
	// Sorted, so that concurrent imports lock rows in the same order.
	slices.Sort(ids)
	ids = slices.Compact(ids)
	itemIDs, tags, values := itemArrays(itemIDs, items)

	err := db.sendBatch(ctx, func(b *pgx.Batch) {
		b.Queue(`INSERT INTO accounts (user_id, created_at) SELECT unnest($1::text[]), $2
			ON CONFLICT (user_id) DO NOTHING`, ids, createdAt)
		if len(tags) > 0 {
			b.Queue(upsertItems, itemIDs, tags, values)
		}
	})
	if err != nil {
		return fmt.Errorf("postgres: import %d accounts: %w", len(accounts), err)
	}
	return nil
}

// upsertItems sets profile items from three parallel arrays: user IDs, tags
// and values. No (user ID, tag) pair may repeat.
const upsertItems = `INSERT INTO profile_items (user_id, tag, value)
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
	ON CONFLICT (user_id, tag) DO UPDATE SET value = excluded.value`

// itemArrays turns items (item i belongs to user ids[i]) into the parallel
// arrays upsertItems takes, sorted by user ID and tag, keeping only the last
// item for each (user ID, tag): ON CONFLICT DO UPDATE cannot touch a row twice.
func itemArrays(ids []string, items []account.ProfileItem) (userIDs, tags, values []string) {
	type row struct{ id, tag, value string }
	rows := make([]row, len(items))
	for i, it := range items {
		rows[i] = row{ids[i], it.Tag, string(it.Value)}
	}
	// Stable, so that among equal keys the last one in the call stays last.
	slices.SortStableFunc(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.tag, b.tag))
	})
	for i, r := range rows {
		if i+1 < len(rows) && rows[i+1].id == r.id && rows[i+1].tag == r.tag {
			continue // a later item for the same key follows
		}
		userIDs = append(userIDs, r.id)
		tags = append(tags, r.tag)
		values = append(values, r.value)
	}
	return userIDs, tags, values
}

// DeleteAccounts implements [account.Store] in one round trip: a batch,
// run as one implicit transaction, that locks the accounts' groups (in ID
// order, as every change to members does), deletes the memberships while
// fixing each group's member_num and owner, then deletes the accounts. A
// membership committed meanwhile fails the last statement on the foreign key,
// and the whole batch runs again. deleted is in the order of ids, each ID
// once.
func (db *DB) DeleteAccounts(ctx context.Context, ids []string, at int64) (deleted []string, err error) {
	if len(ids) == 0 {
		return nil, nil
	}
	sortedIDs := record.Sorted(record.Unique(ids))
	var gone []string
	err = db.batch(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT FROM groups
			WHERE id IN (SELECT group_id FROM group_members WHERE user_id = ANY($1))
			ORDER BY id FOR UPDATE`, sortedIDs)
		b.Queue(`WITH d AS (
				DELETE FROM group_members WHERE user_id = ANY($1) RETURNING group_id, user_id
			), c AS (
				SELECT group_id, count(*) AS n, array_agg(user_id) AS users FROM d GROUP BY group_id
			)
			UPDATE groups g SET member_num = g.member_num - c.n,
				owner = CASE WHEN g.owner = ANY(c.users) THEN NULL ELSE g.owner END
			FROM c WHERE g.id = c.group_id`, sortedIDs)
		// profile_items go with their account: ON DELETE CASCADE.
		// The deleted accounts' UserSigs stay revoked (a tombstone each).
		b.Queue(`WITH d AS (DELETE FROM accounts WHERE user_id = ANY($1) RETURNING user_id),
			t AS (INSERT INTO account_tombstones (user_id, deleted_at) SELECT user_id, $2 FROM d
				ON CONFLICT (user_id) DO UPDATE SET deleted_at = greatest(account_tombstones.deleted_at, excluded.deleted_at))
			SELECT user_id FROM d`, sortedIDs, at)
	}, func(br pgx.BatchResults) error {
		for range 2 {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		rows, _ := br.Query()
		var err error
		gone, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	}, foreignKeyViolation)
	if err != nil {
		return nil, fmt.Errorf("postgres: delete %d accounts: %w", len(ids), err)
	}
	existed := make(map[string]bool, len(gone))
	for _, id := range gone {
		existed[id] = true
	}
	for _, id := range ids {
		if existed[id] {
			deleted = append(deleted, id)
			existed[id] = false // each ID once
		}
	}
	return deleted, nil
}

// ExistingAccounts implements [account.Store]. The map holds only the IDs
// that exist, each mapped to true.
func (db *DB) ExistingAccounts(ctx context.Context, ids []string) (map[string]bool, error) {
	exist := make(map[string]bool, len(ids))
	if len(ids) == 0 {
		return exist, nil
	}
	rows, _ := db.pool.Query(ctx, `SELECT user_id FROM accounts WHERE user_id = ANY($1)`, ids)
	var id string
	_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
		exist[id] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: existing accounts: %w", err)
	}
	return exist, nil
}

// AccountCreatedAt returns the creation time (unix seconds) of account id,
// or an error wrapping [account.ErrNotFound]. It is not part of
// [account.Store]; storetest uses it to check that re-import keeps it.
func (db *DB) AccountCreatedAt(ctx context.Context, id string) (int64, error) {
	var t int64
	err := db.pool.QueryRow(ctx, `SELECT created_at FROM accounts WHERE user_id = $1`, id).Scan(&t)
	if err != nil {
		err = record.NoRows(err, account.ErrNotFound)
		return 0, fmt.Errorf("postgres: account created at %q: %w", id, err)
	}
	return t, nil
}

// SetSigNotBefore implements [account.Store].
func (db *DB) SetSigNotBefore(ctx context.Context, id string, t int64) error {
	tag, err := db.pool.Exec(ctx, `UPDATE accounts SET sig_not_before = $2 WHERE user_id = $1`, id, t)
	if err != nil {
		return fmt.Errorf("postgres: set sig not before %q: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: set sig not before %q: %w", id, account.ErrNotFound)
	}
	return nil
}

// SigNotBefore implements [account.Store].
func (db *DB) SigNotBefore(ctx context.Context, id string) (int64, error) {
	var t int64
	err := db.pool.QueryRow(ctx, `SELECT greatest(
			coalesce((SELECT sig_not_before FROM accounts WHERE user_id = $1), 0),
			coalesce((SELECT deleted_at FROM account_tombstones WHERE user_id = $1), 0))`, id).Scan(&t)
	if err != nil {
		return 0, fmt.Errorf("postgres: sig not before %q: %w", id, err)
	}
	return t, nil
}

// SetProfile implements [account.Store] with one statement: the foreign key
// on profile_items reports a missing account. A later item with the same tag
// wins.
func (db *DB) SetProfile(ctx context.Context, id string, items []account.ProfileItem) error {
	var err error
	if len(items) == 0 {
		var exists bool
		err = db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM accounts WHERE user_id = $1)`, id).Scan(&exists)
		if err == nil && !exists {
			err = account.ErrNotFound
		}
	} else {
		itemIDs, tags, values := itemArrays(slices.Repeat([]string{id}, len(items)), items)
		err = retry(ctx, func() error {
			_, err := db.pool.Exec(ctx, upsertItems, itemIDs, tags, values)
			return err
		})
		if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == foreignKeyViolation {
			err = account.ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("postgres: set profile %q: %w", id, err)
	}
	return nil
}

// GetProfiles implements [account.Store] with one query. Tags are ordered by
// their bytes (the "C" collation). An existing account with no matching
// items is present with no Items.
func (db *DB) GetProfiles(ctx context.Context, ids []string, tags []string) (map[string]account.Profile, error) {
	profiles := make(map[string]account.Profile, len(ids))
	if len(ids) == 0 {
		return profiles, nil
	}
	if tags == nil {
		tags = []string{} // pgx sends a nil slice as NULL
	}
	rows, _ := db.pool.Query(ctx, `SELECT a.user_id, p.tag, p.value
		FROM accounts a LEFT JOIN profile_items p
			ON p.user_id = a.user_id AND (cardinality($2::text[]) = 0 OR p.tag = ANY($2))
		WHERE a.user_id = ANY($1)
		ORDER BY a.user_id, p.tag`, ids, tags)
	var r record.ProfileRow
	_, err := pgx.ForEachRow(rows, r.Dest(), func() error {
		r.AddTo(profiles)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: get profiles: %w", err)
	}
	return profiles, nil
}
