package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/conversation"
	"github.com/hearth-chat/hearth/internal/event"
)

// conversationFlags are the list's AssistFlags over the WebSocket: pinned
// first and paged with the others, empty conversations (a group without a
// message yet) included.
const conversationFlags = conversation.FlagPinned | conversation.FlagPinnedPages | conversation.FlagEmpty

// conversations answers a conversations frame with a page of the user's
// conversation list (docs/protocol.md): the first page without a cursor,
// the next with the cursor of the page before; the answer's cursor is ""
// after the last page, its conversations absent when there are none.
func (s *Server) conversations(ctx context.Context, ss *session, f client.Frame) {
	if s.deps.Conversations == nil {
		s.fail(ss, f.ID, apierr.New(apierr.UnknownCommand, "this server keeps no conversation lists"))
		return
	}
	normal, pinned, err := decodeConversationCursor(f.Cursor)
	if err != nil {
		s.fail(ss, f.ID, err)
		return
	}
	p, err := s.deps.Conversations.List(ctx, conversation.ListRequest{User: ss.user, Normal: normal, Pinned: pinned, Flags: conversationFlags})
	if err != nil {
		s.fail(ss, f.ID, err)
		return
	}
	items := make([]client.Conversation, len(p.Items))
	for i, c := range p.Items {
		items[i] = conversationItem(c)
	}
	ans := client.Frame{Type: client.TypeConversations, ID: f.ID, Conversations: items}
	if !p.Complete {
		ans.Cursor = encodeConversationCursor(p.Normal, p.Pinned)
	}
	s.reply(ss, ans)
}

// conversationItem is one conversation as the protocol lists it, its last
// message as the frame it was pushed as.
func conversationItem(c conversation.Conversation) client.Conversation {
	it := client.Conversation{Time: c.Time, Pinned: c.Pinned, Unread: c.Unread,
		Recalled: c.C2C != nil && c.C2C.Recalled || c.Group != nil && c.Group.Recalled}
	if c.Type == conversation.C2C {
		it.Peer = c.ID
	} else {
		it.GroupID = c.ID
	}
	var last []byte
	switch {
	case c.C2C != nil:
		last = c2cFrame(*c.C2C)
	case c.Group != nil:
		last = messageFrame(*c.Group)
	}
	if last != nil {
		var f client.Frame
		_ = json.Unmarshal(last, &f) // our own encoding
		it.Last = &f
	}
	return it
}

// refItem is a conversation named in an event frame.
func refItem(r conversation.Ref) client.Conversation {
	if r.Type == conversation.C2C {
		return client.Conversation{Peer: r.ID}
	}
	return client.Conversation{GroupID: r.ID}
}

// conversationEvent encodes a change of the user's list as the event frame
// pushed to the user's own sessions: the conversations it names and, for a
// pin, {"Pinned": true or false}.
func conversationEvent(e event.Event) []byte {
	f := client.Frame{Type: client.TypeEvent, Event: e.Type}
	switch c := e.Change.(type) {
	case conversation.Pinned:
		for _, r := range c.Refs {
			f.Conversations = append(f.Conversations, refItem(r))
		}
		f.Data, _ = json.Marshal(struct{ Pinned bool }{c.Pinned})
	case conversation.Deleted:
		f.Conversations = []client.Conversation{refItem(c.Ref)}
	}
	b, _ := json.Marshal(f)
	return b
}

// The conversations cursor is opaque to clients: the list's two cursors
// (the others', then the pinned ones'), each as time.index.
func encodeConversationCursor(normal, pinned conversation.Cursor) string {
	return fmt.Sprintf("%d.%d.%d.%d", normal.Time, normal.Index, pinned.Time, pinned.Index)
}

func decodeConversationCursor(s string) (normal, pinned conversation.Cursor, err error) {
	if s == "" {
		return normal, pinned, nil
	}
	parts := strings.Split(s, ".")
	var n [4]int64
	ok := len(parts) == 4
	for i := 0; ok && i < 4; i++ {
		n[i], err = strconv.ParseInt(parts[i], 10, 64)
		ok = err == nil && n[i] >= 0 && (i%2 == 0 || n[i] <= 1<<31)
	}
	if !ok {
		return normal, pinned, apierr.New(apierr.RecentBadParam, "cursor %q is not one a conversations answer gave", s)
	}
	return conversation.Cursor{Time: n[0], Index: int(n[1])}, conversation.Cursor{Time: n[2], Index: int(n[3])}, nil
}
