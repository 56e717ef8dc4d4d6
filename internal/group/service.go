package group

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/cache"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/hook"
	"github.com/hearth-chat/hearth/internal/permission"
)

// Accounts is what the group domain needs to know about accounts.
type Accounts interface {
	ExistingAccounts(ctx context.Context, ids []string) (map[string]bool, error)
}

// GrantSource supplies the permission grants of a member beyond the
// community's DefaultPermission: its permission groups' bits, and the
// topic's default and permission-group bits when topicID is set. The
// permission-group domain provides it; nil means there are none.
type GrantSource interface {
	// AppendGrants appends the grants to dst and returns it (so that the
	// send path builds the grant list in one allocation).
	AppendGrants(ctx context.Context, dst []permission.Grant, g Group, userID, topicID string) ([]permission.Grant, error)
}

// Service applies the group rules over a Store.
type Service struct {
	store    Store
	accounts Accounts
	bus      event.Publisher
	now      func() time.Time
	grants   GrantSource
	before   hook.Before
	cache    Cache
}

// Cache is what the group domain caches: profiles by group ID, and
// memberships (and non-memberships) by group and user, so that the question
// asked on every message, "is U a member of G, with what role and mute
// state", usually costs no store read. internal/invalidate drops entries
// when a change commits. A cached profile's NextMsgSeq and LastMsgTime may
// lag (they move with every message): Info reads those from the store.
type Cache struct {
	Profiles *cache.Map[Group]        // part: group ID, key ""
	Members  *cache.Map[CachedMember] // part: group ID, key: UserID
}

// CachedMember is a cached membership: Member when OK, else known not to be
// a member.
type CachedMember struct {
	Member Member
	OK     bool
}

// DefaultCacheSize is how many (group, user) memberships a node keeps in
// memory.
const DefaultCacheSize = 1 << 20

// maxCachedGroups bounds the profile cache.
const maxCachedGroups = 1 << 16

// NewCache returns the caches of a node.
func NewCache() Cache {
	return Cache{Profiles: cache.New[Group](maxCachedGroups), Members: cache.New[CachedMember](DefaultCacheSize)}
}

// Option is a collaborator of the Service beyond the required ones.
type Option func(*Service)

// WithBefore asks the app's before-callbacks (none without it).
func WithBefore(b hook.Before) Option { return func(s *Service) { s.before = b } }

// WithGrants takes the grants of permission groups and topics from g (none
// beyond the community's DefaultPermission without it).
func WithGrants(g GrantSource) Option { return func(s *Service) { s.grants = g } }

// WithCache reads through c (the store every time without it).
func WithCache(c Cache) Option { return func(s *Service) { s.cache = c } }

// NewService returns a Service. bus may be nil (no events); now nil means
// time.Now.
func NewService(store Store, accounts Accounts, bus event.Publisher, now func() time.Time, opts ...Option) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{store: store, accounts: accounts, bus: bus, now: now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Before returns the before-callbacks, for the domains built on groups
// (topics, messages).
func (s *Service) Before() hook.Before { return s.before }

// Actor is who performs an operation: the app admin itself (UserID "") or a
// user the app admin acts for (From_Account / Operator_Account).
type Actor struct{ UserID string }

// AppAdmin is the app admin acting as itself.
var AppAdmin = Actor{}

// notFound maps a store's ErrNotFound to 10010.
func notFound(id string, err error) error {
	if errors.Is(err, ErrNotFound) {
		return apierr.New(apierr.GroupNotFound, "group %s does not exist or was dissolved", id)
	}
	return err
}

// Get returns a group, with 10015 for a malformed ID and 10010 for a
// missing group, from the profile cache when it can (its NextMsgSeq and
// LastMsgTime may lag; Info reads them from the store).
func (s *Service) Get(ctx context.Context, id string) (Group, error) {
	if id == "" {
		return Group{}, badParam("GroupId is required")
	}
	if !ValidID(id) {
		return Group{}, apierr.New(apierr.GroupBadID, "GroupId %q is not a valid group ID", id)
	}
	if g, ok := s.cache.Profiles.Get(id, ""); ok {
		return g, nil
	}
	epoch := s.cache.Profiles.Begin()
	g, err := s.store.GetGroup(ctx, id)
	if err != nil {
		return Group{}, notFound(id, err)
	}
	s.cache.Profiles.Put(epoch, id, "", g)
	return g, nil
}

// kind maps a group type to the permission engine's kind.
func kind(t Type) permission.GroupKind {
	switch t {
	case Private:
		return permission.KindPrivate
	case Public:
		return permission.KindPublic
	case ChatRoom:
		return permission.KindChatRoom
	case AVChatRoom:
		return permission.KindAVChatRoom
	default:
		return permission.KindCommunity
	}
}

// PermRole maps a group role to the permission engine's.
func PermRole(r Role) permission.Role {
	switch r {
	case RoleOwner:
		return permission.RoleOwner
	case RoleAdmin:
		return permission.RoleAdmin
	case RoleMember:
		return permission.RoleMember
	}
	return permission.RoleNone
}

// grantsCap is the grant list capacity allocated up front: the community
// default, the topic default and up to ten permission groups.
const grantsCap = 12

// Subject builds the permission engine's view of actor in g (and topicID
// when set).
func (s *Service) Subject(ctx context.Context, g Group, actor Actor, topicID string) (permission.Subject, error) {
	if actor.UserID == "" {
		return permission.Subject{AppAdmin: true, Kind: kind(g.Type), InTopic: topicID != ""}, nil
	}
	sub := permission.Subject{Kind: kind(g.Type), PermissionMode: g.Type == Community && g.EnablePermission, InTopic: topicID != ""}
	m, err := s.Member(ctx, g.ID, actor.UserID)
	switch {
	case errors.Is(err, ErrNoMember):
		return sub, nil
	case err != nil:
		return sub, err
	}
	sub.Role = PermRole(m.Role)
	if sub.PermissionMode && m.Role != RoleOwner {
		sub.Grants = make([]permission.Grant, 1, grantsCap)
		sub.Grants[0] = permission.Grant{Source: "default", Community: g.DefaultPermission}
		if s.grants != nil {
			if sub.Grants, err = s.grants.AppendGrants(ctx, sub.Grants, g, actor.UserID, topicID); err != nil {
				return sub, err
			}
		}
	}
	return sub, nil
}

// Authorize answers 10007 unless actor may do a in g (on a member of role
// target; in topicID when set).
func (s *Service) Authorize(ctx context.Context, g Group, actor Actor, a permission.Action, target Role, topicID string) error {
	sub, err := s.Subject(ctx, g, actor, topicID)
	if err != nil {
		return err
	}
	if d := permission.Decide(sub, a, PermRole(target)); !d.Allowed {
		who := actor.UserID
		return apierr.New(apierr.GroupNoPermission, "%s may not %s in %s: %s", who, a, g.ID, d.Reason)
	}
	return nil
}

// Operator checks that a From_Account acting in group groupID names an
// imported account and returns the Actor it means. A cached membership of
// that group answers without a store read (memberships go with their
// account), which keeps the send path free of I/O.
func (s *Service) Operator(ctx context.Context, groupID, from string) (Actor, error) {
	if from == "" {
		return AppAdmin, nil
	}
	if err := CheckUserIDs("From_Account", from); err != nil {
		return Actor{}, err
	}
	if m, found := s.cache.Members.Get(groupID, from); found && m.OK {
		return Actor{UserID: from}, nil
	}
	exist, err := s.accounts.ExistingAccounts(ctx, []string{from})
	if err != nil {
		return Actor{}, err
	}
	if !exist[from] {
		return Actor{}, apierr.New(apierr.GroupBadOperator, "operator %s is not an imported account", from)
	}
	return Actor{UserID: from}, nil
}

// Destroy dissolves a group (destroy_group).
func (s *Service) Destroy(ctx context.Context, id string) error {
	g, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := s.store.DeleteGroup(ctx, g.ID); err != nil {
		return notFound(id, err)
	}
	s.publish(ctx, Destroyed{Group: g})
	return nil
}

// List pages through the app's group IDs (get_appid_group_list).
func (s *Service) List(ctx context.Context, typeName string, cursor uint64, limit int) ([]string, uint64, int, error) {
	var t Type
	if typeName != "" {
		var ok bool
		if t, ok = ParseType(typeName); !ok {
			return nil, 0, 0, badParam("GroupType %q is not a group type", typeName)
		}
	}
	if limit < 0 || limit > MaxListGroups {
		return nil, 0, 0, badParam("Limit must be 0..%d", MaxListGroups)
	}
	if limit == 0 {
		limit = MaxListGroups
	}
	ids, next, total, err := s.store.ListGroups(ctx, t, cursor, limit)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("list groups: %w", err)
	}
	if ids == nil {
		ids = []string{}
	}
	return ids, next, total, nil
}
