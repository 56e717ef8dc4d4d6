package group_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/permission"
)

// TestModify checks modify_group_base_info field by field: what it
// refuses, what it stores, and where an explicit zero means "unchanged".
func TestModify(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "a", "b")
	ctx := context.Background()
	members := []group.NewMember{{UserID: "a"}, {UserID: "b"}}
	pub := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner", Members: members, MaxMemberNum: 100})
	av := e.create(t, group.CreateRequest{Type: "AVChatRoom", Owner: "owner"})
	comm := e.create(t, group.CreateRequest{Type: "Community", Owner: "owner"})
	topics := e.create(t, group.CreateRequest{Type: "Community", Owner: "owner", SupportTopic: 1})
	zeroInt, one, two := 0, 1, 2
	zero64, bit := uint64(0), uint64(1)
	outside := ^uint64(permission.AllCommunityBits)
	on, off, yes := "On", "Off", "yes"
	for _, c := range []struct {
		name  string
		req   group.ModifyRequest
		code  int
		check func(t *testing.T, before, after group.Group)
	}{
		{"group does not exist", group.ModifyRequest{GroupID: "nosuch", Name: ptr("x")}, apierr.GroupNotFound, nil},
		{"malformed group ID", group.ModifyRequest{GroupID: "a\x00", Name: ptr("x")}, apierr.GroupBadID, nil},
		{"empty name", group.ModifyRequest{GroupID: pub, Name: ptr("")}, apierr.GroupBadParam, nil},
		{"name over 30 bytes", group.ModifyRequest{GroupID: pub, Name: ptr(strings.Repeat("n", group.MaxNameBytes+1))}, apierr.GroupBadParam, nil},
		{"introduction over 240 bytes", group.ModifyRequest{GroupID: pub, Introduction: ptr(strings.Repeat("i", group.MaxIntroductionBytes+1))}, apierr.GroupBadParam, nil},
		{"notification over 300 bytes", group.ModifyRequest{GroupID: pub, Notification: ptr(strings.Repeat("i", group.MaxNotificationBytes+1))}, apierr.GroupBadParam, nil},
		{"face URL over 100 bytes", group.ModifyRequest{GroupID: pub, FaceURL: ptr(strings.Repeat("i", group.MaxFaceURLBytes+1))}, apierr.GroupBadParam, nil},
		{"name and texts", group.ModifyRequest{GroupID: pub, Name: ptr("renamed"), Introduction: ptr(""), Notification: ptr("note"), FaceURL: ptr("http://f")}, 0,
			func(t *testing.T, before, after group.Group) {
				if after.Name != "renamed" || after.Introduction != "" || after.Notification != "note" || after.FaceURL != "http://f" {
					t.Errorf("after = %+v", after)
				}
			}},
		{"a refused field changes nothing", group.ModifyRequest{GroupID: pub, Name: ptr("unwritten"), ApplyJoinOption: ptr("Whatever")}, apierr.GroupBadParam, nil},
		{"unknown ApplyJoinOption", group.ModifyRequest{GroupID: pub, ApplyJoinOption: ptr("Open")}, apierr.GroupBadParam, nil},
		{"unknown InviteJoinOption", group.ModifyRequest{GroupID: pub, InviteJoinOption: ptr(group.DisableApply)}, apierr.GroupBadParam, nil},
		{"InviteJoinOption on an AVChatRoom", group.ModifyRequest{GroupID: av, InviteJoinOption: ptr(group.FreeAccess)}, apierr.GroupBadParam, nil},
		{"join options", group.ModifyRequest{GroupID: pub, ApplyJoinOption: ptr(group.DisableApply), InviteJoinOption: ptr(group.DisableInvite)}, 0,
			func(t *testing.T, before, after group.Group) {
				if after.ApplyJoinOption != group.DisableApply || after.InviteJoinOption != group.DisableInvite {
					t.Errorf("join options = %s/%s", after.ApplyJoinOption, after.InviteJoinOption)
				}
			}},
		{"MaxMemberNum 0 means unchanged", group.ModifyRequest{GroupID: pub, MaxMemberNum: &zeroInt}, 0, func(t *testing.T, before, after group.Group) {
			if after.MaxMemberNum != before.MaxMemberNum {
				t.Errorf("MaxMemberNum %d -> %d", before.MaxMemberNum, after.MaxMemberNum)
			}
		}},
		{"MaxMemberNum below the member count", group.ModifyRequest{GroupID: pub, MaxMemberNum: ptr(2)}, apierr.GroupBadParam, nil},
		{"MaxMemberNum negative", group.ModifyRequest{GroupID: pub, MaxMemberNum: ptr(-1)}, apierr.GroupBadParam, nil},
		{"MaxMemberNum over the type's limit", group.ModifyRequest{GroupID: pub, MaxMemberNum: ptr(group.MemberLimit(group.Public) + 1)}, apierr.GroupBadParam, nil},
		{"MaxMemberNum at the member count", group.ModifyRequest{GroupID: pub, MaxMemberNum: ptr(3)}, 0, func(t *testing.T, before, after group.Group) {
			if after.MaxMemberNum != 3 {
				t.Errorf("MaxMemberNum = %d", after.MaxMemberNum)
			}
		}},
		{"MuteAllMember takes On/Off only", group.ModifyRequest{GroupID: pub, MuteAllMember: &yes}, apierr.GroupBadParam, nil},
		{"MuteAllMember On", group.ModifyRequest{GroupID: pub, MuteAllMember: &on}, 0, func(t *testing.T, before, after group.Group) {
			if !after.MuteAllMember {
				t.Error("MuteAllMember is off")
			}
		}},
		{"MuteAllMember Off", group.ModifyRequest{GroupID: pub, MuteAllMember: &off}, 0, func(t *testing.T, before, after group.Group) {
			if after.MuteAllMember {
				t.Error("MuteAllMember is on")
			}
		}},
		{"HistoryMsgBeforeJoin on a Public group", group.ModifyRequest{GroupID: pub, HistoryMsgBeforeJoin: &on}, 0, func(t *testing.T, before, after group.Group) {
			if !after.HistoryMsgBeforeJoin {
				t.Error("HistoryMsgBeforeJoin is off")
			}
		}},
		{"HistoryMsgBeforeJoin on a Community", group.ModifyRequest{GroupID: comm, HistoryMsgBeforeJoin: &on}, apierr.GroupBadParam, nil},
		{"HistoryMsgBeforeJoin on an AVChatRoom", group.ModifyRequest{GroupID: av, HistoryMsgBeforeJoin: &off}, apierr.GroupBadParam, nil},
		{"EnablePermission 0 without topics means unset", group.ModifyRequest{GroupID: pub, EnablePermission: &zeroInt}, 0, func(t *testing.T, before, after group.Group) {
			if after.EnablePermission {
				t.Error("EnablePermission turned on")
			}
		}},
		{"EnablePermission 1 without topics", group.ModifyRequest{GroupID: comm, EnablePermission: &one}, apierr.GroupBadParam, nil},
		{"EnablePermission 1 on a Public group", group.ModifyRequest{GroupID: pub, EnablePermission: &one}, apierr.GroupBadParam, nil},
		{"EnablePermission 2", group.ModifyRequest{GroupID: topics, EnablePermission: &two}, apierr.GroupBadParam, nil},
		{"DefaultPermission 0 with permissions off means unset", group.ModifyRequest{GroupID: topics, DefaultPermission: &zero64}, 0, func(t *testing.T, before, after group.Group) {
			if after.EnablePermission || after.DefaultPermission != 0 {
				t.Errorf("EnablePermission/DefaultPermission = %v/%d", after.EnablePermission, after.DefaultPermission)
			}
		}},
		{"DefaultPermission with permissions off", group.ModifyRequest{GroupID: topics, DefaultPermission: &bit}, apierr.GroupBadParam, nil},
		{"DefaultPermission bits outside the community bits", group.ModifyRequest{GroupID: topics, EnablePermission: &one, DefaultPermission: &outside}, apierr.GroupBadParam, nil},
		{"EnablePermission 1 with DefaultPermission in one request", group.ModifyRequest{GroupID: topics, EnablePermission: &one, DefaultPermission: &bit}, 0,
			func(t *testing.T, before, after group.Group) {
				if !after.EnablePermission || after.DefaultPermission != bit {
					t.Errorf("EnablePermission/DefaultPermission = %v/%d", after.EnablePermission, after.DefaultPermission)
				}
			}},
		{"EnablePermission 0 on a topic community turns it off", group.ModifyRequest{GroupID: topics, EnablePermission: &zeroInt}, 0, func(t *testing.T, before, after group.Group) {
			if after.EnablePermission {
				t.Error("EnablePermission still on")
			}
		}},
		{"11 custom fields", group.ModifyRequest{GroupID: pub, AppDefinedData: kvs(group.MaxAppDataKeys+1, 1)}, apierr.GroupBadParam, nil},
		{"custom field value over 512 bytes", group.ModifyRequest{GroupID: pub, AppDefinedData: kvs(1, group.MaxAppDataValueBytes+1)}, apierr.GroupBadParam, nil},
		{"ten custom fields", group.ModifyRequest{GroupID: pub, AppDefinedData: kvs(group.MaxAppDataKeys, 1)}, 0, func(t *testing.T, before, after group.Group) {
			if len(after.AppDefinedData) != group.MaxAppDataKeys {
				t.Errorf("AppDefinedData = %+v", after.AppDefinedData)
			}
		}},
		{"an eleventh key after the merge", group.ModifyRequest{GroupID: pub, AppDefinedData: []group.KV{{Key: "extra", Value: "x"}}}, apierr.GroupBadParam, nil},
		{"an empty value deletes its key", group.ModifyRequest{GroupID: pub, AppDefinedData: []group.KV{{Key: "k0", Value: ""}, {Key: "k1", Value: "new"}}}, 0,
			func(t *testing.T, before, after group.Group) {
				if len(after.AppDefinedData) != group.MaxAppDataKeys-1 || slices.ContainsFunc(after.AppDefinedData, func(kv group.KV) bool { return kv.Key == "k0" }) {
					t.Errorf("AppDefinedData = %+v", after.AppDefinedData)
				}
				if i := slices.IndexFunc(after.AppDefinedData, func(kv group.KV) bool { return kv.Key == "k1" }); i < 0 || after.AppDefinedData[i].Value != "new" {
					t.Errorf("k1 not set: %+v", after.AppDefinedData)
				}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var before group.Group
			if group.ValidID(c.req.GroupID) && c.req.GroupID != "nosuch" {
				before = e.get(t, c.req.GroupID)
			}
			e.advance(1)
			after, err := e.svc.Modify(ctx, c.req)
			wantCode(t, "Modify", err, c.code)
			if c.code != 0 {
				if before.ID != "" {
					if now := e.get(t, c.req.GroupID); now.InfoSeq != before.InfoSeq || now.Name != before.Name {
						t.Errorf("a refused Modify changed the group: InfoSeq %d -> %d, Name %q -> %q", before.InfoSeq, now.InfoSeq, before.Name, now.Name)
					}
				}
				return
			}
			if after.InfoSeq != before.InfoSeq+1 || after.LastInfoTime != e.unix() {
				t.Errorf("InfoSeq %d -> %d, LastInfoTime %d; want one bump at %d", before.InfoSeq, after.InfoSeq, after.LastInfoTime, e.unix())
			}
			c.check(t, before, after)
			c.check(t, before, e.get(t, c.req.GroupID))
		})
	}
}

// TestModifyOperator checks who may modify a group's profile: the app
// admin, the owner and an admin; a plain member only in a Work group; and
// the permission flags only the owner and the app admin.
func TestModifyOperator(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "adm", "mem", "out")
	ctx := context.Background()
	members := []group.NewMember{{UserID: "adm", Role: "Admin"}, {UserID: "mem"}}
	pub := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner", Members: members})
	work := e.create(t, group.CreateRequest{Type: "Work", Owner: "owner", Members: members})
	topics := e.create(t, group.CreateRequest{Type: "Community", Owner: "owner", SupportTopic: 1, Members: members})
	one := 1
	for _, c := range []struct {
		name string
		req  group.ModifyRequest
		code int
	}{
		{"the app admin", group.ModifyRequest{GroupID: pub, Name: ptr("x")}, 0},
		{"the owner", group.ModifyRequest{GroupID: pub, From: "owner", Name: ptr("x")}, 0},
		{"an admin", group.ModifyRequest{GroupID: pub, From: "adm", Name: ptr("x")}, 0},
		{"a member of a Public group", group.ModifyRequest{GroupID: pub, From: "mem", Name: ptr("x")}, apierr.GroupNoPermission},
		{"a member of a Work group", group.ModifyRequest{GroupID: work, From: "mem", Name: ptr("x")}, 0},
		{"a non-member", group.ModifyRequest{GroupID: pub, From: "out", Name: ptr("x")}, apierr.GroupNoPermission},
		{"an operator that is not an account", group.ModifyRequest{GroupID: pub, From: "ghost", Name: ptr("x")}, apierr.GroupBadOperator},
		{"an admin may not set EnablePermission", group.ModifyRequest{GroupID: topics, From: "adm", EnablePermission: &one}, apierr.GroupNoPermission},
		{"the owner may set EnablePermission", group.ModifyRequest{GroupID: topics, From: "owner", EnablePermission: &one}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.Modify(ctx, c.req)
			wantCode(t, "Modify", err, c.code)
		})
	}
}

func TestChangeOwner(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "adm", "mem", "out")
	ctx := context.Background()
	members := []group.NewMember{{UserID: "adm", Role: "Admin"}, {UserID: "mem"}}
	id := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner", Members: members})
	for _, c := range []struct {
		name     string
		groupID  string
		newOwner string
		from     string
		code     int
	}{
		{"group does not exist", "nosuch", "mem", "", apierr.GroupNotFound},
		{"no new owner", id, "", "", apierr.GroupBadParam},
		{"new owner not a member", id, "out", "", apierr.GroupBadParam},
		{"an operator that is not an account", id, "mem", "ghost", apierr.GroupBadOperator},
		{"an admin may not", id, "mem", "adm", apierr.GroupNoPermission},
		{"a member may not", id, "mem", "mem", apierr.GroupNoPermission},
		{"the owner to itself changes nothing", id, "owner", "owner", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, "ChangeOwner", e.svc.ChangeOwner(ctx, c.groupID, c.newOwner, c.from), c.code)
			if r := e.roles(t, id, "owner", "adm", "mem"); r["owner"] != "Owner" || r["adm"] != "Admin" || r["mem"] != "Member" {
				t.Errorf("roles changed: %v", r)
			}
		})
	}
	t.Run("the owner hands over", func(t *testing.T) {
		wantCode(t, "ChangeOwner", e.svc.ChangeOwner(ctx, id, "mem", "owner"), 0)
		r := e.roles(t, id, "owner", "mem")
		if r["owner"] != "Member" || r["mem"] != "Owner" || e.get(t, id).Owner != "mem" {
			t.Errorf("after ChangeOwner roles = %v, Owner = %q", r, e.get(t, id).Owner)
		}
		// The old owner can now be removed; the new one cannot.
		wantCode(t, "DeleteMembers of the new owner", e.svc.DeleteMembers(ctx, id, []string{"mem"}, ""), apierr.GroupNoPermission)
		wantCode(t, "DeleteMembers of the old owner", e.svc.DeleteMembers(ctx, id, []string{"owner"}, ""), 0)
	})
	t.Run("the app admin hands over", func(t *testing.T) {
		wantCode(t, "ChangeOwner", e.svc.ChangeOwner(ctx, id, "adm", ""), 0)
		if r := e.roles(t, id, "adm", "mem"); r["adm"] != "Owner" || r["mem"] != "Member" {
			t.Errorf("roles = %v", r)
		}
	})
	t.Run("an ownerless group gets an owner", func(t *testing.T) {
		free := e.create(t, group.CreateRequest{Type: "Public", Members: []group.NewMember{{UserID: "mem"}}})
		wantCode(t, "ChangeOwner", e.svc.ChangeOwner(ctx, free, "mem", ""), 0)
		if g := e.get(t, free); g.Owner != "mem" {
			t.Errorf("Owner = %q, want mem", g.Owner)
		}
	})
}

func TestDestroy(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "mem")
	ctx := context.Background()
	id := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner", Members: []group.NewMember{{UserID: "mem"}}})
	keep := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner"})
	// Read the group once so that the Service caches it.
	if _, err := e.svc.Get(ctx, id); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		id   string
		code int
	}{
		{"no group ID", "", apierr.GroupBadParam},
		{"malformed group ID", "x\x01", apierr.GroupBadID},
		{"group does not exist", "nosuch", apierr.GroupNotFound},
		{"an existing group", id, 0},
		{"the same group again", id, apierr.GroupNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, "Destroy", e.svc.Destroy(ctx, c.id), c.code)
		})
	}
	if total := e.groupCount(t); total != 1 {
		t.Errorf("%d groups after Destroy, want 1", total)
	}
	_, err := e.svc.Get(ctx, id)
	wantCode(t, "Get of the destroyed group", err, apierr.GroupNotFound)
	joined, total, err := e.svc.Joined(ctx, group.JoinedRequest{UserID: "owner"})
	wantCode(t, "Joined", err, 0)
	if total != 1 || len(joined) != 1 || joined[0].Group.ID != keep {
		t.Errorf("owner's groups after Destroy = %d, %+v; want only %s", total, joined, keep)
	}
}
