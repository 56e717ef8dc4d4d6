package usersig

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
)

func TestCacheStopsAtExpiry(t *testing.T) {
	var clock fakeClock
	clock.sec.Store(vectorTime + 10)
	v := NewVerifier(vectorApp, vectorKey, WithClock(clock.now))
	steps := []struct {
		name    string
		now     int64
		want    Reason
		entries int
	}{
		{"first verification fills the cache", vectorTime + 10, 0, 1},
		{"hit", vectorTime + 20, 0, 1},
		{"hit at the last valid second", vectorTime + vectorTTL, 0, 1},
		{"expired hit is refused and dropped", vectorTime + vectorTTL + 1, ReasonExpired, 0},
		{"expired miss is refused and not cached", vectorTime + vectorTTL + 2, ReasonExpired, 0},
		{"clock set back verifies afresh", vectorTime + 30, 0, 1},
		{"expired again", vectorTime + vectorTTL + 100, ReasonExpired, 0},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			clock.sec.Store(s.now)
			_, err := v.Verify(vectorID, vectorToken)
			wantReason(t, err, s.want)
			if n := v.cache.len(); n != s.entries {
				t.Fatalf("cache holds %d entries, want %d", n, s.entries)
			}
		})
	}
}

func TestCacheNeverAcceptsWrongKey(t *testing.T) {
	v := NewVerifier(vectorApp, vectorKey, WithClock(fixedClock(vectorTime+10)))
	good := mustSign(t, vectorKey, vectorID, vectorTime, vectorTTL, 6)
	forged := mustSign(t, otherKey, vectorID, vectorTime, vectorTTL, 6)
	steps := []struct {
		name  string
		id    string
		token string
		want  Reason
	}{
		{"good token", vectorID, good, 0},
		{"good token again", vectorID, good, 0},
		{"forged token, same claims", vectorID, forged, ReasonBadSignature},
		{"forged token again", vectorID, forged, ReasonBadSignature},
		{"cached token for another identifier", "bob", good, ReasonIdentifierMismatch},
		{"good token still cached", vectorID, good, 0},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			_, err := v.Verify(s.id, s.token)
			wantReason(t, err, s.want)
		})
	}
	if n := v.cache.len(); n != 1 {
		t.Fatalf("cache holds %d entries, want only the good token", n)
	}
}

func TestCacheKeySeparatesIdentifierAndToken(t *testing.T) {
	a := cacheKey(nil, "ab", "c")
	b := cacheKey(nil, "a", "bc")
	if string(a) == string(b) {
		t.Fatalf("keys collide: %q", a)
	}
}

func TestCacheShardSizesAddUp(t *testing.T) {
	for _, n := range []int{1, 2, 15, 16, 17, 100, 1000, 1023, 1025, DefaultCacheSize, 1<<20 + 3} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			c := newCache(n)
			total := 0
			for i := range c.shards {
				total += c.shards[i].max
				if c.shards[i].max < 1 {
					t.Fatalf("shard %d holds nothing", i)
				}
			}
			if total != n || len(c.shards)&(len(c.shards)-1) != 0 || len(c.shards) > maxShards {
				t.Fatalf("%d shards holding %d entries in all, want %d", len(c.shards), total, n)
			}
		})
	}
}

func TestCacheSize(t *testing.T) {
	cases := []struct {
		name string
		size int
		max  int // most entries after 200 distinct tokens; -1: no cache
	}{
		{"disabled", 0, -1},
		{"negative disables", -5, -1},
		{"one", 1, 1},
		{"ten", 10, 10},
		{"hundred", 100, 100},
		{"default", DefaultCacheSize, 200},
	}
	tokens := make([]string, 200)
	for i := range tokens {
		tokens[i] = mustSign(t, vectorKey, vectorID, vectorTime+int64(i), vectorTTL, 0)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := NewVerifier(vectorApp, vectorKey, WithCacheSize(tc.size), WithClock(fixedClock(vectorTime+300)))
			for round := range 2 {
				for i, s := range tokens {
					c, err := v.Verify(vectorID, s)
					if err != nil || c.Issued != vectorTime+int64(i) {
						t.Fatalf("round %d token %d: %+v, %v", round, i, c, err)
					}
				}
			}
			if tc.max < 0 {
				if v.cache != nil {
					t.Fatal("cache enabled")
				}
				return
			}
			if n := v.cache.len(); n > tc.max || n == 0 {
				t.Fatalf("cache holds %d entries, want 1..%d", n, tc.max)
			}
		})
	}
}

// TestVerifyConcurrent runs many goroutines over a mix of good and bad
// tokens with a tiny cache, so lookups, inserts, evictions and removals race
// (run with -race).
func TestVerifyConcurrent(t *testing.T) {
	type tc struct {
		id, token string
		want      Reason
	}
	var cases []tc
	for i := range 16 {
		id := fmt.Sprintf("user%d", i)
		cases = append(cases,
			tc{id, mustSign(t, vectorKey, id, vectorTime, vectorTTL, i%10), 0},
			tc{id, mustSign(t, otherKey, id, vectorTime, vectorTTL, 6), ReasonBadSignature},
			tc{id, mustSign(t, vectorKey, id, vectorTime-vectorTTL, 10, 6), ReasonExpired},
			tc{"not-" + id, mustSign(t, vectorKey, id, vectorTime, vectorTTL, 6), ReasonIdentifierMismatch},
		)
	}
	cases = append(cases, tc{vectorID, "garbage", ReasonMalformed}, tc{vectorID, "", ReasonEmpty})
	for _, size := range []int{0, 3, 64, DefaultCacheSize} {
		t.Run(fmt.Sprintf("cache=%d", size), func(t *testing.T) {
			v := NewVerifier(vectorApp, vectorKey, WithCacheSize(size), WithClock(fixedClock(vectorTime+1)))
			var wg sync.WaitGroup
			errs := make(chan error, 1)
			for g := range 8 {
				wg.Go(func() {
					for i := range 300 {
						c := cases[(g*7+i)%len(cases)]
						claims, err := v.Verify(c.id, c.token)
						if got := reasonOf(err); got != c.want || (c.want == 0 && claims.Identifier != c.id) {
							select {
							case errs <- fmt.Errorf("Verify(%q): %+v, %v; want reason %v", c.id, claims, err, c.want):
							default:
							}
							return
						}
					}
				})
			}
			wg.Wait()
			select {
			case err := <-errs:
				t.Fatal(err)
			default:
			}
		})
	}
}
