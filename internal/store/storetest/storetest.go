// Package storetest is the one conformance suite that every Hearth store
// runs. It owns the behaviours a store must have, written once against the
// domain Store interfaces, so that the SQLite and PostgreSQL stores cannot
// drift apart. A store's own tests call [Run] with an [Opener]:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(tb testing.TB) (storetest.Store, func() storetest.Store) {
//			path := filepath.Join(tb.TempDir(), "hearth.db")
//			db := open(tb, path) // opens, and closes at tb.Cleanup
//			return db, func() storetest.Store { db.Close(); db = open(tb, path); return db }
//		})
//	}
//
// and its benchmarks call the Bench functions with the same Opener.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/store"
)

// Store is every domain storage interface a Hearth store implements:
// [store.Store].
type Store = store.Store

// Opener opens a new, empty store for one test or benchmark, which the
// Opener arranges to close when tb ends (tb.Cleanup). Stores from separate
// calls share no data, so tests using them may run in parallel.
//
// reopen closes the store most recently returned (s at first) and opens
// another over the same data, as a restarted process would, and returns it;
// it too is closed when tb ends, so closing a store twice must be harmless.
// reopen fails tb (tb.Fatal) when it cannot open.
type Opener func(tb testing.TB) (s Store, reopen func() Store)

// CreatedAtReader is implemented by stores that can report when an account
// was created, which [account.Store] cannot. For such stores the suite also
// checks that a re-import keeps the creation time.
type CreatedAtReader interface {
	AccountCreatedAt(ctx context.Context, id string) (int64, error)
}

// testCase is one behaviour: a subtest on a fresh store from the Opener.
type testCase struct {
	name string
	test func(t *testing.T, s Store, reopen func() Store)
}

// Run runs every behaviour in the suite as a parallel subtest of t, each on
// a fresh store from open.
func Run(t *testing.T, open Opener) {
	for _, suite := range []struct {
		name  string
		cases []testCase
	}{
		{"account", accountCases},
		{"group", groupCases},
		{"member", memberCases},
		{"membership", membershipCases},
		{"topic", topicCases},
		{"topic mute", topicMuteCases},
		{"permission group", permGroupCases},
		{"permission group member", permGroupMemberCases},
		{"permission group topic", permGroupTopicCases},
		{"message", messageCases},
		{"c2c message", c2cCases},
		{"message edit", editCases},
		{"message extension", extensionCases},
		{"read position", readCases},
		{"webhook outbox", webhookCases},
		{"ban", banCases},
		{"global mute and blocklist", restrictCases},
	} {
		t.Run(suite.name, func(t *testing.T) { runCases(t, open, suite.cases) })
	}
}

func runCases(t *testing.T, open Opener, cases []testCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, reopen := open(t)
			c.test(t, s, reopen)
		})
	}
}

// item returns a profile item whose value is the JSON text value.
func item(tag, value string) account.ProfileItem {
	return account.ProfileItem{Tag: tag, Value: []byte(value)}
}

// mustImport imports accounts created at createdAt, failing t on error.
func mustImport(t testing.TB, s Store, createdAt int64, accounts ...account.Import) {
	t.Helper()
	if err := s.ImportAccounts(t.Context(), accounts, createdAt); err != nil {
		t.Fatalf("ImportAccounts: %v", err)
	}
}

// profiles is the comparable form of GetProfiles' result: user ID to its
// items, each as "tag=value", in the order returned.
type profiles map[string][]string

func flatten(t testing.TB, got map[string]account.Profile) profiles {
	t.Helper()
	out := make(profiles, len(got))
	for id, p := range got {
		if p.UserID != id {
			t.Errorf("GetProfiles: profile under key %q has UserID %q", id, p.UserID)
		}
		items := []string{}
		for _, it := range p.Items {
			items = append(items, it.Tag+"="+string(it.Value))
		}
		out[id] = items
	}
	return out
}

// wantProfiles checks GetProfiles(ids, tags) against want, byte for byte and
// in order.
func wantProfiles(t testing.TB, s Store, ids, tags []string, want profiles) {
	t.Helper()
	got, err := s.GetProfiles(t.Context(), ids, tags)
	if err != nil {
		t.Fatalf("GetProfiles(%q, %q): %v", ids, tags, err)
	}
	if g := flatten(t, got); !reflect.DeepEqual(g, want) {
		t.Errorf("GetProfiles(%q, %q)\n got %q\nwant %q", ids, tags, g, want)
	}
}

// wantExisting checks that ExistingAccounts(ids) is exactly the IDs in want.
func wantExisting(t testing.TB, s Store, ids []string, want ...string) {
	t.Helper()
	got, err := s.ExistingAccounts(t.Context(), ids)
	if err != nil {
		t.Fatalf("ExistingAccounts(%q): %v", ids, err)
	}
	w := make(map[string]bool, len(want))
	for _, id := range want {
		w[id] = true
	}
	if !maps.Equal(got, w) {
		t.Errorf("ExistingAccounts(%q) = %v, want %v", ids, got, w)
	}
}

// wantSigNotBefore checks SigNotBefore(id).
func wantSigNotBefore(t testing.TB, s Store, id string, want int64) {
	t.Helper()
	got, err := s.SigNotBefore(t.Context(), id)
	if err != nil {
		t.Fatalf("SigNotBefore(%q): %v", id, err)
	}
	if got != want {
		t.Errorf("SigNotBefore(%q) = %d, want %d", id, got, want)
	}
}

// wantCreatedAt checks the creation time of id where s can report it.
func wantCreatedAt(t testing.TB, s Store, id string, want int64) {
	t.Helper()
	r, ok := s.(CreatedAtReader)
	if !ok {
		t.Logf("%T is no CreatedAtReader: creation time not checked", s)
		return
	}
	got, err := r.AccountCreatedAt(t.Context(), id)
	if err != nil {
		t.Fatalf("AccountCreatedAt(%q): %v", id, err)
	}
	if got != want {
		t.Errorf("AccountCreatedAt(%q) = %d, want %d", id, got, want)
	}
}

// userIDs returns n distinct user IDs starting with prefix.
func userIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return ids
}

// succeededAtOnce runs f(i) for i in [0, n) at once. Each must succeed or
// fail with refused (else it is reported as caller i); it returns how many
// succeeded.
func succeededAtOnce(t *testing.T, n int, refused error, caller string, f func(i int) error) int {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { errs[i] = f(i) })
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, refused):
			t.Errorf("%s %d: %v, want nil or %v", caller, i, err, refused)
		}
	}
	return ok
}

// wantOneCreate runs create(i) for i in [0, n) at once: n creates of one
// ID. Exactly one must succeed and the others fail with exists.
func wantOneCreate(t *testing.T, n int, exists error, create func(i int) error) {
	t.Helper()
	if winners := succeededAtOnce(t, n, exists, "creator", create); winners != 1 {
		t.Errorf("%d creates succeeded, want 1", winners)
	}
}

// raceCreates runs create(i) for i in [0, creators) at once: creates of
// distinct IDs against a limit that admits only some. Each must succeed or
// fail with tooMany, and exactly limit must succeed. It returns the IDs that
// create reported for those that did, in creator order.
func raceCreates(t *testing.T, creators, limit int, tooMany error, create func(i int) (id string, err error)) []string {
	t.Helper()
	var wg sync.WaitGroup
	created := make([]string, creators)
	for i := range creators {
		wg.Go(func() {
			id, err := create(i)
			switch {
			case err == nil:
				created[i] = id
			case !errors.Is(err, tooMany):
				t.Errorf("creator %d: %v, want nil or ErrTooMany", i, err)
			}
		})
	}
	wg.Wait()
	var want []string
	for _, id := range created {
		if id != "" {
			want = append(want, id)
		}
	}
	if len(want) != limit {
		t.Errorf("%d creates succeeded, want %d", len(want), limit)
	}
	return want
}

// wantList fails t when call answered err, and reports a got that is not
// want, element by element in order.
func wantList[T comparable](t testing.TB, call string, got []T, err error, want []T) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s = %+v, want %+v", call, got, want)
	}
}
