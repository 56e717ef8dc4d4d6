package rest_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/apitest"
	"github.com/hearth-chat/hearth/internal/event"
)

func TestGroupMsgGetSimple(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o", "m")
		gid := mustCreate(t, s, `{"Type":"Public","Name":"p","Owner_Account":"o","MemberList":[{"Member_Account":"m"}]}`)
		t.Run("empty group", func(t *testing.T) {
			list, fin := gmHistory(t, s, map[string]any{"GroupId": gid, "ReqMsgNumber": 20})
			if len(list) != 0 || fin != 1 {
				t.Fatalf("empty group: %d messages, IsFinished %d", len(list), fin)
			}
		})
		for i := 1; i <= 45; i++ {
			gmSend(t, s, gmMsg(gid, "", "m", gmText(fmt.Sprint("n", i))), 0)
		}
		t.Run("page through 45", func(t *testing.T) {
			req := map[string]any{"GroupId": gid, "ReqMsgNumber": 20}
			var all []int
			for page, want := range []struct{ n, fin int }{{20, 0}, {20, 0}, {5, 1}} {
				list, fin := gmHistory(t, s, req)
				if len(list) != want.n || fin != want.fin {
					t.Fatalf("page %d: %d messages, IsFinished %d; want %d, %d", page, len(list), fin, want.n, want.fin)
				}
				seqs := gmSeqs(list)
				all = append(all, seqs...)
				req["ReqMsgSeq"] = seqs[len(seqs)-1] - 1
			}
			if !reflect.DeepEqual(all, gmSeqRange(45, 1)) {
				t.Fatalf("paged %v, want 45..1", all)
			}
		})
		t.Run("ReqMsgSeq in the middle", func(t *testing.T) {
			list, fin := gmHistory(t, s, map[string]any{"GroupId": gid, "ReqMsgSeq": 30, "ReqMsgNumber": 3})
			if !reflect.DeepEqual(gmSeqs(list), []int{30, 29, 28}) || fin != 0 {
				t.Fatalf("got %v IsFinished %d", gmSeqs(list), fin)
			}
			if list[0]["MsgBody"] == nil || !reflect.DeepEqual(list[0]["MsgBody"], gmDecoded(gmText("n30"))) {
				t.Fatalf("message 30 body %s", topicJS(list[0]["MsgBody"]))
			}
		})
		t.Run("fields and body round trip", func(t *testing.T) {
			body := []any{gmElem("TIMTextElem", map[string]any{"Text": "你好 <b>&amp; 🎉 \u00e9\\\"q\""}),
				gmElem("TIMLocationElem", map[string]any{"Desc": "深圳", "Latitude": 22.54, "Longitude": 113.93}),
				gmElem("TIMFaceElem", map[string]any{"Index": 7, "Data": "笑"}),
				gmElem("TIMCustomElem", map[string]any{"Data": `{"k":[1,2]}`, "Desc": "d", "Ext": "e", "Sound": "s"})}
			for i, prio := range []string{"High", "Normal", "Low", "Lowest"} {
				msg := gmMsg(gid, "", "m", body)
				msg["MsgPriority"] = prio
				r := gmSend(t, s, msg, 0)
				list, _ := gmHistory(t, s, map[string]any{"GroupId": gid, "ReqMsgNumber": 1})
				if len(list) != 1 {
					t.Fatalf("ReqMsgNumber 1 answered %d messages", len(list))
				}
				got := list[0]
				want := map[string]any{"From_Account": "m", "IsPlaceMsg": 0.0, "IsSystemMsg": 0.0, "MsgPriority": float64(i + 1),
					"MsgRandom": float64(msg["Random"].(int)), "MsgSeq": r["MsgSeq"], "MsgTimeStamp": r["MsgTime"], "MsgBody": gmDecoded(body)}
				for k, v := range want {
					if !reflect.DeepEqual(got[k], v) {
						t.Errorf("priority %s: %s = %s, want %s", prio, k, topicJS(got[k]), topicJS(v))
					}
				}
			}
		})
		t.Run("app admin sender", func(t *testing.T) {
			gmSend(t, s, gmMsg(gid, "", "", gmText("by admin")), 0)
			list, _ := gmHistory(t, s, map[string]any{"GroupId": gid, "ReqMsgNumber": 1})
			if len(list) != 1 || list[0]["From_Account"] != apitest.Admin {
				t.Fatalf("newest message %s, want one From_Account %s", topicJS(list), apitest.Admin)
			}
		})
		gmCodes(t, s, gs+"group_msg_get_simple", []gmCase{
			{"ReqMsgNumber 0", map[string]any{"GroupId": gid, "ReqMsgNumber": 0}, 10004},
			{"ReqMsgNumber a string", map[string]any{"GroupId": gid, "ReqMsgNumber": "5"}, 10004},
			{"missing GroupId", map[string]any{"ReqMsgNumber": 5}, 10004},
			{"unknown group", map[string]any{"GroupId": "nope", "ReqMsgNumber": 5}, 10010},
			{"TopicId on a Public group", map[string]any{"GroupId": gid, "TopicId": gid + "@TOPIC#_x", "ReqMsgNumber": 5}, 11000},
		})
	})
}

func TestGroupMsgRecall(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o")
		gid := mustCreate(t, s, `{"Type":"Public","Name":"p","Owner_Account":"o"}`)
		cid := topicCommunity(t, s, "")
		a := topicCreate(t, s, map[string]any{"GroupId": cid, "TopicName": "a"})
		b := topicCreate(t, s, map[string]any{"GroupId": cid, "TopicName": "b"})
		for i := 0; i < 5; i++ {
			gmSend(t, s, gmMsg(gid, "", "o", gmText(fmt.Sprint(i))), 0)
		}
		for _, tid := range []string{a, b} {
			gmSend(t, s, gmMsg(cid, tid, "o", gmText("t")), 0)
		}
		seqList := func(seqs ...int) []any {
			var out []any
			for _, n := range seqs {
				out = append(out, map[string]any{"MsgSeq": n})
			}
			return out
		}
		rets := func(r apitest.Resp) string {
			var parts []string
			for _, it := range r.List("RecallRetList") {
				m := it.(map[string]any)
				parts = append(parts, fmt.Sprint(m["MsgSeq"], ":", m["RetCode"]))
			}
			return strings.Join(parts, " ")
		}
		r := s.Must(t, gs+"group_msg_recall", map[string]any{"GroupId": gid, "MsgSeqList": seqList(2, 4, 99), "Reason": "oops"})
		if got := rets(r); got != "2:0 4:0 99:10030" {
			t.Fatalf("RecallRetList %s, want 2:0 4:0 99:10030", got)
		}
		r = s.Must(t, gs+"group_msg_recall", map[string]any{"GroupId": gid, "MsgSeqList": seqList(2)})
		if got := rets(r); got != "2:10030" {
			t.Fatalf("recalling again: %s, want 2:10030", got)
		}
		if seqs := gmHist(t, s, map[string]any{"GroupId": gid, "ReqMsgNumber": 20}); !reflect.DeepEqual(seqs, []int{5, 3, 1}) {
			t.Fatalf("history without recalled %v, want [5 3 1]", seqs)
		}
		list, _ := gmHistory(t, s, map[string]any{"GroupId": gid, "ReqMsgNumber": 20, "WithRecalledMsg": 1})
		if !reflect.DeepEqual(gmSeqs(list), gmSeqRange(5, 1)) {
			t.Fatalf("history with recalled %v, want [5 4 3 2 1]", gmSeqs(list))
		}
		for _, m := range list {
			want := 0.0
			if m["MsgSeq"] == 2.0 || m["MsgSeq"] == 4.0 {
				want = 2
			}
			if m["IsPlaceMsg"] != want {
				t.Errorf("message %v IsPlaceMsg %v, want %v", m["MsgSeq"], m["IsPlaceMsg"], want)
			}
		}
		// In a topic: only that topic's message goes.
		r = s.Must(t, gs+"group_msg_recall", map[string]any{"GroupId": cid, "TopicId": a, "MsgSeqList": seqList(1)})
		if got := rets(r); got != "1:0" {
			t.Fatalf("topic recall %s, want 1:0", got)
		}
		if list, _ := gmHistory(t, s, map[string]any{"GroupId": cid, "TopicId": a, "ReqMsgNumber": 20}); len(list) != 0 {
			t.Fatalf("topic a still lists %v", gmSeqs(list))
		}
		if seqs := gmHist(t, s, map[string]any{"GroupId": cid, "TopicId": b, "ReqMsgNumber": 20}); !reflect.DeepEqual(seqs, []int{1}) {
			t.Fatalf("topic b lists %v, want [1]", seqs)
		}
		gmCodes(t, s, gs+"group_msg_recall", []gmCase{
			{"10 sequences", map[string]any{"GroupId": gid, "MsgSeqList": seqList(gmSeqRange(100, 91)...)}, 0},
			{"11 sequences", map[string]any{"GroupId": gid, "MsgSeqList": seqList(gmSeqRange(101, 91)...)}, 10004},
			{"no sequences", map[string]any{"GroupId": gid, "MsgSeqList": []any{}}, 10004},
			{"missing MsgSeqList", map[string]any{"GroupId": gid}, 10004},
			{"Reason of 100 bytes", map[string]any{"GroupId": gid, "MsgSeqList": seqList(98), "Reason": topicFill(100, "话")}, 0},
			{"Reason of 101 bytes", map[string]any{"GroupId": gid, "MsgSeqList": seqList(5), "Reason": topicFill(101, "话")}, 10004},
			{"unknown group", map[string]any{"GroupId": "nope", "MsgSeqList": seqList(1)}, 10010},
			{"TopicId on a Public group", map[string]any{"GroupId": gid, "TopicId": gid + "@TOPIC#_x", "MsgSeqList": seqList(1)}, 11000},
		})
		if seqs := gmHist(t, s, map[string]any{"GroupId": gid, "ReqMsgNumber": 1}); !reflect.DeepEqual(seqs, []int{5}) {
			t.Fatalf("a refused recall took message 5: %v", seqs)
		}
	})
}

func TestGroupMessagesSurviveRestart(t *testing.T) {
	for _, store := range apitest.Stores() {
		t.Run(store, func(t *testing.T) {
			opts := apitest.Options{DataDir: t.TempDir()}
			if store == "postgres" {
				opts = apitest.Options{Postgres: apitest.PostgresSchema(t)}
			}
			var gid, cid, tid string
			body := gmText("持久 ✓")
			t.Run("first server", func(t *testing.T) {
				s := apitest.Start(t, opts)
				s.ImportAccounts(t, "o")
				gid = mustCreate(t, s, `{"Type":"Public","Name":"p","Owner_Account":"o"}`)
				cid = topicCommunity(t, s, "")
				tid = topicCreate(t, s, map[string]any{"GroupId": cid, "TopicName": "a"})
				gmSend(t, s, gmMsg(gid, "", "o", body), 0)
				gmSend(t, s, gmMsg(cid, tid, "o", body), 0)
			})
			if t.Failed() {
				return
			}
			s := apitest.Start(t, opts)
			for _, where := range [][2]string{{gid, ""}, {cid, tid}} {
				req := map[string]any{"GroupId": where[0], "ReqMsgNumber": 20}
				if where[1] != "" {
					req["TopicId"] = where[1]
				}
				list, _ := gmHistory(t, s, req)
				if len(list) != 1 || list[0]["MsgSeq"] != 1.0 || !reflect.DeepEqual(list[0]["MsgBody"], gmDecoded(body)) {
					t.Fatalf("after restart %v lists %s", where, topicJS(list))
				}
				if seq := gmSend(t, s, gmMsg(where[0], where[1], "o", gmText("again")), 0)["MsgSeq"]; seq != 2.0 {
					t.Fatalf("after restart %v: MsgSeq %v, want 2", where, seq)
				}
			}
		})
	}
}

func TestGroupMessagesAreEvents(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	s.ImportAccounts(t, "o", "outsider")
	gid := mustCreate(t, s, `{"Type":"Public","Name":"p","Owner_Account":"o"}`)
	cid := topicCommunity(t, s, "")
	a := topicCreate(t, s, map[string]any{"GroupId": cid, "TopicName": "a"})
	events := make(chan event.Event, 64)
	cancel := s.Bus.Subscribe(func(e event.Event) {
		if e.Type == "message.group" {
			events <- e
		}
	})
	defer cancel()
	msg := gmMsg(gid, "", "o", gmText("one"))
	s.Must(t, gs+"send_group_msg", msg)
	s.Must(t, gs+"send_group_msg", msg) // de-duplicated retry: no event
	if r := s.Call(t, gs+"send_group_msg", gmMsg(gid, "", "outsider", gmText("no"))); r.Code() != 10007 {
		t.Fatalf("outsider send: %v, want 10007", r)
	}
	s.Must(t, gs+"send_group_msg", gmMsg(cid, a, "o", gmText("two")))
	for _, w := range []struct{ gid, tid string }{{gid, ""}, {cid, a}} {
		select {
		case e := <-events:
			if e.GroupID != w.gid || e.TopicID != w.tid {
				t.Fatalf("event on %q/%q, want %q/%q", e.GroupID, e.TopicID, w.gid, w.tid)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no message.group event for %s/%s", w.gid, w.tid)
		}
	}
	select {
	case e := <-events:
		t.Fatalf("extra event %+v", e)
	case <-time.After(300 * time.Millisecond):
	}
}
