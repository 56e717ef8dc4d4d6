package group

import (
	"context"
	"errors"
	"fmt"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/hook"
	"github.com/hearth-chat/hearth/internal/text"
)

// Member returns userID's membership of groupID from the cache or the
// store; ErrNoMember when the user is not a member.
func (s *Service) Member(ctx context.Context, groupID, userID string) (Member, error) {
	if c, found := s.cache.Members.Get(groupID, userID); found {
		if !c.OK {
			return Member{}, ErrNoMember
		}
		return c.Member, nil
	}
	epoch := s.cache.Members.Begin()
	m, err := s.store.GetMember(ctx, groupID, userID)
	switch {
	case errors.Is(err, ErrNoMember):
		s.cache.Members.Put(epoch, groupID, userID, CachedMember{})
		return Member{}, ErrNoMember
	case err != nil:
		return Member{}, fmt.Errorf("get member: %w", err)
	}
	s.cache.Members.Put(epoch, groupID, userID, CachedMember{Member: m, OK: true})
	return m, nil
}

// Add results of add_group_member and import_group_member.
const (
	AddFailed  = 0
	AddOK      = 1
	AddAlready = 2
)

// AddItem is the outcome for one account.
type AddItem struct {
	UserID string
	Result int
}

// checkMemberList validates a list of UserIDs for a member operation.
func checkMemberList(field string, ids []string, max int) error {
	if len(ids) == 0 {
		return badParam("%s is empty", field)
	}
	if len(ids) > max {
		return apierr.New(apierr.GroupTooManyAccounts, "at most %d accounts in %s", max, field)
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id == "" {
			return badParam("%s holds an empty account", field)
		}
		if err := CheckUserIDs(field, id); err != nil {
			return err
		}
		if seen[id] {
			return badParam("%s holds %s twice", field, id)
		}
		seen[id] = true
	}
	return nil
}

// AddMembers adds accounts to a group (add_group_member): each item answers
// 1 added, 2 already a member, 0 not an imported account. When the group
// cannot take them all, nothing is added (10014).
func (s *Service) AddMembers(ctx context.Context, groupID string, ids []string) ([]AddItem, error) {
	nm := make([]NewMember, len(ids))
	for i, id := range ids {
		nm[i] = NewMember{UserID: id}
	}
	return s.addMembers(ctx, groupID, nm, false)
}

// ImportMembers adds members with their roles and join times
// (import_group_member), without notifications.
func (s *Service) ImportMembers(ctx context.Context, groupID string, members []NewMember) ([]AddItem, error) {
	return s.addMembers(ctx, groupID, members, true)
}

func (s *Service) addMembers(ctx context.Context, groupID string, list []NewMember, imported bool) ([]AddItem, error) {
	g, err := s.Get(ctx, groupID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(list))
	for i, m := range list {
		ids[i] = m.UserID
		if m.Role != "" && m.Role != string(RoleAdmin) && m.Role != string(RoleMember) {
			return nil, badParam("Role of %s must be Admin or Member", m.UserID)
		}
		if m.JoinTime < 0 {
			return nil, badParam("JoinTime of %s must not be negative", m.UserID)
		}
	}
	if err := checkMemberList("MemberList", ids, MaxAddMembers); err != nil {
		return nil, err
	}
	if g.Type == AVChatRoom {
		return nil, apierr.New(apierr.GroupNoPermission, "members join AVChatRoom groups through the client; they cannot be added")
	}
	if err := s.refuseBanned(ctx, g, ids); err != nil {
		return nil, err
	}
	exist, err := s.accounts.ExistingAccounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	if !imported {
		if hook.On(s.before, hook.BeforeInviteJoinGroup) {
			q := InviteQuestion{GroupID: g.ID, Type: g.Type, Members: make([]string, 0, len(ids))}
			for _, id := range ids {
				if exist[id] {
					q.Members = append(q.Members, id)
				}
			}
			reply, err := s.before.Ask(ctx, q)
			if err != nil {
				return nil, err
			}
			for _, id := range reply.Refused {
				exist[id] = false // answered as not added (Result 0)
			}
		}
	}
	now := s.now().Unix()
	add := make([]Member, 0, len(list))
	for _, m := range list {
		if !exist[m.UserID] {
			continue
		}
		role := RoleMember
		if m.Role == string(RoleAdmin) {
			role = RoleAdmin
		}
		join := now
		if imported && m.JoinTime > 0 {
			join = m.JoinTime
		}
		add = append(add, Member{GroupID: g.ID, UserID: m.UserID, Role: role, JoinTime: join, MsgFlag: AcceptAndNotify})
	}
	res, err := s.store.AddMembers(ctx, g.ID, add, g.MaxMemberNum)
	switch {
	case errors.Is(err, ErrFull):
		return nil, apierr.New(apierr.GroupFull, "group %s cannot take these members: at most %d", g.ID, g.MaxMemberNum)
	case errors.Is(err, account.ErrNotFound): // an account was deleted meanwhile
		return nil, apierr.New(apierr.GroupAccountNotFound, "an account in MemberList was deleted while being added; retry")
	case err != nil:
		return nil, notFound(g.ID, err)
	}
	result := make(map[string]int, len(ids))
	for _, id := range res.Added {
		result[id] = AddOK
	}
	for _, id := range res.Already {
		result[id] = AddAlready
	}
	out := make([]AddItem, len(ids))
	for i, id := range ids {
		out[i] = AddItem{UserID: id, Result: result[id]}
	}
	if len(res.Added) > 0 && !imported {
		s.publish(ctx, MembersAdded{GroupID: g.ID, GroupType: g.Type, Members: res.Added})
	} else if len(res.Added) > 0 {
		s.publish(ctx, Imported{GroupID: g.ID, Members: res.Added})
	}
	return out, nil
}

// DeleteMembers removes members (delete_group_member). The owner cannot be
// removed; accounts that are not members are ignored.
func (s *Service) DeleteMembers(ctx context.Context, groupID string, ids []string, reason string) error {
	g, err := s.Get(ctx, groupID)
	if err != nil {
		return err
	}
	if err := checkMemberList("MemberToDel_Account", ids, MaxDeleteMembers); err != nil {
		return err
	}
	if p := text.Problem(reason); p != "" {
		return badParam("Reason %s", p)
	}
	for _, id := range ids {
		if id == g.Owner {
			return apierr.New(apierr.GroupNoPermission, "the owner %s cannot be removed: change the owner first", id)
		}
	}
	removed, err := s.store.DeleteMembers(ctx, g.ID, ids)
	if err != nil {
		return notFound(g.ID, err)
	}
	if len(removed) > 0 {
		s.publish(ctx, MembersRemoved{GroupID: g.ID, GroupType: g.Type, Members: removed, Reason: reason})
	}
	return nil
}

// MemberUpdate is modify_group_member_info after decoding.
type MemberUpdate struct {
	GroupID        string
	UserID         string
	Role           *string
	MsgFlag        *string
	NameCard       *string
	MuteSeconds    *int64 // MuteTime / ShutUpTime: 0 unmutes
	AppDefinedData []KV
}

// ModifyMember changes one member (modify_group_member_info).
func (s *Service) ModifyMember(ctx context.Context, u MemberUpdate) (Member, error) {
	g, err := s.Get(ctx, u.GroupID)
	if err != nil {
		return Member{}, err
	}
	if err := CheckUserIDs("Member_Account", u.UserID); err != nil {
		return Member{}, err
	}
	m, err := s.Member(ctx, g.ID, u.UserID)
	if errors.Is(err, ErrNoMember) {
		return Member{}, badParam("%s is not a member of %s", u.UserID, g.ID)
	}
	if err != nil {
		return Member{}, err
	}
	var p MemberPatch
	if u.Role != nil {
		if *u.Role != string(RoleAdmin) && *u.Role != string(RoleMember) {
			return Member{}, badParam("Role must be Admin or Member")
		}
		if m.Role == RoleOwner {
			return Member{}, apierr.New(apierr.GroupNoPermission, "the owner's role cannot be changed: use change_group_owner")
		}
		r := Role(*u.Role)
		p.Role = &r
	}
	if err := oneOf("MsgFlag", u.MsgFlag, AcceptAndNotify, AcceptNotNotify, Discard); err != nil {
		return Member{}, err
	}
	p.MsgFlag = u.MsgFlag
	if err := checkLen("NameCard", u.NameCard, MaxNameCardBytes); err != nil {
		return Member{}, err
	}
	p.NameCard = u.NameCard
	if u.MuteSeconds != nil {
		until, err := s.muteUntil(*u.MuteSeconds)
		if err != nil {
			return Member{}, err
		}
		if until != 0 {
			if err := muteSupported(g.Type); err != nil {
				return Member{}, err
			}
		}
		if m.Role == RoleOwner && until != 0 {
			return Member{}, apierr.New(apierr.GroupNoPermission, "the owner cannot be muted")
		}
		p.MuteUntil = &until
	}
	if len(u.AppDefinedData) > 0 {
		if err := checkAppData("AppMemberDefinedData", u.AppDefinedData, MaxMemberDataKeys, MaxMemberDataValBytes); err != nil {
			return Member{}, err
		}
		if n := len(MergeAppData(m.AppDefinedData, u.AppDefinedData)); n > MaxMemberDataKeys {
			return Member{}, badParam("the member would have %d AppMemberDefinedData keys; at most %d", n, MaxMemberDataKeys)
		}
		p.AppDefinedData = u.AppDefinedData
	}
	after, err := s.store.ModifyMember(ctx, g.ID, u.UserID, p)
	if err != nil {
		if errors.Is(err, ErrNoMember) {
			return Member{}, badParam("%s is not a member of %s", u.UserID, g.ID)
		}
		return Member{}, err
	}
	s.publish(ctx, MemberModified{GroupID: g.ID, Member: after})
	return after, nil
}

// muteSupported refuses muting members of a Private (Work) group: that type
// has no member muting (10007, the code of an operation the group type does
// not allow).
func muteSupported(t Type) error {
	if t == Private {
		return apierr.New(apierr.GroupNoPermission, "%s (Work) groups do not support muting members", t)
	}
	return nil
}

// muteUntil turns a MuteTime in seconds into an absolute time: 0 unmutes,
// MuteForever mutes for good.
func (s *Service) muteUntil(seconds int64) (int64, error) {
	switch {
	case seconds < 0 || seconds > MaxMuteSeconds:
		return 0, badParam("MuteTime must be 0..%d seconds", int64(MaxMuteSeconds))
	case seconds == 0:
		return 0, nil
	case seconds == MuteForever:
		return MuteForever, nil
	}
	return s.now().Unix() + seconds, nil
}

// CheckMute validates a forbid_send_msg request on g and returns the
// absolute time the mute ends (0 to unmute).
func (s *Service) CheckMute(g Group, ids []string, muteTime *int64) (int64, error) {
	if err := muteSupported(g.Type); err != nil {
		return 0, err
	}
	if err := checkMemberList("Members_Account", ids, MaxMuteMembers); err != nil {
		return 0, err
	}
	if muteTime == nil {
		return 0, badParam("MuteTime is required (seconds; 0 unmutes)")
	}
	until, err := s.muteUntil(*muteTime)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if id == g.Owner && until != 0 {
			return 0, apierr.New(apierr.GroupNoPermission, "the owner %s cannot be muted", id)
		}
	}
	return until, nil
}

// Mute mutes (or with 0 unmutes) members for muteTime seconds
// (forbid_send_msg). Accounts that are not members are ignored; the owner
// cannot be muted.
func (s *Service) Mute(ctx context.Context, groupID string, ids []string, muteTime *int64) error {
	g, err := s.Get(ctx, groupID)
	if err != nil {
		return err
	}
	until, err := s.CheckMute(g, ids, muteTime)
	if err != nil {
		return err
	}
	muted, err := s.store.SetMuteUntil(ctx, g.ID, ids, until)
	if err != nil {
		return notFound(g.ID, err)
	}
	if len(muted) > 0 {
		s.publish(ctx, MembersMuted{GroupID: g.ID, Members: muted, Until: until})
	}
	return nil
}

// Muted lists members muted now (get_group_muted_account).
func (s *Service) Muted(ctx context.Context, groupID string) ([]Member, error) {
	g, err := s.Get(ctx, groupID)
	if err != nil {
		return nil, err
	}
	return s.store.MutedMembers(ctx, g.ID, s.now().Unix())
}

// Roles answers each account's role in a group, "NotMember" for those
// outside it (get_role_in_group).
func (s *Service) Roles(ctx context.Context, groupID string, ids []string) ([]string, error) {
	g, err := s.Get(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, badParam("User_Account is empty")
	}
	if len(ids) > MaxRoleQuery {
		return nil, apierr.New(apierr.GroupTooManyAccounts, "at most %d accounts in User_Account", MaxRoleQuery)
	}
	if err := CheckUserIDs("User_Account", ids...); err != nil {
		return nil, err
	}
	found, err := s.store.GetMembers(ctx, g.ID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		if m, ok := found[id]; ok {
			out[i] = string(m.Role)
		} else {
			out[i] = "NotMember"
		}
	}
	return out, nil
}
