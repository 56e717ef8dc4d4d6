package group_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/permission"
)

// TestCreateEveryType creates a group of every type name the API takes,
// with an owner, and checks the stored type, the generated ID's form, the
// default member limit and join options, and the owner's membership.
func TestCreateEveryType(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner")
	for _, c := range []struct {
		typeName    string
		typ         group.Type
		idForm      string
		apply       string
		invite      string
		limitOfType int
	}{
		{"Private", group.Private, `^@TGS#2`, group.DisableApply, group.FreeAccess, 200},
		{"Work", group.Private, `^@TGS#2`, group.DisableApply, group.FreeAccess, 200},
		{"Public", group.Public, `^@TGS#1`, group.NeedPermission, group.NeedPermission, 2000},
		{"ChatRoom", group.ChatRoom, `^@TGS#3`, group.NeedPermission, group.FreeAccess, 6000},
		{"Meeting", group.ChatRoom, `^@TGS#3`, group.NeedPermission, group.FreeAccess, 6000},
		{"AVChatRoom", group.AVChatRoom, `^@TGS#a`, group.FreeAccess, group.DisableInvite, 0},
		{"Community", group.Community, `^@TGS#_@TGS#c`, group.NeedPermission, group.NeedPermission, 100000},
	} {
		t.Run(c.typeName, func(t *testing.T) {
			id := e.create(t, group.CreateRequest{Type: c.typeName, Name: "n", Owner: "owner"})
			if !regexp.MustCompile(c.idForm).MatchString(id) {
				t.Errorf("ID %q does not match %s", id, c.idForm)
			}
			g := e.get(t, id)
			if g.Type != c.typ {
				t.Errorf("Type = %q, want %q", g.Type, c.typ)
			}
			if got := group.MemberLimit(c.typ); got != c.limitOfType || g.MaxMemberNum != got {
				t.Errorf("MemberLimit = %d, MaxMemberNum = %d; want both %d", got, g.MaxMemberNum, c.limitOfType)
			}
			if g.ApplyJoinOption != c.apply || g.InviteJoinOption != c.invite {
				t.Errorf("join options = %s/%s, want %s/%s", g.ApplyJoinOption, g.InviteJoinOption, c.apply, c.invite)
			}
			if g.Owner != "owner" || g.MemberNum != 1 || g.CreateTime != start0 || g.Name != "n" {
				t.Errorf("group = %+v: want owner, 1 member, CreateTime %d", g, start0)
			}
			if r := e.roles(t, id, "owner")["owner"]; r != string(group.RoleOwner) {
				t.Errorf("owner's role = %q", r)
			}
		})
	}
}

// TestCreateRefused checks every refusal of create_group and that a
// refused request creates nothing.
func TestCreateRefused(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "m1", "m2", "m3")
	one := uint64(1)
	outside := ^uint64(permission.AllCommunityBits)
	base := func(typ string) group.CreateRequest { return group.CreateRequest{Type: typ, Name: "n", Owner: "owner"} }
	with := func(typ string, f func(*group.CreateRequest)) group.CreateRequest {
		r := base(typ)
		f(&r)
		return r
	}
	members := func(ids ...string) []group.NewMember {
		out := make([]group.NewMember, len(ids))
		for i, id := range ids {
			out[i] = group.NewMember{UserID: id}
		}
		return out
	}
	for _, c := range []struct {
		name string
		req  group.CreateRequest
		code int
	}{
		// Type and name.
		{"no type", base(""), apierr.GroupBadParam},
		{"unknown type", base("Club"), apierr.GroupBadParam},
		{"no name", with("Public", func(r *group.CreateRequest) { r.Name = "" }), apierr.GroupBadParam},
		{"name over 30 bytes", with("Public", func(r *group.CreateRequest) { r.Name = strings.Repeat("n", group.MaxNameBytes+1) }), apierr.GroupBadParam},
		{"name limit counts bytes", with("Public", func(r *group.CreateRequest) { r.Name = strings.Repeat("\u00e9", group.MaxNameBytes/2+1) }), apierr.GroupBadParam},
		{"name with NUL", with("Public", func(r *group.CreateRequest) { r.Name = "a\x00b" }), apierr.GroupBadParam},
		{"introduction over 240 bytes", with("Public", func(r *group.CreateRequest) { r.Introduction = ptr(strings.Repeat("i", group.MaxIntroductionBytes+1)) }), apierr.GroupBadParam},
		{"notification over 300 bytes", with("Public", func(r *group.CreateRequest) { r.Notification = ptr(strings.Repeat("i", group.MaxNotificationBytes+1)) }), apierr.GroupBadParam},
		{"face URL over 100 bytes", with("Public", func(r *group.CreateRequest) { r.FaceURL = ptr(strings.Repeat("i", group.MaxFaceURLBytes+1)) }), apierr.GroupBadParam},
		// Custom IDs.
		{"custom ID with the generated prefix", with("Public", func(r *group.CreateRequest) { r.GroupID = "@TGS#1ABCDEFGH" }), apierr.GroupBadID},
		{"custom ID over 48 bytes", with("Public", func(r *group.CreateRequest) { r.GroupID = strings.Repeat("g", group.MaxGroupIDBytes+1) }), apierr.GroupBadID},
		{"custom ID not ASCII", with("Public", func(r *group.CreateRequest) { r.GroupID = "gr\u00fcppe" }), apierr.GroupBadID},
		{"custom ID with a control character", with("Private", func(r *group.CreateRequest) { r.GroupID = "g\x02" }), apierr.GroupBadID},
		{"community custom ID without @TGS#_", with("Community", func(r *group.CreateRequest) { r.GroupID = "plain" }), apierr.GroupBadID},
		{"community custom ID of the prefix alone", with("Community", func(r *group.CreateRequest) { r.GroupID = group.CommunityPrefix }), apierr.GroupBadID},
		{"community custom ID over 48 bytes after the prefix", with("Community", func(r *group.CreateRequest) {
			r.GroupID = group.CommunityPrefix + strings.Repeat("c", group.MaxGroupIDBytes+1)
		}), apierr.GroupBadID},
		// Member limit.
		{"negative MaxMemberNum", with("Public", func(r *group.CreateRequest) { r.MaxMemberNum = -1 }), apierr.GroupBadParam},
		{"MaxMemberNum over the Private limit", with("Private", func(r *group.CreateRequest) { r.MaxMemberNum = group.MemberLimit(group.Private) + 1 }), apierr.GroupBadParam},
		{"MaxMemberNum over the Public limit", with("Public", func(r *group.CreateRequest) { r.MaxMemberNum = group.MemberLimit(group.Public) + 1 }), apierr.GroupBadParam},
		{"MaxMemberNum over the Community limit", with("Community", func(r *group.CreateRequest) { r.MaxMemberNum = group.MemberLimit(group.Community) + 1 }), apierr.GroupBadParam},
		// Join options.
		{"unknown ApplyJoinOption", with("Public", func(r *group.CreateRequest) { r.ApplyJoinOption = ptr("Anyone") }), apierr.GroupBadParam},
		{"DisableInvite as ApplyJoinOption", with("Public", func(r *group.CreateRequest) { r.ApplyJoinOption = ptr(group.DisableInvite) }), apierr.GroupBadParam},
		{"DisableApply as InviteJoinOption", with("Public", func(r *group.CreateRequest) { r.InviteJoinOption = ptr(group.DisableApply) }), apierr.GroupBadParam},
		{"InviteJoinOption on an AVChatRoom", with("AVChatRoom", func(r *group.CreateRequest) { r.InviteJoinOption = ptr(group.FreeAccess) }), apierr.GroupBadParam},
		// Custom fields.
		{"11 AppDefinedData keys", with("Public", func(r *group.CreateRequest) { r.AppDefinedData = kvs(group.MaxAppDataKeys+1, 1) }), apierr.GroupBadParam},
		{"AppDefinedData value over 512 bytes", with("Public", func(r *group.CreateRequest) { r.AppDefinedData = kvs(1, group.MaxAppDataValueBytes+1) }), apierr.GroupBadParam},
		{"AppDefinedData key over 16 bytes", with("Public", func(r *group.CreateRequest) {
			r.AppDefinedData = []group.KV{{Key: strings.Repeat("k", group.MaxAppDataKeyBytes+1), Value: "v"}}
		}), apierr.GroupBadParam},
		{"AppDefinedData key with a dash", with("Public", func(r *group.CreateRequest) { r.AppDefinedData = []group.KV{{Key: "a-b", Value: "v"}} }), apierr.GroupBadParam},
		{"AppDefinedData empty key", with("Public", func(r *group.CreateRequest) { r.AppDefinedData = []group.KV{{Key: "", Value: "v"}} }), apierr.GroupBadParam},
		{"AppDefinedData repeated key", with("Public", func(r *group.CreateRequest) {
			r.AppDefinedData = []group.KV{{Key: "k", Value: "1"}, {Key: "k", Value: "2"}}
		}), apierr.GroupBadParam},
		// Topics and permissions.
		{"SupportTopic 2", with("Community", func(r *group.CreateRequest) { r.SupportTopic = 2 }), apierr.GroupBadParam},
		{"SupportTopic on a Public group", with("Public", func(r *group.CreateRequest) { r.SupportTopic = 1 }), apierr.GroupBadParam},
		{"EnablePermission without SupportTopic", with("Community", func(r *group.CreateRequest) { r.EnablePermission = 1 }), apierr.GroupBadParam},
		{"EnablePermission 2", with("Community", func(r *group.CreateRequest) { r.SupportTopic, r.EnablePermission = 1, 2 }), apierr.GroupBadParam},
		{"nonzero DefaultPermission with permissions off", with("Community", func(r *group.CreateRequest) { r.SupportTopic, r.DefaultPermission = 1, &one }), apierr.GroupBadParam},
		{"DefaultPermission bits outside the community bits", with("Community", func(r *group.CreateRequest) {
			r.SupportTopic, r.EnablePermission, r.DefaultPermission = 1, 1, &outside
		}), apierr.GroupBadParam},
		// Owner and members.
		{"owner not imported", with("Public", func(r *group.CreateRequest) { r.Owner = "ghost" }), apierr.GroupAccountNotFound},
		{"member not imported", with("Public", func(r *group.CreateRequest) { r.Members = members("m1", "ghost") }), apierr.GroupAccountNotFound},
		{"member without an account", with("Public", func(r *group.CreateRequest) { r.Members = members("m1", "") }), apierr.GroupBadParam},
		{"owner also in MemberList", with("Public", func(r *group.CreateRequest) { r.Members = members("owner") }), apierr.GroupBadParam},
		{"member listed twice", with("Public", func(r *group.CreateRequest) { r.Members = members("m1", "m1") }), apierr.GroupBadParam},
		{"member role Owner", with("Public", func(r *group.CreateRequest) { r.Members = []group.NewMember{{UserID: "m1", Role: "Owner"}} }), apierr.GroupBadParam},
		{"member role in lower case", with("Public", func(r *group.CreateRequest) { r.Members = []group.NewMember{{UserID: "m1", Role: "admin"}} }), apierr.GroupBadParam},
		{"member with 6 custom fields", with("Public", func(r *group.CreateRequest) {
			r.Members = []group.NewMember{{UserID: "m1", AppDefinedData: kvs(group.MaxMemberDataKeys+1, 1)}}
		}), apierr.GroupBadParam},
		{"member custom field over 64 bytes", with("Public", func(r *group.CreateRequest) {
			r.Members = []group.NewMember{{UserID: "m1", AppDefinedData: kvs(1, group.MaxMemberDataValBytes+1)}}
		}), apierr.GroupBadParam},
		{"101 members", with("Public", func(r *group.CreateRequest) { r.Members = members(ids("x", group.MaxCreateMembers+1)...) }), apierr.GroupTooManyAccounts},
		{"members beyond MaxMemberNum", with("Public", func(r *group.CreateRequest) { r.MaxMemberNum, r.Members = 3, members("m1", "m2", "m3") }), apierr.GroupFull},
		{"members at creation of an AVChatRoom", with("AVChatRoom", func(r *group.CreateRequest) { r.Members = members("m1") }), apierr.GroupNoPermission},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := e.groupCount(t)
			id, err := e.svc.Create(context.Background(), c.req)
			wantCode(t, "Create", err, c.code)
			if id != "" {
				t.Errorf("a refused Create returned ID %q", id)
			}
			if after := e.groupCount(t); after != before {
				t.Errorf("a refused Create changed the group count from %d to %d", before, after)
			}
		})
	}
}

// TestCreateAccepted checks requests at the edges of the rules that
// create_group takes, and what it stores for them.
func TestCreateAccepted(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "m1", "m2")
	zero := uint64(0)
	for _, c := range []struct {
		name  string
		req   group.CreateRequest
		check func(t *testing.T, g group.Group)
	}{
		{"name at 30 bytes", group.CreateRequest{Type: "Public", Owner: "owner", Name: strings.Repeat("n", group.MaxNameBytes)}, nil},
		{"limits of the text fields", group.CreateRequest{Type: "Public", Owner: "owner", Name: "n",
			Introduction: ptr(strings.Repeat("i", group.MaxIntroductionBytes)), Notification: ptr(strings.Repeat("o", group.MaxNotificationBytes)),
			FaceURL: ptr(strings.Repeat("f", group.MaxFaceURLBytes))}, func(t *testing.T, g group.Group) {
			if len(g.Introduction) != group.MaxIntroductionBytes || len(g.Notification) != group.MaxNotificationBytes || len(g.FaceURL) != group.MaxFaceURLBytes {
				t.Errorf("text fields stored as %d/%d/%d bytes", len(g.Introduction), len(g.Notification), len(g.FaceURL))
			}
		}},
		{"MaxMemberNum at the Private limit", group.CreateRequest{Type: "Private", Owner: "owner", Name: "n", MaxMemberNum: group.MemberLimit(group.Private)}, nil},
		{"any MaxMemberNum on an AVChatRoom", group.CreateRequest{Type: "AVChatRoom", Owner: "owner", Name: "n", MaxMemberNum: 1_000_000}, func(t *testing.T, g group.Group) {
			if g.MaxMemberNum != 1_000_000 {
				t.Errorf("MaxMemberNum = %d", g.MaxMemberNum)
			}
		}},
		{"members exactly at MaxMemberNum", group.CreateRequest{Type: "Public", Owner: "owner", Name: "n", MaxMemberNum: 3,
			Members: []group.NewMember{{UserID: "m1"}, {UserID: "m2"}}}, func(t *testing.T, g group.Group) {
			if g.MemberNum != 3 || g.MaxMemberNum != 3 {
				t.Errorf("MemberNum/MaxMemberNum = %d/%d, want 3/3", g.MemberNum, g.MaxMemberNum)
			}
		}},
		{"join options given", group.CreateRequest{Type: "Public", Owner: "owner", Name: "n", ApplyJoinOption: ptr(group.FreeAccess), InviteJoinOption: ptr(group.DisableInvite)},
			func(t *testing.T, g group.Group) {
				if g.ApplyJoinOption != group.FreeAccess || g.InviteJoinOption != group.DisableInvite {
					t.Errorf("join options = %s/%s", g.ApplyJoinOption, g.InviteJoinOption)
				}
			}},
		{"custom fields are stored sorted by key", group.CreateRequest{Type: "Public", Owner: "owner", Name: "n",
			AppDefinedData: []group.KV{{Key: "b", Value: "2"}, {Key: "a", Value: "1"}}}, func(t *testing.T, g group.Group) {
			if len(g.AppDefinedData) != 2 || g.AppDefinedData[0] != (group.KV{Key: "a", Value: "1"}) || g.AppDefinedData[1] != (group.KV{Key: "b", Value: "2"}) {
				t.Errorf("AppDefinedData = %+v", g.AppDefinedData)
			}
		}},
		{"ten custom fields", group.CreateRequest{Type: "Public", Owner: "owner", Name: "n", AppDefinedData: kvs(group.MaxAppDataKeys, group.MaxAppDataValueBytes)}, nil},
		{"DefaultPermission 0 with permissions off means unset", group.CreateRequest{Type: "Community", Owner: "owner", Name: "n", SupportTopic: 1, DefaultPermission: &zero},
			func(t *testing.T, g group.Group) {
				if g.EnablePermission || g.DefaultPermission != 0 || !g.SupportTopic {
					t.Errorf("SupportTopic/EnablePermission/DefaultPermission = %v/%v/%d", g.SupportTopic, g.EnablePermission, g.DefaultPermission)
				}
			}},
		{"permission community with DefaultPermission", group.CreateRequest{Type: "Community", Owner: "owner", Name: "n", SupportTopic: 1, EnablePermission: 1,
			DefaultPermission: ptr(uint64(permission.AllCommunityBits))}, func(t *testing.T, g group.Group) {
			if !g.EnablePermission || g.DefaultPermission != permission.AllCommunityBits {
				t.Errorf("EnablePermission/DefaultPermission = %v/%d", g.EnablePermission, g.DefaultPermission)
			}
		}},
		{"group of the app admin alone has no owner", group.CreateRequest{Type: "Public", Name: "n"}, func(t *testing.T, g group.Group) {
			if g.Owner != "" || g.MemberNum != 0 {
				t.Errorf("Owner/MemberNum = %q/%d, want none", g.Owner, g.MemberNum)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			id, err := e.svc.Create(context.Background(), c.req)
			wantCode(t, "Create", err, 0)
			if c.check != nil {
				c.check(t, e.get(t, id))
			}
		})
	}
}

// TestCreateMemberRoles checks the roles and custom fields the members of
// a new group get: Admin when asked, Member otherwise, the owner Owner.
func TestCreateMemberRoles(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "adm", "mem", "plain", "out")
	id := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner", Members: []group.NewMember{
		{UserID: "adm", Role: "Admin"}, {UserID: "mem", Role: "Member"}, {UserID: "plain", AppDefinedData: []group.KV{{Key: "k", Value: "v"}}},
	}})
	want := map[string]string{"owner": "Owner", "adm": "Admin", "mem": "Member", "plain": "Member", "out": "NotMember"}
	got := e.roles(t, id, "owner", "adm", "mem", "plain", "out")
	for u, r := range want {
		if got[u] != r {
			t.Errorf("role of %s = %q, want %q", u, got[u], r)
		}
	}
	if g := e.get(t, id); g.MemberNum != 4 {
		t.Errorf("MemberNum = %d, want 4", g.MemberNum)
	}
	m, err := e.svc.Member(context.Background(), id, "plain")
	wantCode(t, "Member", err, 0)
	if len(m.AppDefinedData) != 1 || m.AppDefinedData[0] != (group.KV{Key: "k", Value: "v"}) || m.JoinTime != start0 || m.MsgFlag != group.AcceptAndNotify {
		t.Errorf("member = %+v", m)
	}
}

// TestCreateCustomID checks custom group IDs: taken IDs answer 10025 to
// the owner of the group holding them and 10021 to anyone else.
func TestCreateCustomID(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "other")
	ctx := context.Background()
	for _, c := range []struct {
		name string
		req  group.CreateRequest
		want string // the ID on success
		code int
	}{
		{"a custom ID is used as given", group.CreateRequest{Type: "Public", Owner: "owner", GroupID: "team-1"}, "team-1", 0},
		{"a space and punctuation are allowed", group.CreateRequest{Type: "Private", Owner: "owner", GroupID: "a b!~"}, "a b!~", 0},
		{"48 bytes", group.CreateRequest{Type: "ChatRoom", Owner: "owner", GroupID: strings.Repeat("c", group.MaxGroupIDBytes)}, strings.Repeat("c", group.MaxGroupIDBytes), 0},
		{"a community ID with its prefix", group.CreateRequest{Type: "Community", Owner: "owner", GroupID: group.CommunityPrefix + "mine"}, group.CommunityPrefix + "mine", 0},
		{"taken, asked by its owner", group.CreateRequest{Type: "Public", Owner: "owner", GroupID: "team-1"}, "", apierr.GroupIDTakenByYou},
		{"taken, asked by another user", group.CreateRequest{Type: "Public", Owner: "other", GroupID: "team-1"}, "", apierr.GroupIDTaken},
		{"taken, asked by the app admin", group.CreateRequest{Type: "Public", GroupID: "team-1"}, "", apierr.GroupIDTaken},
		{"taken by a group of another type", group.CreateRequest{Type: "ChatRoom", Owner: "other", GroupID: "a b!~"}, "", apierr.GroupIDTaken},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.req.Name = "n"
			id, err := e.svc.Create(ctx, c.req)
			wantCode(t, "Create", err, c.code)
			if id != c.want {
				t.Errorf("ID = %q, want %q", id, c.want)
			}
		})
	}
}

// TestImportGroup checks import_group: AVChatRoom groups cannot be
// imported; the given creation and join times are kept.
func TestImportGroup(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "m")
	ctx := context.Background()
	_, err := e.svc.Import(ctx, group.CreateRequest{Type: "AVChatRoom", Name: "n", Owner: "owner"})
	wantCode(t, "Import of an AVChatRoom", err, apierr.GroupBadParam)

	const created, joined = 1_600_000_000, 1_650_000_000
	id, err := e.svc.Import(ctx, group.CreateRequest{Type: "Public", Name: "n", Owner: "owner", CreateTime: created,
		Members: []group.NewMember{{UserID: "m", JoinTime: joined}}})
	wantCode(t, "Import", err, 0)
	if g := e.get(t, id); g.CreateTime != created {
		t.Errorf("CreateTime = %d, want %d", g.CreateTime, created)
	}
	m, err := e.svc.Member(ctx, id, "m")
	wantCode(t, "Member", err, 0)
	if m.JoinTime != joined {
		t.Errorf("JoinTime = %d, want %d", m.JoinTime, joined)
	}

	// create_group takes no creation time.
	id = e.create(t, group.CreateRequest{Type: "Public", Owner: "owner", CreateTime: created})
	if g := e.get(t, id); g.CreateTime != start0 {
		t.Errorf("create_group CreateTime = %d, want now %d", g.CreateTime, start0)
	}
}
