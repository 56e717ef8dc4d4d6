package gateway

import (
	"context"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/message"
)

// groupMessage is the message frame of a stored group or topic message,
// with its edit marker when it was edited.
func groupMessage(m message.Message) client.Frame {
	return client.Frame{Type: client.TypeMessage, GroupID: m.GroupID, TopicID: m.TopicID,
		Seq: m.Seq, From: m.From, Time: m.Time, Random: m.Random, MsgBody: m.Body,
		Edited: m.EditTime != 0, EditTime: m.EditTime}
}

// c2cMessage is the message frame of a one-to-one message, with its edit
// marker when it was edited.
func c2cMessage(m message.C2CMessage) client.Frame {
	return client.Frame{Type: client.TypeMessage, From: m.From, To: m.To, Seq: uint64(m.Seq),
		Random: m.Random, Time: m.Time, MsgKey: m.Key, MsgBody: m.Body,
		Edited: m.EditTime != 0, EditTime: m.EditTime}
}

// edit replaces the body of one of the user's own messages: a group or
// topic message by seq (the permission engine's EditOwnMessage, with the
// stream's membership and mutes as for sending), or a one-to-one message
// the user sent to `to` by msg_key. The ack names the message and carries
// its edit time; every member's sockets (both users' for one-to-one) get
// the message.*_edited event.
func (s *Server) edit(ctx context.Context, ss *session, f client.Frame) {
	if f.To != "" || f.MsgKey != "" {
		m, err := s.deps.C2C.EditOwn(ctx, ss.user, f.To, f.MsgKey, f.MsgBody)
		if err != nil {
			s.fail(ss, f.ID, err)
			return
		}
		s.reply(ss, client.Frame{Type: client.TypeAck, ID: f.ID, To: m.To, MsgKey: m.Key, Time: m.Time, Edited: true, EditTime: m.EditTime})
		return
	}
	m, err := s.deps.Messages.EditOwn(ctx, ss.user, f.GroupID, f.TopicID, f.Seq, f.MsgBody)
	if err != nil {
		s.fail(ss, f.ID, err)
		return
	}
	s.reply(ss, client.Frame{Type: client.TypeAck, ID: f.ID, GroupID: m.GroupID, TopicID: m.TopicID, Seq: m.Seq, Time: m.Time, Edited: true, EditTime: m.EditTime})
}

// recall recalls a message: a group or topic message by seq (one's own
// under EditOwnMessage, another member's under RecallOthers), or a
// one-to-one message the user sent to `to` by msg_key. The ack names the
// message; the members' sockets get the message.*_recalled event.
func (s *Server) recall(ctx context.Context, ss *session, f client.Frame) {
	if f.To != "" || f.MsgKey != "" {
		if err := s.deps.C2C.RecallOwn(ctx, ss.user, f.To, f.MsgKey); err != nil {
			s.fail(ss, f.ID, err)
			return
		}
		s.reply(ss, client.Frame{Type: client.TypeAck, ID: f.ID, To: f.To, MsgKey: f.MsgKey})
		return
	}
	if err := s.deps.Messages.RecallAs(ctx, ss.user, f.GroupID, f.TopicID, f.Seq); err != nil {
		s.fail(ss, f.ID, err)
		return
	}
	s.reply(ss, client.Frame{Type: client.TypeAck, ID: f.ID, GroupID: f.GroupID, TopicID: f.TopicID, Seq: f.Seq})
}
