package client

import "context"

// Conversations asks for a page of the user's conversation list: the
// first page with cursor "", the next with the Cursor of the answer before
// ("" in the answer after the last page). The answer's Conversations are
// pinned ones first, then the others, newest message first; changes after
// it arrive on Frames (message frames, and event frames of the kinds
// conversation.pinned and conversation.deleted).
func (c *Conn) Conversations(ctx context.Context, cursor string) (Frame, error) {
	return c.request(ctx, Frame{Type: TypeConversations, Cursor: cursor})
}
