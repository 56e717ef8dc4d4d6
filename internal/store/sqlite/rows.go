package sqlite

import (
	"context"
	"database/sql"
	"slices"
)

// rowsQuerier is a *sql.DB or *sql.Tx.
type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// eachRow calls fn for each row of rows and closes them.
func eachRow(rows *sql.Rows, fn func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(); err != nil {
			return err
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return rows.Err()
}

// collect scans each of rows into a fresh receiver R through dest, converts
// it with get, and returns the values in order; it closes rows.
func collect[R, T any](rows *sql.Rows, dest func(*R) []any, get func(*R) (T, error)) ([]T, error) {
	var out []T
	err := eachRow(rows, func() error {
		var r R
		if err := rows.Scan(dest(&r)...); err != nil {
			return err
		}
		v, err := get(&r)
		out = append(out, v)
		return err
	})
	return out, err
}

// queryAll runs query on q and collects its rows as collect does.
func queryAll[R, T any](ctx context.Context, q rowsQuerier, dest func(*R) []any, get func(*R) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, dest, get)
}

// collectIDs adds the single text column of each of rows to ids and closes
// rows.
func collectIDs(rows *sql.Rows, ids map[string]bool) error {
	return eachRow(rows, func() error {
		var id string
		err := rows.Scan(&id)
		ids[id] = true
		return err
	})
}

// noErr adapts a conversion that cannot fail to collect.
func noErr[R, T any](get func(*R) T) func(*R) (T, error) {
	return func(r *R) (T, error) { return get(r), nil }
}

// deref returns *p: the get of collect for rows scanned straight into T.
func deref[T any](p *T) (T, error) { return *p, nil }

// scalarDest returns the Scan destination of a row of one column.
func scalarDest[T any](p *T) []any { return []any{p} }

// queryIn runs a query over ids in chunks of at most maxIDsPerQuery, one
// query per chunk, and collects the rows of all as collect does. query
// returns the query's text given in, the chunk's placeholders; its
// arguments are args, then the chunk's IDs.
func queryIn[R, T any](ctx context.Context, q rowsQuerier, dest func(*R) []any, get func(*R) (T, error),
	ids []string, query func(in string) string, args ...any) ([]T, error) {
	var out []T
	for chunk := range slices.Chunk(ids, maxIDsPerQuery) {
		some, err := queryAll(ctx, q, dest, get, query(params(len(chunk))), append(slices.Clip(args), anys(chunk)...)...)
		if err != nil {
			return nil, err
		}
		out = append(out, some...)
	}
	return out, nil
}

// idsIn runs a query of one text column over ids as queryIn does and adds
// each value it selects to set.
func idsIn(ctx context.Context, q rowsQuerier, set map[string]bool, ids []string, query func(in string) string, args ...any) error {
	found, err := queryIn(ctx, q, scalarDest[string], deref[string], ids, query, args...)
	for _, id := range found {
		set[id] = true
	}
	return err
}
