package postgres

import (
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-chat/hearth/internal/store/migration"
)

// TestMigrateUpgradesOldNumbering opens schemas that the code before the
// shared numbering made: a schema_migrations of versions and applied_at
// only, under PostgreSQL's numbering of then (no 0005; 0005 to 0008 were
// today's 0006 to 0009), with none, some or all of those migrations applied.
// Open must apply only the missing migrations (re-applying one fails: its
// tables exist), record every one under its current version and name, keep
// when the old ones were applied, and count the no-op 0005 as applied where
// an old migration after it was.
func TestMigrateUpgradesOldNumbering(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	oldVersion := make(map[int]int, len(legacyVersions)) // current → old
	for old, v := range legacyVersions {
		oldVersion[v] = old
	}
	var oldMs []migration.Migration // the old list, under its old versions
	for _, m := range ms {
		if old, ok := oldVersion[m.Version]; ok {
			m.Version = old
			oldMs = append(oldMs, m)
		}
	}
	oldTime := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, applied := range []int{0, 4, 5, len(oldMs)} {
		t.Run(fmt.Sprint(applied, " applied"), func(t *testing.T) {
			url, schema := testSchema(t)
			legacyMigrate(t, url, schema, oldMs[:applied], oldTime)
			for range 2 { // the upgrade, then a plain open
				db := mustOpen(t, url, schema)
				rows, _ := db.pool.Query(t.Context(), `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
				var (
					got []migration.Applied
					a   migration.Applied
					at  time.Time
				)
				_, err := pgx.ForEachRow(rows, []any{&a.Version, &a.Name, &at}, func() error {
					old, ok := oldVersion[a.Version]
					if before := ok && old <= applied; before != at.Equal(oldTime) {
						t.Errorf("migration %d applied at %v; applied before the upgrade: %v", a.Version, at, before)
					}
					got = append(got, a)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(ms) {
					t.Errorf("schema_migrations has %d rows, want %d", len(got), len(ms))
				}
				for i := range min(len(got), len(ms)) {
					if got[i].Version != ms[i].Version || got[i].Name != ms[i].Name {
						t.Errorf("schema_migrations row %d = %d %s, want %d %s", i, got[i].Version, got[i].Name, ms[i].Version, ms[i].Name)
					}
				}
				if _, err := db.DeleteAccounts(t.Context(), []string{"nobody"}, 1); err != nil { // the newest tables are there
					t.Fatal(err)
				}
				_ = db.Close()
			}
		})
	}
}

// legacyMigrate migrates schema as the code before the shared numbering
// did: ms applied in order, each recorded by version at applied_at at.
func legacyMigrate(t *testing.T, url, schema string, ms []migration.Migration, at time.Time) {
	t.Helper()
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	q := pgx.Identifier{schema}.Sanitize()
	for _, stmt := range []string{`CREATE SCHEMA ` + q, `SET search_path TO ` + q, `CREATE TABLE schema_migrations (
		version    integer     NOT NULL PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range ms {
		if _, err := conn.Exec(ctx, m.SQL); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, m.Version, at); err != nil {
			t.Fatal(err)
		}
	}
}
