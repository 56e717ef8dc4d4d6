package rest_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/apitest"
)

func memberList(ids ...string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = `{"Member_Account":"` + id + `"}`
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func memberNum(t *testing.T, s *apitest.Server, id string) int {
	t.Helper()
	return int(groupInfo(t, s, id, `,"ResponseFilter":{"GroupBaseInfoFilter":["MemberNum"]}`)["MemberNum"].(float64))
}

func TestAddAndDeleteMembers(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		var users []string
		for i := 0; i < 301; i++ {
			users = append(users, fmt.Sprintf("u%03d", i))
		}
		s.ImportAccounts(t, append(users, "owner")...)
		id := mustCreate(t, s, `{"Type":"Public","Name":"g","Owner_Account":"owner","MaxMemberCount":5,"MemberList":[{"Member_Account":"u000"}]}`)
		r := s.Must(t, gs+"add_group_member", `{"GroupId":"`+id+`","MemberList":`+memberList("u000", "u001", "ghost")+`}`)
		if b, _ := json.Marshal(r["MemberList"]); string(b) != `[{"Member_Account":"u000","Result":2},{"Member_Account":"u001","Result":1},{"Member_Account":"ghost","Result":0}]` {
			t.Fatalf("MemberList %s", b)
		}
		av := mustCreate(t, s, `{"Type":"AVChatRoom","Name":"live"}`)
		cases := []struct {
			name, api, body string
			want            int
			members         int // expected MemberNum of id afterwards
		}{
			{"exactly to the limit", "add_group_member", `{"GroupId":"` + id + `","MemberList":` + memberList("u002", "u003") + `}`, 0, 5},
			{"one over the limit adds nothing", "add_group_member", `{"GroupId":"` + id + `","MemberList":` + memberList("u004") + `}`, 10014, 5},
			{"301 accounts", "add_group_member", `{"GroupId":"` + id + `","MemberList":` + memberList(users...) + `}`, 10005, 5},
			{"an account twice", "add_group_member", `{"GroupId":"` + id + `","MemberList":` + memberList("u005", "u005") + `}`, 10004, 5},
			{"empty list", "add_group_member", `{"GroupId":"` + id + `","MemberList":[]}`, 10004, 5},
			{"AVChatRoom takes no added members", "add_group_member", `{"GroupId":"` + av + `","MemberList":` + memberList("u001") + `}`, 10007, 5},
			{"missing group", "add_group_member", `{"GroupId":"nope","MemberList":` + memberList("u001") + `}`, 10010, 5},
			{"delete two", "delete_group_member", `{"GroupId":"` + id + `","MemberToDel_Account":["u002","u003","ghost"]}`, 0, 3},
			{"owner cannot be deleted", "delete_group_member", `{"GroupId":"` + id + `","MemberToDel_Account":["u001","owner"]}`, 10007, 3},
			{"101 to delete", "delete_group_member", `{"GroupId":"` + id + `","MemberToDel_Account":["` + strings.Join(users[:101], `","`) + `"]}`, 10005, 3},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, gs+c.api, c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
				if n := memberNum(t, s, id); n != c.members {
					t.Fatalf("MemberNum %d, want %d", n, c.members)
				}
			})
		}
		// Deleting an account removes it from its groups.
		s.Must(t, "im_open_login_svc/account_delete", `{"DeleteItem":[{"UserID":"u001"}]}`)
		if n := memberNum(t, s, id); n != 2 {
			t.Fatalf("MemberNum after account_delete %d, want 2", n)
		}
		r = s.Must(t, gs+"get_role_in_group", `{"GroupId":"`+id+`","User_Account":["owner","u000","u001"]}`)
		if b, _ := json.Marshal(r["UserIdList"]); string(b) != `[{"Member_Account":"owner","Role":"Owner"},{"Member_Account":"u000","Role":"Member"},{"Member_Account":"u001","Role":"NotMember"}]` {
			t.Fatalf("roles %s", b)
		}
	})
}

func TestModifyMemberMuteAndOwner(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "owner", "a", "b", "c")
		id := mustCreate(t, s, `{"Type":"Public","Name":"g","Owner_Account":"owner","MemberList":`+memberList("a", "b")+`}`)
		g := `"GroupId":"` + id + `"`
		cases := []struct {
			name, api, body string
			want            int
		}{
			{"make admin", "modify_group_member_info", `{` + g + `,"Member_Account":"a","Role":"Admin"}`, 0},
			{"name card of 50 bytes", "modify_group_member_info", `{` + g + `,"Member_Account":"a","NameCard":"` + strings.Repeat("名", 16) + `xy"}`, 0},
			{"name card of 51 bytes", "modify_group_member_info", `{` + g + `,"Member_Account":"a","NameCard":"` + strings.Repeat("名", 17) + `"}`, 10004},
			{"msg flag", "modify_group_member_info", `{` + g + `,"Member_Account":"b","MsgFlag":"AcceptNotNotify"}`, 0},
			{"bad msg flag", "modify_group_member_info", `{` + g + `,"Member_Account":"b","MsgFlag":"Sometimes"}`, 10004},
			{"custom member field", "modify_group_member_info", `{` + g + `,"Member_Account":"b","AppMemberDefinedData":[{"Key":"lvl","Value":"9"}]}`, 0},
			{"custom member value of 65 bytes", "modify_group_member_info", `{` + g + `,"Member_Account":"b","AppMemberDefinedData":[{"Key":"lvl","Value":"` + strings.Repeat("9", 65) + `"}]}`, 10004},
			{"6 custom member fields", "modify_group_member_info", `{` + g + `,"Member_Account":"b","AppMemberDefinedData":[` + kvs(6, 1) + `]}`, 10004},
			{"mute by ShutUpTime", "modify_group_member_info", `{` + g + `,"Member_Account":"b","ShutUpTime":600}`, 0},
			{"owner role is fixed", "modify_group_member_info", `{` + g + `,"Member_Account":"owner","Role":"Member"}`, 10007},
			{"bad role", "modify_group_member_info", `{` + g + `,"Member_Account":"b","Role":"Owner"}`, 10004},
			{"not a member", "modify_group_member_info", `{` + g + `,"Member_Account":"c","NameCard":"x"}`, 10004},
			{"mute a and c (c is ignored)", "forbid_send_msg", `{` + g + `,"Members_Account":["a","c"],"MuteTime":3600}`, 0},
			{"mute the owner", "forbid_send_msg", `{` + g + `,"Members_Account":["owner"],"MuteTime":60}`, 10007},
			{"mute without MuteTime", "forbid_send_msg", `{` + g + `,"Members_Account":["a"]}`, 10004},
			{"negative MuteTime", "forbid_send_msg", `{` + g + `,"Members_Account":["a"],"MuteTime":-1}`, 10004},
			{"501 to mute", "forbid_send_msg", `{` + g + `,"Members_Account":[` + strings.TrimSuffix(strings.Repeat(`"a",`, 501), ",") + `]}`, 10005},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, gs+c.api, c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
		r := s.Must(t, gs+"get_group_muted_account", `{`+g+`}`)
		var muted []string
		for _, m := range r.List("MutedAccountList") {
			muted = append(muted, m.(map[string]any)["Member_Account"].(string))
		}
		if fmt.Sprint(muted) != "[a b]" {
			t.Fatalf("muted %v, want [a b]", muted)
		}
		s.Must(t, gs+"forbid_send_msg", `{`+g+`,"Members_Account":["a"],"MuteTime":0}`)
		if n := len(s.Must(t, gs+"get_group_muted_account", `{`+g+`}`).List("MutedAccountList")); n != 1 {
			t.Fatalf("after unmuting a, %d muted, want 1", n)
		}
		r = s.Must(t, gs+"get_group_member_info", `{`+g+`,"MemberInfoFilter":["Role","NameCard","MsgFlag"],"AppDefinedDataFilter_GroupMember":["lvl"]}`)
		b, _ := json.Marshal(r["MemberList"])
		want := `[{"AppMemberDefinedData":[],"Member_Account":"a","MsgFlag":"AcceptAndNotify","NameCard":"` + strings.Repeat("名", 16) + `xy","Role":"Admin"},{"AppMemberDefinedData":[{"Key":"lvl","Value":"9"}],"Member_Account":"b","MsgFlag":"AcceptNotNotify","NameCard":"","Role":"Member"},{"AppMemberDefinedData":[],"Member_Account":"owner","MsgFlag":"AcceptAndNotify","NameCard":"","Role":"Owner"}]`
		if string(b) != want {
			t.Fatalf("members\n got %s\nwant %s", b, want)
		}
		for _, c := range []struct {
			name, body string
			want       int
		}{
			{"new owner not a member", `{` + g + `,"NewOwner_Account":"c"}`, 10004},
			{"operator who is not the owner", `{` + g + `,"NewOwner_Account":"b","From_Account":"a"}`, 10007},
			{"to b", `{` + g + `,"NewOwner_Account":"b"}`, 0},
		} {
			t.Run("change owner: "+c.name, func(t *testing.T) {
				if r := s.Call(t, gs+"change_group_owner", c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
		r = s.Must(t, gs+"get_role_in_group", `{`+g+`,"User_Account":["owner","b"]}`)
		if b, _ := json.Marshal(r["UserIdList"]); string(b) != `[{"Member_Account":"owner","Role":"Member"},{"Member_Account":"b","Role":"Owner"}]` {
			t.Fatalf("roles after change_group_owner %s", b)
		}
		if info := groupInfo(t, s, id, ""); info["Owner_Account"] != "b" {
			t.Fatalf("Owner_Account %v", info["Owner_Account"])
		}
	})
}

func TestMemberPagingImportAndJoined(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		var users []string
		for i := 0; i < 25; i++ {
			users = append(users, fmt.Sprintf("p%02d", i))
		}
		s.ImportAccounts(t, users...)
		com := mustCreate(t, s, `{"Type":"Community","Name":"c","SupportTopic":1,"Owner_Account":"p00"}`)
		items := make([]string, 0, 24)
		for i, u := range users[1:] {
			role := ""
			if i%10 == 0 {
				role = `,"Role":"Admin"`
			}
			items = append(items, fmt.Sprintf(`{"Member_Account":"%s","JoinTime":%d%s}`, u, 1600000000+i, role))
		}
		r := s.Must(t, gs+"import_group_member", `{"GroupId":"`+com+`","MemberList":[`+strings.Join(items, ",")+`]}`)
		if n := len(r.List("MemberList")); n != 24 {
			t.Fatalf("import results %d", n)
		}
		// Page a community by Next.
		var seen []string
		next := ""
		for pages := 0; ; pages++ {
			r := s.Must(t, gs+"get_group_member_info", fmt.Sprintf(`{"GroupId":"%s","Limit":10,"Next":%q,"MemberInfoFilter":["Role","JoinTime"]}`, com, next))
			if r["MemberNum"].(float64) != 25 {
				t.Fatalf("MemberNum %v", r["MemberNum"])
			}
			for _, m := range r.List("MemberList") {
				seen = append(seen, m.(map[string]any)["Member_Account"].(string))
			}
			next = r["Next"].(string)
			if next == "" || pages > 5 {
				break
			}
		}
		if fmt.Sprint(seen) != fmt.Sprint(users) {
			t.Fatalf("paged\n%v\nwant\n%v", seen, users)
		}
		r = s.Must(t, gs+"get_group_member_info", `{"GroupId":"`+com+`","MemberRoleFilter":["Owner","Admin"],"Next":""}`)
		var mgmt []string
		for _, m := range r.List("MemberList") {
			mgmt = append(mgmt, m.(map[string]any)["Member_Account"].(string)+"/"+m.(map[string]any)["Role"].(string))
		}
		if fmt.Sprint(mgmt) != "[p00/Owner p01/Admin p11/Admin p21/Admin]" {
			t.Fatalf("owner+admin filter: %v", mgmt)
		}
		for _, c := range []struct {
			name, body string
			want       int
		}{
			{"Offset on a community", `{"GroupId":"` + com + `","Offset":5}`, 10004},
			{"forged Next", `{"GroupId":"` + com + `","Next":"!!"}`, 10004},
			{"Limit over 200", `{"GroupId":"` + com + `","Limit":201}`, 10004},
			{"unknown role filter", `{"GroupId":"` + com + `","MemberRoleFilter":["Boss"]}`, 10004},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, gs+"get_group_member_info", c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
		// Offset paging on other types.
		pub := mustCreate(t, s, `{"Type":"Public","Name":"p","MemberList":`+memberList(users[:5]...)+`}`)
		r = s.Must(t, gs+"get_group_member_info", `{"GroupId":"`+pub+`","Limit":2,"Offset":2}`)
		if b, _ := json.Marshal(r.List("MemberList")); !strings.Contains(string(b), `"p02"`) || !strings.Contains(string(b), `"p03"`) || len(r.List("MemberList")) != 2 {
			t.Fatalf("offset page %s", b)
		}
		if _, has := r["Next"]; has {
			t.Fatal("a Public group answered Next")
		}
		// Joined groups: p01 is in the community and the Public group.
		mustCreate(t, s, `{"Type":"AVChatRoom","Name":"live"}`)
		r = s.Must(t, gs+"get_joined_group_list", `{"Member_Account":"p01","ResponseFilter":{"GroupBaseInfoFilter":["Type","Name"],"SelfInfoFilter":["Role","JoinTime"]}}`)
		if r["TotalCount"].(float64) != 2 {
			t.Fatalf("joined %v", r)
		}
		first := r.List("GroupIdList")[0].(map[string]any)
		if first["GroupId"] != pub || first["Type"] != "Public" || first["SelfInfo"].(map[string]any)["Role"] != "Member" {
			t.Fatalf("newest join first with base info and SelfInfo: %v", first)
		}
		r = s.Must(t, gs+"get_joined_group_list", `{"Member_Account":"p01","GroupType":"Community","SupportTopic":1}`)
		if r["TotalCount"].(float64) != 1 || r.List("GroupIdList")[0].(map[string]any)["GroupId"] != com {
			t.Fatalf("community filter %v", r)
		}
		for _, c := range []struct {
			name, body string
			want       int
		}{
			{"unknown account", `{"Member_Account":"ghost"}`, 10019},
			{"SupportTopic without Community", `{"Member_Account":"p01","SupportTopic":1}`, 10004},
			{"unknown GroupType", `{"Member_Account":"p01","GroupType":"Club"}`, 10004},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, gs+"get_joined_group_list", c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
	})
}

func TestImportGroup(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o")
		id := s.Must(t, gs+"import_group", `{"Type":"Community","Name":"old","GroupId":"@TGS#_old","SupportTopic":1,"Owner_Account":"o","CreateTime":1500000000}`)["GroupId"].(string)
		if info := groupInfo(t, s, id, ""); info["CreateTime"].(float64) != 1500000000 {
			t.Fatalf("CreateTime %v", info["CreateTime"])
		}
		if r := s.Call(t, gs+"import_group", `{"Type":"AVChatRoom","Name":"live"}`); r.Code() != 10004 {
			t.Fatalf("import AVChatRoom: %v", r)
		}
	})
}
