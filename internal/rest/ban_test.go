package rest_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apitest"
	"github.com/hearth-chat/hearth/internal/hook"
)

// banEvent waits for the next event frame of kind on c about gid,
// skipping other frames.
func banEvent(t *testing.T, c *client.Conn, kind, gid string) client.Frame {
	t.Helper()
	return apitest.NextFrame(t, c, 10*time.Second, kind+" event", func(f client.Frame) bool {
		return f.Type == client.TypeEvent && f.Event == kind && f.GroupID == gid
	})
}

// noMessageOf fails t when c receives a message frame of gid within d.
func noMessageOf(t *testing.T, c *client.Conn, gid string, d time.Duration) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case f, ok := <-c.Frames():
			if !ok {
				return
			}
			if f.Type == client.TypeMessage && f.GroupID == gid {
				t.Fatalf("got message %d of %s after the ban", f.Seq, gid)
			}
		case <-timeout:
			return
		}
	}
}

// messageOf waits for the message frame of gid with seq on c.
func messageOf(t *testing.T, c *client.Conn, gid string, seq uint64) {
	t.Helper()
	apitest.NextFrame(t, c, 10*time.Second, fmt.Sprintf("message %d of %s", seq, gid), func(f client.Frame) bool {
		return f.Type == client.TypeMessage && f.GroupID == gid && f.Seq == seq
	})
}

// banned lists get_group_ban_member page by page with limit and returns
// the accounts in order and each page's length.
func banned(t *testing.T, s *apitest.Server, gid string, limit int) ([]string, []int) {
	t.Helper()
	var ids []string
	var pages []int
	offset := 0
	for range 50 {
		r := s.Must(t, gs+"get_group_ban_member", map[string]any{"GroupId": gid, "Limit": limit, "Offset": offset})
		list := r.List("BannedAccountList")
		pages = append(pages, len(list))
		for _, it := range list {
			m := it.(map[string]any)
			until, ok := m["BannedUntil"].(float64)
			if !ok || int64(until) <= time.Now().Unix() {
				t.Fatalf("BannedUntil %v is not a time to come", m["BannedUntil"])
			}
			ids = append(ids, m["Member_Account"].(string))
		}
		next, ok := r["NextOffset"].(float64)
		if !ok {
			t.Fatalf("NextOffset missing or not a number: %v", r)
		}
		if next == 0 {
			return ids, pages
		}
		offset = int(next)
	}
	t.Fatal("get_group_ban_member never finished")
	return nil, nil
}

// TestBanGroupMember: a banned member is removed (the exit callback, the
// events on its socket), receives the group no more, cannot be added or
// imported back until unbanned or until the ban ends; every documented
// code, the limits at and one over, and nothing changed by a refusal.
func TestBanGroupMember(t *testing.T) {
	rcv := newReceiver(t)
	apitest.ForEachStore(t, hookOpts(rcv, hookToken, []string{hook.AfterMemberExit}, nil), func(t *testing.T, s *apitest.Server) {
		var raiders []string
		for i := range 21 {
			raiders = append(raiders, fmt.Sprintf("r%02d", i))
		}
		s.ImportAccounts(t, append(raiders, "owner", "alice", "bob", "carol")...)
		gid := mustCreate(t, s, `{"Type":"Public","Name":"g","Owner_Account":"owner","MemberList":`+memberList(append([]string{"alice", "bob", "carol"}, raiders[:18]...)...)+`}`)
		av := mustCreate(t, s, `{"Type":"AVChatRoom","Name":"live"}`)
		alice, bob := dialReader(t, s, "alice"), dialReader(t, s, "bob")
		g := func(kv ...any) map[string]any {
			m := map[string]any{"GroupId": gid}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		}
		twenty := append([]string{"bob", "carol"}, raiders[:18]...)
		for _, c := range []gmCase{
			{"no Duration", g("Members_Account", []string{"bob"}), 10004},
			{"Duration 0", g("Members_Account", []string{"bob"}, "Duration", 0), 10004},
			{"Duration over 32 bits", g("Members_Account", []string{"bob"}, "Duration", int64(4294967296)), 10004},
			{"Duration negative", g("Members_Account", []string{"bob"}, "Duration", -1), 10004},
			{"Duration a string", g("Members_Account", []string{"bob"}, "Duration", "60"), 10004},
			{"Description 1001 bytes", g("Members_Account", []string{"bob"}, "Duration", 60, "Description", strings.Repeat("é", 500)+"x"), 10004},
			{"no accounts", g("Members_Account", []string{}, "Duration", 60), 10004},
			{"an account twice", g("Members_Account", []string{"bob", "bob"}, "Duration", 60), 10004},
			{"21 accounts", g("Members_Account", raiders, "Duration", 60), 10005},
			{"the owner", g("Members_Account", []string{"bob", "owner"}, "Duration", 60), 10007},
			{"not an account", g("Members_Account", []string{"bob", "ghost"}, "Duration", 60), 10019},
			{"missing group", map[string]any{"GroupId": "@TGS#nope", "Members_Account": []string{"bob"}, "Duration": 60}, 10010},
			{"no group", map[string]any{"Members_Account": []string{"bob"}, "Duration": 60}, 10004},
		} {
			t.Run("ban/"+c.name, func(t *testing.T) {
				if r := s.Call(t, gs+"ban_group_member", c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
				if n := memberNum(t, s, gid); n != 22 {
					t.Fatalf("a refused ban changed MemberNum to %d", n)
				}
				if ids, _ := banned(t, s, gid, 100); len(ids) != 0 {
					t.Fatalf("a refused ban banned %v", ids)
				}
			})
		}

		// Twenty at once (the limit), with a Description of 1000 bytes.
		desc := strings.Repeat("é", 500)
		s.Must(t, gs+"ban_group_member", g("Members_Account", twenty, "Duration", 3600, "Description", desc))
		if n := memberNum(t, s, gid); n != 2 {
			t.Fatalf("MemberNum after the ban %d, want 2 (owner and alice)", n)
		}
		f := banEvent(t, bob, "group.members_banned", gid)
		var d struct {
			Users       []string
			Until       int64
			Description string
		}
		if err := json.Unmarshal(f.Data, &d); err != nil || !slices.Contains(d.Users, "bob") || d.Description != desc || d.Until < time.Now().Unix()+3590 {
			t.Fatalf("members_banned data %s (%v)", f.Data, err)
		}
		banEvent(t, bob, "group.members_removed", gid)
		banEvent(t, alice, "group.members_removed", gid)

		// bob's socket hears the group no more; alice's does.
		r := s.Must(t, gs+"send_group_msg", gmMsg(gid, "", "alice", gmText("after the ban")))
		messageOf(t, alice, gid, uint64(r["MsgSeq"].(float64)))
		noMessageOf(t, bob, gid, 300*time.Millisecond)
		if r := s.Call(t, gs+"send_group_msg", gmMsg(gid, "", "bob", gmText("let me in"))); r.Code() != 10007 {
			t.Fatalf("a banned user sent: %v", r)
		}

		// The exit callback names the removed members, through the outbox.
		rcv.wait(t, "the exit callback", func() bool {
			for _, h := range rcv.of(hook.AfterMemberExit) {
				if h.Body["GroupId"] == gid && h.Body["ExitType"] == "Kicked" && len(h.Body["ExitMemberList"].([]any)) == 20 {
					return true
				}
			}
			return false
		})

		// Not back while banned, through either API; nothing is added.
		for _, api := range []string{"add_group_member", "import_group_member"} {
			if r := s.Call(t, gs+api, `{"GroupId":"`+gid+`","MemberList":`+memberList("r20", "bob")+`}`); r.Code() != 10007 {
				t.Fatalf("%s of a banned user: %v", api, r)
			}
			if n := memberNum(t, s, gid); n != 2 {
				t.Fatalf("%s of a banned user changed MemberNum to %d", api, n)
			}
		}

		// The list, in pages: at the limit, one over, and paged by 7.
		if r := s.Call(t, gs+"get_group_ban_member", g("Limit", 101, "Offset", 0)); r.Code() != 10004 {
			t.Fatalf("Limit 101: %v", r)
		}
		if r := s.Call(t, gs+"get_group_ban_member", g("Limit", 10, "Offset", -1)); r.Code() != 10004 {
			t.Fatalf("Offset -1: %v", r)
		}
		if r := s.Call(t, gs+"get_group_ban_member", map[string]any{"GroupId": "@TGS#nope", "Limit": 10}); r.Code() != 10010 {
			t.Fatalf("missing group: %v", r)
		}
		all, pages := banned(t, s, gid, 100)
		sorted := slices.Sorted(slices.Values(twenty))
		if !slices.Equal(all, sorted) || !slices.Equal(pages, []int{20}) {
			t.Fatalf("bans %v in pages %v, want %v", all, pages, sorted)
		}
		if ids, pages := banned(t, s, gid, 7); !slices.Equal(ids, sorted) || !slices.Equal(pages, []int{7, 7, 6}) {
			t.Fatalf("bans by 7: %v in pages %v", ids, pages)
		}

		// Unban: the limits, then bob is lifted, and can be added again.
		for _, c := range []gmCase{
			{"21 accounts", g("Members_Account", raiders), 10005},
			{"no accounts", g("Members_Account", []string{}), 10004},
			{"missing group", map[string]any{"GroupId": "@TGS#nope", "Members_Account": []string{"bob"}}, 10010},
		} {
			t.Run("unban/"+c.name, func(t *testing.T) {
				if r := s.Call(t, gs+"unban_group_member", c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
		s.Must(t, gs+"unban_group_member", g("Members_Account", []string{"bob", "alice"}))
		banEvent(t, bob, "group.members_unbanned", gid)
		if ids, _ := banned(t, s, gid, 100); len(ids) != 19 || slices.Contains(ids, "bob") {
			t.Fatalf("bans after unbanning bob: %v", ids)
		}
		r = s.Must(t, gs+"add_group_member", `{"GroupId":"`+gid+`","MemberList":`+memberList("bob")+`}`)
		if b, _ := json.Marshal(r["MemberList"]); string(b) != `[{"Member_Account":"bob","Result":1}]` {
			t.Fatalf("re-add after unban: %s", b)
		}

		// A ban ends by itself: a one-second ban of alice.
		s.Must(t, gs+"ban_group_member", g("Members_Account", []string{"alice"}, "Duration", 1))
		if r := s.Call(t, gs+"add_group_member", `{"GroupId":"`+gid+`","MemberList":`+memberList("alice")+`}`); r.Code() != 10007 {
			t.Fatalf("re-add during a one-second ban: %v", r)
		}
		time.Sleep(2100 * time.Millisecond)
		if ids, _ := banned(t, s, gid, 100); slices.Contains(ids, "alice") {
			t.Fatalf("an ended ban is listed: %v", ids)
		}
		s.Must(t, gs+"import_group_member", `{"GroupId":"`+gid+`","MemberList":`+memberList("alice")+`}`)

		// Any group type bans; an AVChatRoom ban of a non-member holds.
		s.Must(t, gs+"ban_group_member", map[string]any{"GroupId": av, "Members_Account": []string{"carol"}, "Duration": 60})
		if ids, _ := banned(t, s, av, 10); !slices.Equal(ids, []string{"carol"}) {
			t.Fatalf("AVChatRoom bans %v", ids)
		}
	})
}

// TestDeleteGroupMsgBySender: every message of one sender in a community
// and its topics is gone from history and from sync, the members' sockets
// hear which; with TopicId only that topic's; the documented codes.
func TestDeleteGroupMsgBySender(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "owner", "raider", "bob")
		gid := s.Must(t, gs+"create_group", map[string]any{"Type": "Community", "Name": "c", "SupportTopic": 1, "Owner_Account": "owner",
			"MemberList": []any{map[string]any{"Member_Account": "raider"}, map[string]any{"Member_Account": "bob"}}})["GroupId"].(string)
		tid := s.Must(t, "million_group_open_http_svc/create_topic", map[string]any{"GroupId": gid, "TopicName": "t1"})["TopicId"].(string)
		tid2 := s.Must(t, "million_group_open_http_svc/create_topic", map[string]any{"GroupId": gid, "TopicName": "t2"})["TopicId"].(string)
		pub := mustCreate(t, s, `{"Type":"Public","Name":"p","Owner_Account":"owner","MemberList":`+memberList("raider")+`}`)
		av := mustCreate(t, s, `{"Type":"AVChatRoom","Name":"live"}`)
		for _, m := range []struct{ tid, from string }{
			{"", "raider"}, {"", "bob"}, {"", "raider"}, {tid, "raider"}, {tid, "bob"}, {tid, "raider"}, {tid2, "raider"}, {tid2, "bob"},
		} {
			gmSend(t, s, gmMsg(gid, m.tid, m.from, gmText(m.from)), 0)
		}
		gmSend(t, s, gmMsg(pub, "", "raider", gmText("p")), 0)
		bob := dialReader(t, s, "bob")

		g := func(kv ...any) map[string]any {
			m := map[string]any{"GroupId": gid}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		}
		for _, c := range []gmCase{
			{"no Sender_Account", g(), 10004},
			{"a bad Sender_Account", g("Sender_Account", strings.Repeat("x", 49)), 10004},
			{"missing group", map[string]any{"GroupId": "@TGS#nope", "Sender_Account": "raider"}, 10010},
			{"a topic of a group without topics", map[string]any{"GroupId": pub, "TopicId": tid, "Sender_Account": "raider"}, 11000},
			{"an AVChatRoom: nothing stored, no error", map[string]any{"GroupId": av, "Sender_Account": "raider"}, 0},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, gs+"delete_group_msg_by_sender", c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
				if h := gmHist(t, s, map[string]any{"GroupId": gid, "ReqMsgNumber": 20}); len(h) != 3 {
					t.Fatalf("a refused delete changed history: %v", h)
				}
			})
		}

		// Only the topic named.
		s.Must(t, gs+"delete_group_msg_by_sender", g("TopicId", tid2, "Sender_Account", "raider"))
		f := banEvent(t, bob, "message.sender_deleted", gid)
		if f.TopicID != tid2 || string(f.Data) != `{"Sender":"raider","Seqs":[1]}` {
			t.Fatalf("event %+v %s", f, f.Data)
		}
		if h := gmHist(t, s, map[string]any{"GroupId": gid, "TopicId": tid2, "ReqMsgNumber": 20}); !slices.Equal(h, []int{2}) {
			t.Fatalf("topic t2 history %v, want [2]", h)
		}
		if h := gmHist(t, s, map[string]any{"GroupId": gid, "TopicId": tid, "ReqMsgNumber": 20}); len(h) != 3 {
			t.Fatalf("topic t1 history %v: another topic was touched", h)
		}

		// The group and all its topics.
		s.Must(t, gs+"delete_group_msg_by_sender", g("Sender_Account", "raider"))
		got := map[string]string{}
		for range 2 {
			f := banEvent(t, bob, "message.sender_deleted", gid)
			got[f.TopicID] = string(f.Data)
		}
		if got[""] != `{"Sender":"raider","Seqs":[1,3]}` || got[tid] != `{"Sender":"raider","Seqs":[1,3]}` {
			t.Fatalf("events %v", got)
		}
		for _, st := range []string{"", tid, tid2} {
			body := map[string]any{"GroupId": gid, "ReqMsgNumber": 20}
			if st != "" {
				body["TopicId"] = st
			}
			list, fin := gmHistory(t, s, body)
			if len(list) != 1 || list[0]["From_Account"] != "bob" || fin != 1 {
				t.Fatalf("history of stream %q after the delete: %v (finished %d)", st, list, fin)
			}
			// Asked with the recalled ones, they are placeholders without content.
			body["WithRecalledMsg"] = 1
			list, _ = gmHistory(t, s, body)
			for _, m := range list {
				if m["From_Account"] == "raider" {
					if b, _ := json.Marshal(m["MsgBody"]); m["IsPlaceMsg"] != float64(2) || string(b) != "[]" || m["CloudCustomData"] != nil {
						t.Fatalf("a wiped message in history: %v", m)
					}
				}
			}
		}
		if h := gmHist(t, s, map[string]any{"GroupId": pub, "ReqMsgNumber": 20}); len(h) != 1 {
			t.Fatalf("another group was touched: %v", h)
		}
		// Sync from the start replays bob's messages; the raider's are
		// recalled placeholders without content (the seqs stay gapless).
		if err := bob.Sync(readCtx(t), []client.Stream{{GroupID: gid}, {GroupID: gid, TopicID: tid}}); err != nil {
			t.Fatal(err)
		}
		var replay []string
		for len(replay) < 6 {
			select {
			case f := <-bob.Frames():
				if f.Type != client.TypeMessage || f.GroupID != gid {
					continue
				}
				if f.From == "raider" && (!f.Recalled || (len(f.MsgBody) != 0 && string(f.MsgBody) != "[]")) {
					t.Fatalf("sync replayed the raider's message %d: recalled %v, body %s", f.Seq, f.Recalled, f.MsgBody)
				}
				replay = append(replay, fmt.Sprintf("%s%d%s", f.TopicID, f.Seq, f.From))
			case <-time.After(10 * time.Second):
				t.Fatalf("sync gave %v", replay)
			}
		}
		if want := []string{"1raider", "2bob", "3raider", tid + "1raider", tid + "2bob", tid + "3raider"}; !slices.Equal(replay, want) {
			t.Fatalf("sync replayed %v, want %v", replay, want)
		}
		// Again: nothing left to delete, still OK.
		s.Must(t, gs+"delete_group_msg_by_sender", g("Sender_Account", "raider"))
	})
}

// TestSpecifiedGroupMemberInfo: the profiles of named members in the order
// asked (non-members left out), the filters, the limit at and one over.
func TestSpecifiedGroupMemberInfo(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		var many []string
		for i := range 51 {
			many = append(many, fmt.Sprintf("m%02d", i))
		}
		s.ImportAccounts(t, append(many, "owner", "alice")...)
		gid := mustCreate(t, s, `{"Type":"Public","Name":"g","Owner_Account":"owner","MemberList":`+memberList(append([]string{"alice"}, many[:40]...)...)+`}`)
		s.Must(t, gs+"modify_group_member_info", map[string]any{"GroupId": gid, "Member_Account": "alice", "NameCard": "Al",
			"AppMemberDefinedData": []any{map[string]any{"Key": "k", "Value": "v"}}})
		av := mustCreate(t, s, `{"Type":"AVChatRoom","Name":"live"}`)

		r := s.Must(t, gs+"get_specified_group_member_info", map[string]any{"GroupId": gid, "Member_List_Account": []string{"alice", "ghost", "m45", "owner"}})
		list := r.List("MemberList")
		if len(list) != 2 {
			t.Fatalf("MemberList %v, want alice and owner", list)
		}
		a, o := list[0].(map[string]any), list[1].(map[string]any)
		if a["Member_Account"] != "alice" || a["Role"] != "Member" || a["NameCard"] != "Al" || o["Member_Account"] != "owner" || o["Role"] != "Owner" {
			t.Fatalf("members %v", list)
		}
		for _, k := range []string{"JoinTime", "MsgSeq", "LastSendMsgTime", "ShutUpUntil"} {
			if _, ok := a[k].(float64); !ok {
				t.Fatalf("%s is %T, want a number", k, a[k])
			}
		}
		r = s.Must(t, gs+"get_specified_group_member_info", map[string]any{"GroupId": gid, "Member_List_Account": []string{"alice"},
			"MemberInfoFilter": []string{"Role"}, "AppDefinedDataFilter_GroupMember": []string{"k"}})
		if b, _ := json.Marshal(r.List("MemberList")); string(b) != `[{"AppMemberDefinedData":[{"Key":"k","Value":"v"}],"Member_Account":"alice","Role":"Member"}]` {
			t.Fatalf("filtered %s", b)
		}
		if r := s.Must(t, gs+"get_specified_group_member_info", map[string]any{"GroupId": gid, "Member_List_Account": many[:50]}); len(r.List("MemberList")) != 40 {
			t.Fatalf("50 named: %d members", len(r.List("MemberList")))
		}
		gmCodes(t, s, gs+"get_specified_group_member_info", []gmCase{
			{"51 named", map[string]any{"GroupId": gid, "Member_List_Account": many}, 10005},
			{"none named", map[string]any{"GroupId": gid, "Member_List_Account": []string{}}, 10004},
			{"an account twice", map[string]any{"GroupId": gid, "Member_List_Account": []string{"alice", "alice"}}, 10004},
			{"AVChatRoom", map[string]any{"GroupId": av, "Member_List_Account": []string{"alice"}}, 10007},
			{"missing group", map[string]any{"GroupId": "@TGS#nope", "Member_List_Account": []string{"alice"}}, 10010},
		})
	})
}
