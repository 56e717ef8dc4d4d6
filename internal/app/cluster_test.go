package app_test

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
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

// The cluster acceptance test: three Hearth nodes in this process, on
// loopback, sharing one fresh PostgreSQL schema (HEARTH_TEST_POSTGRES) and
// NATS: the server HEARTH_TEST_NATS names, or an embedded three-server NATS
// cluster with each node on its own server. HEARTH_TEST_CLUSTER_BENCH=1
// adds the measurements (TestClusterThroughput).

// clusterBenchEnv turns on TestClusterThroughput.
const clusterBenchEnv = "HEARTH_TEST_CLUSTER_BENCH"

// clusterWait bounds every wait of the cluster tests.
const clusterWait = 20 * time.Second

// cluster is the nodes of one test, with what their requests need.
type cluster struct {
	nodes []*clusterNode
	nats  *natstest.NATS
	rest  *restClient
	tag   string // appended to UserIDs: runs that share a NATS server do not touch each other's users
}

// clusterNode is one Hearth node served over httptest.
type clusterNode struct {
	name string
	srv  *app.Server
	hs   *httptest.Server
	api  *apitest.Server // Call/Must from the test goroutine
	ws   string          // ws://…/v1/ws

	mu     sync.Mutex
	conns  map[net.Conn]struct{} // every accepted connection, WebSockets (hijacked) included
	killed bool
}

// startCluster starts n nodes named A, B, C… on a fresh schema and waits
// until they know each other. It skips without HEARTH_TEST_POSTGRES.
func startCluster(t *testing.T, n int) *cluster {
	t.Helper()
	pg := apitest.PostgresSchema(t) // skips when HEARTH_TEST_POSTGRES is unset
	b := make([]byte, 3)
	rand.Read(b)
	cl := &cluster{nats: natstest.Start(t, n), rest: newRESTClient(t, 64), tag: hex.EncodeToString(b)}
	for i := range n {
		// One at a time: the first node creates the schema's tables.
		cl.nodes = append(cl.nodes, startClusterNode(t, string(rune('A'+i)), pg, cl.nats.URL(i)))
	}
	cl.waitFormed(t)
	t.Logf("%d nodes on a fresh PostgreSQL schema and %s", n, cl.nats)
	return cl
}

func startClusterNode(t *testing.T, name, pg, natsURL string) *clusterNode {
	t.Helper()
	cfg := apitest.Config(t, apitest.Options{Postgres: pg}) // its own DataDir; rate limits off
	cfg.NATS = natsURL
	log := slog.New(slog.DiscardHandler)
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})).With("node", name)
	}
	srv, err := app.NewServer(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("start node %s: %v", name, err)
	}
	n := &clusterNode{name: name, srv: srv, conns: map[net.Conn]struct{}{}}
	n.hs = httptest.NewUnstartedServer(srv.Handler())
	n.hs.Config.ConnState = func(c net.Conn, st http.ConnState) {
		n.mu.Lock()
		defer n.mu.Unlock()
		switch st {
		case http.StateNew:
			n.conns[c] = struct{}{}
		case http.StateClosed:
			delete(n.conns, c)
		}
	}
	n.hs.Start()
	t.Cleanup(n.kill)
	n.api = &apitest.Server{Server: srv, URL: n.hs.URL}
	n.ws = "ws" + strings.TrimPrefix(n.hs.URL, "http") + "/v1/ws"
	return n
}

// kill stops the node abruptly: every client connection (WebSockets
// included) is cut without a close frame or an answer, then the server and
// the node stop. It is the in-process equivalent of kill -9: what the node
// acknowledged is in PostgreSQL already, and its NATS connection goes away
// as a dead process's would.
func (n *clusterNode) kill() {
	n.mu.Lock()
	if n.killed {
		n.mu.Unlock()
		return
	}
	n.killed = true
	conns := make([]net.Conn, 0, len(n.conns))
	for c := range n.conns {
		conns = append(conns, c)
	}
	n.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	n.hs.CloseClientConnections()
	n.hs.Close()
	n.srv.Close()
}

// waitFormed waits until every node knows the n live nodes (it learns of
// them by their heartbeats, and a change waits for the acknowledgements of
// the nodes it knows). A node that exports its cluster size in /metrics (a
// metric whose name has "cluster" and "nodes", "peers" or "size") is read
// until it counts n; without such a metric the test waits out a few
// heartbeat periods (1 s each).
func (cl *cluster) waitFormed(t *testing.T) {
	t.Helper()
	const noMetricWait = 3500 * time.Millisecond
	start := time.Now()
	deadline := start.Add(clusterWait)
	for {
		known, formed := 0, 0
		for _, n := range cl.nodes {
			if v, ok := clusterSizeMetric(n.hs.URL); ok {
				known++
				if v >= len(cl.nodes) { // >=: other clusters on a shared NATS count too
					formed++
				}
			}
		}
		switch {
		case formed == len(cl.nodes):
			return
		case known == 0 && time.Since(start) >= noMetricWait:
			return
		case time.Now().After(deadline):
			t.Fatalf("cluster not formed in %v: %d of %d nodes count every node", clusterWait, formed, len(cl.nodes))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// clusterSizeMetric reads the number of live nodes from a node's /metrics.
func clusterSizeMetric(base string) (int, bool) {
	res, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, false
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, " ")
		if !ok || !strings.Contains(name, "cluster") || strings.Contains(name, "{") ||
			!(strings.Contains(name, "nodes") || strings.Contains(name, "peers") || strings.Contains(name, "size")) {
			continue
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(value), 64); err == nil {
			return int(f), true
		}
	}
	return 0, false
}

// user is a UserID of this run.
func (cl *cluster) user(name string) string { return name + "-" + cl.tag }

// users maps names to UserIDs of this run.
func (cl *cluster) users(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = cl.user(n)
	}
	return out
}

// community creates, on node n, a topic community of owner and members (all
// imported first), with the extra create_group fields, and one topic.
func (cl *cluster) community(t *testing.T, n *clusterNode, extra map[string]any, owner string, members ...string) (gid, tid string) {
	t.Helper()
	n.api.ImportAccounts(t, append([]string{owner}, members...)...)
	list := make([]map[string]any, len(members))
	for i, m := range members {
		list[i] = map[string]any{"Member_Account": m}
	}
	body := map[string]any{"Type": "Community", "Name": "cluster", "SupportTopic": 1, "Owner_Account": owner, "MemberList": list}
	for k, v := range extra {
		body[k] = v
	}
	gid, _ = n.api.Must(t, "group_open_http_svc/create_group", body)["GroupId"].(string)
	tid, _ = n.api.Must(t, "million_group_open_http_svc/create_topic", map[string]any{"GroupId": gid, "TopicName": "t"})["TopicId"].(string)
	if gid == "" || tid == "" {
		t.Fatalf("create_group/create_topic answered no ID (%q, %q)", gid, tid)
	}
	return gid, tid
}

// dial logs user in on node n and syncs the stream from afterSeq, as a
// client does after its login. The connection closes when t ends.
func (cl *cluster) dial(t *testing.T, n *clusterNode, user, gid, tid string, afterSeq uint64) *client.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, n.ws, apitest.SDKAppID, user, apitest.Sig(t, user))
	if err != nil {
		t.Fatalf("dial node %s as %s: %v", n.name, user, err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Sync(ctx, []client.Stream{{GroupID: gid, TopicID: tid, AfterSeq: afterSeq}}); err != nil {
		t.Fatalf("sync on node %s as %s: %v", n.name, user, err)
	}
	return c
}

// restClient posts admin REST calls from any goroutine (apitest's Call
// fails the test, which only the test goroutine may do).
type restClient struct {
	hc     *http.Client
	sig    string
	random atomic.Uint32
}

func newRESTClient(t testing.TB, conns int) *restClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 4*conns, conns
	rc := &restClient{hc: &http.Client{Transport: tr, Timeout: clusterWait}, sig: apitest.Sig(t, apitest.Admin)}
	t.Cleanup(tr.CloseIdleConnections)
	return rc
}

// apiError is a REST answer other than OK.
type apiError struct {
	Code int
	Info string
}

func (e *apiError) Error() string { return fmt.Sprintf("ErrorCode %d: %s", e.Code, e.Info) }

// code is err's API ErrorCode: 0 for nil, -1 for a transport error.
func code(err error) int {
	var e *apiError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &e):
		return e.Code
	}
	return -1
}

// callAs posts body to api on the node at base as identifier (with its
// sig) and decodes the answer; an answer other than OK is an *apiError.
func (rc *restClient) callAs(ctx context.Context, base, api, identifier, sig string, body any) (apitest.Resp, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	u := fmt.Sprintf("%s/v4/%s?sdkappid=%d&identifier=%s&usersig=%s&random=%d&contenttype=json",
		base, api, apitest.SDKAppID, url.QueryEscape(identifier), url.QueryEscape(sig), rc.random.Add(1))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := rc.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d: %s", api, res.StatusCode, out)
	}
	var r apitest.Resp
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("%s: not JSON: %s", api, out)
	}
	if r.Code() != 0 {
		info, _ := r["ErrorInfo"].(string)
		return r, &apiError{Code: r.Code(), Info: info}
	}
	return r, nil
}

// call is callAs as the App admin on node n.
func (rc *restClient) call(ctx context.Context, n *clusterNode, api string, body any) (apitest.Resp, error) {
	return rc.callAs(ctx, n.hs.URL, api, apitest.Admin, rc.sig, body)
}

// send posts send_group_msg on node n (from "" is the admin) and returns
// the message's MsgSeq.
func (rc *restClient) send(ctx context.Context, n *clusterNode, gid, tid, from, text string) (uint64, error) {
	body := map[string]any{"GroupId": gid, "TopicId": tid, "Random": rc.random.Add(1), "MsgBody": textBody(text)}
	if from != "" {
		body["From_Account"] = from
	}
	r, err := rc.call(ctx, n, "group_open_http_svc/send_group_msg", body)
	if err != nil {
		return 0, err
	}
	seq, ok := r["MsgSeq"].(float64)
	if !ok || seq < 1 {
		return 0, fmt.Errorf("send_group_msg answered OK without a MsgSeq: %v", r)
	}
	return uint64(seq), nil
}

func textBody(s string) json.RawMessage {
	b, _ := json.Marshal([]map[string]any{{"MsgType": "TIMTextElem", "MsgContent": map[string]string{"Text": s}}})
	return b
}

// bodyText is the text of a one-element text MsgBody.
func bodyText(body json.RawMessage) string {
	var b []struct{ MsgContent struct{ Text string } }
	if json.Unmarshal(body, &b) != nil || len(b) != 1 {
		return "?" + string(body)
	}
	return b[0].MsgContent.Text
}

// history reads a topic's messages with group_msg_get_simple on node n,
// newest first, page by page down to seq from, and returns seq → text.
func (cl *cluster) history(t *testing.T, n *clusterNode, gid, tid string, from uint64) map[uint64]string {
	t.Helper()
	out := map[uint64]string{}
	var below uint64 // 0: from the newest
	for {
		r := n.api.Must(t, "group_open_http_svc/group_msg_get_simple", map[string]any{"GroupId": gid, "TopicId": tid, "ReqMsgNumber": 20, "ReqMsgSeq": below})
		list := r.List("RspMsgList")
		for _, it := range list {
			m := it.(map[string]any)
			seq := uint64(m["MsgSeq"].(float64))
			body, _ := json.Marshal(m["MsgBody"])
			if _, dup := out[seq]; dup {
				t.Fatalf("history on %s lists seq %d twice", n.name, seq)
			}
			out[seq] = bodyText(body)
			below = seq - 1
		}
		if len(list) == 0 || below < from || r["IsFinished"] == 1.0 {
			return out
		}
	}
}

// newestSeq is the topic's newest message seq (0 when it has none).
func newestSeq(t *testing.T, n *clusterNode, gid, tid string) uint64 {
	t.Helper()
	r := n.api.Must(t, "group_open_http_svc/group_msg_get_simple", map[string]any{"GroupId": gid, "TopicId": tid, "ReqMsgNumber": 1})
	if l := r.List("RspMsgList"); len(l) > 0 {
		return uint64(l[0].(map[string]any)["MsgSeq"].(float64))
	}
	return 0
}

// follower applies one stream's messages as docs/protocol.md tells a
// client: a seq it has is dropped, the next is applied, a later one is
// held; a gap that stays open gapWait is resumed with sync after the last
// applied seq. Applied messages are contiguous by construction.
type follower struct {
	gid, tid string
	last     uint64
	held     map[uint64]client.Frame
	got      map[uint64]client.Frame // applied, by seq
	progress time.Time               // last apply or sync
	dups     int                     // frames dropped as seen
	syncs    int                     // syncs for a held gap
	stalls   int                     // syncs for a stall below a known target with nothing held
}

const gapWait = 250 * time.Millisecond

func newFollower(gid, tid string, last uint64) *follower {
	return &follower{gid: gid, tid: tid, last: last, held: map[uint64]client.Frame{}, got: map[uint64]client.Frame{}, progress: time.Now()}
}

func (f *follower) take(fr client.Frame) {
	if fr.Seq <= f.last {
		f.dups++
		return
	}
	f.held[fr.Seq] = fr
	for {
		m, ok := f.held[f.last+1]
		if !ok {
			return
		}
		delete(f.held, f.last+1)
		f.last++
		f.got[f.last] = m
		f.progress = time.Now()
	}
}

// follow reads c until the stream is applied up to upTo (math.MaxUint64:
// until the connection ends, which is then the error), ctx is done, or
// the connection ends.
func (f *follower) follow(ctx context.Context, c *client.Conn, upTo uint64) error {
	tick := time.NewTicker(gapWait / 5)
	defer tick.Stop()
	for f.last < upTo {
		select {
		case fr, ok := <-c.Frames():
			if !ok {
				return fmt.Errorf("connection ended at seq %d: %v", f.last, c.Err())
			}
			if fr.Type == client.TypeMessage && fr.GroupID == f.gid && fr.TopicID == f.tid {
				f.take(fr)
			}
		case <-tick.C:
			stalled := upTo != math.MaxUint64 // the test knows what was stored
			if (len(f.held) > 0 || stalled) && time.Since(f.progress) > gapWait {
				if len(f.held) > 0 {
					f.syncs++
				} else {
					f.stalls++
				}
				sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				err := c.Sync(sctx, []client.Stream{{GroupID: f.gid, TopicID: f.tid, AfterSeq: f.last}})
				cancel()
				if err != nil {
					return fmt.Errorf("sync after seq %d: %w", f.last, err)
				}
				f.progress = time.Now()
			}
		case <-ctx.Done():
			return fmt.Errorf("applied up to seq %d (%d held) of %d: %w", f.last, len(f.held), upTo, ctx.Err())
		}
	}
	return nil
}

func (f *follower) stats() string {
	return fmt.Sprintf("applied up to %d, %d repeats dropped, %d syncs for a gap, %d for a stall", f.last, f.dups, f.syncs, f.stalls)
}

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

// TestClusterThroughput measures, with HEARTH_TEST_CLUSTER_BENCH=1 and on
// three nodes of one process: the delivery latency from a REST send on A to
// the WebSocket push on B and C, and the send throughput with the clients
// spread over three nodes against all of them on one node.
func TestClusterThroughput(t *testing.T) {
	if os.Getenv(clusterBenchEnv) != "1" {
		t.Skip(clusterBenchEnv + "=1 runs the cluster measurements")
	}
	cl := startCluster(t, 3)
	a, b, c := cl.nodes[0], cl.nodes[1], cl.nodes[2]
	ctx := context.Background()

	t.Run("cross-node delivery latency", func(t *testing.T) {
		const n = 1000
		sender := cl.user("l-sender")
		recv := []struct {
			node *clusterNode
			user string
		}{{b, cl.user("l-rb")}, {c, cl.user("l-rc")}}
		gid, tid := cl.community(t, a, nil, cl.user("l-owner"), sender, recv[0].user, recv[1].user)
		arrived := make([]map[uint64]time.Time, len(recv))
		done := make([]chan struct{}, len(recv))
		rctx, cancel := context.WithTimeout(ctx, 2*clusterWait)
		defer cancel()
		for i, r := range recv {
			conn := cl.dial(t, r.node, r.user, gid, tid, 0)
			arrived[i], done[i] = map[uint64]time.Time{}, make(chan struct{})
			go func() {
				defer close(done[i])
				for len(arrived[i]) < n {
					select {
					case f, ok := <-conn.Frames():
						if !ok {
							return
						}
						if f.Type == client.TypeMessage && f.TopicID == tid {
							if _, seen := arrived[i][f.Seq]; !seen {
								arrived[i][f.Seq] = time.Now()
							}
						}
					case <-rctx.Done():
						return
					}
				}
			}()
		}
		cl.nats.Settle(t)
		sentAt := map[uint64]time.Time{}
		for i := range n {
			t0 := time.Now()
			seq, err := cl.rest.send(ctx, a, gid, tid, sender, fmt.Sprintf("latency %d", i))
			if err != nil {
				t.Fatal(err)
			}
			sentAt[seq] = t0
		}
		var all []time.Duration
		var per []string
		for i, r := range recv {
			<-done[i]
			var lat []time.Duration
			for seq, t0 := range sentAt {
				if at, ok := arrived[i][seq]; ok {
					lat = append(lat, at.Sub(t0))
				}
			}
			if len(lat) < n {
				t.Errorf("%s on %s received %d of %d messages live", r.user, r.node.name, len(lat), n)
			}
			all = append(all, lat...)
			per = append(per, fmt.Sprintf("%s p50 %v p99 %v", r.node.name, percentile(lat, 0.50), percentile(lat, 0.99)))
		}
		t.Logf("MEASURE cross-node delivery latency (REST send_group_msg on A -> WebSocket push on B and C; %d sequential messages x %d receivers; %s; %d CPUs): p50 %v, p99 %v, max %v (%s)",
			n, len(recv), cl.nats, runtime.NumCPU(), percentile(all, 0.50), percentile(all, 0.99), percentile(all, 1), strings.Join(per, "; "))
	})

	t.Run("throughput 3 nodes against 1 node", func(t *testing.T) {
		const clients, topics = 32, 64
		const dur = 5 * time.Second
		owner := cl.user("t-owner")
		var senders []string
		for i := range clients {
			senders = append(senders, cl.user(fmt.Sprintf("t-%02d", i)))
		}
		gid, first := cl.community(t, a, nil, owner, senders...)
		tids := []string{first}
		for i := 1; i < topics; i++ {
			id, _ := a.api.Must(t, "million_group_open_http_svc/create_topic", map[string]any{"GroupId": gid, "TopicName": fmt.Sprint("t", i)})["TopicId"].(string)
			tids = append(tids, id)
		}
		run := func(targets []*clusterNode, d time.Duration) (ok, failed int64) {
			var okN, failN atomic.Int64
			end := time.Now().Add(d)
			var wg sync.WaitGroup
			for w := range clients {
				n := targets[w%len(targets)]
				wg.Go(func() {
					for i := w; time.Now().Before(end); i += clients {
						sctx, cancel := context.WithTimeout(ctx, clusterWait)
						_, err := cl.rest.send(sctx, n, gid, tids[i%topics], senders[w], fmt.Sprintf("tp %d %d %d", w, i, mrand.Uint32()))
						cancel()
						if err != nil {
							failN.Add(1)
						} else if !time.Now().After(end) {
							okN.Add(1)
						}
					}
				})
			}
			wg.Wait()
			return okN.Load(), failN.Load()
		}
		run(cl.nodes, time.Second) // warm-up: connections, caches
		// Each setup runs dur in all, in two halves ordered 1-3-3-1, so that
		// a drift of the machine over the run (the tables grow) weighs on
		// both alike.
		setups := []struct {
			name    string
			targets []*clusterNode
			ok      int64
			halves  []string
		}{
			{name: "1 node", targets: []*clusterNode{a}},
			{name: "3 nodes", targets: cl.nodes},
		}
		for _, i := range []int{0, 1, 1, 0} {
			ok, fail := run(setups[i].targets, dur/2)
			setups[i].ok += ok
			setups[i].halves = append(setups[i].halves, fmt.Sprintf("%.0f", float64(ok)/(dur/2).Seconds()))
			if fail > 0 {
				t.Errorf("%s: %d sends failed", setups[i].name, fail)
			}
		}
		one, three := float64(setups[0].ok)/dur.Seconds(), float64(setups[1].ok)/dur.Seconds()
		t.Logf("MEASURE send_group_msg throughput (%d concurrent REST clients over %d topics, %v per setup in halves ordered 1-3-3-1; 1 node = every client on A, 3 nodes = clients spread over A, B, C; all in one process; %s; %d CPUs): 1 node %.0f msgs/s (halves %s), 3 nodes %.0f msgs/s (halves %s), ratio 3/1 = %.2f",
			clients, topics, dur, cl.nats, runtime.NumCPU(), one, strings.Join(setups[0].halves, ", "), three, strings.Join(setups[1].halves, ", "), three/one)
	})
}

// percentile is the q-quantile (0 < q <= 1) of ds by the nearest rank.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))].Round(10 * time.Microsecond)
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
