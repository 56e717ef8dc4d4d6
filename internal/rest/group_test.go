package rest_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/apitest"
	"github.com/hearth-chat/hearth/internal/event"
)

const gs = "group_open_http_svc/"

// groupCount is the app's total group count.
func groupCount(t *testing.T, s *apitest.Server) int {
	t.Helper()
	r := s.Must(t, gs+"get_appid_group_list", `{}`)
	return int(r["TotalCount"].(float64))
}

func mustCreate(t *testing.T, s *apitest.Server, body string) string {
	t.Helper()
	return s.Must(t, gs+"create_group", body)["GroupId"].(string)
}

func TestCreateGroup(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "owner", "m1", "m2", "m3")
		zh10 := strings.Repeat("群", 10) // 30 bytes
		cases := []struct {
			name string
			body string
			want int
			id   string // regexp the generated ID must match
		}{
			{"Public", `{"Type":"Public","Name":"p","Owner_Account":"owner"}`, 0, `^@TGS#1[A-Z0-9]{8}$`},
			{"Private", `{"Type":"Private","Name":"p","Owner_Account":"owner","MemberList":[{"Member_Account":"m1"},{"Member_Account":"m2","Role":"Admin"}]}`, 0, `^@TGS#2[A-Z0-9]{8}$`},
			{"Work is Private", `{"Type":"Work","Name":"w"}`, 0, `^@TGS#2[A-Z0-9]{8}$`},
			{"ChatRoom", `{"Type":"ChatRoom","Name":"c"}`, 0, `^@TGS#3[A-Z0-9]{8}$`},
			{"Meeting is ChatRoom", `{"Type":"Meeting","Name":"c"}`, 0, `^@TGS#3[A-Z0-9]{8}$`},
			{"AVChatRoom", `{"Type":"AVChatRoom","Name":"a"}`, 0, `^@TGS#a[A-Z0-9]{8}$`},
			{"Community", `{"Type":"Community","Name":"c","SupportTopic":1}`, 0, `^@TGS#_@TGS#c[A-Z0-9]{11}$`},
			{"Community with permissions", `{"Type":"Community","Name":"c","SupportTopic":1,"EnablePermission":1,"DefaultPermission":64}`, 0, `^@TGS#_@TGS#c`},
			{"custom ID", `{"Type":"Public","Name":"p","GroupId":"my group 1"}`, 0, `^my group 1$`},
			{"custom community ID", `{"Type":"Community","Name":"c","GroupId":"@TGS#_mine"}`, 0, `^@TGS#_mine$`},
			{"48-byte custom ID", `{"Type":"Public","Name":"p","GroupId":"` + strings.Repeat("g", 48) + `"}`, 0, `^g{48}$`},
			{"name of 30 bytes", `{"Type":"Public","Name":"` + zh10 + `"}`, 0, `.`},
			{"all text fields at their limits", `{"Type":"Public","Name":"n","Introduction":"` + strings.Repeat("i", 240) + `","Notification":"` + strings.Repeat("é", 150) + `","FaceUrl":"` + strings.Repeat("f", 100) + `"}`, 0, `.`},
			{"missing Type", `{"Name":"x"}`, 10004, ""},
			{"unknown Type", `{"Type":"Club","Name":"x"}`, 10004, ""},
			{"missing Name", `{"Type":"Public"}`, 10004, ""},
			{"name of 31 bytes", `{"Type":"Public","Name":"` + zh10 + `x"}`, 10004, ""},
			{"introduction of 241 bytes", `{"Type":"Public","Name":"n","Introduction":"` + strings.Repeat("i", 241) + `"}`, 10004, ""},
			{"notification of 301 bytes", `{"Type":"Public","Name":"n","Notification":"` + strings.Repeat("é", 150) + `x"}`, 10004, ""},
			{"face URL of 101 bytes", `{"Type":"Public","Name":"n","FaceUrl":"` + strings.Repeat("f", 101) + `"}`, 10004, ""},
			{"custom ID with @TGS# on a Public group", `{"Type":"Public","Name":"p","GroupId":"@TGS#mine"}`, 10015, ""},
			{"community ID without @TGS#_", `{"Type":"Community","Name":"p","GroupId":"mine"}`, 10015, ""},
			{"49-byte custom ID", `{"Type":"Public","Name":"p","GroupId":"` + strings.Repeat("g", 49) + `"}`, 10015, ""},
			{"custom ID with a control character", `{"Type":"Public","Name":"p","GroupId":"a\tb"}`, 10015, ""},
			{"taken custom ID", `{"Type":"Public","Name":"p","GroupId":"my group 1"}`, 10021, ""},
			{"owner not imported", `{"Type":"Public","Name":"p","Owner_Account":"ghost"}`, 10019, ""},
			{"member not imported", `{"Type":"Public","Name":"p","MemberList":[{"Member_Account":"ghost"}]}`, 10019, ""},
			{"member twice", `{"Type":"Public","Name":"p","MemberList":[{"Member_Account":"m1"},{"Member_Account":"m1"}]}`, 10004, ""},
			{"owner also in MemberList", `{"Type":"Public","Name":"p","Owner_Account":"owner","MemberList":[{"Member_Account":"owner"}]}`, 10004, ""},
			{"member role Owner", `{"Type":"Public","Name":"p","MemberList":[{"Member_Account":"m1","Role":"Owner"}]}`, 10004, ""},
			{"AVChatRoom with members", `{"Type":"AVChatRoom","Name":"a","MemberList":[{"Member_Account":"m1"}]}`, 10007, ""},
			{"SupportTopic on a Public group", `{"Type":"Public","Name":"p","SupportTopic":1}`, 10004, ""},
			{"EnablePermission without topics", `{"Type":"Community","Name":"c","EnablePermission":1}`, 10004, ""},
			{"DefaultPermission without EnablePermission", `{"Type":"Community","Name":"c","SupportTopic":1,"DefaultPermission":1}`, 10004, ""},
			{"DefaultPermission with unknown bits", `{"Type":"Community","Name":"c","SupportTopic":1,"EnablePermission":1,"DefaultPermission":2048}`, 10004, ""},
			{"MaxMemberCount over the type's limit", `{"Type":"Private","Name":"p","MaxMemberCount":201}`, 10004, ""},
			{"members over MaxMemberCount", `{"Type":"Public","Name":"p","Owner_Account":"owner","MaxMemberCount":2,"MemberList":[{"Member_Account":"m1"},{"Member_Account":"m2"}]}`, 10014, ""},
			{"bad ApplyJoinOption", `{"Type":"Public","Name":"p","ApplyJoinOption":"Sometimes"}`, 10004, ""},
			{"11 custom fields", `{"Type":"Public","Name":"p","AppDefinedData":[` + kvs(11, 1) + `]}`, 10004, ""},
			{"custom key with a dash", `{"Type":"Public","Name":"p","AppDefinedData":[{"Key":"a-b","Value":"v"}]}`, 10004, ""},
			{"custom value of 513 bytes", `{"Type":"Public","Name":"p","AppDefinedData":[{"Key":"k","Value":"` + strings.Repeat("v", 513) + `"}]}`, 10004, ""},
			{"Name of the wrong type", `{"Type":"Public","Name":5}`, 10004, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := groupCount(t, s)
				r := s.Call(t, gs+"create_group", c.body)
				if r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
				if c.want != 0 {
					if after := groupCount(t, s); after != before {
						t.Fatalf("a refused create changed the group count %d -> %d", before, after)
					}
					return
				}
				if id, _ := r["GroupId"].(string); !regexp.MustCompile(c.id).MatchString(id) {
					t.Fatalf("GroupId %q does not match %s", id, c.id)
				}
			})
		}
		// 10025: the owner asks again for an ID its own group holds.
		mustCreate(t, s, `{"Type":"Public","Name":"p","GroupId":"owned","Owner_Account":"owner"}`)
		if r := s.Call(t, gs+"create_group", `{"Type":"Public","Name":"p","GroupId":"owned","Owner_Account":"owner"}`); r.Code() != 10025 {
			t.Fatalf("same owner, same ID: %v, want 10025", r)
		}
	})
}

// kvs returns n custom fields with values of size bytes.
func kvs(n, size int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`{"Key":"k%d","Value":"%s"}`, i, strings.Repeat("v", size))
	}
	return strings.Join(parts, ",")
}

func groupInfo(t *testing.T, s *apitest.Server, id string, filter string) map[string]any {
	t.Helper()
	body := `{"GroupIdList":["` + id + `"]` + filter + `}`
	r := s.Must(t, gs+"get_group_info", body)
	return r.List("GroupInfo")[0].(map[string]any)
}

func TestGetGroupInfoAndModify(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "owner", "adm", "mem", "outsider")
		id := mustCreate(t, s, `{"Type":"Public","Name":"g","Owner_Account":"owner","MemberList":[{"Member_Account":"adm","Role":"Admin"},{"Member_Account":"mem","AppMemberDefinedData":[{"Key":"lvl","Value":"3"}]}],"AppDefinedData":[{"Key":"color","Value":"red"},{"Key":"size","Value":"L"}]}`)
		info := groupInfo(t, s, id, "")
		for k, want := range map[string]any{"Type": "Public", "Name": "g", "Owner_Account": "owner", "MemberNum": 3.0, "MaxMemberNum": 2000.0, "ApplyJoinOption": "NeedPermission", "MuteAllMember": "Off", "ErrorCode": 0.0, "NextMsgSeq": 1.0} {
			if info[k] != want {
				t.Errorf("%s = %v, want %v", k, info[k], want)
			}
		}
		if n := len(info["MemberList"].([]any)); n != 3 {
			t.Fatalf("MemberList has %d members, want 3", n)
		}
		filtered := groupInfo(t, s, id, `,"ResponseFilter":{"GroupBaseInfoFilter":["Name","MemberNum"],"AppDefinedDataFilter_Group":["color"],"MemberInfoFilter":["Role"],"AppDefinedDataFilter_GroupMember":["lvl"]}`)
		if _, has := filtered["Type"]; has || filtered["Name"] != "g" {
			t.Fatalf("GroupBaseInfoFilter not applied: %v", filtered)
		}
		if b, _ := json.Marshal(filtered["AppDefinedData"]); string(b) != `[{"Key":"color","Value":"red"}]` {
			t.Fatalf("AppDefinedData %s", b)
		}
		if b, _ := json.Marshal(filtered["MemberList"]); !strings.Contains(string(b), `{"AppMemberDefinedData":[{"Key":"lvl","Value":"3"}],"Member_Account":"mem","Role":"Member"}`) {
			t.Fatalf("MemberList %s", b)
		}
		r := s.Must(t, gs+"get_group_info", `{"GroupIdList":["`+id+`","nope","@TGS#_"]}`)
		if codes := fmt.Sprint(r.List("GroupInfo")[1].(map[string]any)["ErrorCode"], r.List("GroupInfo")[2].(map[string]any)["ErrorCode"]); codes != "10010 10015" {
			t.Fatalf("missing/malformed group codes %s, want 10010 10015", codes)
		}
		ids := strings.Repeat(`"x",`, 50) + `"x"`
		if r := s.Call(t, gs+"get_group_info", `{"GroupIdList":[`+ids+`]}`); r.Code() != 10004 {
			t.Fatalf("51 IDs: %v", r)
		}

		seq := info["InfoSeq"].(float64)
		cases := []struct {
			name, body string
			want       int
		}{
			{"name and notification", `{"GroupId":"` + id + `","Name":"g2","Notification":"n"}`, 0},
			{"mute all", `{"GroupId":"` + id + `","MuteAllMember":"On"}`, 0},
			{"custom fields merge and delete", `{"GroupId":"` + id + `","AppDefinedData":[{"Key":"size","Value":""},{"Key":"shape","Value":"round"}]}`, 0},
			{"admin as operator", `{"GroupId":"` + id + `","From_Account":"adm","Introduction":"by admin"}`, 0},
			{"member as operator in a Public group", `{"GroupId":"` + id + `","From_Account":"mem","Name":"no"}`, 10007},
			{"outsider as operator", `{"GroupId":"` + id + `","From_Account":"outsider","Name":"no"}`, 10007},
			{"unknown operator", `{"GroupId":"` + id + `","From_Account":"ghost","Name":"no"}`, 10012},
			{"bad MuteAllMember", `{"GroupId":"` + id + `","MuteAllMember":"Yes","Name":"no"}`, 10004},
			{"empty name", `{"GroupId":"` + id + `","Name":""}`, 10004},
			{"name too long", `{"GroupId":"` + id + `","Name":"` + strings.Repeat("n", 31) + `"}`, 10004},
			{"MaxMemberNum below member count", `{"GroupId":"` + id + `","MaxMemberNum":2}`, 10004},
			{"EnablePermission on a Public group", `{"GroupId":"` + id + `","EnablePermission":1}`, 10004},
			{"missing group", `{"GroupId":"nope","Name":"x"}`, 10010},
			{"malformed group ID", `{"GroupId":"bad\u0001id","Name":"x"}`, 10015},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, gs+"modify_group_base_info", c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
		info = groupInfo(t, s, id, `,"ResponseFilter":{"AppDefinedDataFilter_Group":["color","size","shape"]}`)
		for k, want := range map[string]any{"Name": "g2", "Notification": "n", "MuteAllMember": "On", "Introduction": "by admin", "InfoSeq": seq + 4} {
			if info[k] != want {
				t.Errorf("after modify %s = %v, want %v", k, info[k], want)
			}
		}
		if b, _ := json.Marshal(info["AppDefinedData"]); string(b) != `[{"Key":"color","Value":"red"},{"Key":"shape","Value":"round"}]` {
			t.Fatalf("AppDefinedData after merge %s", b)
		}
		// A Work group lets an ordinary member edit the profile.
		w := mustCreate(t, s, `{"Type":"Work","Name":"w","Owner_Account":"owner","MemberList":[{"Member_Account":"mem"}]}`)
		s.Must(t, gs+"modify_group_base_info", `{"GroupId":"`+w+`","From_Account":"mem","Name":"edited"}`)
	})
}

func TestDestroyAndListGroups(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		var ids []string
		for i := 0; i < 5; i++ {
			ids = append(ids, mustCreate(t, s, `{"Type":"Public","Name":"p"}`))
		}
		mustCreate(t, s, `{"Type":"ChatRoom","Name":"c"}`)
		var got []string
		next := 0.0
		for {
			r := s.Must(t, gs+"get_appid_group_list", fmt.Sprintf(`{"Limit":2,"Next":%d,"GroupType":"Public"}`, int64(next)))
			if r["TotalCount"].(float64) != 5 {
				t.Fatalf("TotalCount %v, want 5", r["TotalCount"])
			}
			for _, g := range r.List("GroupIdList") {
				got = append(got, g.(map[string]any)["GroupId"].(string))
			}
			if next = r["Next"].(float64); next == 0 {
				break
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(ids) {
			t.Fatalf("paged %v, want %v", got, ids)
		}
		if r := s.Call(t, gs+"get_appid_group_list", `{"GroupType":"Club"}`); r.Code() != 10004 {
			t.Fatalf("unknown GroupType: %v", r)
		}
		s.Must(t, gs+"destroy_group", `{"GroupId":"`+ids[0]+`"}`)
		for _, c := range []struct {
			name, api, body string
			want            int
		}{
			{"destroyed group is gone", gs + "destroy_group", `{"GroupId":"` + ids[0] + `"}`, 10010},
			{"get_group_info of a destroyed group", gs + "get_group_info", `{"GroupIdList":["` + ids[0] + `"]}`, 0},
			{"missing GroupId", gs + "destroy_group", `{}`, 10004},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, c.api, c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
		if groupCount(t, s) != 5 {
			t.Fatal("destroy did not remove the group from the list")
		}
	})
}

func TestGroupTextRejectsNUL(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		id := mustCreate(t, s, `{"Type":"Public","Name":"p"}`)
		for _, c := range []struct{ name, api, body string }{
			{"create Name", "create_group", `{"Type":"Public","Name":"a\u0000b"}`},
			{"modify Notification", "modify_group_base_info", `{"GroupId":"` + id + `","Notification":"\u0000"}`},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, gs+c.api, c.body); r.Code() != 10004 {
					t.Fatalf("got %v, want 10004", r)
				}
			})
		}
	})
}

func TestGroupChangesAreEvents(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	s.ImportAccounts(t, "o", "m")
	events := make(chan event.Event, 16)
	cancel := s.Bus.Subscribe(func(e event.Event) { events <- e })
	defer cancel()
	id := mustCreate(t, s, `{"Type":"Public","Name":"p","Owner_Account":"o"}`)
	s.Must(t, gs+"add_group_member", `{"GroupId":"`+id+`","MemberList":[{"Member_Account":"m"}]}`)
	s.Must(t, gs+"modify_group_base_info", `{"GroupId":"`+id+`","Name":"q"}`)
	s.Must(t, gs+"delete_group_member", `{"GroupId":"`+id+`","MemberToDel_Account":["m"]}`)
	s.Must(t, gs+"destroy_group", `{"GroupId":"`+id+`"}`)
	want := []string{"group.created [o]", "group.members_added [m]", "group.modified []", "group.members_removed [m]", "group.destroyed []"}
	for _, w := range want {
		select {
		case e := <-events:
			if got := fmt.Sprintf("%s %v", e.Type, e.Users); got != w || e.GroupID != id {
				t.Fatalf("event %q on %s, want %q on %s", got, e.GroupID, w, id)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no event %q", w)
		}
	}
}
