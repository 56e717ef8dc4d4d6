package rest

import (
	"context"

	"github.com/hearth-chat/hearth/internal/group"
)

// Bans (ban_group_member, unban_group_member, get_group_ban_member),
// message clean-up (delete_group_msg_by_sender) and the profiles of named
// members (get_specified_group_member_info).

type banReq struct {
	GroupID        string   `json:"GroupId"`
	MembersAccount []UserID `json:"Members_Account"`
	Duration       *int64   `json:"Duration"`
	Description    string   `json:"Description"`
}

func (s *Server) banGroupMember(ctx context.Context, _ *Call, req *banReq) (*empty, error) {
	return nil, s.deps.Groups.Ban(ctx, group.BanRequest{GroupID: req.GroupID, Actor: group.AppAdmin,
		Members: userList(req.MembersAccount), Duration: req.Duration, Description: req.Description})
}

type unbanReq struct {
	GroupID        string   `json:"GroupId"`
	MembersAccount []UserID `json:"Members_Account"`
}

func (s *Server) unbanGroupMember(ctx context.Context, _ *Call, req *unbanReq) (*empty, error) {
	return nil, s.deps.Groups.Unban(ctx, req.GroupID, group.AppAdmin, userList(req.MembersAccount))
}

type banListReq struct {
	GroupID string `json:"GroupId"`
	Limit   int    `json:"Limit"`
	Offset  int    `json:"Offset"`
}

type bannedItem struct {
	MemberAccount string `json:"Member_Account"`
	BannedUntil   int64  `json:"BannedUntil"`
}

type banListResp struct {
	BannedAccountList []bannedItem `json:"BannedAccountList"`
	NextOffset        int          `json:"NextOffset"`
}

func (s *Server) getGroupBanMember(ctx context.Context, _ *Call, req *banListReq) (*banListResp, error) {
	page, err := s.deps.Groups.Bans(ctx, req.GroupID, req.Offset, req.Limit)
	if err != nil {
		return nil, err
	}
	out := &banListResp{BannedAccountList: make([]bannedItem, len(page.Bans)), NextOffset: page.NextOffset}
	for i, b := range page.Bans {
		out.BannedAccountList[i] = bannedItem{MemberAccount: b.UserID, BannedUntil: b.Until}
	}
	return out, nil
}

type deleteBySenderReq struct {
	GroupID       string `json:"GroupId"`
	TopicID       string `json:"TopicId"`
	SenderAccount UserID `json:"Sender_Account"`
}

func (s *Server) deleteGroupMsgBySender(ctx context.Context, _ *Call, req *deleteBySenderReq) (*empty, error) {
	return nil, s.deps.Messages.DeleteBySender(ctx, req.GroupID, req.TopicID, string(req.SenderAccount))
}

type specifiedMemberReq struct {
	GroupID                    string   `json:"GroupId"`
	MemberListAccount          []UserID `json:"Member_List_Account"`
	MemberInfoFilter           []string `json:"MemberInfoFilter"`
	AppDefinedDataFilterMember []string `json:"AppDefinedDataFilter_GroupMember"`
}

type specifiedMemberResp struct {
	MemberList []map[string]any `json:"MemberList"`
}

func (s *Server) specifiedGroupMemberInfo(ctx context.Context, _ *Call, req *specifiedMemberReq) (*specifiedMemberResp, error) {
	list, err := s.deps.Groups.SpecifiedMembers(ctx, req.GroupID, userList(req.MemberListAccount))
	if err != nil {
		return nil, err
	}
	out := &specifiedMemberResp{MemberList: make([]map[string]any, len(list))}
	for i, m := range list {
		out.MemberList[i] = memberInfo(m, req.MemberInfoFilter, req.AppDefinedDataFilterMember)
	}
	return out, nil
}
