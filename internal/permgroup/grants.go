package permgroup

import (
	"context"
	"errors"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/cache"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/permission"
)

// TopicGrants is what Grants needs of the topics: their default
// permissions (topic.Reader).
type TopicGrants interface {
	AppendGrants(ctx context.Context, dst []permission.Grant, g group.Group, userID, topicID string) ([]permission.Grant, error)
}

// Grants answers the permission engine's question "which grants does this
// member hold": it is the group Service's GrantSource.
type Grants struct {
	store  Store
	topics TopicGrants
	cache  *cache.Map[[]Grant]
}

// maxCachedGrants bounds the grant cache.
const maxCachedGrants = 1 << 20

// NewCache returns a node's grant cache (part: group ID, key: UserID), so
// that a permission decision on the send path reads no store.
// internal/invalidate drops entries when a change commits.
func NewCache() *cache.Map[[]Grant] { return cache.New[[]Grant](maxCachedGrants) }

// NewGrants returns the grants of store and topics, through c (nil: the
// store every time).
func NewGrants(store Store, topics TopicGrants, c *cache.Map[[]Grant]) *Grants {
	return &Grants{store: store, topics: topics, cache: c}
}

// userGrants returns a member's permission-group grants, from the cache
// when it can.
func (s *Grants) userGrants(ctx context.Context, groupID, userID string) ([]Grant, error) {
	if g, ok := s.cache.Get(groupID, userID); ok {
		return g, nil
	}
	epoch := s.cache.Begin()
	g, err := s.store.UserGrants(ctx, groupID, userID)
	if err != nil {
		return nil, err
	}
	s.cache.Put(epoch, groupID, userID, g)
	return g, nil
}

// AppendGrants implements group.GrantSource: the topic's default
// permission (inside a topic) and every permission group of the member,
// each with its community bits and its bits for topicID.
func (s *Grants) AppendGrants(ctx context.Context, dst []permission.Grant, g group.Group, userID, topicID string) ([]permission.Grant, error) {
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
