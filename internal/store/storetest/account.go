package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/hearth-chat/hearth/internal/account"
)

// Profile tags used by the cases.
const (
	nick   = "Tag_Profile_IM_Nick"
	gender = "Tag_Profile_IM_Gender"
	level  = "Tag_Profile_IM_Level"
)

var accountCases = []testCase{
	{"import creates accounts with their profiles", func(t *testing.T, s Store, _ func() Store) {
		mustImport(t, s, 100,
			account.Import{UserID: "alice", Profile: []account.ProfileItem{item(nick, `"Alice"`), item(level, `7`)}},
			account.Import{UserID: "bob"})
		wantExisting(t, s, []string{"alice", "bob", "carol"}, "alice", "bob")
		wantProfiles(t, s, []string{"alice", "bob"}, nil, profiles{
			"alice": {level + "=7", nick + `="Alice"`},
			"bob":   {},
		})
		wantCreatedAt(t, s, "alice", 100)
		wantSigNotBefore(t, s, "alice", 0)
	}},
	{"re-import keeps creation time, revocation and other items, and updates given items", func(t *testing.T, s Store, _ func() Store) {
		mustImport(t, s, 100, account.Import{UserID: "alice", Profile: []account.ProfileItem{
			item(nick, `"Alice"`), item(level, `7`)}})
		if err := s.SetSigNotBefore(t.Context(), "alice", 150); err != nil {
			t.Fatal(err)
		}
		mustImport(t, s, 200, account.Import{UserID: "alice", Profile: []account.ProfileItem{
			item(nick, `"Alice B."`), item(gender, `"Gender_Type_Female"`)}})
		wantCreatedAt(t, s, "alice", 100)
		wantSigNotBefore(t, s, "alice", 150)
		wantProfiles(t, s, []string{"alice"}, nil, profiles{
			"alice": {gender + `="Gender_Type_Female"`, level + "=7", nick + `="Alice B."`},
		})
	}},
	{"import of 100 accounts in one call", func(t *testing.T, s Store, _ func() Store) {
		ids := userIDs("user", account.MaxBatch)
		var imports []account.Import
		want := profiles{}
		for i, id := range ids {
			imports = append(imports, account.Import{UserID: id, Profile: []account.ProfileItem{
				item(nick, fmt.Sprintf(`"N%d"`, i)), item(level, fmt.Sprint(i))}})
			want[id] = []string{fmt.Sprintf("%s=%d", level, i), fmt.Sprintf(`%s="N%d"`, nick, i)}
		}
		mustImport(t, s, 100, imports...)
		wantExisting(t, s, append(ids, "nobody"), ids...)
		wantProfiles(t, s, ids, nil, want)
	}},
	{"duplicates inside one import: the last account and the last item win", func(t *testing.T, s Store, _ func() Store) {
		mustImport(t, s, 100,
			account.Import{UserID: "alice", Profile: []account.ProfileItem{item(nick, `"one"`), item(level, `1`)}},
			account.Import{UserID: "bob", Profile: []account.ProfileItem{item(nick, `"bob"`)}},
			account.Import{UserID: "alice", Profile: []account.ProfileItem{item(nick, `"two"`), item(nick, `"three"`)}})
		wantExisting(t, s, []string{"alice", "bob"}, "alice", "bob")
		wantProfiles(t, s, []string{"alice", "bob"}, nil, profiles{
			"alice": {level + "=1", nick + `="three"`},
			"bob":   {nick + `="bob"`},
		})
	}},
	{"empty inputs do nothing", func(t *testing.T, s Store, _ func() Store) {
		ctx := t.Context()
		if err := s.ImportAccounts(ctx, nil, 100); err != nil {
			t.Errorf("ImportAccounts(nil): %v", err)
		}
		if deleted, err := s.DeleteAccounts(ctx, nil, 1000); err != nil || len(deleted) != 0 {
			t.Errorf("DeleteAccounts(nil) = %q, %v; want none", deleted, err)
		}
		wantExisting(t, s, nil)
		wantProfiles(t, s, nil, nil, profiles{})
	}},
	{"delete returns the accounts that existed, each once", func(t *testing.T, s Store, _ func() Store) {
		mustImport(t, s, 100, account.Import{UserID: "alice"}, account.Import{UserID: "bob"}, account.Import{UserID: "carol"})
		deleted, err := s.DeleteAccounts(t.Context(), []string{"carol", "nobody", "alice", "carol"}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(deleted)
		if want := []string{"alice", "carol"}; !slices.Equal(deleted, want) {
			t.Errorf("DeleteAccounts = %q, want %q", deleted, want)
		}
		wantExisting(t, s, []string{"alice", "bob", "carol"}, "bob")
		if deleted, err := s.DeleteAccounts(t.Context(), []string{"alice"}, 1000); err != nil || len(deleted) != 0 {
			t.Errorf("second DeleteAccounts = %q, %v; want none", deleted, err)
		}
	}},
	{"delete removes the profile; its revocation outlives the account and a re-import", func(t *testing.T, s Store, reopen func() Store) {
		mustImport(t, s, 100, account.Import{UserID: "alice", Profile: []account.ProfileItem{item(nick, `"Alice"`)}})
		if err := s.SetSigNotBefore(t.Context(), "alice", 150); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeleteAccounts(t.Context(), []string{"alice"}, 200); err != nil {
			t.Fatal(err)
		}
		wantProfiles(t, s, []string{"alice"}, nil, profiles{})
		wantSigNotBefore(t, s, "alice", 200)
		mustImport(t, s, 300, account.Import{UserID: "alice"})
		wantProfiles(t, s, []string{"alice"}, nil, profiles{"alice": {}})
		wantSigNotBefore(t, s, "alice", 200)
		wantCreatedAt(t, s, "alice", 300)
		// A later kick wins; a second deletion at an earlier time does not
		// move the revocation back.
		if err := s.SetSigNotBefore(t.Context(), "alice", 400); err != nil {
			t.Fatal(err)
		}
		wantSigNotBefore(t, s, "alice", 400)
		if _, err := s.DeleteAccounts(t.Context(), []string{"alice"}, 50); err != nil {
			t.Fatal(err)
		}
		s = reopen()
		wantSigNotBefore(t, s, "alice", 200)
		// Deleting an account that does not exist records nothing.
		if _, err := s.DeleteAccounts(t.Context(), []string{"nobody"}, 500); err != nil {
			t.Fatal(err)
		}
		wantSigNotBefore(t, s, "nobody", 0)
	}},
	{"existing accounts is the subset that exists", func(t *testing.T, s Store, _ func() Store) {
		mustImport(t, s, 100, account.Import{UserID: "alice"}, account.Import{UserID: "bob"})
		wantExisting(t, s, []string{"nobody"})
		wantExisting(t, s, []string{"bob", "nobody", "bob", "Alice"}, "bob")
		wantExisting(t, s, []string{"alice", "bob"}, "alice", "bob")
	}},
	{"sig not before is 0 until set, then the value set", func(t *testing.T, s Store, _ func() Store) {
		mustImport(t, s, 100, account.Import{UserID: "alice"}, account.Import{UserID: "bob"})
		wantSigNotBefore(t, s, "alice", 0)
		for _, ts := range []int64{1_700_000_000, 1_800_000_000, 5} {
			if err := s.SetSigNotBefore(t.Context(), "alice", ts); err != nil {
				t.Fatal(err)
			}
			wantSigNotBefore(t, s, "alice", ts)
		}
		wantSigNotBefore(t, s, "bob", 0)
	}},
	{"sig not before of an unknown account: set is ErrNotFound, get is 0", func(t *testing.T, s Store, _ func() Store) {
		err := s.SetSigNotBefore(t.Context(), "nobody", 100)
		if !errors.Is(err, account.ErrNotFound) {
			t.Errorf("SetSigNotBefore(unknown) = %v, want ErrNotFound", err)
		}
		wantSigNotBefore(t, s, "nobody", 0)
		wantExisting(t, s, []string{"nobody"})
	}},
	{"set profile upserts items and keeps the others", func(t *testing.T, s Store, _ func() Store) {
		mustImport(t, s, 100, account.Import{UserID: "alice", Profile: []account.ProfileItem{
			item(nick, `"Alice"`), item(level, `7`)}})
		err := s.SetProfile(t.Context(), "alice", []account.ProfileItem{
			item(nick, `"x"`), item(gender, `"Gender_Type_Female"`), item(nick, `"Alice B."`)})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetProfile(t.Context(), "alice", nil); err != nil {
			t.Errorf("SetProfile(alice, no items): %v", err)
		}
		wantProfiles(t, s, []string{"alice"}, nil, profiles{
			"alice": {gender + `="Gender_Type_Female"`, level + "=7", nick + `="Alice B."`},
		})
	}},
	{"set profile of an unknown account is ErrNotFound and writes nothing", func(t *testing.T, s Store, _ func() Store) {
		for _, items := range [][]account.ProfileItem{{item(nick, `"ghost"`)}, nil} {
			err := s.SetProfile(t.Context(), "nobody", items)
			if !errors.Is(err, account.ErrNotFound) {
				t.Errorf("SetProfile(unknown, %d items) = %v, want ErrNotFound", len(items), err)
			}
		}
		wantExisting(t, s, []string{"nobody"})
		mustImport(t, s, 100, account.Import{UserID: "nobody"})
		wantProfiles(t, s, []string{"nobody"}, nil, profiles{"nobody": {}})
	}},
	{"get profiles filters by tag, in tag byte order, and omits unknown accounts", func(t *testing.T, s Store, _ func() Store) {
		// Byte order differs from most locales' order for these.
		tags := []string{nick, "Tag_Profile_Custom_b", "Tag_Profile_Custom_B", "Tag_Profile_Custom__", "Tag_Profile_Custom_a", gender}
		var items []account.ProfileItem
		for i, tag := range tags {
			items = append(items, item(tag, fmt.Sprint(i)))
		}
		mustImport(t, s, 100, account.Import{UserID: "alice", Profile: items}, account.Import{UserID: "bob",
			Profile: []account.ProfileItem{item(level, `3`)}})
		var all []string
		for _, tag := range slices.Sorted(slices.Values(tags)) {
			all = append(all, fmt.Sprintf("%s=%d", tag, slices.Index(tags, tag)))
		}
		wantProfiles(t, s, []string{"alice", "nobody"}, nil, profiles{"alice": all})
		wantProfiles(t, s, []string{"alice", "bob", "nobody"}, []string{nick, "Tag_Profile_Custom_a", "Tag_Profile_None"},
			profiles{"alice": {"Tag_Profile_Custom_a=4", nick + "=0"}, "bob": {}})
		wantProfiles(t, s, []string{"bob", "bob"}, []string{level}, profiles{"bob": {level + "=3"}})
		wantProfiles(t, s, []string{"nobody"}, []string{nick}, profiles{})
	}},
	{"profile values round-trip byte for byte", func(t *testing.T, s Store, _ func() Store) {
		values := []string{
			`"你好，世界 🎉"`, `"\u4f60\u597d"`, `"a\"b\\c\n\t\u0000"`, `""`, `"  spaced  "`,
			`"<&>"`, `0`, `-1`, `1.50`, `1e3`, `9007199254740993`, `{"k": [1, 2]}`,
		}
		var items []account.ProfileItem
		var want []string
		for i, v := range values {
			tag := fmt.Sprintf("Tag_Profile_Custom_%02dé", i)
			items = append(items, item(tag, v))
			want = append(want, tag+"="+v)
		}
		mustImport(t, s, 100, account.Import{UserID: "alice", Profile: items[:6]})
		if err := s.SetProfile(t.Context(), "alice", items[6:]); err != nil {
			t.Fatal(err)
		}
		wantProfiles(t, s, []string{"alice"}, nil, profiles{"alice": want})
	}},
	{"concurrent writers lose no writes", testConcurrentWrites},
	{"a closed and reopened store keeps its data", func(t *testing.T, s Store, reopen func() Store) {
		mustImport(t, s, 100, account.Import{UserID: "alice", Profile: []account.ProfileItem{item(nick, `"Alice"`)}},
			account.Import{UserID: "bob"})
		if err := s.SetSigNotBefore(t.Context(), "alice", 150); err != nil {
			t.Fatal(err)
		}
		if err := s.SetProfile(t.Context(), "bob", []account.ProfileItem{item(level, `2`)}); err != nil {
			t.Fatal(err)
		}
		s = reopen()
		wantExisting(t, s, []string{"alice", "bob"}, "alice", "bob")
		wantSigNotBefore(t, s, "alice", 150)
		wantCreatedAt(t, s, "bob", 100)
		wantProfiles(t, s, []string{"alice", "bob"}, nil, profiles{
			"alice": {nick + `="Alice"`}, "bob": {level + "=2"},
		})
		s = reopen() // reopening twice works too
		wantExisting(t, s, []string{"alice"}, "alice")
	}},
	{"a cancelled context fails and writes nothing", func(t *testing.T, s Store, _ func() Store) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := s.ImportAccounts(ctx, []account.Import{{UserID: "alice"}}, 100); err == nil {
			t.Error("ImportAccounts with a cancelled context succeeded")
		}
		wantExisting(t, s, []string{"alice"})
	}},
}

// testConcurrentWrites runs importers, profile and revocation writers and
// readers at once; every write must land and no error (SQLITE_BUSY, a
// deadlock) may surface.
func testConcurrentWrites(t *testing.T, s Store, _ func() Store) {
	const (
		writers = 8
		calls   = 5
		perCall = 4
	)
	mustImport(t, s, 1, account.Import{UserID: "shared"})
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, writers*calls*4)
	for g := range writers {
		wg.Go(func() {
			custom := fmt.Sprintf("Tag_Profile_Custom_g%d", g)
			for c := range calls {
				ids := userIDs(fmt.Sprintf("w%d-c%d-", g, c), perCall)
				imports := []account.Import{{UserID: "shared", Profile: []account.ProfileItem{item(custom, fmt.Sprint(c))}}}
				for _, id := range ids {
					imports = append(imports, account.Import{UserID: id, Profile: []account.ProfileItem{item(nick, `"`+id+`"`)}})
				}
				errs <- s.ImportAccounts(ctx, imports, 100)
				errs <- s.SetProfile(ctx, ids[0], []account.ProfileItem{item(level, fmt.Sprint(g))})
				errs <- s.SetSigNotBefore(ctx, ids[1], int64(g))
				_, err := s.GetProfiles(ctx, append(ids, "shared"), nil)
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}

	var want []string
	for g := range writers {
		want = append(want, fmt.Sprintf("Tag_Profile_Custom_g%d=%d", g, calls-1))
	}
	wantProfiles(t, s, []string{"shared"}, nil, profiles{"shared": want})
	for g := range writers {
		for c := range calls {
			ids := userIDs(fmt.Sprintf("w%d-c%d-", g, c), perCall)
			wantExisting(t, s, ids, ids...)
			wantProfiles(t, s, ids[:1], nil, profiles{ids[0]: {fmt.Sprintf("%s=%d", level, g), nick + `="` + ids[0] + `"`}})
			wantSigNotBefore(t, s, ids[1], int64(g))
		}
	}
}
