package gateway_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/hearth-chat/hearth/internal/apitest"
)

// TestProtocolWorkedExample runs the worked example of docs/protocol.md
// ("A worked example") step by step, with the frames written there: REST
// calls to set up a Community with a topic, two sockets that log in, and a
// topic message sent from one and received on the other. GID, TID, SIG and
// TIME stand for the values of the run.
func TestProtocolWorkedExample(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	rest := func(api, body string) apitest.Resp { t.Helper(); return s.Must(t, api, body) }
	rest("im_open_login_svc/multiaccount_import", `{"Accounts":["alice","bob"]}`)
	gid := rest("group_open_http_svc/create_group", `{"Owner_Account":"alice","Type":"Community","Name":"Support","SupportTopic":1}`)["GroupId"].(string)
	tid := rest("million_group_open_http_svc/create_topic", `{"GroupId":"`+gid+`","TopicName":"help"}`)["TopicId"].(string)
	added := rest("group_open_http_svc/add_group_member", `{"GroupId":"`+gid+`","MemberList":[{"Member_Account":"bob"}]}`)
	if fmt.Sprint(added["MemberList"]) != "[map[Member_Account:bob Result:1]]" {
		t.Fatalf("add_group_member: %v", added)
	}

	fill := strings.NewReplacer("GID", gid, "TID", tid, "APP", fmt.Sprint(apitest.SDKAppID))
	say := func(ws *websocket.Conn, frame string) { writeText(t, ws, fill.Replace(frame)) }
	// hear reads len(want) frames and checks they are the frames of want,
	// in any order, with the run's times put back as TIME. An event frame
	// no one waits for is passed over: the hub hears the changes of the
	// REST setup after those calls answered, so one may reach a session
	// that logged in just after them (add_group_member's, say).
	hear := func(ws *websocket.Conn, want ...string) {
		t.Helper()
		pending := map[string]bool{}
		for _, w := range want {
			pending[fill.Replace(w)] = true
		}
		for len(pending) > 0 {
			_, data, err := ws.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			got := times.ReplaceAllString(string(data), `"$1":TIME`)
			if !pending[got] && strings.HasPrefix(got, `{"type":"event",`) {
				continue
			}
			if !pending[got] {
				t.Fatalf("got %s\nwant one of %v", got, pending)
			}
			delete(pending, got)
		}
	}
	alice, bob := rawDial(t, s), rawDial(t, s)
	writeText(t, alice, `{"type":"login","id":"1","sdkappid":`+fmt.Sprint(apitest.SDKAppID)+`,"identifier":"alice","usersig":"`+apitest.Sig(t, "alice")+`"}`)
	hear(alice, `{"type":"login_ok","id":"1","identifier":"alice","server_time":TIME,"version":1}`)
	writeText(t, bob, `{"type":"login","id":"1","sdkappid":`+fmt.Sprint(apitest.SDKAppID)+`,"identifier":"bob","usersig":"`+apitest.Sig(t, "bob")+`"}`)
	hear(bob, `{"type":"login_ok","id":"1","identifier":"bob","server_time":TIME,"version":1}`)

	say(alice, `{"type":"send","id":"2","group_id":"GID","topic_id":"TID","random":42,"msg_body":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hello bob"}}]}`)
	hear(alice, `{"type":"ack","id":"2","group_id":"GID","topic_id":"TID","seq":1,"time":TIME}`,
		`{"type":"message","group_id":"GID","topic_id":"TID","random":42,"msg_body":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hello bob"}}],"seq":1,"from":"alice","time":TIME}`)
	hear(bob, `{"type":"message","group_id":"GID","topic_id":"TID","random":42,"msg_body":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hello bob"}}],"seq":1,"from":"alice","time":TIME}`)

	// A malformed frame is answered and the session goes on.
	say(bob, `{"type":"send","id":"3","group_id":"GID","random":"seven"}`)
	hear(bob, `{"type":"error","id":"3","code":60003,"info":"field \"random\" must be an integer from 0 to 4294967295, not a JSON string"}`)
	say(bob, `{"type":"ping","id":"4"}`)
	hear(bob, `{"type":"pong","id":"4","server_time":TIME}`)
}

var times = regexp.MustCompile(`"(server_time|time)":[0-9]+`)
