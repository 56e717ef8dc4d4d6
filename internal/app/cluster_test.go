package app_test

import (
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apitest"
	"github.com/hearth-chat/hearth/internal/apitest/natstest"
	"github.com/hearth-chat/hearth/internal/app"
	"github.com/hearth-chat/hearth/internal/usersig"
)

// TestCluster is the acceptance test of cluster mode. The subtests share
// the nodes and run in order; killing B comes last.
func TestCluster(t *testing.T) {
	cl := startCluster(t, 3)
	a, b, c := cl.nodes[0], cl.nodes[1], cl.nodes[2]
	ctx := context.Background()

	t.Run("a message sent over REST on A reaches WebSocket members on B and C", func(t *testing.T) {
		owner, m1, m2, m3 := cl.user("d-owner"), cl.user("d-m1"), cl.user("d-m2"), cl.user("d-m3")
		gid, tid := cl.community(t, a, nil, owner, m1, m2, m3)
		receivers := []struct {
			node *clusterNode
			user string
			conn *client.Conn
		}{{node: b, user: m2}, {node: c, user: m3}}
		for i := range receivers {
			receivers[i].conn = cl.dial(t, receivers[i].node, receivers[i].user, gid, tid, 0)
		}
		cl.nats.Settle(t)
		const k = 10
		for i := 1; i <= k; i++ {
			seq, err := cl.rest.send(ctx, a, gid, tid, m1, fmt.Sprintf("cross-node %d", i))
			if err != nil || seq != uint64(i) {
				t.Fatalf("send %d on A: seq %d, %v; want seq %d", i, seq, err, i)
			}
		}
		for _, r := range receivers {
			// Live delivery only: no sync, every message must be pushed.
			got := map[uint64]bool{}
			timeout := time.After(10 * time.Second)
			for len(got) < k {
				select {
				case f, ok := <-r.conn.Frames():
					if !ok {
						t.Fatalf("%s on %s: connection ended: %v", r.user, r.node.name, r.conn.Err())
					}
					if f.Type != client.TypeMessage || f.GroupID != gid || f.TopicID != tid {
						continue
					}
					if want := fmt.Sprintf("cross-node %d", f.Seq); f.From != m1 || bodyText(f.MsgBody) != want || f.Seq < 1 || f.Seq > k {
						t.Fatalf("%s on %s got seq %d from %s text %q, want from %s text %q", r.user, r.node.name, f.Seq, f.From, bodyText(f.MsgBody), m1, want)
					}
					got[f.Seq] = true
				case <-timeout:
					t.Fatalf("%s on node %s received %d of the %d messages sent on A in 10s: %v", r.user, r.node.name, len(got), k, got)
				}
			}
		}
	})

	t.Run("3 x 200 concurrent sends across the nodes get seqs next..next+599", func(t *testing.T) {
		const perNode, workers = 200, 12
		owner := cl.user("s-owner")
		senders := cl.users("s-a", "s-b", "s-c")
		readers := []struct {
			node *clusterNode
			user string
		}{{a, cl.user("s-ra")}, {b, cl.user("s-rb")}, {c, cl.user("s-rc")}}
		members := append(slices.Clone(senders), readers[0].user, readers[1].user, readers[2].user)
		gid, tid := cl.community(t, a, nil, owner, members...)
		next := newestSeq(t, c, gid, tid) + 1
		total := uint64(perNode * len(cl.nodes))
		last := next + total - 1

		// A member on each node follows the topic as a client does.
		rctx, cancel := context.WithTimeout(ctx, 2*clusterWait)
		defer cancel()
		followers := make([]*follower, len(readers))
		errs := make([]chan error, len(readers))
		for i, r := range readers {
			conn := cl.dial(t, r.node, r.user, gid, tid, next-1)
			followers[i], errs[i] = newFollower(gid, tid, next-1), make(chan error, 1)
			go func() { errs[i] <- followers[i].follow(rctx, conn, last) }()
		}
		cl.nats.Settle(t)

		type result struct {
			seq  uint64
			text string
			err  error
		}
		results := make([]result, total)
		var wg sync.WaitGroup
		for ni, n := range cl.nodes {
			jobs := make(chan int, perNode)
			for j := range perNode {
				jobs <- ni*perNode + j
			}
			close(jobs)
			for range workers {
				wg.Go(func() {
					for idx := range jobs {
						text := fmt.Sprintf("seq test %d via %s", idx, n.name)
						sctx, cancel := context.WithTimeout(ctx, clusterWait)
						seq, err := cl.rest.send(sctx, n, gid, tid, senders[ni], text)
						cancel()
						results[idx] = result{seq, text, err}
					}
				})
			}
		}
		wg.Wait()

		sent := map[uint64]string{}
		var failed, dups []string
		for i, r := range results {
			switch {
			case r.err != nil:
				failed = append(failed, fmt.Sprintf("#%d: %v", i, r.err))
			case sent[r.seq] != "":
				dups = append(dups, fmt.Sprintf("seq %d for %q and %q", r.seq, sent[r.seq], r.text))
			default:
				sent[r.seq] = r.text
			}
		}
		if len(failed) > 0 {
			t.Errorf("%d of %d sends failed, e.g. %v", len(failed), total, failed[:min(5, len(failed))])
		}
		if len(dups) > 0 {
			t.Errorf("%d duplicate seqs, e.g. %v", len(dups), dups[:min(5, len(dups))])
		}
		var missing, outside []uint64
		for s := next; s <= last; s++ {
			if sent[s] == "" {
				missing = append(missing, s)
			}
		}
		for s := range sent {
			if s < next || s > last {
				outside = append(outside, s)
			}
		}
		if len(missing) > 0 || len(outside) > 0 {
			slices.Sort(outside)
			t.Fatalf("the %d acknowledged seqs are not exactly %d..%d: missing %v, outside %v",
				len(sent), next, last, missing[:min(20, len(missing))], outside[:min(20, len(outside))])
		}

		for _, n := range cl.nodes { // history agrees, on every node
			h := cl.history(t, n, gid, tid, next)
			for s := next; s <= last; s++ {
				if h[s] != sent[s] {
					t.Fatalf("history on %s: seq %d is %q, the send was answered for %q", n.name, s, h[s], sent[s])
				}
			}
			if newest := newestSeq(t, n, gid, tid); newest != last {
				t.Fatalf("history on %s: newest seq %d, want %d", n.name, newest, last)
			}
		}
		for i, r := range readers { // and so do the clients
			if err := <-errs[i]; err != nil {
				t.Fatalf("%s on %s: %v", r.user, r.node.name, err)
			}
			for s := next; s <= last; s++ {
				if got := bodyText(followers[i].got[s].MsgBody); got != sent[s] {
					t.Fatalf("%s on %s applied %q at seq %d, want %q", r.user, r.node.name, got, s, sent[s])
				}
			}
			t.Logf("%s on node %s: %s", r.user, r.node.name, followers[i].stats())
		}
	})

	t.Run("a permission change on A is enforced on C (and B) on the next request", func(t *testing.T) {
		owner, mem := cl.user("p-owner"), cl.user("p-m")
		gid, tid := cl.community(t, a, map[string]any{"EnablePermission": 1, "DefaultPermission": 0}, owner, mem)
		const gs = "group_open_http_svc/"
		var checks, stale int
		var firstStale []string
		// expect sends as mem on C, then on B, each node's next request.
		expect := func(step string, want int) {
			t.Helper()
			for _, n := range []*clusterNode{c, b} {
				_, err := cl.rest.send(ctx, n, gid, tid, mem, fmt.Sprintf("%s on %s", step, n.name))
				got := code(err)
				if got != 0 && got != 10007 {
					t.Fatalf("%s: send on %s: %v, want 0 or 10007", step, n.name, err)
				}
				checks++
				if got != want {
					stale++
					if len(firstStale) < 5 {
						firstStale = append(firstStale, fmt.Sprintf("%s: send on %s answered %d, want %d", step, n.name, got, want))
					}
				}
			}
		}
		must := func(api string, kv ...any) apitest.Resp {
			t.Helper()
			body := map[string]any{"GroupId": gid}
			for i := 0; i < len(kv); i += 2 {
				body[kv[i].(string)] = kv[i+1]
			}
			return a.api.Must(t, gs+api, body)
		}
		members := []map[string]any{{"Member_Account": mem}}
		expect("no permission yet", 10007)

		// senders: a permission group holding the topic's SEND bit (8).
		senders, _ := must("create_permission_group", "PermissionGroupName", "senders", "Permission", 0)["PermissionGroupId"].(string)
		must("add_topic_permission_group", "PermissionGroupId", senders, "TopicPermissionList", []map[string]any{{"TopicId": tid, "Permission": 8}})
		// holders: mem is in it; its permission in the topic changes.
		holders, _ := must("create_permission_group", "PermissionGroupName", "holders", "Permission", 0)["PermissionGroupId"].(string)
		must("add_topic_permission_group", "PermissionGroupId", holders, "TopicPermissionList", []map[string]any{{"TopicId": tid, "Permission": 0}})
		must("add_permission_group_member", "PermissionGroupId", holders, "MemberList", members)
		expect("in a permission group without the bit", 10007)

		cases := []struct {
			name          string
			cycles        int
			grant, revoke func()
		}{
			{"membership of a permission group with the SEND bit", 20,
				func() { must("add_permission_group_member", "PermissionGroupId", senders, "MemberList", members) },
				func() { must("delete_permission_group_member", "PermissionGroupId", senders, "MemberList", members) }},
			{"the topic permission of a permission group", 5,
				func() {
					must("set_topic_permission_group", "PermissionGroupId", holders, "TopicPermissionList", []map[string]any{{"TopicId": tid, "Permission": 8}})
				},
				func() {
					must("set_topic_permission_group", "PermissionGroupId", holders, "TopicPermissionList", []map[string]any{{"TopicId": tid, "Permission": 0}})
				}},
			{"the community's DefaultPermission (SEND in all topics, 64)", 5,
				func() { must("modify_group_base_info", "DefaultPermission", 64) },
				func() { must("modify_group_base_info", "DefaultPermission", 0) }},
			{"the topic's DefaultPermission", 5,
				func() {
					a.api.Must(t, "million_group_open_http_svc/modify_topic", map[string]any{"GroupId": gid, "TopicId": tid, "DefaultPermission": 8})
				},
				func() {
					a.api.Must(t, "million_group_open_http_svc/modify_topic", map[string]any{"GroupId": gid, "TopicId": tid, "DefaultPermission": 0})
				}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				checks, stale, firstStale = 0, 0, nil
				for i := 1; i <= tc.cycles; i++ {
					tc.grant()
					expect(fmt.Sprintf("cycle %d granted", i), 0)
					tc.revoke()
					expect(fmt.Sprintf("cycle %d revoked", i), 10007)
				}
				if stale > 0 {
					t.Fatalf("%d of %d requests after a change on A saw the old permission: %v", stale, checks, firstStale)
				}
			})
		}
	})

	t.Run("a kick on A closes the user's sessions on B and C and revokes its UserSig there", func(t *testing.T) {
		user := cl.user("k-user")
		a.api.ImportAccounts(t, user)
		// A UserSig issued before the kick (a kick revokes those issued up
		// to its second).
		old, err := usersig.Sign(apitest.SDKAppID, apitest.SecretKey, user, time.Now().Add(-time.Minute), 24*time.Hour, zlib.DefaultCompression)
		if err != nil {
			t.Fatal(err)
		}
		type session struct {
			node *clusterNode
			conn *client.Conn
		}
		var sessions []session
		for _, n := range []*clusterNode{b, c} {
			dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			conn, err := client.Dial(dctx, n.ws, apitest.SDKAppID, user, old)
			cancel()
			if err != nil {
				t.Fatalf("login on %s before the kick: %v", n.name, err)
			}
			t.Cleanup(func() { conn.Close() })
			sessions = append(sessions, session{n, conn})
		}
		a.api.Must(t, "im_open_login_svc/kick", map[string]any{"UserID": user})
		for _, s := range sessions {
			kicked := false
			timeout := time.After(10 * time.Second)
		read:
			for {
				select {
				case f, ok := <-s.conn.Frames():
					if !ok {
						break read
					}
					kicked = kicked || f.Type == client.TypeKicked
				case <-timeout:
					t.Fatalf("session on %s still open 10s after the kick on A (kicked frame: %v)", s.node.name, kicked)
				}
			}
			var e *client.Error
			if !kicked || !errors.As(s.conn.Err(), &e) || e.Code != 4001 {
				t.Errorf("session on %s: kicked frame %v, closed with %v; want a kicked frame and close code 4001", s.node.name, kicked, s.conn.Err())
			}
		}
		for _, n := range []*clusterNode{c, b} {
			dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			_, err := client.Dial(dctx, n.ws, apitest.SDKAppID, user, old)
			cancel()
			var e *client.Error
			if !errors.As(err, &e) || e.Code != 70052 {
				t.Errorf("login on %s with the UserSig issued before the kick: %v, want error 70052", n.name, err)
			}
			_, err = cl.rest.callAs(ctx, n.hs.URL, "im_open_login_svc/account_check", user, old, map[string]any{"CheckItem": []map[string]any{{"UserID": user}}})
			if code(err) != 70052 {
				t.Errorf("REST call on %s with the UserSig issued before the kick: %v, want ErrorCode 70052", n.name, err)
			}
		}
	})

	t.Run("a member banned on A stops receiving on B at once and cannot be re-added on B", func(t *testing.T) {
		testClusterBan(t, cl, a, b)
	})

	t.Run("killing B loses nothing B acknowledged; its clients resume on A without gaps", func(t *testing.T) {
		owner, sender := cl.user("x-owner"), cl.user("x-sender")
		onB := cl.users("x-r1", "x-r2")
		onC := cl.user("x-r3")
		gid, tid := cl.community(t, a, nil, owner, append(slices.Clone(onB), sender, onC)...)
		const warm = 5
		for i := 1; i <= warm; i++ {
			if _, err := cl.rest.send(ctx, a, gid, tid, sender, fmt.Sprintf("warm-up %d", i)); err != nil {
				t.Fatal(err)
			}
		}
		rctx, cancel := context.WithTimeout(ctx, 3*clusterWait)
		defer cancel()
		// The clients on B, and one on C that stays connected throughout.
		type reader struct {
			user string
			f    *follower
			conn *client.Conn
			done chan error
		}
		var readers []*reader
		for _, u := range onB {
			r := &reader{user: u, f: newFollower(gid, tid, 0), conn: cl.dial(t, b, u, gid, tid, 0), done: make(chan error, 1)}
			if err := r.f.follow(rctx, r.conn, warm); err != nil {
				t.Fatalf("%s on B: %v", u, err)
			}
			go func() { r.done <- r.f.follow(rctx, r.conn, math.MaxUint64) }() // until B dies
			readers = append(readers, r)
		}
		control := &reader{user: onC, f: newFollower(gid, tid, 0), conn: cl.dial(t, c, onC, gid, tid, 0)}
		cl.nats.Settle(t)

		// Senders on B until it dies, and one on C through the kill.
		var killed atomic.Bool
		var mu sync.Mutex
		ackedB, ackedC := map[uint64]string{}, map[uint64]string{}
		var inFlightB atomic.Int64 // B sends that failed once B was killed
		var unexpected []string
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := 0; ; i++ {
					text := fmt.Sprintf("on B %d/%d", w, i)
					sctx, cancel := context.WithTimeout(rctx, clusterWait)
					wasKilled := killed.Load()
					seq, err := cl.rest.send(sctx, b, gid, tid, sender, text)
					cancel()
					mu.Lock()
					switch {
					case err == nil:
						ackedB[seq] = text
					case killed.Load():
						inFlightB.Add(1)
					default:
						unexpected = append(unexpected, fmt.Sprintf("send on B before the kill: %v", err))
					}
					mu.Unlock()
					if err != nil || wasKilled {
						return
					}
				}
			})
		}
		var afterKillC atomic.Int64
		wg.Go(func() {
			for i := 0; afterKillC.Load() < 20 && rctx.Err() == nil; i++ {
				wasKilled := killed.Load()
				text := fmt.Sprintf("on C %d", i)
				seq, err := cl.rest.send(rctx, c, gid, tid, sender, text)
				mu.Lock()
				if err == nil {
					ackedC[seq] = text
				} else {
					unexpected = append(unexpected, fmt.Sprintf("send on C: %v", err))
				}
				mu.Unlock()
				if err != nil {
					return
				}
				if wasKilled {
					afterKillC.Add(1)
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
		for deadline := time.Now().Add(clusterWait); ; time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			n := len(ackedB)
			mu.Unlock()
			if n >= 60 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("B acknowledged only %d sends in %v", n, clusterWait)
			}
		}
		killed.Store(true)
		b.kill()
		wg.Wait()
		if len(unexpected) > 0 {
			t.Fatalf("%d unexpected send failures: %v", len(unexpected), unexpected[:min(5, len(unexpected))])
		}
		lastAtKill := make([]uint64, len(readers))
		for i, r := range readers {
			select {
			case err := <-r.done: // the connection ended with B
				lastAtKill[i] = r.f.last
				t.Logf("%s's connection to B ended (%v) at seq %d", r.user, err, r.f.last)
			case <-time.After(clusterWait):
				t.Fatalf("%s's connection to B still open %v after the kill", r.user, clusterWait)
			}
		}

		// What the store holds now; every client must end with exactly it.
		newest := newestSeq(t, a, gid, tid)
		h := cl.history(t, a, gid, tid, 1)
		if uint64(len(h)) != newest {
			t.Fatalf("history on A has %d messages, newest seq %d: a gap", len(h), newest)
		}
		for seq, text := range ackedB {
			if h[seq] != text {
				t.Fatalf("B acknowledged seq %d for %q; after the kill the store has %q", seq, text, h[seq])
			}
		}
		for seq, text := range ackedC {
			if h[seq] != text {
				t.Fatalf("C acknowledged seq %d for %q; the store has %q", seq, text, h[seq])
			}
		}
		t.Logf("B acknowledged %d messages before the kill; %d sends in flight at the kill failed (%d more stored than acknowledged); C acknowledged %d, %d after the kill; newest seq %d",
			len(ackedB), inFlightB.Load(), int(newest)-warm-len(ackedB)-len(ackedC), len(ackedC), afterKillC.Load(), newest)

		for i, r := range readers { // resume on A from where each one was
			conn := cl.dial(t, a, r.user, gid, tid, r.f.last)
			if err := r.f.follow(rctx, conn, newest); err != nil {
				t.Fatalf("%s resumed on A after seq %d: %v", r.user, lastAtKill[i], err)
			}
			t.Logf("%s: had seq %d at the kill; resumed on A: %s", r.user, lastAtKill[i], r.f.stats())
		}
		if err := control.f.follow(rctx, control.conn, newest); err != nil {
			t.Fatalf("%s on C: %v", control.user, err)
		}
		for _, r := range append(readers, control) {
			if r.f.last != newest || uint64(len(r.f.got)) != newest {
				t.Fatalf("%s applied %d messages up to seq %d, want 1..%d", r.user, len(r.f.got), r.f.last, newest)
			}
			for seq := uint64(1); seq <= newest; seq++ {
				if got := bodyText(r.f.got[seq].MsgBody); got != h[seq] {
					t.Fatalf("%s applied %q at seq %d; the store has %q", r.user, got, seq, h[seq])
				}
			}
		}
	})
}

// TestClusterHealthzFollowsNATS: a node answers /healthz 200 while it
// reaches NATS and 503 once NATS is gone (the load balancer takes it out
// rather than let it serve caches no invalidation reaches), and refuses to
// start in cluster mode without PostgreSQL.
func TestClusterHealthzFollowsNATS(t *testing.T) {
	pg := apitest.PostgresSchema(t)
	ns := natstest.Server(t)
	n := startClusterNode(t, "H", pg, ns.ClientURL())
	health := func() int {
		res, err := http.Get(n.hs.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := health(); got != http.StatusOK {
		t.Fatalf("/healthz %d with NATS up", got)
	}
	ns.Shutdown()
	deadline := time.Now().Add(clusterWait)
	for health() != http.StatusServiceUnavailable {
		if time.Now().After(deadline) {
			t.Fatal("/healthz still 200 with NATS down")
		}
		time.Sleep(50 * time.Millisecond)
	}

	cfg := apitest.Config(t, apitest.Options{})
	cfg.NATS = "nats://127.0.0.1:1"
	if _, err := app.NewServer(context.Background(), cfg, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "--store") {
		t.Fatalf("cluster mode on SQLite: %v, want an error naming --store", err)
	}
}
