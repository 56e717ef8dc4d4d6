package topic

import "sync"

// topicCache keeps topics read from the store: the send path asks for the
// topic (its mute flag and default permission) on every message. Writers
// drop entries after changing the store; a fill that raced with a drop is
// discarded (the epoch check).
type topicCache struct {
	mu      sync.RWMutex
	epoch   uint64
	entries map[[2]string]Topic
}

// maxCachedTopics bounds the cache; past it the cache starts over.
const maxCachedTopics = 1 << 18

func newTopicCache() *topicCache { return &topicCache{entries: map[[2]string]Topic{}} }

func (c *topicCache) get(groupID, topicID string) (Topic, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.entries[[2]string{groupID, topicID}]
	return t, ok
}

func (c *topicCache) begin() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.epoch
}

func (c *topicCache) put(epoch uint64, t Topic) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	if len(c.entries) >= maxCachedTopics {
		c.entries = map[[2]string]Topic{}
	}
	c.entries[[2]string{t.GroupID, t.ID}] = t
}

func (c *topicCache) drop(groupID, topicID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	delete(c.entries, [2]string{groupID, topicID})
}

// dropGroup forgets every topic of a destroyed group.
func (c *topicCache) dropGroup(groupID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for k := range c.entries {
		if k[0] == groupID {
			delete(c.entries, k)
		}
	}
}
