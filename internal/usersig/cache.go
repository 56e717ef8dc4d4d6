package usersig

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
)

// A cache is split into at most maxShards independently locked parts, each
// holding at least minShardSize entries when the cache is that large.
const (
	maxShards    = 64
	minShardSize = 16
)

// cache remembers the claims of verified tokens. It is a fixed number of
// shards, each a map under its own lock; a full shard evicts an arbitrary
// entry (Go randomises where map iteration starts) to make room. Entries are
// keyed by the full identifier and token, so a hit means exactly this pair
// was verified before; expiry is checked by the caller on every hit.
type cache struct {
	seed   maphash.Seed
	mask   uint64
	shards []shard
}

type shard struct {
	mu  sync.RWMutex
	m   map[string]Claims
	max int
	_   [64]byte // keep neighbouring locks off one cache line
}

// newCache returns a cache holding at most n > 0 entries.
func newCache(n int) *cache {
	shards := 1
	for shards*2 <= min(n/minShardSize, maxShards) {
		shards *= 2
	}
	c := &cache{seed: maphash.MakeSeed(), mask: uint64(shards - 1), shards: make([]shard, shards)}
	for i := range c.shards {
		c.shards[i].m = make(map[string]Claims)
		c.shards[i].max = n / shards
		if i < n%shards {
			c.shards[i].max++ // the shards' sizes add up to n exactly
		}
	}
	return c
}

// cacheKey appends the cache key of (identifier, token) to dst. The length
// prefix keeps ("ab", "c") and ("a", "bc") apart.
func cacheKey(dst []byte, identifier, token string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(identifier)))
	dst = append(dst, identifier...)
	return append(dst, token...)
}

func (c *cache) shard(key []byte) *shard {
	return &c.shards[maphash.Bytes(c.seed, key)&c.mask]
}

func (c *cache) get(key []byte) (Claims, bool) {
	s := c.shard(key)
	s.mu.RLock()
	v, ok := s.m[string(key)]
	s.mu.RUnlock()
	return v, ok
}

func (c *cache) put(key []byte, v Claims) {
	s := c.shard(key)
	s.mu.Lock()
	if _, ok := s.m[string(key)]; !ok && len(s.m) >= s.max {
		for k := range s.m {
			delete(s.m, k)
			break
		}
	}
	s.m[string(key)] = v
	s.mu.Unlock()
}

func (c *cache) remove(key []byte) {
	s := c.shard(key)
	s.mu.Lock()
	delete(s.m, string(key))
	s.mu.Unlock()
}

// len returns the number of entries, for tests.
func (c *cache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
