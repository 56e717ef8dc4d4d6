package group

import (
	"sync"
)

// DefaultCacheSize is how many (group, user) memberships a node keeps in
// memory.
const DefaultCacheSize = 1 << 20

// memberCache remembers memberships (and non-memberships) so that the
// question asked on every message, "is U a member of G, with what role and
// mute state", usually costs no store read. Writers drop entries after
// changing the store; a fill that raced with any drop is discarded (the
// epoch check), so a stale read never lands in the cache.
type memberCache struct {
	mu      sync.RWMutex
	max     int
	epoch   uint64
	entries map[memberKey]cachedMember
	groups  map[string]uint64 // group ID -> generation, bumped by dropGroup
}

type memberKey struct{ group, user string }

type cachedMember struct {
	m   Member
	ok  bool // false: known not to be a member
	gen uint64
}

func newMemberCache(max int) *memberCache {
	return &memberCache{max: max, entries: map[memberKey]cachedMember{}, groups: map[string]uint64{}}
}

// get returns a cached membership: found reports a cache hit, ok whether
// the user is a member.
func (c *memberCache) get(group, user string) (m Member, ok, found bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, hit := c.entries[memberKey{group, user}]
	if !hit || e.gen != c.groups[group] {
		return Member{}, false, false
	}
	return e.m, e.ok, true
}

// begin returns the epoch to pass to put after reading the store.
func (c *memberCache) begin() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.epoch
}

// put stores a membership read from the store since begin returned epoch.
func (c *memberCache) put(epoch uint64, group, user string, m Member, ok bool) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	if len(c.entries) >= c.max {
		n := 0
		for k := range c.entries { // drop about an eighth, in map order
			delete(c.entries, k)
			if n++; n >= c.max/8+1 {
				break
			}
		}
	}
	c.entries[memberKey{group, user}] = cachedMember{m: m, ok: ok, gen: c.groups[group]}
}

// drop forgets the memberships of users in group.
func (c *memberCache) drop(group string, users ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for _, u := range users {
		delete(c.entries, memberKey{group, u})
	}
}

// dropGroup forgets every membership of group.
func (c *memberCache) dropGroup(group string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.groups[group]++
}

// profileCache keeps group profiles read from the store: every group API
// and every send reads the group first. Writers drop the entry after
// changing the store; a fill that raced with a drop is discarded (the epoch
// check). NextMsgSeq and LastMsgTime move with every message without
// passing through here, so a cached profile's may lag: read those through
// Info, which goes to the store.
type profileCache struct {
	mu      sync.RWMutex
	epoch   uint64
	entries map[string]Group
}

// maxCachedGroups bounds the profile cache; past it the cache starts over.
const maxCachedGroups = 1 << 16

func newProfileCache() *profileCache { return &profileCache{entries: map[string]Group{}} }

func (c *profileCache) get(id string) (Group, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	g, ok := c.entries[id]
	return g, ok
}

func (c *profileCache) begin() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.epoch
}

func (c *profileCache) put(epoch uint64, g Group) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	if len(c.entries) >= maxCachedGroups {
		c.entries = map[string]Group{}
	}
	c.entries[g.ID] = g
}

// drop forgets one group; with no ID it forgets every group.
func (c *profileCache) drop(ids ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	if len(ids) == 0 {
		c.entries = map[string]Group{}
	}
	for _, id := range ids {
		delete(c.entries, id)
	}
}
