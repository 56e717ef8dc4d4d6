package rest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apitest"
)

// End-to-end tests of online status: openim/query_online_status, the
// State.StateChange callback and the WebSocket presence frames, against a
// real server on each store.

const queryOnline = "openim/query_online_status"

func wsOf(s *apitest.Server) string { return "ws" + strings.TrimPrefix(s.URL, "http") + "/v1/ws" }

func dialAs(t *testing.T, s *apitest.Server, user, platform string) *client.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.DialPlatform(ctx, wsOf(s), apitest.SDKAppID, user, apitest.Sig(t, user), platform)
	if err != nil {
		t.Fatalf("dial as %s (%s): %v", user, platform, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// onlineAnswer is query_online_status's answer.
type onlineAnswer struct {
	ErrorCode   int
	QueryResult []struct {
		Account string `json:"To_Account"`
		Status  string
		Detail  []struct{ Platform, Status string }
	}
	ErrorList []struct {
		Account   string `json:"To_Account"`
		ErrorCode int
	}
	raw apitest.Resp
}

func queryOnlineStatus(t *testing.T, s *apitest.Server, body any) onlineAnswer {
	t.Helper()
	r := s.Call(t, queryOnline, body)
	b, _ := json.Marshal(r)
	var a onlineAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("%s answered %s: %v", queryOnline, b, err)
	}
	a.raw = r
	return a
}

// statuses maps each QueryResult account to its Status and its Detail as
// "Platform:Status" in order.
func (a onlineAnswer) statuses() map[string]string {
	out := map[string]string{}
	for _, r := range a.QueryResult {
		v := r.Status
		for _, d := range r.Detail {
			v += " " + d.Platform + ":" + d.Status
		}
		out[r.Account] = v
	}
	return out
}

func TestQueryOnlineStatus(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "on1", "on2", "off1")
		dialAs(t, s, "on1", "iPhone")
		dialAs(t, s, "on1", "web") // case does not matter
		dialAs(t, s, "on2", "")    // no platform: Unknown
		dialAs(t, s, "on2", "PC")

		many := make([]string, 501)
		for i := range many {
			many[i] = fmt.Sprintf("u%d", i)
		}
		cases := []struct {
			name      string
			body      any
			code      int
			statuses  map[string]string
			errorList map[string]int
		}{
			{"without detail", map[string]any{"To_Account": []string{"on1", "off1", "on2"}}, 0,
				map[string]string{"on1": "Online", "on2": "Online", "off1": "Offline"}, map[string]int{}},
			{"IsNeedDetail 0", map[string]any{"IsNeedDetail": 0, "To_Account": []string{"on1"}}, 0,
				map[string]string{"on1": "Online"}, map[string]int{}},
			{"IsNeedDetail 1: one Detail per platform, Windows as PC", map[string]any{"IsNeedDetail": 1, "IsReturnInstid": 1, "To_Account": []string{"on1", "on2", "off1"}}, 0,
				map[string]string{"on1": "Online Web:Online iPhone:Online", "on2": "Online PC:Online Unknown:Online", "off1": "Offline"}, map[string]int{}},
			{"unknown and malformed accounts go to ErrorList", map[string]any{"To_Account": []string{"on1", "nobody", strings.Repeat("x", 33)}}, 0,
				map[string]string{"on1": "Online"}, map[string]int{"nobody": 70107, strings.Repeat("x", 33): 70402}},
			{"an account asked twice is answered once", map[string]any{"To_Account": []string{"off1", "off1"}}, 0,
				map[string]string{"off1": "Offline"}, map[string]int{}},
			{"integer UserIDs are read as their text", map[string]any{"To_Account": []any{12345}}, 0,
				map[string]string{}, map[string]int{"12345": 70107}},
			{"no To_Account", map[string]any{}, 70402, nil, nil},
			{"empty To_Account", map[string]any{"To_Account": []string{}}, 70402, nil, nil},
			{"501 accounts", map[string]any{"To_Account": many}, 70402, nil, nil},
			{"To_Account not an array", map[string]any{"To_Account": "on1"}, 90001, nil, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				a := queryOnlineStatus(t, s, c.body)
				if a.ErrorCode != c.code {
					t.Fatalf("ErrorCode %d (%v), want %d", a.ErrorCode, a.raw["ErrorInfo"], c.code)
				}
				if c.code != 0 {
					return
				}
				if got := a.statuses(); fmt.Sprint(got) != fmt.Sprint(c.statuses) {
					t.Fatalf("statuses %v, want %v", got, c.statuses)
				}
				if _, ok := a.raw["ErrorList"].([]any); !ok {
					t.Fatalf("ErrorList is %T, want an array (empty when every account answered)", a.raw["ErrorList"])
				}
				got := map[string]int{}
				for _, e := range a.ErrorList {
					got[e.Account] = e.ErrorCode
				}
				if fmt.Sprint(got) != fmt.Sprint(c.errorList) {
					t.Fatalf("ErrorList %v, want %v", got, c.errorList)
				}
				for _, r := range a.QueryResult {
					if r.Status == "PushOnline" {
						t.Fatalf("%s is PushOnline: Hearth has no offline push", r.Account)
					}
				}
			})
		}

		t.Run("offline after the last session closes", func(t *testing.T) {
			s.ImportAccounts(t, "brief")
			c := dialAs(t, s, "brief", "Android")
			if got := queryOnlineStatus(t, s, map[string]any{"To_Account": []string{"brief"}}).statuses()["brief"]; got != "Online" {
				t.Fatalf("while connected: %q", got)
			}
			c.Close()
			waitFor(t, "brief to go offline", func() bool {
				return queryOnlineStatus(t, s, map[string]any{"To_Account": []string{"brief"}}).statuses()["brief"] == "Offline"
			})
		})
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestLoginPlatformIsChecked(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := client.DialPlatform(ctx, wsOf(s), apitest.SDKAppID, "p1", apitest.Sig(t, "p1"), "Symbian")
	var e *client.Error
	if !errors.As(err, &e) || e.Code != 70402 || !strings.Contains(e.Info, "iPhone") {
		t.Fatalf("login with platform Symbian: %v; want error 70402 listing the platforms", err)
	}
}

// TestStateChangeOncePerTransition: the app hears Login when a user's
// first connection opens and Logout or Disconnect (with the hosted
// reasons) when its last one closes, once each, however many connections
// it has between.
func TestStateChangeOncePerTransition(t *testing.T) {
	const cmd = "State.StateChange"
	r := newReceiver(t)
	apitest.ForEachStore(t, hookOpts(r, hookToken, nil, nil), func(t *testing.T, s *apitest.Server) {
		user := "sc-" + t.Name()[strings.LastIndex(t.Name(), "/")+1:] // one per store: the receiver is shared
		s.ImportAccounts(t, user)
		mine := func() []hookReq {
			var out []hookReq
			for _, h := range r.of(cmd) {
				if info, _ := h.Body["Info"].(map[string]any); info["To_Account"] == user {
					out = append(out, h)
				}
			}
			return out
		}
		// want checks the user's callbacks so far: "Action/Reason" each.
		want := func(t *testing.T, list ...string) {
			t.Helper()
			waitFor(t, fmt.Sprintf("%d StateChange callbacks", len(list)), func() bool { return len(mine()) >= len(list) })
			time.Sleep(300 * time.Millisecond) // a repeat would be queued by now
			got := mine()
			var have []string
			for _, h := range got {
				info := h.Body["Info"].(map[string]any)
				have = append(have, fmt.Sprint(info["Action"], "/", info["Reason"]))
			}
			if !slices.Equal(have, list) {
				t.Fatalf("StateChange callbacks %v, want %v", have, list)
			}
			last := got[len(got)-1]
			if et, _ := last.Body["EventTime"].(float64); et < float64(time.Now().Add(-time.Minute).UnixMilli()) {
				t.Fatalf("EventTime %v is not the unix ms of the change", last.Body["EventTime"])
			}
			if last.Body["CallbackCommand"] != cmd || last.Query.Get("SdkAppid") != fmt.Sprint(apitest.SDKAppID) || last.Query.Get("ClientIP") == "" {
				t.Fatalf("callback %v ?%v: want the command, SdkAppid and ClientIP", last.Body, last.Query)
			}
		}

		first := dialAs(t, s, user, "iPhone")
		second := dialAs(t, s, user, "Web")
		third := dialAs(t, s, user, "Web")
		want(t, "Login/Register")
		if q := mine()[0].Query.Get("OptPlatform"); q != "IOS" {
			t.Fatalf("OptPlatform %q, want IOS (the first connection's iPhone as StateChange spells it)", q)
		}
		second.Close()
		first.Close()
		want(t, "Login/Register")
		third.Close() // a normal close (1000) of the last connection
		want(t, "Login/Register", "Logout/Unregister")

		// The last connection lost without a close frame.
		raw, _, err := websocket.DefaultDialer.Dial(wsOf(s), nil)
		if err != nil {
			t.Fatal(err)
		}
		login, _ := json.Marshal(client.Frame{Type: client.TypeLogin, ID: "1", SDKAppID: apitest.SDKAppID, Identifier: user, UserSig: apitest.Sig(t, user), Platform: "Android"})
		if err := raw.WriteMessage(websocket.TextMessage, login); err != nil {
			t.Fatal(err)
		}
		if _, m, err := raw.ReadMessage(); err != nil || !strings.Contains(string(m), client.TypeLoginOK) {
			t.Fatalf("raw login: %s, %v", m, err)
		}
		want(t, "Login/Register", "Logout/Unregister", "Login/Register")
		raw.NetConn().(*net.TCPConn).SetLinger(0)
		raw.NetConn().Close()
		want(t, "Login/Register", "Logout/Unregister", "Login/Register", "Disconnect/LinkClose")

		// Kicked: the session ends as a logout.
		dialAs(t, s, user, "Mac")
		want(t, "Login/Register", "Logout/Unregister", "Login/Register", "Disconnect/LinkClose", "Login/Register")
		s.Must(t, "im_open_login_svc/kick", map[string]any{"UserID": user})
		want(t, "Login/Register", "Logout/Unregister", "Login/Register", "Disconnect/LinkClose", "Login/Register", "Logout/Unregister")
	})
}

// TestStateChangeSwitch: naming other callbacks in --callbacks leaves
// State.StateChange off.
func TestStateChangeSwitch(t *testing.T) {
	r := newReceiver(t)
	s := apitest.Start(t, hookOpts(r, "", []string{"C2C.CallbackAfterSendMsg"}, nil))
	s.ImportAccounts(t, "quiet", "peer")
	dialAs(t, s, "quiet", "Web").Close()
	s.Must(t, "openim/sendmsg", `{"From_Account":"quiet","To_Account":"peer","MsgRandom":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`)
	r.wait(t, "C2C.CallbackAfterSendMsg", func() bool { return len(r.of("C2C.CallbackAfterSendMsg")) == 1 })
	if n := len(r.of("State.StateChange")); n != 0 {
		t.Fatalf("%d StateChange callbacks with the switch off", n)
	}
}

// TestPresenceFrames: a member pages through a group's online members; a
// non-member is refused as for sync; subscriptions are bounded, and their
// updates coalesced into one frame per flush.
func TestPresenceFrames(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		members := make([]string, 205)
		for i := range members {
			members[i] = fmt.Sprintf("pm%03d", i)
		}
		s.ImportAccounts(t, append([]string{"powner", "outsider", "watched"}, members...)...)
		list := make([]map[string]any, len(members))
		for i, m := range members {
			list[i] = map[string]any{"Member_Account": m}
		}
		gid, _ := s.Must(t, "group_open_http_svc/create_group", map[string]any{"Type": "Community", "Name": "presence",
			"Owner_Account": "powner", "MemberList": list[:100]})["GroupId"].(string)
		for i := 100; i < len(list); i += 100 {
			s.Must(t, "group_open_http_svc/add_group_member", map[string]any{"GroupId": gid, "MemberList": list[i:min(i+100, len(list))]})
		}
		small, _ := s.Must(t, "group_open_http_svc/create_group", map[string]any{"Type": "Public", "Name": "small",
			"Owner_Account": "powner", "MemberList": []map[string]any{{"Member_Account": "pm000"}, {"Member_Account": "watched"}}})["GroupId"].(string)
		asker := dialAs(t, s, "pm000", "Web")
		dialAs(t, s, "pm150", "Android")
		dialAs(t, s, "pm204", "iPhone")
		outsider := dialAs(t, s, "outsider", "")

		t.Run("a member pages through the online members", func(t *testing.T) {
			var got []string
			cursor, pages := "", 0
			for {
				st, next, err := asker.GroupPresence(ctx, gid, cursor)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, p := range st {
					if p.Status != "Online" {
						t.Fatalf("%+v listed: a presence page lists online members only", p)
					}
					got = append(got, p.User+":"+strings.Join(p.Platforms, ","))
				}
				if next == "" {
					break
				}
				cursor = next
			}
			if want := []string{"pm000:Web", "pm150:Android", "pm204:iPhone"}; !slices.Equal(got, want) || pages != 2 {
				t.Fatalf("%d pages listing %v; want 2 pages (%d members, 200 a page) listing %v", pages, got, len(members)+1, want)
			}
			st, next, err := asker.GroupPresence(ctx, small, "")
			if err != nil || next != "" || len(st) != 1 || st[0].User != "pm000" {
				t.Fatalf("a Public group's page: %+v, cursor %q, %v", st, next, err)
			}
		})

		for _, c := range []struct {
			name string
			conn *client.Conn
			f    func(*client.Conn) error
			code int
		}{
			{"a non-member may not ask", outsider, func(c *client.Conn) error { _, _, err := c.GroupPresence(ctx, gid, ""); return err }, 10007},
			{"an unknown group", asker, func(c *client.Conn) error { _, _, err := c.GroupPresence(ctx, "@TGS#nosuch", ""); return err }, 10010},
			{"no group", asker, func(c *client.Conn) error { _, _, err := c.GroupPresence(ctx, "", ""); return err }, 10004},
			{"a cursor this server did not return", asker, func(c *client.Conn) error { _, _, err := c.GroupPresence(ctx, small, "x"); return err }, 10004},
			{"a non-member may not subscribe to a group", outsider, func(c *client.Conn) error { _, err := c.SubscribePresence(ctx, nil, small); return err }, 10007},
			{"a group over the cap cannot be subscribed to", asker, func(c *client.Conn) error { _, err := c.SubscribePresence(ctx, nil, gid); return err }, 10004},
			{"at most 200 users", asker, func(c *client.Conn) error {
				_, err := c.SubscribePresence(ctx, append(slices.Clone(members[:200]), "watched"), "")
				return err
			}, 70402},
			{"a malformed UserID", asker, func(c *client.Conn) error { _, err := c.SubscribePresence(ctx, []string{""}, ""); return err }, 70402},
		} {
			t.Run(c.name, func(t *testing.T) {
				var e *client.Error
				if err := c.f(c.conn); !errors.As(err, &e) || e.Code != c.code {
					t.Fatalf("error %v, want code %d", err, c.code)
				}
			})
		}

		t.Run("a subscriber gets coalesced updates of the users it follows", func(t *testing.T) {
			sub := asker // a member of small
			st, err := sub.SubscribePresence(ctx, []string{"pm150"}, small)
			if err != nil {
				t.Fatal(err)
			}
			now := map[string]string{}
			for _, p := range st {
				now[p.User] = p.Status
			}
			if want := map[string]string{"pm150": "Online", "pm000": "Online", "powner": "Offline", "watched": "Offline"}; fmt.Sprint(now) != fmt.Sprint(want) {
				t.Fatalf("subscribe answered %v, want %v", now, want)
			}
			// watched comes and goes and comes: one update, with the last status.
			w := dialAs(t, s, "watched", "Mac")
			w.Close()
			dialAs(t, s, "watched", "Web")
			start := time.Now()
			var updates []client.Frame
			timeout := time.After(5 * time.Second)
		read:
			for {
				select {
				case f := <-sub.Frames():
					if f.Type == client.TypePresenceUpdate {
						updates = append(updates, f)
					}
				case <-timeout:
					break read
				}
			}
			if len(updates) == 0 || len(updates) > 3 {
				t.Fatalf("%d presence updates in 5 s, want 1 to 3 (one per 2 s flush at most)", len(updates))
			}
			lastStatus := ""
			for _, u := range updates {
				for _, p := range u.Statuses {
					if p.User != "watched" {
						t.Fatalf("update about %s: only changed users are sent", p.User)
					}
					lastStatus = p.Status + ":" + strings.Join(p.Platforms, ",")
				}
			}
			if lastStatus != "Online:Web" {
				t.Fatalf("last update says %q, want Online:Web", lastStatus)
			}
			t.Logf("%d update(s) in %v", len(updates), time.Since(start).Round(time.Millisecond))
			if _, err := sub.SubscribePresence(ctx, nil, ""); err != nil { // stop following
				t.Fatal(err)
			}
			dialAs(t, s, "pm150", "Web") // no change of status: Android and Web now
			select {
			case f := <-sub.Frames():
				if f.Type == client.TypePresenceUpdate {
					t.Fatalf("update %+v after unsubscribing", f)
				}
			case <-time.After(2500 * time.Millisecond):
			}
		})
	})
}

func TestPresenceFramesAreRateLimited(t *testing.T) {
	s := apitest.Start(t, apitest.Options{RateLimit: true})
	s.ImportAccounts(t, "rl1", "rl2")
	gid, _ := s.Must(t, "group_open_http_svc/create_group", map[string]any{"Type": "Public", "Name": "rl",
		"Owner_Account": "rl1", "MemberList": []map[string]any{{"Member_Account": "rl2"}}})["GroupId"].(string)
	c := dialAs(t, s, "rl1", "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	refused := 0
	for range 8 {
		_, _, err := c.GroupPresence(ctx, gid, "")
		var e *client.Error
		switch {
		case errors.As(err, &e) && e.Code == 60007 && strings.Contains(e.Info, "presence"):
			refused++
		case err != nil:
			t.Fatal(err)
		}
	}
	if refused != 3 {
		t.Fatalf("%d of 8 presence requests in a burst refused, want 3 (5 a second per user)", refused)
	}
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("a ping after the refusals: %v", err)
	}
}
