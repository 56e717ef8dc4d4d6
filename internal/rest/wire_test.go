package rest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/apitest"
)

// kindOf names the JSON kind of a value decoded into any.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case float64:
		return "number"
	case string:
		return "string"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// at follows a path such as "GroupInfo.0.MemberList.1.Role" into a decoded
// response; ok is false when a step is missing.
func at(v any, path string) (any, bool) {
	for _, step := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[step]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// TestResponseFieldKinds checks, route by route, that the named response
// fields are present and of the JSON kind the hosted pages' samples show
// (a number is never sent as a string, an empty list is [] and not null or
// missing), as strictly decoding SDKs need.
func TestResponseFieldKinds(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "owner", "m1", "m2", "peer")
		gid := mustCreate(t, s, `{"Type":"Public","Name":"g","Owner_Account":"owner","MemberList":[{"Member_Account":"m1","AppMemberDefinedData":[{"Key":"lvl","Value":"3"}]},{"Member_Account":"m2"}],"AppDefinedData":[{"Key":"color","Value":"red"}]}`)
		bare := mustCreate(t, s, `{"Type":"Public","Name":"bare","Owner_Account":"owner"}`)
		com := mustCreate(t, s, `{"Type":"Community","Name":"c","SupportTopic":1,"EnablePermission":1,"Owner_Account":"owner","MemberList":[{"Member_Account":"m1"}]}`)
		tid := s.Must(t, "million_group_open_http_svc/create_topic", `{"GroupId":"`+com+`","TopicName":"t"}`)["TopicId"].(string)
		pg := s.Must(t, gs+"create_permission_group", `{"GroupId":"`+com+`","PermissionGroupName":"p","Permission":64}`)["PermissionGroupId"].(string)
		s.Must(t, gs+"add_permission_group_member", `{"GroupId":"`+com+`","PermissionGroupId":"`+pg+`","MemberList":[{"Member_Account":"m1"}]}`)
		s.Must(t, gs+"forbid_send_msg", `{"GroupId":"`+gid+`","Members_Account":["m2"],"MuteTime":600}`)
		s.Must(t, gs+"send_group_msg", `{"GroupId":"`+gid+`","Random":7,"From_Account":"m1","MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`)
		s.Must(t, "openim/sendmsg", `{"From_Account":"m1","To_Account":"peer","MsgRandom":9,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"yo"}}]}`)

		type want map[string]string // path -> kind
		cases := []struct {
			name, api, body string
			want            want
		}{
			{"multiaccount_import", "im_open_login_svc/multiaccount_import", `{"Accounts":["x1"]}`, want{"FailAccounts": "array"}},
			{"account_check", "im_open_login_svc/account_check", `{"CheckItem":[{"UserID":"m1"}]}`,
				want{"ResultItem.0.ResultCode": "number", "ResultItem.0.ResultInfo": "string", "ResultItem.0.UserID": "string", "ResultItem.0.AccountStatus": "string"}},
			{"portrait_get", "profile/portrait_get", `{"To_Account":["m1","ghost"],"TagList":["Tag_Profile_IM_Nick"]}`,
				want{"UserProfileItem.0.To_Account": "string", "UserProfileItem.0.ProfileItem": "array", "UserProfileItem.0.ResultCode": "number", "UserProfileItem.1.ProfileItem": "array", "Fail_Account": "array"}},
			{"get_group_info basic form", gs + "get_group_info", `{"GroupIdList":["` + gid + `"]}`, want{
				"GroupInfo.0.Appid": "number", "GroupInfo.0.GroupId": "string", "GroupInfo.0.ErrorCode": "number", "GroupInfo.0.Type": "string",
				"GroupInfo.0.CreateTime": "number", "GroupInfo.0.InfoSeq": "number", "GroupInfo.0.LastInfoTime": "number", "GroupInfo.0.LastMsgTime": "number",
				"GroupInfo.0.NextMsgSeq": "number", "GroupInfo.0.MemberNum": "number", "GroupInfo.0.MaxMemberNum": "number", "GroupInfo.0.ShutUpAllMember": "string",
				"GroupInfo.0.Owner_Account": "string", "GroupInfo.0.AppDefinedData": "array", "GroupInfo.0.AppDefinedData.0.Value": "string",
				"GroupInfo.0.MemberList.0.Member_Account": "string", "GroupInfo.0.MemberList.0.JoinTime": "number", "GroupInfo.0.MemberList.0.MsgSeq": "number",
				"GroupInfo.0.MemberList.0.MsgFlag": "string", "GroupInfo.0.MemberList.0.LastSendMsgTime": "number", "GroupInfo.0.MemberList.0.ShutUpUntil": "number",
				"GroupInfo.0.MemberList.0.AppMemberDefinedData": "array"}},
			{"get_group_info basic form, no custom fields", gs + "get_group_info", `{"GroupIdList":["` + bare + `"]}`,
				want{"GroupInfo.0.AppDefinedData": "array", "GroupInfo.0.MemberList.0.AppMemberDefinedData": "array"}},
			{"get_group_info filtered", gs + "get_group_info", `{"GroupIdList":["` + gid + `"],"ResponseFilter":{"GroupBaseInfoFilter":["Appid","MemberNum"]}}`,
				want{"GroupInfo.0.Appid": "number", "GroupInfo.0.MemberNum": "number"}},
			{"get_group_info community", gs + "get_group_info", `{"GroupIdList":["` + com + `"]}`,
				want{"GroupInfo.0.Appid": "number", "GroupInfo.0.SupportTopic": "number", "GroupInfo.0.EnablePermission": "number", "GroupInfo.0.DefaultPermission": "number"}},
			{"get_appid_group_list", gs + "get_appid_group_list", `{"Limit":1}`, want{"TotalCount": "number", "Next": "number", "GroupIdList.0.GroupId": "string"}},
			{"get_group_member_info", gs + "get_group_member_info", `{"GroupId":"` + gid + `"}`,
				want{"MemberNum": "number", "MemberList.0.JoinTime": "number", "MemberList.0.ShutUpUntil": "number", "MemberList.0.Role": "string"}},
			{"get_group_member_info community", gs + "get_group_member_info", `{"GroupId":"` + com + `","Limit":1}`, want{"MemberNum": "number", "Next": "string"}},
			{"get_joined_group_list", gs + "get_joined_group_list", `{"Member_Account":"m1","ResponseFilter":{"GroupBaseInfoFilter":["Appid","Type"],"SelfInfoFilter":["JoinTime"]}}`,
				want{"TotalCount": "number", "GroupIdList.0.GroupId": "string", "GroupIdList.0.Appid": "number", "GroupIdList.0.SelfInfo.JoinTime": "number"}},
			{"get_role_in_group", gs + "get_role_in_group", `{"GroupId":"` + gid + `","User_Account":["m1"]}`, want{"UserIdList.0.Role": "string"}},
			{"get_group_muted_account", gs + "get_group_muted_account", `{"GroupId":"` + gid + `"}`, want{"GroupId": "string", "MutedAccountList.0.MutedUntil": "number"}},
			{"get_group_muted_account, none", gs + "get_group_muted_account", `{"GroupId":"` + bare + `"}`, want{"MutedAccountList": "array"}},
			{"add_group_member", gs + "add_group_member", `{"GroupId":"` + bare + `","MemberList":[{"Member_Account":"m1"}]}`, want{"MemberList.0.Result": "number"}},
			{"send_group_msg", gs + "send_group_msg", `{"GroupId":"` + gid + `","Random":8,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"x"}}]}`,
				want{"MsgSeq": "number", "MsgTime": "number"}},
			{"group_msg_get_simple", gs + "group_msg_get_simple", `{"GroupId":"` + gid + `","ReqMsgNumber":5}`, want{"GroupId": "string", "IsFinished": "number",
				"RspMsgList.0.MsgSeq": "number", "RspMsgList.0.MsgRandom": "number", "RspMsgList.0.MsgTimeStamp": "number", "RspMsgList.0.MsgPriority": "number",
				"RspMsgList.0.IsPlaceMsg": "number", "RspMsgList.0.IsSystemMsg": "number", "RspMsgList.0.MsgBody": "array", "RspMsgList.0.From_Account": "string"}},
			{"group_msg_get_simple, none", gs + "group_msg_get_simple", `{"GroupId":"` + bare + `","ReqMsgNumber":5}`, want{"RspMsgList": "array"}},
			{"group_msg_recall", gs + "group_msg_recall", `{"GroupId":"` + gid + `","MsgSeqList":[{"MsgSeq":1}]}`, want{"RecallRetList.0.MsgSeq": "number", "RecallRetList.0.RetCode": "number"}},
			{"sendmsg", "openim/sendmsg", `{"From_Account":"m1","To_Account":"peer","MsgRandom":10,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"a"}}]}`,
				want{"MsgTime": "number", "MsgKey": "string", "MsgId": "string"}},
			{"batchsendmsg", "openim/batchsendmsg", `{"From_Account":"m1","To_Account":["peer"],"MsgRandom":11,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"b"}}]}`,
				want{"MsgKey": "string", "ErrorList": "array"}},
			{"admin_getroammsg", "openim/admin_getroammsg", `{"Operator_Account":"m1","Peer_Account":"peer","MaxCnt":10,"MinTime":0,"MaxTime":4000000000}`,
				want{"Complete": "number", "MsgCnt": "number", "LastMsgTime": "number", "LastMsgKey": "string", "MsgList.0.MsgSeq": "number", "MsgList.0.MsgRandom": "number",
					"MsgList.0.MsgTimeStamp": "number", "MsgList.0.MsgFlagBits": "number", "MsgList.0.MsgBody": "array"}},
			{"get_topic", "million_group_open_http_svc/get_topic", `{"GroupId":"` + com + `","TopicIdList":["` + tid + `"]}`,
				want{"TopicAndSelfInfo.0.ErrorCode": "number", "TopicAndSelfInfo.0.TopicInfo.TopicId": "string", "TopicAndSelfInfo.0.TopicInfo.CreateTime": "number",
					"TopicAndSelfInfo.0.TopicInfo.NextMsgSeq": "number", "TopicAndSelfInfo.0.TopicInfo.ShutUpAllFlag": "number"}},
			{"get_permission_group", gs + "get_permission_group", `{"GroupId":"` + com + `","PermissionGroupIdList":["` + pg + `"]}`,
				want{"PermissionGroupInfoList.0.Permission": "number", "PermissionGroupInfoList.0.MemberCount": "number", "PermissionGroupInfoList.0.PermissionGroupId": "string"}},
			{"get_permission_group_member_list", gs + "get_permission_group_member_list", `{"GroupId":"` + com + `","PermissionGroupId":"` + pg + `"}`,
				want{"MemberList.0.Member_Account": "string", "Next": "string"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := s.Must(t, c.api, c.body)
				for path, kind := range c.want {
					v, ok := at(map[string]any(r), path)
					if !ok {
						t.Errorf("%s is missing", path)
						continue
					}
					if got := kindOf(v); got != kind {
						t.Errorf("%s is a JSON %s (%v), want %s", path, got, v, kind)
					}
				}
			})
		}
	})
}

// TestGetGroupInfoBasicFormCustomData: without a ResponseFilter,
// get_group_info answers the group's and its members' custom fields.
func TestGetGroupInfoBasicFormCustomData(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "owner", "m1")
		gid := mustCreate(t, s, `{"Type":"Public","Name":"g","Owner_Account":"owner","MemberList":[{"Member_Account":"m1","AppMemberDefinedData":[{"Key":"lvl","Value":"3"}]}],"AppDefinedData":[{"Key":"color","Value":"red"},{"Key":"size","Value":"L"}]}`)
		info := groupInfo(t, s, gid, "")
		if b, _ := json.Marshal(info["AppDefinedData"]); string(b) != `[{"Key":"color","Value":"red"},{"Key":"size","Value":"L"}]` {
			t.Errorf("AppDefinedData %s", b)
		}
		custom := map[string]string{}
		for _, m := range info["MemberList"].([]any) {
			b, _ := json.Marshal(m.(map[string]any)["AppMemberDefinedData"])
			custom[m.(map[string]any)["Member_Account"].(string)] = string(b)
		}
		if custom["m1"] != `[{"Key":"lvl","Value":"3"}]` || custom["owner"] != `[]` {
			t.Errorf("AppMemberDefinedData by member %v", custom)
		}
		if info["Appid"] != float64(apitest.SDKAppID) {
			t.Errorf("Appid %v, want %d", info["Appid"], apitest.SDKAppID)
		}
	})
}

// getJSON sends body with HTTP GET to a full URL and decodes the answer.
func getJSON(t *testing.T, fullURL, body string) apitest.Resp {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, fullURL, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET: HTTP %d (%s)", res.StatusCode, out)
	}
	var r apitest.Resp
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("GET: not JSON: %s", out)
	}
	return r
}

// TestGETWithJSONBody: the gateway serves GET with a JSON body like POST;
// other methods stay 60002.
func TestGETWithJSONBody(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	s.ImportAccounts(t, "alice")
	mustCreate(t, s, `{"Type":"Public","Name":"g"}`)
	cases := []struct {
		name, api, body string
		check           func(apitest.Resp) bool
	}{
		{"account_check", "im_open_login_svc/account_check", `{"CheckItem":[{"UserID":"alice"}]}`,
			func(r apitest.Resp) bool {
				return r.List("ResultItem")[0].(map[string]any)["AccountStatus"] == "Imported"
			}},
		{"get_appid_group_list", gs + "get_appid_group_list", `{}`, func(r apitest.Resp) bool { return r["TotalCount"] == 1.0 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := getJSON(t, s.AdminURL(t, c.api), c.body)
			if r.Code() != 0 || !c.check(r) {
				t.Fatalf("GET %s: %v", c.api, r)
			}
		})
	}
	t.Run("PUT is still refused", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPut, s.AdminURL(t, gs+"get_appid_group_list"), strings.NewReader(`{}`))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var r apitest.Resp
		json.NewDecoder(res.Body).Decode(&r)
		if res.StatusCode != http.StatusOK || r.Code() != 60002 {
			t.Fatalf("PUT: HTTP %d %v, want 200 and 60002", res.StatusCode, r)
		}
	})
}

// TestLegacyCommandNames: older command names answer like the current
// ones, with their older response fields.
func TestLegacyCommandNames(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "owner", "m1", "m2")
		gid := mustCreate(t, s, `{"Type":"Public","Name":"g","Owner_Account":"owner","MemberList":[{"Member_Account":"m1"},{"Member_Account":"m2"}]}`)
		s.Must(t, gs+"forbid_send_msg", `{"GroupId":"`+gid+`","Members_Account":["m1"],"MuteTime":4294967295}`)
		r := s.Must(t, gs+"get_group_shutted_uin", `{"GroupId":"`+gid+`"}`)
		list := r.List("ShuttedUinList")
		if r["GroupId"] != gid || len(list) != 1 {
			t.Fatalf("get_group_shutted_uin: %v", r)
		}
		item := list[0].(map[string]any)
		if item["Member_Account"] != "m1" || item["ShuttedUntil"] != 4294967295.0 {
			t.Fatalf("ShuttedUinList item %v", item)
		}
		if r := s.Call(t, gs+"get_group_shutted_uin", `{"GroupId":"nope"}`); r.Code() != 10010 {
			t.Fatalf("unknown group: %v, want 10010", r)
		}
	})
}
