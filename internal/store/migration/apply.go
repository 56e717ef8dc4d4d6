package migration

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Both stores record what they applied in one version table,
// schema_migrations: each applied migration's version and name (its file
// name), with the time it was applied. A database records the same
// versions under the same names in either store: one numbering, in which
// a change one dialect does not need is a no-op file there.
//
// Databases made before the table had names recorded versions only, under
// each store's numbering of then (PostgreSQL lacked SQLite's 0005, so its
// later files were one lower). Apply upgrades such a table once: it adds
// the names and renumbers the recorded versions through the store's
// Legacy map, counting as applied every no-op that the old numbering
// lacked below the newest migration it had.

// Tx is the transaction Apply runs in: the store's own, which serialises
// concurrent migrations its own way, with its own placeholders in Dialect.
type Tx interface {
	// Exec runs one statement.
	Exec(ctx context.Context, query string, args ...any) error
	// Query runs a query and calls scan for each row, with a function
	// that scans the row's columns into dest.
	Query(ctx context.Context, query string, each func(scan func(dest ...any) error) error, args ...any) error
}

// Dialect is the SQL a store's version table takes.
type Dialect struct {
	// CreateTable creates schema_migrations with the columns version and
	// applied_at (the layout before names) unless the table exists.
	CreateTable string
	// HasNames selects one row and column: whether the table has the
	// column name (true or 1).
	HasNames string
	// AddNames adds the column name (text, not null) to the table; it may
	// be several statements.
	AddNames []string
	// Renumber sets version and name (the first two arguments) of the row
	// with version the third.
	Renumber string
	// Insert records a migration applied now: version, then name.
	Insert string
}

// Applied is a migration a database records as applied.
type Applied struct {
	Version int
	Name    string
}

// Apply brings the database of tx up to ms: it creates or upgrades the
// version table (old versions mapped by legacy, see above), checks that
// what the database records is a prefix of ms, and runs and records each
// migration after it, in order.
func Apply(ctx context.Context, tx Tx, d Dialect, ms []Migration, legacy map[int]int) error {
	if err := tx.Exec(ctx, d.CreateTable); err != nil {
		return err
	}
	var hasNames bool
	if err := tx.Query(ctx, d.HasNames, func(scan func(...any) error) error { return scan(&hasNames) }); err != nil {
		return err
	}
	if !hasNames {
		if err := upgrade(ctx, tx, d, ms, legacy); err != nil {
			return fmt.Errorf("version table: %w", err)
		}
	}
	var applied []Applied
	err := tx.Query(ctx, `SELECT version, name FROM schema_migrations ORDER BY version`, func(scan func(...any) error) error {
		var a Applied
		err := scan(&a.Version, &a.Name)
		applied = append(applied, a)
		return err
	})
	if err != nil {
		return err
	}
	pending, err := Pending(ms, applied)
	if err != nil {
		return err
	}
	for _, m := range pending {
		if err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
		if err := tx.Exec(ctx, d.Insert, m.Version, m.Name); err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
	}
	return nil
}

// upgrade adds names to a version table of versions only, renumbering its
// rows by legacy.
func upgrade(ctx context.Context, tx Tx, d Dialect, ms []Migration, legacy map[int]int) error {
	var old []int
	err := tx.Query(ctx, `SELECT version FROM schema_migrations ORDER BY version`, func(scan func(...any) error) error {
		var v int
		err := scan(&v)
		old = append(old, v)
		return err
	})
	if err != nil {
		return err
	}
	rs, err := Renumber(ms, old, legacy)
	if err != nil {
		return err
	}
	for _, q := range d.AddNames {
		if err := tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	// Highest first: a version only moves up, onto one already moved.
	for _, r := range slices.Backward(rs) {
		if r.Old == 0 {
			err = tx.Exec(ctx, d.Insert, r.Version, r.Name)
		} else {
			err = tx.Exec(ctx, d.Renumber, r.Version, r.Name, r.Old)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Renumbered is a migration a database recorded under an old numbering.
type Renumbered struct {
	Migration
	Old int // its old version; 0 for a no-op the old numbering lacked
}

// Renumber returns the migrations of ms that a database recording the old
// versions (in order) has applied: legacy maps each old version to its
// version in ms. Every migration of ms up to the newest mapped one must be
// mapped or be a no-op (which counts as applied).
func Renumber(ms []Migration, old []int, legacy map[int]int) ([]Renumbered, error) {
	from := make(map[int]int, len(old)) // new version → old
	newest := 0
	for _, v := range old {
		n, ok := legacy[v]
		if !ok {
			return nil, fmt.Errorf("database schema version %d is newer than this program's %d", v, ms[len(ms)-1].Version)
		}
		from[n] = v
		newest = max(newest, n)
	}
	var rs []Renumbered
	for _, m := range ms {
		if m.Version > newest {
			break
		}
		v, ok := from[m.Version]
		if !ok && !m.NoOp() {
			return nil, fmt.Errorf("database records migrations up to %d but not %s", newest, m.Name)
		}
		rs = append(rs, Renumbered{Migration: m, Old: v})
	}
	if len(rs) < len(from) {
		return nil, fmt.Errorf("database records versions %v, which do not map onto this program's migrations", old)
	}
	return rs, nil
}

// Pending returns the migrations of ms after those applied, which must be
// the first of ms, with the same versions and names.
func Pending(ms []Migration, applied []Applied) ([]Migration, error) {
	if len(applied) > len(ms) {
		last := applied[len(applied)-1]
		return nil, fmt.Errorf("database schema version %d is newer than this program's %d", last.Version, ms[len(ms)-1].Version)
	}
	for i, a := range applied {
		if m := ms[i]; a.Version != m.Version || a.Name != m.Name {
			return nil, fmt.Errorf("database records migration %d as %s where this program has %d, %s", a.Version, a.Name, m.Version, m.Name)
		}
	}
	return ms[len(applied):], nil
}

// NoOp reports whether m changes nothing: its SQL is only comments (which
// say why this dialect needs nothing) and white space.
func (m Migration) NoOp() bool {
	for line := range strings.Lines(m.SQL) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "--") {
			return false
		}
	}
	return true
}
