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

// End-to-end tests of the message extension APIs (group_set_key_values,
// group_get_key_values, set_key_values, get_key_values), their WebSocket
// frames (ext_set, ext_remove, the message.extension event) and their
// callbacks, written from the hosted pages 1047/52170, 52169, 51195,
// 51194, 76006 and 76007.

const xs = "openim_msg_ext_http_svc/"

// xKVs is an ExtensionList of n keys k<from>… with Seq 0.
func xKVs(from, n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"Key": fmt.Sprintf("k%03d", from+i), "Value": "v", "Seq": 0}
	}
	return out
}

// xSetup makes the Public group xg with amy and bob, and sends into it
// message 1 with SupportMessageExtension 1 and message 2 without.
func xSetup(t *testing.T, s *apitest.Server) {
	s.ImportAccounts(t, "owner", "amy", "bob", "out")
	s.Must(t, gs+"create_group", `{"Type":"Public","Name":"x","GroupId":"xg","Owner_Account":"owner","MemberList":[{"Member_Account":"amy"},{"Member_Account":"bob"}]}`)
	m := gmMsg("xg", "", "amy", gmText("poll"))
	m["SupportMessageExtension"] = 1
	if r := s.Must(t, gs+"send_group_msg", m); r["MsgSeq"] != 1.0 {
		t.Fatalf("first message: %v", r)
	}
	s.Must(t, gs+"send_group_msg", gmMsg("xg", "", "amy", gmText("plain")))
}

// xLatest is LatestSeq of group message seq's extension.
func xLatest(t *testing.T, s *apitest.Server, seq int) float64 {
	t.Helper()
	r := s.Must(t, xs+"group_get_key_values", map[string]any{"GroupId": "xg", "MsgSeq": seq})
	return r["LatestSeq"].(float64)
}

func TestGroupKeyValues(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		xSetup(t, s)
		long := func(n int) string { return strings.Repeat("é", n/2) + strings.Repeat("x", n%2) } // n UTF-8 bytes
		for _, c := range []struct {
			name string
			body map[string]any
			want int
		}{
			{"a message sent without SupportMessageExtension", map[string]any{"GroupId": "xg", "MsgSeq": 2, "OperateType": 1, "ExtensionList": xKVs(0, 1)}, 10004},
			{"no such message", map[string]any{"GroupId": "xg", "MsgSeq": 99, "OperateType": 1, "ExtensionList": xKVs(0, 1)}, 10030},
			{"no such group", map[string]any{"GroupId": "nope", "MsgSeq": 1, "OperateType": 1, "ExtensionList": xKVs(0, 1)}, 10010},
			{"MsgSeq missing", map[string]any{"GroupId": "xg", "OperateType": 1, "ExtensionList": xKVs(0, 1)}, 10004},
			{"OperateType 4", map[string]any{"GroupId": "xg", "MsgSeq": 1, "OperateType": 4, "ExtensionList": xKVs(0, 1)}, 10004},
			{"set without ExtensionList", map[string]any{"GroupId": "xg", "MsgSeq": 1, "OperateType": 1}, 10004},
			{"21 keys in one call", map[string]any{"GroupId": "xg", "MsgSeq": 1, "OperateType": 1, "ExtensionList": xKVs(0, 21)}, 10004},
			{"a key listed twice", map[string]any{"GroupId": "xg", "MsgSeq": 1, "OperateType": 1, "ExtensionList": append(xKVs(0, 1), xKVs(0, 1)...)}, 10004},
			{"an empty key", map[string]any{"GroupId": "xg", "MsgSeq": 1, "OperateType": 1, "ExtensionList": []any{map[string]any{"Key": "", "Value": "v"}}}, 10004},
			{"a key of 101 bytes", map[string]any{"GroupId": "xg", "MsgSeq": 1, "OperateType": 1, "ExtensionList": []any{map[string]any{"Key": long(101), "Value": "v"}}}, 10004},
			{"a value of 1025 bytes", map[string]any{"GroupId": "xg", "MsgSeq": 1, "OperateType": 1, "ExtensionList": []any{map[string]any{"Key": "k", "Value": long(1025)}}}, 10004},
			{"Seq as a string", map[string]any{"GroupId": "xg", "MsgSeq": 1, "OperateType": 1, "ExtensionList": []any{map[string]any{"Key": "k", "Value": "v", "Seq": "0"}}}, 90001},
		} {
			if r := s.Call(t, xs+"group_set_key_values", c.body); r.Code() != c.want {
				t.Errorf("%s: got %v, want %d", c.name, r, c.want)
			}
		}
		if got := xLatest(t, s, 1); got != 0 {
			t.Fatalf("refused writes moved LatestSeq to %v", got)
		}
		if r := s.Call(t, xs+"group_get_key_values", map[string]any{"GroupId": "xg", "MsgSeq": 2}); r.Code() != 10004 {
			t.Errorf("get of a message without extension: %v, want 10004", r)
		}
		// At the limits: a 100-byte key, a 1024-byte value, 20 keys.
		r := s.Must(t, xs+"group_set_key_values", map[string]any{"GroupId": "xg", "MsgSeq": 1, "OperateType": 1,
			"ExtensionList": []any{map[string]any{"Key": long(100), "Value": long(1024), "Seq": 0}}})
		if e := r.List("ExtensionList")[0].(map[string]any); e["ErrorCode"] != 0.0 || e["Extension"].(map[string]any)["Seq"] != 1.0 {
			t.Fatalf("set at the size limits: %v", r)
		}
		s.Must(t, xs+"group_set_key_values", map[string]any{"GroupId": "xg", "MsgSeq": 1, "OperateType": 3})
		for i := range 15 { // 300 keys, 20 a call
			s.Must(t, xs+"group_set_key_values", map[string]any{"GroupId": "xg", "MsgSeq": 1, "OperateType": 1, "ExtensionList": xKVs(i*20, 20)})
		}
		if r := s.Call(t, xs+"group_set_key_values", map[string]any{"GroupId": "xg", "MsgSeq": 1, "OperateType": 1, "ExtensionList": xKVs(300, 1)}); r.Code() != 10004 {
			t.Fatalf("the 301st key: %v, want 10004", r)
		}
		// Pages of 200 in Seq order (seqs 3..17 hold 20 keys each).
		p := s.Must(t, xs+"group_get_key_values", map[string]any{"GroupId": "xg", "MsgSeq": 1})
		if len(p.List("ExtensionList")) != 200 || p["CompleteFlag"] != 0.0 || p["LatestSeq"] != 17.0 || p["ClearSeq"] != 2.0 {
			t.Fatalf("first page: %d keys, CompleteFlag %v, LatestSeq %v, ClearSeq %v", len(p.List("ExtensionList")), p["CompleteFlag"], p["LatestSeq"], p["ClearSeq"])
		}
		last := p.List("ExtensionList")[199].(map[string]any)["Seq"].(float64)
		p = s.Must(t, xs+"group_get_key_values", map[string]any{"GroupId": "xg", "MsgSeq": 1, "StartSeq": last + 1})
		if len(p.List("ExtensionList")) != 100 || p["CompleteFlag"] != 1.0 {
			t.Fatalf("second page: %d keys, CompleteFlag %v", len(p.List("ExtensionList")), p["CompleteFlag"])
		}
		// Compare and set: a stale Seq answers 23001 with the stored key; the
		// fresh key of the same call is written.
		r = s.Must(t, xs+"group_set_key_values", map[string]any{"GroupId": "xg", "MsgSeq": 1, "OperateType": 2,
			"ExtensionList": []any{map[string]any{"Key": "k000", "Value": "", "Seq": 3}, map[string]any{"Key": "k001", "Value": "", "Seq": 1}}})
		list := r.List("ExtensionList")
		if a, b := list[0].(map[string]any), list[1].(map[string]any); a["ErrorCode"] != 0.0 || b["ErrorCode"] != 23001.0 ||
			b["Extension"].(map[string]any)["Seq"] != 3.0 || b["Extension"].(map[string]any)["Value"] != "v" {
			t.Fatalf("delete with one stale Seq: %v", r)
		}
		if got := xLatest(t, s, 1); got != 18 {
			t.Fatalf("LatestSeq %v after the delete, want 18", got)
		}
	})
}

func TestC2CKeyValues(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "amy", "bob")
		send := func(ext int) string {
			r := s.Must(t, "openim/sendmsg", map[string]any{"From_Account": "amy", "To_Account": "bob", "MsgRandom": gmR(),
				"MsgBody": gmText("hi"), "SupportMessageExtension": ext})
			return r["MsgKey"].(string)
		}
		key, plain := send(1), send(0)
		for _, c := range []struct {
			name string
			body map[string]any
			want int
		}{
			{"without SupportMessageExtension", map[string]any{"From_Account": "amy", "To_Account": "bob", "MsgKey": plain, "OperateType": 1, "ExtensionList": xKVs(0, 1)}, 90001},
			{"no such message", map[string]any{"From_Account": "amy", "To_Account": "bob", "MsgKey": "1_2_3", "OperateType": 1, "ExtensionList": xKVs(0, 1)}, 90001},
			{"the other direction", map[string]any{"From_Account": "bob", "To_Account": "amy", "MsgKey": key, "OperateType": 1, "ExtensionList": xKVs(0, 1)}, 90001},
			{"To_Account missing", map[string]any{"From_Account": "amy", "MsgKey": key, "OperateType": 1, "ExtensionList": xKVs(0, 1)}, 90001},
			{"21 keys", map[string]any{"From_Account": "amy", "To_Account": "bob", "MsgKey": key, "OperateType": 1, "ExtensionList": xKVs(0, 21)}, 90001},
		} {
			if r := s.Call(t, xs+"set_key_values", c.body); r.Code() != c.want {
				t.Errorf("%s: got %v, want %d", c.name, r, c.want)
			}
		}
		ref := map[string]any{"From_Account": "amy", "To_Account": "bob", "MsgKey": key}
		with := func(kv map[string]any) map[string]any {
			out := map[string]any{}
			for k, v := range ref {
				out[k] = v
			}
			for k, v := range kv {
				out[k] = v
			}
			return out
		}
		s.Must(t, xs+"set_key_values", with(map[string]any{"OperateType": 1, "ExtensionList": xKVs(0, 20)}))
		r := s.Must(t, xs+"get_key_values", ref)
		if len(r.List("ExtensionList")) != 20 || r["LatestSeq"] != 1.0 || r["CompleteFlag"] != 1.0 || r["ClearSeq"] != 0.0 {
			t.Fatalf("get: %v", r)
		}
		if r := s.Must(t, xs+"get_key_values", with(map[string]any{"StartSeq": 2})); len(r.List("ExtensionList")) != 0 {
			t.Fatalf("get from StartSeq 2: %v", r)
		}
	})
}

// TestKeyValuesOverWebSocket sets and removes a reaction over the socket,
// through the permission engine, and pushes it to the stream's members.
func TestKeyValuesOverWebSocket(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		xSetup(t, s)
		ctx := readCtx(t)
		amy, bob, out := dialAs(t, s, "amy", "Web"), dialAs(t, s, "bob", "Web"), dialAs(t, s, "out", "Web")
		ack, err := amy.SendExtensible(ctx, "xg", "", uint32(gmR()), json.RawMessage(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"react"}}]`))
		if err != nil {
			t.Fatal(err)
		}
		m := client.Frame{GroupID: "xg", Seq: ack.Seq}
		ok, err := bob.SetKey(ctx, m, "👍", "bob", 0)
		if err != nil || ok.Type != client.TypeExtOK || ok.Key != "👍" || ok.ExtSeq != 1 {
			t.Fatalf("ext_set = %+v, %v", ok, err)
		}
		ev := edEvent(t, amy, "message.extension")
		var data struct {
			MsgSeq   uint64
			Operator string
			Op       int
			Keys     []struct {
				Key, Value string
				Seq        uint64
			}
			Seq uint64
		}
		if err := json.Unmarshal(ev.Data, &data); err != nil || ev.GroupID != "xg" || data.MsgSeq != ack.Seq || data.Operator != "bob" ||
			data.Op != 1 || len(data.Keys) != 1 || data.Keys[0].Key != "👍" || data.Seq != 1 {
			t.Fatalf("event %+v %s (%v)", ev, ev.Data, err)
		}
		// A stale ext_seq: 23001 with the stored key in data; nothing changes.
		_, err = amy.SetKey(ctx, m, "👍", "amy", 0)
		var ce *client.Error
		if !errors.As(err, &ce) || ce.Code != 23001 {
			t.Fatalf("stale ext_set = %v, want 23001", err)
		}
		// Not a member: the permission engine refuses (10007).
		if _, err := out.SetKey(ctx, m, "👎", "out", 0); !errors.As(err, &ce) || ce.Code != 10007 {
			t.Fatalf("an outsider's ext_set = %v, want 10007", err)
		}
		// Message 2 takes no extensions; a message that does not exist.
		if _, err := bob.SetKey(ctx, client.Frame{GroupID: "xg", Seq: 2}, "k", "v", 0); !errors.As(err, &ce) || ce.Code != 10004 {
			t.Fatalf("ext_set on a plain message = %v, want 10004", err)
		}
		if _, err := bob.SetKey(ctx, client.Frame{GroupID: "xg", Seq: 99}, "k", "v", 0); !errors.As(err, &ce) || ce.Code != 10030 {
			t.Fatalf("ext_set on no message = %v, want 10030", err)
		}
		ok, err = bob.RemoveKey(ctx, m, "👍", 1)
		if err != nil || ok.ExtSeq != 2 {
			t.Fatalf("ext_remove = %+v, %v", ok, err)
		}
		if ev := edEvent(t, amy, "message.extension"); !strings.Contains(string(ev.Data), `"Op":2`) {
			t.Fatalf("remove event %s", ev.Data)
		}
		r := s.Must(t, xs+"group_get_key_values", map[string]any{"GroupId": "xg", "MsgSeq": ack.Seq})
		if len(r.List("ExtensionList")) != 0 || r["LatestSeq"] != 2.0 {
			t.Fatalf("after remove: %v", r)
		}
		// One-to-one: bob reacts to amy's message; amy's session is told.
		c2c, err := amy.SendC2C(ctx, "bob", uint32(gmR()), json.RawMessage(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"dm"}}]`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bob.SetKey(ctx, client.Frame{From: "amy", MsgKey: c2c.MsgKey}, "k", "v", 0); !errors.As(err, &ce) || ce.Code != 90001 {
			t.Fatalf("ext_set on a C2C message sent without extension = %v, want 90001", err)
		}
		r = s.Must(t, "openim/sendmsg", map[string]any{"From_Account": "amy", "To_Account": "bob", "MsgRandom": gmR(),
			"MsgBody": gmText("poll"), "SupportMessageExtension": 1})
		if ok, err := bob.SetKey(ctx, client.Frame{From: "amy", MsgKey: r["MsgKey"].(string)}, "vote", "yes", 0); err != nil || ok.ExtSeq != 1 {
			t.Fatalf("ext_set on a C2C message = %+v, %v", ok, err)
		}
		if ev := edEvent(t, amy, "message.extension"); !strings.Contains(string(ev.Data), `"MsgKey":"`+r["MsgKey"].(string)+`"`) {
			t.Fatalf("C2C extension event %s", ev.Data)
		}
	})
}

// TestKeyValuesCallbacks: every write of an extension queues its
// after-callback in the outbox, with the pages' body.
func TestKeyValuesCallbacks(t *testing.T) {
	rcv := newReceiver(t)
	opts := hookOpts(rcv, hookToken, []string{"Group.CallbackAfterGroupMsgExtension", "C2C.CallbackAfterC2CMsgExtension"}, nil)
	apitest.ForEachStore(t, opts, func(t *testing.T, s *apitest.Server) {
		xSetup(t, s)
		n0 := len(rcv.of("Group.CallbackAfterGroupMsgExtension"))
		s.Must(t, xs+"group_set_key_values", map[string]any{"GroupId": "xg", "MsgSeq": 1, "OperateType": 1, "ExtensionList": xKVs(0, 2)})
		s.Must(t, xs+"group_set_key_values", map[string]any{"GroupId": "xg", "MsgSeq": 1, "OperateType": 3})
		// A write that changes nothing (a stale Seq) calls nothing.
		s.Must(t, xs+"group_set_key_values", map[string]any{"GroupId": "xg", "MsgSeq": 1, "OperateType": 2,
			"ExtensionList": []any{map[string]any{"Key": "zzz", "Value": "", "Seq": 5}}})
		key := s.Must(t, "openim/sendmsg", map[string]any{"From_Account": "amy", "To_Account": "bob", "MsgRandom": gmR(),
			"MsgBody": gmText("hi"), "SupportMessageExtension": 1})["MsgKey"].(string)
		s.Must(t, xs+"set_key_values", map[string]any{"From_Account": "amy", "To_Account": "bob", "MsgKey": key, "OperateType": 1, "ExtensionList": xKVs(0, 1)})
		const g, c = "Group.CallbackAfterGroupMsgExtension", "C2C.CallbackAfterC2CMsgExtension"
		// The receiver is shared by both stores' runs: this run's are the
		// group callbacks after n0 and the C2C one of key.
		mine := func() (group, c2c []map[string]any) {
			for _, h := range rcv.of(g) {
				group = append(group, h.Body)
			}
			for _, h := range rcv.of(c) {
				if h.Body["MsgKey"] == key {
					c2c = append(c2c, h.Body)
				}
			}
			return group[min(n0, len(group)):], c2c
		}
		rcv.wait(t, "the extension callbacks", func() bool { gs, cs := mine(); return len(gs) >= 2 && len(cs) >= 1 })
		time.Sleep(200 * time.Millisecond) // a callback of the stale write would have come by now
		got, c2c := mine()
		if len(got) != 2 || len(c2c) != 1 {
			t.Fatalf("%d group and %d C2C extension callbacks, want 2 and 1", len(got), len(c2c))
		}
		set, clear := got[0], got[1] // delivery need not keep the order of the writes
		if set["OperateType"] == 3.0 {
			set, clear = clear, set
		}
		if set["GroupId"] != "xg" || set["MsgSeq"] != 1.0 || set["OperateType"] != 1.0 || set["Seq"] != 1.0 ||
			len(set["ExtensionList"].([]any)) != 2 || set["EventTime"] == nil {
			t.Errorf("set callback %v", set)
		}
		if kv := set["ExtensionList"].([]any)[0].(map[string]any); kv["Key"] != "k000" || kv["Value"] != "v" || kv["Seq"] != 1.0 {
			t.Errorf("set callback key %v", kv)
		}
		if clear["OperateType"] != 3.0 || clear["Seq"] != 2.0 || len(clear["ExtensionList"].([]any)) != 0 {
			t.Errorf("clear callback %v", clear)
		}
		if cb := c2c[0]; cb["From_Account"] != "amy" || cb["To_Account"] != "bob" || cb["OperateType"] != 1.0 || cb["Seq"] != 1.0 {
			t.Errorf("C2C callback %v", cb)
		}
	})
}
