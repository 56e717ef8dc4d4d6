package bench

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestBucketsHoldTheirValues(t *testing.T) {
	values := []int64{0, 1, 127, 128, 255, 256, 257, 511, 512, 1000, 1 << 20, 123_456_789, 1<<40 + 7, math.MaxInt64}
	for _, v := range values {
		i := bucketOf(v)
		if i < 0 || i >= histBuckets {
			t.Fatalf("bucketOf(%d) = %d, outside [0, %d)", v, i, histBuckets)
		}
		lo, hi := bucketRange(i)
		if v < lo || v > hi {
			t.Errorf("bucketOf(%d) = %d holds [%d, %d]", v, i, lo, hi)
		}
		if v >= exactBelow && float64(hi-lo)/float64(lo) > 1.0/subCount {
			t.Errorf("bucket of %d is [%d, %d]: wider than 1/%d", v, lo, hi, subCount)
		}
		if v < exactBelow && lo != hi {
			t.Errorf("bucket of %d is [%d, %d]: want exact", v, lo, hi)
		}
	}
	// The buckets tile the values: each starts right after the one before.
	for i := 1; i < histBuckets; i++ {
		_, prevHi := bucketRange(i - 1)
		lo, _ := bucketRange(i)
		if lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, bucket %d ends at %d", i, lo, i-1, prevHi)
		}
	}
}

// exactQuantile is the reference: the smallest value with at least q of
// all values at or below it.
func exactQuantile(sorted []time.Duration, q float64) time.Duration {
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func TestQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name   string
		values func() []time.Duration
	}{
		{"one value", func() []time.Duration { return []time.Duration{3 * time.Millisecond} }},
		{"small exact values", func() []time.Duration {
			var v []time.Duration
			for i := 1; i <= 100; i++ {
				v = append(v, time.Duration(i))
			}
			return v
		}},
		{"uniform milliseconds", func() []time.Duration {
			v := make([]time.Duration, 10_000)
			for i := range v {
				v[i] = time.Duration(rng.Int64N(int64(50 * time.Millisecond)))
			}
			return v
		}},
		{"long tail", func() []time.Duration {
			v := make([]time.Duration, 20_000)
			for i := range v {
				v[i] = time.Duration(float64(time.Millisecond) * math.Exp(rng.NormFloat64()*1.5))
			}
			return v
		}},
		{"all equal", func() []time.Duration { return slices.Repeat([]time.Duration{777 * time.Microsecond}, 500) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			values := c.values()
			h := NewHistogram()
			var sum time.Duration
			for _, v := range values {
				h.Record(v)
				sum += v
			}
			slices.Sort(values)
			for _, q := range []float64{0.01, 0.5, 0.9, 0.95, 0.99, 0.999, 1} {
				got, want := h.Quantile(q), exactQuantile(values, q)
				if diff := math.Abs(float64(got - want)); diff > float64(want)/subCount {
					t.Errorf("q%.3f = %v, want %v within 1/%d", q, got, want, subCount)
				}
			}
			s := h.Summary()
			if s.Count != int64(len(values)) || s.Max != values[len(values)-1] || s.Mean != sum/time.Duration(len(values)) {
				t.Errorf("summary %+v: want count %d, max %v, mean %v", s, len(values), values[len(values)-1], sum/time.Duration(len(values)))
			}
			if !(s.P50 <= s.P95 && s.P95 <= s.P99 && s.P99 <= s.Max) {
				t.Errorf("summary %+v: quantiles out of order", s)
			}
		})
	}
}

func TestEmptyHistogram(t *testing.T) {
	h := NewHistogram()
	if s := h.Summary(); s != (Summary{}) {
		t.Fatalf("empty summary %+v, want zero", s)
	}
	if q := h.Quantile(0.5); q != 0 {
		t.Fatalf("empty quantile %v, want 0", q)
	}
}

func TestHistogramConcurrentRecord(t *testing.T) {
	h := NewHistogram()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				h.Record(time.Duration(g*1000 + i))
			}
		})
	}
	wg.Wait()
	if s := h.Summary(); s.Count != 8000 || s.Max != 7999 || h.Quantile(0.0001) != 0 {
		t.Fatalf("summary %+v after 8,000 records 0..7999", s)
	}
}
