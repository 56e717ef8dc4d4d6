package rest

import (
	"context"

	"github.com/hearth-chat/hearth/internal/permgroup"
)

type createPermGroupReq struct {
	GroupID             string  `json:"GroupId"`
	PermissionGroupID   string  `json:"PermissionGroupId"`
	PermissionGroupName *string `json:"PermissionGroupName"`
	Permission          *uint64 `json:"Permission"`
	CustomString        *string `json:"CustomString"`
}

type permGroupIDResp struct {
	PermissionGroupID string `json:"PermissionGroupId"`
}

func (s *Server) createPermGroup(ctx context.Context, _ *Call, req *createPermGroupReq) (*permGroupIDResp, error) {
	id, err := s.deps.PermGroups.Create(ctx, permgroup.CreateRequest{GroupID: req.GroupID, ID: req.PermissionGroupID,
		Name: req.PermissionGroupName, Permission: req.Permission, CustomString: req.CustomString})
	if err != nil {
		return nil, err
	}
	return &permGroupIDResp{PermissionGroupID: id}, nil
}

type permGroupListReq struct {
	GroupID               string   `json:"GroupId"`
	PermissionGroupIDList []string `json:"PermissionGroupIdList"`
}

type permGroupResult struct {
	ErrorCode         int    `json:"ErrorCode"`
	ErrorInfo         string `json:"ErrorInfo"`
	PermissionGroupID string `json:"PermissionGroupId"`
}

type destroyPermGroupResp struct {
	PermissionGroupResultList []permGroupResult `json:"PermissionGroupResultList"`
}

func (s *Server) destroyPermGroup(ctx context.Context, _ *Call, req *permGroupListReq) (*destroyPermGroupResp, error) {
	res, err := s.deps.PermGroups.Destroy(ctx, req.GroupID, req.PermissionGroupIDList)
	if err != nil {
		return nil, err
	}
	out := &destroyPermGroupResp{PermissionGroupResultList: make([]permGroupResult, len(res))}
	for i, r := range res {
		out.PermissionGroupResultList[i] = permGroupResult{ErrorCode: r.Code, ErrorInfo: r.Info, PermissionGroupID: r.ID}
	}
	return out, nil
}

func (s *Server) modifyPermGroup(ctx context.Context, _ *Call, req *createPermGroupReq) (*empty, error) {
	return nil, s.deps.PermGroups.Modify(ctx, permgroup.ModifyRequest{GroupID: req.GroupID, ID: req.PermissionGroupID,
		Name: req.PermissionGroupName, Permission: req.Permission, CustomString: req.CustomString})
}

type getPermGroupReq struct {
	GroupID               string   `json:"GroupId"`
	PermissionGroupIDList []string `json:"PermissionGroupIdList"`
	Limit                 int      `json:"Limit"`
	Next                  cursor   `json:"Next"`
}

type permGroupInfo struct {
	ErrorCode           int    `json:"ErrorCode"`
	ErrorInfo           string `json:"ErrorInfo"`
	PermissionGroupID   string `json:"PermissionGroupId"`
	PermissionGroupName string `json:"PermissionGroupName,omitempty"`
	CustomString        string `json:"CustomString"`
	Permission          uint64 `json:"Permission"`
	MemberCount         int    `json:"MemberCount"`
}

type getPermGroupResp struct {
	PermissionGroupInfoList []permGroupInfo `json:"PermissionGroupInfoList"`
	Next                    string          `json:"Next"`
}

func (s *Server) getPermGroup(ctx context.Context, _ *Call, req *getPermGroupReq) (*getPermGroupResp, error) {
	page, err := s.deps.PermGroups.Get(ctx, req.GroupID, req.PermissionGroupIDList, req.Limit, string(req.Next))
	if err != nil {
		return nil, err
	}
	out := &getPermGroupResp{PermissionGroupInfoList: make([]permGroupInfo, len(page.Items)), Next: page.Next}
	for i, it := range page.Items {
		info := permGroupInfo{ErrorCode: it.Code, ErrorInfo: it.Info, PermissionGroupID: it.ID}
		if pg, ok := page.Found[it.ID]; ok && it.Code == 0 {
			info.PermissionGroupName, info.CustomString, info.Permission, info.MemberCount = pg.Name, pg.CustomString, pg.Permission, pg.MemberCount
		}
		out.PermissionGroupInfoList[i] = info
	}
	return out, nil
}

type permGroupMembersReq struct {
	GroupID           string        `json:"GroupId"`
	PermissionGroupID string        `json:"PermissionGroupId"`
	MemberList        []accountItem `json:"MemberList"`
}

func (r *permGroupMembersReq) users() []string {
	out := make([]string, len(r.MemberList))
	for i, m := range r.MemberList {
		out[i] = string(m.MemberAccount)
	}
	return out
}

func (s *Server) addPermGroupMember(ctx context.Context, _ *Call, req *permGroupMembersReq) (*addMemberResp, error) {
	users := req.users()
	res, err := s.deps.PermGroups.AddMembers(ctx, req.GroupID, req.PermissionGroupID, users)
	if err != nil {
		return nil, err
	}
	out := &addMemberResp{MemberList: make([]addResultItem, len(users))}
	for i, u := range users {
		out.MemberList[i] = addResultItem{MemberAccount: u, Result: res[i]}
	}
	return out, nil
}

func (s *Server) deletePermGroupMember(ctx context.Context, _ *Call, req *permGroupMembersReq) (*empty, error) {
	return nil, s.deps.PermGroups.DeleteMembers(ctx, req.GroupID, req.PermissionGroupID, req.users())
}

type permGroupMemberListReq struct {
	GroupID           string `json:"GroupId"`
	PermissionGroupID string `json:"PermissionGroupId"`
	Limit             int    `json:"Limit"`
	Next              cursor `json:"Next"`
}

type memberAccount struct {
	MemberAccount string `json:"Member_Account"`
}

type permGroupMemberListResp struct {
	MemberList []memberAccount `json:"MemberList"`
	Next       string          `json:"Next"`
}

func (s *Server) permGroupMemberList(ctx context.Context, _ *Call, req *permGroupMemberListReq) (*permGroupMemberListResp, error) {
	list, next, err := s.deps.PermGroups.Members(ctx, req.GroupID, req.PermissionGroupID, req.Limit, string(req.Next))
	if err != nil {
		return nil, err
	}
	out := &permGroupMemberListResp{MemberList: make([]memberAccount, len(list)), Next: next}
	for i, u := range list {
		out.MemberList[i] = memberAccount{MemberAccount: u}
	}
	return out, nil
}

type topicPermReq struct {
	GroupID             string `json:"GroupId"`
	PermissionGroupID   string `json:"PermissionGroupId"`
	TopicPermissionList []struct {
		TopicID    string  `json:"TopicId"`
		Permission *uint64 `json:"Permission"`
	} `json:"TopicPermissionList"`
	TopicIDList []string `json:"TopicIdList"`
}

func (r *topicPermReq) items() []permgroup.TopicItem {
	out := make([]permgroup.TopicItem, len(r.TopicPermissionList))
	for i, t := range r.TopicPermissionList {
		out[i] = permgroup.TopicItem{TopicID: t.TopicID, Permission: t.Permission}
	}
	return out
}

type topicPermResult struct {
	ErrorCode  int     `json:"ErrorCode"`
	ErrorInfo  string  `json:"ErrorInfo"`
	TopicID    string  `json:"TopicId"`
	Permission *uint64 `json:"Permission,omitempty"`
}

type topicPermResp struct {
	TopicPermissionResultList []topicPermResult `json:"TopicPermissionResultList"`
}

func toTopicPermResp(res []permgroup.ItemResult) *topicPermResp {
	out := &topicPermResp{TopicPermissionResultList: make([]topicPermResult, len(res))}
	for i, r := range res {
		out.TopicPermissionResultList[i] = topicPermResult{ErrorCode: r.Code, ErrorInfo: r.Info, TopicID: r.ID}
	}
	return out
}

func (s *Server) addTopicPermGroup(ctx context.Context, _ *Call, req *topicPermReq) (*topicPermResp, error) {
	res, err := s.deps.PermGroups.AddTopicPerms(ctx, req.GroupID, req.PermissionGroupID, req.items())
	if err != nil {
		return nil, err
	}
	return toTopicPermResp(res), nil
}

func (s *Server) setTopicPermGroup(ctx context.Context, _ *Call, req *topicPermReq) (*topicPermResp, error) {
	res, err := s.deps.PermGroups.SetTopicPerms(ctx, req.GroupID, req.PermissionGroupID, req.items())
	if err != nil {
		return nil, err
	}
	return toTopicPermResp(res), nil
}

func (s *Server) deleteTopicPermGroup(ctx context.Context, _ *Call, req *topicPermReq) (*topicPermResp, error) {
	res, err := s.deps.PermGroups.DeleteTopicPerms(ctx, req.GroupID, req.PermissionGroupID, req.TopicIDList)
	if err != nil {
		return nil, err
	}
	return toTopicPermResp(res), nil
}

func (s *Server) getTopicPermGroup(ctx context.Context, _ *Call, req *topicPermReq) (*topicPermResp, error) {
	res, err := s.deps.PermGroups.GetTopicPerms(ctx, req.GroupID, req.PermissionGroupID, req.TopicIDList)
	if err != nil {
		return nil, err
	}
	out := &topicPermResp{TopicPermissionResultList: make([]topicPermResult, len(res))}
	for i, r := range res {
		item := topicPermResult{ErrorCode: r.Code, ErrorInfo: r.Info, TopicID: r.ID}
		if r.Code == 0 {
			p := r.Permission
			item.Permission = &p
		}
		out.TopicPermissionResultList[i] = item
	}
	return out, nil
}
