package rest

import (
	"context"
	"slices"

	"github.com/hearth-chat/hearth/internal/group"
)

// baseInfo renders a group's base fields, all of them or those in filter.
// Appid is the app's SDKAppID as a JSON number, as the hosted samples send it.
func baseInfo(g group.Group, appID uint64, filter []string) map[string]any {
	onOff := func(b bool) string {
		if b {
			return "On"
		}
		return "Off"
	}
	all := map[string]any{
		"Type": string(g.Type), "Name": g.Name, "Appid": appID, "Introduction": g.Introduction,
		"Notification": g.Notification, "FaceUrl": g.FaceURL, "Owner_Account": g.Owner,
		"CreateTime": g.CreateTime, "InfoSeq": g.InfoSeq, "LastInfoTime": g.LastInfoTime,
		"LastMsgTime": g.LastMsgTime, "NextMsgSeq": g.NextMsgSeq, "MemberNum": g.MemberNum,
		"MaxMemberNum": g.MaxMemberNum, "ApplyJoinOption": g.ApplyJoinOption,
		"InviteJoinOption": g.InviteJoinOption, "MuteAllMember": onOff(g.MuteAllMember),
		"ShutUpAllMember": onOff(g.MuteAllMember),
	}
	if g.Type != group.Community && g.Type != group.AVChatRoom {
		all["HistoryMsgBeforeJoin"] = onOff(g.HistoryMsgBeforeJoin)
	}
	if g.Type == group.Community {
		all["SupportTopic"] = b2i(g.SupportTopic)
		all["EnablePermission"] = b2i(g.EnablePermission)
		all["DefaultPermission"] = g.DefaultPermission
	}
	if filter == nil {
		return all
	}
	out := make(map[string]any, len(filter))
	for _, f := range filter {
		if v, ok := all[f]; ok {
			out[f] = v
		}
	}
	return out
}

// allAppData is every custom field, [] when there are none.
func allAppData(kvs []group.KV) []group.KV {
	if kvs == nil {
		return []group.KV{}
	}
	return kvs
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// memberInfo renders a member's fields, all of them or those in filter;
// custom fields only when keys is not nil.
func memberInfo(m group.Member, filter, keys []string) map[string]any {
	all := map[string]any{
		"Member_Account": m.UserID, "Role": string(m.Role), "JoinTime": m.JoinTime, "MsgSeq": m.MsgSeq,
		"MsgFlag": m.MsgFlag, "LastSendMsgTime": m.LastSendMsgTime, "ShutUpUntil": m.MuteUntil,
		"MuteUntil": m.MuteUntil, "NameCard": m.NameCard,
	}
	out := all
	if filter != nil {
		out = map[string]any{"Member_Account": m.UserID}
		for _, f := range filter {
			if v, ok := all[f]; ok {
				out[f] = v
			}
			if f == "ShutUpUntil" || f == "MuteUntil" {
				out["ShutUpUntil"], out["MuteUntil"] = m.MuteUntil, m.MuteUntil
			}
		}
	}
	if keys != nil {
		out["AppMemberDefinedData"] = group.FilterAppData(m.AppDefinedData, keys)
	}
	return out
}

type responseFilter struct {
	GroupBaseInfoFilter        []string `json:"GroupBaseInfoFilter"`
	MemberInfoFilter           []string `json:"MemberInfoFilter"`
	AppDefinedDataFilterGroup  []string `json:"AppDefinedDataFilter_Group"`
	AppDefinedDataFilterMember []string `json:"AppDefinedDataFilter_GroupMember"`
	SelfInfoFilter             []string `json:"SelfInfoFilter"`
}

type groupInfoReq struct {
	GroupIDList    []string        `json:"GroupIdList"`
	ResponseFilter *responseFilter `json:"ResponseFilter"`
}

type groupInfoResp struct {
	GroupInfo []map[string]any `json:"GroupInfo"`
}

func (s *Server) groupInfo(ctx context.Context, _ *Call, req *groupInfoReq) (*groupInfoResp, error) {
	f := req.ResponseFilter
	if f == nil {
		f = &responseFilter{}
	}
	// Without any filter the hosted service returns everything, members
	// included; with one, members only when MemberInfoFilter is given.
	withMembers := req.ResponseFilter == nil || f.MemberInfoFilter != nil
	res, err := s.deps.Groups.Info(ctx, req.GroupIDList, withMembers)
	if err != nil {
		return nil, err
	}
	out := &groupInfoResp{GroupInfo: make([]map[string]any, len(res))}
	for i, r := range res {
		if r.Code != 0 {
			out.GroupInfo[i] = map[string]any{"GroupId": r.GroupID, "ErrorCode": r.Code, "ErrorInfo": r.Info}
			continue
		}
		info := baseInfo(r.Group, s.deps.SDKAppID, f.GroupBaseInfoFilter)
		info["GroupId"], info["ErrorCode"], info["ErrorInfo"] = r.GroupID, 0, ""
		// The basic form (no ResponseFilter) answers every custom field of
		// the group and of its members; a filter answers only those it names.
		switch {
		case req.ResponseFilter == nil:
			info["AppDefinedData"] = allAppData(r.Group.AppDefinedData)
		case f.AppDefinedDataFilterGroup != nil:
			info["AppDefinedData"] = group.FilterAppData(r.Group.AppDefinedData, f.AppDefinedDataFilterGroup)
		}
		if withMembers {
			list := make([]map[string]any, len(r.Members))
			for j, m := range r.Members {
				list[j] = memberInfo(m, f.MemberInfoFilter, f.AppDefinedDataFilterMember)
				if req.ResponseFilter == nil {
					list[j]["AppMemberDefinedData"] = allAppData(m.AppDefinedData)
				}
			}
			info["MemberList"] = list
		}
		out.GroupInfo[i] = info
	}
	return out, nil
}

type joinedReq struct {
	MemberAccount      UserID          `json:"Member_Account"`
	WithHugeGroups     int             `json:"WithHugeGroups"`
	WithNoActiveGroups int             `json:"WithNoActiveGroups"`
	Limit              int             `json:"Limit"`
	Offset             int             `json:"Offset"`
	GroupType          string          `json:"GroupType"`
	SupportTopic       int             `json:"SupportTopic"`
	ResponseFilter     *responseFilter `json:"ResponseFilter"`
}

type joinedResp struct {
	TotalCount  int              `json:"TotalCount"`
	GroupIDList []map[string]any `json:"GroupIdList"`
}

func (s *Server) joinedGroups(ctx context.Context, _ *Call, req *joinedReq) (*joinedResp, error) {
	list, total, err := s.deps.Groups.Joined(ctx, group.JoinedRequest{
		UserID: string(req.MemberAccount), Type: req.GroupType, WithHugeGroups: req.WithHugeGroups == 1,
		SupportTopic: req.SupportTopic == 1, Limit: req.Limit, Offset: req.Offset,
	})
	if err != nil {
		return nil, err
	}
	out := &joinedResp{TotalCount: total, GroupIDList: make([]map[string]any, len(list))}
	for i, j := range list {
		item := map[string]any{}
		if f := req.ResponseFilter; f != nil && f.GroupBaseInfoFilter != nil {
			item = baseInfo(j.Group, s.deps.SDKAppID, f.GroupBaseInfoFilter)
		}
		item["GroupId"] = j.Group.ID
		if f := req.ResponseFilter; f != nil && f.SelfInfoFilter != nil {
			self := memberInfo(j.Member, f.SelfInfoFilter, nil)
			delete(self, "Member_Account")
			if slices.Contains(f.SelfInfoFilter, "MsgSeq") || slices.Contains(f.SelfInfoFilter, "UnreadMsgNum") {
				// The read position and unread count of the group's own stream.
				st, err := s.deps.Reads.Stream(ctx, j.Member.UserID, j.Group.ID, "")
				if err != nil {
					return nil, err
				}
				if slices.Contains(f.SelfInfoFilter, "MsgSeq") {
					self["MsgSeq"] = st.ReadSeq
				}
				if slices.Contains(f.SelfInfoFilter, "UnreadMsgNum") {
					self["UnreadMsgNum"] = st.Unread
				}
			}
			item["SelfInfo"] = self
		}
		out.GroupIDList[i] = item
	}
	return out, nil
}
