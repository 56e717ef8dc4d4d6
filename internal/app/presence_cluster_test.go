package app_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apitest"
	"github.com/hearth-chat/hearth/internal/apitest/natstest"
	"github.com/hearth-chat/hearth/internal/config"
)

// TestClusterPresence: online status is the cluster's. A user connected
// to node B is online when asked at A (and at C, which joins after), with
// B's platform; offline once it disconnects, and once B dies. The app
// hears State.StateChange once per transition of the user anywhere.
func TestClusterPresence(t *testing.T) {
	pg := apitest.PostgresSchema(t) // skips when HEARTH_TEST_POSTGRES is unset
	nats := natstest.Start(t, 3)
	hooks := newStateHooks(t)
	b := make([]byte, 3)
	rand.Read(b)
	tag := hex.EncodeToString(b)
	user := func(name string) string { return name + "-" + tag }
	a := startHookedNode(t, "A", pg, nats.URL(0), hooks.url)
	bn := startHookedNode(t, "B", pg, nats.URL(1), hooks.url)
	cl := &cluster{nodes: []*clusterNode{a, bn}, nats: nats, rest: newRESTClient(t, 4), tag: tag}
	cl.waitFormed(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*clusterWait)
	defer cancel()

	u1, u2 := user("pres1"), user("pres2")
	a.api.ImportAccounts(t, u1, u2)
	status := func(n *clusterNode, id string) string {
		t.Helper()
		r, err := cl.rest.call(ctx, n, "openim/query_online_status", map[string]any{"To_Account": []string{id}, "IsNeedDetail": 1})
		if err != nil {
			t.Fatalf("query_online_status on %s: %v", n.name, err)
		}
		raw, _ := json.Marshal(r)
		var ans struct {
			QueryResult []struct {
				Account string `json:"To_Account"`
				Status  string
				Detail  []struct{ Platform string }
			}
		}
		if err := json.Unmarshal(raw, &ans); err != nil || len(ans.QueryResult) != 1 || ans.QueryResult[0].Account != id {
			t.Fatalf("query_online_status on %s answered %s", n.name, raw)
		}
		out := ans.QueryResult[0].Status
		for _, d := range ans.QueryResult[0].Detail {
			out += " " + d.Platform
		}
		return out
	}
	// eventually waits until n answers want for id, at most d.
	eventually := func(n *clusterNode, id, want string, d time.Duration) time.Duration {
		t.Helper()
		start := time.Now()
		for {
			got := status(n, id)
			if got == want {
				return time.Since(start)
			}
			if time.Since(start) > d {
				t.Fatalf("%s on node %s is %q after %v, want %q", id, n.name, got, d, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	dial := func(n *clusterNode, id, platform string) *client.Conn {
		t.Helper()
		c, err := client.DialPlatform(ctx, n.ws, apitest.SDKAppID, id, apitest.Sig(t, id), platform)
		if err != nil {
			t.Fatalf("dial %s as %s: %v", n.name, id, err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}

	onB := dial(bn, u1, "Android")
	// login_ok comes after the nodes acknowledged the change: A knows at once.
	if got := status(a, u1); got != "Online Android" {
		t.Fatalf("%s connected to B is %q at A right after its login_ok, want Online Android", u1, got)
	}
	hooks.want(t, u1, "Login/Register")

	onA := dial(a, u1, "Web")
	if got := status(bn, u1); got != "Online Android Web" {
		t.Fatalf("%s on A and B is %q at B, want Online Android Web", u1, got)
	}
	onA.Close()
	eventually(bn, u1, "Online Android", 5*time.Second)
	hooks.want(t, u1, "Login/Register") // neither the second connection nor its close is a transition

	t.Run("a node that joins learns who is online", func(t *testing.T) {
		c := startHookedNode(t, "C", pg, nats.URL(2), hooks.url)
		cl.nodes = append(cl.nodes, c)
		cl.waitFormed(t)
		took := eventually(c, u1, "Online Android", 5*time.Second)
		t.Logf("C learned %s on B %v after the cluster formed", u1, took)
	})

	onB.Close()
	took := eventually(a, u1, "Offline", 5*time.Second)
	t.Logf("A saw %s go offline %v after its close on B", u1, took)
	hooks.want(t, u1, "Login/Register", "Logout/Unregister")

	t.Run("a dead node's users are offline", func(t *testing.T) {
		dial(bn, u2, "iPad")
		eventually(a, u2, "Online iPad", 5*time.Second)
		killed := time.Now()
		bn.kill()
		took := eventually(a, u2, "Offline", 10*time.Second)
		t.Logf("A saw %s offline %v after B died (a node is dead %v after its last heartbeat)", u2, took, 3*time.Second)
		if time.Since(killed) < 2*time.Second {
			t.Fatalf("offline %v after the kill: before B could be declared dead", time.Since(killed))
		}
	})
}

// stateHooks receives the State.StateChange callbacks of a cluster's nodes.
type stateHooks struct {
	url string
	mu  sync.Mutex
	got map[string][]string // user -> "Action/Reason" (any node may deliver: the outbox is shared)
}

func newStateHooks(t *testing.T) *stateHooks {
	h := &stateHooks{got: map[string][]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		if r.URL.Query().Get("CallbackCommand") == "State.StateChange" {
			var body struct {
				Info struct {
					Action, Reason string
					Account        string `json:"To_Account"`
				}
			}
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Errorf("StateChange body %s: %v", raw, err)
			}
			h.mu.Lock()
			h.got[body.Info.Account] = append(h.got[body.Info.Account], body.Info.Action+"/"+body.Info.Reason)
			h.mu.Unlock()
		}
		io.WriteString(w, `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}`)
	}))
	t.Cleanup(srv.Close)
	h.url = srv.URL
	return h
}

// want waits until user's callbacks are list, and checks that no more
// come for a moment.
func (h *stateHooks) want(t *testing.T, user string, list ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.mu.Lock()
		got := slices.Clone(h.got[user])
		h.mu.Unlock()
		if len(got) >= len(list) {
			time.Sleep(300 * time.Millisecond)
			h.mu.Lock()
			got = slices.Clone(h.got[user])
			h.mu.Unlock()
			if !slices.Equal(got, list) {
				t.Fatalf("StateChange callbacks of %s: %v, want %v", user, got, list)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("StateChange callbacks of %s: %v after 10 s, want %v", user, got, list)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startHookedNode is startClusterNode with the callbacks on.
func startHookedNode(t *testing.T, name, pg, natsURL, hookURL string) *clusterNode {
	t.Helper()
	cfg := apitest.Config(t, apitest.Options{Postgres: pg, Configure: func(c *config.Config) {
		c.CallbackURL = hookURL + "/cb"
		c.CallbackMinBackoff = 50 * time.Millisecond
		c.CallbackPoll = 50 * time.Millisecond
	}})
	cfg.NATS = natsURL
	return serveClusterNode(t, name, cfg, slog.New(slog.DiscardHandler))
}
