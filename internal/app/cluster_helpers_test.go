package app_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
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
	"github.com/hearth-chat/hearth/internal/config"
)

// Helpers of the cluster tests (cluster_test.go, cluster_bench_test.go):
// three Hearth nodes in this process, on
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
	return serveClusterNode(t, name, cfg, log)
}

// serveClusterNode starts a node named name on cfg, logging to log, and
// serves it over httptest, watching its client connections for kill.
func serveClusterNode(t *testing.T, name string, cfg config.Config, log *slog.Logger) *clusterNode {
	t.Helper()
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
