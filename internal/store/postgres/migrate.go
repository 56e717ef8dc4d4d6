package postgres

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

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

// migrationLockKey is the pg_advisory_xact_lock key that serialises
// migrations of schema (the empty string: the default search_path) across
// nodes starting at once, without serialising those of other schemas.
func migrationLockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("hearth/migrate/" + schema))
	return int64(h.Sum64())
}

// legacyVersions maps the versions that databases made before the version
// table had names recorded onto the current numbering: PostgreSQL lacked
// 0005 (topic_mutes_member_index, which SQLite alone needs), so its later
// files were one lower.
var legacyVersions = map[int]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 7, 7: 8, 8: 9}

// versionTable is the SQL of PostgreSQL's schema_migrations.
var versionTable = migration.Dialect{
	CreateTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     NOT NULL PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`,
	HasNames: `SELECT EXISTS (SELECT FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'schema_migrations' AND column_name = 'name')`,
	AddNames: []string{
		`ALTER TABLE schema_migrations ADD COLUMN name text NOT NULL DEFAULT ''`,
		`ALTER TABLE schema_migrations ALTER COLUMN name DROP DEFAULT`,
	},
	Renumber: `UPDATE schema_migrations SET version = $1, name = $2 WHERE version = $3`,
	Insert:   `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`,
}

// migrate creates schema if it is not empty and missing, then applies the
// migrations the database has not seen, all in one transaction holding the
// advisory lock, recording each in schema_migrations (see
// [migration.Apply]).
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()

	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey(schema)); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	if schema != "" {
		// Under the lock: concurrent CREATE SCHEMA IF NOT EXISTS can fail.
		q := pgx.Identifier{schema}.Sanitize()
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+q); err != nil {
			return fmt.Errorf("migrate: create schema %s: %w", q, err)
		}
		if _, err := tx.Exec(ctx, `SET LOCAL search_path TO `+q); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	// Migrations are run without arguments: pgx then sends them with the
	// simple protocol, which accepts several statements in one string.
	if err := migration.Apply(ctx, migrationTx{tx}, versionTable, ms, legacyVersions); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// migrationTx is a pgx.Tx as a [migration.Tx].
type migrationTx struct{ tx pgx.Tx }

func (t migrationTx) Exec(ctx context.Context, query string, args ...any) error {
	_, err := t.tx.Exec(ctx, query, args...)
	return err
}

func (t migrationTx) Query(ctx context.Context, query string, each func(scan func(dest ...any) error) error, args ...any) error {
	rows, _ := t.tx.Query(ctx, query, args...)
	defer rows.Close()
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
