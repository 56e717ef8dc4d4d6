package account_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/event"
)

// ids returns n distinct valid UserIDs starting with prefix.
func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return out
}

// nickOf returns the stored nickname of id, and whether it has one.
func nickOf(t *testing.T, e *env, id string) (string, bool) {
	t.Helper()
	res, _, err := e.svc.GetProfiles(context.Background(), []string{id}, []string{account.TagNick})
	if err != nil {
		t.Fatalf("GetProfiles(%q): %v", id, err)
	}
	for _, it := range res[0].Items {
		if it.Tag == account.TagNick {
			return string(it.Value), true
		}
	}
	return "", false
}

func TestImport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	long := strings.Repeat("n", account.MaxProfileValueBytes+1)
	limit := strings.Repeat("n", account.MaxProfileValueBytes)
	for _, c := range []struct {
		name string
		a    account.NewAccount
		code int
	}{
		{"plain account", account.NewAccount{UserID: "plain"}, 0},
		{"with nick and face URL", account.NewAccount{UserID: "nicked", Nick: ptr("Nick"), FaceURL: ptr("http://x/y.png")}, 0},
		{"nick at the byte limit", account.NewAccount{UserID: "nicklimit", Nick: ptr(limit)}, 0},
		{"nick over the byte limit", account.NewAccount{UserID: "nicklong", Nick: ptr(long)}, apierr.ProfileValueTooLong},
		{"face URL at the byte limit", account.NewAccount{UserID: "facelimit", FaceURL: ptr(limit)}, 0},
		{"face URL over the byte limit", account.NewAccount{UserID: "facelong", FaceURL: ptr(long)}, apierr.ProfileValueTooLong},
		{"nick limit counts bytes, not characters", account.NewAccount{UserID: "nickutf8", Nick: ptr(strings.Repeat("\u20ac", account.MaxProfileValueBytes/3+1))}, apierr.ProfileValueTooLong},
		{"empty UserID", account.NewAccount{UserID: ""}, apierr.AccountBadParam},
		{"UserID over 32 bytes", account.NewAccount{UserID: strings.Repeat("u", 33)}, apierr.AccountBadParam},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, "Import", e.svc.Import(ctx, c.a), c.code)
			if c.a.UserID == "" || len(c.a.UserID) > account.MaxUserIDBytes {
				return
			}
			if got := e.imported(t, c.a.UserID)[c.a.UserID]; got != (c.code == 0) {
				t.Errorf("after Import (code %d) account_check says imported=%v", c.code, got)
			}
		})
	}
}

// TestReimport checks that importing an existing account updates the
// nickname and face URL it names and keeps the rest.
func TestReimport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	wantCode(t, "Import", e.svc.Import(ctx, account.NewAccount{UserID: "u", Nick: ptr("first")}), 0)
	wantCode(t, "SetProfile", e.svc.SetProfile(ctx, "u", []account.ProfileItem{{Tag: "Tag_Profile_IM_Location", Value: []byte(`"here"`)}}), 0)

	wantCode(t, "re-Import without nick", e.svc.Import(ctx, account.NewAccount{UserID: "u"}), 0)
	if nick, _ := nickOf(t, e, "u"); nick != `"first"` {
		t.Errorf("a re-import without Nick changed the nick to %s", nick)
	}
	wantCode(t, "re-Import with nick", e.svc.Import(ctx, account.NewAccount{UserID: "u", Nick: ptr("second")}), 0)
	if nick, _ := nickOf(t, e, "u"); nick != `"second"` {
		t.Errorf("a re-import with Nick left the nick as %s", nick)
	}
	res, _, err := e.svc.GetProfiles(ctx, []string{"u"}, []string{"Tag_Profile_IM_Location"})
	wantCode(t, "GetProfiles", err, 0)
	if len(res[0].Items) != 1 || string(res[0].Items[0].Value) != `"here"` {
		t.Errorf("a re-import dropped other profile items: %+v", res[0].Items)
	}
}

func TestImportMany(t *testing.T) {
	ctx := context.Background()
	long := strings.Repeat("n", account.MaxProfileValueBytes+1)
	for _, c := range []struct {
		name       string
		list       []account.NewAccount
		code       int
		wantFailed []string
	}{
		{"empty list", nil, apierr.AccountBadParam, nil},
		{"one over the batch limit", newAccounts(ids("m", account.MaxBatch+1)), apierr.AccountBadParam, nil},
		{"exactly the batch limit", newAccounts(ids("m", account.MaxBatch)), 0, []string{}},
		{"refused items are reported, the others imported",
			[]account.NewAccount{{UserID: "ok1"}, {UserID: ""}, {UserID: "toolong", Nick: ptr(long)}, {UserID: "ok2"}, {UserID: "bad\x01"}},
			0, []string{"", "toolong", "bad\x01"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			failed, err := e.svc.ImportMany(ctx, c.list)
			wantCode(t, "ImportMany", err, c.code)
			if c.code != 0 {
				if len(c.list) > 0 {
					if got := e.imported(t, c.list[0].UserID)[c.list[0].UserID]; got {
						t.Errorf("a refused batch imported %q", c.list[0].UserID)
					}
				}
				return
			}
			if !slices.Equal(failed, c.wantFailed) {
				t.Errorf("failed = %q, want %q", failed, c.wantFailed)
			}
			for _, a := range c.list {
				if !account.ValidUserID(a.UserID) {
					continue
				}
				want := !slices.Contains(c.wantFailed, a.UserID)
				if got := e.imported(t, a.UserID)[a.UserID]; got != want {
					t.Errorf("%q imported = %v, want %v", a.UserID, got, want)
				}
			}
		})
	}
}

func newAccounts(ids []string) []account.NewAccount {
	out := make([]account.NewAccount, len(ids))
	for i, id := range ids {
		out[i] = account.NewAccount{UserID: id}
	}
	return out
}

func TestDeleteBatchLimits(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.Delete(ctx, nil)
	wantCode(t, "Delete of none", err, apierr.AccountBadParam)
	batch := ids("d", account.MaxBatch+1)
	e.mustImport(t, batch[0])
	_, err = e.svc.Delete(ctx, batch)
	wantCode(t, "Delete of MaxBatch+1", err, apierr.AccountBadParam)
	if !e.imported(t, batch[0])[batch[0]] {
		t.Error("a refused Delete batch deleted an account")
	}
	res, err := e.svc.Delete(ctx, batch[:account.MaxBatch])
	wantCode(t, "Delete of MaxBatch", err, 0)
	if len(res) != account.MaxBatch || res[0].ResultCode != 0 {
		t.Errorf("Delete of MaxBatch answered %d items, first %+v", len(res), res[0])
	}
}

// TestDeleteItems checks the per-item outcome of account_delete: 0 for an
// account that existed, 70107 for one that did not, 70402 for the App admin
// and for a malformed ID; only existing accounts are deleted and published
// as one Deleted.
func TestDeleteItems(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.svc.EnsureAdmins(ctx); err != nil {
		t.Fatal(err)
	}
	e.mustImport(t, "alice", "bob")

	req := []string{"alice", "ghost", testAdmin, "bad\x00id", "bob"}
	res, err := e.svc.Delete(ctx, req)
	wantCode(t, "Delete", err, 0)
	want := map[string]struct {
		code int
		info string
	}{
		"alice":     {0, ""},
		"bob":       {0, ""},
		"ghost":     {apierr.AccountNotFound, account.ResultInfoNotFound},
		testAdmin:   {apierr.AccountBadParam, ""},
		"bad\x00id": {apierr.AccountBadParam, ""},
	}
	if len(res) != len(req) {
		t.Fatalf("Delete answered %d items for %d", len(res), len(req))
	}
	for i, r := range res {
		if r.UserID != req[i] {
			t.Errorf("item %d is %q, want %q (request order)", i, r.UserID, req[i])
		}
		w := want[r.UserID]
		if r.ResultCode != w.code || (w.info != "" && r.ResultInfo != w.info) {
			t.Errorf("item %q = %d %q, want %d %q", r.UserID, r.ResultCode, r.ResultInfo, w.code, w.info)
		}
	}
	got := e.imported(t, "alice", "bob", testAdmin)
	if got["alice"] || got["bob"] || !got[testAdmin] {
		t.Errorf("after Delete imported = %v, want only the admin left", got)
	}
	if want := []event.Change{account.Deleted{Users: []string{"alice", "bob"}}}; !reflect.DeepEqual(e.changes.changes, want) {
		t.Errorf("Delete published %+v, want %+v", e.changes.changes, want)
	}

	// Deleting nothing that exists publishes nothing.
	_, err = e.svc.Delete(ctx, []string{"ghost"})
	wantCode(t, "Delete of a missing account", err, 0)
	if len(e.changes.changes) != 1 {
		t.Errorf("a Delete that deleted nothing published: %+v", e.changes.changes)
	}
}

// TestDeleteRevokesUserSigs checks that deleting an account revokes its
// UserSigs issued up to the deletion, in this Service's memory and in the
// store, and that a later re-import keeps that revocation.
func TestDeleteRevokesUserSigs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hearth.db")
	db := openDB(t, path)
	clk := newClock(start0)
	svc := account.NewService(db, []string{testAdmin}, clk.now)
	wantCode(t, "Import", svc.Import(ctx, account.NewAccount{UserID: "alice"}), 0)
	wantCode(t, "Import", svc.Import(ctx, account.NewAccount{UserID: "bob"}), 0)

	issuedBefore := clk.unix() - 60 // a UserSig signed a minute before the deletion
	if r, err := svc.Revoked(ctx, "alice", issuedBefore); err != nil || r {
		t.Fatalf("before Delete Revoked = %v, %v; want false", r, err)
	}
	clk.advance(10)
	deletedAt := clk.unix()
	if _, err := svc.Delete(ctx, []string{"alice"}); err != nil {
		t.Fatal(err)
	}

	fresh := func() *account.Service { return account.NewService(db, []string{testAdmin}, clk.now) }
	check := func(stage string, s *account.Service) {
		t.Helper()
		for _, c := range []struct {
			name   string
			id     string
			issued int64
			want   bool
		}{
			{"alice's sig issued before the deletion", "alice", issuedBefore, true},
			{"alice's sig issued in the deletion's second", "alice", deletedAt, true},
			{"alice's sig issued after the deletion", "alice", deletedAt + 1, false},
			{"bob, not deleted", "bob", issuedBefore, false},
		} {
			got, err := s.Revoked(ctx, c.id, c.issued)
			if err != nil {
				t.Fatalf("%s: Revoked: %v", stage, err)
			}
			if got != c.want {
				t.Errorf("%s: %s: Revoked = %v, want %v", stage, c.name, got, c.want)
			}
		}
	}
	check("same service", svc)
	check("new service over the store", fresh())

	clk.advance(10)
	wantCode(t, "re-Import", svc.Import(ctx, account.NewAccount{UserID: "alice"}), 0)
	check("after re-import, same service", svc)
	check("after re-import, new service", fresh())
}

func TestCheck(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mustImport(t, "here1", "here2")
	_, err := e.svc.Check(ctx, nil)
	wantCode(t, "Check of none", err, apierr.AccountBadParam)
	_, err = e.svc.Check(ctx, ids("c", account.MaxBatch+1))
	wantCode(t, "Check of MaxBatch+1", err, apierr.AccountBadParam)
	_, err = e.svc.Check(ctx, ids("c", account.MaxBatch))
	wantCode(t, "Check of MaxBatch", err, 0)

	req := []string{"here2", "absent", "here1"}
	res, err := e.svc.Check(ctx, req)
	wantCode(t, "Check", err, 0)
	want := map[string]bool{"here1": true, "here2": true}
	for i, r := range res {
		if r.UserID != req[i] || r.Imported != want[r.UserID] || r.ResultCode != 0 {
			t.Errorf("item %d = %+v, want %q imported=%v code 0", i, r, req[i], want[req[i]])
		}
	}
}

// TestKick checks kick: a malformed ID is 70402, a missing account 70107;
// an existing one has its UserSigs issued up to now revoked, in memory and
// in the store, and one Kicked is published.
func TestKick(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hearth.db")
	db := openDB(t, path)
	clk := newClock(start0)
	log := &changeLog{}
	svc := account.NewService(db, []string{testAdmin}, clk.now, account.WithChanges(log))
	wantCode(t, "Import", svc.Import(ctx, account.NewAccount{UserID: "alice"}), 0)

	wantCode(t, "Kick of a malformed ID", svc.Kick(ctx, "bad\x7f"), apierr.AccountBadParam)
	wantCode(t, "Kick of a missing account", svc.Kick(ctx, "ghost"), apierr.AccountNotFound)
	if len(log.changes) != 0 {
		t.Errorf("refused kicks published %+v", log.changes)
	}
	if r, _ := svc.Revoked(ctx, "alice", clk.unix()); r {
		t.Error("alice revoked before any kick")
	}

	first := clk.unix()
	wantCode(t, "Kick", svc.Kick(ctx, "alice"), 0)
	if want := []event.Change{account.Kicked{User: "alice"}}; !reflect.DeepEqual(log.changes, want) {
		t.Errorf("Kick published %+v, want %+v", log.changes, want)
	}
	clk.advance(100)
	second := clk.unix()
	for stage, s := range map[string]*account.Service{"same service": svc, "new service": account.NewService(db, nil, clk.now)} {
		for _, c := range []struct {
			name   string
			issued int64
			want   bool
		}{
			{"issued before the kick", first - 1, true},
			{"issued in the kick's second", first, true},
			{"issued after the kick", first + 1, false},
		} {
			if got, err := s.Revoked(ctx, "alice", c.issued); err != nil || got != c.want {
				t.Errorf("%s: %s: Revoked = %v, %v; want %v", stage, c.name, got, err, c.want)
			}
		}
	}

	// A later kick moves the revocation forward.
	wantCode(t, "second Kick", svc.Kick(ctx, "alice"), 0)
	if got, _ := svc.Revoked(ctx, "alice", second); !got {
		t.Error("a second kick did not revoke a UserSig issued before it")
	}
	if got, _ := account.NewService(db, nil, clk.now).Revoked(ctx, "alice", second); !got {
		t.Error("the store did not keep the second kick's revocation")
	}

	// ForgetRevoked makes the next answer come from the store again.
	svc.ForgetRevoked([]string{"alice"})
	if got, _ := svc.Revoked(ctx, "alice", second); !got {
		t.Error("after ForgetRevoked the store's revocation was lost")
	}
}

func TestRegister(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	wantCode(t, "Register of a new account", e.svc.Register(ctx, "newbie"), 0)
	if !e.imported(t, "newbie")["newbie"] {
		t.Error("Register did not create the account")
	}
	wantCode(t, "Import", e.svc.Import(ctx, account.NewAccount{UserID: "old", Nick: ptr("kept")}), 0)
	wantCode(t, "Register of an existing account", e.svc.Register(ctx, "old"), 0)
	if nick, _ := nickOf(t, e, "old"); nick != `"kept"` {
		t.Errorf("Register of an existing account changed its nick to %s", nick)
	}
}

func TestAdmins(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "hearth.db"))
	svc := account.NewService(db, []string{"root", "ops"}, nil)
	for _, c := range []struct {
		id   string
		want bool
	}{{"root", true}, {"ops", true}, {"alice", false}, {"", false}} {
		if got := svc.IsAdmin(c.id); got != c.want {
			t.Errorf("IsAdmin(%q) = %v, want %v", c.id, got, c.want)
		}
	}
	if err := svc.EnsureAdmins(ctx); err != nil {
		t.Fatal(err)
	}
	if err := svc.EnsureAdmins(ctx); err != nil {
		t.Fatalf("a second EnsureAdmins: %v", err)
	}
	res, err := svc.Check(ctx, []string{"root", "ops"})
	wantCode(t, "Check", err, 0)
	for _, r := range res {
		if !r.Imported {
			t.Errorf("EnsureAdmins did not import %q", r.UserID)
		}
	}
	bad := account.NewService(db, []string{"bad admin\x00"}, nil)
	if err := bad.EnsureAdmins(ctx); err == nil {
		t.Error("EnsureAdmins accepted an admin UserID that is not printable ASCII")
	}
}

// TestRevokedCachedAnswer checks that Revoked answers the same for an
// account that was never kicked or deleted whether its answer comes from
// the store (the first call) or from memory (the calls after it).
func TestRevokedCachedAnswer(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mustImport(t, "never")
	for _, c := range []struct {
		name   string
		issued int64
	}{
		{"a UserSig issued now", start0},
		{"a UserSig issued at unix time 0", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.svc.ForgetRevoked([]string{"never"})
			first, err := e.svc.Revoked(ctx, "never", c.issued)
			wantCode(t, "Revoked", err, 0)
			second, err := e.svc.Revoked(ctx, "never", c.issued)
			wantCode(t, "Revoked", err, 0)
			if first || second {
				t.Errorf("Revoked = %v from the store, %v from memory; want false for an account never revoked", first, second)
			}
		})
	}
}
