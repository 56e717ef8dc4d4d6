package storetest

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/hearth-chat/hearth/internal/restrict"
)

func i64(v int64) *int64 { return &v }

func wantMute(t testing.TB, s Store, user string, want restrict.Mute) {
	t.Helper()
	if got, err := s.GlobalMute(t.Context(), user); err != nil || got != want {
		t.Errorf("GlobalMute(%q) = %+v, %v; want %+v", user, got, err, want)
	}
}

func wantBlocks(t testing.TB, s Store, owner string, offset, limit, total int, seq int64, want ...string) {
	t.Helper()
	page, n, gotSeq, err := s.Blocks(t.Context(), owner, offset, limit)
	var got []string
	for _, e := range page {
		got = append(got, e.User)
	}
	if err != nil || n != total || gotSeq != seq || !slices.Equal(got, want) {
		t.Errorf("Blocks(%q, %d, %d) = %q, total %d, seq %d, %v; want %q, total %d, seq %d", owner, offset, limit, got, n, gotSeq, err, want, total, seq)
	}
}

// restrictCases cover global mutes and blocklists.
var restrictCases = []testCase{
	{"deleting an account deletes its mute, its blocklist and its place in others'; imported again it starts clean", func(t *testing.T, s Store, _ func() Store) {
		mustAccounts(t, s, "ann", "ben", "cat")
		if err := s.SetGlobalMute(t.Context(), "ben", i64(restrict.Forever), i64(restrict.Forever)); err != nil {
			t.Fatal(err)
		}
		for _, owner := range []string{"ann", "ben"} {
			other := map[string]string{"ann": "ben", "ben": "cat"}[owner]
			if _, _, err := s.AddBlocks(t.Context(), owner, []string{other}, 10, 1000); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.DeleteAccounts(t.Context(), []string{"ben"}, 20); err != nil {
			t.Fatal(err)
		}
		mustAccounts(t, s, "ben")
		wantMute(t, s, "ben", restrict.Mute{})
		wantBlocks(t, s, "ben", 0, 10, 0, 0)
		if got, err := s.Blocking(t.Context(), "ann", []string{"ben"}); err != nil || got["ben"] {
			t.Errorf("ann's blocklist still holds the deleted ben: %v, %v", got, err)
		}
		if got, err := s.BlockedBy(t.Context(), "cat", []string{"ben"}); err != nil || got["ben"] {
			t.Errorf("the deleted ben's blocklist still holds cat: %v, %v", got, err)
		}
	}},
	{"a global mute sets only what is given, keeps the rest, and survives a restart", func(t *testing.T, s Store, reopen func() Store) {
		wantMute(t, s, "ann", restrict.Mute{}) // never set
		if err := s.SetGlobalMute(t.Context(), "ann", i64(100), nil); err != nil {
			t.Fatal(err)
		}
		wantMute(t, s, "ann", restrict.Mute{C2CUntil: 100})
		if err := s.SetGlobalMute(t.Context(), "ann", nil, i64(restrict.Forever)); err != nil {
			t.Fatal(err)
		}
		wantMute(t, s, "ann", restrict.Mute{C2CUntil: 100, GroupUntil: restrict.Forever})
		if err := s.SetGlobalMute(t.Context(), "ann", i64(0), nil); err != nil { // lifted
			t.Fatal(err)
		}
		wantMute(t, s, "ann", restrict.Mute{GroupUntil: restrict.Forever})
		wantMute(t, s, "ben", restrict.Mute{})
		s = reopen()
		wantMute(t, s, "ann", restrict.Mute{GroupUntil: restrict.Forever})
	}},
	{"adding and deleting are idempotent; the sequence moves only on a change", func(t *testing.T, s Store, reopen func() Store) {
		res, seq, err := s.AddBlocks(t.Context(), "ann", []string{"ben", "cat", "ben"}, 10, 1000)
		if want := map[string]restrict.AddResult{"ben": restrict.Added, "cat": restrict.Added}; err != nil || seq != 1 || !maps.Equal(res, want) {
			t.Fatalf("AddBlocks = %v, %d, %v; want %v, 1", res, seq, err, want)
		}
		res, seq, err = s.AddBlocks(t.Context(), "ann", []string{"cat"}, 20, 1000)
		if want := map[string]restrict.AddResult{"cat": restrict.Already}; err != nil || seq != 1 || !maps.Equal(res, want) {
			t.Fatalf("AddBlocks again = %v, %d, %v; want %v, seq still 1", res, seq, err, want)
		}
		wantBlocks(t, s, "ann", 0, 10, 2, 1, "ben", "cat") // cat keeps its first time
		removed, err := s.DeleteBlocks(t.Context(), "ann", []string{"dan", "cat", "cat"})
		if err != nil || !slices.Equal(removed, []string{"cat"}) {
			t.Fatalf("DeleteBlocks = %q, %v; want [cat]", removed, err)
		}
		if removed, err := s.DeleteBlocks(t.Context(), "ann", []string{"cat"}); err != nil || len(removed) != 0 {
			t.Fatalf("DeleteBlocks again = %q, %v; want none", removed, err)
		}
		s = reopen()
		wantBlocks(t, s, "ann", 0, 10, 1, 2, "ben")
		wantBlocks(t, s, "nobody", 0, 10, 0, 0)
	}},
	{"pages are oldest first, ties by UserID", func(t *testing.T, s Store, _ func() Store) {
		for i, u := range []string{"e", "d", "c"} {
			if _, _, err := s.AddBlocks(t.Context(), "o", []string{u}, int64(100+i), 1000); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := s.AddBlocks(t.Context(), "o", []string{"b", "a"}, 50, 1000); err != nil {
			t.Fatal(err)
		}
		wantBlocks(t, s, "o", 0, 2, 5, 4, "a", "b")
		wantBlocks(t, s, "o", 2, 2, 5, 4, "e", "d")
		wantBlocks(t, s, "o", 4, 2, 5, 4, "c")
		wantBlocks(t, s, "o", 5, 2, 5, 4)
		page, _, _, _ := s.Blocks(t.Context(), "o", 0, 1)
		if len(page) != 1 || page[0].AddedAt != 50 {
			t.Errorf("first entry %+v, want a at 50", page)
		}
	}},
	{"the size limit holds, also for concurrent adds", func(t *testing.T, s Store, _ func() Store) {
		res, _, err := s.AddBlocks(t.Context(), "o", []string{"a", "b", "c"}, 1, 2)
		if want := map[string]restrict.AddResult{"a": restrict.Added, "b": restrict.Added, "c": restrict.Full}; err != nil || !maps.Equal(res, want) {
			t.Fatalf("AddBlocks = %v, %v; want %v", res, err, want)
		}
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				if _, _, err := s.AddBlocks(t.Context(), "p", []string{fmt.Sprint("u", i), fmt.Sprint("v", i)}, 1, 5); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if _, n, _, err := s.Blocks(t.Context(), "p", 0, 100); err != nil || n != 5 {
			t.Errorf("after concurrent adds the list holds %d, %v; want 5", n, err)
		}
	}},
	{"blocking is asked in both directions", func(t *testing.T, s Store, _ func() Store) {
		mustBlock := func(owner string, users ...string) {
			if _, _, err := s.AddBlocks(t.Context(), owner, users, 1, 1000); err != nil {
				t.Fatal(err)
			}
		}
		mustBlock("a", "b", "c")
		mustBlock("b", "a")
		mustBlock("d", "a")
		got, err := s.Blocking(t.Context(), "a", []string{"b", "c", "d", "x"})
		if want := map[string]bool{"b": true, "c": true}; err != nil || !maps.Equal(got, want) {
			t.Errorf("Blocking(a) = %v, %v; want %v", got, err, want)
		}
		got, err = s.BlockedBy(t.Context(), "a", []string{"b", "c", "d", "x"})
		if want := map[string]bool{"b": true, "d": true}; err != nil || !maps.Equal(got, want) {
			t.Errorf("BlockedBy(a) = %v, %v; want %v", got, err, want)
		}
		if got, err := s.Blocking(t.Context(), "a", nil); err != nil || len(got) != 0 {
			t.Errorf("Blocking(a, none) = %v, %v", got, err)
		}
	}},
}
