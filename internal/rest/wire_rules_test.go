package rest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/apitest"
)

// TestHistoryExplicitZeroAndCap: ReqMsgSeq 0 means the newest messages,
// as when it is left out, and a ReqMsgNumber above 20 answers 20.
func TestHistoryExplicitZeroAndCap(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		gid := mustCreate(t, s, `{"Type":"Public","Name":"g"}`)
		for i := 1; i <= 25; i++ {
			s.Must(t, gs+"send_group_msg", fmt.Sprintf(`{"GroupId":"%s","Random":%d,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"m%d"}}]}`, gid, i, i))
		}
		cases := []struct {
			name  string
			req   map[string]any
			n     int // messages answered
			first int // the newest one's MsgSeq
		}{
			{"ReqMsgSeq left out", map[string]any{"GroupId": gid, "ReqMsgNumber": 5}, 5, 25},
			{"ReqMsgSeq 0", map[string]any{"GroupId": gid, "ReqMsgSeq": 0, "ReqMsgNumber": 5}, 5, 25},
			{"ReqMsgSeq 0 with a topic field left empty", map[string]any{"GroupId": gid, "TopicId": "", "ReqMsgSeq": 0, "ReqMsgNumber": 5}, 5, 25},
			{"ReqMsgSeq 10", map[string]any{"GroupId": gid, "ReqMsgSeq": 10, "ReqMsgNumber": 5}, 5, 10},
			{"ReqMsgNumber 20", map[string]any{"GroupId": gid, "ReqMsgNumber": 20}, 20, 25},
			{"ReqMsgNumber 21 answers 20", map[string]any{"GroupId": gid, "ReqMsgNumber": 21}, 20, 25},
			{"ReqMsgNumber 1000 answers 20", map[string]any{"GroupId": gid, "ReqMsgSeq": 0, "ReqMsgNumber": 1000}, 20, 25},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				seqs := gmHist(t, s, c.req)
				if len(seqs) != c.n || seqs[0] != c.first {
					t.Fatalf("MsgSeqs %v, want %d of them from %d", seqs, c.n, c.first)
				}
			})
		}
		if r := s.Call(t, gs+"group_msg_get_simple", map[string]any{"GroupId": gid, "ReqMsgSeq": 0, "ReqMsgNumber": 0}); r.Code() != 10004 {
			t.Fatalf("ReqMsgNumber 0 (it is required): %v, want 10004", r)
		}
	})
}

// TestExplicitZeroMeansUnset: an optional numeric field sent as 0 (as SDKs
// that serialize every field do) means the same as leaving it out.
func TestExplicitZeroMeansUnset(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "owner", "m1", "m2")
		pub := mustCreate(t, s, `{"Type":"Public","Name":"p","Owner_Account":"owner","MemberList":[{"Member_Account":"m1"},{"Member_Account":"m2"}]}`)
		com := mustCreate(t, s, `{"Type":"Community","Name":"c","SupportTopic":1,"EnablePermission":1,"Owner_Account":"owner","MemberList":[{"Member_Account":"m1"}]}`)
		pg := s.Must(t, gs+"create_permission_group", `{"GroupId":"`+com+`","PermissionGroupName":"p","Permission":0}`)["PermissionGroupId"].(string)
		s.Must(t, gs+"add_permission_group_member", `{"GroupId":"`+com+`","PermissionGroupId":"`+pg+`","MemberList":[{"Member_Account":"m1"}]}`)
		cases := []struct {
			name, api, body string
			check           func(apitest.Resp) error
		}{
			{"create_group with every optional number 0", gs + "create_group",
				`{"Type":"Public","Name":"z","MaxMemberCount":0,"SupportTopic":0,"EnablePermission":0,"DefaultPermission":0,"CreateTime":0}`, nil},
			{"create_group Community with DefaultPermission 0 and permissions off", gs + "create_group",
				`{"Type":"Community","Name":"z","SupportTopic":1,"EnablePermission":0,"DefaultPermission":0}`, nil},
			{"modify_group_base_info with MaxMemberNum, EnablePermission, DefaultPermission 0", gs + "modify_group_base_info",
				`{"GroupId":"` + pub + `","Name":"p2","MaxMemberNum":0,"EnablePermission":0,"DefaultPermission":0}`, nil},
			{"get_group_member_info Limit 0 Offset 0", gs + "get_group_member_info", `{"GroupId":"` + pub + `","Limit":0,"Offset":0}`,
				func(r apitest.Resp) error { return wantLen(r, "MemberList", 3) }},
			{"get_appid_group_list Limit 0 Next 0", gs + "get_appid_group_list", `{"Limit":0,"Next":0}`,
				func(r apitest.Resp) error { return wantLen(r, "GroupIdList", int(r["TotalCount"].(float64))) }},
			{"get_joined_group_list Limit 0 Offset 0", gs + "get_joined_group_list", `{"Member_Account":"m1","Limit":0,"Offset":0,"WithHugeGroups":0,"SupportTopic":0}`,
				func(r apitest.Resp) error { return wantLen(r, "GroupIdList", 2) }},
			{"get_permission_group_member_list Limit 0 Next 0", gs + "get_permission_group_member_list",
				`{"GroupId":"` + com + `","PermissionGroupId":"` + pg + `","Limit":0,"Next":0}`,
				func(r apitest.Resp) error { return wantLen(r, "MemberList", 1) }},
			{"get_permission_group Limit 0 Next 0", gs + "get_permission_group", `{"GroupId":"` + com + `","Limit":0,"Next":0}`,
				func(r apitest.Resp) error { return wantLen(r, "PermissionGroupInfoList", 1) }},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := s.Must(t, c.api, c.body)
				if c.check != nil {
					if err := c.check(r); err != nil {
						t.Fatal(err)
					}
				}
			})
		}
		// The zeros changed nothing they name.
		info := groupInfo(t, s, pub, "")
		if info["MaxMemberNum"] != 2000.0 || info["Name"] != "p2" {
			t.Fatalf("after a modify with zeros: MaxMemberNum %v Name %v, want 2000 p2", info["MaxMemberNum"], info["Name"])
		}
		// A zero that means something still does: EnablePermission 0 turns
		// permissions off in a community with topics.
		s.Must(t, gs+"modify_group_base_info", `{"GroupId":"`+com+`","EnablePermission":0}`)
		if got := groupInfo(t, s, com, "")["EnablePermission"]; got != 0.0 {
			t.Fatalf("EnablePermission after 0: %v", got)
		}
	})
}

func wantLen(r apitest.Resp, key string, n int) error {
	if got := len(r.List(key)); got != n {
		return fmt.Errorf("%s has %d items, want %d: %v", key, got, n, r)
	}
	return nil
}

// TestGroupQueryLimits: get_group_info takes at most 50 groups and
// get_group_member_info a Limit of at most 200; past them 10004.
func TestGroupQueryLimits(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		gid := mustCreate(t, s, `{"Type":"Public","Name":"g"}`)
		ids := func(n int) string { return strings.TrimSuffix(strings.Repeat(`"`+gid+`",`, n), ",") }
		cases := []struct {
			name, api, body string
			want            int
		}{
			{"get_group_info 50 groups", gs + "get_group_info", `{"GroupIdList":[` + ids(50) + `]}`, 0},
			{"get_group_info 51 groups", gs + "get_group_info", `{"GroupIdList":[` + ids(51) + `]}`, 10004},
			{"get_group_member_info Limit 200", gs + "get_group_member_info", `{"GroupId":"` + gid + `","Limit":200}`, 0},
			{"get_group_member_info Limit 201", gs + "get_group_member_info", `{"GroupId":"` + gid + `","Limit":201}`, 10004},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, c.api, c.body); r.Code() != c.want {
					t.Fatalf("got %d (%v), want %d", r.Code(), r["ErrorInfo"], c.want)
				}
			})
		}
	})
}

// TestMuteOnWorkGroups: Private (Work) groups do not support muting
// members: forbid_send_msg, and a non-zero MuteTime in
// modify_group_member_info, answer 10007 and mute nobody.
func TestMuteOnWorkGroups(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "owner", "m1")
		groups := map[string]string{}
		for _, typ := range []string{"Private", "Work", "Public"} {
			groups[typ] = mustCreate(t, s, `{"Type":"`+typ+`","Name":"g","Owner_Account":"owner","MemberList":[{"Member_Account":"m1"}]}`)
		}
		cases := []struct {
			name, group, api, body string
			want                   int
			muted                  int // members muted afterwards
		}{
			{"forbid_send_msg on Private", "Private", "forbid_send_msg", `"Members_Account":["m1"],"MuteTime":60`, 10007, 0},
			{"forbid_send_msg on Work", "Work", "forbid_send_msg", `"Members_Account":["m1"],"ShutUpTime":60`, 10007, 0},
			{"forbid_send_msg unmute on Work", "Work", "forbid_send_msg", `"Members_Account":["m1"],"MuteTime":0`, 10007, 0},
			{"modify_group_member_info MuteTime on Private", "Private", "modify_group_member_info", `"Member_Account":"m1","MuteTime":60`, 10007, 0},
			{"modify_group_member_info MuteTime 0 on Private", "Private", "modify_group_member_info", `"Member_Account":"m1","MuteTime":0,"NameCard":"n"`, 0, 0},
			{"forbid_send_msg on Public", "Public", "forbid_send_msg", `"Members_Account":["m1"],"MuteTime":60`, 0, 1},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				gid := groups[c.group]
				if r := s.Call(t, gs+c.api, `{"GroupId":"`+gid+`",`+c.body+`}`); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
				if n := len(s.Must(t, gs+"get_group_muted_account", `{"GroupId":"`+gid+`"}`).List("MutedAccountList")); n != c.muted {
					t.Fatalf("%d muted afterwards, want %d", n, c.muted)
				}
			})
		}
	})
}

// TestImportMsgSyncFromOldSystem: importmsg takes SyncFromOldSystem 2
// (history) or 5 (real-time) only; any other value, or none, is 90001 and
// imports nothing.
func TestImportMsgSyncFromOldSystem(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "a", "b")
		cases := []struct {
			name, sync string // "" leaves the field out
			want       int
		}{
			{"left out", "", 90001},
			{"0", "0", 90001},
			{"1", "1", 90001},
			{"3", "3", 90001},
			{"2 (history)", "2", 0},
			{"5 (real-time)", "5", 0},
		}
		imported := 0
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				field := ""
				if c.sync != "" {
					field = `"SyncFromOldSystem":` + c.sync + `,`
				}
				body := fmt.Sprintf(`{%s"From_Account":"a","To_Account":"b","MsgSeq":%d,"MsgRandom":%d,"MsgTimeStamp":%d,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"x"}}]}`, field, i+1, i+1, 1600000000+i)
				if r := s.Call(t, "openim/importmsg", body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
				if c.want == 0 {
					imported++
				}
				roam := s.Must(t, "openim/admin_getroammsg", `{"Operator_Account":"a","Peer_Account":"b","MaxCnt":100,"MinTime":0,"MaxTime":4000000000}`)
				if n := len(roam.List("MsgList")); n != imported {
					t.Fatalf("%d messages stored, want %d", n, imported)
				}
			})
		}
	})
}
