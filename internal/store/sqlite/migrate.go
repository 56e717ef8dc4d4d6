package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"github.com/hearth-chat/hearth/internal/store/migration"
)

// migrationFiles holds the schema, one file per step, named
// NNNN_description.sql and applied in version order. A released file never
// changes: a schema change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations returns the embedded migrations in version order.
func migrations() ([]migration.Migration, error) {
	return migration.Load(migrationFiles, "migrations")
}

// legacyVersions maps the versions that databases made before the version
// table had names recorded onto the current numbering: SQLite's numbering
// was already the one both stores share.
var legacyVersions = map[int]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 9}

// versionTable is the SQL of SQLite's schema_migrations (applied_at in unix
// seconds).
var versionTable = migration.Dialect{
	CreateTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`,
	HasNames: `SELECT count(*) > 0 FROM pragma_table_info('schema_migrations') WHERE name = 'name'`,
	// SQLite adds a NOT NULL column only with a default; every row gets
	// its name at once.
	AddNames: []string{`ALTER TABLE schema_migrations ADD COLUMN name TEXT NOT NULL DEFAULT ''`},
	Renumber: `UPDATE schema_migrations SET version = ?, name = ? WHERE version = ?`,
	Insert:   `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, unixepoch())`,
}

// migrate applies the migrations that the database has not seen, all in one
// write transaction, and records each in schema_migrations (see
// [migration.Apply]). BEGIN IMMEDIATE serialises processes opening the same
// file at once.
func migrate(ctx context.Context, db *sql.DB) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := migration.Apply(ctx, migrationTx{tx}, versionTable, ms, legacyVersions); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// migrationTx is a *sql.Tx as a [migration.Tx].
type migrationTx struct{ tx *sql.Tx }

func (t migrationTx) Exec(ctx context.Context, query string, args ...any) error {
	_, err := t.tx.ExecContext(ctx, query, args...)
	return err
}

func (t migrationTx) Query(ctx context.Context, query string, each func(scan func(dest ...any) error) error, args ...any) error {
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	return eachRow(rows, func() error { return each(rows.Scan) })
}
