package conversation

import (
	"context"
	"errors"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/message"
)

// Reads counts the unread messages of conversations with the read-state
// rules: a one-to-one conversation's from the peer's messages after the
// read time, a group's as the sum over its streams (a community's own and
// every topic's).
type Reads struct{ Reads *message.Reads }

// FillUnread implements UnreadCounter: one count of every peer for the
// one-to-one conversations, one read per group.
func (r Reads) FillUnread(ctx context.Context, user string, list []Conversation) error {
	var peers map[string]uint64
	for i := range list {
		c := &list[i]
		var n uint64
		switch c.Type {
		case C2C:
			if peers == nil {
				var err error
				if peers, _, _, err = r.Reads.C2CUnread(ctx, user, nil); err != nil {
					return err
				}
			}
			n = peers[c.ID]
		case Group:
			streams, err := r.Reads.Group(ctx, user, c.ID)
			if e := (*apierr.Error)(nil); errors.As(err, &e) {
				continue // left or gone since the list was read: no count
			}
			if err != nil {
				return err
			}
			for _, st := range streams {
				n += st.Unread
			}
		}
		c.Unread = &n
	}
	return nil
}
