package rest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apitest"
)

// dialReader logs id in over the WebSocket and closes the connection when t
// ends.
func dialReader(t *testing.T, s *apitest.Server, id string) *client.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, "ws"+s.URL[len("http"):]+"/v1/ws", apitest.SDKAppID, id, apitest.Sig(t, id))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// readCtx is the context of one WebSocket request in these tests.
func readCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// unreadOf returns the unread counts by topic ID ("" for the group's own
// stream) of group gid in states.
func unreadOf(states []client.ReadState, gid string) map[string]uint64 {
	out := map[string]uint64{}
	for _, st := range states {
		if st.GroupID == gid {
			out[st.TopicID] = st.Unread
		}
	}
	return out
}

// readEvent waits for the next message.read_position_set event on c,
// skipping message frames.
func readEvent(t *testing.T, c *client.Conn) (client.Frame, struct{ Seq, Unread uint64 }) {
	t.Helper()
	f := apitest.NextFrame(t, c, 10*time.Second, "read event", func(f client.Frame) bool {
		return f.Type == client.TypeEvent && f.Event == "message.read_position_set"
	})
	var d struct{ Seq, Unread uint64 }
	if err := json.Unmarshal(f.Data, &d); err != nil {
		t.Fatal(err)
	}
	return f, d
}

// TestUnreadBadgesAcrossTopicsAndDevices: two members of a community with
// three topics watch their unread counts grow as messages arrive; one
// member reads a topic on device A, device B hears of it and its counts
// drop; REST's get_topic and get_joined_group_list answer the same state.
func TestUnreadBadgesAcrossTopicsAndDevices(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "owner", "alice", "bob")
		gid := s.Must(t, "group_open_http_svc/create_group", map[string]any{"Type": "Community", "Name": "c", "SupportTopic": 1,
			"Owner_Account": "owner", "MemberList": []any{map[string]any{"Member_Account": "alice"}, map[string]any{"Member_Account": "bob"}}})["GroupId"].(string)
		var topics []string
		for i := range 3 {
			topics = append(topics, s.Must(t, "million_group_open_http_svc/create_topic", map[string]any{"GroupId": gid, "TopicName": fmt.Sprint("t", i)})["TopicId"].(string))
		}
		// Messages arriving before anyone looks: 1, 2 and 3 in the three topics,
		// and bob's own one in the first topic.
		for i, tid := range topics {
			for range i + 1 {
				gmSend(t, s, gmMsg(gid, tid, "owner", gmText("hi")), 0)
			}
		}
		gmSend(t, s, gmMsg(gid, topics[0], "bob", gmText("mine")), 0)

		aliceA, aliceB, bob := dialReader(t, s, "alice"), dialReader(t, s, "alice"), dialReader(t, s, "bob")
		for _, c := range []struct {
			name string
			conn *client.Conn
			want map[string]uint64
		}{
			// Bob's own message is read for bob, unread for alice.
			{"alice on A", aliceA, map[string]uint64{"": 0, topics[0]: 2, topics[1]: 2, topics[2]: 3}},
			{"alice on B", aliceB, map[string]uint64{"": 0, topics[0]: 2, topics[1]: 2, topics[2]: 3}},
			{"bob", bob, map[string]uint64{"": 0, topics[0]: 0, topics[1]: 2, topics[2]: 3}},
		} {
			states, err := c.conn.Unread(readCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			if got := unreadOf(states, gid); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("%s: unread %v, want %v", c.name, got, c.want)
			}
		}

		// Alice reads the third topic up to its second message on A, then all.
		st, err := aliceA.Read(readCtx(t), gid, topics[2], 2)
		if err != nil || st.ReadSeq != 2 || st.LastSeq != 3 || st.Unread != 1 {
			t.Fatalf("read to 2 = %+v, %v; want read 2 of 3, 1 unread", st, err)
		}
		f, d := readEvent(t, aliceB)
		if f.GroupID != gid || f.TopicID != topics[2] || d.Seq != 2 || d.Unread != 1 {
			t.Errorf("device B heard %+v %+v; want topic 3 read to 2, 1 unread", f, d)
		}
		if st, err := aliceB.Read(readCtx(t), gid, topics[2], 0); err != nil || st.ReadSeq != 3 || st.Unread != 0 {
			t.Fatalf("read all on B = %+v, %v; want 3, 0 unread", st, err)
		}
		// Device A hears its own read first, then B's.
		if _, d := readEvent(t, aliceA); d.Seq != 2 || d.Unread != 1 {
			t.Errorf("device A heard %+v first; want its own read to 2, 1 unread", d)
		}
		if _, d := readEvent(t, aliceA); d.Seq != 3 || d.Unread != 0 {
			t.Errorf("device A heard %+v; want read to 3, 0 unread", d)
		}
		// A lower position from a lagging device changes nothing.
		if st, err := aliceA.Read(readCtx(t), gid, topics[2], 1); err != nil || st.ReadSeq != 3 || st.Unread != 0 {
			t.Errorf("read back to 1 = %+v, %v; want it to stay at 3", st, err)
		}

		// A new message raises every member's count but its sender's.
		gmSend(t, s, gmMsg(gid, topics[1], "alice", gmText("from alice")), 0)
		gmSend(t, s, gmMsg(gid, topics[1], "owner", gmText("again")), 0)
		states, err := aliceB.Unread(readCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := unreadOf(states, gid), map[string]uint64{"": 0, topics[0]: 2, topics[1]: 1, topics[2]: 0}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("alice after her send and another: %v, want %v", got, want)
		}
		if states, _ := bob.Unread(readCtx(t)); unreadOf(states, gid)[topics[1]] != 4 {
			t.Errorf("bob's unread in topic 2: %v, want 4", unreadOf(states, gid))
		}

		// The conversation list carries the community's count: the sum over
		// its streams.
		convs, err := aliceB.Conversations(readCtx(t), "")
		if err != nil {
			t.Fatal(err)
		}
		var sum *uint64
		for _, c := range convs.Conversations {
			if c.GroupID == gid {
				sum = c.Unread
			}
		}
		if sum == nil || *sum != 3 {
			t.Errorf("alice's conversation with the community has unread %v, want 3", sum)
		}

		// REST answers the same state.
		r := s.Must(t, "million_group_open_http_svc/get_topic", map[string]any{"GroupId": gid, "From_Account": "alice"})
		for _, item := range r.List("TopicAndSelfInfo") {
			m := item.(map[string]any)
			tid := m["TopicInfo"].(map[string]any)["TopicId"].(string)
			self := m["SelfInfo"].(map[string]any)
			want := map[string][2]float64{topics[0]: {0, 2}, topics[1]: {3, 1}, topics[2]: {3, 0}}[tid]
			if self["MsgSeq"] != want[0] || self["UnreadMsgNum"] != want[1] {
				t.Errorf("get_topic %s SelfInfo %v: want MsgSeq %v, UnreadMsgNum %v", tid, self, want[0], want[1])
			}
		}
		gmSend(t, s, gmMsg(gid, "", "owner", gmText("to the group")), 0)
		r = s.Must(t, "group_open_http_svc/get_joined_group_list", map[string]any{"Member_Account": "alice",
			"ResponseFilter": map[string]any{"SelfInfoFilter": []string{"Role", "MsgSeq", "UnreadMsgNum"}}})
		self := r.List("GroupIdList")[0].(map[string]any)["SelfInfo"].(map[string]any)
		if self["UnreadMsgNum"] != 1.0 || self["MsgSeq"] != 0.0 || self["Role"] != "Member" {
			t.Errorf("get_joined_group_list SelfInfo %v: want Role Member, MsgSeq 0, UnreadMsgNum 1", self)
		}
	})
}

// TestReadCodes: bad input to the read frame and set_unread_msg_num.
func TestReadCodes(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "owner", "alice", "stranger")
		gid := s.Must(t, "group_open_http_svc/create_group", map[string]any{"Type": "Community", "Name": "c", "SupportTopic": 1,
			"Owner_Account": "owner", "MemberList": []any{map[string]any{"Member_Account": "alice"}}})["GroupId"].(string)
		tid := s.Must(t, "million_group_open_http_svc/create_topic", map[string]any{"GroupId": gid, "TopicName": "t"})["TopicId"].(string)
		for range 3 {
			gmSend(t, s, gmMsg(gid, tid, "owner", gmText("x")), 0)
			gmSend(t, s, gmMsg(gid, "", "owner", gmText("x")), 0)
		}
		alice, stranger := dialReader(t, s, "alice"), dialReader(t, s, "stranger")
		for _, c := range []struct {
			name           string
			conn           *client.Conn
			gid, tid, peer string
			seq            uint64
			want           int
		}{
			{"seq above the stream's newest", alice, gid, tid, "", 4, 10004},
			{"unknown group", alice, "@TGS#_none", "", "", 1, 10010},
			{"unknown topic", alice, gid, gid + "@TOPIC#_none", "", 1, 10010},
			{"malformed group ID", alice, "bad\x01id", "", "", 1, 10015},
			{"not a member", stranger, gid, tid, "", 1, 10007},
			{"one-to-one with an unknown account", alice, "", "", "ghost", 0, 90012},
			{"one-to-one with a malformed account", alice, "", "", "bad\x01", 0, 90001},
		} {
			var err error
			if c.peer != "" {
				_, err = c.conn.ReadC2C(readCtx(t), c.peer, 0)
			} else {
				_, err = c.conn.Read(readCtx(t), c.gid, c.tid, c.seq)
			}
			var ce *client.Error
			if !errors.As(err, &ce) || ce.Code != c.want {
				t.Errorf("%s: read = %v, want code %d", c.name, err, c.want)
			}
		}
		if st, err := alice.Read(readCtx(t), gid, tid, 3); err != nil || st.Unread != 0 {
			t.Fatalf("the good read after the bad ones = %+v, %v", st, err)
		}

		gmCodes(t, s, "group_open_http_svc/set_unread_msg_num", []gmCase{
			{"no UnreadMsgNum", map[string]any{"GroupId": gid, "Member_Account": "alice"}, 10004},
			{"no Member_Account", map[string]any{"GroupId": gid, "UnreadMsgNum": 1}, 10004},
			{"UnreadMsgNum a string", map[string]any{"GroupId": gid, "Member_Account": "alice", "UnreadMsgNum": "1"}, 10004},
			{"negative UnreadMsgNum", map[string]any{"GroupId": gid, "Member_Account": "alice", "UnreadMsgNum": -1}, 10004},
			{"unknown group", map[string]any{"GroupId": "@TGS#_none", "Member_Account": "alice", "UnreadMsgNum": 1}, 10010},
			{"not a member", map[string]any{"GroupId": gid, "Member_Account": "stranger", "UnreadMsgNum": 1}, 10007},
			{"set 2", map[string]any{"GroupId": gid, "Member_Account": "alice", "UnreadMsgNum": 2}, 0},
		})
		wantGroupUnread := func(step string, want uint64) {
			t.Helper()
			states, err := alice.Unread(readCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			if got := unreadOf(states, gid)[""]; got != want {
				t.Errorf("%s: alice's unread in the group's stream %d, want %d", step, got, want)
			}
		}
		wantGroupUnread("after set 2", 2)
		s.Must(t, "group_open_http_svc/set_unread_msg_num", map[string]any{"GroupId": gid, "Member_Account": "alice", "UnreadMsgNum": 99})
		wantGroupUnread("after set 99 of 3 messages", 3)
		s.Must(t, "group_open_http_svc/set_unread_msg_num", map[string]any{"GroupId": gid, "Member_Account": "alice", "UnreadMsgNum": 0})
		wantGroupUnread("after set 0", 0)
	})
}

// TestC2CReadAndUnread: admin_set_msg_read and get_c2c_unread_msg_num,
// their codes, and the reader's other connection hearing of a read.
func TestC2CReadAndUnread(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "alice", "bob", "carol")
		send := func(from, to string) int64 {
			r := s.Must(t, "openim/sendmsg", map[string]any{"From_Account": from, "To_Account": to, "MsgRandom": gmR(), "MsgBody": gmText("hi")})
			return int64(r["MsgTime"].(float64))
		}
		for range 3 {
			send("alice", "bob")
		}
		send("carol", "bob")
		send("bob", "alice")
		unread := func(body map[string]any) apitest.Resp {
			return s.Must(t, "openim/get_c2c_unread_msg_num", body)
		}
		if r := unread(map[string]any{"To_Account": "bob"}); r["AllC2CUnreadMsgNum"] != 4.0 {
			t.Errorf("bob's total %v, want 4", r)
		}
		r := unread(map[string]any{"To_Account": "bob", "Peer_Account": []string{"alice", "carol", "nobody"}})
		if fmt.Sprint(r["C2CUnreadMsgNumList"]) != "[map[C2CUnreadMsgNum:3 Peer_Account:alice] map[C2CUnreadMsgNum:1 Peer_Account:carol]]" ||
			fmt.Sprint(r["ErrorList"]) != "[map[ErrorCode:90012 Peer_Account:nobody]]" {
			t.Errorf("per peer: %v", r)
		}
		bobWS := dialReader(t, s, "bob")
		s.Must(t, "openim/admin_set_msg_read", map[string]any{"Report_Account": "bob", "Peer_Account": "alice"})
		timeout := time.After(10 * time.Second)
	wait:
		for {
			select {
			case f := <-bobWS.Frames():
				if f.Type == client.TypeEvent && f.Event == "message.c2c_read_set" {
					var d struct {
						Peer   string
						Unread uint64
					}
					_ = json.Unmarshal(f.Data, &d)
					if d.Peer != "alice" || d.Unread != 0 {
						t.Errorf("bob's connection heard %s", f.Data)
					}
					break wait
				}
			case <-timeout:
				t.Fatal("bob's connection heard no c2c read")
			}
		}
		if r := unread(map[string]any{"To_Account": "bob"}); r["AllC2CUnreadMsgNum"] != 1.0 {
			t.Errorf("bob's total after reading alice %v, want 1", r)
		}
		// MsgReadTime as the page types it, a string, in the past: nothing
		// read moves back.
		s.Must(t, "openim/admin_set_msg_read", map[string]any{"Report_Account": "bob", "Peer_Account": "carol", "MsgReadTime": "1"})
		if r := unread(map[string]any{"To_Account": "bob"}); r["AllC2CUnreadMsgNum"] != 1.0 {
			t.Errorf("bob's total after reading carol up to 1970 %v, want 1", r)
		}
		if st, err := bobWS.ReadC2C(readCtx(t), "carol", 0); err != nil || st.Peer != "carol" || st.Unread != 0 {
			t.Errorf("ReadC2C carol = %+v, %v", st, err)
		}
		gmCodes(t, s, "openim/admin_set_msg_read", []gmCase{
			{"no Report_Account", map[string]any{"Peer_Account": "alice"}, 90001},
			{"unknown Peer_Account", map[string]any{"Report_Account": "bob", "Peer_Account": "ghost"}, 90012},
			{"MsgReadTime not a time", map[string]any{"Report_Account": "bob", "Peer_Account": "alice", "MsgReadTime": "soon"}, 90001},
			{"MsgReadTime a number", map[string]any{"Report_Account": "bob", "Peer_Account": "alice", "MsgReadTime": 5}, 0},
		})
		gmCodes(t, s, "openim/get_c2c_unread_msg_num", []gmCase{
			{"no To_Account", map[string]any{}, 90001},
			{"unknown To_Account", map[string]any{"To_Account": "ghost"}, 90012},
			{"11 peers", map[string]any{"To_Account": "bob", "Peer_Account": []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}}, 90011},
			{"Peer_Account not an array", map[string]any{"To_Account": "bob", "Peer_Account": "alice"}, 90001},
		})
	})
}
