package message

import (
	"context"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/permission"
)

// Typing: User is typing in a stream, a group's own or a topic's (GroupID,
// TopicID), or in a one-to-one conversation with Peer. It is ephemeral:
// never stored, no callback, nothing cached; routed to the sessions of the
// group's members, or of Peer.
type Typing struct {
	User    string
	GroupID string `json:",omitempty"`
	TopicID string `json:",omitempty"`
	Peer    string `json:",omitempty"`
}

func (Typing) Kind() string { return "message.typing" }
func (c Typing) Scope() event.Scope {
	if c.Peer != "" {
		return event.Scope{Users: []string{c.Peer}}
	}
	return event.Scope{GroupID: c.GroupID, TopicID: c.TopicID}
}
func (Typing) Routed() {}

func init() { event.Register[Typing]() }

// MaxTypingGroup is the largest group whose members are told who is
// typing: in a larger one every keystroke pause would reach every online
// member.
const MaxTypingGroup = 500

// Typing tells the members of a group or topic that user is typing: user
// must be a member that may send there (10007), and the group at most
// MaxTypingGroup members (10004).
func (s *Service) Typing(ctx context.Context, user, groupID, topicID string) error {
	g, _, err := s.stream(ctx, groupID, topicID)
	if err != nil {
		return err
	}
	if g.MemberNum > MaxTypingGroup {
		return badParam("typing is relayed in groups of at most %d members; %s has %d", MaxTypingGroup, g.ID, g.MemberNum)
	}
	if err := s.groups.Authorize(ctx, g, group.Actor{UserID: user}, permission.SendMessage, "", topicID); err != nil {
		return err
	}
	if s.bus != nil {
		s.bus.Publish(event.Of(ctx, Typing{User: user, GroupID: g.ID, TopicID: topicID}, s.now()))
	}
	return nil
}

// Typing tells peer that user is typing to it: 90001 for a malformed or
// missing peer, 90012 for one that is not an account.
func (c *C2C) Typing(ctx context.Context, user, peer string) error {
	if err := account.CheckUserID("to", peer, apierr.MsgBadJSON); err != nil {
		return err
	}
	if peer == user {
		return c2cBad(apierr.MsgBadJSON, "one does not type to oneself")
	}
	exist, err := c.accounts.ExistingAccounts(ctx, []string{peer})
	if err != nil {
		return err
	}
	if !exist[peer] {
		return apierr.New(apierr.MsgToNotFound, "account %s is not imported", peer)
	}
	if c.bus != nil {
		c.bus.Publish(event.Of(ctx, Typing{User: user, Peer: peer}, c.now()))
	}
	return nil
}
