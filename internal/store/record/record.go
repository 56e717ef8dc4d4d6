// Package record is the row mapping that the SQLite and PostgreSQL stores
// share: each table's column list, the arguments that write a domain value
// into those columns, the receivers that scan a row back into a domain
// value, the translation of "no row" into a domain's sentinel error, and
// the small ID-list helpers both stores use around their queries.
//
// It holds no SQL statements but column lists and no transactions: each
// store writes its own queries in its own dialect and runs them its own way
// (one group-committing writer on SQLite, batches and retries on
// PostgreSQL). Every type here scans with plain pointers (no reflection), so
// the stores' hot reads stay as fast as hand-written Scan calls. Values
// either driver accepts (sql.NullString, sql.Null[T]) stand for NULL.
package record

import (
	"database/sql"
	"errors"
	"strings"
)

// Columns returns names comma-separated, each prefixed with alias and a dot
// unless alias is "".
func Columns(alias string, names []string) string {
	if alias == "" {
		return strings.Join(names, ", ")
	}
	return alias + "." + strings.Join(names, ", "+alias+".")
}

// Select returns the start of a query over table, named alias unless alias
// is "": SELECT of columns (through Columns), then of each of extra as it
// is, FROM table. Each store appends its own WHERE and ORDER BY.
func Select(table, alias string, columns []string, extra ...string) string {
	from := table
	if alias != "" {
		from += " " + alias
	}
	return "SELECT " + strings.Join(append([]string{Columns(alias, columns)}, extra...), ", ") + " FROM " + from
}

// NoRows returns notFound when err says a query found no row (both drivers'
// "no rows" errors are sql.ErrNoRows), else err.
func NoRows(err, notFound error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound
	}
	return err
}

// Null returns *p as a valid sql.Null, or NULL when p is nil.
func Null[T any](p *T) sql.Null[T] {
	if p == nil {
		return sql.Null[T]{}
	}
	return sql.Null[T]{V: *p, Valid: true}
}

// NullBits returns *p as the signed integer with the same bits (how the
// stores keep uint64 bit sets), or NULL when p is nil.
func NullBits(p *uint64) sql.Null[int64] {
	if p == nil {
		return sql.Null[int64]{}
	}
	return sql.Null[int64]{V: int64(*p), Valid: true}
}

// NullString returns s, or NULL when s is empty.
func NullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}
