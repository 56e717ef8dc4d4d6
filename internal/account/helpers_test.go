package account_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/store/sqlite"
)

// testAdmin is the App admin of every test Service.
const testAdmin = "admin"

// clock is a settable clock for Service's now, in unix seconds.
type clock struct{ sec atomic.Int64 }

func newClock(sec int64) *clock {
	c := &clock{}
	c.sec.Store(sec)
	return c
}

func (c *clock) now() time.Time  { return time.Unix(c.sec.Load(), 0) }
func (c *clock) unix() int64     { return c.sec.Load() }
func (c *clock) advance(d int64) { c.sec.Add(d) }

// env is an account Service over a real SQLite store in a temp dir.
type env struct {
	db      *sqlite.DB
	svc     *account.Service
	clk     *clock
	changes *changeLog
}

// changeLog records the changes a service publishes.
type changeLog struct{ changes []event.Change }

func (l *changeLog) Publish(e event.Event) { l.changes = append(l.changes, e.Change) }

// start0 is the clock's first reading in every env.
const start0 = 1_700_000_000

func newEnv(t *testing.T) *env {
	t.Helper()
	db := openDB(t, filepath.Join(t.TempDir(), "hearth.db"))
	clk := newClock(start0)
	log := &changeLog{}
	return &env{db: db, svc: account.NewService(db, []string{testAdmin}, clk.now, account.WithChanges(log)), clk: clk, changes: log}
}

func openDB(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// mustImport imports accounts with no profile items.
func (e *env) mustImport(t *testing.T, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := e.svc.Import(context.Background(), account.NewAccount{UserID: id}); err != nil {
			t.Fatalf("Import(%q): %v", id, err)
		}
	}
}

// imported reports, for each id, whether account_check says it exists.
func (e *env) imported(t *testing.T, ids ...string) map[string]bool {
	t.Helper()
	res, err := e.svc.Check(context.Background(), ids)
	if err != nil {
		t.Fatalf("Check(%q): %v", ids, err)
	}
	out := make(map[string]bool, len(res))
	for _, r := range res {
		out[r.UserID] = r.Imported
	}
	return out
}

// wantCode fails t unless err carries code (0: err must be nil).
func wantCode(t *testing.T, what string, err error, code int) {
	t.Helper()
	if code == 0 {
		if err != nil {
			t.Fatalf("%s: unexpected error %v", what, err)
		}
		return
	}
	if err == nil {
		t.Fatalf("%s: no error, want code %d", what, code)
	}
	if got := apierr.CodeOf(err); got != code {
		t.Fatalf("%s: error %v has code %d, want %d", what, err, got, code)
	}
}

func ptr[T any](v T) *T { return &v }
