package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/group"
)

// fullGroup returns a group of type typ owned by "alice" with every field
// set, the booleans mixed so that swapped columns show.
func fullGroup(id string, typ group.Type) group.Group {
	return group.Group{
		ID: id, Type: typ, Name: "Name of " + id, Introduction: "Intro", Notification: "Notice",
		FaceURL: "https://example.com/face.png", Owner: "alice", CreateTime: 1_700_000_000,
		InfoSeq: 3, LastInfoTime: 1_700_000_100, LastMsgTime: 1_700_000_200, NextMsgSeq: 7,
		MaxMemberNum: 2000, ApplyJoinOption: "NeedPermission", InviteJoinOption: "FreeAccess",
		MuteAllMember: true, SupportTopic: false, EnablePermission: true, DefaultPermission: permBits,
		HistoryMsgBeforeJoin: false,
		AppDefinedData:       []group.KV{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}},
	}
}

// member returns a membership of userID with role, joined at joinTime, with
// the other fields set.
func member(userID string, role group.Role, joinTime int64) group.Member {
	return group.Member{
		UserID: userID, Role: role, JoinTime: joinTime, MsgSeq: 4, MsgFlag: "AcceptAndNotify",
		LastSendMsgTime: joinTime + 1, NameCard: "card of " + userID,
	}
}

// members returns a plain member (joined at 1) for each of ids.
func members(ids ...string) []group.Member {
	ms := make([]group.Member, len(ids))
	for i, id := range ids {
		ms[i] = member(id, group.RoleMember, 1)
	}
	return ms
}

// mustAccounts imports accounts with the given IDs.
func mustAccounts(t testing.TB, s Store, ids ...string) {
	t.Helper()
	imports := make([]account.Import, len(ids))
	for i, id := range ids {
		imports[i] = account.Import{UserID: id}
	}
	mustImport(t, s, 1, imports...)
}

// mustCreate imports the members' accounts, then creates g with them.
func mustCreate(t testing.TB, s Store, g group.Group, ms ...group.Member) {
	t.Helper()
	if len(ms) > 0 {
		ids := memberIDs(ms)
		mustAccounts(t, s, ids...)
	}
	if err := s.CreateGroup(t.Context(), g, ms); err != nil {
		t.Fatalf("CreateGroup(%q): %v", g.ID, err)
	}
}

// mustAdd adds members to groupID with no limit.
func mustAdd(t testing.TB, s Store, groupID string, ms ...group.Member) group.AddResult {
	t.Helper()
	res, err := s.AddMembers(t.Context(), groupID, ms, 0)
	if err != nil {
		t.Fatalf("AddMembers(%q): %v", groupID, err)
	}
	return res
}

// sameGroup reports whether a and b are equal, taking no custom data and
// an empty list of it as the same.
func sameGroup(a, b group.Group) bool {
	if len(a.AppDefinedData) == 0 && len(b.AppDefinedData) == 0 {
		a.AppDefinedData, b.AppDefinedData = nil, nil
	}
	return reflect.DeepEqual(a, b)
}

// sameMember is sameGroup for members.
func sameMember(a, b group.Member) bool {
	if len(a.AppDefinedData) == 0 && len(b.AppDefinedData) == 0 {
		a.AppDefinedData, b.AppDefinedData = nil, nil
	}
	return reflect.DeepEqual(a, b)
}

// wantGroup checks that GetGroup(want.ID) is want.
func wantGroup(t testing.TB, s Store, want group.Group) {
	t.Helper()
	got, err := s.GetGroup(t.Context(), want.ID)
	if err != nil {
		t.Fatalf("GetGroup(%q): %v", want.ID, err)
	}
	if !sameGroup(got, want) {
		t.Errorf("GetGroup(%q)\n got %+v\nwant %+v", want.ID, got, want)
	}
}

// wantNoGroup checks that GetGroup(id) is ErrNotFound.
func wantNoGroup(t testing.TB, s Store, id string) {
	t.Helper()
	if g, err := s.GetGroup(t.Context(), id); !errors.Is(err, group.ErrNotFound) {
		t.Errorf("GetGroup(%q) = %+v, %v; want ErrNotFound", id, g, err)
	}
}

// wantMember checks that GetMember(groupID, want.UserID) is want (with
// GroupID set to groupID).
func wantMember(t testing.TB, s Store, want group.Member, groupID string) {
	t.Helper()
	want.GroupID = groupID
	got, err := s.GetMember(t.Context(), groupID, want.UserID)
	if err != nil {
		t.Fatalf("GetMember(%q, %q): %v", groupID, want.UserID, err)
	}
	if !sameMember(got, want) {
		t.Errorf("GetMember(%q, %q)\n got %+v\nwant %+v", groupID, want.UserID, got, want)
	}
}

// wantNoMember checks that GetMember(groupID, userID) is ErrNoMember.
func wantNoMember(t testing.TB, s Store, groupID, userID string) {
	t.Helper()
	if m, err := s.GetMember(t.Context(), groupID, userID); !errors.Is(err, group.ErrNoMember) {
		t.Errorf("GetMember(%q, %q) = %+v, %v; want ErrNoMember", groupID, userID, m, err)
	}
}

// wantMemberNum checks that group id has n members by its MemberNum and by
// listing them.
func wantMemberNum(t testing.TB, s Store, id string, n int) {
	t.Helper()
	g, err := s.GetGroup(t.Context(), id)
	if err != nil {
		t.Fatalf("GetGroup(%q): %v", id, err)
	}
	listed, err := s.ListMembers(t.Context(), id, group.MemberQuery{})
	if err != nil {
		t.Fatalf("ListMembers(%q): %v", id, err)
	}
	if g.MemberNum != n || len(listed) != n {
		t.Errorf("group %q: MemberNum %d, %d members listed; want %d", id, g.MemberNum, len(listed), n)
	}
}

// wantOwner checks the recorded owner of group id and the roles: owner (if
// any) is the only member with RoleOwner.
func wantOwner(t testing.TB, s Store, id, owner string) {
	t.Helper()
	g, err := s.GetGroup(t.Context(), id)
	if err != nil {
		t.Fatalf("GetGroup(%q): %v", id, err)
	}
	if g.Owner != owner {
		t.Errorf("group %q: Owner %q, want %q", id, g.Owner, owner)
	}
	var want []string
	if owner != "" {
		want = []string{owner}
	}
	wantListed(t, s, id, group.MemberQuery{Role: group.RoleOwner}, want...)
}

// wantListed checks the UserIDs that ListMembers(groupID, q) returns, in
// order, and that each member is of groupID (and of q.Role when set).
func wantListed(t testing.TB, s Store, groupID string, q group.MemberQuery, want ...string) {
	t.Helper()
	got, err := s.ListMembers(t.Context(), groupID, q)
	if err != nil {
		t.Fatalf("ListMembers(%q, %+v): %v", groupID, q, err)
	}
	call := fmt.Sprintf("ListMembers(%q, %+v)", groupID, q)
	wantIDs(t, call, call, got, func(m group.Member) string { return m.UserID },
		func(m group.Member) bool { return m.GroupID == groupID && (q.Role == "" || m.Role == q.Role) }, want)
}

// wantJoined checks the group IDs that JoinedGroups(userID, q) returns, in
// order, and its total.
func wantJoined(t testing.TB, s Store, userID string, q group.JoinedQuery, total int, want ...string) {
	t.Helper()
	got, n, err := s.JoinedGroups(t.Context(), userID, q)
	if err != nil {
		t.Fatalf("JoinedGroups(%q, %+v): %v", userID, q, err)
	}
	var ids []string
	for _, j := range got {
		ids = append(ids, j.Group.ID)
		if j.Member.UserID != userID || j.Member.GroupID != j.Group.ID {
			t.Errorf("JoinedGroups(%q): group %q with membership %+v", userID, j.Group.ID, j.Member)
		}
	}
	if !slices.Equal(ids, want) || n != total {
		t.Errorf("JoinedGroups(%q, %+v) = %q, total %d; want %q, total %d", userID, q, ids, n, want, total)
	}
}

// cmpString orders strings by their bytes.
func cmpString(a, b string) int { return strings.Compare(a, b) }

// wantIDs checks that the IDs (by id) of what a call returned, got, are
// want, in order, and that each item is of the group asked for (inGroup).
// A failure names the call: as full, with all its arguments, for the IDs;
// as short for an item.
func wantIDs[T any](t testing.TB, full, short string, got []T, id func(T) string, inGroup func(T) bool, want []string) {
	t.Helper()
	var ids []string
	for _, v := range got {
		ids = append(ids, id(v))
		if !inGroup(v) {
			t.Errorf("%s returned %+v", short, v)
		}
	}
	if !slices.Equal(ids, want) {
		t.Errorf("%s = %q, want %q", full, ids, want)
	}
}

// memberIDs returns the UserIDs of ms, in order.
func memberIDs(ms []group.Member) []string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.UserID)
	}
	return ids
}
