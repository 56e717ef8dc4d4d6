package storetest

import (
	"cmp"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/permgroup"
)

// fullPermGroup returns permission group id of community groupID with every
// field set, the top bit of the permission set so that lost bits show.
func fullPermGroup(groupID, id string) permgroup.PermGroup {
	return permgroup.PermGroup{
		ID: id, GroupID: groupID, Name: "Group " + id, Permission: permBits,
		CustomString: "custom " + id, CreateTime: 1_700_000_000,
	}
}

// topicPerm returns the permission bits in topic name of community groupID
// (the topic of fullTopic).
func topicPerm(groupID, name string, bits uint64) permgroup.TopicPerm {
	return permgroup.TopicPerm{TopicID: fullTopic(groupID, name).ID, Permission: bits}
}

// mustCreatePermGroup creates pg with the limit maxGroups.
func mustCreatePermGroup(t testing.TB, s Store, pg permgroup.PermGroup, maxGroups int) {
	t.Helper()
	if err := s.CreatePermGroup(t.Context(), pg, maxGroups); err != nil {
		t.Fatalf("CreatePermGroup(%q, %q): %v", pg.GroupID, pg.ID, err)
	}
}

// mustAddPermGroupMembers adds userIDs, all members of the community and
// none in the permission group yet, to permission group id.
func mustAddPermGroupMembers(t testing.TB, s Store, groupID, id string, userIDs ...string) {
	t.Helper()
	got, err := s.AddPermGroupMembers(t.Context(), groupID, id, userIDs)
	wantStatuses(t, fmt.Sprintf("AddPermGroupMembers(%q, %q, %q)", groupID, id, userIDs), got, err,
		slices.Repeat([]permgroup.ItemStatus{permgroup.ItemOK}, len(userIDs))...)
}

// mustAddTopicPerms adds perms, all in topics of the community and new to
// the permission group, to permission group id.
func mustAddTopicPerms(t testing.TB, s Store, groupID, id string, perms ...permgroup.TopicPerm) {
	t.Helper()
	got, err := s.AddTopicPerms(t.Context(), groupID, id, perms)
	wantStatuses(t, fmt.Sprintf("AddTopicPerms(%q, %q, %v)", groupID, id, perms), got, err,
		slices.Repeat([]permgroup.ItemStatus{permgroup.ItemOK}, len(perms))...)
}

// statusNames name the item statuses in failure messages.
var statusNames = map[permgroup.ItemStatus]string{
	permgroup.ItemOK: "OK", permgroup.ItemExists: "Exists", permgroup.ItemMissing: "Missing",
	permgroup.ItemNoTopic: "NoTopic", permgroup.ItemNotMember: "NotMember", permgroup.ItemAlready: "Already",
}

func statusString(ss []permgroup.ItemStatus) string {
	names := make([]string, len(ss))
	for i, st := range ss {
		names[i] = cmp.Or(statusNames[st], fmt.Sprint(int(st)))
	}
	return "[" + strings.Join(names, " ") + "]"
}

// wantStatuses checks the result of the batch write call, one status per
// input item in input order.
func wantStatuses(t testing.TB, call string, got []permgroup.ItemStatus, err error, want ...permgroup.ItemStatus) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s = %s, want %s", call, statusString(got), statusString(want))
	}
}

// wantPermGroups checks that GetPermGroups(groupID, ids, after, limit) is
// want, in order.
func wantPermGroups(t testing.TB, s Store, groupID string, ids []string, after string, limit int, want ...permgroup.PermGroup) {
	t.Helper()
	got, err := s.GetPermGroups(t.Context(), groupID, ids, after, limit)
	if err != nil {
		t.Fatalf("GetPermGroups(%q, %q, %q, %d): %v", groupID, ids, after, limit, err)
	}
	if (len(got) != 0 || len(want) != 0) && !reflect.DeepEqual(got, want) {
		t.Errorf("GetPermGroups(%q, %q, %q, %d)\n got %+v\nwant %+v", groupID, ids, after, limit, got, want)
	}
}

// wantPermGroupIDs checks the IDs of the permission groups that
// GetPermGroups(groupID, ids, after, limit) returns, in order, and that
// each is of groupID.
func wantPermGroupIDs(t testing.TB, s Store, groupID string, ids []string, after string, limit int, want ...string) {
	t.Helper()
	got, err := s.GetPermGroups(t.Context(), groupID, ids, after, limit)
	if err != nil {
		t.Fatalf("GetPermGroups(%q, %q, %q, %d): %v", groupID, ids, after, limit, err)
	}
	wantIDs(t, fmt.Sprintf("GetPermGroups(%q, %q, %q, %d)", groupID, ids, after, limit), fmt.Sprintf("GetPermGroups(%q)", groupID),
		got, func(pg permgroup.PermGroup) string { return pg.ID }, func(pg permgroup.PermGroup) bool { return pg.GroupID == groupID }, want)
}

// wantPermGroupMembers checks the members of permission group id, listed
// in full, and that its MemberCount agrees.
func wantPermGroupMembers(t testing.TB, s Store, groupID, id string, want ...string) {
	t.Helper()
	got, err := s.ListPermGroupMembers(t.Context(), groupID, id, "", 0)
	wantList(t, fmt.Sprintf("ListPermGroupMembers(%q, %q)", groupID, id), got, err, want)
	pgs, err := s.GetPermGroups(t.Context(), groupID, []string{id}, "", 0)
	if err != nil || len(pgs) != 1 {
		t.Fatalf("GetPermGroups(%q, [%q]) = %+v, %v", groupID, id, pgs, err)
	}
	if pgs[0].MemberCount != len(want) {
		t.Errorf("permission group %q of %q: MemberCount %d, want %d", id, groupID, pgs[0].MemberCount, len(want))
	}
}

// wantTopicPerms checks that GetTopicPerms(groupID, id, topicIDs) is want,
// in order.
func wantTopicPerms(t testing.TB, s Store, groupID, id string, topicIDs []string, want ...permgroup.TopicPerm) {
	t.Helper()
	got, err := s.GetTopicPerms(t.Context(), groupID, id, topicIDs)
	wantList(t, fmt.Sprintf("GetTopicPerms(%q, %q, %q)", groupID, id, topicIDs), got, err, want)
}

// grant returns the grant of permission group id with community bits perms
// and topic permissions perms.
func grant(id string, bits uint64, perms ...permgroup.TopicPerm) permgroup.Grant {
	g := permgroup.Grant{PermGroupID: id, Permission: bits, Topics: map[string]uint64{}}
	for _, p := range perms {
		g.Topics[p.TopicID] = p.Permission
	}
	return g
}

// wantGrants checks that UserGrants(groupID, userID) is want, in any order
// of permission groups, and an empty slice, not nil, when want is empty.
func wantGrants(t testing.TB, s Store, groupID, userID string, want ...permgroup.Grant) {
	t.Helper()
	got, err := s.UserGrants(t.Context(), groupID, userID)
	if err != nil {
		t.Fatalf("UserGrants(%q, %q): %v", groupID, userID, err)
	}
	if got == nil {
		t.Errorf("UserGrants(%q, %q) = nil, want an empty slice", groupID, userID)
	}
	got = slices.SortedFunc(slices.Values(got), func(a, b permgroup.Grant) int { return cmp.Compare(a.PermGroupID, b.PermGroupID) })
	same := len(got) == len(want)
	for i := 0; same && i < len(got); i++ {
		same = got[i].PermGroupID == want[i].PermGroupID && got[i].Permission == want[i].Permission &&
			maps.Equal(got[i].Topics, want[i].Topics)
	}
	if !same {
		t.Errorf("UserGrants(%q, %q)\n got %+v\nwant %+v", groupID, userID, got, want)
	}
}
