package gateway

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/hook"
	"github.com/hearth-chat/hearth/internal/message"
)

// MaxSyncStreams bounds the streams of one sync request; MaxSyncMessages the
// messages replayed per stream (older ones are read with history).
const (
	MaxSyncStreams  = 1000
	MaxSyncMessages = 1000
)

// readLoop handles the client's frames until the connection ends.
func (s *Server) readLoop(ss *session) {
	ctx, cancel := context.WithCancel(hook.WithOrigin(context.Background(), hook.Origin{ClientIP: ss.ip, Platform: hook.PlatformUnknown}))
	defer cancel()
	idle := s.deps.IdleTimeout
	ss.conn.SetPongHandler(func(string) error { return ss.conn.SetReadDeadline(time.Now().Add(idle)) })
	for {
		_ = ss.conn.SetReadDeadline(time.Now().Add(idle))
		var f client.Frame
		if err := ss.conn.ReadJSON(&f); err != nil {
			if _, syntax := err.(*json.SyntaxError); syntax {
				s.reply(ss, client.Frame{Type: client.TypeError, Code: apierr.BadJSON, Info: "a frame must be a JSON object"})
				continue
			}
			if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) {
				ss.close(websocket.CloseNormalClosure, "")
			} else {
				ss.close(websocket.CloseAbnormalClosure, "read failed")
			}
			return
		}
		select {
		case <-ss.done:
			return
		default:
		}
		switch f.Type {
		case client.TypePing:
			s.reply(ss, client.Frame{Type: client.TypePong, ID: f.ID, ServerTime: time.Now().Unix()})
		case client.TypeSend:
			s.send(ctx, ss, f)
		case client.TypeSync:
			s.sync(ctx, ss, f)
		default:
			s.reply(ss, client.Frame{Type: client.TypeError, ID: f.ID, Code: apierr.UnknownCommand, Info: "unknown frame type " + f.Type})
		}
	}
}

func (s *Server) reply(ss *session, f client.Frame) {
	b, _ := json.Marshal(f)
	ss.push(b)
}

func (s *Server) fail(ss *session, id string, err error) {
	code, info := apierr.GroupInternal, "internal error, retry"
	if e, ok := apierr.As(err); ok {
		code, info = e.Code, e.Info
	} else {
		s.deps.Logger.Error("gateway request failed", "user", ss.user, "err", err)
	}
	s.reply(ss, client.Frame{Type: client.TypeError, ID: id, Code: code, Info: info})
}

// send stores a message from the session's user through the message
// service (permission engine, mutes, de-duplication) and acks its seq.
func (s *Server) send(ctx context.Context, ss *session, f client.Frame) {
	r := f.Random
	if f.To != "" {
		res, err := s.deps.C2C.Send(ctx, message.C2CSend{From: ss.user, To: []string{f.To}, Random: &r, Body: f.MsgBody}, false)
		if err != nil {
			s.fail(ss, f.ID, err)
			return
		}
		s.reply(ss, client.Frame{Type: client.TypeAck, ID: f.ID, To: f.To, MsgKey: res.Message.Key, Time: res.Message.Time})
		return
	}
	m, err := s.deps.Messages.Send(ctx, message.SendRequest{GroupID: f.GroupID, TopicID: f.TopicID, From: ss.user, Random: &r, Body: f.MsgBody})
	if err != nil {
		s.fail(ss, f.ID, err)
		return
	}
	s.reply(ss, client.Frame{Type: client.TypeAck, ID: f.ID, GroupID: m.GroupID, TopicID: m.TopicID, Seq: m.Seq, Time: m.Time})
}

// sync pushes, per stream, the messages after the client's last seq in
// order, then sync_done.
func (s *Server) sync(ctx context.Context, ss *session, f client.Frame) {
	if len(f.Streams) > MaxSyncStreams {
		s.fail(ss, f.ID, apierr.New(apierr.GroupBadParam, "at most %d streams in one sync", MaxSyncStreams))
		return
	}
	for _, st := range f.Streams {
		if st.Peer != "" {
			list, err := s.c2cSince(ctx, ss.user, st.Peer, st.AfterTime)
			if err != nil {
				s.fail(ss, f.ID, err)
				return
			}
			for i := len(list) - 1; i >= 0; i-- { // oldest first
				ss.push(c2cFrame(list[i]))
			}
			continue
		}
		list, err := s.deps.Messages.Since(ctx, ss.user, st.GroupID, st.TopicID, st.AfterSeq, MaxSyncMessages)
		if err != nil {
			s.fail(ss, f.ID, err)
			return
		}
		for _, m := range list {
			ss.push(messageFrame(m))
		}
	}
	s.reply(ss, client.Frame{Type: client.TypeSyncDone, ID: f.ID})
}

// c2cSince returns the messages of a conversation from afterTime on, newest
// first, paging back through the store up to MaxSyncMessages.
func (s *Server) c2cSince(ctx context.Context, user, peer string, afterTime int64) ([]message.C2CMessage, error) {
	var all []message.C2CMessage
	last := ""
	for len(all) < MaxSyncMessages {
		page, complete, err := s.deps.C2C.Roam(ctx, user, peer, message.MaxRoamCount, afterTime, 0, last)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if complete || len(page) == 0 {
			break
		}
		last = page[len(page)-1].Key
	}
	return all, nil
}
