package group_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/group"
)

func TestAddMembersRefused(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "a", "b", "c")
	ctx := context.Background()
	pub := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner"})
	small := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner", MaxMemberNum: 2})
	av := e.create(t, group.CreateRequest{Type: "AVChatRoom", Owner: "owner"})
	for _, c := range []struct {
		name    string
		groupID string
		ids     []string
		code    int
	}{
		{"no group ID", "", []string{"a"}, apierr.GroupBadParam},
		{"malformed group ID", "bad\x01", []string{"a"}, apierr.GroupBadID},
		{"group does not exist", "nosuch", []string{"a"}, apierr.GroupNotFound},
		{"empty list", pub, nil, apierr.GroupBadParam},
		{"an empty account", pub, []string{"a", ""}, apierr.GroupBadParam},
		{"an account twice", pub, []string{"a", "a"}, apierr.GroupBadParam},
		{"over 300 accounts", pub, ids("x", group.MaxAddMembers+1), apierr.GroupTooManyAccounts},
		{"AVChatRoom members join through the client", av, []string{"a"}, apierr.GroupNoPermission},
		{"more than the group can take adds none", small, []string{"a", "b"}, apierr.GroupFull},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.AddMembers(ctx, c.groupID, c.ids)
			wantCode(t, "AddMembers", err, c.code)
		})
	}
	if r := e.roles(t, small, "a", "b"); r["a"] != "NotMember" || r["b"] != "NotMember" {
		t.Errorf("a refused AddMembers added members: %v", r)
	}
	if g := e.get(t, small); g.MemberNum != 1 {
		t.Errorf("MemberNum after a refused AddMembers = %d, want 1", g.MemberNum)
	}
}

// TestAddMembersResults checks the per-account results of add_group_member:
// 1 added, 2 already a member, 0 not an imported account.
func TestAddMembersResults(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "old", "new1", "new2")
	ctx := context.Background()
	id := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner", Members: []group.NewMember{{UserID: "old"}}})
	req := []string{"new1", "old", "ghost", "owner", "new2"}
	got, err := e.svc.AddMembers(ctx, id, req)
	wantCode(t, "AddMembers", err, 0)
	want := []group.AddItem{{"new1", group.AddOK}, {"old", group.AddAlready}, {"ghost", group.AddFailed}, {"owner", group.AddAlready}, {"new2", group.AddOK}}
	if !slices.Equal(got, want) {
		t.Errorf("AddMembers = %v, want %v", got, want)
	}
	r := e.roles(t, id, "new1", "new2", "ghost", "owner")
	if r["new1"] != "Member" || r["new2"] != "Member" || r["ghost"] != "NotMember" || r["owner"] != "Owner" {
		t.Errorf("roles after AddMembers = %v", r)
	}
	if g := e.get(t, id); g.MemberNum != 4 {
		t.Errorf("MemberNum = %d, want 4", g.MemberNum)
	}
	// The Service's own view follows the store (its caches were dropped).
	if g, err := e.svc.Get(ctx, id); err != nil || g.MemberNum != 4 {
		t.Errorf("Get after AddMembers: MemberNum %d, %v; want 4", g.MemberNum, err)
	}
	// Filling the group up to its limit exactly is allowed.
	e.users(t, "last")
	limited := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner", MaxMemberNum: 2})
	got, err = e.svc.AddMembers(ctx, limited, []string{"last", "ghost"})
	wantCode(t, "AddMembers up to the limit", err, 0)
	if !slices.Equal(got, []group.AddItem{{"last", group.AddOK}, {"ghost", group.AddFailed}}) {
		t.Errorf("AddMembers up to the limit = %v", got)
	}
}

// TestImportMembers checks import_group_member: roles and join times are
// kept; a bad role or a negative join time is refused.
func TestImportMembers(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "adm", "mem")
	ctx := context.Background()
	id := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner"})
	for _, c := range []struct {
		name string
		list []group.NewMember
		code int
	}{
		{"role Owner", []group.NewMember{{UserID: "adm", Role: "Owner"}}, apierr.GroupBadParam},
		{"negative join time", []group.NewMember{{UserID: "adm", JoinTime: -1}}, apierr.GroupBadParam},
		{"roles and join times", []group.NewMember{{UserID: "adm", Role: "Admin", JoinTime: 1_600_000_000}, {UserID: "mem"}}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.ImportMembers(ctx, id, c.list)
			wantCode(t, "ImportMembers", err, c.code)
		})
	}
	adm, err := e.svc.Member(ctx, id, "adm")
	wantCode(t, "Member", err, 0)
	mem, err := e.svc.Member(ctx, id, "mem")
	wantCode(t, "Member", err, 0)
	if adm.Role != group.RoleAdmin || adm.JoinTime != 1_600_000_000 || mem.Role != group.RoleMember || mem.JoinTime != start0 {
		t.Errorf("imported members = %+v, %+v", adm, mem)
	}
}

func TestDeleteMembers(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "a", "b", "c")
	ctx := context.Background()
	id := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner", Members: []group.NewMember{{UserID: "a"}, {UserID: "b"}, {UserID: "c"}}})
	for _, c := range []struct {
		name    string
		groupID string
		ids     []string
		code    int
	}{
		{"group does not exist", "nosuch", []string{"a"}, apierr.GroupNotFound},
		{"empty list", id, nil, apierr.GroupBadParam},
		{"an account twice", id, []string{"a", "a"}, apierr.GroupBadParam},
		{"over 100 accounts", id, ids("x", group.MaxDeleteMembers+1), apierr.GroupTooManyAccounts},
		{"the owner cannot be removed", id, []string{"a", "owner"}, apierr.GroupNoPermission},
		{"members and a non-member", id, []string{"a", "ghost", "b"}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, "DeleteMembers", e.svc.DeleteMembers(ctx, c.groupID, c.ids, ""), c.code)
		})
	}
	r := e.roles(t, id, "owner", "a", "b", "c")
	if r["owner"] != "Owner" || r["a"] != "NotMember" || r["b"] != "NotMember" || r["c"] != "Member" {
		t.Errorf("roles after DeleteMembers = %v", r)
	}
	if g := e.get(t, id); g.MemberNum != 2 {
		t.Errorf("MemberNum = %d, want 2", g.MemberNum)
	}
	// Removing only non-members succeeds and changes nothing.
	wantCode(t, "DeleteMembers of non-members", e.svc.DeleteMembers(ctx, id, []string{"a", "ghost"}, ""), 0)
	if g := e.get(t, id); g.MemberNum != 2 {
		t.Errorf("MemberNum after removing non-members = %d, want 2", g.MemberNum)
	}
}

func TestModifyMember(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "m", "w", "out")
	ctx := context.Background()
	pub := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner", Members: []group.NewMember{{UserID: "m"}}})
	work := e.create(t, group.CreateRequest{Type: "Work", Owner: "owner", Members: []group.NewMember{{UserID: "w"}}})
	sec := func(n int64) *int64 { return &n }
	for _, c := range []struct {
		name  string
		u     group.MemberUpdate
		code  int
		check func(t *testing.T, m group.Member)
	}{
		{"group does not exist", group.MemberUpdate{GroupID: "nosuch", UserID: "m"}, apierr.GroupNotFound, nil},
		{"no member account", group.MemberUpdate{GroupID: pub}, apierr.GroupBadParam, nil},
		{"not a member", group.MemberUpdate{GroupID: pub, UserID: "out", NameCard: ptr("x")}, apierr.GroupBadParam, nil},
		{"make an admin", group.MemberUpdate{GroupID: pub, UserID: "m", Role: ptr("Admin")}, 0, func(t *testing.T, m group.Member) {
			if m.Role != group.RoleAdmin {
				t.Errorf("Role = %s", m.Role)
			}
		}},
		{"make a member again", group.MemberUpdate{GroupID: pub, UserID: "m", Role: ptr("Member")}, 0, func(t *testing.T, m group.Member) {
			if m.Role != group.RoleMember {
				t.Errorf("Role = %s", m.Role)
			}
		}},
		{"role Owner is not settable", group.MemberUpdate{GroupID: pub, UserID: "m", Role: ptr("Owner")}, apierr.GroupBadParam, nil},
		{"the owner's role cannot change", group.MemberUpdate{GroupID: pub, UserID: "owner", Role: ptr("Member")}, apierr.GroupNoPermission, nil},
		{"unknown MsgFlag", group.MemberUpdate{GroupID: pub, UserID: "m", MsgFlag: ptr("Mute")}, apierr.GroupBadParam, nil},
		{"MsgFlag Discard", group.MemberUpdate{GroupID: pub, UserID: "m", MsgFlag: ptr(group.Discard)}, 0, func(t *testing.T, m group.Member) {
			if m.MsgFlag != group.Discard {
				t.Errorf("MsgFlag = %s", m.MsgFlag)
			}
		}},
		{"NameCard over 50 bytes", group.MemberUpdate{GroupID: pub, UserID: "m", NameCard: ptr(strings.Repeat("n", group.MaxNameCardBytes+1))}, apierr.GroupBadParam, nil},
		{"NameCard with NUL", group.MemberUpdate{GroupID: pub, UserID: "m", NameCard: ptr("a\x00")}, apierr.GroupBadParam, nil},
		{"NameCard at 50 bytes", group.MemberUpdate{GroupID: pub, UserID: "m", NameCard: ptr(strings.Repeat("n", group.MaxNameCardBytes))}, 0, func(t *testing.T, m group.Member) {
			if len(m.NameCard) != group.MaxNameCardBytes {
				t.Errorf("NameCard = %q", m.NameCard)
			}
		}},
		{"negative mute time", group.MemberUpdate{GroupID: pub, UserID: "m", MuteSeconds: sec(-1)}, apierr.GroupBadParam, nil},
		{"mute time over the maximum", group.MemberUpdate{GroupID: pub, UserID: "m", MuteSeconds: sec(group.MaxMuteSeconds + 1)}, apierr.GroupBadParam, nil},
		{"mute for an hour", group.MemberUpdate{GroupID: pub, UserID: "m", MuteSeconds: sec(3600)}, 0, func(t *testing.T, m group.Member) {
			if m.MuteUntil != start0+3600 {
				t.Errorf("MuteUntil = %d, want %d", m.MuteUntil, start0+3600)
			}
		}},
		{"mute forever", group.MemberUpdate{GroupID: pub, UserID: "m", MuteSeconds: sec(group.MuteForever)}, 0, func(t *testing.T, m group.Member) {
			if m.MuteUntil != group.MuteForever {
				t.Errorf("MuteUntil = %d, want %d", m.MuteUntil, int64(group.MuteForever))
			}
		}},
		{"mute time 0 unmutes", group.MemberUpdate{GroupID: pub, UserID: "m", MuteSeconds: sec(0)}, 0, func(t *testing.T, m group.Member) {
			if m.MuteUntil != 0 {
				t.Errorf("MuteUntil = %d, want 0", m.MuteUntil)
			}
		}},
		{"the owner cannot be muted", group.MemberUpdate{GroupID: pub, UserID: "owner", MuteSeconds: sec(60)}, apierr.GroupNoPermission, nil},
		{"a Work group refuses muting", group.MemberUpdate{GroupID: work, UserID: "w", MuteSeconds: sec(60)}, apierr.GroupNoPermission, nil},
		{"a Work group takes an unmute", group.MemberUpdate{GroupID: work, UserID: "w", MuteSeconds: sec(0)}, 0, func(t *testing.T, m group.Member) {
			if m.MuteUntil != 0 {
				t.Errorf("MuteUntil = %d", m.MuteUntil)
			}
		}},
		{"six custom fields", group.MemberUpdate{GroupID: pub, UserID: "m", AppDefinedData: kvs(group.MaxMemberDataKeys+1, 1)}, apierr.GroupBadParam, nil},
		{"custom field over 64 bytes", group.MemberUpdate{GroupID: pub, UserID: "m", AppDefinedData: kvs(1, group.MaxMemberDataValBytes+1)}, apierr.GroupBadParam, nil},
		{"five custom fields", group.MemberUpdate{GroupID: pub, UserID: "m", AppDefinedData: kvs(group.MaxMemberDataKeys, group.MaxMemberDataValBytes)}, 0, func(t *testing.T, m group.Member) {
			if len(m.AppDefinedData) != group.MaxMemberDataKeys {
				t.Errorf("AppDefinedData = %+v", m.AppDefinedData)
			}
		}},
		{"a sixth key after the merge", group.MemberUpdate{GroupID: pub, UserID: "m", AppDefinedData: []group.KV{{Key: "extra", Value: "x"}}}, apierr.GroupBadParam, nil},
		{"an empty value deletes its key, making room", group.MemberUpdate{GroupID: pub, UserID: "m", AppDefinedData: []group.KV{{Key: "k0", Value: ""}, {Key: "extra", Value: "x"}}},
			0, func(t *testing.T, m group.Member) {
				keys := []string{}
				for _, kv := range m.AppDefinedData {
					keys = append(keys, kv.Key)
				}
				if !slices.Equal(keys, []string{"extra", "k1", "k2", "k3", "k4"}) {
					t.Errorf("keys = %q", keys)
				}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := e.svc.ModifyMember(ctx, c.u)
			wantCode(t, "ModifyMember", err, c.code)
			if c.check == nil {
				return
			}
			c.check(t, m)
			stored, err := e.db.GetMember(ctx, c.u.GroupID, c.u.UserID)
			wantCode(t, "GetMember", err, 0)
			c.check(t, stored)
		})
	}
}

// TestMute checks forbid_send_msg and get_group_muted_account: Private
// (Work) groups refuse muting, the owner cannot be muted, non-members are
// ignored, and a mute ends at its time.
func TestMute(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "a", "b")
	ctx := context.Background()
	members := []group.NewMember{{UserID: "a"}, {UserID: "b"}}
	pub := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner", Members: members})
	work := e.create(t, group.CreateRequest{Type: "Work", Owner: "owner", Members: members})
	private := e.create(t, group.CreateRequest{Type: "Private", Owner: "owner", Members: members})
	sec := func(n int64) *int64 { return &n }
	for _, c := range []struct {
		name    string
		groupID string
		ids     []string
		secs    *int64
		code    int
	}{
		{"a Work group refuses muting", work, []string{"a"}, sec(60), apierr.GroupNoPermission},
		{"a Private group refuses muting", private, []string{"a"}, sec(60), apierr.GroupNoPermission},
		{"a Private group refuses unmuting too", private, []string{"a"}, sec(0), apierr.GroupNoPermission},
		{"group does not exist", "nosuch", []string{"a"}, sec(60), apierr.GroupNotFound},
		{"no mute time", pub, []string{"a"}, nil, apierr.GroupBadParam},
		{"negative mute time", pub, []string{"a"}, sec(-5), apierr.GroupBadParam},
		{"empty list", pub, nil, sec(60), apierr.GroupBadParam},
		{"an account twice", pub, []string{"a", "a"}, sec(60), apierr.GroupBadParam},
		{"over 500 accounts", pub, ids("x", group.MaxMuteMembers+1), sec(60), apierr.GroupTooManyAccounts},
		{"the owner cannot be muted", pub, []string{"a", "owner"}, sec(60), apierr.GroupNoPermission},
		{"the owner can be unmuted", pub, []string{"owner"}, sec(0), 0},
		{"members and a non-member", pub, []string{"a", "ghost", "b"}, sec(100), 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, "Mute", e.svc.Mute(ctx, c.groupID, c.ids, c.secs), c.code)
		})
	}
	muted := func() []string {
		t.Helper()
		ms, err := e.svc.Muted(ctx, pub)
		wantCode(t, "Muted", err, 0)
		out := []string{}
		for _, m := range ms {
			if m.MuteUntil != start0+100 {
				t.Errorf("%s muted until %d, want %d", m.UserID, m.MuteUntil, start0+100)
			}
			out = append(out, m.UserID)
		}
		slices.Sort(out)
		return out
	}
	if got := muted(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Muted = %q, want [a b]", got)
	}
	wantCode(t, "unmute b", e.svc.Mute(ctx, pub, []string{"b"}, sec(0)), 0)
	if got := muted(); !slices.Equal(got, []string{"a"}) {
		t.Errorf("Muted after unmuting b = %q, want [a]", got)
	}
	e.advance(100)
	if got := muted(); len(got) != 0 {
		t.Errorf("Muted once the mute ended = %q, want none", got)
	}
	_, err := e.svc.Muted(ctx, "nosuch")
	wantCode(t, "Muted of a missing group", err, apierr.GroupNotFound)
}

func TestRoles(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "adm")
	ctx := context.Background()
	id := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner", Members: []group.NewMember{{UserID: "adm", Role: "Admin"}}})
	for _, c := range []struct {
		name    string
		groupID string
		ids     []string
		code    int
		want    []string
	}{
		{"group does not exist", "nosuch", []string{"owner"}, apierr.GroupNotFound, nil},
		{"empty list", id, nil, apierr.GroupBadParam, nil},
		{"over 500 accounts", id, ids("x", group.MaxRoleQuery+1), apierr.GroupTooManyAccounts, nil},
		{"500 accounts", id, ids("x", group.MaxRoleQuery), 0, slices.Repeat([]string{"NotMember"}, group.MaxRoleQuery)},
		{"each role in request order", id, []string{"adm", "ghost", "owner"}, 0, []string{"Admin", "NotMember", "Owner"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := e.svc.Roles(ctx, c.groupID, c.ids)
			wantCode(t, "Roles", err, c.code)
			if c.code == 0 && !slices.Equal(got, c.want) {
				t.Errorf("Roles = %q, want %q", got, c.want)
			}
		})
	}
}
