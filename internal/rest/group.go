package rest

import (
	"context"

	"github.com/hearth-chat/hearth/internal/group"
)

type memberItem struct {
	MemberAccount        UserID     `json:"Member_Account"`
	Role                 string     `json:"Role"`
	AppMemberDefinedData []group.KV `json:"AppMemberDefinedData"`
	JoinTime             int64      `json:"JoinTime"`
}

type createGroupReq struct {
	OwnerAccount      UserID       `json:"Owner_Account"`
	Type              string       `json:"Type"`
	GroupID           string       `json:"GroupId"`
	Name              string       `json:"Name"`
	Introduction      *string      `json:"Introduction"`
	Notification      *string      `json:"Notification"`
	FaceURL           *string      `json:"FaceUrl"`
	MaxMemberCount    int          `json:"MaxMemberCount"`
	MaxMemberNum      int          `json:"MaxMemberNum"`
	ApplyJoinOption   *string      `json:"ApplyJoinOption"`
	InviteJoinOption  *string      `json:"InviteJoinOption"`
	AppDefinedData    []group.KV   `json:"AppDefinedData"`
	MemberList        []memberItem `json:"MemberList"`
	SupportTopic      int          `json:"SupportTopic"`
	EnablePermission  int          `json:"EnablePermission"`
	DefaultPermission *uint64      `json:"DefaultPermission"`
	CreateTime        int64        `json:"CreateTime"`
}

func (r *createGroupReq) domain() group.CreateRequest {
	max := r.MaxMemberCount
	if max == 0 {
		max = r.MaxMemberNum
	}
	out := group.CreateRequest{
		Owner: string(r.OwnerAccount), Type: r.Type, GroupID: r.GroupID, Name: r.Name,
		Introduction: r.Introduction, Notification: r.Notification, FaceURL: r.FaceURL, MaxMemberNum: max,
		ApplyJoinOption: r.ApplyJoinOption, InviteJoinOption: r.InviteJoinOption, AppDefinedData: r.AppDefinedData,
		SupportTopic: r.SupportTopic, EnablePermission: r.EnablePermission, DefaultPermission: r.DefaultPermission,
		CreateTime: r.CreateTime,
	}
	for _, m := range r.MemberList {
		out.Members = append(out.Members, group.NewMember{UserID: string(m.MemberAccount), Role: m.Role, AppDefinedData: m.AppMemberDefinedData, JoinTime: m.JoinTime})
	}
	return out
}

type groupIDResp struct {
	GroupID string `json:"GroupId"`
}

func (s *Server) createGroup(ctx context.Context, _ *Call, req *createGroupReq) (*groupIDResp, error) {
	id, err := s.deps.Groups.Create(ctx, req.domain())
	if err != nil {
		return nil, err
	}
	return &groupIDResp{GroupID: id}, nil
}

func (s *Server) importGroup(ctx context.Context, _ *Call, req *createGroupReq) (*groupIDResp, error) {
	id, err := s.deps.Groups.Import(ctx, req.domain())
	if err != nil {
		return nil, err
	}
	return &groupIDResp{GroupID: id}, nil
}

type modifyGroupReq struct {
	GroupID              string     `json:"GroupId"`
	FromAccount          UserID     `json:"From_Account"`
	Name                 *string    `json:"Name"`
	Introduction         *string    `json:"Introduction"`
	Notification         *string    `json:"Notification"`
	FaceURL              *string    `json:"FaceUrl"`
	MaxMemberNum         *int       `json:"MaxMemberNum"`
	ApplyJoinOption      *string    `json:"ApplyJoinOption"`
	InviteJoinOption     *string    `json:"InviteJoinOption"`
	MuteAllMember        *string    `json:"MuteAllMember"`
	ShutUpAllMember      *string    `json:"ShutUpAllMember"`
	HistoryMsgBeforeJoin *string    `json:"HistoryMsgBeforeJoin"`
	EnablePermission     *int       `json:"EnablePermission"`
	DefaultPermission    *uint64    `json:"DefaultPermission"`
	AppDefinedData       []group.KV `json:"AppDefinedData"`
}

func (s *Server) modifyGroup(ctx context.Context, _ *Call, req *modifyGroupReq) (*empty, error) {
	mute := req.MuteAllMember
	if mute == nil {
		mute = req.ShutUpAllMember
	}
	_, err := s.deps.Groups.Modify(ctx, group.ModifyRequest{
		GroupID: req.GroupID, From: string(req.FromAccount), Name: req.Name, Introduction: req.Introduction,
		Notification: req.Notification, FaceURL: req.FaceURL, MaxMemberNum: req.MaxMemberNum,
		ApplyJoinOption: req.ApplyJoinOption, InviteJoinOption: req.InviteJoinOption, MuteAllMember: mute,
		HistoryMsgBeforeJoin: req.HistoryMsgBeforeJoin, EnablePermission: req.EnablePermission,
		DefaultPermission: req.DefaultPermission, AppDefinedData: req.AppDefinedData,
	})
	return nil, err
}

type groupIDReq struct {
	GroupID string `json:"GroupId"`
}

func (s *Server) destroyGroup(ctx context.Context, _ *Call, req *groupIDReq) (*empty, error) {
	return nil, s.deps.Groups.Destroy(ctx, req.GroupID)
}

type appGroupListReq struct {
	Limit     int    `json:"Limit"`
	Next      uint64 `json:"Next"`
	GroupType string `json:"GroupType"`
}

type groupIDItem struct {
	GroupID string `json:"GroupId"`
}

type appGroupListResp struct {
	TotalCount  int           `json:"TotalCount"`
	GroupIDList []groupIDItem `json:"GroupIdList"`
	Next        uint64        `json:"Next"`
}

func (s *Server) appGroupList(ctx context.Context, _ *Call, req *appGroupListReq) (*appGroupListResp, error) {
	ids, next, total, err := s.deps.Groups.List(ctx, req.GroupType, req.Next, req.Limit)
	if err != nil {
		return nil, err
	}
	out := &appGroupListResp{TotalCount: total, Next: next, GroupIDList: make([]groupIDItem, len(ids))}
	for i, id := range ids {
		out.GroupIDList[i] = groupIDItem{GroupID: id}
	}
	return out, nil
}

type changeOwnerReq struct {
	GroupID         string `json:"GroupId"`
	NewOwnerAccount UserID `json:"NewOwner_Account"`
	FromAccount     UserID `json:"From_Account"`
}

func (s *Server) changeGroupOwner(ctx context.Context, _ *Call, req *changeOwnerReq) (*empty, error) {
	return nil, s.deps.Groups.ChangeOwner(ctx, req.GroupID, string(req.NewOwnerAccount), string(req.FromAccount))
}
