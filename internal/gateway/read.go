package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"time"
	"unicode/utf8"

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

// readLoop handles the client's frames until the connection ends. A frame
// that is not a well-formed request is answered with an error frame and the
// session goes on; only a fault of the WebSocket framing itself ends it
// (readFault).
func (s *Server) readLoop(ss *session) {
	ctx, cancel := context.WithCancel(hook.WithOrigin(context.Background(), hook.Origin{ClientIP: ss.ip, Platform: optPlatform(ss.platform)}))
	defer cancel()
	idle := s.deps.IdleTimeout
	ss.conn.SetPongHandler(func(string) error { return ss.conn.SetReadDeadline(time.Now().Add(idle)) })
	for {
		_ = ss.conn.SetReadDeadline(time.Now().Add(idle))
		kind, data, err := ss.conn.ReadMessage()
		if bad := readFault(kind, data, err); bad != nil {
			ss.peerClose = closeCodeOf(err)
			if bad.timeout {
				bad.code, bad.reason = CloseIdle, fmt.Sprintf("idle: no frame and no pong for %v", idle)
			}
			ss.close(bad.code, bad.reason)
			return
		}
		select {
		case <-ss.done:
			return
		default:
		}
		f, err := decodeFrame(data)
		if err != nil {
			id := recoverID(data)
			if limited := s.admit(ss, client.Frame{}); limited != nil {
				err = limited
			}
			s.fail(ss, id, err)
			continue
		}
		if limited := s.admit(ss, f); limited != nil {
			s.fail(ss, f.ID, limited)
			continue
		}
		switch f.Type {
		case client.TypePing:
			s.reply(ss, client.Frame{Type: client.TypePong, ID: f.ID, ServerTime: time.Now().Unix()})
		case client.TypeSend:
			s.send(ctx, ss, f)
		case client.TypeSync:
			s.sync(ctx, ss, f)
		case client.TypeTyping:
			s.typing(ctx, ss, f)
		case client.TypeRead:
			s.read(ctx, ss, f)
		case client.TypeUnread:
			s.unread(ctx, ss, f)
		case client.TypePresence:
			s.presenceQuery(ctx, ss, f)
		case client.TypePresenceSubscribe:
			s.presenceSubscribe(ctx, ss, f)
		case client.TypeConversations:
			s.conversations(ctx, ss, f)
		case client.TypeExtSet, client.TypeExtRemove:
			s.extension(ctx, ss, f)
		case client.TypeEdit:
			s.edit(ctx, ss, f)
		case client.TypeRecall:
			s.recall(ctx, ss, f)
		case client.TypeLogin:
			s.reply(ss, client.Frame{Type: client.TypeError, ID: f.ID, Code: apierr.UnknownCommand, Info: "already logged in as " + ss.user})
		default:
			s.reply(ss, client.Frame{Type: client.TypeError, ID: f.ID, Code: apierr.UnknownCommand, Info: fmt.Sprintf("unknown frame type %q", f.Type)})
		}
	}
}

// fault is why a connection ends: the close frame to send (code
// closeNoFrame for none), or a read timeout.
type fault struct {
	code    int
	reason  string
	timeout bool
}

// readFault checks what ReadMessage returned at the WebSocket level: nil
// for a text frame of UTF-8, which decodeFrame takes on from there.
func readFault(kind int, data []byte, err error) *fault {
	var ce *websocket.CloseError
	var ne net.Error
	switch {
	case err == nil && kind != websocket.TextMessage:
		return &fault{code: websocket.CloseUnsupportedData, reason: "binary frames are not part of the protocol: send JSON text frames"}
	case err == nil && !utf8.Valid(data):
		return &fault{code: websocket.CloseInvalidFramePayloadData, reason: "a text frame must be valid UTF-8"}
	case err == nil:
		return nil
	case errors.As(err, &ce):
		// The peer closed; the library answered its close frame.
		return &fault{code: closeNoFrame}
	case errors.Is(err, websocket.ErrReadLimit):
		// The library sent 1009 (message too big) itself.
		return &fault{code: closeNoFrame}
	case errors.As(err, &ne) && ne.Timeout():
		return &fault{timeout: true}
	default:
		// The connection failed, or broke the framing (the library sent
		// 1002): nothing more to say.
		return &fault{code: closeNoFrame}
	}
}

// readLogin reads frames until a login frame decodes, answering every other
// frame with an error frame as readLoop does; a fault of the framing, or the
// login deadline, ends the connection.
func (s *Server) readLogin(conn *websocket.Conn, limits *connLimits) (client.Frame, *fault) {
	ss := &session{conn: conn, limits: limits} // no writer yet: answers are written here
	answer := func(id string, err error) {
		if limited := s.admit(ss, client.Frame{}); limited != nil {
			err = limited
		}
		code, info := apierr.BadJSON, err.Error()
		if e, ok := apierr.As(err); ok {
			code, info = e.Code, e.Info
		}
		b, _ := json.Marshal(client.Frame{Type: client.TypeError, ID: id, Code: code, Info: info})
		_ = conn.SetWriteDeadline(time.Now().Add(WriteTimeout))
		_ = conn.WriteMessage(websocket.TextMessage, b)
	}
	for {
		kind, data, err := conn.ReadMessage()
		if bad := readFault(kind, data, err); bad != nil {
			return client.Frame{}, bad
		}
		f, err := decodeFrame(data)
		switch {
		case err != nil:
			answer(recoverID(data), err)
		case f.Type != client.TypeLogin:
			answer(f.ID, apierr.New(apierr.BadJSON, "log in first: the first frame must be a login frame, not %q", f.Type))
		default:
			return f, nil
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
		res, err := s.deps.C2C.Send(ctx, message.C2CSend{From: ss.user, To: []string{f.To}, Random: &r, Body: f.MsgBody, Client: true, Extensible: f.Extensible}, false)
		if err != nil {
			s.fail(ss, f.ID, err)
			return
		}
		s.reply(ss, client.Frame{Type: client.TypeAck, ID: f.ID, To: f.To, MsgKey: res.Message.Key, Time: res.Message.Time})
		return
	}
	m, err := s.deps.Messages.Send(ctx, message.SendRequest{GroupID: f.GroupID, TopicID: f.TopicID, From: ss.user, Random: &r, Body: f.MsgBody, Extensible: f.Extensible})
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
	reads, err := s.syncReads(ctx, ss.user, f.Streams)
	if err != nil {
		s.fail(ss, f.ID, err)
		return
	}
	s.reply(ss, client.Frame{Type: client.TypeSyncDone, ID: f.ID, Reads: reads})
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

func (f *fault) Error() string { return f.reason }

// refuse ends a connection whose login failed: an error frame (the login
// frame's id, the failure's code) and close 1008 for a refused login, 1011
// for an internal error; for a fault of the framing its own close frame.
func (s *Server) refuse(conn *websocket.Conn, id string, err error) {
	defer conn.Close()
	var ft *fault
	if errors.As(err, &ft) && ft.timeout {
		err = apierr.New(apierr.BadJSON, "no login frame within %v", LoginTimeout)
	} else if ft != nil {
		if ft.code != closeNoFrame {
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(ft.code, ft.reason), time.Now().Add(WriteTimeout))
		}
		return
	}
	code, info, closeCode := apierr.AccountInternal, "internal error, retry", websocket.CloseInternalServerErr
	if e, ok := apierr.As(err); ok {
		code, info, closeCode = e.Code, e.Info, websocket.ClosePolicyViolation
	}
	b, _ := json.Marshal(client.Frame{Type: client.TypeError, ID: id, Code: code, Info: info})
	_ = conn.SetWriteDeadline(time.Now().Add(WriteTimeout))
	_ = conn.WriteMessage(websocket.TextMessage, b)
	_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(closeCode, "login failed"), time.Now().Add(WriteTimeout))
}
