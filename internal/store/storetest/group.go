package storetest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/group"
)

// permBits is a DefaultPermission with the top bit set: it only survives a
// store that keeps all 64 bits of a uint64.
const permBits uint64 = 1<<63 | 5

var groupCases = []testCase{
	{"create then get returns every field, also after reopening", func(t *testing.T, s Store, reopen func() Store) {
		a, b := fullGroup("@TGS#a", group.Public), fullGroup("@TGS#b", group.Private)
		b.Owner = ""
		b.MuteAllMember, b.SupportTopic, b.EnablePermission, b.HistoryMsgBeforeJoin = false, true, false, true
		b.DefaultPermission, b.InfoSeq, b.NextMsgSeq, b.AppDefinedData = 0, 0, 0, nil
		a.AppDefinedData = []group.KV{{Key: "b", Value: "2"}, {Key: "a", Value: "1"}} // stored sorted
		mustCreate(t, s, a, member("alice", group.RoleOwner, 10), member("bob", group.RoleMember, 11))
		mustCreate(t, s, b)
		wantA := a
		wantA.MemberNum = 2
		wantA.AppDefinedData = []group.KV{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}
		for range 2 {
			wantGroup(t, s, wantA)
			wantGroup(t, s, b)
			wantMember(t, s, member("bob", group.RoleMember, 11), a.ID)
			s = reopen()
		}
	}},
	{"create counts each member once and keeps custom data sorted without empty values", func(t *testing.T, s Store, _ func() Store) {
		g := fullGroup("@TGS#a", group.Public)
		g.MemberNum = 99 // computed by the store
		g.AppDefinedData = []group.KV{{Key: "z", Value: "1"}, {Key: "gone", Value: ""}, {Key: "a", Value: "x"}, {Key: "a", Value: "2"}}
		owner := member("alice", group.RoleOwner, 10)
		owner.AppDefinedData = []group.KV{{Key: "k", Value: "v"}, {Key: "e", Value: ""}}
		mustCreate(t, s, g, owner, member("bob", group.RoleMember, 11), member("alice", group.RoleMember, 12))
		want := g
		want.MemberNum = 2
		want.AppDefinedData = []group.KV{{Key: "a", Value: "2"}, {Key: "z", Value: "1"}}
		wantGroup(t, s, want)
		owner.AppDefinedData = []group.KV{{Key: "k", Value: "v"}}
		wantMember(t, s, owner, g.ID)
	}},
	{"create with a taken ID is ErrExists and changes nothing", func(t *testing.T, s Store, _ func() Store) {
		g := fullGroup("@TGS#a", group.Public)
		mustCreate(t, s, g, member("alice", group.RoleOwner, 10))
		again := fullGroup(g.ID, group.Private)
		again.Owner, again.Name = "bob", "other"
		mustAccounts(t, s, "bob")
		err := s.CreateGroup(t.Context(), again, []group.Member{member("bob", group.RoleOwner, 20)})
		if !errors.Is(err, group.ErrExists) {
			t.Fatalf("CreateGroup(taken ID) = %v, want ErrExists", err)
		}
		g.MemberNum = 1
		wantGroup(t, s, g)
		wantNoMember(t, s, g.ID, "bob")
	}},
	{"concurrent creates of one ID: one succeeds, the others are ErrExists", func(t *testing.T, s Store, _ func() Store) {
		const n = 8
		ids := userIDs("u", n)
		mustAccounts(t, s, ids...)
		wantOneCreate(t, n, group.ErrExists, func(i int) error {
			g := fullGroup("@TGS#race", group.Public)
			g.Owner = ids[i]
			return s.CreateGroup(t.Context(), g, []group.Member{member(ids[i], group.RoleOwner, 1)})
		})
		wantMemberNum(t, s, "@TGS#race", 1)
	}},
	{"create with a member that is no account fails and writes nothing", func(t *testing.T, s Store, _ func() Store) {
		mustAccounts(t, s, "alice")
		g := fullGroup("@TGS#a", group.Public)
		err := s.CreateGroup(t.Context(), g, []group.Member{member("alice", group.RoleOwner, 1), member("ghost", group.RoleMember, 1)})
		if !errors.Is(err, account.ErrNotFound) {
			t.Fatalf("CreateGroup(unknown member) = %v, want account.ErrNotFound", err)
		}
		wantNoGroup(t, s, g.ID)
		mustCreate(t, s, g, member("alice", group.RoleOwner, 1)) // the ID is free
	}},
	{"create with an owner who is not among the members fails", func(t *testing.T, s Store, _ func() Store) {
		mustAccounts(t, s, "alice", "bob")
		g := fullGroup("@TGS#a", group.Public) // owned by alice
		if err := s.CreateGroup(t.Context(), g, []group.Member{member("bob", group.RoleMember, 1)}); err == nil {
			t.Fatal("CreateGroup without its owner among the members succeeded")
		}
		wantNoGroup(t, s, g.ID)
	}},
	{"get of an unknown group is ErrNotFound; get groups returns those that exist", func(t *testing.T, s Store, _ func() Store) {
		wantNoGroup(t, s, "@TGS#none")
		a, b := fullGroup("@TGS#a", group.Public), fullGroup("@TGS#b", group.Community)
		a.Owner, b.Owner = "", ""
		mustCreate(t, s, a)
		mustCreate(t, s, b)
		got, err := s.GetGroups(t.Context(), []string{"@TGS#b", "@TGS#none", "@TGS#a", "@TGS#b"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || !sameGroup(got[a.ID], a) || !sameGroup(got[b.ID], b) {
			t.Errorf("GetGroups = %+v, want %s and %s", got, a.ID, b.ID)
		}
		if got, err := s.GetGroups(t.Context(), nil); err != nil || len(got) != 0 {
			t.Errorf("GetGroups(nil) = %v, %v; want none", got, err)
		}
	}},
	{"modify applies only the set fields, merges custom data and bumps InfoSeq", testModifyGroup},
	{"modify of an unknown group is ErrNotFound", func(t *testing.T, s Store, _ func() Store) {
		name := "x"
		if _, err := s.ModifyGroup(t.Context(), "@TGS#none", group.GroupPatch{Name: &name}); !errors.Is(err, group.ErrNotFound) {
			t.Errorf("ModifyGroup(unknown) = %v, want ErrNotFound", err)
		}
	}},
	{"delete removes the group with its members", func(t *testing.T, s Store, _ func() Store) {
		g, other := fullGroup("@TGS#a", group.Public), fullGroup("@TGS#b", group.Public)
		mustCreate(t, s, g, member("alice", group.RoleOwner, 1), member("bob", group.RoleMember, 2))
		mustCreate(t, s, other, member("alice", group.RoleOwner, 3))
		if err := s.DeleteGroup(t.Context(), g.ID); err != nil {
			t.Fatal(err)
		}
		wantNoGroup(t, s, g.ID)
		wantNoMember(t, s, g.ID, "bob")
		wantListed(t, s, g.ID, group.MemberQuery{})
		wantJoined(t, s, "alice", group.JoinedQuery{}, 1, other.ID)
		wantJoined(t, s, "bob", group.JoinedQuery{}, 0)
		if err := s.DeleteGroup(t.Context(), g.ID); !errors.Is(err, group.ErrNotFound) {
			t.Errorf("second DeleteGroup = %v, want ErrNotFound", err)
		}
		// No membership is left to hold the accounts back, or to haunt a new
		// group with the same ID.
		if deleted, err := s.DeleteAccounts(t.Context(), []string{"bob"}, 1000); err != nil || len(deleted) != 1 {
			t.Errorf("DeleteAccounts(bob) = %q, %v", deleted, err)
		}
		mustCreate(t, s, g, member("alice", group.RoleOwner, 5))
		wantMemberNum(t, s, g.ID, 1)
	}},
	{"list groups pages by type in creation order, with a cursor and the total", testListGroups},
	{"group values round-trip byte for byte", func(t *testing.T, s Store, _ func() Store) {
		for i, v := range []struct {
			text string
			u64  uint64
		}{
			{"你好，世界 🎉", math.MaxUint64},
			{`a"b\c` + "\n\t<&>", 1 << 63},
			{"  spaced  ", 0},
			{"", 1},
		} {
			g := fullGroup(fmt.Sprintf("@TGS#%d é🎉", i), group.Community)
			g.Owner = ""
			g.Name, g.Introduction, g.Notification, g.FaceURL = v.text, v.text+"i", v.text+"n", v.text+"f"
			g.ApplyJoinOption, g.InviteJoinOption = v.text+"a", v.text+"b"
			g.DefaultPermission, g.InfoSeq, g.NextMsgSeq = v.u64, v.u64, v.u64
			g.AppDefinedData = []group.KV{{Key: "k" + v.text, Value: v.text + "\x00\u2028"}, {Key: "Ω", Value: v.text + "v"}}
			mustCreate(t, s, g)
			slices.SortFunc(g.AppDefinedData, func(a, b group.KV) int { return cmpString(a.Key, b.Key) })
			wantGroup(t, s, g)
		}
	}},
}

// testModifyGroup applies patches in turn, each checked against the group
// it should leave, as returned and as stored.
func testModifyGroup(t *testing.T, s Store, _ func() Store) {
	g := fullGroup("@TGS#a", group.Public)
	mustCreate(t, s, g, member("alice", group.RoleOwner, 1))
	g.MemberNum = 1
	g.AppDefinedData = []group.KV{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}
	str := func(s string) *string { return &s }
	yes, no, limit, perms := true, false, 500, permBits^1
	for _, step := range []struct {
		name  string
		patch group.GroupPatch
		apply func(g *group.Group)
	}{
		{"nothing set: only InfoSeq and LastInfoTime change", group.GroupPatch{InfoTime: 2000}, func(*group.Group) {}},
		{"one field", group.GroupPatch{Name: str("New name"), InfoTime: 2001}, func(g *group.Group) { g.Name = "New name" }},
		{"every field", group.GroupPatch{
			Name: str("N"), Introduction: str("I"), Notification: str("No"), FaceURL: str("F"), MaxMemberNum: &limit,
			ApplyJoinOption: str("DisableApply"), InviteJoinOption: str("NeedPermission"),
			MuteAllMember: &no, HistoryMsgBeforeJoin: &yes, EnablePermission: &no, DefaultPermission: &perms,
			InfoTime: 2002,
		}, func(g *group.Group) {
			g.Name, g.Introduction, g.Notification, g.FaceURL, g.MaxMemberNum = "N", "I", "No", "F", limit
			g.ApplyJoinOption, g.InviteJoinOption = "DisableApply", "NeedPermission"
			g.MuteAllMember, g.HistoryMsgBeforeJoin, g.EnablePermission, g.DefaultPermission = false, true, false, perms
		}},
		{"empty strings are values too", group.GroupPatch{Notification: str(""), InfoTime: 2003}, func(g *group.Group) { g.Notification = "" }},
		{"custom data merges by key; an empty value deletes", group.GroupPatch{
			AppDefinedData: []group.KV{{Key: "c", Value: "3"}, {Key: "a", Value: ""}, {Key: "b", Value: "two"}, {Key: "none", Value: ""}},
			InfoTime:       2004,
		}, func(g *group.Group) { g.AppDefinedData = []group.KV{{Key: "b", Value: "two"}, {Key: "c", Value: "3"}} }},
		{"deleting every key", group.GroupPatch{
			AppDefinedData: []group.KV{{Key: "b", Value: ""}, {Key: "c", Value: ""}}, InfoTime: 2005,
		}, func(g *group.Group) { g.AppDefinedData = nil }},
	} {
		step.apply(&g)
		g.InfoSeq++
		g.LastInfoTime = step.patch.InfoTime
		got, err := s.ModifyGroup(t.Context(), g.ID, step.patch)
		if err != nil {
			t.Fatalf("%s: ModifyGroup: %v", step.name, err)
		}
		if !sameGroup(got, g) {
			t.Errorf("%s: ModifyGroup returned\n %+v\nwant\n %+v", step.name, got, g)
		}
		wantGroup(t, s, g)
	}
}

// testListGroups creates groups whose IDs sort against their creation order
// and pages through them by type.
func testListGroups(t *testing.T, s Store, _ func() Store) {
	types := []group.Type{group.Public, group.Private, group.Public, group.Community, group.Public, group.Public, group.Private}
	var all []string
	byType := map[group.Type][]string{}
	for i, typ := range types {
		g := fullGroup(fmt.Sprintf("@TGS#%02d", len(types)-i), typ) // creation order is reverse ID order
		g.Owner = ""
		mustCreate(t, s, g)
		all = append(all, g.ID)
		byType[typ] = append(byType[typ], g.ID)
	}
	for _, tc := range []struct {
		typ   group.Type
		limit int
		want  []string
	}{
		{"", 3, all},
		{"", 0, all},
		{"", 100, all},
		{group.Public, 2, byType[group.Public]},
		{group.Public, 4, byType[group.Public]},
		{group.Private, 1, byType[group.Private]},
		{group.Community, 5, byType[group.Community]},
		{group.AVChatRoom, 5, nil},
	} {
		t.Run(fmt.Sprintf("%s by %d", tc.typ, tc.limit), func(t *testing.T) {
			var got []string
			cursor := uint64(0)
			for page := 0; ; page++ {
				ids, next, total, err := s.ListGroups(t.Context(), tc.typ, cursor, tc.limit)
				if err != nil {
					t.Fatal(err)
				}
				if total != len(tc.want) {
					t.Errorf("page %d: total = %d, want %d", page, total, len(tc.want))
				}
				if tc.limit > 0 && len(ids) > tc.limit {
					t.Fatalf("page %d: %d IDs, over the limit %d", page, len(ids), tc.limit)
				}
				got = append(got, ids...)
				if next == 0 {
					break
				}
				if next <= cursor || page > len(all) {
					t.Fatalf("page %d: next cursor %d after %d", page, next, cursor)
				}
				cursor = next
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("pages = %q, want %q", got, tc.want)
			}
		})
	}
	// A cursor stays valid when its group is deleted.
	ids, next, _, err := s.ListGroups(t.Context(), group.Public, 0, 1)
	if err != nil || len(ids) != 1 || next == 0 {
		t.Fatalf("ListGroups(Public, 0, 1) = %q, %d, %v", ids, next, err)
	}
	if err := s.DeleteGroup(t.Context(), ids[0]); err != nil {
		t.Fatal(err)
	}
	rest, next, total, err := s.ListGroups(t.Context(), group.Public, next, 0)
	if want := byType[group.Public][1:]; err != nil || !slices.Equal(rest, want) || next != 0 || total != len(want) {
		t.Errorf("after deleting the cursor's group: %q, %d, %d, %v; want %q, 0, %d", rest, next, total, err, want, len(want))
	}
}
