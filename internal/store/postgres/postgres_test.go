package postgres

import (
	"context"
	"crypto/rand"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/hearth-chat/hearth/internal/store/storetest"
)

// testURLEnv names the environment variable with the URL of a PostgreSQL
// database the tests may create schemas in, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable
const testURLEnv = "HEARTH_TEST_POSTGRES"

// testURL returns the URL in testURLEnv, skipping tb when it is unset.
func testURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv(testURLEnv)
	if url == "" {
		tb.Skip(testURLEnv + " is unset: skipping PostgreSQL tests")
	}
	return url
}

// testSchema returns the URL from testURLEnv and the name of a fresh schema
// that is dropped when tb ends. It skips tb when testURLEnv is unset.
func testSchema(tb testing.TB) (url, schema string) {
	tb.Helper()
	url = testURL(tb)
	schema = "hearth_test_" + rand.Text()[:12]
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return url, schema
}

// mustOpen opens the store in schema, closed when tb ends (registered after
// testSchema's cleanup, so it runs before the schema is dropped).
func mustOpen(tb testing.TB, url, schema string) *DB {
	tb.Helper()
	db, err := Open(tb.Context(), url, WithSchema(schema))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

// open is the storetest.Opener for PostgreSQL: a fresh schema per test.
func open(tb testing.TB) (storetest.Store, func() storetest.Store) {
	url, schema := testSchema(tb)
	db := mustOpen(tb, url, schema)
	return db, func() storetest.Store {
		_ = db.Close()
		db = mustOpen(tb, url, schema)
		return db
	}
}

func TestStore(t *testing.T) {
	testURL(t) // skip once, not in every case
	storetest.Run(t, open)
}

// BenchmarkStore runs the suite's benchmarks (storetest.Bench), one
// sub-benchmark each: BenchmarkStore/UserGrants and so on.
func BenchmarkStore(b *testing.B) { storetest.Bench(b, open) }

// TestConcurrentOpen checks that nodes starting at once on one empty schema
// all succeed: the advisory lock serialises schema creation and migrations.
func TestConcurrentOpen(t *testing.T) {
	url, schema := testSchema(t)
	const nodes = 4
	dbs := make([]*DB, nodes)
	var g errgroup.Group
	for i := range dbs {
		g.Go(func() error {
			db, err := Open(t.Context(), url, WithSchema(schema))
			dbs[i] = db
			return err
		})
	}
	err := g.Wait()
	for _, db := range dbs {
		if db != nil {
			t.Cleanup(func() { _ = db.Close() })
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := dbs[0].pool.QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", n, len(ms))
	}
}

// TestSchemaIsolation checks that WithSchema keeps stores apart.
func TestSchemaIsolation(t *testing.T) {
	url, schemaA := testSchema(t)
	_, schemaB := testSchema(t)
	a, b := mustOpen(t, url, schemaA), mustOpen(t, url, schemaB)
	if err := a.ImportAccounts(t.Context(), nil, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := a.pool.Exec(t.Context(), `INSERT INTO accounts (user_id, created_at) VALUES ('alice', 1)`); err != nil {
		t.Fatal(err)
	}
	got, err := b.ExistingAccounts(t.Context(), []string{"alice"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("schema %s sees schema %s's account: %v", schemaB, schemaA, got)
	}
}
