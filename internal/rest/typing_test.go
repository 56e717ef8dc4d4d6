package rest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apitest"
)

// TestTyping: a member's typing reaches the other members of the topic
// and a peer's typing the peer, as message.typing events naming the typer;
// nothing is stored; a stranger, an unknown peer and a group of more than
// 500 members are refused with their codes.
func TestTyping(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "owner", "alice", "bob", "stranger")
		gid := s.Must(t, gs+"create_group", map[string]any{"Type": "Community", "Name": "c", "SupportTopic": 1, "Owner_Account": "owner",
			"MemberList": []any{map[string]any{"Member_Account": "alice"}, map[string]any{"Member_Account": "bob"}}})["GroupId"].(string)
		tid := s.Must(t, "million_group_open_http_svc/create_topic", map[string]any{"GroupId": gid, "TopicName": "t"})["TopicId"].(string)
		alice, bob, stranger := dialReader(t, s, "alice"), dialReader(t, s, "bob"), dialReader(t, s, "stranger")
		typing := func(f client.Frame) bool { return f.Type == client.TypeEvent && f.Event == "message.typing" }
		typer := func(f client.Frame) string {
			var d struct{ User string }
			_ = json.Unmarshal(f.Data, &d)
			return d.User
		}

		if err := alice.Typing(readCtx(t), gid, tid); err != nil {
			t.Fatal(err)
		}
		if f := apitest.NextFrame(t, bob, 10*time.Second, "alice typing in the topic", typing); f.GroupID != gid || f.TopicID != tid || typer(f) != "alice" {
			t.Errorf("bob heard %+v (typer %q), want alice in %s", f, typer(f), tid)
		}
		if err := alice.TypingC2C(readCtx(t), "bob"); err != nil {
			t.Fatal(err)
		}
		if f := apitest.NextFrame(t, bob, 10*time.Second, "alice typing to bob", typing); f.GroupID != "" || typer(f) != "alice" {
			t.Errorf("bob heard %+v (typer %q), want alice, one to one", f, typer(f))
		}
		if h := gmHist(t, s, map[string]any{"GroupId": gid, "TopicId": tid, "ReqMsgNumber": 20}); len(h) != 0 {
			t.Errorf("typing stored messages: %v", h)
		}

		big := s.Must(t, gs+"create_group", map[string]any{"Type": "Public", "Name": "big", "Owner_Account": "alice"})["GroupId"].(string)
		var many []string
		for i := range 500 {
			many = append(many, fmt.Sprintf("m%03d", i))
		}
		s.ImportAccounts(t, many...)
		for i := 0; i < len(many); i += 250 {
			s.Must(t, gs+"add_group_member", fmt.Sprintf(`{"GroupId":%q,"MemberList":%s}`, big, memberList(many[i:min(i+250, len(many))]...)))
		}
		for _, c := range []struct {
			name string
			do   func() error
			want int
		}{
			{"a stranger in the topic", func() error { return stranger.Typing(readCtx(t), gid, tid) }, 10007},
			{"a topic that does not exist", func() error { return alice.Typing(readCtx(t), gid, gid+"@TOPIC#_none") }, 10010},
			{"a group of 501 members", func() error { return alice.Typing(readCtx(t), big, "") }, 10004},
			{"an unknown peer", func() error { return alice.TypingC2C(readCtx(t), "ghost") }, 90012},
			{"oneself", func() error { return alice.TypingC2C(readCtx(t), "alice") }, 90001},
		} {
			var ce *client.Error
			if err := c.do(); !errors.As(err, &ce) || ce.Code != c.want {
				t.Errorf("%s: %v, want code %d", c.name, err, c.want)
			}
		}
	})
}

// TestLoginAnswersTheProtocolVersion: login_ok names the protocol version.
func TestLoginAnswersTheProtocolVersion(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	s.ImportAccounts(t, "alice")
	ws, _, err := websocket.DefaultDialer.Dial(wsOf(s), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	login := fmt.Sprintf(`{"type":"login","id":"1","version":1,"sdkappid":%d,"identifier":"alice","usersig":%q}`, apitest.SDKAppID, apitest.Sig(t, "alice"))
	if err := ws.WriteMessage(websocket.TextMessage, []byte(login)); err != nil {
		t.Fatal(err)
	}
	_, data, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var f client.Frame
	if err := json.Unmarshal(data, &f); err != nil || f.Type != client.TypeLoginOK || f.Version != 1 {
		t.Fatalf("login answered %s (%v); want login_ok with version 1", data, err)
	}
}
