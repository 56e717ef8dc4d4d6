package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-chat/hearth/internal/store/record"
)

// collect scans each of rows into one receiver R through dest, converts it
// with get, and returns the values in order; it closes rows.
func collect[R, T any](rows pgx.Rows, dest func(*R) []any, get func(*R) (T, error)) ([]T, error) {
	var (
		r   R
		out []T
	)
	_, err := pgx.ForEachRow(rows, dest(&r), func() error {
		v, err := get(&r)
		out = append(out, v)
		return err
	})
	return out, err
}

// noErr adapts a conversion that cannot fail to collect.
func noErr[R, T any](get func(*R) T) func(*R) (T, error) {
	return func(r *R) (T, error) { return get(r), nil }
}

// collectIDs adds the single text column of each of rows to ids and closes
// rows.
func collectIDs(rows pgx.Rows, ids map[string]bool) error {
	var id string
	_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
		ids[id] = true
		return nil
	})
	return err
}

// deref returns *p: the get of collect for rows scanned straight into T.
func deref[T any](p *T) (T, error) { return *p, nil }

// idsInGroup runs stmt, one statement over group $1, the IDs $2 (ids
// sorted) and then args, that selects the IDs it reached, and returns those
// IDs in the order of ids, which must not repeat; none for no ids. Without
// lock, stmt runs alone. With lock (" FOR UPDATE" or " FOR KEY SHARE"), it
// runs in one batch, one implicit transaction, after a SELECT of the
// group's row with that locking clause. Either way the whole is retried by
// retry.
func (db *DB) idsInGroup(ctx context.Context, lock, groupID string, ids []string, stmt string, args ...any) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	got := make(map[string]bool, len(ids))
	args = append([]any{groupID, record.Sorted(ids)}, args...)
	var err error
	if lock == "" {
		err = retry(ctx, func() error {
			clear(got)
			rows, _ := db.pool.Query(ctx, stmt, args...)
			return collectIDs(rows, got)
		})
	} else {
		err = db.batch(ctx, func(b *pgx.Batch) {
			b.Queue(`SELECT FROM groups WHERE id = $1`+lock, groupID)
			b.Queue(stmt, args...)
		}, func(br pgx.BatchResults) error {
			clear(got)
			if _, err := br.Exec(); err != nil {
				return err
			}
			rows, _ := br.Query()
			return collectIDs(rows, got)
		})
	}
	if err != nil {
		return nil, err
	}
	return record.InOrder(ids, got), nil
}
