package group

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-chat/hearth/internal/apierr"
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
	bus      event.Bus
	now      func() time.Time
	grants   GrantSource
	before   hook.Before
	cache    *memberCache
	profiles *profileCache

	onDestroy        []func(groupID string)
	onMembersRemoved []func(groupID string, users []string)
}

// OnMembersRemoved registers fn to be called after members left a group.
func (s *Service) OnMembersRemoved(fn func(groupID string, users []string)) {
	s.onMembersRemoved = append(s.onMembersRemoved, fn)
}

// OnDestroy registers fn to be called with the ID of a group after it was
// destroyed (caches of other domains forget it).
func (s *Service) OnDestroy(fn func(groupID string)) { s.onDestroy = append(s.onDestroy, fn) }

// NewService returns a Service. bus may be nil (no events); now nil means
// time.Now.
func NewService(store Store, accounts Accounts, bus event.Bus, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, accounts: accounts, bus: bus, now: now, cache: newMemberCache(DefaultCacheSize), profiles: newProfileCache()}
}

// SetBefore plugs in the app's before-callbacks (nil: none).
func (s *Service) SetBefore(b hook.Before) { s.before = b }

// Before returns the before-callbacks set by SetBefore, for the domains
// built on groups (topics, messages).
func (s *Service) Before() hook.Before { return s.before }

// SetGrantSource plugs in the permission-group domain.
func (s *Service) SetGrantSource(g GrantSource) { s.grants = g }

// Actor is who performs an operation: the app admin itself (UserID "") or a
// user the app admin acts for (From_Account / Operator_Account).
type Actor struct{ UserID string }

// AppAdmin is the app admin acting as itself.
var AppAdmin = Actor{}

func (s *Service) publish(ctx context.Context, typ, groupID, operator string, users []string, data any) {
	if s.bus == nil {
		return
	}
	s.bus.Publish(event.Event{Type: typ, GroupID: groupID, Operator: operator, Users: users, Time: s.now().UnixMilli(), Data: data, Origin: hook.OriginOf(ctx)})
}

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
	if g, ok := s.profiles.get(id); ok {
		return g, nil
	}
	epoch := s.profiles.begin()
	g, err := s.store.GetGroup(ctx, id)
	if err != nil {
		return Group{}, notFound(id, err)
	}
	s.profiles.put(epoch, g)
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
	if _, ok, found := s.cache.get(groupID, from); found && ok {
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
	err = s.store.DeleteGroup(ctx, g.ID)
	s.profiles.drop(g.ID)
	if err != nil {
		return notFound(id, err)
	}
	s.cache.dropGroup(g.ID)
	for _, fn := range s.onDestroy {
		fn(g.ID)
	}
	s.publish(ctx, "group.destroyed", g.ID, "", nil, g)
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
