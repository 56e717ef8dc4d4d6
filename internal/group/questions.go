package group

import "github.com/hearth-chat/hearth/internal/hook"

// The questions the group rules ask the app backend before they act
// (internal/webhook renders them as callback bodies).

// CreateQuestion asks before create_group makes Group.
type CreateQuestion struct {
	Group   Group
	Members []string // the members other than the owner
	Owned   int      // groups of this type the owner already owns
}

// InviteQuestion asks before add_group_member adds Members (the imported
// accounts of the request) to a group.
type InviteQuestion struct {
	GroupID string
	Type    Type
	Members []string
}

func (CreateQuestion) Callback() string { return hook.BeforeCreateGroup }
func (InviteQuestion) Callback() string { return hook.BeforeInviteJoinGroup }
