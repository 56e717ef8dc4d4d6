package gateway

import (
	"context"

	"github.com/hearth-chat/hearth/client"
)

// typing relays that the session's user is typing in a group or topic, or
// to a peer (f.To), and answers typing_ok.
func (s *Server) typing(ctx context.Context, ss *session, f client.Frame) {
	var err error
	if f.To != "" {
		err = s.deps.C2C.Typing(ctx, ss.user, f.To)
	} else {
		err = s.deps.Messages.Typing(ctx, ss.user, f.GroupID, f.TopicID)
	}
	if err != nil {
		s.fail(ss, f.ID, err)
		return
	}
	s.reply(ss, client.Frame{Type: client.TypeTypingOK, ID: f.ID, GroupID: f.GroupID, TopicID: f.TopicID, To: f.To})
}
