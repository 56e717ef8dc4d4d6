package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apitest"
)

func wsURL(s *apitest.Server) string { return "ws" + strings.TrimPrefix(s.URL, "http") + "/v1/ws" }

func dial(t *testing.T, s *apitest.Server, user string) *client.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, wsURL(s), apitest.SDKAppID, user, apitest.Sig(t, user))
	if err != nil {
		t.Fatalf("dial as %s: %v", user, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func text(s string) json.RawMessage {
	return json.RawMessage(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"` + s + `"}}]`)
}

// next waits for the next pushed frame of type typ.
func next(t *testing.T, c *client.Conn, typ string) client.Frame {
	t.Helper()
	return apitest.NextFrame(t, c, 10*time.Second, typ+" frame", func(f client.Frame) bool { return f.Type == typ })
}

// community makes a topic community with the owner and members, returning
// the group and two topic IDs.
func community(t *testing.T, s *apitest.Server, extra string, members ...string) (string, string, string) {
	t.Helper()
	s.ImportAccounts(t, append([]string{"owner"}, members...)...)
	list := make([]string, len(members))
	for i, m := range members {
		list[i] = `{"Member_Account":"` + m + `"}`
	}
	gid := s.Must(t, "group_open_http_svc/create_group", `{"Type":"Community","Name":"c","SupportTopic":1,"Owner_Account":"owner"`+extra+`,"MemberList":[`+strings.Join(list, ",")+`]}`)["GroupId"].(string)
	a := s.Must(t, "million_group_open_http_svc/create_topic", `{"GroupId":"`+gid+`","TopicName":"a"}`)["TopicId"].(string)
	b := s.Must(t, "million_group_open_http_svc/create_topic", `{"GroupId":"`+gid+`","TopicName":"b"}`)["TopicId"].(string)
	return gid, a, b
}

func TestTwoMembersExchangeMessagesInATopic(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		gid, topicA, _ := community(t, s, "", "alice", "bob")
		alice, bob, bob2 := dial(t, s, "alice"), dial(t, s, "bob"), dial(t, s, "bob")
		ctx := context.Background()
		ack, err := alice.Send(ctx, gid, topicA, 1, text("hi bob"))
		if err != nil || ack.Seq != 1 {
			t.Fatalf("alice's send: %+v %v", ack, err)
		}
		for i, c := range []*client.Conn{bob, bob2} { // every device of bob receives
			m := next(t, c, client.TypeMessage)
			if m.From != "alice" || m.TopicID != topicA || m.Seq != 1 || !strings.Contains(string(m.MsgBody), "hi bob") {
				t.Fatalf("bob device %d got %+v", i, m)
			}
		}
		if _, err := bob.Send(ctx, gid, topicA, 2, text("hi alice")); err != nil {
			t.Fatal(err)
		}
		if m := next(t, alice, client.TypeMessage); m.From == "alice" { // alice first sees her own message pushed
			if m2 := next(t, alice, client.TypeMessage); m2.From != "bob" || m2.Seq != 2 {
				t.Fatalf("alice got %+v", m2)
			}
		} else if m.From != "bob" || m.Seq != 2 {
			t.Fatalf("alice got %+v", m)
		}
		// A message sent over REST reaches the sockets too.
		s.Must(t, "group_open_http_svc/send_group_msg", `{"GroupId":"`+gid+`","TopicId":"`+topicA+`","Random":9,"MsgBody":`+string(text("from rest"))+`}`)
		for {
			m := next(t, bob, client.TypeMessage)
			if m.Seq == 3 {
				break
			}
		}
	})
}

func TestSendRefusedWithoutTheBitAllowedInAnotherTopic(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	gid, topicA, topicB := community(t, s, `,"EnablePermission":1,"DefaultPermission":0`, "mem")
	s.Must(t, "million_group_open_http_svc/modify_topic", `{"GroupId":"`+gid+`","TopicId":"`+topicA+`","DefaultPermission":8}`)
	mem := dial(t, s, "mem")
	ctx := context.Background()
	if _, err := mem.Send(ctx, gid, topicA, 1, text("ok")); err != nil {
		t.Fatalf("send in topic A: %v", err)
	}
	_, err := mem.Send(ctx, gid, topicB, 2, text("no"))
	var e *client.Error
	if !errors.As(err, &e) || e.Code != 10007 {
		t.Fatalf("send in topic B: %v, want error 10007", err)
	}
}

func TestOfflineMemberResumesExactlyWhatItMissed(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		gid, topicA, _ := community(t, s, "", "carol")
		for i := 1; i <= 100; i++ {
			s.Must(t, "group_open_http_svc/send_group_msg", fmt.Sprintf(`{"GroupId":%q,"TopicId":%q,"Random":%d,"MsgBody":%s}`, gid, topicA, i, text(fmt.Sprint("m", i))))
		}
		carol := dial(t, s, "carol")
		if err := carol.Sync(context.Background(), []client.Stream{{GroupID: gid, TopicID: topicA, AfterSeq: 0}}); err != nil {
			t.Fatal(err)
		}
		if got := applyInOrder(t, carol, 0, 100); len(got) != 100 || got[0] != "m1" || got[99] != "m100" {
			t.Fatalf("resume applied %d messages %v…", len(got), got[:min(3, len(got))])
		}
		// Resuming from the middle replays only what follows.
		if err := carol.Sync(context.Background(), []client.Stream{{GroupID: gid, TopicID: topicA, AfterSeq: 98}}); err != nil {
			t.Fatal(err)
		}
		if got := applyInOrder(t, carol, 98, 100); fmt.Sprint(got) != "[m99 m100]" {
			t.Fatalf("resume after 98 applied %v", got)
		}
		// Only members may sync a stream.
		s.ImportAccounts(t, "outsider")
		out := dial(t, s, "outsider")
		var e *client.Error
		if err := out.Sync(context.Background(), []client.Stream{{GroupID: gid, TopicID: topicA}}); !errors.As(err, &e) || e.Code != 10007 {
			t.Fatalf("outsider sync: %v, want 10007", err)
		}
	})
}

func TestLoginChecksTheUserSig(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	ctx := context.Background()
	cases := []struct {
		name, id, sig string
		want          int
	}{
		{"another user's sig", "dave", apitest.Sig(t, "erin"), 70013},
		{"garbage", "dave", "x", 70003},
		{"empty", "dave", "", 70002},
		{"bad identifier", "", "x", 70402},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := client.Dial(ctx, wsURL(s), apitest.SDKAppID, c.id, c.sig)
			var e *client.Error
			if !errors.As(err, &e) || e.Code != c.want {
				t.Fatalf("got %v, want error %d", err, c.want)
			}
		})
	}
	// A first login registers the account.
	dial(t, s, "newcomer")
	r := s.Must(t, "im_open_login_svc/account_check", `{"CheckItem":[{"UserID":"newcomer"}]}`)
	if st := r.List("ResultItem")[0].(map[string]any)["AccountStatus"]; st != "Imported" {
		t.Fatalf("newcomer is %v after login", st)
	}
}

func TestKickAndAccountDeleteCloseSessions(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	s.ImportAccounts(t, "k1", "k2")
	k1, k2 := dial(t, s, "k1"), dial(t, s, "k2")
	s.Must(t, "im_open_login_svc/kick", `{"UserID":"k1"}`)
	s.Must(t, "im_open_login_svc/account_delete", `{"DeleteItem":[{"UserID":"k2"}]}`)
	for _, c := range []*client.Conn{k1, k2} {
		next(t, c, client.TypeKicked)
		select {
		case _, ok := <-c.Frames():
			for ok {
				_, ok = <-c.Frames()
			}
		case <-time.After(10 * time.Second):
			t.Fatal("session not closed after kick")
		}
		var e *client.Error
		if !errors.As(c.Err(), &e) || e.Code != 4001 {
			t.Fatalf("close reason %v, want 4001", c.Err())
		}
	}
}

func TestC2CMessagesReachBothUsers(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	s.ImportAccounts(t, "p", "q")
	p, q := dial(t, s, "p"), dial(t, s, "q")
	s.Must(t, "openim/sendmsg", `{"From_Account":"p","To_Account":"q","MsgRandom":3,"MsgBody":`+string(text("psst"))+`}`)
	for _, c := range []*client.Conn{p, q} {
		m := next(t, c, client.TypeMessage)
		if m.From != "p" || m.To != "q" || m.MsgKey == "" || !strings.Contains(string(m.MsgBody), "psst") {
			t.Fatalf("got %+v", m)
		}
	}
}

func TestSystemNotificationReachesTheAddressedMembers(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	gid, _, _ := community(t, s, "", "n1", "n2")
	n1, n2 := dial(t, s, "n1"), dial(t, s, "n2")
	s.Must(t, "group_open_http_svc/send_group_system_notification", `{"GroupId":"`+gid+`","ToMembers_Account":["n2"],"Content":"for n2"}`)
	s.Must(t, "group_open_http_svc/send_group_system_notification", `{"GroupId":"`+gid+`","Content":"for all"}`)
	want := map[*client.Conn][]string{n1: {"for all"}, n2: {"for n2", "for all"}}
	for c, contents := range want {
		for _, content := range contents {
			var f client.Frame
			for f.Event != "group.system_notification" {
				f = next(t, c, client.TypeEvent)
			}
			if string(f.Data) != `"`+content+`"` {
				t.Fatalf("got %s, want %q", f.Data, content)
			}
		}
	}
	if r := s.Call(t, "group_open_http_svc/send_group_system_notification", `{"GroupId":"`+gid+`"}`); r.Code() != 10004 {
		t.Fatalf("no Content: %v", r)
	}
}

func TestC2COverTheSocketAndResume(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "u1", "u2")
		u1 := dial(t, s, "u1")
		ctx := context.Background()
		start := time.Now().Unix()
		var keys []string
		for i := 0; i < 130; i++ { // u2 is offline; more than one store page (100)
			ack, err := u1.SendC2C(ctx, "u2", uint32(i+1), text(fmt.Sprint("c", i)))
			if err != nil || ack.MsgKey == "" {
				t.Fatalf("send: %+v %v", ack, err)
			}
			keys = append(keys, ack.MsgKey)
		}
		var e *client.Error
		if _, err := u1.SendC2C(ctx, "ghost", 9, text("x")); !errors.As(err, &e) || e.Code != 90012 {
			t.Fatalf("send to ghost: %v, want 90012", err)
		}
		u2 := dial(t, s, "u2")
		if err := u2.Sync(ctx, []client.Stream{{Peer: "u1", AfterTime: start}}); err != nil {
			t.Fatal(err)
		}
		// Live pushes still in flight when u2 logged in may repeat a
		// replayed message: a client drops a msg_key it has.
		got := map[string]bool{}
		for len(got) < len(keys) {
			got[next(t, u2, client.TypeMessage).MsgKey] = true
		}
		for _, k := range keys {
			if !got[k] {
				t.Fatalf("resumed %v, want %v", got, keys)
			}
		}
	})
}

// applyInOrder reads message frames as docs/protocol.md tells a client to:
// a seq it has is dropped, the next one is applied, a later one is held
// until the gap before it is filled. It returns the texts applied after
// last, up to seq upTo, and fails if they do not arrive.
func applyInOrder(t *testing.T, c *client.Conn, last, upTo uint64) []string {
	t.Helper()
	held := map[uint64]client.Frame{}
	var applied []string
	for last < upTo {
		f := next(t, c, client.TypeMessage)
		if f.Seq <= last {
			continue
		}
		held[f.Seq] = f
		for {
			m, ok := held[last+1]
			if !ok {
				break
			}
			delete(held, last+1)
			last++
			var body []struct{ MsgContent struct{ Text string } }
			_ = json.Unmarshal(m.MsgBody, &body)
			applied = append(applied, body[0].MsgContent.Text)
		}
	}
	return applied
}
