package postgres

import "github.com/jackc/pgx/v5"

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
