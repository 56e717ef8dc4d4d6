package group

import (
	"context"
	"fmt"

	"github.com/hearth-chat/hearth/internal/apierr"
)

// MaxSpecifiedMembers is how many members get_specified_group_member_info
// names in one request (Member_List_Account).
const MaxSpecifiedMembers = 50

// SpecifiedMembers returns the memberships of the named users that are
// members of groupID, in the order of ids, without paging the member list
// (get_specified_group_member_info). Users who are not members are left
// out. AVChatRoom groups keep no member profiles to answer (10007).
func (s *Service) SpecifiedMembers(ctx context.Context, groupID string, ids []string) ([]Member, error) {
	g, err := s.Get(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if err := checkMemberList("Member_List_Account", ids, MaxSpecifiedMembers); err != nil {
		return nil, err
	}
	if g.Type == AVChatRoom {
		return nil, apierr.New(apierr.GroupNoPermission, "AVChatRoom groups do not support get_specified_group_member_info")
	}
	found, err := s.store.GetMembers(ctx, g.ID, ids)
	if err != nil {
		return nil, fmt.Errorf("get members: %w", err)
	}
	out := make([]Member, 0, len(found))
	for _, id := range ids {
		if m, ok := found[id]; ok {
			out = append(out, m)
		}
	}
	return out, nil
}
