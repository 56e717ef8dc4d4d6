package sqlite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/store/storetest"
)

// open is the storetest.Opener for SQLite: a database file in a fresh
// temporary directory.
func open(tb testing.TB) (storetest.Store, func() storetest.Store) {
	path := filepath.Join(tb.TempDir(), "hearth.db")
	db := mustOpen(tb, path)
	return db, func() storetest.Store {
		if err := db.Close(); err != nil {
			tb.Fatal(err)
		}
		db = mustOpen(tb, path)
		return db
	}
}

func mustOpen(tb testing.TB, path string, opts ...Option) *DB {
	tb.Helper()
	db, err := Open(tb.Context(), path, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, open)
}

// BenchmarkStore runs the suite's benchmarks (storetest.Bench), one
// sub-benchmark each: BenchmarkStore/UserGrants and so on.
func BenchmarkStore(b *testing.B) { storetest.Bench(b, open) }

// TestOpenSettings checks the connection settings Open promises, on the
// writer and on a reader.
func TestOpenSettings(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     []Option
		wantSync int // PRAGMA synchronous: 1 NORMAL, 2 FULL
	}{
		{"default", nil, 1},
		{"synchronous full", []Option{WithSynchronousFull()}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Parent directories that do not exist yet, with characters
			// that mean something in a URI.
			path := filepath.Join(t.TempDir(), "a b#?%", "c", "hearth.db")
			db := mustOpen(t, path, tc.opts...)
			if _, err := os.Stat(path); err != nil {
				t.Errorf("database file: %v", err)
			}
			ctx := t.Context()
			for _, p := range []struct {
				pragma string
				want   string
			}{
				{"journal_mode", "wal"},
				{"foreign_keys", "1"},
				{"busy_timeout", "5000"},
				{"synchronous", string(rune('0' + tc.wantSync))},
				{"query_only", "0"},
			} {
				var got string
				if err := db.write.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != p.want {
					t.Errorf("writer: PRAGMA %s = %s, want %s", p.pragma, got, p.want)
				}
			}
			var queryOnly string
			if err := db.read.QueryRowContext(ctx, "PRAGMA query_only").Scan(&queryOnly); err != nil {
				t.Fatal(err)
			}
			if queryOnly != "1" {
				t.Errorf("reader: PRAGMA query_only = %s, want 1", queryOnly)
			}
			_, err := db.read.ExecContext(ctx, `INSERT INTO accounts (user_id, created_at) VALUES ('x', 1)`)
			if err == nil || !strings.Contains(err.Error(), "readonly") {
				t.Errorf("reader insert: err = %v, want a readonly error", err)
			}
		})
	}
}

// TestMigrationsApplyOnce checks that reopening applies no migration twice
// and records every embedded one.
func TestMigrationsApplyOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hearth.db")
	mustOpen(t, path).Close()
	db := mustOpen(t, path)
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var n, latest int
	err = db.read.QueryRowContext(t.Context(), `SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &latest)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || latest != ms[len(ms)-1].Version {
		t.Errorf("schema_migrations has %d rows up to %d, want %d up to %d", n, latest, len(ms), ms[len(ms)-1].Version)
	}
}

func TestOpenRejectsMemory(t *testing.T) {
	for _, path := range []string{"", ":memory:"} {
		if db, err := Open(t.Context(), path); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}
