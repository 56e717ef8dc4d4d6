package rest_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hearth-chat/hearth/internal/apitest"
)

// Fixture IDs of TestBadTextIsAParameterError.
const (
	btCommunity = "@TGS#_bt"
	btTopic     = btCommunity + "@TOPIC#_t1"
	btPermGroup = "@PMG#_p1"
)

// btSetup makes the state the bad requests must leave alone: accounts, a
// Public group with members and custom data, a community with a topic, a
// permission group with a member and a topic permission, group, topic and
// C2C messages, a mute.
func btSetup(t *testing.T, s *apitest.Server) {
	t.Helper()
	s.ImportAccounts(t, "owner", "u1", "u2", "u3")
	s.Must(t, "im_open_login_svc/account_import", `{"UserID":"u1","Nick":"one"}`)
	s.Must(t, gs+"create_group", `{"Type":"Public","Name":"g","GroupId":"g1","Owner_Account":"owner","AppDefinedData":[{"Key":"k","Value":"v"}],
		"MemberList":[{"Member_Account":"u1","AppMemberDefinedData":[{"Key":"mk","Value":"mv"}]},{"Member_Account":"u2"}]}`)
	s.Must(t, gs+"create_group", `{"Type":"Community","Name":"c","GroupId":"`+btCommunity+`","SupportTopic":1,"EnablePermission":1,"Owner_Account":"owner",
		"MemberList":[{"Member_Account":"u1"},{"Member_Account":"u2"}]}`)
	s.Must(t, "million_group_open_http_svc/create_topic", `{"GroupId":"`+btCommunity+`","TopicId":"`+btTopic+`","TopicName":"t"}`)
	s.Must(t, gs+"create_permission_group", `{"GroupId":"`+btCommunity+`","PermissionGroupId":"`+btPermGroup+`","PermissionGroupName":"p","Permission":0}`)
	s.Must(t, gs+"add_permission_group_member", `{"GroupId":"`+btCommunity+`","PermissionGroupId":"`+btPermGroup+`","MemberList":[{"Member_Account":"u1"}]}`)
	s.Must(t, gs+"add_topic_permission_group", `{"GroupId":"`+btCommunity+`","PermissionGroupId":"`+btPermGroup+`","TopicPermissionList":[{"TopicId":"`+btTopic+`","Permission":8}]}`)
	s.Must(t, gs+"send_group_msg", `{"GroupId":"g1","Random":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`)
	s.Must(t, gs+"send_group_msg", `{"GroupId":"`+btCommunity+`","TopicId":"`+btTopic+`","Random":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`)
	s.Must(t, "openim/sendmsg", `{"From_Account":"u1","To_Account":"u2","MsgRandom":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`)
	s.Must(t, gs+"forbid_send_msg", `{"GroupId":"g1","Members_Account":["u2"],"MuteTime":3600}`)
}

// btState reads everything btSetup made, as one comparable text.
func btState(t *testing.T, s *apitest.Server) string {
	t.Helper()
	c, tp, pg := `"GroupId":"`+btCommunity+`"`, `"TopicId":"`+btTopic+`"`, `"PermissionGroupId":"`+btPermGroup+`"`
	var b strings.Builder
	for _, r := range []struct{ api, body string }{
		{"profile/portrait_get", `{"To_Account":["owner","u1","u2","u3"],"TagList":["Tag_Profile_IM_Nick","Tag_Profile_IM_Image"]}`},
		{"im_open_login_svc/account_check", `{"CheckItem":[{"UserID":"owner"},{"UserID":"u1"},{"UserID":"u2"},{"UserID":"u3"}]}`},
		{gs + "get_appid_group_list", `{}`},
		{gs + "get_group_info", `{"GroupIdList":["g1","` + btCommunity + `"]}`},
		{gs + "get_group_muted_account", `{"GroupId":"g1"}`},
		{gs + "get_group_muted_account", `{` + c + `,` + tp + `}`},
		{"million_group_open_http_svc/get_topic", `{` + c + `}`},
		{gs + "get_permission_group", `{` + c + `}`},
		{gs + "get_permission_group_member_list", `{` + c + `,` + pg + `}`},
		{gs + "get_topic_permission_group", `{` + c + `,` + pg + `}`},
		{gs + "group_msg_get_simple", `{"GroupId":"g1","ReqMsgNumber":20}`},
		{gs + "group_msg_get_simple", `{` + c + `,` + tp + `,"ReqMsgNumber":20}`},
		{"openim/admin_getroammsg", `{"Operator_Account":"u1","Peer_Account":"u2","MaxCnt":100,"MinTime":0,"MaxTime":4000000000}`},
	} {
		out, _ := json.Marshal(s.Must(t, r.api, r.body))
		fmt.Fprintf(&b, "%s: %s\n", r.api, out)
	}
	return b.String()
}

// btCase is one bad request and the answer it must get: the top-level
// code, or (item != "") code at item, a path like "ResultItem.0.ResultCode"
// in an OK answer.
type btCase struct {
	name, api, body string
	code            int
	item            string
}

// btItem follows a dotted path of keys and indexes in a response.
func btItem(r apitest.Resp, path string) any {
	var v any = map[string]any(r)
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			var i int
			fmt.Sscan(k, &i)
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func btCases() []btCase {
	const nul, ctl, bad = `\u0000`, `\u0001`, "\xff" // bad: a byte that is never UTF-8
	c, tp, pg := `"GroupId":"`+btCommunity+`"`, `"TopicId":"`+btTopic+`"`, `"PermissionGroupId":"`+btPermGroup+`"`
	body := func(text string) string { return `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"` + text + `"}}]` }
	ms := "million_group_open_http_svc/"
	return []btCase{
		// Accounts (70402) and profiles (40001).
		{"account_import UserID with NUL", "im_open_login_svc/account_import", `{"UserID":"n` + nul + `"}`, 70402, ""},
		{"account_import Nick with NUL", "im_open_login_svc/account_import", `{"UserID":"u1","Nick":"a` + nul + `"}`, 70402, ""},
		{"account_import FaceUrl with NUL", "im_open_login_svc/account_import", `{"UserID":"u1","FaceUrl":"a` + nul + `"}`, 70402, ""},
		{"multiaccount_import Nick with NUL", "im_open_login_svc/multiaccount_import", `{"AccountList":[{"UserID":"u1","Nick":"` + nul + `"}]}`, 0, "FailAccounts.0"},
		{"account_check UserID with NUL", "im_open_login_svc/account_check", `{"CheckItem":[{"UserID":"u1` + nul + `"}]}`, 70402, "ResultItem.0.ResultCode"},
		{"account_check UserID not UTF-8", "im_open_login_svc/account_check", `{"CheckItem":[{"UserID":"u1` + bad + `"}]}`, 70402, "ResultItem.0.ResultCode"},
		{"account_delete UserID with NUL", "im_open_login_svc/account_delete", `{"DeleteItem":[{"UserID":"u1` + nul + `"}]}`, 70402, "ResultItem.0.ResultCode"},
		{"kick UserID with a control character", "im_open_login_svc/kick", `{"UserID":"u1` + ctl + `"}`, 70402, ""},
		{"portrait_get To_Account with NUL", "profile/portrait_get", `{"To_Account":["u1` + nul + `"],"TagList":["Tag_Profile_IM_Nick"]}`, 40001, ""},
		{"portrait_set Nick with NUL", "profile/portrait_set", `{"From_Account":"u1","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"a` + nul + `"}]}`, 40001, ""},
		{"portrait_set custom value with NUL", "profile/portrait_set", `{"From_Account":"u1","ProfileItem":[{"Tag":"Tag_Profile_Custom_abc","Value":"` + nul + `"}]}`, 40001, ""},
		// Groups (10004; 10015 per item for get_group_info).
		{"create_group Owner_Account with NUL", gs + "create_group", `{"Type":"Public","Name":"n","Owner_Account":"owner` + nul + `"}`, 10004, ""},
		{"create_group Member_Account with NUL", gs + "create_group", `{"Type":"Public","Name":"n","MemberList":[{"Member_Account":"u1` + nul + `"}]}`, 10004, ""},
		{"create_group Member_Account not UTF-8", gs + "create_group", `{"Type":"Public","Name":"n","MemberList":[{"Member_Account":"u1` + bad + `"}]}`, 10004, ""},
		{"create_group AppDefinedData value with NUL", gs + "create_group", `{"Type":"Public","Name":"n","AppDefinedData":[{"Key":"k","Value":"` + nul + `"}]}`, 10004, ""},
		{"create_group member data value with NUL", gs + "create_group", `{"Type":"Public","Name":"n","MemberList":[{"Member_Account":"u1","AppMemberDefinedData":[{"Key":"k","Value":"` + nul + `"}]}]}`, 10004, ""},
		{"create_group Introduction with NUL", gs + "create_group", `{"Type":"Public","Name":"n","Introduction":"` + nul + `"}`, 10004, ""},
		{"import_group Owner_Account with NUL", gs + "import_group", `{"Type":"Public","Name":"n","Owner_Account":"owner` + nul + `"}`, 10004, ""},
		{"get_group_info GroupId with NUL", gs + "get_group_info", `{"GroupIdList":["g1` + nul + `"]}`, 10015, "GroupInfo.0.ErrorCode"},
		{"modify_group_base_info From_Account with NUL", gs + "modify_group_base_info", `{"GroupId":"g1","From_Account":"owner` + nul + `","Name":"x"}`, 10004, ""},
		{"modify_group_base_info AppDefinedData value with NUL", gs + "modify_group_base_info", `{"GroupId":"g1","AppDefinedData":[{"Key":"k","Value":"` + nul + `"}]}`, 10004, ""},
		{"modify_group_base_info Notification with NUL", gs + "modify_group_base_info", `{"GroupId":"g1","Notification":"` + nul + `"}`, 10004, ""},
		{"add_group_member Member_Account with NUL", gs + "add_group_member", `{"GroupId":"g1","MemberList":[{"Member_Account":"u3` + nul + `"}]}`, 10004, ""},
		{"import_group_member Member_Account with NUL", gs + "import_group_member", `{"GroupId":"g1","MemberList":[{"Member_Account":"u3` + nul + `"}]}`, 10004, ""},
		{"delete_group_member account with NUL", gs + "delete_group_member", `{"GroupId":"g1","MemberToDel_Account":["u1` + nul + `"]}`, 10004, ""},
		{"delete_group_member Reason with NUL", gs + "delete_group_member", `{"GroupId":"g1","MemberToDel_Account":["u3"],"Reason":"` + nul + `"}`, 10004, ""},
		{"modify_group_member_info Member_Account with NUL", gs + "modify_group_member_info", `{"GroupId":"g1","Member_Account":"u1` + nul + `","NameCard":"x"}`, 10004, ""},
		{"modify_group_member_info NameCard with NUL", gs + "modify_group_member_info", `{"GroupId":"g1","Member_Account":"u1","NameCard":"` + nul + `"}`, 10004, ""},
		{"modify_group_member_info data value with NUL", gs + "modify_group_member_info", `{"GroupId":"g1","Member_Account":"u1","AppMemberDefinedData":[{"Key":"mk","Value":"` + nul + `"}]}`, 10004, ""},
		{"get_group_member_info Next naming a NUL", gs + "get_group_member_info", `{` + c + `,"Next":"AA"}`, 10004, ""},
		{"get_joined_group_list Member_Account with NUL", gs + "get_joined_group_list", `{"Member_Account":"u1` + nul + `"}`, 10004, ""},
		{"get_role_in_group User_Account with NUL", gs + "get_role_in_group", `{"GroupId":"g1","User_Account":["u1` + nul + `"]}`, 10004, ""},
		{"forbid_send_msg account with NUL", gs + "forbid_send_msg", `{"GroupId":"g1","Members_Account":["u2` + nul + `"],"MuteTime":0}`, 10004, ""},
		{"forbid_send_msg TopicId with NUL", gs + "forbid_send_msg", `{` + c + `,"TopicId":"` + btTopic + nul + `","Members_Account":["u2"],"MuteTime":60}`, 10004, ""},
		{"get_group_muted_account TopicId with NUL", gs + "get_group_muted_account", `{` + c + `,"TopicId":"` + btTopic + nul + `"}`, 10004, ""},
		{"change_group_owner NewOwner_Account with NUL", gs + "change_group_owner", `{"GroupId":"g1","NewOwner_Account":"u1` + nul + `"}`, 10004, ""},
		// Topics (10004).
		{"create_topic From_Account with NUL", ms + "create_topic", `{` + c + `,"TopicName":"x","From_Account":"owner` + nul + `"}`, 10004, ""},
		{"create_topic CustomString with NUL", ms + "create_topic", `{` + c + `,"TopicName":"x","CustomString":"` + nul + `"}`, 10004, ""},
		{"import_topic From_Account with NUL", ms + "import_topic", `{` + c + `,"TopicName":"x","From_Account":"owner` + nul + `"}`, 10004, ""},
		{"get_topic From_Account with NUL", ms + "get_topic", `{` + c + `,"From_Account":"u1` + nul + `"}`, 10004, ""},
		{"get_topic TopicId with NUL", ms + "get_topic", `{` + c + `,"TopicIdList":["` + btTopic + nul + `"]}`, 10004, ""},
		{"modify_topic TopicId with NUL", ms + "modify_topic", `{` + c + `,"TopicId":"` + btTopic + nul + `","TopicName":"x"}`, 10004, ""},
		{"modify_topic From_Account with NUL", ms + "modify_topic", `{` + c + `,` + tp + `,"From_Account":"owner` + nul + `","TopicName":"x"}`, 10004, ""},
		{"destroy_topic TopicId with NUL", ms + "destroy_topic", `{` + c + `,"TopicIdList":["` + btTopic + nul + `"]}`, 10004, ""},
		// Permission groups (10004; per item for topic lists).
		{"create_permission_group CustomString with NUL", gs + "create_permission_group", `{` + c + `,"PermissionGroupName":"x","Permission":0,"CustomString":"` + nul + `"}`, 10004, ""},
		{"modify_permission_group name with NUL", gs + "modify_permission_group", `{` + c + `,` + pg + `,"PermissionGroupName":"` + nul + `"}`, 10004, ""},
		{"get_permission_group Next naming a NUL", gs + "get_permission_group", `{` + c + `,"Next":"AA"}`, 10004, ""},
		{"add_permission_group_member account with NUL", gs + "add_permission_group_member", `{` + c + `,` + pg + `,"MemberList":[{"Member_Account":"u2` + nul + `"}]}`, 10004, ""},
		{"delete_permission_group_member account with NUL", gs + "delete_permission_group_member", `{` + c + `,` + pg + `,"MemberList":[{"Member_Account":"u1` + nul + `"}]}`, 10004, ""},
		{"get_permission_group_member_list Next naming a NUL", gs + "get_permission_group_member_list", `{` + c + `,` + pg + `,"Next":"AA"}`, 10004, ""},
		{"add_topic_permission_group TopicId with NUL", gs + "add_topic_permission_group", `{` + c + `,` + pg + `,"TopicPermissionList":[{"TopicId":"` + btTopic + nul + `","Permission":8}]}`, 10004, "TopicPermissionResultList.0.ErrorCode"},
		{"set_topic_permission_group TopicId with NUL", gs + "set_topic_permission_group", `{` + c + `,` + pg + `,"TopicPermissionList":[{"TopicId":"` + btTopic + nul + `","Permission":8}]}`, 10004, "TopicPermissionResultList.0.ErrorCode"},
		{"delete_topic_permission_group TopicId with NUL", gs + "delete_topic_permission_group", `{` + c + `,` + pg + `,"TopicIdList":["` + btTopic + nul + `"]}`, 10004, "TopicPermissionResultList.0.ErrorCode"},
		{"get_topic_permission_group TopicId with NUL", gs + "get_topic_permission_group", `{` + c + `,` + pg + `,"TopicIdList":["` + btTopic + nul + `"]}`, 10004, "TopicPermissionResultList.0.ErrorCode"},
		// Group and topic messages (10004).
		{"send_group_msg From_Account with NUL", gs + "send_group_msg", `{"GroupId":"g1","Random":7,"From_Account":"u1` + nul + `","MsgBody":` + body("x") + `}`, 10004, ""},
		{"send_group_msg CloudCustomData with NUL", gs + "send_group_msg", `{"GroupId":"g1","Random":7,"CloudCustomData":"` + nul + `","MsgBody":` + body("x") + `}`, 10004, ""},
		{"send_group_msg Text with NUL", gs + "send_group_msg", `{"GroupId":"g1","Random":7,"MsgBody":` + body(nul) + `}`, 10004, ""},
		{"send_group_msg Text not UTF-8", gs + "send_group_msg", `{"GroupId":"g1","Random":7,"MsgBody":` + body(bad) + `}`, 10004, ""},
		{"send_group_msg custom Data not UTF-8", gs + "send_group_msg", `{"GroupId":"g1","Random":7,"MsgBody":[{"MsgType":"TIMCustomElem","MsgContent":{"Data":"` + bad + `"}}]}`, 10004, ""},
		{"send_group_msg TopicId with NUL", gs + "send_group_msg", `{` + c + `,"TopicId":"` + btTopic + nul + `","Random":7,"MsgBody":` + body("x") + `}`, 10004, ""},
		{"send_group_msg topic Text not UTF-8", gs + "send_group_msg", `{` + c + `,` + tp + `,"Random":7,"MsgBody":` + body(bad) + `}`, 10004, ""},
		{"group_msg_get_simple TopicId with NUL", gs + "group_msg_get_simple", `{` + c + `,"TopicId":"` + btTopic + nul + `","ReqMsgNumber":1}`, 10004, ""},
		{"group_msg_recall Reason with NUL", gs + "group_msg_recall", `{"GroupId":"g1","MsgSeqList":[{"MsgSeq":1}],"Reason":"` + nul + `"}`, 10004, ""},
		{"import_group_msg From_Account with NUL", gs + "import_group_msg", `{"GroupId":"g1","MsgList":[{"From_Account":"u1` + nul + `","SendTime":1,"Random":1,"MsgBody":` + body("x") + `}]}`, 10004, ""},
		{"import_group_msg Text not UTF-8", gs + "import_group_msg", `{"GroupId":"g1","MsgList":[{"From_Account":"u1","SendTime":1,"Random":1,"MsgBody":` + body(bad) + `}]}`, 10004, ""},
		{"send_group_system_notification account with NUL", gs + "send_group_system_notification", `{"GroupId":"g1","ToMembers_Account":["u1` + nul + `"],"Content":"c"}`, 10004, ""},
		{"send_group_system_notification TopicId with NUL", gs + "send_group_system_notification", `{` + c + `,"TopicId":"` + btTopic + nul + `","Content":"c"}`, 10004, ""},
		// One-to-one messages: 90001 for a parameter, 90003 for To_Account,
		// 90002 for MsgBody.
		{"sendmsg From_Account with NUL", "openim/sendmsg", `{"From_Account":"u1` + nul + `","To_Account":"u2","MsgRandom":7,"MsgBody":` + body("x") + `}`, 90001, ""},
		{"sendmsg To_Account with NUL", "openim/sendmsg", `{"From_Account":"u1","To_Account":"u2` + nul + `","MsgRandom":7,"MsgBody":` + body("x") + `}`, 90003, ""},
		{"sendmsg CloudCustomData with NUL", "openim/sendmsg", `{"From_Account":"u1","To_Account":"u2","MsgRandom":7,"CloudCustomData":"` + nul + `","MsgBody":` + body("x") + `}`, 90001, ""},
		{"sendmsg Text with NUL", "openim/sendmsg", `{"From_Account":"u1","To_Account":"u2","MsgRandom":7,"MsgBody":` + body(nul) + `}`, 90002, ""},
		{"sendmsg Text not UTF-8", "openim/sendmsg", `{"From_Account":"u1","To_Account":"u2","MsgRandom":7,"MsgBody":` + body(bad) + `}`, 90002, ""},
		{"batchsendmsg To_Account with NUL", "openim/batchsendmsg", `{"From_Account":"u1","To_Account":["u2` + nul + `"],"MsgRandom":7,"MsgBody":` + body("x") + `}`, 90003, ""},
		{"importmsg From_Account with NUL", "openim/importmsg", `{"SyncFromOldSystem":2,"From_Account":"u1` + nul + `","To_Account":"u2","MsgSeq":1,"MsgRandom":7,"MsgTimeStamp":1,"MsgBody":` + body("x") + `}`, 90001, ""},
		{"importmsg Text not UTF-8", "openim/importmsg", `{"SyncFromOldSystem":2,"From_Account":"u1","To_Account":"u2","MsgSeq":1,"MsgRandom":7,"MsgTimeStamp":1,"MsgBody":` + body(bad) + `}`, 90002, ""},
		{"admin_getroammsg Peer_Account with NUL", "openim/admin_getroammsg", `{"Operator_Account":"u1","Peer_Account":"u2` + nul + `","MaxCnt":10}`, 90003, ""},
		{"admin_getroammsg LastMsgKey with NUL", "openim/admin_getroammsg", `{"Operator_Account":"u1","Peer_Account":"u2","MaxCnt":10,"LastMsgKey":"` + nul + `"}`, 90001, ""},
		{"admin_msgwithdraw MsgKey with NUL", "openim/admin_msgwithdraw", `{"From_Account":"u1","To_Account":"u2","MsgKey":"1_1_1` + nul + `"}`, 90001, ""},
		{"admin_msgwithdraw From_Account with NUL", "openim/admin_msgwithdraw", `{"From_Account":"u1` + nul + `","To_Account":"u2","MsgKey":"1_1_1"}`, 90001, ""},
	}
}

// TestBadTextIsAParameterError sends IDs and texts no store can keep
// faithfully (a NUL, a control character in an ID, bytes that are not
// UTF-8) to every route that takes them: each answers the service's
// documented parameter code, the same on every store, and changes nothing.
func TestBadTextIsAParameterError(t *testing.T) {
	var mu sync.Mutex
	got := map[string]map[string]string{} // case -> store -> answer
	for _, store := range apitest.Stores() {
		t.Run(store, func(t *testing.T) {
			o := apitest.Options{}
			if store == "postgres" {
				o.Postgres = apitest.PostgresSchema(t)
			}
			s := apitest.Start(t, o)
			btSetup(t, s)
			for _, c := range btCases() {
				t.Run(c.name, func(t *testing.T) {
					before := btState(t, s)
					r := s.Call(t, c.api, c.body)
					answer := fmt.Sprint(r.Code())
					if c.item != "" {
						if r.Code() != 0 {
							t.Fatalf("got %v, want OK with %s = %d", r, c.item, c.code)
						}
						answer = fmt.Sprint(btItem(r, c.item))
						if c.code != 0 && answer != fmt.Sprint(c.code) {
							t.Fatalf("%s = %s, want %d (%v)", c.item, answer, c.code, r)
						}
					} else if r.Code() != c.code {
						t.Fatalf("got %d (%v), want %d", r.Code(), r["ErrorInfo"], c.code)
					}
					mu.Lock()
					if got[c.name] == nil {
						got[c.name] = map[string]string{}
					}
					got[c.name][store] = answer
					mu.Unlock()
					if after := btState(t, s); after != before {
						t.Fatalf("the refused request changed the state:\nbefore %s\nafter  %s", before, after)
					}
				})
			}
		})
	}
	for name, by := range got {
		if len(by) == 2 && by["sqlite"] != by["postgres"] {
			t.Errorf("%s: SQLite answers %s, PostgreSQL %s", name, by["sqlite"], by["postgres"])
		}
	}
}
