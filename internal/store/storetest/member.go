package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/group"
)

var memberCases = []testCase{
	{"add reports added and already in input order, and counts the added", func(t *testing.T, s Store, _ func() Store) {
		g := fullGroup("@TGS#a", group.Public)
		mustCreate(t, s, g, member("alice", group.RoleOwner, 1), member("bob", group.RoleMember, 1))
		mustAccounts(t, s, "carol", "dave")
		carol := member("carol", group.RoleAdmin, 50)
		carol.AppDefinedData = []group.KV{{Key: "y", Value: "2"}, {Key: "x", Value: "1"}}
		res := mustAdd(t, s, g.ID, member("dave", group.RoleMember, 51), member("bob", group.RoleAdmin, 52), carol,
			member("dave", group.RoleAdmin, 53), member("alice", group.RoleMember, 54))
		if want := (group.AddResult{Added: []string{"dave", "carol"}, Already: []string{"bob", "alice"}}); !slices.Equal(res.Added, want.Added) || !slices.Equal(res.Already, want.Already) {
			t.Errorf("AddMembers = %+v, want %+v", res, want)
		}
		wantMemberNum(t, s, g.ID, 4)
		carol.AppDefinedData = []group.KV{{Key: "x", Value: "1"}, {Key: "y", Value: "2"}}
		wantMember(t, s, carol, g.ID)
		wantMember(t, s, member("dave", group.RoleMember, 51), g.ID) // the first of the repeats
		wantMember(t, s, member("bob", group.RoleMember, 1), g.ID)   // unchanged
		if res, err := s.AddMembers(t.Context(), g.ID, nil, 0); err != nil || len(res.Added)+len(res.Already) != 0 {
			t.Errorf("AddMembers(none) = %+v, %v", res, err)
		}
	}},
	{"add up to the limit: exactly at it succeeds, one over is ErrFull and adds nothing", testAddLimit},
	{"concurrent adds never exceed the limit", testConcurrentAdds},
	{"add to an unknown group is ErrNotFound; a member that is no account adds nothing", func(t *testing.T, s Store, _ func() Store) {
		mustAccounts(t, s, "bob")
		if _, err := s.AddMembers(t.Context(), "@TGS#none", members("bob"), 0); !errors.Is(err, group.ErrNotFound) {
			t.Errorf("AddMembers(unknown group) = %v, want ErrNotFound", err)
		}
		g := fullGroup("@TGS#a", group.Public)
		mustCreate(t, s, g, member("alice", group.RoleOwner, 1))
		if _, err := s.AddMembers(t.Context(), g.ID, members("bob", "ghost"), 0); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("AddMembers(unknown account) = %v, want account.ErrNotFound", err)
		}
		wantNoMember(t, s, g.ID, "bob")
		wantMemberNum(t, s, g.ID, 1)
	}},
	{"delete members returns those that were members and fixes the count and the owner", func(t *testing.T, s Store, _ func() Store) {
		g := fullGroup("@TGS#a", group.Public)
		mustCreate(t, s, g, member("alice", group.RoleOwner, 1), member("bob", group.RoleAdmin, 1), member("carol", group.RoleMember, 1))
		mustAccounts(t, s, "dave")
		got, err := s.DeleteMembers(t.Context(), g.ID, []string{"dave", "carol", "nobody", "bob", "carol"})
		if want := []string{"carol", "bob"}; err != nil || !slices.Equal(got, want) {
			t.Errorf("DeleteMembers = %q, %v; want %q", got, err, want)
		}
		wantMemberNum(t, s, g.ID, 1)
		wantNoMember(t, s, g.ID, "bob")
		wantOwner(t, s, g.ID, "alice")
		if got, err := s.DeleteMembers(t.Context(), g.ID, []string{"bob"}); err != nil || len(got) != 0 {
			t.Errorf("DeleteMembers(former member) = %q, %v; want none", got, err)
		}
		if got, err := s.DeleteMembers(t.Context(), g.ID, []string{"alice"}); err != nil || !slices.Equal(got, []string{"alice"}) {
			t.Errorf("DeleteMembers(owner) = %q, %v", got, err)
		}
		wantMemberNum(t, s, g.ID, 0)
		wantOwner(t, s, g.ID, "")
		if got, err := s.DeleteMembers(t.Context(), "@TGS#none", []string{"alice"}); err != nil || len(got) != 0 {
			t.Errorf("DeleteMembers(unknown group) = %q, %v; want none", got, err)
		}
	}},
	{"get member and get members; ErrNoMember for others and for unknown groups", func(t *testing.T, s Store, _ func() Store) {
		g := fullGroup("@TGS#a", group.Public)
		alice, bob := member("alice", group.RoleOwner, 1), member("bob", group.RoleAdmin, 2)
		mustCreate(t, s, g, alice, bob)
		mustAccounts(t, s, "carol")
		wantMember(t, s, bob, g.ID)
		wantNoMember(t, s, g.ID, "carol")
		wantNoMember(t, s, g.ID, "nobody")
		wantNoMember(t, s, "@TGS#none", "alice")
		got, err := s.GetMembers(t.Context(), g.ID, []string{"bob", "carol", "alice", "bob", "nobody"})
		if err != nil {
			t.Fatal(err)
		}
		alice.GroupID, bob.GroupID = g.ID, g.ID
		if len(got) != 2 || !sameMember(got["alice"], alice) || !sameMember(got["bob"], bob) {
			t.Errorf("GetMembers = %+v, want alice and bob", got)
		}
		if got, err := s.GetMembers(t.Context(), "@TGS#none", []string{"alice"}); err != nil || len(got) != 0 {
			t.Errorf("GetMembers(unknown group) = %v, %v; want none", got, err)
		}
	}},
	{"modify member applies only the set fields and merges custom data", testModifyMember},
	{"set mute until and muted members", func(t *testing.T, s Store, _ func() Store) {
		g := fullGroup("@TGS#a", group.Public)
		mustCreate(t, s, g, member("alice", group.RoleOwner, 1), member("bob", group.RoleMember, 1),
			member("carol", group.RoleMember, 1), member("Dave", group.RoleMember, 1))
		got, err := s.SetMuteUntil(t.Context(), g.ID, []string{"carol", "nobody", "bob", "Dave", "carol"}, 1000)
		if want := []string{"carol", "bob", "Dave"}; err != nil || !slices.Equal(got, want) {
			t.Errorf("SetMuteUntil = %q, %v; want %q", got, err, want)
		}
		if _, err := s.SetMuteUntil(t.Context(), g.ID, []string{"bob"}, 500); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			now  int64
			want []string
		}{{0, []string{"Dave", "bob", "carol"}}, {499, []string{"Dave", "bob", "carol"}}, {500, []string{"Dave", "carol"}}, {1000, nil}} {
			muted, err := s.MutedMembers(t.Context(), g.ID, tc.now)
			wantList(t, fmt.Sprintf("MutedMembers(now %d)", tc.now), memberIDs(muted), err, tc.want)
		}
		if _, err := s.SetMuteUntil(t.Context(), g.ID, []string{"carol", "Dave"}, 0); err != nil {
			t.Fatal(err)
		}
		muted, err := s.MutedMembers(t.Context(), g.ID, 0)
		if err != nil || len(muted) != 1 || muted[0].UserID != "bob" || muted[0].MuteUntil != 500 {
			t.Errorf("MutedMembers after unmuting = %+v, %v; want bob until 500", muted, err)
		}
		if got, err := s.SetMuteUntil(t.Context(), "@TGS#none", []string{"bob"}, 9); err != nil || len(got) != 0 {
			t.Errorf("SetMuteUntil(unknown group) = %q, %v; want none", got, err)
		}
	}},
	{"list members by role, after a UserID and by offset, in byte order", testListMembers},
	{"member values round-trip byte for byte", func(t *testing.T, s Store, _ func() Store) {
		m := member("alice", group.RoleOwner, 1)
		m.NameCard, m.MsgFlag, m.MsgSeq, m.MuteUntil = "名片 🎉 \"<&>\"\n", "", 1<<63|1, -1
		m.AppDefinedData = []group.KV{{Key: "é", Value: "\x00 \u2028 \\"}, {Key: "E", Value: "  "}}
		mustCreate(t, s, fullGroup("@TGS#a", group.Public), m)
		slices.SortFunc(m.AppDefinedData, func(a, b group.KV) int { return cmpString(a.Key, b.Key) })
		wantMember(t, s, m, "@TGS#a")
	}},
}

// testAddLimit fills a group of two up to a limit of five.
func testAddLimit(t *testing.T, s Store, _ func() Store) {
	const limit = 5
	g := fullGroup("@TGS#a", group.Public)
	mustCreate(t, s, g, member("alice", group.RoleOwner, 1), member("bob", group.RoleMember, 1))
	mustAccounts(t, s, userIDs("u", 6)...)
	for _, step := range []struct {
		name      string
		add       []string
		max       int
		wantErr   error
		wantAdded []string
		wantNum   int
	}{
		{"one over the limit in one call", []string{"u000", "u001", "u002", "u003"}, limit, group.ErrFull, nil, 2},
		{"up to the limit exactly", []string{"u000", "bob", "u001", "u002"}, limit, nil, []string{"u000", "u001", "u002"}, 5},
		{"one more", []string{"u003"}, limit, group.ErrFull, nil, 5},
		{"members already, when full", []string{"u000", "alice"}, limit, nil, nil, 5},
		{"a member already and a new one, when full", []string{"u000", "u003"}, limit, group.ErrFull, nil, 5},
		{"no limit", []string{"u003", "u004"}, 0, nil, []string{"u003", "u004"}, 7},
	} {
		res, err := s.AddMembers(t.Context(), g.ID, members(step.add...), step.max)
		if !errors.Is(err, step.wantErr) || !slices.Equal(res.Added, step.wantAdded) {
			t.Errorf("%s: AddMembers = %+v, %v; want added %q, error %v", step.name, res, err, step.wantAdded, step.wantErr)
		}
		wantMemberNum(t, s, g.ID, step.wantNum)
	}
	wantNoMember(t, s, g.ID, "u005")
}

// testConcurrentAdds races adders of ten members each against a limit that
// admits only some of them, on one group.
func testConcurrentAdds(t *testing.T, s Store, _ func() Store) {
	const (
		adders = 8
		each   = 10
		limit  = 45
	)
	g := fullGroup("@TGS#a", group.Public)
	mustCreate(t, s, g, member("alice", group.RoleOwner, 1))
	var all []string
	for i := range adders {
		all = append(all, userIDs(fmt.Sprintf("a%d-", i), each)...)
	}
	mustAccounts(t, s, all...)
	var wg sync.WaitGroup
	added := make([]bool, adders)
	for i := range adders {
		wg.Go(func() {
			res, err := s.AddMembers(t.Context(), g.ID, members(userIDs(fmt.Sprintf("a%d-", i), each)...), limit)
			switch {
			case err == nil && len(res.Added) == each:
				added[i] = true
			case !errors.Is(err, group.ErrFull):
				t.Errorf("adder %d: %+v, %v; want all added or ErrFull", i, res, err)
			}
		})
	}
	wg.Wait()
	n := 1
	for i, ok := range added {
		for _, id := range userIDs(fmt.Sprintf("a%d-", i), each) {
			if _, err := s.GetMember(t.Context(), g.ID, id); (err == nil) != ok {
				t.Errorf("adder %d succeeded: %v; GetMember(%q): %v", i, ok, id, err)
			}
		}
		if ok {
			n += each
		}
	}
	if n != 1+each*((limit-1)/each) {
		t.Errorf("%d members after the race, want %d", n, 1+each*((limit-1)/each))
	}
	wantMemberNum(t, s, g.ID, n)
}

// testModifyMember applies patches in turn, each checked against the member
// it should leave, as returned and as stored.
func testModifyMember(t *testing.T, s Store, _ func() Store) {
	g := fullGroup("@TGS#a", group.Public)
	m := member("bob", group.RoleMember, 5)
	m.AppDefinedData = []group.KV{{Key: "a", Value: "1"}}
	mustCreate(t, s, g, member("alice", group.RoleOwner, 1), m)
	m.GroupID = g.ID
	str := func(s string) *string { return &s }
	admin, until := group.RoleAdmin, int64(1_800_000_000)
	for _, step := range []struct {
		name  string
		patch group.MemberPatch
		apply func(m *group.Member)
	}{
		{"nothing set", group.MemberPatch{}, func(*group.Member) {}},
		{"role", group.MemberPatch{Role: &admin}, func(m *group.Member) { m.Role = admin }},
		{"every field", group.MemberPatch{MsgFlag: str("Discard"), NameCard: str("卡"), MuteUntil: &until},
			func(m *group.Member) { m.MsgFlag, m.NameCard, m.MuteUntil = "Discard", "卡", until }},
		{"custom data merges by key; an empty value deletes", group.MemberPatch{
			AppDefinedData: []group.KV{{Key: "c", Value: "3"}, {Key: "a", Value: ""}, {Key: "b", Value: "2"}},
		}, func(m *group.Member) { m.AppDefinedData = []group.KV{{Key: "b", Value: "2"}, {Key: "c", Value: "3"}} }},
	} {
		step.apply(&m)
		got, err := s.ModifyMember(t.Context(), g.ID, "bob", step.patch)
		if err != nil {
			t.Fatalf("%s: ModifyMember: %v", step.name, err)
		}
		if !sameMember(got, m) {
			t.Errorf("%s: ModifyMember returned\n %+v\nwant\n %+v", step.name, got, m)
		}
		wantMember(t, s, m, g.ID)
	}
	wantMember(t, s, member("alice", group.RoleOwner, 1), g.ID)
	mustAccounts(t, s, "carol")
	for _, tc := range []struct{ groupID, userID string }{{g.ID, "carol"}, {"@TGS#none", "bob"}} {
		if _, err := s.ModifyMember(t.Context(), tc.groupID, tc.userID, group.MemberPatch{NameCard: str("x")}); !errors.Is(err, group.ErrNoMember) {
			t.Errorf("ModifyMember(%q, %q) = %v, want ErrNoMember", tc.groupID, tc.userID, err)
		}
	}
}

// testListMembers lists a group whose UserIDs order differently by bytes
// than in most locales.
func testListMembers(t *testing.T, s Store, _ func() Store) {
	g := fullGroup("@TGS#a", group.Community)
	g.Owner = "b"
	ms := []group.Member{member("b", group.RoleOwner, 1), member("B", group.RoleAdmin, 1), member("_x", group.RoleAdmin, 1)}
	for _, id := range []string{"a", "A", "é", "z", "Z", "1", "a1", "a_"} {
		ms = append(ms, member(id, group.RoleMember, 1))
	}
	mustCreate(t, s, g, ms...)
	all := []string{"1", "A", "B", "Z", "_x", "a", "a1", "a_", "b", "z", "é"}
	plain := []string{"1", "A", "Z", "a", "a1", "a_", "z", "é"}
	for _, tc := range []struct {
		q    group.MemberQuery
		want []string
	}{
		{group.MemberQuery{}, all},
		{group.MemberQuery{Limit: 3}, all[:3]},
		{group.MemberQuery{Offset: 3, Limit: 4}, all[3:7]},
		{group.MemberQuery{Offset: 9}, all[9:]},
		{group.MemberQuery{Offset: 20}, nil},
		{group.MemberQuery{After: "Z", Limit: 3}, []string{"_x", "a", "a1"}},
		{group.MemberQuery{After: "a1", Offset: 5}, all[7:]}, // Offset is ignored with After
		{group.MemberQuery{After: "é"}, nil},
		{group.MemberQuery{After: "0"}, all},
		{group.MemberQuery{Role: group.RoleAdmin}, []string{"B", "_x"}},
		{group.MemberQuery{Role: group.RoleOwner}, []string{"b"}},
		{group.MemberQuery{Role: group.RoleMember, After: "a", Limit: 3}, []string{"a1", "a_", "z"}},
		{group.MemberQuery{Role: group.RoleMember, Offset: 2, Limit: 2}, plain[2:4]},
		{group.MemberQuery{Role: group.RoleAdmin, After: "B"}, []string{"_x"}},
	} {
		wantListed(t, s, g.ID, tc.q, tc.want...)
	}
	// Paging through with After visits every member once.
	var got []string
	for q := (group.MemberQuery{Limit: 4}); ; {
		page, err := s.ListMembers(t.Context(), g.ID, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page {
			got = append(got, m.UserID)
		}
		if len(page) < q.Limit || len(got) > len(all) {
			break
		}
		q.After = page[len(page)-1].UserID
	}
	if !slices.Equal(got, all) {
		t.Errorf("paging by After = %q, want %q", got, all)
	}
	wantListed(t, s, "@TGS#none", group.MemberQuery{})
}
