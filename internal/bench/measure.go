package bench

import (
	"context"
	"fmt"
	"maps"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// recorder collects one run's outcomes: the latency of every successful
// operation, how many succeeded, and the failures by code.
type recorder struct {
	hist *Histogram
	ops  atomic.Int64
	mu   sync.Mutex
	errs map[string]int64
}

func newRecorder() *recorder { return &recorder{hist: NewHistogram(), errs: map[string]int64{}} }

// ok records a successful operation that took d.
func (r *recorder) ok(d time.Duration) {
	r.hist.Record(d)
	r.ops.Add(1)
}

// fail records a failed operation: code is the API's ErrorCode, or a word
// for a failure below the API (net, timeout, …).
func (r *recorder) fail(code string) {
	r.mu.Lock()
	r.errs[code]++
	r.mu.Unlock()
}

func (r *recorder) errors() map[string]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.errs)
}

// work runs a load against a server until the time given, recording into
// rec; it returns once its last operation has finished.
type work func(ctx context.Context, until time.Time, rec *recorder)

// warmup is the unrecorded load before each measured one: a tenth of the
// duration, at most a second.
func (r *runner) warmup() time.Duration { return min(r.opts.Duration/10, time.Second) }

// side is one server's part of a paired measurement.
type side struct {
	who     string // hearth or baseline
	srv     *server
	w       work
	rec     *recorder
	elapsed time.Duration // measured time, summed over slices
	cpu     time.Duration // the server's CPU time over those slices
	stats   bool          // whether the server's statistics can be read
}

// slices is how many slices each side's measured time is cut into: about
// one a second, at least two.
func (r *runner) slices() int { return max(2, int(math.Round(r.opts.Duration.Seconds()))) }

// measurePair measures Hearth and the baseline under the same load: both
// warm up, then they take turns in slices (Hearth, baseline, baseline,
// Hearth, …) until each has had the duration. Taking turns keeps what else
// the machine does from falling on one side only, so the ratio holds even
// on a shared machine. Each Measurement has its side's throughput,
// latencies and errors, and its server's CPU time and peak RSS over its own
// slices.
func (r *runner) measurePair(ctx context.Context, name, unit string, hearth, baseline *side) (Measurement, Measurement) {
	sides := []*side{hearth, baseline}
	if d := r.warmup(); d > 0 {
		for _, s := range sides {
			s.w(ctx, time.Now().Add(d), newRecorder())
		}
	}
	for _, s := range sides {
		s.rec = newRecorder()
		if _, s.stats = s.srv.stats(); s.stats {
			resetPeak(s.srv.pid)
		}
	}
	n := r.slices()
	slice := r.opts.Duration / time.Duration(n)
	about := fmt.Sprintf("%s: measuring Hearth and the baseline for %s each, taking turns in %d slices", name, r.opts.Duration, n)
	b := r.prog.timeBar(name+" hearth+baseline", about, unit, 2*r.opts.Duration, func() int64 { return hearth.rec.ops.Load() + baseline.rec.ops.Load() })
	for i := 0; i < n && ctx.Err() == nil; i++ {
		order := sides
		if i%2 == 1 {
			order = []*side{baseline, hearth}
		}
		for _, s := range order {
			before, _ := s.srv.stats()
			start := time.Now()
			s.w(ctx, start.Add(slice), s.rec)
			s.elapsed += time.Since(start)
			if after, ok := s.srv.stats(); ok && s.stats {
				s.cpu += after.CPU - before.CPU
			}
		}
	}
	b.end()
	var out [2]Measurement
	for i, s := range sides {
		out[i] = newRun(s.who, unit, s.rec, s.elapsed)
		if after, ok := s.srv.stats(); ok && s.stats {
			out[i].setServerStats(s.srv.scope, s.cpu, after.PeakRSS, s.elapsed)
		}
		r.prog.note("%s %s: %s %s in %.1fs (%s %s/s)", name, s.who, thousands(out[i].Ops), unit, s.elapsed.Seconds(),
			thousands(int64(out[i].Throughput)), unit)
	}
	return out[0], out[1]
}

// newRun makes a Measurement of what rec recorded over elapsed.
func newRun(who, unit string, rec *recorder, elapsed time.Duration) Measurement {
	run := Measurement{
		Server:  who,
		Unit:    unit + "/s",
		Ops:     rec.ops.Load(),
		Seconds: elapsed.Seconds(),
		Latency: rec.hist.Summary(),
		Errors:  rec.errors(),
	}
	if elapsed > 0 {
		run.Throughput = float64(run.Ops) / elapsed.Seconds()
	}
	return run
}

// setServerStats fills the server's CPU use and peak RSS.
func (run *Measurement) setServerStats(scope string, cpu time.Duration, peak int64, elapsed time.Duration) {
	run.StatsScope = scope
	run.ServerCPUSeconds = cpu.Seconds()
	if elapsed > 0 {
		run.ServerCPUPercent = 100 * cpu.Seconds() / elapsed.Seconds()
	}
	run.PeakRSS = peak
}
