package rest_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apitest"
)

// End-to-end tests of message edits: modify_group_msg (with TopicId) and
// modify_c2c_msg over REST, and a member's edit and recall over the
// WebSocket, on both stores, with the live edit events and the history and
// sync edit marks.

// edBody is a MsgBody of one text element.
func edBody(text string) string {
	return `[{"MsgType":"TIMTextElem","MsgContent":{"Text":` + jsonString(text) + `}}]`
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// edSizedBody is a MsgBody of exactly n bytes (compact JSON).
func edSizedBody(n int) string {
	return edBody(strings.Repeat("x", n-len(edBody(""))))
}

// edEvent waits for the next event frame of kind on c, skipping others.
func edEvent(t *testing.T, c *client.Conn, kind string) client.Frame {
	t.Helper()
	return apitest.NextFrame(t, c, 10*time.Second, kind+" event", func(f client.Frame) bool {
		return f.Type == client.TypeEvent && f.Event == kind
	})
}

// edEdited decodes the message frame an edit event carries.
func edEdited(t *testing.T, f client.Frame) client.Frame {
	t.Helper()
	var m client.Frame
	if err := json.Unmarshal(f.Data, &m); err != nil {
		t.Fatalf("edit event data %s: %v", f.Data, err)
	}
	return m
}

// edHistory is group_msg_get_simple's list of a stream, newest first.
func edHistory(t *testing.T, s *apitest.Server, gid, tid string) []map[string]any {
	t.Helper()
	r := s.Must(t, gs+"group_msg_get_simple", map[string]any{"GroupId": gid, "TopicId": tid, "ReqMsgNumber": 20, "WithRecalledMsg": 1})
	var out []map[string]any
	for _, m := range r.List("RspMsgList") {
		out = append(out, m.(map[string]any))
	}
	return out
}

// edSend sends text into a stream from from over REST and returns its seq.
func edSend(t *testing.T, s *apitest.Server, gid, tid, from, text string) int {
	t.Helper()
	body := map[string]any{"GroupId": gid, "Random": gmR(), "From_Account": from, "MsgBody": json.RawMessage(edBody(text))}
	if tid != "" {
		body["TopicId"] = tid
	}
	return int(s.Must(t, gs+"send_group_msg", body)["MsgSeq"].(float64))
}

func TestModifyGroupMsg(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o", "a", "b")
		gid := mustCreate(t, s, `{"Type":"Community","Name":"c","SupportTopic":1,"Owner_Account":"o","MemberList":[{"Member_Account":"a"},{"Member_Account":"b"}]}`)
		tid := s.Must(t, "million_group_open_http_svc/create_topic", map[string]any{"GroupId": gid, "TopicName": "t"})["TopicId"].(string)
		av := mustCreate(t, s, `{"Type":"AVChatRoom","Name":"live","Owner_Account":"o"}`)
		own := edSend(t, s, gid, "", "a", "hello")
		inTopic := edSend(t, s, gid, tid, "a", "in topic")
		recalled := edSend(t, s, gid, "", "a", "gone")
		s.Must(t, gs+"group_msg_recall", map[string]any{"GroupId": gid, "MsgSeqList": []any{map[string]any{"MsgSeq": recalled}}})
		watcher := dialReader(t, s, "b")

		// Refusals first: each has its code and changes nothing.
		before := [][]map[string]any{edHistory(t, s, gid, ""), edHistory(t, s, gid, tid)}
		big := strings.Repeat("c", 12*1024)
		for _, tc := range []struct {
			name string
			body map[string]any
			want int
		}{
			{"group does not exist", map[string]any{"GroupId": "@TGS#nope", "MsgSeq": own, "MsgBody": json.RawMessage(edBody("x"))}, 10010},
			{"AVChatRoom keeps no history", map[string]any{"GroupId": av, "MsgSeq": 1, "MsgBody": json.RawMessage(edBody("x"))}, 10007},
			{"MsgSeq missing", map[string]any{"GroupId": gid, "MsgBody": json.RawMessage(edBody("x"))}, 90001},
			{"nothing to modify", map[string]any{"GroupId": gid, "MsgSeq": own}, 90001},
			{"MsgBody malformed", map[string]any{"GroupId": gid, "MsgSeq": own, "MsgBody": []any{map[string]any{"MsgType": "TIMNopeElem", "MsgContent": map[string]any{}}}}, 90002},
			{"MsgBody not an array", map[string]any{"GroupId": gid, "MsgSeq": own, "MsgBody": "hi"}, 90002},
			{"MsgBody one byte over 12 KB", map[string]any{"GroupId": gid, "MsgSeq": own, "MsgBody": json.RawMessage(edSizedBody(12*1024 + 1))}, 93000},
			{"CloudCustomData one byte over 12 KB", map[string]any{"GroupId": gid, "MsgSeq": own, "CloudCustomData": big + "c"}, 93000},
			{"CloudCustomData with NUL", map[string]any{"GroupId": gid, "MsgSeq": own, "CloudCustomData": "a\x00b"}, 90001},
			{"message does not exist", map[string]any{"GroupId": gid, "MsgSeq": 99, "MsgBody": json.RawMessage(edBody("x"))}, 10030},
			{"message of the group's stream asked in the topic", map[string]any{"GroupId": gid, "TopicId": tid, "MsgSeq": 3, "MsgBody": json.RawMessage(edBody("x"))}, 10030},
			{"recalled message", map[string]any{"GroupId": gid, "MsgSeq": recalled, "MsgBody": json.RawMessage(edBody("x"))}, 10030},
			{"topic does not exist", map[string]any{"GroupId": gid, "TopicId": gid + "@TOPIC#_nope", "MsgSeq": 1, "MsgBody": json.RawMessage(edBody("x"))}, 10010},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := s.Call(t, "openim/modify_group_msg", tc.body)
				if r.Code() != tc.want {
					t.Fatalf("got %v, want %d", r, tc.want)
				}
			})
		}
		if after := [][]map[string]any{edHistory(t, s, gid, ""), edHistory(t, s, gid, tid)}; !reflect.DeepEqual(after, before) {
			t.Fatalf("a refused modify changed history:\n%v\nwant\n%v", after, before)
		}

		// Then the edits: at the limits, body only, custom data only, both,
		// in a topic; each keeps the sequence and is pushed to the members.
		for _, tc := range []struct {
			name     string
			tid      string
			seq      int
			body     string // "" keeps it
			custom   *string
			wantBody string
			wantCCD  any
		}{
			{"body exactly 12 KB", "", own, edSizedBody(12 * 1024), nil, edSizedBody(12 * 1024), nil},
			{"body only", "", own, edBody("edited 你好"), nil, edBody("edited 你好"), nil},
			{"custom data exactly 12 KB keeps the body", "", own, "", &big, edBody("edited 你好"), big},
			{"both in a topic", tid, inTopic, edBody("topic edited"), new("ccd"), edBody("topic edited"), "ccd"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				req := map[string]any{"GroupId": gid, "MsgSeq": tc.seq}
				if tc.tid != "" {
					req["TopicId"] = tc.tid
				}
				if tc.body != "" {
					req["MsgBody"] = json.RawMessage(tc.body)
				}
				if tc.custom != nil {
					req["CloudCustomData"] = *tc.custom
				}
				start := time.Now().Unix()
				r := s.Call(t, "openim/modify_group_msg", req)
				if r.Code() != 0 || r["ActionStatus"] != "OK" {
					t.Fatalf("modify: %v", r)
				}
				ev := edEvent(t, watcher, "message.group_edited")
				m := edEdited(t, ev)
				if ev.GroupID != gid || ev.TopicID != tc.tid || m.Seq != uint64(tc.seq) || !m.Edited || m.EditTime < start || m.From != "a" {
					t.Errorf("edit event %+v data %+v", ev, m)
				}
				if string(m.MsgBody) != tc.wantBody {
					t.Errorf("pushed body %s, want %s", m.MsgBody, tc.wantBody)
				}
				var got map[string]any
				for _, h := range edHistory(t, s, gid, tc.tid) {
					if int(h["MsgSeq"].(float64)) == tc.seq {
						got = h
					}
				}
				wantBody := []any{}
				_ = json.Unmarshal([]byte(tc.wantBody), &wantBody)
				if got == nil || !reflect.DeepEqual(got["MsgBody"], wantBody) || got["IsEditedMsg"] != 1.0 ||
					got["MsgEditTime"].(float64) < float64(start) || got["From_Account"] != "a" {
					t.Errorf("history after the edit: %v", got)
				}
				if tc.wantCCD != nil && got["CloudCustomData"] != tc.wantCCD {
					t.Errorf("CloudCustomData %v, want %v", got["CloudCustomData"], tc.wantCCD)
				}
			})
		}
		// A message never edited carries no edit mark.
		for _, h := range edHistory(t, s, gid, "") {
			if int(h["MsgSeq"].(float64)) == recalled {
				if _, ok := h["IsEditedMsg"]; ok {
					t.Errorf("an unedited message has an edit mark: %v", h)
				}
			}
		}
	})
}

func TestModifyC2CMsg(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "alice", "bob", "carol")
		alice, bob := dialReader(t, s, "alice"), dialReader(t, s, "bob")
		send := func(text string) string {
			r := s.Must(t, "openim/sendmsg", map[string]any{"From_Account": "alice", "To_Account": "bob", "MsgRandom": gmR(), "MsgBody": json.RawMessage(edBody(text))})
			return r["MsgKey"].(string)
		}
		key, gone := send("hi"), send("gone")
		s.Must(t, "openim/admin_msgwithdraw", map[string]any{"From_Account": "alice", "To_Account": "bob", "MsgKey": gone})
		roam := func() []any {
			return s.Must(t, "openim/admin_getroammsg", map[string]any{"Operator_Account": "alice", "Peer_Account": "bob", "MaxCnt": 10, "MinTime": 0, "MaxTime": 0}).List("MsgList")
		}
		before := roam()
		for _, tc := range []struct {
			name string
			body map[string]any
			want int
		}{
			{"MsgKey missing", map[string]any{"From_Account": "alice", "To_Account": "bob", "MsgBody": json.RawMessage(edBody("x"))}, 90001},
			{"From_Account missing", map[string]any{"To_Account": "bob", "MsgKey": key, "MsgBody": json.RawMessage(edBody("x"))}, 90001},
			{"nothing to modify", map[string]any{"From_Account": "alice", "To_Account": "bob", "MsgKey": key}, 90001},
			{"the other direction", map[string]any{"From_Account": "bob", "To_Account": "alice", "MsgKey": key, "MsgBody": json.RawMessage(edBody("x"))}, 90001},
			{"another receiver", map[string]any{"From_Account": "alice", "To_Account": "carol", "MsgKey": key, "MsgBody": json.RawMessage(edBody("x"))}, 90001},
			{"no such key", map[string]any{"From_Account": "alice", "To_Account": "bob", "MsgKey": "1_2_3", "MsgBody": json.RawMessage(edBody("x"))}, 90001},
			{"MsgKey over 50 bytes", map[string]any{"From_Account": "alice", "To_Account": "bob", "MsgKey": strings.Repeat("1", 51), "MsgBody": json.RawMessage(edBody("x"))}, 90001},
			{"recalled", map[string]any{"From_Account": "alice", "To_Account": "bob", "MsgKey": gone, "MsgBody": json.RawMessage(edBody("x"))}, 90001},
			{"MsgBody malformed", map[string]any{"From_Account": "alice", "To_Account": "bob", "MsgKey": key, "MsgBody": []any{}}, 90002},
			{"MsgBody one byte over 12 KB", map[string]any{"From_Account": "alice", "To_Account": "bob", "MsgKey": key, "MsgBody": json.RawMessage(edSizedBody(12*1024 + 1))}, 93000},
			{"CloudCustomData one byte over 12 KB", map[string]any{"From_Account": "alice", "To_Account": "bob", "MsgKey": key, "CloudCustomData": strings.Repeat("c", 12*1024+1)}, 93000},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if r := s.Call(t, "openim/modify_c2c_msg", tc.body); r.Code() != tc.want {
					t.Fatalf("got %v, want %d", r, tc.want)
				}
			})
		}
		if after := roam(); !reflect.DeepEqual(after, before) {
			t.Fatalf("a refused modify changed the conversation:\n%v\nwant\n%v", after, before)
		}
		start := time.Now().Unix()
		s.Must(t, "openim/modify_c2c_msg", map[string]any{"From_Account": "alice", "To_Account": "bob", "MsgKey": key,
			"MsgBody": json.RawMessage(edSizedBody(12 * 1024)), "CloudCustomData": strings.Repeat("c", 12*1024)})
		for _, c := range []*client.Conn{alice, bob} {
			m := edEdited(t, edEvent(t, c, "message.c2c_edited"))
			if m.MsgKey != key || m.From != "alice" || m.To != "bob" || !m.Edited || m.EditTime < start || string(m.MsgBody) != edSizedBody(12*1024) {
				t.Errorf("c2c edit event %+v", m)
			}
		}
		var got map[string]any
		for _, m := range roam() {
			if m.(map[string]any)["MsgKey"] == key {
				got = m.(map[string]any)
			}
		}
		if got == nil || got["IsEditedMsg"] != 1.0 || got["MsgEditTime"].(float64) < float64(start) ||
			got["CloudCustomData"] != strings.Repeat("c", 12*1024) || !strings.Contains(fmt.Sprint(got["MsgBody"]), "xxxx") {
			t.Errorf("roam after the edit: %v", got)
		}
	})
}

// TestEditAndRecallOverSocket: members edit and recall their own messages
// over the WebSocket under the stream's rules; a moderator (an admin)
// recalls another's; one-to-one senders edit and recall by msg_key.
func TestEditAndRecallOverSocket(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o", "mod", "a", "b", "out")
		gid := mustCreate(t, s, `{"Type":"Public","Name":"g","Owner_Account":"o","MemberList":[{"Member_Account":"mod","Role":"Admin"},{"Member_Account":"a"},{"Member_Account":"b"}]}`)
		cid := mustCreate(t, s, `{"Type":"Community","Name":"c","SupportTopic":1,"Owner_Account":"o","MemberList":[{"Member_Account":"a"},{"Member_Account":"b"}]}`)
		tid := s.Must(t, "million_group_open_http_svc/create_topic", map[string]any{"GroupId": cid, "TopicName": "t"})["TopicId"].(string)
		a, b, mod, out := dialReader(t, s, "a"), dialReader(t, s, "b"), dialReader(t, s, "mod"), dialReader(t, s, "out")
		ctx := readCtx(t)
		sendWS := func(c *client.Conn, gid, tid, text string) uint64 {
			ack, err := c.Send(ctx, gid, tid, uint32(gmR()), json.RawMessage(edBody(text)))
			if err != nil {
				t.Fatal(err)
			}
			return ack.Seq
		}
		aMsg := sendWS(a, gid, "", "a's")
		bMsg := sendWS(b, gid, "", "b's")
		topicMsg := sendWS(a, cid, tid, "a's in topic")
		code := func(err error) int {
			if e, ok := err.(*client.Error); ok {
				return e.Code
			}
			if err != nil {
				t.Fatalf("not an error frame: %v", err)
			}
			return 0
		}

		t.Run("edit refusals", func(t *testing.T) {
			before := edHistory(t, s, gid, "")
			for _, tc := range []struct {
				name string
				c    *client.Conn
				gid  string
				seq  uint64
				body string
				want int
			}{
				{"another member's message", a, gid, bMsg, edBody("x"), 10007},
				{"a moderator may not edit another's", mod, gid, aMsg, edBody("x"), 10007},
				{"not a member", out, gid, aMsg, edBody("x"), 10007},
				{"no such message", a, gid, 99, edBody("x"), 10030},
				{"seq missing", a, gid, 0, edBody("x"), 10004},
				{"msg_body missing", a, gid, aMsg, "", 10004},
				{"msg_body malformed", a, gid, aMsg, `[{"MsgType":"TIMTextElem","MsgContent":{"Text":1}}]`, 10004},
				{"msg_body one byte over 12 KB", a, gid, aMsg, edSizedBody(12*1024 + 1), 80002},
				{"no such group", a, "@TGS#nope", aMsg, edBody("x"), 10010},
			} {
				t.Run(tc.name, func(t *testing.T) {
					var body json.RawMessage
					if tc.body != "" {
						body = json.RawMessage(tc.body)
					}
					_, err := tc.c.Edit(ctx, tc.gid, "", tc.seq, body)
					if got := code(err); got != tc.want {
						t.Fatalf("edit: code %d (%v), want %d", got, err, tc.want)
					}
				})
			}
			s.Must(t, gs+"forbid_send_msg", map[string]any{"GroupId": gid, "Members_Account": []string{"b"}, "MuteTime": 60})
			if _, err := b.Edit(ctx, gid, "", bMsg, json.RawMessage(edBody("muted"))); code(err) != 10017 {
				t.Errorf("a muted member's edit: %v, want 10017", err)
			}
			s.Must(t, gs+"forbid_send_msg", map[string]any{"GroupId": gid, "Members_Account": []string{"b"}, "MuteTime": 0})
			if after := edHistory(t, s, gid, ""); !reflect.DeepEqual(after, before) {
				t.Errorf("a refused edit changed history")
			}
		})

		t.Run("own edit, at 12 KB, pushed and in history and sync", func(t *testing.T) {
			for _, body := range []string{edSizedBody(12 * 1024), edBody("a's, edited")} {
				ack, err := a.Edit(ctx, gid, "", aMsg, json.RawMessage(body))
				if err != nil || ack.Type != client.TypeAck || ack.Seq != aMsg || ack.GroupID != gid || !ack.Edited || ack.EditTime == 0 {
					t.Fatalf("edit ack %+v, %v", ack, err)
				}
				for _, c := range []*client.Conn{b, mod} {
					if m := edEdited(t, edEvent(t, c, "message.group_edited")); m.Seq != aMsg || string(m.MsgBody) != body || m.From != "a" {
						t.Errorf("edit event %+v", m)
					}
				}
			}
			ack, err := a.Edit(ctx, cid, tid, topicMsg, json.RawMessage(edBody("topic, edited")))
			if err != nil || ack.TopicID != tid || ack.Seq != topicMsg {
				t.Fatalf("topic edit ack %+v, %v", ack, err)
			}
			if ev := edEvent(t, b, "message.group_edited"); ev.TopicID != tid || edEdited(t, ev).Seq != topicMsg {
				t.Errorf("topic edit event %+v", ev)
			}
			fresh := dialReader(t, s, "b")
			if err := fresh.Sync(ctx, []client.Stream{{GroupID: gid, AfterSeq: aMsg - 1}}); err != nil {
				t.Fatal(err)
			}
			f := <-fresh.Frames()
			if f.Type != client.TypeMessage || f.Seq != aMsg || !f.Edited || f.EditTime == 0 || string(f.MsgBody) != edBody("a's, edited") {
				t.Errorf("synced frame %+v", f)
			}
			if f := <-fresh.Frames(); f.Seq != bMsg || f.Edited {
				t.Errorf("an unedited message synced as %+v", f)
			}
		})

		t.Run("recall", func(t *testing.T) {
			if _, err := a.Recall(ctx, gid, "", bMsg); code(err) != 10007 {
				t.Errorf("a member recalling another's: %v, want 10007", err)
			}
			if _, err := out.Recall(ctx, gid, "", aMsg); code(err) != 10007 {
				t.Errorf("a non-member recalling: %v, want 10007", err)
			}
			if _, err := a.Recall(ctx, gid, "", 0); code(err) != 10004 {
				t.Errorf("recall without seq: %v, want 10004", err)
			}
			ack, err := mod.Recall(ctx, gid, "", bMsg)
			if err != nil || ack.Seq != bMsg {
				t.Fatalf("moderator recall %+v, %v", ack, err)
			}
			if ev := edEvent(t, a, "message.group_recalled"); ev.GroupID != gid || string(ev.Data) != fmt.Sprintf("[%d]", bMsg) {
				t.Errorf("recall event %+v", ev)
			}
			if _, err := a.Recall(ctx, gid, "", aMsg); err != nil {
				t.Fatalf("own recall: %v", err)
			}
			if _, err := a.Recall(ctx, gid, "", aMsg); code(err) != 10030 {
				t.Errorf("recalling twice: %v, want 10030", err)
			}
			if _, err := a.Edit(ctx, gid, "", aMsg, json.RawMessage(edBody("x"))); code(err) != 10030 {
				t.Errorf("editing a recalled message: %v, want 10030", err)
			}
			for _, h := range edHistory(t, s, gid, "") {
				if seq := uint64(h["MsgSeq"].(float64)); (seq == aMsg || seq == bMsg) && h["IsPlaceMsg"] != 2.0 {
					t.Errorf("message %d not recalled in history: %v", seq, h)
				}
			}
		})

		t.Run("one-to-one", func(t *testing.T) {
			ack, err := a.SendC2C(ctx, "b", uint32(gmR()), json.RawMessage(edBody("to b")))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.EditC2C(ctx, "a", ack.MsgKey, json.RawMessage(edBody("not mine"))); code(err) != 90001 {
				t.Errorf("editing the peer's message: %v, want 90001", err)
			}
			if _, err := a.EditC2C(ctx, "b", ack.MsgKey, json.RawMessage(edSizedBody(12*1024+1))); code(err) != 93000 {
				t.Errorf("over 12 KB: %v, want 93000", err)
			}
			e, err := a.EditC2C(ctx, "b", ack.MsgKey, json.RawMessage(edBody("to b, edited")))
			if err != nil || e.MsgKey != ack.MsgKey || !e.Edited || e.EditTime == 0 {
				t.Fatalf("c2c edit ack %+v, %v", e, err)
			}
			for _, c := range []*client.Conn{a, b} {
				if m := edEdited(t, edEvent(t, c, "message.c2c_edited")); m.MsgKey != ack.MsgKey || string(m.MsgBody) != edBody("to b, edited") {
					t.Errorf("c2c edit event %+v", m)
				}
			}
			if _, err := b.RecallC2C(ctx, "a", ack.MsgKey); code(err) != 90001 {
				t.Errorf("recalling the peer's message: %v, want 90001", err)
			}
			if _, err := a.RecallC2C(ctx, "b", ack.MsgKey); err != nil {
				t.Fatalf("own c2c recall: %v", err)
			}
			if ev := edEvent(t, b, "message.c2c_recalled"); string(ev.Data) != jsonString(ack.MsgKey) {
				t.Errorf("c2c recall event %+v", ev)
			}
			if _, err := a.EditC2C(ctx, "b", ack.MsgKey, json.RawMessage(edBody("x"))); code(err) != 90001 {
				t.Errorf("editing a recalled message: %v, want 90001", err)
			}
		})
	})
}
