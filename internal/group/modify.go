package group

import (
	"context"
	"errors"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/permission"
)

// ModifyRequest is modify_group_base_info after decoding.
type ModifyRequest struct {
	GroupID              string
	From                 string // operator; "" is the app admin
	Name                 *string
	Introduction         *string
	Notification         *string
	FaceURL              *string
	MaxMemberNum         *int
	ApplyJoinOption      *string
	InviteJoinOption     *string
	MuteAllMember        *string
	HistoryMsgBeforeJoin *string
	EnablePermission     *int
	DefaultPermission    *uint64
	AppDefinedData       []KV
}

// Modify changes a group's profile (modify_group_base_info). Every field
// is checked before anything changes.
func (s *Service) Modify(ctx context.Context, req ModifyRequest) (Group, error) {
	g, err := s.Get(ctx, req.GroupID)
	if err != nil {
		return Group{}, err
	}
	actor, err := s.Operator(ctx, g.ID, req.From)
	if err != nil {
		return Group{}, err
	}
	p, err := s.patch(g, req)
	if err != nil {
		return Group{}, err
	}
	if err := s.Authorize(ctx, g, actor, permission.ModifyGroupInfo, "", ""); err != nil {
		return Group{}, err
	}
	if (p.EnablePermission != nil || p.DefaultPermission != nil) && actor.UserID != "" && actor.UserID != g.Owner {
		return Group{}, apierr.New(apierr.GroupNoPermission, "only the owner or the app admin may change EnablePermission or DefaultPermission")
	}
	after, err := s.store.ModifyGroup(ctx, g.ID, p)
	if err != nil {
		return Group{}, notFound(g.ID, err)
	}
	s.publish(ctx, Modified{GroupID: g.ID, Group: after, Operator: actor.UserID})
	return after, nil
}

// patch validates req against g and returns the store patch.
func (s *Service) patch(g Group, req ModifyRequest) (GroupPatch, error) {
	p := GroupPatch{Name: req.Name, Introduction: req.Introduction, Notification: req.Notification, FaceURL: req.FaceURL,
		ApplyJoinOption: req.ApplyJoinOption, InviteJoinOption: req.InviteJoinOption, InfoTime: s.now().Unix()}
	if req.Name != nil && *req.Name == "" {
		return p, badParam("Name cannot be empty")
	}
	for _, c := range []struct {
		field string
		v     *string
		max   int
	}{
		{"Name", req.Name, MaxNameBytes},
		{"Introduction", req.Introduction, MaxIntroductionBytes},
		{"Notification", req.Notification, MaxNotificationBytes},
		{"FaceUrl", req.FaceURL, MaxFaceURLBytes},
	} {
		if err := checkLen(c.field, c.v, c.max); err != nil {
			return p, err
		}
	}
	if err := oneOf("ApplyJoinOption", req.ApplyJoinOption, FreeAccess, NeedPermission, DisableApply); err != nil {
		return p, err
	}
	if err := oneOf("InviteJoinOption", req.InviteJoinOption, FreeAccess, NeedPermission, DisableInvite); err != nil {
		return p, err
	}
	if req.InviteJoinOption != nil && g.Type == AVChatRoom {
		return p, badParam("InviteJoinOption does not apply to AVChatRoom groups")
	}
	// A zero an SDK sends for a field it leaves alone means "unchanged":
	// MaxMemberNum 0, EnablePermission 0 where there are no topics, and
	// DefaultPermission 0 while permissions stay off.
	if req.MaxMemberNum != nil && *req.MaxMemberNum == 0 {
		req.MaxMemberNum = nil
	}
	if req.EnablePermission != nil && *req.EnablePermission == 0 && !(g.Type == Community && g.SupportTopic) {
		req.EnablePermission = nil
	}
	if req.MaxMemberNum != nil {
		n, limit := *req.MaxMemberNum, MemberLimit(g.Type)
		if n < 1 || (limit > 0 && n > limit) || n < g.MemberNum {
			return p, badParam("MaxMemberNum must be between the current member count %d and the %s limit %d", g.MemberNum, g.Type, limit)
		}
		p.MaxMemberNum = &n
	}
	var err error
	if p.MuteAllMember, err = OnOff("MuteAllMember", req.MuteAllMember); err != nil {
		return p, err
	}
	if p.HistoryMsgBeforeJoin, err = OnOff("HistoryMsgBeforeJoin", req.HistoryMsgBeforeJoin); err != nil {
		return p, err
	}
	if p.HistoryMsgBeforeJoin != nil && (g.Type == AVChatRoom || g.Type == Community) {
		return p, badParam("HistoryMsgBeforeJoin applies only to Work, Public and Meeting groups")
	}
	if req.EnablePermission != nil {
		if *req.EnablePermission != 0 && *req.EnablePermission != 1 {
			return p, badParam("EnablePermission must be 0 or 1")
		}
		if !(g.Type == Community && g.SupportTopic) {
			return p, badParam("EnablePermission applies only to Communities with SupportTopic 1")
		}
		on := *req.EnablePermission == 1
		p.EnablePermission = &on
	}
	if req.DefaultPermission != nil {
		enabled := g.EnablePermission
		if p.EnablePermission != nil {
			enabled = *p.EnablePermission
		}
		switch {
		case !enabled && *req.DefaultPermission == 0:
			req.DefaultPermission = nil
		case !enabled:
			return p, badParam("DefaultPermission needs EnablePermission 1")
		}
	}
	if req.DefaultPermission != nil {
		if *req.DefaultPermission&^permission.AllCommunityBits != 0 {
			return p, badParam("DefaultPermission has bits outside %d", permission.AllCommunityBits)
		}
		p.DefaultPermission = req.DefaultPermission
	}
	if len(req.AppDefinedData) > 0 {
		if err := checkAppData("AppDefinedData", req.AppDefinedData, MaxAppDataKeys, MaxAppDataValueBytes); err != nil {
			return p, err
		}
		if n := len(MergeAppData(g.AppDefinedData, req.AppDefinedData)); n > MaxAppDataKeys {
			return p, badParam("the group would have %d AppDefinedData keys; at most %d", n, MaxAppDataKeys)
		}
		p.AppDefinedData = req.AppDefinedData
	}
	return p, nil
}

// ChangeOwner makes newOwner, a member, the owner (change_group_owner).
func (s *Service) ChangeOwner(ctx context.Context, groupID, newOwner, from string) error {
	g, err := s.Get(ctx, groupID)
	if err != nil {
		return err
	}
	if err := CheckUserIDs("NewOwner_Account", newOwner); err != nil {
		return err
	}
	actor, err := s.Operator(ctx, g.ID, from)
	if err != nil {
		return err
	}
	if err := s.Authorize(ctx, g, actor, permission.ChangeOwner, "", ""); err != nil {
		return err
	}
	if newOwner == g.Owner {
		return nil
	}
	err = s.store.ChangeOwner(ctx, g.ID, newOwner)
	if err != nil {
		if errors.Is(err, ErrNoMember) {
			return badParam("NewOwner_Account %s is not a member of %s", newOwner, g.ID)
		}
		return notFound(g.ID, err)
	}
	s.publish(ctx, OwnerChanged{GroupID: g.ID, GroupType: g.Type, NewOwner: newOwner, OldOwner: g.Owner, Operator: actor.UserID})
	return nil
}
