package bench

import (
	"context"
	"fmt"
	"time"
)

// settle is how long the connect scenario lets a server be before reading
// its memory, so that the sessions it just opened are fully set up: a
// second, or half the duration when that is shorter.
func (r *runner) settle() time.Duration { return min(time.Second, r.opts.Duration/2) }

// heapMetric is the Go heap gauge both servers publish on /metrics.
const heapMetric = "go_memstats_heap_inuse_bytes"

// connectScenario opens --connections idle, logged-in WebSocket
// connections and reports what they cost the server: the connection rate,
// the dial-and-login latency, and memory per connection; then the same
// against the bare WebSocket server.
func (r *runner) connectScenario(ctx context.Context) (ScenarioResult, error) {
	res := ScenarioResult{Name: "connect"}
	ids := userIDs("bench-c", r.connections())
	r.prog.note("connect: signing %d UserSigs", len(ids))
	sigs, err := r.signAll(ids)
	if err != nil {
		return res, err
	}
	hearth, err := r.startHearth(ctx)
	if err != nil {
		return res, fmt.Errorf("start hearth: %w", err)
	}
	api, err := newAPIClient(hearth.URL, r.creds)
	if err != nil {
		hearth.stop()
		return res, err
	}
	r.prog.note("connect: importing %d accounts", len(ids))
	if err := api.importAccounts(ctx, ids); err != nil {
		hearth.stop()
		return res, fmt.Errorf("fixtures: %w", err)
	}
	mem := &MemoryResult{Connections: len(ids)}
	res.Memory = mem
	res.Hearth, mem.Hearth = r.connectRun(ctx, hearth, "hearth", ids, sigs)
	if err := hearth.stop(); err != nil {
		return res, err
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	base, err := r.startBaseline(ctx)
	if err != nil {
		return res, fmt.Errorf("start baseline: %w", err)
	}
	defer base.stop()
	res.Baseline, mem.Baseline = r.connectRun(ctx, base, "baseline", ids, sigs)
	res.Ratio = ratios(res.Hearth, res.Baseline)
	if mem.Hearth.PerConn > 0 && mem.Baseline.PerConn > 0 {
		res.Ratio.MemoryPerConn = float64(mem.Hearth.PerConn) / float64(mem.Baseline.PerConn)
	}
	return res, ctx.Err()
}

// connections is --connections, lowered to what the open-file limit lets
// this process (and, in process, the server too) hold.
func (r *runner) connections() int {
	n := r.opts.Connections
	if r.fdLimit == 0 {
		return n
	}
	room := int(r.fdLimit) - 512
	if r.opts.Mode == ModeInProcess && r.opts.Target == "" {
		room /= 2 // both ends of every connection are in this process
	}
	if n > room {
		r.notef("connect: %d connections lowered to %d, what the open-file limit (%d) allows", n, max(room, 1), r.fdLimit)
		n = max(room, 1)
	}
	return n
}

// connectRun ramps up the connections against srv, holds them idle for a
// moment, reads the server's memory, and closes them.
func (r *runner) connectRun(ctx context.Context, srv *server, who string, ids, sigs []string) (Measurement, ConnMemory) {
	var mem ConnMemory
	time.Sleep(r.settle())
	before, haveStats := srv.stats()
	if haveStats {
		resetPeak(srv.pid)
	}
	heapBefore, haveHeap := metric(ctx, srv.URL, heapMetric)
	rec := newRecorder()
	b := r.prog.countBar("connect "+who, "conn", int64(len(ids)), rec.ops.Load)
	start := time.Now()
	conns := dialAll(ctx, wsURL(srv.URL), r.creds.SDKAppID, ids, sigs, r.opts.Concurrency, rec, discard)
	elapsed := time.Since(start)
	b.done()
	defer closeAll(conns)
	ramped, _ := srv.stats()
	time.Sleep(r.settle())
	run := newRun(who, "conn", rec, elapsed)
	mem.Open = openCount(conns)
	run.Connections = mem.Open
	if after, ok := srv.stats(); ok && haveStats {
		run.setServerStats(srv.scope, ramped.CPU-before.CPU, after.PeakRSS, elapsed)
		mem.Scope = srv.scope
		mem.RSSBefore, mem.RSSAfter, mem.PeakRSS = before.RSS, after.RSS, after.PeakRSS
		if mem.Open > 0 {
			mem.PerConn = (after.RSS - before.RSS) / int64(mem.Open)
			mem.PeakPerConn = after.PeakRSS / int64(mem.Open)
		}
	}
	if heapAfter, ok := metric(ctx, srv.URL, heapMetric); ok && haveHeap && mem.Open > 0 {
		mem.HeapPerConn = int64(heapAfter-heapBefore) / int64(mem.Open)
	}
	return run, mem
}
