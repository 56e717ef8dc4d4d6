package record

import "github.com/hearth-chat/hearth/internal/conversation"

// ConversationRow is one row of a store's conversation-list query: the
// conversation and where its last message is (LastID, the c2c_messages id
// of a one-to-one conversation's; TopicID and Seq, a group's).
type ConversationRow struct {
	C       conversation.Conversation
	Pinned  int64 // pinned_at; 0 not pinned
	LastID  int64
	TopicID string
	Seq     int64
}

// Dest returns the scan receivers of the query's columns: kind, peer,
// time, pinned_at, last_id, topic_id, seq.
func (r *ConversationRow) Dest() []any {
	return []any{&r.C.Type, &r.C.ID, &r.C.Time, &r.Pinned, &r.LastID, &r.TopicID, &r.Seq}
}

// Conversation returns the row's conversation, Pinned set; the last
// message is the store's to read.
func (r *ConversationRow) Conversation() conversation.Conversation {
	c := r.C
	c.Pinned = r.Pinned > 0
	return c
}

// PinnedArg is conversation.Query.Pinned as the list query's argument: -1
// either, 1 pinned only, 0 unpinned only.
func PinnedArg(p *bool) int {
	switch {
	case p == nil:
		return -1
	case *p:
		return 1
	}
	return 0
}
