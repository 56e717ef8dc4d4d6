package permgroup

import (
	"context"
	"encoding/base64"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/text"
)

func encodeCursor(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// decodeCursor reads a Next this server returned: the base64 of the last
// ID of the previous page, a permission group ID or a UserID, both
// printable ASCII.
func decodeCursor(next string) (string, error) {
	if next == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(next)
	if err != nil || !text.PrintableASCII(string(b)) {
		return "", badParam("Next is not a cursor this server returned")
	}
	return string(b), nil
}

// Results of add_permission_group_member, as the hosted service answers
// them: 0 added, 10013 already in the permission group; Hearth answers
// 10007 for an account that is not a member of the community.
const (
	AddOK        = 0
	AddAlready   = apierr.GroupAlreadyMember
	AddNotMember = apierr.GroupNoPermission
)

func checkUsers(ids []string) error {
	if len(ids) == 0 {
		return badParam("MemberList is empty")
	}
	if len(ids) > MaxMembersPerCall {
		return apierr.New(apierr.GroupTooManyAccounts, "at most %d accounts in MemberList", MaxMembersPerCall)
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id == "" {
			return badParam("MemberList holds an empty account")
		}
		if err := group.CheckUserIDs("MemberList", id); err != nil {
			return err
		}
		if seen[id] {
			return badParam("MemberList holds %s twice", id)
		}
		seen[id] = true
	}
	return nil
}

// AddMembers puts community members into a permission group
// (add_permission_group_member): per account AddOK, AddAlready or
// AddNotMember.
func (s *Service) AddMembers(ctx context.Context, groupID, id string, users []string) ([]int, error) {
	g, err := s.community(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if err := permGroupID(id); err != nil {
		return nil, err
	}
	if err := checkUsers(users); err != nil {
		return nil, err
	}
	st, err := s.store.AddPermGroupMembers(ctx, g.ID, id, users)
	if err != nil {
		return nil, notFound(id, err)
	}
	out := make([]int, len(st))
	var added []string
	for i, x := range st {
		switch x {
		case ItemOK:
			out[i] = AddOK
			added = append(added, users[i])
		case ItemAlready:
			out[i] = AddAlready
		default:
			out[i] = AddNotMember
		}
	}
	if len(added) > 0 {
		s.changed(ctx, g.ID, added, Changed{Operation: "add_permission_group_member", PermissionGroupIDs: []string{id}})
	}
	return out, nil
}

// DeleteMembers takes accounts out of a permission group
// (delete_permission_group_member); accounts not in it are ignored.
func (s *Service) DeleteMembers(ctx context.Context, groupID, id string, users []string) error {
	g, err := s.community(ctx, groupID)
	if err != nil {
		return err
	}
	if err := permGroupID(id); err != nil {
		return err
	}
	if err := checkUsers(users); err != nil {
		return err
	}
	removed, err := s.store.DeletePermGroupMembers(ctx, g.ID, id, users)
	if err != nil {
		return notFound(id, err)
	}
	if len(removed) > 0 {
		s.changed(ctx, g.ID, removed, Changed{Operation: "delete_permission_group_member", PermissionGroupIDs: []string{id}})
	}
	return nil
}

// Members pages through a permission group's members
// (get_permission_group_member_list): limit 1..50, next "" first; the
// returned next is "" after the last page.
func (s *Service) Members(ctx context.Context, groupID, id string, limit int, next string) ([]string, string, error) {
	g, err := s.community(ctx, groupID)
	if err != nil {
		return nil, "", err
	}
	if err := permGroupID(id); err != nil {
		return nil, "", err
	}
	if limit < 0 || limit > MaxMemberListLimit {
		return nil, "", badParam("Limit must be 1..%d", MaxMemberListLimit)
	}
	if limit == 0 {
		limit = MaxMemberListLimit
	}
	after, err := decodeCursor(next)
	if err != nil {
		return nil, "", err
	}
	list, err := s.store.ListPermGroupMembers(ctx, g.ID, id, after, limit)
	if err != nil {
		return nil, "", notFound(id, err)
	}
	if list == nil {
		list = []string{}
	}
	if len(list) == limit {
		return list, encodeCursor(list[len(list)-1]), nil
	}
	return list, "", nil
}
