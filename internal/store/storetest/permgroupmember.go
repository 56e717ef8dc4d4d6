package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/hearth-chat/hearth/internal/permgroup"
)

// Item statuses, short.
const (
	itemOK        = permgroup.ItemOK
	itemExists    = permgroup.ItemExists
	itemMissing   = permgroup.ItemMissing
	itemNoTopic   = permgroup.ItemNoTopic
	itemNotMember = permgroup.ItemNotMember
	itemAlready   = permgroup.ItemAlready
)

// permGroupMemberCases cover the members of permission groups, including
// how a membership ends with the community membership it rests on.
var permGroupMemberCases = []testCase{
	{"add members reports OK, Already or NotMember per user in input order, and the count follows", func(t *testing.T, s Store, _ func() Store) {
		mustCommunity(t, s, "@TGS#_a", "alice", "bob", "carol")
		mustCommunity(t, s, "@TGS#_b", "dave")
		mustAccounts(t, s, "eve") // an account, but no member
		mustCreatePermGroup(t, s, fullPermGroup("@TGS#_a", "p"), 0)
		mustCreatePermGroup(t, s, fullPermGroup("@TGS#_a", "q"), 0)
		users := []string{"bob", "nobody", "eve", "alice", "bob", "dave", "carol", "nobody"}
		got, err := s.AddPermGroupMembers(t.Context(), "@TGS#_a", "p", users)
		wantStatuses(t, "AddPermGroupMembers", got, err,
			itemOK, itemNotMember, itemNotMember, itemOK, itemAlready, itemNotMember, itemOK, itemNotMember)
		got, err = s.AddPermGroupMembers(t.Context(), "@TGS#_a", "p", []string{"carol", "alice"})
		wantStatuses(t, "AddPermGroupMembers(again)", got, err, itemAlready, itemAlready)
		got, err = s.AddPermGroupMembers(t.Context(), "@TGS#_a", "p", nil)
		wantStatuses(t, "AddPermGroupMembers(no one)", got, err)
		wantPermGroupMembers(t, s, "@TGS#_a", "p", "alice", "bob", "carol")
		wantPermGroupMembers(t, s, "@TGS#_a", "q")
		mustAddPermGroupMembers(t, s, "@TGS#_a", "q", "carol")
		wantPermGroupMembers(t, s, "@TGS#_a", "q", "carol")
	}},
	{"delete members returns those that were in it, in input order, each once; the count follows", func(t *testing.T, s Store, _ func() Store) {
		mustCommunity(t, s, "@TGS#_a", "alice", "bob", "carol", "dave")
		mustCreatePermGroup(t, s, fullPermGroup("@TGS#_a", "p"), 0)
		mustCreatePermGroup(t, s, fullPermGroup("@TGS#_a", "q"), 0)
		mustAddPermGroupMembers(t, s, "@TGS#_a", "p", "alice", "bob", "carol")
		mustAddPermGroupMembers(t, s, "@TGS#_a", "q", "alice")
		got, err := s.DeletePermGroupMembers(t.Context(), "@TGS#_a", "p", []string{"carol", "nobody", "dave", "alice", "carol"})
		if want := []string{"carol", "alice"}; err != nil || !slices.Equal(got, want) {
			t.Errorf("DeletePermGroupMembers = %q, %v; want %q", got, err, want)
		}
		wantPermGroupMembers(t, s, "@TGS#_a", "p", "bob")
		wantPermGroupMembers(t, s, "@TGS#_a", "q", "alice")
		wantMemberNum(t, s, "@TGS#_a", 4) // still members of the community
		for _, users := range [][]string{{"alice"}, nil} {
			if got, err := s.DeletePermGroupMembers(t.Context(), "@TGS#_a", "p", users); err != nil || len(got) != 0 {
				t.Errorf("DeletePermGroupMembers(%q) = %q, %v; want none", users, got, err)
			}
		}
	}},
	{"list members in byte order after a UserID, up to a limit", func(t *testing.T, s Store, _ func() Store) {
		users := []string{"b", "B", "_x", "a", "A", "é", "z", "Z", "1", "a1", "a_"}
		mustCommunity(t, s, "@TGS#_a", append(users, "out")...)
		mustCreatePermGroup(t, s, fullPermGroup("@TGS#_a", "p"), 0)
		mustAddPermGroupMembers(t, s, "@TGS#_a", "p", users...)
		all := []string{"1", "A", "B", "Z", "_x", "a", "a1", "a_", "b", "z", "é"}
		for _, tc := range []struct {
			after string
			limit int
			want  []string
		}{
			{"", 0, all}, {"", 3, all[:3]}, {"Z", 3, []string{"_x", "a", "a1"}}, {"a", 0, all[6:]},
			{"é", 0, nil}, {"0", 0, all}, {"", -1, all},
		} {
			got, err := s.ListPermGroupMembers(t.Context(), "@TGS#_a", "p", tc.after, tc.limit)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("ListPermGroupMembers(after %q, limit %d) = %q, %v; want %q", tc.after, tc.limit, got, err, tc.want)
			}
		}
		var got []string
		for after := ""; ; {
			page, err := s.ListPermGroupMembers(t.Context(), "@TGS#_a", "p", after, 4)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page...)
			if len(page) < 4 || len(got) > len(all) {
				break
			}
			after = page[len(page)-1]
		}
		if !slices.Equal(got, all) {
			t.Errorf("paging by after = %q, want %q", got, all)
		}
	}},
	{"every member and topic call on a permission group that does not exist is ErrNotFound and writes nothing", testNoPermGroup},
	{"leaving the community leaves its permission groups, and the count follows", func(t *testing.T, s Store, _ func() Store) {
		mustCommunity(t, s, "@TGS#_a", "alice", "bob", "carol")
		mustCommunity(t, s, "@TGS#_b", "alice", "bob")
		mustCreatePermGroup(t, s, fullPermGroup("@TGS#_a", "p"), 0)
		mustCreatePermGroup(t, s, fullPermGroup("@TGS#_a", "q"), 0)
		mustCreatePermGroup(t, s, fullPermGroup("@TGS#_b", "p"), 0)
		mustAddPermGroupMembers(t, s, "@TGS#_a", "p", "alice", "bob", "carol")
		mustAddPermGroupMembers(t, s, "@TGS#_a", "q", "bob")
		mustAddPermGroupMembers(t, s, "@TGS#_b", "p", "alice", "bob")
		if got, err := s.DeleteMembers(t.Context(), "@TGS#_a", []string{"bob", "carol"}); err != nil || len(got) != 2 {
			t.Fatalf("DeleteMembers = %q, %v", got, err)
		}
		wantPermGroupMembers(t, s, "@TGS#_a", "p", "alice")
		wantPermGroupMembers(t, s, "@TGS#_a", "q")
		wantPermGroupMembers(t, s, "@TGS#_b", "p", "alice", "bob") // still a member there
		wantGrants(t, s, "@TGS#_a", "bob")
		wantGrants(t, s, "@TGS#_b", "bob", grant("p", permBits))
		mustAdd(t, s, "@TGS#_a", members("bob")...)
		wantGrants(t, s, "@TGS#_a", "bob") // rejoining starts in no permission group
		wantPermGroupMembers(t, s, "@TGS#_a", "q")
	}},
	{"deleting an account removes it from the permission groups of every community", func(t *testing.T, s Store, _ func() Store) {
		mustCommunity(t, s, "@TGS#_a", "alice", "bob", "carol")
		mustCommunity(t, s, "@TGS#_b", "bob", "carol")
		mustCreatePermGroup(t, s, fullPermGroup("@TGS#_a", "p"), 0)
		mustCreatePermGroup(t, s, fullPermGroup("@TGS#_b", "p"), 0)
		mustAddPermGroupMembers(t, s, "@TGS#_a", "p", "alice", "bob", "carol")
		mustAddPermGroupMembers(t, s, "@TGS#_b", "p", "bob", "carol")
		if deleted, err := s.DeleteAccounts(t.Context(), []string{"bob", "nobody"}, 1000); err != nil || len(deleted) != 1 {
			t.Fatalf("DeleteAccounts = %q, %v", deleted, err)
		}
		wantPermGroupMembers(t, s, "@TGS#_a", "p", "alice", "carol")
		wantPermGroupMembers(t, s, "@TGS#_b", "p", "carol")
		mustAccounts(t, s, "bob")
		mustAdd(t, s, "@TGS#_a", members("bob")...)
		wantGrants(t, s, "@TGS#_a", "bob") // a new account with the ID starts in none
	}},
	{"concurrent adds, member removals and account deletions leave only community members, counted right", testConcurrentPermGroupMembers},
}

// testNoPermGroup calls every method taking a permission group with ones
// that do not exist: unknown, of an unknown community, and of another
// community.
func testNoPermGroup(t *testing.T, s Store, _ func() Store) {
	mustCommunity(t, s, "@TGS#_a", "alice")
	mustCommunity(t, s, "@TGS#_b", "alice")
	mustCreateTopic(t, s, fullTopic("@TGS#_a", "t"), 0)
	mustCreatePermGroup(t, s, fullPermGroup("@TGS#_b", "only-b"), 0)
	perms := []permgroup.TopicPerm{topicPerm("@TGS#_a", "t", 1)}
	for _, tc := range []struct{ groupID, id string }{{"@TGS#_a", "none"}, {"@TGS#_none", "none"}, {"@TGS#_a", "only-b"}} {
		for _, call := range []struct {
			name string
			do   func() error
		}{
			{"AddPermGroupMembers", func() error {
				_, err := s.AddPermGroupMembers(t.Context(), tc.groupID, tc.id, []string{"alice"})
				return err
			}},
			{"AddPermGroupMembers(no one)", func() error {
				_, err := s.AddPermGroupMembers(t.Context(), tc.groupID, tc.id, nil)
				return err
			}},
			{"DeletePermGroupMembers", func() error {
				_, err := s.DeletePermGroupMembers(t.Context(), tc.groupID, tc.id, []string{"alice"})
				return err
			}},
			{"ListPermGroupMembers", func() error {
				_, err := s.ListPermGroupMembers(t.Context(), tc.groupID, tc.id, "", 0)
				return err
			}},
			{"AddTopicPerms", func() error { _, err := s.AddTopicPerms(t.Context(), tc.groupID, tc.id, perms); return err }},
			{"SetTopicPerms", func() error { _, err := s.SetTopicPerms(t.Context(), tc.groupID, tc.id, perms); return err }},
			{"DeleteTopicPerms", func() error {
				_, err := s.DeleteTopicPerms(t.Context(), tc.groupID, tc.id, []string{perms[0].TopicID})
				return err
			}},
			{"GetTopicPerms", func() error { _, err := s.GetTopicPerms(t.Context(), tc.groupID, tc.id, nil); return err }},
			{"GetTopicPerms(one)", func() error {
				_, err := s.GetTopicPerms(t.Context(), tc.groupID, tc.id, []string{perms[0].TopicID})
				return err
			}},
		} {
			if err := call.do(); !errors.Is(err, permgroup.ErrNotFound) {
				t.Errorf("%s(%q, %q) = %v, want ErrNotFound", call.name, tc.groupID, tc.id, err)
			}
		}
	}
	wantGrants(t, s, "@TGS#_a", "alice")
	wantGrants(t, s, "@TGS#_b", "alice")
	wantPermGroupMembers(t, s, "@TGS#_b", "only-b")
}

// testConcurrentPermGroupMembers runs workers that add members to
// permission groups while others remove some of those from the community
// or delete their accounts; afterwards every permission group member must be
// a community member, its count right, and no error surface.
func testConcurrentPermGroupMembers(t *testing.T, s Store, _ func() Store) {
	const workers = 4
	ids := mustWorkerCommunity(t, s, "@TGS#_a", workers)
	all := slices.Concat(ids...)
	pgs := []string{"p", "q"}
	for _, id := range pgs {
		mustCreatePermGroup(t, s, fullPermGroup("@TGS#_a", id), 0)
	}
	var wg sync.WaitGroup
	for w := range workers {
		next := ids[(w+1)%workers] // the next worker removes some of these
		wg.Go(func() {
			for _, id := range pgs {
				if _, err := s.AddPermGroupMembers(t.Context(), "@TGS#_a", id, next); err != nil {
					t.Errorf("worker %d: AddPermGroupMembers: %v", w, err)
				}
			}
			if _, err := s.DeleteMembers(t.Context(), "@TGS#_a", ids[w][:2]); err != nil {
				t.Errorf("worker %d: DeleteMembers: %v", w, err)
			}
			if _, err := s.DeleteAccounts(t.Context(), ids[w][2:4], 1000); err != nil {
				t.Errorf("worker %d: DeleteAccounts: %v", w, err)
			}
			if _, err := s.DeletePermGroupMembers(t.Context(), "@TGS#_a", pgs[0], next[4:5]); err != nil {
				t.Errorf("worker %d: DeletePermGroupMembers: %v", w, err)
			}
		})
	}
	wg.Wait()
	for i, id := range pgs {
		var want []string
		for _, u := range all {
			if k := slices.Index(all, u) % 6; k >= 4 && !(i == 0 && k == 4) {
				want = append(want, u)
			}
		}
		wantPermGroupMembers(t, s, "@TGS#_a", id, want...)
	}
}
