package rest_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/hearth-chat/hearth/internal/apitest"
)

// TestEditCallbacks: every edit (REST and socket, group, topic and
// one-to-one) sends its after-callback through the outbox with the hosted
// body; a member's socket recall names the member as Operator_Account;
// each callback has its own switch.
func TestEditCallbacks(t *testing.T) {
	eachStore(t, func(t *testing.T, pg string) {
		r, s := startHooked(t, pg, "o", "a", "b")
		gid := mustCreate(t, s, `{"Type":"Community","Name":"c","SupportTopic":1,"Owner_Account":"o","MemberList":[{"Member_Account":"a"},{"Member_Account":"b"}]}`)
		tid := s.Must(t, "million_group_open_http_svc/create_topic", map[string]any{"GroupId": gid, "TopicName": "t"})["TopicId"].(string)
		seq := edSend(t, s, gid, tid, "a", "hi")
		own := edSend(t, s, gid, "", "a", "own")
		s.Must(t, "openim/modify_group_msg", map[string]any{"GroupId": gid, "TopicId": tid, "MsgSeq": seq, "MsgBody": json.RawMessage(edBody("by admin"))})
		a := dialReader(t, s, "a")
		ctx := readCtx(t)
		if _, err := a.Edit(ctx, gid, "", uint64(own), json.RawMessage(edBody("by a"))); err != nil {
			t.Fatal(err)
		}
		key := s.Must(t, "openim/sendmsg", map[string]any{"From_Account": "a", "To_Account": "b", "MsgRandom": 77, "MsgBody": json.RawMessage(edBody("to b"))})["MsgKey"].(string)
		s.Must(t, "openim/modify_c2c_msg", map[string]any{"From_Account": "a", "To_Account": "b", "MsgKey": key, "CloudCustomData": "ccd"})
		if _, err := a.EditC2C(ctx, "b", key, json.RawMessage(edBody("to b, by a"))); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Recall(ctx, gid, "", uint64(own)); err != nil {
			t.Fatal(err)
		}

		body := func(text string) []any {
			var v []any
			_ = json.Unmarshal([]byte(edBody(text)), &v)
			return v
		}
		r.wait(t, "two group and two one-to-one edit callbacks", func() bool {
			return len(r.of("Group.CallbackAfterModifyMsg")) == 2 && len(r.of("C2C.CallbackAfterModifyMsg")) == 2 &&
				len(r.of("Group.CallbackAfterRecallMsg")) == 1
		})
		// The outbox does not promise an order across callbacks: tell them
		// apart by who made the edit.
		byOperator := func(command string) map[string]map[string]any {
			out := map[string]map[string]any{}
			for _, c := range r.of(command) {
				op, _ := c.Body["Operator_Account"].(string)
				out[op] = c.Body
			}
			return out
		}
		groups, c2cs := byOperator("Group.CallbackAfterModifyMsg"), byOperator("C2C.CallbackAfterModifyMsg")
		for _, tc := range []struct {
			name string
			got  map[string]any
			want map[string]any
		}{
			{"REST topic edit", groups[apitest.Admin], map[string]any{"CallbackCommand": "Group.CallbackAfterModifyMsg", "GroupId": gid, "TopicId": tid,
				"Operator_Account": apitest.Admin, "MsgSeq": float64(seq), "MsgBody": body("by admin")}},
			{"member's socket edit", groups["a"], map[string]any{"CallbackCommand": "Group.CallbackAfterModifyMsg", "GroupId": gid, "TopicId": "",
				"Operator_Account": "a", "MsgSeq": float64(own), "MsgBody": body("by a")}},
			{"REST one-to-one edit", c2cs[apitest.Admin], map[string]any{"CallbackCommand": "C2C.CallbackAfterModifyMsg", "Operator_Account": apitest.Admin,
				"From_Account": "a", "To_Account": "b", "MsgRandom": 77.0, "MsgKey": key, "MsgBody": body("to b"), "CloudCustomData": "ccd"}},
			{"sender's socket edit", c2cs["a"], map[string]any{"CallbackCommand": "C2C.CallbackAfterModifyMsg", "Operator_Account": "a",
				"From_Account": "a", "To_Account": "b", "MsgRandom": 77.0, "MsgKey": key, "MsgBody": body("to b, by a"), "CloudCustomData": "ccd"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for k, v := range tc.want {
					if !reflect.DeepEqual(tc.got[k], v) {
						t.Errorf("%s = %v, want %v (body %v)", k, tc.got[k], v, tc.got)
					}
				}
				if _, ok := tc.got["EventTime"].(float64); !ok {
					t.Errorf("no EventTime: %v", tc.got)
				}
				if tc.got["CallbackCommand"] == "C2C.CallbackAfterModifyMsg" {
					for _, k := range []string{"MsgSeq", "MsgTime"} {
						if _, ok := tc.got[k].(float64); !ok {
							t.Errorf("%s is not a number: %v", k, tc.got)
						}
					}
				}
			})
		}
		for _, h := range append(r.of("Group.CallbackAfterModifyMsg"), r.of("C2C.CallbackAfterModifyMsg")...) {
			if h.Query.Get("Sign") == "" || h.EventID == "" {
				t.Errorf("callback %v without Sign or event ID", h.Query)
			}
		}
		if rc := r.of("Group.CallbackAfterRecallMsg")[0].Body; rc["Operator_Account"] != "a" || rc["GroupId"] != gid {
			t.Errorf("socket recall callback %v", rc)
		}
	})
}

// TestEditCallbackSwitches: with only the group edit callback on, a
// one-to-one edit sends none; with neither on, no edit callback is sent.
func TestEditCallbackSwitches(t *testing.T) {
	eachStore(t, func(t *testing.T, pg string) {
		for _, tc := range []struct {
			name            string
			enabled         []string
			wantGroup, want int
		}{
			{"group only", []string{"Group.CallbackAfterModifyMsg", "Group.CallbackAfterSendMsg"}, 1, 0},
			{"one-to-one only", []string{"C2C.CallbackAfterModifyMsg", "Group.CallbackAfterSendMsg"}, 0, 1},
			{"neither", []string{"Group.CallbackAfterSendMsg"}, 0, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := newReceiver(t)
				s := apitest.Start(t, withStore(pg, hookOpts(r, "", tc.enabled, nil)))
				s.ImportAccounts(t, "o", "a", "b")
				gid := mustCreate(t, s, `{"Type":"Public","Name":"g","Owner_Account":"o","MemberList":[{"Member_Account":"a"}]}`)
				seq := edSend(t, s, gid, "", "a", "hi")
				key := s.Must(t, "openim/sendmsg", map[string]any{"From_Account": "a", "To_Account": "b", "MsgRandom": 1, "MsgBody": json.RawMessage(edBody("x"))})["MsgKey"].(string)
				s.Must(t, "openim/modify_group_msg", map[string]any{"GroupId": gid, "MsgSeq": seq, "CloudCustomData": "x"})
				s.Must(t, "openim/modify_c2c_msg", map[string]any{"From_Account": "a", "To_Account": "b", "MsgKey": key, "CloudCustomData": "x"})
				edSend(t, s, gid, "", "a", "barrier") // queued after the edits' callbacks
				r.wait(t, "the barrier's callback", func() bool { return len(r.of("Group.CallbackAfterSendMsg")) == 2 })
				r.wait(t, "the edit callbacks switched on", func() bool {
					return len(r.of("Group.CallbackAfterModifyMsg")) >= tc.wantGroup && len(r.of("C2C.CallbackAfterModifyMsg")) >= tc.want
				})
				if g, c := len(r.of("Group.CallbackAfterModifyMsg")), len(r.of("C2C.CallbackAfterModifyMsg")); g != tc.wantGroup || c != tc.want {
					t.Errorf("group edit callbacks %d, one-to-one %d; want %d, %d", g, c, tc.wantGroup, tc.want)
				}
			})
		}
	})
}
