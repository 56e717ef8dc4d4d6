package storetest

import (
	"math"
	"testing"

	"github.com/hearth-chat/hearth/internal/permgroup"
)

// permGroupTopicCases cover the topic permissions of permission groups and
// the grants they make up.
var permGroupTopicCases = []testCase{
	{"add topic permissions reports OK, Exists or NoTopic per item; a repeat is Exists and the first bits stay", func(t *testing.T, s Store, _ func() Store) {
		a := "@TGS#_a"
		mustTopicPermCommunity(t, s, a)
		mustCommunity(t, s, "@TGS#_b")
		mustCreateTopic(t, s, fullTopic("@TGS#_b", "b"), 0)
		got, err := s.AddTopicPerms(t.Context(), a, "p", []permgroup.TopicPerm{
			topicPerm(a, "a", 1), topicPerm(a, "none", 2), topicPerm(a, "b", permBits), topicPerm(a, "a", 3),
			{TopicID: fullTopic("@TGS#_b", "b").ID, Permission: 4}, topicPerm(a, "c", 0),
		})
		wantStatuses(t, "AddTopicPerms", got, err, itemOK, itemNoTopic, itemOK, itemExists, itemNoTopic, itemOK)
		got, err = s.AddTopicPerms(t.Context(), a, "p", []permgroup.TopicPerm{topicPerm(a, "b", 9)})
		wantStatuses(t, "AddTopicPerms(again)", got, err, itemExists)
		got, err = s.AddTopicPerms(t.Context(), a, "p", nil)
		wantStatuses(t, "AddTopicPerms(none)", got, err)
		wantTopicPerms(t, s, a, "p", nil, topicPerm(a, "a", 1), topicPerm(a, "b", permBits), topicPerm(a, "c", 0))
		wantTopicPerms(t, s, a, "q", nil)
		mustAddTopicPerms(t, s, a, "q", topicPerm(a, "b", 5)) // per permission group
		wantTopicPerms(t, s, a, "q", nil, topicPerm(a, "b", 5))
	}},
	{"set topic permissions reports OK, Missing or NoTopic per item; a repeat sets again and the last bits stay", func(t *testing.T, s Store, _ func() Store) {
		a := "@TGS#_a"
		mustTopicPermCommunity(t, s, a)
		mustAddTopicPerms(t, s, a, "p", topicPerm(a, "a", 1), topicPerm(a, "b", 2))
		mustAddTopicPerms(t, s, a, "q", topicPerm(a, "c", 3))
		got, err := s.SetTopicPerms(t.Context(), a, "p", []permgroup.TopicPerm{
			topicPerm(a, "b", 5), topicPerm(a, "c", 6), topicPerm(a, "none", 7), topicPerm(a, "a", math.MaxUint64), topicPerm(a, "b", 8),
		})
		wantStatuses(t, "SetTopicPerms", got, err, itemOK, itemMissing, itemNoTopic, itemOK, itemOK)
		got, err = s.SetTopicPerms(t.Context(), a, "p", nil)
		wantStatuses(t, "SetTopicPerms(none)", got, err)
		wantTopicPerms(t, s, a, "p", nil, topicPerm(a, "a", math.MaxUint64), topicPerm(a, "b", 8))
		wantTopicPerms(t, s, a, "q", nil, topicPerm(a, "c", 3))
	}},
	{"delete topic permissions reports OK or Missing per item; a repeat is Missing", func(t *testing.T, s Store, _ func() Store) {
		a := "@TGS#_a"
		mustTopicPermCommunity(t, s, a)
		mustAddTopicPerms(t, s, a, "p", topicPerm(a, "a", 1), topicPerm(a, "b", 2))
		mustAddTopicPerms(t, s, a, "q", topicPerm(a, "a", 3))
		ids := func(names ...string) []string {
			out := make([]string, len(names))
			for i, n := range names {
				out[i] = fullTopic(a, n).ID
			}
			return out
		}
		got, err := s.DeleteTopicPerms(t.Context(), a, "p", ids("b", "c", "none", "b", "a"))
		wantStatuses(t, "DeleteTopicPerms", got, err, itemOK, itemMissing, itemMissing, itemMissing, itemOK)
		got, err = s.DeleteTopicPerms(t.Context(), a, "p", nil)
		wantStatuses(t, "DeleteTopicPerms(none)", got, err)
		wantTopicPerms(t, s, a, "p", nil)
		wantTopicPerms(t, s, a, "q", nil, topicPerm(a, "a", 3))
		wantTopics(t, s, a, ids("a"), fullTopic(a, "a")) // the topic stays
	}},
	{"get topic permissions: all in topic ID byte order; by IDs in the order asked, each once", func(t *testing.T, s Store, _ func() Store) {
		a := "@TGS#_a"
		mustCommunity(t, s, a)
		for _, name := range []string{"z", "a", "M", "é", "0"} {
			mustCreateTopic(t, s, fullTopic(a, name), 0)
		}
		mustCreatePermGroup(t, s, fullPermGroup(a, "p"), 0)
		z, a0, e, zero := topicPerm(a, "z", 1), topicPerm(a, "a", 2), topicPerm(a, "é", 3), topicPerm(a, "0", 4)
		mustAddTopicPerms(t, s, a, "p", z, a0, e, zero) // none in M
		m, none := fullTopic(a, "M").ID, fullTopic(a, "none").ID
		for _, tc := range []struct {
			name string
			ids  []string
			want []permgroup.TopicPerm
		}{
			{"all", nil, []permgroup.TopicPerm{zero, a0, z, e}},
			{"some, repeated and missing", []string{e.TopicID, none, z.TopicID, e.TopicID, m}, []permgroup.TopicPerm{e, z}},
			{"one", []string{a0.TopicID}, []permgroup.TopicPerm{a0}},
			{"one without permissions", []string{m}, nil},
			{"none", []string{}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) { wantTopicPerms(t, s, a, "p", tc.ids, tc.want...) })
		}
	}},
	{"destroying a topic removes its permissions from every permission group", func(t *testing.T, s Store, _ func() Store) {
		a := "@TGS#_a"
		mustCommunity(t, s, a, "alice")
		mustCreateTopic(t, s, fullTopic(a, "t"), 0)
		mustCreateTopic(t, s, fullTopic(a, "u"), 0)
		mustCreatePermGroup(t, s, fullPermGroup(a, "p"), 0)
		mustCreatePermGroup(t, s, fullPermGroup(a, "q"), 0)
		mustAddTopicPerms(t, s, a, "p", topicPerm(a, "t", 1), topicPerm(a, "u", 2))
		mustAddTopicPerms(t, s, a, "q", topicPerm(a, "t", 3))
		mustAddPermGroupMembers(t, s, a, "p", "alice")
		mustAddPermGroupMembers(t, s, a, "q", "alice")
		if got, err := s.DeleteTopics(t.Context(), a, []string{fullTopic(a, "t").ID}); err != nil || len(got) != 1 {
			t.Fatalf("DeleteTopics = %q, %v", got, err)
		}
		wantTopicPerms(t, s, a, "p", nil, topicPerm(a, "u", 2))
		wantTopicPerms(t, s, a, "q", nil)
		wantGrants(t, s, a, "alice", grant("p", permBits, topicPerm(a, "u", 2)), grant("q", permBits))
		mustCreateTopic(t, s, fullTopic(a, "t"), 0) // a new topic with the ID starts without
		wantTopicPerms(t, s, a, "p", nil, topicPerm(a, "u", 2))
		wantPermGroupMembers(t, s, a, "p", "alice")
	}},
	{"user grants hold every permission group of the member with all its topic permissions", testUserGrants},
}

// testUserGrants reads the grants of members of several permission groups,
// of several communities, with and without topic permissions.
func testUserGrants(t *testing.T, s Store, _ func() Store) {
	a, b := "@TGS#_a", "@TGS#_b"
	mustCommunity(t, s, a, "alice", "bob", "carol")
	mustCommunity(t, s, b, "alice")
	for _, name := range []string{"t", "u", "v"} {
		mustCreateTopic(t, s, fullTopic(a, name), 0)
	}
	mustCreateTopic(t, s, fullTopic(b, "w"), 0)
	p, q, r, bp := fullPermGroup(a, "p"), fullPermGroup(a, "q"), fullPermGroup(a, "r"), fullPermGroup(b, "p")
	q.Permission, r.Permission, bp.Permission = 0, 7, 2
	for _, pg := range []permgroup.PermGroup{p, q, r, bp} {
		mustCreatePermGroup(t, s, pg, 0)
	}
	mustAddTopicPerms(t, s, a, "p", topicPerm(a, "t", 1), topicPerm(a, "u", math.MaxUint64))
	mustAddTopicPerms(t, s, a, "r", topicPerm(a, "v", permBits))
	mustAddTopicPerms(t, s, b, "p", topicPerm(b, "w", 3))
	mustAddPermGroupMembers(t, s, a, "p", "alice")
	mustAddPermGroupMembers(t, s, a, "q", "alice")
	mustAddPermGroupMembers(t, s, a, "r", "bob")
	mustAddPermGroupMembers(t, s, b, "p", "alice")

	wantGrants(t, s, a, "alice", grant("p", permBits, topicPerm(a, "t", 1), topicPerm(a, "u", math.MaxUint64)), grant("q", 0))
	wantGrants(t, s, a, "bob", grant("r", 7, topicPerm(a, "v", permBits)))
	wantGrants(t, s, b, "alice", grant("p", 2, topicPerm(b, "w", 3)))
	wantGrants(t, s, a, "carol") // a member in no permission group
	wantGrants(t, s, a, "nobody")
	wantGrants(t, s, "@TGS#_none", "alice")
	// Every change shows in the next read.
	if _, err := s.ModifyPermGroup(t.Context(), a, "q", permgroup.Patch{Permission: new(uint64(permBits))}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetTopicPerms(t.Context(), a, "p", []permgroup.TopicPerm{topicPerm(a, "t", 0)}); err != nil {
		t.Fatal(err)
	}
	mustAddTopicPerms(t, s, a, "q", topicPerm(a, "v", 9))
	if _, err := s.DeleteTopicPerms(t.Context(), a, "p", []string{fullTopic(a, "u").ID}); err != nil {
		t.Fatal(err)
	}
	wantGrants(t, s, a, "alice", grant("p", permBits, topicPerm(a, "t", 0)), grant("q", permBits, topicPerm(a, "v", 9)))
	if _, err := s.DeletePermGroupMembers(t.Context(), a, "p", []string{"alice"}); err != nil {
		t.Fatal(err)
	}
	wantGrants(t, s, a, "alice", grant("q", permBits, topicPerm(a, "v", 9)))
}

// mustTopicPermCommunity creates community groupID with the topics a, b
// and c and the permission groups p and q, which have no topic permissions
// yet.
func mustTopicPermCommunity(t testing.TB, s Store, groupID string) {
	t.Helper()
	mustCommunity(t, s, groupID)
	for _, name := range []string{"a", "b", "c"} {
		mustCreateTopic(t, s, fullTopic(groupID, name), 0)
	}
	mustCreatePermGroup(t, s, fullPermGroup(groupID, "p"), 0)
	mustCreatePermGroup(t, s, fullPermGroup(groupID, "q"), 0)
}
