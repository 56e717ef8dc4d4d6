package bench

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// Histogram records durations in log-linear buckets: exact below 256 ns,
// then 128 buckets per power of two, so a quantile read back is within
// 1/128 (< 0.8%) of the recorded value. It is safe for concurrent use and
// never allocates after New.
type Histogram struct {
	counts [histBuckets]atomic.Uint64
	n      atomic.Uint64
	sum    atomic.Uint64 // ns
	min    atomic.Int64  // ns; math.MaxInt64 while empty
	max    atomic.Int64  // ns
}

const (
	subBits     = 7
	subCount    = 1 << subBits             // buckets per power of two
	exactBelow  = subCount << 1            // values below this have a bucket each
	histBuckets = exactBelow + 56*subCount // up to 2^63 ns
)

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	h := &Histogram{}
	h.min.Store(math.MaxInt64)
	return h
}

// bucketOf is the index of v's bucket.
func bucketOf(v int64) int {
	if v < exactBelow {
		return int(max(v, 0))
	}
	shift := bits.Len64(uint64(v)) - (subBits + 1) // ≥ 1: v>>shift is in [128, 256)
	return exactBelow + (shift-1)*subCount + int(v>>shift) - subCount
}

// bucketRange is the smallest and largest value bucket i holds.
func bucketRange(i int) (lo, hi int64) {
	if i < exactBelow {
		return int64(i), int64(i)
	}
	shift := (i-exactBelow)/subCount + 1
	m := int64((i-exactBelow)%subCount + subCount)
	return m << shift, (m+1)<<shift - 1
}

// Record adds one duration.
func (h *Histogram) Record(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	h.counts[bucketOf(v)].Add(1)
	h.n.Add(1)
	h.sum.Add(uint64(v))
	for cur := h.min.Load(); v < cur && !h.min.CompareAndSwap(cur, v); cur = h.min.Load() {
	}
	for cur := h.max.Load(); v > cur && !h.max.CompareAndSwap(cur, v); cur = h.max.Load() {
	}
}

// Count is how many durations were recorded.
func (h *Histogram) Count() int64 { return int64(h.n.Load()) }

// Quantile returns the q-quantile (0 < q ≤ 1): the smallest recorded value
// such that at least q of all values are at or below it, to the bucket's
// precision (its upper bound, clamped to the exact min and max). It is 0 for
// an empty histogram.
func (h *Histogram) Quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	rank = min(max(rank, 1), n)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			_, hi := bucketRange(i)
			return time.Duration(min(max(hi, h.min.Load()), h.max.Load()))
		}
	}
	return time.Duration(h.max.Load())
}

// Summary is the latency part of a report.
type Summary struct {
	Count int64         `json:"count"`
	Mean  time.Duration `json:"mean_ns"`
	P50   time.Duration `json:"p50_ns"`
	P95   time.Duration `json:"p95_ns"`
	P99   time.Duration `json:"p99_ns"`
	Max   time.Duration `json:"max_ns"`
}

// Summary reads the histogram's count, mean, quantiles and max.
func (h *Histogram) Summary() Summary {
	n := h.Count()
	if n == 0 {
		return Summary{}
	}
	return Summary{
		Count: n,
		Mean:  time.Duration(h.sum.Load() / uint64(n)),
		P50:   h.Quantile(0.50),
		P95:   h.Quantile(0.95),
		P99:   h.Quantile(0.99),
		Max:   time.Duration(h.max.Load()),
	}
}
