package permgroup

import (
	"context"
	"errors"
	"sync"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/permission"
)

// grantCache keeps each member's permission-group grants so that a
// permission decision on the send path reads no store. Every change drops
// what it touches (the users concerned, or the whole community); a fill
// that raced with a drop is discarded (the epoch check).
type grantCache struct {
	mu      sync.RWMutex
	epoch   uint64
	entries map[[2]string][]Grant
}

// maxCachedGrants bounds the cache; past it the cache starts over.
const maxCachedGrants = 1 << 20

func newGrantCache() *grantCache { return &grantCache{entries: map[[2]string][]Grant{}} }

func (c *grantCache) get(groupID, userID string) ([]Grant, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	g, ok := c.entries[[2]string{groupID, userID}]
	return g, ok
}

func (c *grantCache) begin() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.epoch
}

func (c *grantCache) put(epoch uint64, groupID, userID string, g []Grant) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	if len(c.entries) >= maxCachedGrants {
		c.entries = map[[2]string][]Grant{}
	}
	c.entries[[2]string{groupID, userID}] = g
}

func (c *grantCache) dropUsers(groupID string, users []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for _, u := range users {
		delete(c.entries, [2]string{groupID, u})
	}
}

func (c *grantCache) dropGroup(groupID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for k := range c.entries {
		if k[0] == groupID {
			delete(c.entries, k)
		}
	}
}

func (c *grantCache) dropEverywhere(users []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	gone := make(map[string]bool, len(users))
	for _, u := range users {
		gone[u] = true
	}
	for k := range c.entries {
		if gone[k[1]] {
			delete(c.entries, k)
		}
	}
}

// userGrants returns a member's permission-group grants, from the cache
// when it can.
func (s *Service) userGrants(ctx context.Context, groupID, userID string) ([]Grant, error) {
	if g, ok := s.cache.get(groupID, userID); ok {
		return g, nil
	}
	epoch := s.cache.begin()
	g, err := s.store.UserGrants(ctx, groupID, userID)
	if err != nil {
		return nil, err
	}
	s.cache.put(epoch, groupID, userID, g)
	return g, nil
}

// AppendGrants implements group.GrantSource: the topic's default
// permission (inside a topic) and every permission group of the member,
// each with its community bits and its bits for topicID.
func (s *Service) AppendGrants(ctx context.Context, dst []permission.Grant, g group.Group, userID, topicID string) ([]permission.Grant, error) {
	out, err := s.topics.AppendGrants(ctx, dst, g, userID, topicID)
	if err != nil {
		return dst, err
	}
	pgs, err := s.userGrants(ctx, g.ID, userID)
	if err != nil {
		return dst, err
	}
	for _, pg := range pgs {
		gr := permission.Grant{Source: pg.PermGroupID, Community: pg.Permission}
		if topicID != "" {
			gr.Topic = pg.Topics[topicID]
		}
		out = append(out, gr)
	}
	return out, nil
}

// Explanation is the answer of the explain API.
type Explanation struct {
	Decision permission.Decision
	Subject  permission.Subject
	Action   permission.Action
}

// Explain answers, for a user, an action and optionally a topic and a
// target member, whether the action is allowed and which grants decided it.
func (s *Service) Explain(ctx context.Context, groupID, userID, action, topicID, target string) (Explanation, error) {
	g, err := s.groups.Get(ctx, groupID)
	if err != nil {
		return Explanation{}, err
	}
	a, ok := permission.ParseAction(action)
	if !ok {
		return Explanation{}, badParam("Action %q is not an action the engine knows", action)
	}
	if userID == "" {
		return Explanation{}, badParam("Member_Account is required")
	}
	if topicID != "" {
		if g.Type != group.Community || !g.SupportTopic {
			return Explanation{}, apierr.New(apierr.GroupNoTopicSupport, "group %s has no topics", g.ID)
		}
		if _, err := s.topics.Get(ctx, g, topicID); err != nil {
			return Explanation{}, err
		}
	}
	actor, err := s.groups.Operator(ctx, g.ID, userID)
	if err != nil {
		return Explanation{}, err
	}
	sub, err := s.groups.Subject(ctx, g, actor, topicID)
	if err != nil {
		return Explanation{}, err
	}
	targetRole := permission.RoleNone
	if target != "" {
		m, err := s.groups.Member(ctx, g.ID, target)
		switch {
		case err == nil:
			targetRole = group.PermRole(m.Role)
		case !errors.Is(err, group.ErrNoMember):
			return Explanation{}, err
		}
	}
	return Explanation{Decision: permission.Explain(sub, a, targetRole), Subject: sub, Action: a}, nil
}
