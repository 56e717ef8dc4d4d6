package group_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/store/sqlite"
)

// start0 is the clock's first reading in every env, in unix seconds.
const start0 = 1_700_000_000

// env is a group Service over a real SQLite store in a temp dir, with a
// settable clock.
type env struct {
	db  *sqlite.DB
	svc *group.Service
	sec atomic.Int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "hearth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	e := &env{db: db}
	e.sec.Store(start0)
	e.svc = group.NewService(db, db, nil, e.now)
	return e
}

func (e *env) now() time.Time  { return time.Unix(e.sec.Load(), 0) }
func (e *env) unix() int64     { return e.sec.Load() }
func (e *env) advance(d int64) { e.sec.Add(d) }

// users imports accounts directly in the store.
func (e *env) users(t *testing.T, ids ...string) {
	t.Helper()
	imports := make([]account.Import, len(ids))
	for i, id := range ids {
		imports[i] = account.Import{UserID: id}
	}
	if err := e.db.ImportAccounts(context.Background(), imports, start0); err != nil {
		t.Fatal(err)
	}
}

// create makes a group, failing t on error.
func (e *env) create(t *testing.T, req group.CreateRequest) string {
	t.Helper()
	if req.Name == "" {
		req.Name = "g"
	}
	id, err := e.svc.Create(context.Background(), req)
	if err != nil {
		t.Fatalf("Create(%+v): %v", req, err)
	}
	return id
}

// get returns a group from the store (not the Service's cache).
func (e *env) get(t *testing.T, id string) group.Group {
	t.Helper()
	g, err := e.db.GetGroup(context.Background(), id)
	if err != nil {
		t.Fatalf("GetGroup(%q): %v", id, err)
	}
	return g
}

// roles returns each user's role in the group ("NotMember" outside it).
func (e *env) roles(t *testing.T, groupID string, ids ...string) map[string]string {
	t.Helper()
	got, err := e.svc.Roles(context.Background(), groupID, ids)
	if err != nil {
		t.Fatalf("Roles(%q, %q): %v", groupID, ids, err)
	}
	out := make(map[string]string, len(ids))
	for i, id := range ids {
		out[id] = got[i]
	}
	return out
}

// groupCount returns how many groups the app has.
func (e *env) groupCount(t *testing.T) int {
	t.Helper()
	_, _, total, err := e.svc.List(context.Background(), "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return total
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

// ids returns n distinct UserIDs starting with prefix.
func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%04d", prefix, i)
	}
	return out
}

// kvs returns n custom fields with keys k0.. and values of valueBytes bytes.
func kvs(n, valueBytes int) []group.KV {
	out := make([]group.KV, n)
	for i := range out {
		v := make([]byte, valueBytes)
		for j := range v {
			v[j] = 'v'
		}
		out[i] = group.KV{Key: fmt.Sprintf("k%d", i), Value: string(v)}
	}
	return out
}

func ptr[T any](v T) *T { return &v }
