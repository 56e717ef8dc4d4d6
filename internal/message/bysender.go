package message

import (
	"context"
	"fmt"

	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
)

// SenderStore is the storage delete_group_msg_by_sender needs.
type SenderStore interface {
	// DeleteGroupMessagesBySender wipes, in one transaction, every message
	// from sender in the stream topicID of groupID ("" the group's own) or,
	// with allStreams, in every stream of the group (its own and its
	// topics'): each is marked recalled and its MsgBody ("[]") and
	// CloudCustomData ("") are erased; its sequence stays, so that streams
	// stay gapless. It returns per stream the sequences it wiped (those not
	// wiped before) in ascending order, streams in TopicID order.
	DeleteGroupMessagesBySender(ctx context.Context, groupID, topicID string, allStreams bool, sender string) ([]StreamSeqs, error)
}

// StreamSeqs names messages of one stream of a group.
type StreamSeqs struct {
	TopicID string // "" for the group's own stream
	Seqs    []uint64
}

// SenderDeleted: delete_group_msg_by_sender wiped the messages Seqs that
// Sender sent to one stream: recalled, their content erased, left out of
// history and replayed by sync as recalled placeholders.
type SenderDeleted struct {
	GroupID   string
	GroupType group.Type
	TopicID   string
	Sender    string
	Seqs      []uint64
}

func (SenderDeleted) Kind() string { return "message.sender_deleted" }
func (c SenderDeleted) Scope() event.Scope {
	return event.Scope{GroupID: c.GroupID, TopicID: c.TopicID}
}
func (SenderDeleted) Routed() {}

func init() { event.Register[SenderDeleted]() }

// DeleteBySender wipes every stored message that sender sent to a group
// (delete_group_msg_by_sender): without topicID in the group's own stream
// and in all its topics, with topicID in that topic of a community only.
// As the hosted service does, the messages are recalled silently (no recall
// callback); unlike a recall their content is erased too, so that neither
// history nor sync can give it back.
// AVChatRoom groups store no history: nothing to delete, and no error.
// Sender needs not be a member now (a banned raider is not).
func (s *Service) DeleteBySender(ctx context.Context, groupID, topicID, sender string) error {
	g, _, err := s.stream(ctx, groupID, topicID)
	if err != nil {
		return err
	}
	if sender == "" {
		return badParam("Sender_Account is required")
	}
	if err := group.CheckUserIDs("Sender_Account", sender); err != nil {
		return err
	}
	if g.Type == group.AVChatRoom {
		return nil
	}
	streams, err := s.store.DeleteGroupMessagesBySender(ctx, g.ID, topicID, topicID == "", sender)
	if err != nil {
		return fmt.Errorf("delete messages of %s in %s: %w", sender, g.ID, err)
	}
	if s.bus == nil {
		return nil
	}
	for _, st := range streams {
		s.bus.Publish(event.Of(ctx, SenderDeleted{GroupID: g.ID, GroupType: g.Type, TopicID: st.TopicID, Sender: sender, Seqs: st.Seqs}, s.now()))
	}
	return nil
}
