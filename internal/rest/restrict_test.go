package rest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apitest"
)

// wsCode is the code a WebSocket request was refused with (0: done; -1:
// it failed otherwise).
func wsCode(_ client.Frame, err error) int {
	var e *client.Error
	switch {
	case errors.As(err, &e):
		return e.Code
	case err != nil:
		return -1
	}
	return 0
}

func wsText(s string) json.RawMessage {
	b, _ := json.Marshal(gmText(s))
	return b
}

func idList(prefix string, n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%q", fmt.Sprint(prefix, i))
	}
	return "[" + strings.Join(ids, ",") + "]"
}

func TestGlobalMute(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o", "ann", "ben")
		gid := topicCommunity(t, s, `,"MemberList":[{"Member_Account":"ann"}]`)
		tid := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "t"})
		ann := dialReader(t, s, "ann")

		r := s.Must(t, "openconfigsvr/getnospeaking", `{"Get_Account":"ann"}`)
		if r["C2CmsgNospeakingTime"] != 0.0 || r["GroupmsgNospeakingTime"] != 0.0 {
			t.Fatalf("never muted: %v", r)
		}
		codes := []struct {
			name, api, body string
			want            int
		}{
			{"neither time", "setnospeaking", `{"Set_Account":"ann"}`, 90001},
			{"no account", "setnospeaking", `{"C2CmsgNospeakingTime":1}`, 90001},
			{"account not imported", "setnospeaking", `{"Set_Account":"ghost","C2CmsgNospeakingTime":1}`, 90048},
			{"negative", "setnospeaking", `{"Set_Account":"ann","C2CmsgNospeakingTime":-1}`, 90001},
			{"one over the maximum", "setnospeaking", `{"Set_Account":"ann","GroupmsgNospeakingTime":4294967296}`, 90001},
			{"a string is no number", "setnospeaking", `{"Set_Account":"ann","GroupmsgNospeakingTime":"60"}`, 90001},
			{"get without account", "getnospeaking", `{}`, 90001},
			{"get of no account", "getnospeaking", `{"Get_Account":"ghost"}`, 90048},
		}
		for _, c := range codes {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, "openconfigsvr/"+c.api, c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
		if r := s.Must(t, "openconfigsvr/getnospeaking", `{"Get_Account":"ann"}`); r["C2CmsgNospeakingTime"] != 0.0 || r["GroupmsgNospeakingTime"] != 0.0 {
			t.Fatalf("refused calls changed the mute: %v", r)
		}

		// Muted for one-to-one messages for ever: the socket send is refused
		// with 20012, the admin's sendmsg on its behalf is not (as hosted).
		s.Must(t, "openconfigsvr/setnospeaking", `{"Set_Account":"ann","C2CmsgNospeakingTime":4294967295}`)
		if code := wsCode(ann.SendC2C(readCtx(t), "ben", 1, wsText("hi"))); code != 20012 {
			t.Fatalf("muted one-to-one send over the socket: %d, want 20012", code)
		}
		s.Must(t, "openim/sendmsg", map[string]any{"From_Account": "ann", "To_Account": "ben", "MsgRandom": gmR(), "MsgBody": gmText("by the admin")})
		// Group messages still go.
		gmSend(t, s, gmMsg(gid, "", "ann", gmText("ok")), 0)
		if code := wsCode(ann.Send(readCtx(t), gid, tid, 2, wsText("ok"))); code != 0 {
			t.Fatalf("group send while only one-to-one muted: %d", code)
		}

		// Muted for group messages for two hours: REST with From_Account,
		// and the socket into the group and its topic, get 10017.
		s.Must(t, "openconfigsvr/setnospeaking", `{"Set_Account":"ann","GroupmsgNospeakingTime":7200}`)
		r = s.Must(t, "openconfigsvr/getnospeaking", `{"Get_Account":"ann"}`)
		if g, _ := r["GroupmsgNospeakingTime"].(float64); r["C2CmsgNospeakingTime"] != 4294967295.0 || g < 7190 || g > 7200 {
			t.Fatalf("getnospeaking %v: want the one-to-one mute kept (for ever) and about 7200 s left of the group one", r)
		}
		gmSend(t, s, gmMsg(gid, "", "ann", gmText("no")), 10017)
		gmSend(t, s, gmMsg(gid, tid, "ann", gmText("no")), 10017)
		gmSend(t, s, gmMsg(gid, "", "", gmText("the admin itself")), 0)
		for _, topicID := range []string{"", tid} {
			if code := wsCode(ann.Send(readCtx(t), gid, topicID, uint32(gmR()), wsText("no"))); code != 10017 {
				t.Fatalf("muted group send over the socket (topic %q): %d, want 10017", topicID, code)
			}
		}

		// Lifted: both go again, on the next request.
		s.Must(t, "openconfigsvr/setnospeaking", `{"Set_Account":"ann","C2CmsgNospeakingTime":0,"GroupmsgNospeakingTime":0}`)
		if code := wsCode(ann.SendC2C(readCtx(t), "ben", 3, wsText("back"))); code != 0 {
			t.Fatalf("after the lift: %d", code)
		}
		if code := wsCode(ann.Send(readCtx(t), gid, tid, uint32(gmR()), wsText("back"))); code != 0 {
			t.Fatalf("group send after the lift: %d", code)
		}
		// A mute of one second ends by itself.
		s.Must(t, "openconfigsvr/setnospeaking", `{"Set_Account":"ben","C2CmsgNospeakingTime":1}`)
		ben := dialReader(t, s, "ben")
		if code := wsCode(ben.SendC2C(readCtx(t), "ann", 4, wsText("x"))); code != 20012 {
			t.Fatalf("during a one-second mute: %d", code)
		}
		waitUntil(t, func() bool { return wsCode(ben.SendC2C(readCtx(t), "ann", 5, wsText("x"))) == 0 })
	})
}

func TestBlocklist(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "ann", "ben", "cat", "dan")
		r := s.Must(t, "sns/black_list_add", `{"From_Account":"ann","To_Account":["ben","cat","ghost","ann","ben"]}`)
		if got := fmt.Sprint(r["ResultItem"]); got != "[map[ResultCode:0 ResultInfo: To_Account:ben] map[ResultCode:0 ResultInfo: To_Account:cat] "+
			"map[ResultCode:30003 ResultInfo:Err_TLS_PT_Open_Login_Account_Not_Exist To_Account:ghost] map[ResultCode:30001 ResultInfo:Err_SNS_BlackList_Self To_Account:ann]]" {
			t.Fatalf("ResultItem %s", got)
		}
		if fmt.Sprint(r["Fail_Account"]) != "[ghost ann]" {
			t.Fatalf("Fail_Account %v", r["Fail_Account"])
		}
		r = s.Must(t, "sns/black_list_add", `{"From_Account":"ann","To_Account":["cat"]}`)
		if got := fmt.Sprint(r["ResultItem"]); got != "[map[ResultCode:30001 ResultInfo:Err_SNS_BlackListAdd_Already_Exist To_Account:cat]]" {
			t.Fatalf("adding again: %s", got)
		}
		s.Must(t, "sns/black_list_add", `{"From_Account":"ben","To_Account":["ann"]}`)
		s.Must(t, "sns/black_list_add", `{"From_Account":"dan","To_Account":["ann"]}`)

		r = s.Must(t, "sns/black_list_check", `{"From_Account":"ann","To_Account":["ben","cat","dan","ghost"],"CheckType":"BlackCheckResult_Type_Both"}`)
		var rel []string
		for _, it := range r.List("BlackListCheckItem") {
			m := it.(map[string]any)
			rel = append(rel, fmt.Sprint(m["To_Account"], "=", m["Relation"], "/", m["ResultCode"]))
		}
		if got := strings.Join(rel, " "); got != "ben=BlackCheckResult_Type_BothWay/0 cat=BlackCheckResult_Type_AWithB/0 dan=BlackCheckResult_Type_BWithA/0 ghost=BlackCheckResult_Type_NO/30003" {
			t.Fatalf("check both: %s", got)
		}
		r = s.Must(t, "sns/black_list_check", `{"From_Account":"ann","To_Account":["ben","dan"],"CheckType":"BlackCheckResult_Type_Single"}`)
		if got := fmt.Sprint(r["BlackListCheckItem"]); !strings.Contains(got, "Relation:BlackCheckResult_Type_AWithB ResultCode:0 ResultInfo: To_Account:ben") ||
			!strings.Contains(got, "Relation:BlackCheckResult_Type_NO ResultCode:0 ResultInfo: To_Account:dan") {
			t.Fatalf("check single: %s", got)
		}

		// Over the socket a blocked sender is refused with 20007, the
		// blocker is not (one way only); the admin's sendmsg is not checked.
		ben, ann, dan := dialReader(t, s, "ben"), dialReader(t, s, "ann"), dialReader(t, s, "dan")
		_ = ben
		if code := wsCode(ann.SendC2C(readCtx(t), "dan", 1, wsText("x"))); code != 20007 {
			t.Fatalf("ann to dan (dan blocked ann): %d, want 20007", code)
		}
		if code := wsCode(dan.SendC2C(readCtx(t), "ann", 2, wsText("x"))); code != 0 {
			t.Fatalf("dan to ann (ann did not block dan): %d", code)
		}
		s.Must(t, "openim/sendmsg", map[string]any{"From_Account": "ann", "To_Account": "dan", "MsgRandom": gmR(), "MsgBody": gmText("by the admin")})
		s.Must(t, "sns/black_list_delete", `{"From_Account":"dan","To_Account":["ann","cat"]}`)
		if code := wsCode(ann.SendC2C(readCtx(t), "dan", 3, wsText("x"))); code != 0 {
			t.Fatalf("after black_list_delete: %d", code)
		}

		// Paging: oldest first; StartIndex 0 once the list is complete.
		r = s.Must(t, "sns/black_list_get", `{"From_Account":"ann","StartIndex":0,"MaxLimited":1,"LastSequence":0}`)
		if fmt.Sprint(r["StartIndex"]) != "1" || len(r.List("BlackListItem")) != 1 || r["CurruentSequence"] != 1.0 {
			t.Fatalf("first page %v", r)
		}
		first := r.List("BlackListItem")[0].(map[string]any)
		if _, ok := first["AddBlackTimeStamp"].(float64); !ok {
			t.Fatalf("AddBlackTimeStamp %v", first)
		}
		r = s.Must(t, "sns/black_list_get", `{"From_Account":"ann","StartIndex":1,"MaxLimited":1,"LastSequence":0}`)
		if fmt.Sprint(r["StartIndex"]) != "0" || len(r.List("BlackListItem")) != 1 {
			t.Fatalf("last page %v", r)
		}
		got := fmt.Sprint(first["To_Account"], r.List("BlackListItem")[0].(map[string]any)["To_Account"])
		if got != "bencat" {
			t.Fatalf("pages %s, want ben then cat", got)
		}
		r = s.Must(t, "sns/black_list_delete", `{"From_Account":"ann","To_Account":["cat","cat","dan","ghost"]}`)
		if fmt.Sprint(r["Fail_Account"]) != "[ghost]" {
			t.Fatalf("delete: %v", r)
		}
		if r := s.Must(t, "sns/black_list_get", `{"From_Account":"ann","StartIndex":0,"MaxLimited":1000,"LastSequence":0}`); r["CurruentSequence"] != 2.0 || len(r.List("BlackListItem")) != 1 {
			t.Fatalf("after delete %v", r)
		}

		codes := []struct {
			name, api, body string
			want            int
		}{
			{"add: no From_Account", "black_list_add", `{"To_Account":["ben"]}`, 30001},
			{"add: From_Account not imported", "black_list_add", `{"From_Account":"ghost","To_Account":["ben"]}`, 30003},
			{"add: no To_Account", "black_list_add", `{"From_Account":"ann"}`, 30001},
			{"add: To_Account a string", "black_list_add", `{"From_Account":"ann","To_Account":"ben"}`, 30001},
			{"add: 1001 accounts", "black_list_add", `{"From_Account":"ann","To_Account":` + idList("u", 1001) + `}`, 30001},
			{"delete: 1001 accounts", "black_list_delete", `{"From_Account":"ann","To_Account":` + idList("u", 1001) + `}`, 30001},
			{"delete: no To_Account", "black_list_delete", `{"From_Account":"ann","To_Account":[]}`, 30001},
			{"check: bad CheckType", "black_list_check", `{"From_Account":"ann","To_Account":["ben"],"CheckType":"CheckResult_Type_Both"}`, 30001},
			{"check: 1000 accounts", "black_list_check", `{"From_Account":"ann","To_Account":` + idList("u", 1000) + `,"CheckType":"BlackCheckResult_Type_Single"}`, 0},
			{"check: 1001 accounts", "black_list_check", `{"From_Account":"ann","To_Account":` + idList("u", 1001) + `,"CheckType":"BlackCheckResult_Type_Single"}`, 30001},
			{"get: MaxLimited 0", "black_list_get", `{"From_Account":"ann","StartIndex":0,"MaxLimited":0,"LastSequence":0}`, 30001},
			{"get: MaxLimited 1001", "black_list_get", `{"From_Account":"ann","StartIndex":0,"MaxLimited":1001,"LastSequence":0}`, 30001},
			{"get: negative StartIndex", "black_list_get", `{"From_Account":"ann","StartIndex":-1,"MaxLimited":10,"LastSequence":0}`, 30001},
			{"get: From_Account not imported", "black_list_get", `{"From_Account":"ghost","StartIndex":0,"MaxLimited":10,"LastSequence":0}`, 30003},
		}
		for _, c := range codes {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, "sns/"+c.api, c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
	})
}

// TestBlocklistLimit fills a blocklist to its 1000 accounts: the next one is
// refused per item with 30013 and the list is unchanged.
func TestBlocklistLimit(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		ids := make([]string, 1001)
		for i := range ids {
			ids[i] = fmt.Sprint("u", i)
		}
		s.ImportAccounts(t, append([]string{"ann"}, ids...)...)
		r := s.Must(t, "sns/black_list_add", `{"From_Account":"ann","To_Account":`+idList("u", 1000)+`}`)
		if r["Fail_Account"] != nil {
			t.Fatalf("1000 accounts: %v", r["Fail_Account"])
		}
		r = s.Must(t, "sns/black_list_add", `{"From_Account":"ann","To_Account":["u1000"]}`)
		if got := fmt.Sprint(r["ResultItem"]); !strings.Contains(got, "ResultCode:30013") {
			t.Fatalf("the 1001st: %s", got)
		}
		if r := s.Must(t, "sns/black_list_get", `{"From_Account":"ann","StartIndex":0,"MaxLimited":1000,"LastSequence":0}`); len(r.List("BlackListItem")) != 1000 || fmt.Sprint(r["StartIndex"]) != "0" {
			t.Fatalf("full list: %d entries, StartIndex %v", len(r.List("BlackListItem")), r["StartIndex"])
		}
	})
}

// waitUntil polls ok for a few seconds.
func waitUntil(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatal("condition not met in 5 s")
}
