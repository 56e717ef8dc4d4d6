// Package cache is the one in-memory cache type of Hearth: values read from
// the store, partitioned by an owner key (a group, a user), bounded, and
// guarded by an epoch so that a fill that raced with a drop never lands.
// What is dropped when is stated in one place, internal/invalidate; the
// domain services only read and fill.
package cache

import "sync"

// Map caches values by (part, key): part is what a change drops at once (a
// group), key one entry in it (a member, a topic; "" when a part holds one
// value). A nil *Map caches nothing: every Get misses and Put does nothing,
// so a service built without a cache reads the store every time.
//
// A reader calls Begin before it reads the store and passes the epoch to
// Put: every drop advances the epoch, so a value read before a drop that
// concerned it is discarded instead of cached.
type Map[V any] struct {
	mu    sync.RWMutex
	max   int
	epoch uint64
	n     int
	parts map[string]map[string]V
}

// New returns an empty Map of at most max entries; past it, about an eighth
// of the entries (whole parts, in map order) are evicted.
func New[V any](max int) *Map[V] {
	return &Map[V]{max: max, parts: map[string]map[string]V{}}
}

// Get returns the cached value of (part, key).
func (c *Map[V]) Get(part, key string) (V, bool) {
	var zero V
	if c == nil {
		return zero, false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.parts[part][key]
	if !ok {
		return zero, false
	}
	return v, true
}

// Begin returns the epoch to pass to Put after reading the store.
func (c *Map[V]) Begin() uint64 {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.epoch
}

// Put caches v, read from the store since Begin returned epoch, unless
// something was dropped meanwhile.
func (c *Map[V]) Put(epoch uint64, part, key string, v V) {
	if c == nil || c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	p := c.parts[part]
	if p == nil {
		if c.n >= c.max {
			c.evict()
		}
		p = map[string]V{}
		c.parts[part] = p
	} else if c.n >= c.max {
		c.evict()
		if p = c.parts[part]; p == nil {
			p = map[string]V{}
			c.parts[part] = p
		}
	}
	if _, had := p[key]; !had {
		c.n++
	}
	p[key] = v
}

// evict drops whole parts until about an eighth of the entries are gone.
func (c *Map[V]) evict() {
	target := c.max/8 + 1
	gone := 0
	for id, p := range c.parts {
		gone += len(p)
		c.n -= len(p)
		delete(c.parts, id)
		if gone >= target {
			return
		}
	}
}

// Drop forgets keys of part.
func (c *Map[V]) Drop(part string, keys ...string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	p := c.parts[part]
	for _, k := range keys {
		if _, ok := p[k]; ok {
			delete(p, k)
			c.n--
		}
	}
	if p != nil && len(p) == 0 {
		delete(c.parts, part)
	}
}

// DropPart forgets every entry of part.
func (c *Map[V]) DropPart(part string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.n -= len(c.parts[part])
	delete(c.parts, part)
}

// DropKeys forgets keys in every part (a deleted account's memberships).
func (c *Map[V]) DropKeys(keys []string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for id, p := range c.parts {
		for _, k := range keys {
			if _, ok := p[k]; ok {
				delete(p, k)
				c.n--
			}
		}
		if len(p) == 0 {
			delete(c.parts, id)
		}
	}
}

// Clear forgets everything.
func (c *Map[V]) Clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.n = 0
	c.parts = map[string]map[string]V{}
}

// Len is the number of cached entries.
func (c *Map[V]) Len() int {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.n
}
