package group_test

import (
	"context"
	"slices"
	"testing"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/group"
)

// TestInfo checks get_group_info: 1–50 IDs, each answered with its group
// or with 10015 (malformed) or 10010 (missing), members when asked.
func TestInfo(t *testing.T) {
	e := newEnv(t)
	e.users(t, "owner", "m")
	ctx := context.Background()
	id := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner", Name: "info", Members: []group.NewMember{{UserID: "m"}}})
	for _, c := range []struct {
		name string
		ids  []string
		code int
	}{
		{"no IDs", nil, apierr.GroupBadParam},
		{"one over the limit", ids("g", group.MaxGroupInfoIDs+1), apierr.GroupBadParam},
		{"exactly the limit", ids("g", group.MaxGroupInfoIDs), 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.Info(ctx, c.ids, false)
			wantCode(t, "Info", err, c.code)
		})
	}
	t.Run("per-group results in request order", func(t *testing.T) {
		req := []string{"bad\x01", id, "nosuch"}
		for _, withMembers := range []bool{false, true} {
			res, err := e.svc.Info(ctx, req, withMembers)
			wantCode(t, "Info", err, 0)
			if len(res) != len(req) {
				t.Fatalf("%d results for %d IDs", len(res), len(req))
			}
			for i, r := range res {
				if r.GroupID != req[i] {
					t.Errorf("result %d is %q, want %q", i, r.GroupID, req[i])
				}
			}
			if res[0].Code != apierr.GroupBadID || res[2].Code != apierr.GroupNotFound || res[1].Code != 0 {
				t.Errorf("codes = %d/%d/%d, want %d/0/%d", res[0].Code, res[1].Code, res[2].Code, apierr.GroupBadID, apierr.GroupNotFound)
			}
			if res[1].Group.Name != "info" || res[1].Group.MemberNum != 2 {
				t.Errorf("group = %+v", res[1].Group)
			}
			var users []string
			for _, m := range res[1].Members {
				users = append(users, m.UserID)
			}
			if withMembers && !slices.Equal(users, []string{"m", "owner"}) {
				t.Errorf("withMembers: members = %q, want [m owner]", users)
			}
			if !withMembers && len(users) != 0 {
				t.Errorf("without members: members = %q", users)
			}
		}
	})
}

// memberIDs returns the UserIDs of ms in order.
func memberIDs(ms []group.Member) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.UserID)
	}
	return out
}

// TestMembers checks get_group_member_info: Limit 0..200 (0 for all),
// Offset paging for most types, the Next cursor for communities, and the
// role filter.
func TestMembers(t *testing.T) {
	e := newEnv(t)
	users := []string{"u1", "u2", "u3", "u4", "u5"}
	e.users(t, append([]string{"owner"}, users...)...)
	ctx := context.Background()
	list := []group.NewMember{{UserID: "u1", Role: "Admin"}, {UserID: "u2"}, {UserID: "u3", Role: "Admin"}, {UserID: "u4"}, {UserID: "u5"}}
	pub := e.create(t, group.CreateRequest{Type: "Public", Owner: "owner", Members: list})
	comm := e.create(t, group.CreateRequest{Type: "Community", Owner: "owner", Members: list})
	all := []string{"owner", "u1", "u2", "u3", "u4", "u5"}
	for _, c := range []struct {
		name string
		req  group.MemberPageRequest
		code int
		want []string
	}{
		{"group does not exist", group.MemberPageRequest{GroupID: "nosuch"}, apierr.GroupNotFound, nil},
		{"negative Limit", group.MemberPageRequest{GroupID: pub, Limit: -1}, apierr.GroupBadParam, nil},
		{"Limit over 200", group.MemberPageRequest{GroupID: pub, Limit: group.MaxMemberPage + 1}, apierr.GroupBadParam, nil},
		{"negative Offset", group.MemberPageRequest{GroupID: pub, Offset: -1}, apierr.GroupBadParam, nil},
		{"unknown role filter", group.MemberPageRequest{GroupID: pub, Roles: []string{"Guest"}}, apierr.GroupBadParam, nil},
		{"Limit 0 answers every member", group.MemberPageRequest{GroupID: pub}, 0, all},
		{"Limit 200", group.MemberPageRequest{GroupID: pub, Limit: group.MaxMemberPage}, 0, all},
		{"a page by Offset", group.MemberPageRequest{GroupID: pub, Limit: 2, Offset: 2}, 0, []string{"u2", "u3"}},
		{"Offset past the end", group.MemberPageRequest{GroupID: pub, Offset: 10}, 0, []string{}},
		{"admins only", group.MemberPageRequest{GroupID: pub, Roles: []string{"Admin"}}, 0, []string{"u1", "u3"}},
		{"owner and admins", group.MemberPageRequest{GroupID: pub, Roles: []string{"Owner", "Admin"}}, 0, []string{"owner", "u1", "u3"}},
		{"members, paged", group.MemberPageRequest{GroupID: pub, Roles: []string{"Member"}, Limit: 2, Offset: 1}, 0, []string{"u4", "u5"}},
		{"every role is no filter", group.MemberPageRequest{GroupID: pub, Roles: []string{"Owner", "Admin", "Member"}}, 0, all},
		{"a community refuses Offset", group.MemberPageRequest{GroupID: comm, Offset: 1}, apierr.GroupBadParam, nil},
		{"a community refuses a foreign cursor", group.MemberPageRequest{GroupID: comm, Next: "!!not base64!!"}, apierr.GroupBadParam, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			page, err := e.svc.Members(ctx, c.req)
			wantCode(t, "Members", err, c.code)
			if c.code != 0 {
				return
			}
			if got := memberIDs(page.Members); !slices.Equal(got, c.want) {
				t.Errorf("members = %q, want %q", got, c.want)
			}
			if page.Total != len(all) || page.Community {
				t.Errorf("Total/Community = %d/%v, want %d/false", page.Total, page.Community, len(all))
			}
		})
	}
	t.Run("a community pages by Next", func(t *testing.T) {
		var got []string
		req := group.MemberPageRequest{GroupID: comm, Limit: 4}
		for pages := 0; ; pages++ {
			if pages > len(all) {
				t.Fatal("paging did not end")
			}
			page, err := e.svc.Members(ctx, req)
			wantCode(t, "Members", err, 0)
			if !page.Community || page.Total != len(all) {
				t.Errorf("Community/Total = %v/%d", page.Community, page.Total)
			}
			got = append(got, memberIDs(page.Members)...)
			if page.Next == "" {
				break
			}
			req.Next = page.Next
		}
		if !slices.Equal(got, all) {
			t.Errorf("pages = %q, want %q", got, all)
		}
	})
}

// TestJoined checks get_joined_group_list: the account must exist; Limit
// 0..5000 and Offset not negative; AVChatRoom groups only when asked for;
// SupportTopic only with GroupType Community.
func TestJoined(t *testing.T) {
	e := newEnv(t)
	e.users(t, "u", "lonely")
	ctx := context.Background()
	pub1 := e.create(t, group.CreateRequest{Type: "Public", Owner: "u"})
	e.advance(1)
	av := e.create(t, group.CreateRequest{Type: "AVChatRoom", Owner: "u"})
	e.advance(1)
	pub2 := e.create(t, group.CreateRequest{Type: "Public", Owner: "u"})
	e.advance(1)
	comm := e.create(t, group.CreateRequest{Type: "Community", Owner: "u"})
	e.advance(1)
	topics := e.create(t, group.CreateRequest{Type: "Community", Owner: "u", SupportTopic: 1})
	// Newest join first.
	notAV := []string{topics, comm, pub2, pub1}
	for _, c := range []struct {
		name      string
		req       group.JoinedRequest
		code      int
		want      []string
		wantTotal int
	}{
		{"no account", group.JoinedRequest{}, apierr.GroupBadParam, nil, 0},
		{"account not imported", group.JoinedRequest{UserID: "ghost"}, apierr.GroupAccountNotFound, nil, 0},
		{"unknown group type", group.JoinedRequest{UserID: "u", Type: "Club"}, apierr.GroupBadParam, nil, 0},
		{"SupportTopic without Community", group.JoinedRequest{UserID: "u", SupportTopic: true}, apierr.GroupBadParam, nil, 0},
		{"SupportTopic with Public", group.JoinedRequest{UserID: "u", Type: "Public", SupportTopic: true}, apierr.GroupBadParam, nil, 0},
		{"negative Limit", group.JoinedRequest{UserID: "u", Limit: -1}, apierr.GroupBadParam, nil, 0},
		{"Limit over 5000", group.JoinedRequest{UserID: "u", Limit: group.MaxJoinedPage + 1}, apierr.GroupBadParam, nil, 0},
		{"negative Offset", group.JoinedRequest{UserID: "u", Offset: -1}, apierr.GroupBadParam, nil, 0},
		{"Limit 5000", group.JoinedRequest{UserID: "u", Limit: group.MaxJoinedPage}, 0, notAV, len(notAV)},
		{"no groups", group.JoinedRequest{UserID: "lonely"}, 0, []string{}, 0},
		{"AVChatRoom groups left out", group.JoinedRequest{UserID: "u"}, 0, notAV, len(notAV)},
		{"AVChatRoom groups with WithHugeGroups", group.JoinedRequest{UserID: "u", WithHugeGroups: true}, 0, []string{topics, comm, pub2, av, pub1}, 5},
		{"GroupType AVChatRoom", group.JoinedRequest{UserID: "u", Type: "AVChatRoom"}, 0, []string{av}, 1},
		{"GroupType Public", group.JoinedRequest{UserID: "u", Type: "Public"}, 0, []string{pub2, pub1}, 2},
		{"a page", group.JoinedRequest{UserID: "u", Limit: 2, Offset: 1}, 0, []string{comm, pub2}, len(notAV)},
		{"a page with huge groups", group.JoinedRequest{UserID: "u", WithHugeGroups: true, Limit: 2, Offset: 2}, 0, []string{pub2, av}, 5},
		{"a page of one type", group.JoinedRequest{UserID: "u", Type: "Public", Limit: 1, Offset: 1}, 0, []string{pub1}, 2},
		{"Offset past the end", group.JoinedRequest{UserID: "u", Offset: 10}, 0, []string{}, len(notAV)},
		{"communities with topics", group.JoinedRequest{UserID: "u", Type: "Community", SupportTopic: true}, 0, []string{topics}, 1},
		{"communities", group.JoinedRequest{UserID: "u", Type: "Community"}, 0, []string{topics, comm}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, total, err := e.svc.Joined(ctx, c.req)
			wantCode(t, "Joined", err, c.code)
			if c.code != 0 {
				return
			}
			ids := []string{}
			for _, j := range got {
				ids = append(ids, j.Group.ID)
				if j.Member.UserID != c.req.UserID || j.Member.Role != group.RoleOwner {
					t.Errorf("membership in %s = %+v", j.Group.ID, j.Member)
				}
			}
			if !slices.Equal(ids, c.want) || total != c.wantTotal {
				t.Errorf("Joined = %q (total %d), want %q (total %d)", ids, total, c.want, c.wantTotal)
			}
		})
	}
}

// TestList checks get_appid_group_list: Limit 0..10000, GroupType must be
// a type, and the cursor pages through the groups in creation order.
func TestList(t *testing.T) {
	e := newEnv(t)
	e.users(t, "u")
	ctx := context.Background()
	var created []string
	for _, typ := range []string{"Public", "Private", "Public", "ChatRoom", "Public"} {
		created = append(created, e.create(t, group.CreateRequest{Type: typ, Owner: "u"}))
	}
	publics := []string{created[0], created[2], created[4]}
	for _, c := range []struct {
		name     string
		typ      string
		limit    int
		code     int
		wantAll  []string
		wantSize int // largest page
	}{
		{"unknown type", "Club", 0, apierr.GroupBadParam, nil, 0},
		{"negative Limit", "", -1, apierr.GroupBadParam, nil, 0},
		{"Limit over 10000", "", group.MaxListGroups + 1, apierr.GroupBadParam, nil, 0},
		{"Limit 0 answers every group", "", 0, 0, created, len(created)},
		{"Limit 10000", "", group.MaxListGroups, 0, created, len(created)},
		{"pages of two", "", 2, 0, created, 2},
		{"one type, pages of one", "Public", 1, 0, publics, 1},
		{"a new type name", "Work", 0, 0, []string{created[1]}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			var cursor uint64
			for pages := 0; ; pages++ {
				if pages > len(created) {
					t.Fatal("paging did not end")
				}
				page, next, total, err := e.svc.List(ctx, c.typ, cursor, c.limit)
				wantCode(t, "List", err, c.code)
				if c.code != 0 {
					return
				}
				if len(page) > c.wantSize {
					t.Errorf("a page of %d, want at most %d", len(page), c.wantSize)
				}
				if total != len(c.wantAll) {
					t.Errorf("total = %d, want %d", total, len(c.wantAll))
				}
				got = append(got, page...)
				if next == 0 {
					break
				}
				cursor = next
			}
			if !slices.Equal(got, c.wantAll) {
				t.Errorf("groups = %q, want %q", got, c.wantAll)
			}
		})
	}
}
