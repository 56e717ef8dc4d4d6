package app_test

import (
	"context"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/client"
)

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
