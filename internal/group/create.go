package group

import (
	"context"
	"errors"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/hook"
	"github.com/hearth-chat/hearth/internal/permission"
)

// NewMember is one member to add at creation or by import.
type NewMember struct {
	UserID         string
	Role           string // "", "Member" or "Admin"
	AppDefinedData []KV
	JoinTime       int64 // import only; 0 means now
}

// CreateRequest is create_group / import_group after decoding.
type CreateRequest struct {
	Owner             string
	Type              string
	GroupID           string
	Name              string
	Introduction      *string
	Notification      *string
	FaceURL           *string
	MaxMemberNum      int // 0: the type's limit
	ApplyJoinOption   *string
	InviteJoinOption  *string
	AppDefinedData    []KV
	Members           []NewMember
	SupportTopic      int
	EnablePermission  int
	DefaultPermission *uint64
	CreateTime        int64 // import_group only; 0 means now
}

// Create makes a group (create_group) and returns its ID.
func (s *Service) Create(ctx context.Context, req CreateRequest) (string, error) {
	return s.create(ctx, req, false)
}

// Import makes a group with a given creation time, without callbacks or
// notifications (import_group), for migrating from the hosted service.
func (s *Service) Import(ctx context.Context, req CreateRequest) (string, error) {
	return s.create(ctx, req, true)
}

func (s *Service) create(ctx context.Context, req CreateRequest, imported bool) (string, error) {
	g, members, err := s.buildGroup(ctx, req, imported)
	if err != nil {
		return "", err
	}
	if !imported {
		if hook.On(s.before, hook.BeforeCreateGroup) {
			if _, err := s.before.Ask(ctx, s.createQuestion(ctx, g, members)); err != nil {
				return "", err
			}
		}
	}
	for attempt := 0; ; attempt++ {
		err = s.store.CreateGroup(ctx, g, members)
		if !errors.Is(err, ErrExists) {
			break
		}
		if req.GroupID != "" {
			return "", s.idTaken(ctx, req.GroupID, req.Owner)
		}
		if attempt == 3 {
			return "", err
		}
		g.ID = NewID(g.Type) // a generated ID collided: draw again
		for i := range members {
			members[i].GroupID = g.ID
		}
	}
	if errors.Is(err, account.ErrNotFound) {
		return "", apierr.New(apierr.GroupAccountNotFound, "an account of the new group was deleted while it was created; retry")
	}
	if err != nil {
		return "", err
	}
	users := make([]string, len(members))
	for i, m := range members {
		users[i] = m.UserID
	}
	if !imported {
		s.publish(ctx, Created{Group: g, Operator: req.Owner, Members: users})
	} else {
		s.publish(ctx, Imported{GroupID: g.ID, Members: users})
	}
	return g.ID, nil
}

// createQuestion is the before-create question of g: its members other
// than the owner, and how many groups of its type the owner already owns.
func (s *Service) createQuestion(ctx context.Context, g Group, members []Member) CreateQuestion {
	q := CreateQuestion{Group: g, Members: make([]string, 0, len(members))}
	for _, m := range members {
		if m.UserID != g.Owner {
			q.Members = append(q.Members, m.UserID)
		}
	}
	if g.Owner != "" {
		if joined, _, err := s.store.JoinedGroups(ctx, g.Owner, JoinedQuery{Type: g.Type}); err == nil {
			for _, j := range joined {
				if j.Member.Role == RoleOwner {
					q.Owned++
				}
			}
		}
	}
	return q
}

// idTaken answers 10025 when the operator owns the group that holds the
// ID, else 10021.
func (s *Service) idTaken(ctx context.Context, id, owner string) error {
	if g, err := s.store.GetGroup(ctx, id); err == nil && owner != "" && g.Owner == owner {
		return apierr.New(apierr.GroupIDTakenByYou, "group ID %s is already used by a group you own", id)
	}
	return apierr.New(apierr.GroupIDTaken, "group ID %s is already used", id)
}

// buildGroup validates req and returns the group and its initial members.
func (s *Service) buildGroup(ctx context.Context, req CreateRequest, imported bool) (Group, []Member, error) {
	t, ok := ParseType(req.Type)
	if !ok {
		if req.Type == "" {
			return Group{}, nil, badParam("Type is required")
		}
		return Group{}, nil, badParam("Type %q is not a group type (Private, Public, ChatRoom, AVChatRoom, Community, Work, Meeting)", req.Type)
	}
	if imported && t == AVChatRoom {
		return Group{}, nil, badParam("AVChatRoom groups cannot be imported")
	}
	if req.Name == "" {
		return Group{}, nil, badParam("Name is required")
	}
	for _, c := range []struct {
		field string
		v     *string
		max   int
	}{
		{"Name", &req.Name, MaxNameBytes},
		{"Introduction", req.Introduction, MaxIntroductionBytes},
		{"Notification", req.Notification, MaxNotificationBytes},
		{"FaceUrl", req.FaceURL, MaxFaceURLBytes},
	} {
		if err := checkLen(c.field, c.v, c.max); err != nil {
			return Group{}, nil, err
		}
	}
	if req.GroupID != "" && !validCustomID(req.GroupID, t) {
		if t == Community {
			return Group{}, nil, apierr.New(apierr.GroupBadID, "a Community GroupId must start with @TGS#_ and be printable ASCII, at most %d bytes after it", MaxGroupIDBytes)
		}
		return Group{}, nil, apierr.New(apierr.GroupBadID, "a custom GroupId must be printable ASCII of at most %d bytes and must not start with @TGS#", MaxGroupIDBytes)
	}
	limit := MemberLimit(t)
	max := req.MaxMemberNum
	switch {
	case max < 0 || (limit > 0 && max > limit):
		return Group{}, nil, badParam("MaxMemberCount must be 1..%d for %s groups", limit, t)
	case max == 0:
		max = limit
	}
	apply, invite, err := joinOptions(t, req.ApplyJoinOption, req.InviteJoinOption)
	if err != nil {
		return Group{}, nil, err
	}
	if err := checkAppData("AppDefinedData", req.AppDefinedData, MaxAppDataKeys, MaxAppDataValueBytes); err != nil {
		return Group{}, nil, err
	}
	g := Group{
		ID: req.GroupID, Type: t, Name: req.Name, Owner: req.Owner, MaxMemberNum: max,
		ApplyJoinOption: apply, InviteJoinOption: invite, NextMsgSeq: 1,
		AppDefinedData: MergeAppData(nil, req.AppDefinedData),
	}
	if req.Introduction != nil {
		g.Introduction = *req.Introduction
	}
	if req.Notification != nil {
		g.Notification = *req.Notification
	}
	if req.FaceURL != nil {
		g.FaceURL = *req.FaceURL
	}
	if err := topicFlags(&g, req); err != nil {
		return Group{}, nil, err
	}
	now := s.now().Unix()
	g.CreateTime = now
	if imported && req.CreateTime > 0 {
		g.CreateTime = req.CreateTime
	}
	g.LastInfoTime = g.CreateTime
	if g.ID == "" {
		g.ID = NewID(t)
	}
	members, err := s.initialMembers(ctx, g, req, now)
	if err != nil {
		return Group{}, nil, err
	}
	return g, members, nil
}

// joinOptions validates and defaults ApplyJoinOption and InviteJoinOption.
func joinOptions(t Type, apply, invite *string) (string, string, error) {
	if err := oneOf("ApplyJoinOption", apply, FreeAccess, NeedPermission, DisableApply); err != nil {
		return "", "", err
	}
	if err := oneOf("InviteJoinOption", invite, FreeAccess, NeedPermission, DisableInvite); err != nil {
		return "", "", err
	}
	if t == AVChatRoom && invite != nil {
		return "", "", badParam("InviteJoinOption does not apply to AVChatRoom groups")
	}
	a, i := NeedPermission, NeedPermission
	switch t {
	case Private:
		a, i = DisableApply, FreeAccess
	case AVChatRoom:
		a, i = FreeAccess, DisableInvite
	case ChatRoom:
		i = FreeAccess
	}
	if apply != nil {
		a = *apply
	}
	if invite != nil {
		i = *invite
	}
	return a, i, nil
}

// topicFlags validates SupportTopic, EnablePermission and DefaultPermission.
func topicFlags(g *Group, req CreateRequest) error {
	if req.SupportTopic != 0 && req.SupportTopic != 1 || req.EnablePermission != 0 && req.EnablePermission != 1 {
		return badParam("SupportTopic and EnablePermission must be 0 or 1")
	}
	if req.SupportTopic == 1 && g.Type != Community {
		return badParam("SupportTopic applies only to Community groups")
	}
	if req.EnablePermission == 1 && req.SupportTopic != 1 {
		return badParam("EnablePermission needs a Community with SupportTopic 1")
	}
	if req.DefaultPermission != nil && *req.DefaultPermission == 0 && req.EnablePermission != 1 {
		req.DefaultPermission = nil // a 0 sent with permissions off: not set
	}
	if req.DefaultPermission != nil {
		if req.EnablePermission != 1 {
			return badParam("DefaultPermission needs EnablePermission 1")
		}
		if *req.DefaultPermission&^permission.AllCommunityBits != 0 {
			return badParam("DefaultPermission has bits outside %d", permission.AllCommunityBits)
		}
		g.DefaultPermission = *req.DefaultPermission
	}
	g.SupportTopic = req.SupportTopic == 1
	g.EnablePermission = req.EnablePermission == 1
	return nil
}

// initialMembers validates the owner and MemberList of a new group.
func (s *Service) initialMembers(ctx context.Context, g Group, req CreateRequest, now int64) ([]Member, error) {
	if len(req.Members) > MaxCreateMembers {
		return nil, apierr.New(apierr.GroupTooManyAccounts, "at most %d members in MemberList", MaxCreateMembers)
	}
	if len(req.Members) > 0 && g.Type == AVChatRoom {
		return nil, apierr.New(apierr.GroupNoPermission, "AVChatRoom groups take no members at creation: users join through the client")
	}
	ids := make([]string, 0, len(req.Members)+1)
	seen := map[string]bool{}
	if req.Owner != "" {
		ids = append(ids, req.Owner)
		seen[req.Owner] = true
	}
	for _, m := range req.Members {
		if m.UserID == "" {
			return nil, badParam("Member_Account is required in every MemberList item")
		}
		if seen[m.UserID] {
			return nil, badParam("%s appears twice among the owner and MemberList", m.UserID)
		}
		seen[m.UserID] = true
		ids = append(ids, m.UserID)
		if m.Role != "" && m.Role != string(RoleAdmin) && m.Role != string(RoleMember) {
			return nil, badParam("Role of %s must be Admin or Member", m.UserID)
		}
		if err := checkAppData("AppMemberDefinedData", m.AppDefinedData, MaxMemberDataKeys, MaxMemberDataValBytes); err != nil {
			return nil, err
		}
	}
	if g.MaxMemberNum > 0 && len(ids) > g.MaxMemberNum {
		return nil, apierr.New(apierr.GroupFull, "%d members exceed MaxMemberCount %d", len(ids), g.MaxMemberNum)
	}
	if err := s.mustExist(ctx, ids); err != nil {
		return nil, err
	}
	members := make([]Member, 0, len(ids))
	if req.Owner != "" {
		members = append(members, Member{GroupID: g.ID, UserID: req.Owner, Role: RoleOwner, JoinTime: g.CreateTime, MsgFlag: AcceptAndNotify})
	}
	for _, m := range req.Members {
		role := RoleMember
		if m.Role == string(RoleAdmin) {
			role = RoleAdmin
		}
		join := now
		if m.JoinTime > 0 {
			join = m.JoinTime
		}
		members = append(members, Member{GroupID: g.ID, UserID: m.UserID, Role: role, JoinTime: join, MsgFlag: AcceptAndNotify, AppDefinedData: MergeAppData(nil, m.AppDefinedData)})
	}
	return members, nil
}

// mustExist answers 10019 naming the first of ids that is not imported
// (10004 for one that is not a well-formed UserID).
func (s *Service) mustExist(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if err := CheckUserIDs("an account", ids...); err != nil {
		return err
	}
	exist, err := s.accounts.ExistingAccounts(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !exist[id] {
			return apierr.New(apierr.GroupAccountNotFound, "account %s is not imported", id)
		}
	}
	return nil
}
