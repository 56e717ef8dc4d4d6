package rest

import (
	"context"

	"github.com/hearth-chat/hearth/internal/group"
)

type accountItem struct {
	MemberAccount UserID `json:"Member_Account"`
}

type addMemberReq struct {
	GroupID    string        `json:"GroupId"`
	Silence    int           `json:"Silence"`
	MemberList []accountItem `json:"MemberList"`
}

type addResultItem struct {
	MemberAccount string `json:"Member_Account"`
	Result        int    `json:"Result"`
}

type addMemberResp struct {
	MemberList []addResultItem `json:"MemberList"`
}

func toAddResp(items []group.AddItem) *addMemberResp {
	out := &addMemberResp{MemberList: make([]addResultItem, len(items))}
	for i, it := range items {
		out.MemberList[i] = addResultItem{MemberAccount: it.UserID, Result: it.Result}
	}
	return out
}

func (s *Server) addGroupMember(ctx context.Context, _ *Call, req *addMemberReq) (*addMemberResp, error) {
	ids := make([]string, len(req.MemberList))
	for i, m := range req.MemberList {
		ids[i] = string(m.MemberAccount)
	}
	res, err := s.deps.Groups.AddMembers(ctx, req.GroupID, ids)
	if err != nil {
		return nil, err
	}
	return toAddResp(res), nil
}

type importMemberReq struct {
	GroupID    string       `json:"GroupId"`
	MemberList []memberItem `json:"MemberList"`
}

func (s *Server) importGroupMember(ctx context.Context, _ *Call, req *importMemberReq) (*addMemberResp, error) {
	list := make([]group.NewMember, len(req.MemberList))
	for i, m := range req.MemberList {
		list[i] = group.NewMember{UserID: string(m.MemberAccount), Role: m.Role, JoinTime: m.JoinTime}
	}
	res, err := s.deps.Groups.ImportMembers(ctx, req.GroupID, list)
	if err != nil {
		return nil, err
	}
	return toAddResp(res), nil
}

type deleteMemberReq struct {
	GroupID            string   `json:"GroupId"`
	Silence            int      `json:"Silence"`
	Reason             string   `json:"Reason"`
	MemberToDelAccount []UserID `json:"MemberToDel_Account"`
}

func userList(ids []UserID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

func (s *Server) deleteGroupMember(ctx context.Context, _ *Call, req *deleteMemberReq) (*empty, error) {
	return nil, s.deps.Groups.DeleteMembers(ctx, req.GroupID, userList(req.MemberToDelAccount), req.Reason)
}

type modifyMemberReq struct {
	GroupID              string     `json:"GroupId"`
	MemberAccount        UserID     `json:"Member_Account"`
	Role                 *string    `json:"Role"`
	MsgFlag              *string    `json:"MsgFlag"`
	NameCard             *string    `json:"NameCard"`
	MuteTime             *int64     `json:"MuteTime"`
	ShutUpTime           *int64     `json:"ShutUpTime"`
	AppMemberDefinedData []group.KV `json:"AppMemberDefinedData"`
}

func (s *Server) modifyGroupMember(ctx context.Context, _ *Call, req *modifyMemberReq) (*empty, error) {
	mute := req.MuteTime
	if mute == nil {
		mute = req.ShutUpTime
	}
	_, err := s.deps.Groups.ModifyMember(ctx, group.MemberUpdate{
		GroupID: req.GroupID, UserID: string(req.MemberAccount), Role: req.Role, MsgFlag: req.MsgFlag,
		NameCard: req.NameCard, MuteSeconds: mute, AppDefinedData: req.AppMemberDefinedData,
	})
	return nil, err
}

type memberInfoReq struct {
	GroupID                    string   `json:"GroupId"`
	MemberInfoFilter           []string `json:"MemberInfoFilter"`
	MemberRoleFilter           []string `json:"MemberRoleFilter"`
	AppDefinedDataFilterMember []string `json:"AppDefinedDataFilter_GroupMember"`
	Limit                      int      `json:"Limit"`
	Offset                     int      `json:"Offset"`
	Next                       *string  `json:"Next"`
}

type memberInfoResp struct {
	MemberNum  int              `json:"MemberNum"`
	MemberList []map[string]any `json:"MemberList"`
	Next       *string          `json:"Next,omitempty"`
}

func (s *Server) groupMemberInfo(ctx context.Context, _ *Call, req *memberInfoReq) (*memberInfoResp, error) {
	var next string
	if req.Next != nil {
		next = *req.Next
	}
	page, err := s.deps.Groups.Members(ctx, group.MemberPageRequest{GroupID: req.GroupID, Roles: req.MemberRoleFilter, Limit: req.Limit, Offset: req.Offset, Next: next})
	if err != nil {
		return nil, err
	}
	out := &memberInfoResp{MemberNum: page.Total, MemberList: make([]map[string]any, len(page.Members))}
	for i, m := range page.Members {
		out.MemberList[i] = memberInfo(m, req.MemberInfoFilter, req.AppDefinedDataFilterMember)
	}
	if page.Community {
		out.Next = &page.Next
	}
	return out, nil
}

type roleReq struct {
	GroupID     string   `json:"GroupId"`
	UserAccount []UserID `json:"User_Account"`
}

type roleItem struct {
	MemberAccount string `json:"Member_Account"`
	Role          string `json:"Role"`
}

type roleResp struct {
	UserIDList []roleItem `json:"UserIdList"`
}

func (s *Server) roleInGroup(ctx context.Context, _ *Call, req *roleReq) (*roleResp, error) {
	ids := userList(req.UserAccount)
	roles, err := s.deps.Groups.Roles(ctx, req.GroupID, ids)
	if err != nil {
		return nil, err
	}
	out := &roleResp{UserIDList: make([]roleItem, len(ids))}
	for i, id := range ids {
		out.UserIDList[i] = roleItem{MemberAccount: id, Role: roles[i]}
	}
	return out, nil
}

type forbidReq struct {
	GroupID        string   `json:"GroupId"`
	MembersAccount []UserID `json:"Members_Account"`
	MuteTime       *int64   `json:"MuteTime"`
	ShutUpTime     *int64   `json:"ShutUpTime"`
	TopicID        string   `json:"TopicId"`
}

func (s *Server) forbidSendMsg(ctx context.Context, _ *Call, req *forbidReq) (*empty, error) {
	mute := req.MuteTime
	if mute == nil {
		mute = req.ShutUpTime
	}
	if req.TopicID != "" {
		return nil, s.deps.Topics.Mute(ctx, req.GroupID, req.TopicID, userList(req.MembersAccount), mute)
	}
	return nil, s.deps.Groups.Mute(ctx, req.GroupID, userList(req.MembersAccount), mute)
}

type mutedReq struct {
	GroupID string `json:"GroupId"`
	TopicID string `json:"TopicId"`
}

type mutedItem struct {
	MemberAccount string `json:"Member_Account"`
	MutedUntil    int64  `json:"MutedUntil"`
}

type mutedResp struct {
	GroupID          string      `json:"GroupId"`
	MutedAccountList []mutedItem `json:"MutedAccountList"`
}

func (s *Server) mutedAccounts(ctx context.Context, _ *Call, req *mutedReq) (*mutedResp, error) {
	if req.TopicID != "" {
		list, err := s.deps.Topics.Muted(ctx, req.GroupID, req.TopicID)
		if err != nil {
			return nil, err
		}
		out := &mutedResp{GroupID: req.GroupID, MutedAccountList: make([]mutedItem, len(list))}
		for i, m := range list {
			out.MutedAccountList[i] = mutedItem{MemberAccount: m.UserID, MutedUntil: m.Until}
		}
		return out, nil
	}
	list, err := s.deps.Groups.Muted(ctx, req.GroupID)
	if err != nil {
		return nil, err
	}
	out := &mutedResp{GroupID: req.GroupID, MutedAccountList: make([]mutedItem, len(list))}
	for i, m := range list {
		out.MutedAccountList[i] = mutedItem{MemberAccount: m.UserID, MutedUntil: m.MuteUntil}
	}
	return out, nil
}

// shuttedItem and shuttedResp are get_group_shutted_uin, the older name of
// get_group_muted_account, with that command's older field names.
type shuttedItem struct {
	MemberAccount string `json:"Member_Account"`
	ShuttedUntil  int64  `json:"ShuttedUntil"`
}

type shuttedResp struct {
	GroupID        string        `json:"GroupId"`
	ShuttedUinList []shuttedItem `json:"ShuttedUinList"`
}

func (s *Server) shuttedUins(ctx context.Context, c *Call, req *mutedReq) (*shuttedResp, error) {
	muted, err := s.mutedAccounts(ctx, c, req)
	if err != nil {
		return nil, err
	}
	out := &shuttedResp{GroupID: muted.GroupID, ShuttedUinList: make([]shuttedItem, len(muted.MutedAccountList))}
	for i, m := range muted.MutedAccountList {
		out.ShuttedUinList[i] = shuttedItem{MemberAccount: m.MemberAccount, ShuttedUntil: m.MutedUntil}
	}
	return out, nil
}
