package group

import (
	"context"
	"fmt"
	"strings"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/permission"
	"github.com/hearth-chat/hearth/internal/text"
)

// Limits of bans (ban_group_member, unban_group_member,
// get_group_ban_member), lengths in UTF-8 bytes.
const (
	MaxBanMembers        = 20         // Members_Account of ban and unban
	MaxBanDescription    = 1000       // Description
	MaxBanSeconds        = 4294967295 // Duration: an unsigned 32-bit number of seconds
	MaxBanPage           = 100        // get_group_ban_member Limit
	DefaultBanPageLength = MaxBanPage // when Limit is 0 or missing
)

// Ban is one user banned from a group: not a member, and not to become one
// again while now < Until.
type Ban struct {
	GroupID     string
	UserID      string
	Until       int64 // unix seconds
	Description string
	Created     int64 // unix seconds
}

// BanStore is the storage bans need. Each method is one transaction.
type BanStore interface {
	// BanMembers bans userIDs (accounts) from groupID until until, replacing
	// any earlier ban of theirs, and in the same transaction removes those
	// of them that are members (as DeleteMembers does, fixing the count and
	// the owner). It returns the UserIDs that were members, in the order of
	// userIDs. ErrNotFound when the group does not exist.
	BanMembers(ctx context.Context, groupID string, userIDs []string, until int64, description string, now int64) (removed []string, err error)
	// UnbanMembers deletes the bans of userIDs and returns the UserIDs
	// whose ban was still in force at now, in the order of userIDs.
	UnbanMembers(ctx context.Context, groupID string, userIDs []string, now int64) ([]string, error)
	// ActiveBans returns the bans of userIDs in force at now (Until > now).
	ActiveBans(ctx context.Context, groupID string, userIDs []string, now int64) (map[string]Ban, error)
	// ListBans returns up to limit bans of groupID in force at now, in the
	// order they end (then by UserID), skipping offset, and the number of
	// bans in force.
	ListBans(ctx context.Context, groupID string, now int64, offset, limit int) ([]Ban, int, error)
}

// MembersBanned: ban_group_member banned Members until Until (those of
// them that were members are also in a MembersRemoved). Only sessions care.
type MembersBanned struct {
	GroupID     string
	GroupType   Type
	Members     []string
	Until       int64
	Description string
	Operator    string // "" for the app admin
}

// MembersUnbanned: unban_group_member lifted the bans of Members.
type MembersUnbanned struct {
	GroupID  string
	Members  []string
	Operator string
}

func (MembersBanned) Kind() string   { return "group.members_banned" }
func (MembersUnbanned) Kind() string { return "group.members_unbanned" }

func (c MembersBanned) Scope() event.Scope { return event.Scope{GroupID: c.GroupID, Users: c.Members} }
func (c MembersUnbanned) Scope() event.Scope {
	return event.Scope{GroupID: c.GroupID, Users: c.Members}
}

func (MembersBanned) Routed()   {}
func (MembersUnbanned) Routed() {}

func init() {
	event.Register[MembersBanned]()
	event.Register[MembersUnbanned]()
}

// BanRequest is ban_group_member after decoding.
type BanRequest struct {
	GroupID     string
	Actor       Actor // the app admin, or a member acting under BanMember
	Members     []string
	Duration    *int64 // seconds, required: 1..MaxBanSeconds
	Description string
}

// Ban bans members from a group (ban_group_member): each is removed from
// the group if a member (with MembersRemoved and its after-callback) and
// cannot be added again until the ban ends. A member acting needs
// BanMember over each target's role; the owner cannot be banned.
func (s *Service) Ban(ctx context.Context, req BanRequest) error {
	g, err := s.Get(ctx, req.GroupID)
	if err != nil {
		return err
	}
	if err := checkMemberList("Members_Account", req.Members, MaxBanMembers); err != nil {
		return err
	}
	if req.Duration == nil {
		return badParam("Duration is required (seconds)")
	}
	if d := *req.Duration; d < 1 || d > MaxBanSeconds {
		return badParam("Duration must be 1..%d seconds", int64(MaxBanSeconds))
	}
	if len(req.Description) > MaxBanDescription {
		return badParam("Description is longer than %d bytes", MaxBanDescription)
	}
	if p := text.Problem(req.Description); p != "" {
		return badParam("Description %s", p)
	}
	if err := s.authorizeOn(ctx, g, req.Actor, permission.BanMember, req.Members); err != nil {
		return err
	}
	exist, err := s.accounts.ExistingAccounts(ctx, req.Members)
	if err != nil {
		return err
	}
	var missing []string
	for _, id := range req.Members {
		if !exist[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return apierr.New(apierr.GroupAccountNotFound, "not imported accounts in Members_Account: %s", strings.Join(missing, ", "))
	}
	now := s.now().Unix()
	until := now + *req.Duration
	removed, err := s.store.BanMembers(ctx, g.ID, req.Members, until, req.Description, now)
	if err != nil {
		return notFound(g.ID, fmt.Errorf("ban members: %w", err))
	}
	s.publish(ctx, MembersBanned{GroupID: g.ID, GroupType: g.Type, Members: req.Members, Until: until,
		Description: req.Description, Operator: req.Actor.UserID})
	if len(removed) > 0 {
		s.publish(ctx, MembersRemoved{GroupID: g.ID, GroupType: g.Type, Members: removed, Reason: req.Description})
	}
	return nil
}

// authorizeOn answers 10007 unless actor may do a on each of ids: the
// owner never, a member per the permission engine (on the target's role;
// a non-member counts as a plain member).
func (s *Service) authorizeOn(ctx context.Context, g Group, actor Actor, a permission.Action, ids []string) error {
	for _, id := range ids {
		if id == g.Owner {
			return apierr.New(apierr.GroupNoPermission, "the owner %s cannot be banned", id)
		}
	}
	if actor.UserID == "" {
		return nil
	}
	members, err := s.store.GetMembers(ctx, g.ID, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		target := RoleMember
		if m, ok := members[id]; ok {
			target = m.Role
		}
		if err := s.Authorize(ctx, g, actor, a, target, ""); err != nil {
			return err
		}
	}
	return nil
}

// Unban lifts the bans of members (unban_group_member); accounts that are
// not banned are ignored.
func (s *Service) Unban(ctx context.Context, groupID string, actor Actor, ids []string) error {
	g, err := s.Get(ctx, groupID)
	if err != nil {
		return err
	}
	if err := checkMemberList("Members_Account", ids, MaxBanMembers); err != nil {
		return err
	}
	if err := s.authorizeOn(ctx, g, actor, permission.BanMember, ids); err != nil {
		return err
	}
	lifted, err := s.store.UnbanMembers(ctx, g.ID, ids, s.now().Unix())
	if err != nil {
		return notFound(g.ID, fmt.Errorf("unban members: %w", err))
	}
	if len(lifted) > 0 {
		s.publish(ctx, MembersUnbanned{GroupID: g.ID, Members: lifted, Operator: actor.UserID})
	}
	return nil
}

// BanPage is one page of get_group_ban_member.
type BanPage struct {
	Bans       []Ban
	NextOffset int // 0 when this page is the last
}

// Bans lists the bans in force in a group, in the order they end
// (get_group_ban_member). limit 0 means DefaultBanPageLength.
func (s *Service) Bans(ctx context.Context, groupID string, offset, limit int) (BanPage, error) {
	g, err := s.Get(ctx, groupID)
	if err != nil {
		return BanPage{}, err
	}
	if limit < 0 || limit > MaxBanPage {
		return BanPage{}, badParam("Limit must be 0..%d", MaxBanPage)
	}
	if offset < 0 {
		return BanPage{}, badParam("Offset must not be negative")
	}
	if limit == 0 {
		limit = DefaultBanPageLength
	}
	bans, total, err := s.store.ListBans(ctx, g.ID, s.now().Unix(), offset, limit)
	if err != nil {
		return BanPage{}, fmt.Errorf("list bans: %w", err)
	}
	page := BanPage{Bans: bans}
	if next := offset + len(bans); len(bans) > 0 && next < total {
		page.NextOffset = next
	}
	return page, nil
}

// refuseBanned answers 10007 when one of ids is banned from g now: nobody
// banned becomes a member again before the ban ends.
func (s *Service) refuseBanned(ctx context.Context, g Group, ids []string) error {
	bans, err := s.store.ActiveBans(ctx, g.ID, ids, s.now().Unix())
	if err != nil {
		return fmt.Errorf("active bans: %w", err)
	}
	for _, id := range ids {
		if b, ok := bans[id]; ok {
			return apierr.New(apierr.GroupNoPermission, "%s is banned from %s until %d", id, g.ID, b.Until)
		}
	}
	return nil
}
