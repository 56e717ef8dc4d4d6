package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/hearth-chat/hearth/internal/store/migration"
)

// TestMigrateUpgradesVersionsOnly opens databases that the code before
// schema_migrations had names made: a table of versions and applied_at, with
// none, some or all migrations applied (SQLite's numbering then was the one
// both stores share now). Open must apply only the missing migrations,
// record every one under its name, and keep when the old ones were applied.
func TestMigrateUpgradesVersionsOnly(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	const oldTime = 1000 // applied_at of the migrations applied before
	// None, some, and all the migrations a database of the old numbering
	// could have.
	for _, applied := range []int{0, 4, 5, len(legacyVersions)} {
		t.Run(fmt.Sprint(applied, " applied"), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hearth.db")
			legacyMigrate(t, path, ms[:applied], oldTime)
			for range 2 { // the upgrade, then a plain open
				db := mustOpen(t, path)
				rows, err := db.read.QueryContext(t.Context(), `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
				if err != nil {
					t.Fatal(err)
				}
				var got []migration.Applied
				err = eachRow(rows, func() error {
					var (
						a  migration.Applied
						at int64
					)
					err := rows.Scan(&a.Version, &a.Name, &at)
					if old := a.Version <= applied; old != (at == oldTime) {
						t.Errorf("migration %d applied at %d; applied before the upgrade: %v", a.Version, at, old)
					}
					got = append(got, a)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				wantApplied(t, got, ms)
				if _, err := db.DeleteAccounts(t.Context(), []string{"nobody"}, 1); err != nil { // the newest tables are there
					t.Fatal(err)
				}
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// legacyMigrate migrates the database at path as the code before names did:
// ms applied in order, each recorded by version at applied_at at.
func legacyMigrate(t *testing.T, path string, ms []migration.Migration, at int64) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if _, err := db.ExecContext(t.Context(), m.SQL); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if _, err := db.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, m.Version, at); err != nil {
			t.Fatal(err)
		}
	}
}

// wantApplied checks that got records exactly ms, by version and name.
func wantApplied(t *testing.T, got []migration.Applied, ms []migration.Migration) {
	t.Helper()
	if len(got) != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", len(got), len(ms))
	}
	for i := range min(len(got), len(ms)) {
		if got[i].Version != ms[i].Version || got[i].Name != ms[i].Name {
			t.Errorf("schema_migrations row %d = %d %s, want %d %s", i, got[i].Version, got[i].Name, ms[i].Version, ms[i].Name)
		}
	}
}
