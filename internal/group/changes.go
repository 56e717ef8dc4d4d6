package group

import (
	"context"

	"github.com/hearth-chat/hearth/internal/event"
)

// The changes the group rules make, published after the store committed.

// Created: create_group made Group with Members (the owner included).
type Created struct {
	Group    Group
	Operator string // the owner it was created for
	Members  []string
}

// Imported: rows of a group were written without notifications
// (import_group, import_group_member, import_topic): only caches care, and
// the hub indexes imported members who are online.
type Imported struct {
	GroupID string
	TopicID string
	Members []string
}

// MembersAdded: add_group_member added Members.
type MembersAdded struct {
	GroupID   string
	GroupType Type
	Members   []string
}

// MembersRemoved: delete_group_member removed Members.
type MembersRemoved struct {
	GroupID   string
	GroupType Type
	Members   []string
	Reason    string
}

// MemberModified: modify_group_member_info changed one member.
type MemberModified struct {
	GroupID string
	Member  Member
}

// MembersMuted: forbid_send_msg muted Members until Until (0: unmuted).
type MembersMuted struct {
	GroupID string
	Members []string
	Until   int64
}

// Modified: modify_group_base_info changed the profile to Group.
type Modified struct {
	GroupID  string
	Group    Group
	Operator string
}

// OwnerChanged: change_group_owner.
type OwnerChanged struct {
	GroupID   string
	GroupType Type
	NewOwner  string
	OldOwner  string
	Operator  string
}

// Destroyed: destroy_group dissolved Group.
type Destroyed struct {
	Group Group
}

func (Created) Kind() string        { return "group.created" }
func (Imported) Kind() string       { return event.CacheInvalidate }
func (MembersAdded) Kind() string   { return "group.members_added" }
func (MembersRemoved) Kind() string { return "group.members_removed" }
func (MemberModified) Kind() string { return "group.member_modified" }
func (MembersMuted) Kind() string   { return "group.members_muted" }
func (Modified) Kind() string       { return "group.modified" }
func (OwnerChanged) Kind() string   { return "group.owner_changed" }
func (Destroyed) Kind() string      { return "group.destroyed" }

func (c Created) Scope() event.Scope { return event.Scope{GroupID: c.Group.ID, Users: c.Members} }
func (c Imported) Scope() event.Scope {
	return event.Scope{GroupID: c.GroupID, TopicID: c.TopicID, Users: c.Members}
}
func (c MembersAdded) Scope() event.Scope {
	return event.Scope{GroupID: c.GroupID, Users: c.Members}
}
func (c MembersRemoved) Scope() event.Scope {
	return event.Scope{GroupID: c.GroupID, Users: c.Members}
}
func (c MemberModified) Scope() event.Scope {
	return event.Scope{GroupID: c.GroupID, Users: []string{c.Member.UserID}}
}
func (c MembersMuted) Scope() event.Scope { return event.Scope{GroupID: c.GroupID, Users: c.Members} }
func (c Modified) Scope() event.Scope     { return event.Scope{GroupID: c.GroupID} }
func (c OwnerChanged) Scope() event.Scope {
	return event.Scope{GroupID: c.GroupID, Users: []string{c.NewOwner, c.OldOwner}}
}
func (c Destroyed) Scope() event.Scope { return event.Scope{GroupID: c.Group.ID} }

func init() {
	event.Register[Created]()
	event.Register[Imported]()
	event.Register[MembersAdded]()
	event.Register[MembersRemoved]()
	event.Register[MemberModified]()
	event.Register[MembersMuted]()
	event.Register[Modified]()
	event.Register[OwnerChanged]()
	event.Register[Destroyed]()
}

// publish sends c, made now by the request of ctx, to the dispatcher.
func (s *Service) publish(ctx context.Context, c event.Change) {
	if s.bus != nil {
		s.bus.Publish(event.Of(ctx, c, s.now()))
	}
}
