package rest_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/apitest"
	"github.com/hearth-chat/hearth/internal/config"
)

// End-to-end tests of the third-party callbacks against a real HTTP
// receiver, written from shared/spec/core.md §6, groups-topics-permissions.md
// §9 and decisions 1 and 11 of shared/spec/README.md.

const hookToken = "xxxxyyyy-test-token"

// hookReq is one callback the receiver got.
type hookReq struct {
	Query   url.Values
	EventID string
	Body    map[string]any
	Status  int // what the receiver answered
}

// receiver is the app's callback endpoint. answer decides each reply: the
// HTTP status, the JSON body and a delay (n counts earlier requests of the
// same command).
type receiver struct {
	mu     sync.Mutex
	got    []hookReq
	answer func(cmd string, body map[string]any, n int) (status int, reply string, delay time.Duration)
	srv    *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		raw, _ := io.ReadAll(req.Body)
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("callback body is not a JSON object: %s", raw)
		}
		if req.Method != http.MethodPost {
			t.Errorf("callback method %s, want POST", req.Method)
		}
		cmd := req.URL.Query().Get("CallbackCommand")
		status, reply, delay := http.StatusOK, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`, time.Duration(0)
		r.mu.Lock()
		n := 0
		for _, g := range r.got {
			if g.Query.Get("CallbackCommand") == cmd {
				n++
			}
		}
		answer := r.answer
		r.mu.Unlock()
		if answer != nil {
			status, reply, delay = answer(cmd, body, n)
		}
		r.mu.Lock()
		r.got = append(r.got, hookReq{Query: req.URL.Query(), EventID: req.Header.Get("X-Hearth-Event-Id"), Body: body, Status: status})
		r.mu.Unlock()
		time.Sleep(delay)
		w.WriteHeader(status)
		io.WriteString(w, reply)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) setAnswer(f func(cmd string, body map[string]any, n int) (int, string, time.Duration)) {
	r.mu.Lock()
	r.answer = f
	r.mu.Unlock()
}

// of returns the callbacks of cmd received so far.
func (r *receiver) of(cmd string) []hookReq {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []hookReq
	for _, g := range r.got {
		if g.Query.Get("CallbackCommand") == cmd {
			out = append(out, g)
		}
	}
	return out
}

// wait polls until cond holds, failing t after 10 s.
func (r *receiver) wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			r.mu.Lock()
			cmds := []string{}
			for _, g := range r.got {
				cmds = append(cmds, g.Query.Get("CallbackCommand"))
			}
			r.mu.Unlock()
			t.Fatalf("timed out waiting for %s; received: %v", what, cmds)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// hookOpts points a test server's callbacks at r.
func hookOpts(r *receiver, token string, enabled []string, tune func(*config.Config)) apitest.Options {
	return apitest.Options{Configure: func(c *config.Config) {
		c.CallbackURL = r.srv.URL + "/im/callback?app=demo"
		c.CallbackToken = token
		c.CallbackTimeout = 2 * time.Second
		c.Callbacks = enabled
		c.CallbackMinBackoff = 50 * time.Millisecond
		c.CallbackPoll = 50 * time.Millisecond
		c.CallbackLease = time.Second
		if tune != nil {
			tune(c)
		}
	}}
}

// documentedKeys are the body keys each callback must carry (spec §6 and
// §9; decision 1 for BeforeModifyTopic; Hearth's own
// AfterPermissionGroupChanged).
var documentedKeys = map[string][]string{
	"Group.CallbackBeforeCreateGroup":           {"Operator_Account", "Owner_Account", "Type", "Name", "CreateGroupNum", "CreatedGroupNum", "InviteOption", "MemberList"},
	"Group.CallbackAfterCreateGroup":            {"GroupId", "Operator_Account", "Owner_Account", "Type", "Name", "MemberList", "UserDefinedDataList"},
	"Group.CallbackBeforeInviteJoinGroup":       {"GroupId", "Type", "Operator_Account", "DestinationMembers"},
	"Group.CallbackAfterNewMemberJoin":          {"GroupId", "Type", "JoinType", "Operator_Account", "NewMemberList"},
	"Group.CallbackAfterMemberExit":             {"GroupId", "Type", "ExitType", "Operator_Account", "ExitMemberList"},
	"Group.CallbackBeforeSendMsg":               {"GroupId", "Type", "From_Account", "Operator_Account", "Random", "OnlineOnlyFlag", "MsgBody", "CloudCustomData", "TopicId"},
	"Group.CallbackAfterSendMsg":                {"GroupId", "Type", "From_Account", "Operator_Account", "Random", "MsgSeq", "MsgTime", "OnlineOnlyFlag", "MsgBody", "TopicId"},
	"Group.CallbackAfterRecallMsg":              {"GroupId", "Type", "Operator_Account", "MsgSeqList", "TopicId"},
	"Group.CallbackBeforeCreateTopic":           {"Operator_Account", "Type", "Name"},
	"Group.CallbackAfterCreateTopic":            {"GroupId", "TopicId", "Operator_Account", "Owner_Account", "Type", "Name", "UserDefinedDataList"},
	"Group.CallbackBeforeModifyTopic":           {"GroupId", "TopicId", "Type", "Operator_Account", "TopicName"},
	"Group.CallbackAfterTopicInfoChanged":       {"GroupId", "Type", "Operator_Account", "Name"},
	"Group.CallbackAfterTopicDestroyed":         {"GroupId", "Type", "TopicIdList"},
	"Group.CallbackAfterGroupInfoChanged":       {"GroupId", "Type", "Operator_Account", "Name"},
	"Group.CallbackAfterChangeGroupOwner":       {"GroupId", "Type", "NewOwner_Account", "OldOwner_Account"},
	"Group.CallbackAfterGroupDestroyed":         {"GroupId", "Type", "Owner_Account", "Name"},
	"Group.CallbackAfterPermissionGroupChanged": {"GroupId", "Type", "Operation", "PermissionGroupIdList", "MemberList"},
	"C2C.CallbackBeforeSendMsg":                 {"From_Account", "To_Account", "MsgSeq", "MsgRandom", "MsgTime", "MsgKey", "MsgId", "OnlineOnlyFlag", "MsgBody", "CloudCustomData"},
	"C2C.CallbackAfterSendMsg":                  {"From_Account", "To_Account", "MsgSeq", "MsgRandom", "MsgTime", "MsgKey", "MsgId", "MsgBody", "SendMsgResult", "ErrorInfo", "UnreadMsgNum"},
	"C2C.CallbackAfterMsgWithDraw":              {"From_Account", "To_Account", "MsgKey", "UnreadMsgNum"},
}

var isBefore = map[string]bool{"Group.CallbackBeforeCreateGroup": true, "Group.CallbackBeforeInviteJoinGroup": true,
	"Group.CallbackBeforeSendMsg": true, "Group.CallbackBeforeCreateTopic": true, "Group.CallbackBeforeModifyTopic": true,
	"C2C.CallbackBeforeSendMsg": true}

const hookText = `"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]`

// TestCallbacksArriveAsDocumented drives every operation that has a
// callback and checks each callback's query string, signature and body.
func TestCallbacksArriveAsDocumented(t *testing.T) {
	eachStore(t, func(t *testing.T, pg string) {
		r, s := startHooked(t, pg, "o", "m1", "m2")
		gid := mustCreate(t, s, `{"Type":"Community","Name":"c","SupportTopic":1,"EnablePermission":1,"Owner_Account":"o","MemberList":[{"Member_Account":"m1"}]}`)
		s.Must(t, gs+"add_group_member", `{"GroupId":"`+gid+`","MemberList":[{"Member_Account":"m2"}]}`)
		tid := topicCreate(t, s, `{"GroupId":"`+gid+`","TopicName":"t","From_Account":"o"}`)
		s.Must(t, topicSvc+"modify_topic", `{"GroupId":"`+gid+`","TopicId":"`+tid+`","TopicName":"t2"}`)
		m := s.Must(t, gs+"send_group_msg", `{"GroupId":"`+gid+`","TopicId":"`+tid+`","Random":7,"From_Account":"o",`+hookText+`}`)
		seq := int(m["MsgSeq"].(float64))
		s.Must(t, gs+"group_msg_recall", fmt.Sprintf(`{"GroupId":%q,"TopicId":%q,"MsgSeqList":[{"MsgSeq":%d}]}`, gid, tid, seq))
		c := s.Must(t, "openim/sendmsg", `{"From_Account":"m1","To_Account":"m2","MsgRandom":9,`+hookText+`}`)
		s.Must(t, "openim/admin_msgwithdraw", `{"From_Account":"m1","To_Account":"m2","MsgKey":"`+c["MsgKey"].(string)+`"}`)
		pmg := s.Must(t, gs+"create_permission_group", `{"GroupId":"`+gid+`","PermissionGroupName":"p","Permission":1}`)["PermissionGroupId"].(string)
		s.Must(t, gs+"add_permission_group_member", `{"GroupId":"`+gid+`","PermissionGroupId":"`+pmg+`","MemberList":[{"Member_Account":"m1"}]}`)
		s.Must(t, gs+"modify_group_base_info", `{"GroupId":"`+gid+`","Name":"c2"}`)
		s.Must(t, gs+"delete_group_member", `{"GroupId":"`+gid+`","MemberToDel_Account":["m2"]}`)
		s.Must(t, topicSvc+"destroy_topic", `{"GroupId":"`+gid+`","TopicIdList":["`+tid+`"]}`)
		s.Must(t, gs+"change_group_owner", `{"GroupId":"`+gid+`","NewOwner_Account":"m1"}`)
		s.Must(t, gs+"destroy_group", `{"GroupId":"`+gid+`"}`)

		for cmd := range documentedKeys {
			r.wait(t, cmd, func() bool { return len(r.of(cmd)) > 0 })
		}
		for cmd, keys := range documentedKeys {
			for _, g := range r.of(cmd) {
				checkHookQuery(t, g, cmd)
				if g.Body["CallbackCommand"] != cmd {
					t.Errorf("%s: body CallbackCommand %v", cmd, g.Body["CallbackCommand"])
				}
				if _, ok := g.Body["EventTime"].(float64); !ok {
					t.Errorf("%s: EventTime missing or not a number: %v", cmd, g.Body)
				}
				for _, k := range keys {
					if _, ok := g.Body[k]; !ok {
						t.Errorf("%s: body lacks %s: %v", cmd, k, g.Body)
					}
				}
				if isBefore[cmd] != (g.EventID == "") {
					t.Errorf("%s: event ID %q (after-callbacks carry one, before-callbacks none)", cmd, g.EventID)
				}
			}
		}
		// A few values, beyond the keys.
		if b := r.of("Group.CallbackAfterSendMsg")[0].Body; b["GroupId"] != gid || b["TopicId"] != tid || b["MsgSeq"] != float64(seq) || b["From_Account"] != "o" || b["Type"] != "Community" {
			t.Errorf("AfterSendMsg body %v", b)
		}
		if b := r.of("Group.CallbackBeforeModifyTopic")[0].Body; b["TopicName"] != "t2" || b["TopicId"] != tid || b["Operator_Account"] != apitest.Admin {
			t.Errorf("BeforeModifyTopic body %v", b)
		}
		if b := r.of("Group.CallbackAfterNewMemberJoin")[0].Body; fmt.Sprint(b["NewMemberList"]) != "[map[Member_Account:m2]]" {
			t.Errorf("AfterNewMemberJoin NewMemberList %v", b["NewMemberList"])
		}
		if b := r.of("C2C.CallbackAfterSendMsg")[0].Body; b["From_Account"] != "m1" || b["To_Account"] != "m2" || b["MsgKey"] != c["MsgKey"] {
			t.Errorf("C2C AfterSendMsg body %v", b)
		}
		ids := map[string]bool{}
		r.mu.Lock()
		for _, g := range r.got {
			if g.EventID != "" {
				if ids[g.EventID] {
					t.Errorf("event ID %s used by two callbacks", g.EventID)
				}
				ids[g.EventID] = true
			}
		}
		r.mu.Unlock()
	})
}

// checkHookQuery checks the documented query parameters and the signature.
func checkHookQuery(t *testing.T, g hookReq, cmd string) {
	t.Helper()
	q := g.Query
	want := map[string]string{"SdkAppid": strconv.Itoa(apitest.SDKAppID), "CallbackCommand": cmd, "contenttype": "json",
		"ClientIP": "127.0.0.1", "OptPlatform": "RESTAPI", "app": "demo"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s: query %s = %q, want %q (query %v)", cmd, k, q.Get(k), v, q)
		}
	}
	rt, err := strconv.ParseInt(q.Get("RequestTime"), 10, 64)
	if err != nil || time.Since(time.Unix(rt, 0)).Abs() > 60*time.Second {
		t.Errorf("%s: RequestTime %q is not a current unix time", cmd, q.Get("RequestTime"))
	}
	sum := sha256.Sum256([]byte(hookToken + q.Get("RequestTime")))
	if q.Get("Sign") != hex.EncodeToString(sum[:]) {
		t.Errorf("%s: Sign %q does not match sha256(token+RequestTime)", cmd, q.Get("Sign"))
	}
}

// eachStore runs fn per store, with a fresh PostgreSQL schema URL for
// "postgres" ("" for SQLite).
func eachStore(t *testing.T, fn func(t *testing.T, pg string)) {
	for _, name := range apitest.Stores() {
		t.Run(name, func(t *testing.T) {
			pg := ""
			if name == "postgres" {
				pg = apitest.PostgresSchema(t)
			}
			fn(t, pg)
		})
	}
}

// startHooked starts a server on store pg whose callbacks (every one, with
// hookToken) go to a new receiver, and imports accounts.
func startHooked(t *testing.T, pg string, accounts ...string) (*receiver, *apitest.Server) {
	t.Helper()
	r := newReceiver(t)
	s := apitest.Start(t, withStore(pg, hookOpts(r, hookToken, nil, nil)))
	s.ImportAccounts(t, accounts...)
	return r, s
}

// withStore sets the store of opts.
func withStore(pg string, opts apitest.Options) apitest.Options {
	opts.Postgres = pg
	return opts
}

// TestBeforeCallbackVetoes: a refusing answer vetoes with the documented
// code and changes nothing.
func TestBeforeCallbackVetoes(t *testing.T) {
	eachStore(t, func(t *testing.T, pg string) {
		r := newReceiver(t)
		s := apitest.Start(t, withStore(pg, hookOpts(r, "", nil, nil)))
		s.ImportAccounts(t, "o", "m1", "m2")
		gid := mustCreate(t, s, `{"Type":"Community","Name":"c","SupportTopic":1,"Owner_Account":"o","MemberList":[{"Member_Account":"m1"}]}`)
		tid := topicCreate(t, s, `{"GroupId":"`+gid+`","TopicName":"before"}`)
		getTopic := func() map[string]any { return topicInfoOf(t, s, gid, tid) }
		before := getTopic()
		deny := func(target string, reply string) {
			r.setAnswer(func(cmd string, _ map[string]any, _ int) (int, string, time.Duration) {
				if cmd == target {
					return 200, reply, 0
				}
				return 200, `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}`, 0
			})
		}
		modify := `{"GroupId":"` + gid + `","TopicId":"` + tid + `","TopicName":"after","Notification":"n","MuteAllMember":"On"}`
		cases := []struct {
			name, command, reply, api, body string
			code                            int
		}{
			{"modify_topic refused", "Group.CallbackBeforeModifyTopic", `{"ActionStatus":"FAIL","ErrorCode":1,"ErrorInfo":"no"}`, topicSvc + "modify_topic", modify, 10016},
			{"modify_topic app code", "Group.CallbackBeforeModifyTopic", `{"ActionStatus":"FAIL","ErrorCode":10150,"ErrorInfo":"name banned"}`, topicSvc + "modify_topic", modify, 10150},
			{"create_group refused", "Group.CallbackBeforeCreateGroup", `{"ActionStatus":"FAIL","ErrorCode":1,"ErrorInfo":""}`, gs + "create_group", `{"Type":"Public","Name":"vetoed","GroupId":"vetoed_group","Owner_Account":"o"}`, 10016},
			{"create_topic refused", "Group.CallbackBeforeCreateTopic", `{"ActionStatus":"FAIL","ErrorCode":1,"ErrorInfo":""}`, topicSvc + "create_topic", `{"GroupId":"` + gid + `","TopicName":"vetoed"}`, 10016},
			{"add_group_member refused", "Group.CallbackBeforeInviteJoinGroup", `{"ActionStatus":"FAIL","ErrorCode":1,"ErrorInfo":""}`, gs + "add_group_member", `{"GroupId":"` + gid + `","MemberList":[{"Member_Account":"m2"}]}`, 10016},
			{"send_group_msg refused", "Group.CallbackBeforeSendMsg", `{"ActionStatus":"FAIL","ErrorCode":1,"ErrorInfo":""}`, gs + "send_group_msg", `{"GroupId":"` + gid + `","TopicId":"` + tid + `","Random":1,` + hookText + `}`, 10016},
			{"sendmsg refused", "C2C.CallbackBeforeSendMsg", `{"ActionStatus":"FAIL","ErrorCode":1,"ErrorInfo":""}`, "openim/sendmsg", `{"From_Account":"m1","To_Account":"m2","MsgRandom":1,` + hookText + `}`, 20006},
			{"sendmsg app code", "C2C.CallbackBeforeSendMsg", `{"ActionStatus":"FAIL","ErrorCode":120005,"ErrorInfo":"blocked"}`, "openim/sendmsg", `{"From_Account":"m1","To_Account":"m2","MsgRandom":2,` + hookText + `}`, 120005},
		}
		for _, c := range cases {
			deny(c.command, c.reply)
			n := len(r.of(c.command))
			if got := s.Call(t, c.api, c.body).Code(); got != c.code {
				t.Errorf("%s: ErrorCode %d, want %d", c.name, got, c.code)
			}
			if len(r.of(c.command)) != n+1 {
				t.Errorf("%s: the before-callback was not called once", c.name)
			}
		}
		deny("", "")
		// Nothing changed: the topic, the group list, the members, the history.
		if after := getTopic(); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("a vetoed modify_topic changed the topic:\n%v\n%v", before, after)
		}
		if s.Call(t, gs+"get_group_info", `{"GroupIdList":["vetoed_group"]}`).List("GroupInfo")[0].(map[string]any)["ErrorCode"] == 0.0 {
			t.Error("a vetoed create_group created the group")
		}
		topics := topicItems(t, s, `{"GroupId":"`+gid+`"}`)
		if len(topics) != 1 {
			t.Errorf("a vetoed create_topic created a topic: %d topics", len(topics))
		}
		members := s.Must(t, gs+"get_group_member_info", `{"GroupId":"`+gid+`"}`)
		if members["MemberNum"] != 2.0 {
			t.Errorf("a vetoed add_group_member added: MemberNum %v", members["MemberNum"])
		}
		hist := s.Must(t, gs+"group_msg_get_simple", `{"GroupId":"`+gid+`","TopicId":"`+tid+`","ReqMsgNumber":10}`)
		if l := hist.List("RspMsgList"); len(l) != 0 {
			t.Errorf("a vetoed send stored %d messages", len(l))
		}
		roam := s.Must(t, "openim/admin_getroammsg", `{"Operator_Account":"m1","Peer_Account":"m2","MaxCnt":10,"MinTime":0,"MaxTime":4294967295}`)
		if l := roam.List("MsgList"); len(l) != 0 {
			t.Errorf("a vetoed sendmsg stored %d messages", len(l))
		}
		// No after-callback for what was vetoed.
		time.Sleep(300 * time.Millisecond)
		for _, cmd := range []string{"Group.CallbackAfterTopicInfoChanged", "Group.CallbackAfterSendMsg", "C2C.CallbackAfterSendMsg", "Group.CallbackAfterNewMemberJoin"} {
			if n := len(r.of(cmd)); n != 0 {
				t.Errorf("%s sent %d times for a vetoed operation", cmd, n)
			}
		}
	})
}

// TestBeforeSendCallbackDropsAndRewrites: ErrorCode 2 drops a message
// silently; ErrorCode 0 with MsgBody replaces it.
func TestBeforeSendCallbackDropsAndRewrites(t *testing.T) {
	r := newReceiver(t)
	s := apitest.Start(t, hookOpts(r, "", []string{"Group.CallbackBeforeSendMsg"}, nil))
	s.ImportAccounts(t, "o")
	gid := mustCreate(t, s, `{"Type":"Public","Name":"g","Owner_Account":"o"}`)
	r.setAnswer(func(cmd string, body map[string]any, _ int) (int, string, time.Duration) {
		if body["Random"] == 1.0 {
			return 200, `{"ActionStatus":"OK","ErrorCode":2,"ErrorInfo":""}`, 0
		}
		return 200, `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"***"}}],"CloudCustomData":"checked"}`, 0
	})
	if got := s.Call(t, gs+"send_group_msg", `{"GroupId":"`+gid+`","Random":1,`+hookText+`}`).Code(); got != 0 {
		t.Fatalf("a dropped send answered %d, want 0", got)
	}
	s.Must(t, gs+"send_group_msg", `{"GroupId":"`+gid+`","Random":2,`+hookText+`}`)
	list := s.Must(t, gs+"group_msg_get_simple", `{"GroupId":"`+gid+`","ReqMsgNumber":10}`).List("RspMsgList")
	if len(list) != 1 {
		t.Fatalf("history holds %d messages, want 1 (the dropped one not stored)", len(list))
	}
	m := list[0].(map[string]any)
	if b, _ := json.Marshal(m["MsgBody"]); string(b) != `[{"MsgContent":{"Text":"***"},"MsgType":"TIMTextElem"}]` || m["CloudCustomData"] != "checked" {
		t.Errorf("stored message %v: want the callback's MsgBody and CloudCustomData", m)
	}
}

// TestBeforeCallbackFailsOpen: a callback that times out, answers an HTTP
// error or cannot be reached lets the operation proceed (decision 11).
func TestBeforeCallbackFailsOpen(t *testing.T) {
	cases := []struct {
		name   string
		status int
		delay  time.Duration
		closed bool
	}{
		{"timeout", 200, 1500 * time.Millisecond, false},
		{"HTTP 500", 500, 0, false},
		{"unreachable", 200, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newReceiver(t)
			r.setAnswer(func(string, map[string]any, int) (int, string, time.Duration) {
				return c.status, `{"ActionStatus":"FAIL","ErrorCode":1,"ErrorInfo":"too late"}`, c.delay
			})
			s := apitest.Start(t, hookOpts(r, "", []string{"Group.CallbackAfterGroupInfoChanged"}, func(cfg *config.Config) {
				cfg.CallbackTimeout = 300 * time.Millisecond
			}))
			if c.closed {
				r.srv.Close()
			}
			s.ImportAccounts(t, "o")
			gid := topicCommunity(t, s, "")
			tid := topicCreate(t, s, `{"GroupId":"`+gid+`","TopicName":"t"}`)
			start := time.Now()
			s.Must(t, topicSvc+"modify_topic", `{"GroupId":"`+gid+`","TopicId":"`+tid+`","TopicName":"changed"}`)
			if c.delay > 0 && time.Since(start) > c.delay {
				t.Errorf("modify_topic waited %v: longer than the callback timeout", time.Since(start))
			}
			if info := topicInfoOf(t, s, gid, tid); info["TopicName"] != "changed" {
				t.Errorf("TopicName %v: the operation did not proceed", info["TopicName"])
			}
			metrics := scrape(t, s.URL)
			if !slices.Contains(metrics, `hearth_webhook_before_total{command="Group.CallbackBeforeModifyTopic",result="failed_open"} 1`) {
				t.Errorf("failed-open callback not counted; metrics: %v", metrics)
			}
		})
	}
}

// scrape returns the lines of /metrics.
func scrape(t *testing.T, base string) []string {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return strings.Split(string(b), "\n")
}

// TestAfterCallbackSurvivesFailuresAndRestart: the receiver fails twice,
// the server restarts between the failures, and the callback still arrives,
// delivered once, with the same event ID on every attempt.
func TestAfterCallbackSurvivesFailuresAndRestart(t *testing.T) {
	eachStore(t, func(t *testing.T, pg string) {
		r := newReceiver(t)
		r.setAnswer(func(cmd string, _ map[string]any, n int) (int, string, time.Duration) {
			if cmd == "Group.CallbackAfterTopicInfoChanged" && n < 2 {
				return 503, "unavailable", 0
			}
			return 200, `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}`, 0
		})
		opts := withStore(pg, hookOpts(r, "", []string{"Group.CallbackAfterGroupInfoChanged"}, func(c *config.Config) {
			c.CallbackMinBackoff = 400 * time.Millisecond
		}))
		opts.DataDir = t.TempDir()
		s1 := apitest.Start(t, opts)
		s1.ImportAccounts(t, "o")
		gid := topicCommunity(t, s1, "")
		tid := topicCreate(t, s1, `{"GroupId":"`+gid+`","TopicName":"t"}`)
		s1.Must(t, topicSvc+"modify_topic", `{"GroupId":"`+gid+`","TopicId":"`+tid+`","Introduction":"new"}`)
		const cmd = "Group.CallbackAfterTopicInfoChanged"
		r.wait(t, "the first attempt", func() bool { return len(r.of(cmd)) >= 1 })
		s1.Close() // restart while the callback waits for its retry
		if n := len(r.of(cmd)); n != 1 {
			t.Fatalf("%d attempts before the restart, want 1", n)
		}
		s2 := apitest.Start(t, opts)
		_ = s2
		r.wait(t, "the delivery after the restart", func() bool {
			got := r.of(cmd)
			return len(got) > 0 && got[len(got)-1].Status == 200
		})
		time.Sleep(500 * time.Millisecond) // nothing more may come
		got := r.of(cmd)
		if len(got) != 3 {
			t.Fatalf("%d attempts, want 3 (two failures, one delivery)", len(got))
		}
		for _, g := range got {
			if g.EventID == "" || g.EventID != got[0].EventID {
				t.Errorf("event IDs %q and %q differ between attempts", got[0].EventID, g.EventID)
			}
			if g.Body["Introduction"] != "new" || g.Body["GroupId"] != gid {
				t.Errorf("body %v", g.Body)
			}
		}
		delivered := 0
		for _, g := range got {
			if g.Status == 200 {
				delivered++
			}
		}
		if delivered != 1 {
			t.Errorf("delivered %d times, want once", delivered)
		}
	})
}
