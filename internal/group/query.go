package group

import (
	"context"
	"encoding/base64"
	"sort"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
)

// InfoResult is one group of get_group_info: the group, or the code and
// text saying why it is missing.
type InfoResult struct {
	GroupID string
	Group   Group
	Members []Member // when asked for
	Code    int
	Info    string
}

// Info returns several groups (get_group_info); withMembers adds their
// member lists.
func (s *Service) Info(ctx context.Context, ids []string, withMembers bool) ([]InfoResult, error) {
	if len(ids) == 0 {
		return nil, badParam("GroupIdList is empty")
	}
	if len(ids) > MaxGroupInfoIDs {
		return nil, badParam("at most %d IDs in GroupIdList", MaxGroupInfoIDs)
	}
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if ValidID(id) { // a malformed one is answered 10015 below
			valid = append(valid, id)
		}
	}
	found, err := s.store.GetGroups(ctx, valid)
	if err != nil {
		return nil, err
	}
	out := make([]InfoResult, len(ids))
	for i, id := range ids {
		r := InfoResult{GroupID: id}
		g, ok := found[id]
		switch {
		case !ValidID(id):
			r.Code, r.Info = apierr.GroupBadID, "invalid group ID"
		case !ok:
			r.Code, r.Info = apierr.GroupNotFound, "group does not exist or was dissolved"
		default:
			r.Group = g
			if withMembers {
				if r.Members, err = s.store.ListMembers(ctx, id, MemberQuery{Limit: MaxMemberList}); err != nil {
					return nil, err
				}
			}
		}
		out[i] = r
	}
	return out, nil
}

// MemberPage is one page of get_group_member_info.
type MemberPage struct {
	Total     int
	Members   []Member
	Community bool   // the group pages by Next
	Next      string // communities: "" when done
}

// MemberPageRequest is get_group_member_info after decoding.
type MemberPageRequest struct {
	GroupID string
	Roles   []string // MemberRoleFilter: Owner, Admin, Member; none for all
	Limit   int
	Offset  int
	Next    string
}

// Members pages through a group's members (get_group_member_info), in
// UserID order. Communities page by the opaque Next cursor, other types by
// Offset.
func (s *Service) Members(ctx context.Context, req MemberPageRequest) (MemberPage, error) {
	g, err := s.Get(ctx, req.GroupID)
	if err != nil {
		return MemberPage{}, err
	}
	if req.Limit < 0 || req.Limit > MaxMemberPage || req.Offset < 0 {
		return MemberPage{}, badParam("Limit must be 0..%d and Offset not negative", MaxMemberPage)
	}
	limit := req.Limit
	if limit == 0 { // not given (or 0 sent for it): every member
		limit = MaxMemberList
	}
	roles := map[Role]bool{}
	for _, r := range req.Roles {
		if r != string(RoleOwner) && r != string(RoleAdmin) && r != string(RoleMember) {
			return MemberPage{}, badParam("MemberRoleFilter holds %q: use Owner, Admin or Member", r)
		}
		roles[Role(r)] = true
	}
	page := MemberPage{Total: g.MemberNum, Community: g.Type == Community}
	q := MemberQuery{Offset: req.Offset, Limit: limit}
	if page.Community {
		if req.Offset != 0 {
			return MemberPage{}, badParam("Community groups page with Next, not Offset")
		}
		if req.Next != "" {
			after, err := base64.RawURLEncoding.DecodeString(req.Next)
			if err != nil || !account.ValidUserID(string(after)) {
				return MemberPage{}, badParam("Next is not a cursor this server returned")
			}
			q.After = string(after)
		}
	}
	if page.Members, err = s.listRoles(ctx, g.ID, q, roles); err != nil {
		return MemberPage{}, err
	}
	if page.Community && len(page.Members) == limit {
		page.Next = base64.RawURLEncoding.EncodeToString([]byte(page.Members[len(page.Members)-1].UserID))
	}
	return page, nil
}

// listRoles lists members of the given roles (all when empty): one store
// query per role, merged in UserID order.
func (s *Service) listRoles(ctx context.Context, groupID string, q MemberQuery, roles map[Role]bool) ([]Member, error) {
	if len(roles) == 0 || len(roles) == 3 {
		return s.store.ListMembers(ctx, groupID, q)
	}
	offset := q.Offset
	q.Limit, q.Offset = q.Offset+q.Limit, 0
	var merged []Member
	for r := range roles {
		q.Role = r
		part, err := s.store.ListMembers(ctx, groupID, q)
		if err != nil {
			return nil, err
		}
		merged = append(merged, part...)
	}
	sort.Slice(merged, func(i, j int) bool { return merged[i].UserID < merged[j].UserID })
	return page(merged, offset, q.Limit-offset), nil
}

// JoinedRequest is get_joined_group_list after decoding.
type JoinedRequest struct {
	UserID         string
	Type           string
	WithHugeGroups bool
	SupportTopic   bool
	Limit, Offset  int
}

// Joined lists the groups a user belongs to (get_joined_group_list).
// AVChatRoom groups are left out unless WithHugeGroups.
func (s *Service) Joined(ctx context.Context, req JoinedRequest) ([]Joined, int, error) {
	if req.UserID == "" {
		return nil, 0, badParam("Member_Account is required")
	}
	if err := s.mustExist(ctx, []string{req.UserID}); err != nil {
		return nil, 0, err
	}
	var t Type
	if req.Type != "" {
		var ok bool
		if t, ok = ParseType(req.Type); !ok {
			return nil, 0, badParam("GroupType %q is not a group type", req.Type)
		}
	}
	if req.SupportTopic && t != Community {
		return nil, 0, badParam("SupportTopic needs GroupType Community")
	}
	if req.Limit < 0 || req.Limit > MaxJoinedPage || req.Offset < 0 {
		return nil, 0, badParam("Limit must be 0..%d and Offset not negative", MaxJoinedPage)
	}
	if t == AVChatRoom {
		req.WithHugeGroups = true
	}
	// AVChatRoom and topic filters apply here: then read everything of the
	// type and page afterwards.
	filter := (!req.WithHugeGroups && t == "") || req.SupportTopic
	q := JoinedQuery{Type: t, Offset: req.Offset, Limit: req.Limit}
	if filter {
		q.Offset, q.Limit = 0, 0
	}
	all, total, err := s.store.JoinedGroups(ctx, req.UserID, q)
	if err != nil {
		return nil, 0, err
	}
	if !filter {
		return all, total, nil
	}
	kept := all[:0]
	for _, j := range all {
		if (!req.WithHugeGroups && j.Group.Type == AVChatRoom) || (req.SupportTopic && !j.Group.SupportTopic) {
			continue
		}
		kept = append(kept, j)
	}
	return page(kept, req.Offset, req.Limit), len(kept), nil
}

func page[T any](list []T, offset, limit int) []T {
	if offset >= len(list) {
		return nil
	}
	list = list[offset:]
	if limit > 0 && limit < len(list) {
		list = list[:limit]
	}
	return list
}
