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

// membershipCases cover what spans groups and accounts: ownership, the
// groups a user joined, and account deletion.
var membershipCases = []testCase{
	{"change owner", testChangeOwner},
	{"joined groups: newest join first, by type, paged, with the total", func(t *testing.T, s Store, _ func() Store) {
		mustAccounts(t, s, "alice", "bob")
		for _, g := range []struct {
			id   string
			typ  group.Type
			join int64
		}{
			{"@TGS#c", group.Public, 300}, {"@TGS#a", group.Private, 100}, {"@TGS#e", group.Public, 300},
			{"@TGS#d", group.Community, 400}, {"@TGS#b", group.Public, 200}, {"@TGS#B", group.Public, 300},
		} {
			gr := fullGroup(g.id, g.typ)
			gr.Owner = "bob"
			mustCreate(t, s, gr, member("bob", group.RoleOwner, 1), member("alice", group.RoleMember, g.join))
		}
		gr := fullGroup("@TGS#other", group.Public)
		gr.Owner = "bob"
		mustCreate(t, s, gr, member("bob", group.RoleOwner, 1))
		all := []string{"@TGS#d", "@TGS#B", "@TGS#c", "@TGS#e", "@TGS#b", "@TGS#a"}
		public := []string{"@TGS#B", "@TGS#c", "@TGS#e", "@TGS#b"}
		for _, tc := range []struct {
			q     group.JoinedQuery
			total int
			want  []string
		}{
			{group.JoinedQuery{}, 6, all},
			{group.JoinedQuery{Limit: 2}, 6, all[:2]},
			{group.JoinedQuery{Offset: 2, Limit: 3}, 6, all[2:5]},
			{group.JoinedQuery{Offset: 5}, 6, all[5:]},
			{group.JoinedQuery{Offset: 6}, 6, nil},
			{group.JoinedQuery{Type: group.Public}, 4, public},
			{group.JoinedQuery{Type: group.Public, Offset: 1, Limit: 2}, 4, public[1:3]},
			{group.JoinedQuery{Type: group.AVChatRoom}, 0, nil},
		} {
			wantJoined(t, s, "alice", tc.q, tc.total, tc.want...)
		}
		wantJoined(t, s, "nobody", group.JoinedQuery{}, 0)
		joined, _, err := s.JoinedGroups(t.Context(), "alice", group.JoinedQuery{Limit: 1})
		if err != nil || len(joined) != 1 {
			t.Fatalf("JoinedGroups = %+v, %v", joined, err)
		}
		want := fullGroup("@TGS#d", group.Community)
		want.Owner, want.MemberNum = "bob", 2
		want.AppDefinedData = []group.KV{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}
		wantMember := member("alice", group.RoleMember, 400)
		wantMember.GroupID = want.ID
		if !sameGroup(joined[0].Group, want) || !sameMember(joined[0].Member, wantMember) {
			t.Errorf("JoinedGroups[0] = %+v, want %+v with %+v", joined[0], want, wantMember)
		}
	}},
	{"deleting accounts removes their memberships and fixes member counts and owners", func(t *testing.T, s Store, _ func() Store) {
		a, b, c := fullGroup("@TGS#a", group.Public), fullGroup("@TGS#b", group.Public), fullGroup("@TGS#c", group.Public)
		b.Owner, c.Owner = "bob", "carol"
		mustCreate(t, s, a, member("alice", group.RoleOwner, 1), member("bob", group.RoleAdmin, 1), member("carol", group.RoleMember, 1))
		mustCreate(t, s, b, member("bob", group.RoleOwner, 1), member("alice", group.RoleMember, 1), member("dave", group.RoleMember, 1))
		mustCreate(t, s, c, member("carol", group.RoleOwner, 1), member("dave", group.RoleMember, 1))
		deleted, err := s.DeleteAccounts(t.Context(), []string{"bob", "nobody", "alice", "bob"}, 1000)
		if want := []string{"bob", "alice"}; err != nil || !slices.Equal(deleted, want) {
			t.Fatalf("DeleteAccounts = %q, %v; want %q", deleted, err, want)
		}
		wantMemberNum(t, s, a.ID, 1)
		wantMemberNum(t, s, b.ID, 1)
		wantMemberNum(t, s, c.ID, 2)
		wantOwner(t, s, a.ID, "")
		wantOwner(t, s, b.ID, "")
		wantOwner(t, s, c.ID, "carol")
		wantNoMember(t, s, a.ID, "bob")
		wantJoined(t, s, "alice", group.JoinedQuery{}, 0)
		wantJoined(t, s, "dave", group.JoinedQuery{}, 2, b.ID, c.ID)
		// A new account with a deleted one's ID starts with no groups.
		mustAccounts(t, s, "alice")
		wantJoined(t, s, "alice", group.JoinedQuery{}, 0)
		mustAdd(t, s, a.ID, member("alice", group.RoleMember, 9))
		wantMemberNum(t, s, a.ID, 2)
	}},
	{"concurrent member changes keep member counts exact", testConcurrentMemberChanges},
}

// testChangeOwner changes the owner of groups with and without one.
func testChangeOwner(t *testing.T, s Store, _ func() Store) {
	g := fullGroup("@TGS#a", group.Public)
	mustCreate(t, s, g, member("alice", group.RoleOwner, 1), member("bob", group.RoleAdmin, 1), member("carol", group.RoleMember, 1))
	mustAccounts(t, s, "dave")
	orphan := fullGroup("@TGS#orphan", group.Community)
	orphan.Owner = ""
	mustCreate(t, s, orphan, member("carol", group.RoleMember, 1))
	for _, step := range []struct {
		name      string
		groupID   string
		newOwner  string
		wantErr   error
		wantOwner string
		wantRoles map[string]group.Role
	}{
		{"to an admin", g.ID, "bob", nil, "bob", map[string]group.Role{"alice": group.RoleMember, "bob": group.RoleOwner, "carol": group.RoleMember}},
		{"to the owner", g.ID, "bob", nil, "bob", map[string]group.Role{"alice": group.RoleMember, "bob": group.RoleOwner}},
		{"to a non-member", g.ID, "dave", group.ErrNoMember, "bob", map[string]group.Role{"bob": group.RoleOwner}},
		{"to no account", g.ID, "nobody", group.ErrNoMember, "bob", map[string]group.Role{"bob": group.RoleOwner}},
		{"to a member", g.ID, "carol", nil, "carol", map[string]group.Role{"bob": group.RoleMember, "carol": group.RoleOwner}},
		{"of a group without an owner", orphan.ID, "carol", nil, "carol", map[string]group.Role{"carol": group.RoleOwner}},
		{"of an unknown group", "@TGS#none", "carol", group.ErrNotFound, "", nil},
	} {
		err := s.ChangeOwner(t.Context(), step.groupID, step.newOwner)
		if !errors.Is(err, step.wantErr) {
			t.Errorf("%s: ChangeOwner = %v, want %v", step.name, err, step.wantErr)
		}
		if step.wantRoles == nil {
			continue
		}
		wantOwner(t, s, step.groupID, step.wantOwner)
		for id, role := range step.wantRoles {
			if m, err := s.GetMember(t.Context(), step.groupID, id); err != nil || m.Role != role {
				t.Errorf("%s: %s is %q (%v), want %q", step.name, id, m.Role, err, role)
			}
		}
	}
	// The old owner left the group before the change: the change still works.
	if _, err := s.DeleteMembers(t.Context(), g.ID, []string{"carol"}); err != nil {
		t.Fatal(err)
	}
	if err := s.ChangeOwner(t.Context(), g.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	wantOwner(t, s, g.ID, "alice")
	wantMemberNum(t, s, g.ID, 2)
}

// testConcurrentMemberChanges runs adders, removers and account deleters at
// once on two groups, some adding accounts that others delete meanwhile;
// afterwards each group's MemberNum must equal its listed members, who must
// all be accounts, and no error but ErrFull or account.ErrNotFound (adding a
// deleted account) may surface.
func testConcurrentMemberChanges(t *testing.T, s Store, _ func() Store) {
	const workers = 6
	groups := []string{"@TGS#x", "@TGS#y"}
	for _, id := range groups {
		g := fullGroup(id, group.Public)
		g.Owner = ""
		mustCreate(t, s, g)
	}
	ids := make([][]string, workers)
	for w := range workers {
		ids[w] = userIDs(fmt.Sprintf("w%d-", w), 12)
		mustAccounts(t, s, ids[w]...)
	}
	var wg sync.WaitGroup
	for w := range workers {
		mine, doomed := ids[w], ids[(w+1)%workers][6:9] // the next worker deletes its doomed accounts
		wg.Go(func() {
			for round, id := range groups {
				_, err := s.AddMembers(t.Context(), id, members(append(slices.Clone(mine), doomed...)...), 70)
				if err != nil && !errors.Is(err, group.ErrFull) && !errors.Is(err, account.ErrNotFound) {
					t.Errorf("worker %d: AddMembers(%s): %v", w, id, err)
				}
				if _, err := s.DeleteMembers(t.Context(), groups[1-round], mine[:3]); err != nil {
					t.Errorf("worker %d: DeleteMembers: %v", w, err)
				}
				if _, err := s.SetMuteUntil(t.Context(), id, mine[3:6], int64(w)); err != nil {
					t.Errorf("worker %d: SetMuteUntil: %v", w, err)
				}
			}
			if _, err := s.DeleteAccounts(t.Context(), mine[6:9], 1000); err != nil {
				t.Errorf("worker %d: DeleteAccounts: %v", w, err)
			}
		})
	}
	wg.Wait()
	for _, id := range groups {
		listed, err := s.ListMembers(t.Context(), id, group.MemberQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(listed) > 70 {
			t.Errorf("group %s has %d members, over its limit 70", id, len(listed))
		}
		wantMemberNum(t, s, id, len(listed))
		ids := memberIDs(listed)
		exist, err := s.ExistingAccounts(t.Context(), ids)
		if err != nil || len(exist) != len(ids) {
			t.Errorf("group %s: %d of its %d members are accounts (%v)", id, len(exist), len(ids), err)
		}
	}
}
