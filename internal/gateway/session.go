package gateway

import (
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Session limits.
const (
	SendQueue     = 1024             // frames a session may lag behind before it is closed
	PingInterval  = 25 * time.Second // server pings this often
	IdleTimeout   = 60 * time.Second // no frame or pong for this long: the peer is dead
	WriteTimeout  = 10 * time.Second
	MaxFrameBytes = 64 << 10
)

// Close codes and reasons the server sends.
const (
	CloseOverflow = 4008 // the client did not read fast enough
	CloseKicked   = 4001 // kicked, or the account was deleted
)

// session is one logged-in connection. One writer goroutine owns the
// connection's writes; everything else queues frames on send.
type session struct {
	user string
	ip   string // the client's address, for callbacks (ClientIP)
	conn *websocket.Conn
	send chan []byte

	closeOnce sync.Once
	done      chan struct{}
	closeCode int
	closeText string
}

func newSession(user string, conn *websocket.Conn) *session {
	return &session{user: user, conn: conn, send: make(chan []byte, SendQueue), done: make(chan struct{})}
}

// push queues a frame; a session whose queue is full is closed rather than
// let the server's memory grow.
func (s *session) push(frame []byte) {
	select {
	case s.send <- frame:
	case <-s.done:
	default:
		s.close(CloseOverflow, "send queue overflow: the client reads too slowly")
	}
}

// close ends the session with a close frame carrying code and reason.
func (s *session) close(code int, reason string) {
	s.closeOnce.Do(func() {
		s.closeCode, s.closeText = code, reason
		close(s.done)
	})
}

// writePump writes queued frames and pings until the session ends.
func (s *session) writePump(every time.Duration) {
	ping := time.NewTicker(every)
	defer func() {
		ping.Stop()
		_ = s.conn.Close()
	}()
	for {
		select {
		case frame := <-s.send:
			_ = s.conn.SetWriteDeadline(time.Now().Add(WriteTimeout))
			if err := s.conn.WriteMessage(websocket.TextMessage, frame); err != nil {
				s.close(websocket.CloseAbnormalClosure, "write failed")
				return
			}
		case <-ping.C:
			if err := s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(WriteTimeout)); err != nil {
				s.close(websocket.CloseAbnormalClosure, "ping failed")
				return
			}
		case <-s.done:
			// Flush what is queued (the last answers), then say why.
			for {
				select {
				case frame := <-s.send:
					_ = s.conn.SetWriteDeadline(time.Now().Add(WriteTimeout))
					if s.conn.WriteMessage(websocket.TextMessage, frame) != nil {
						return
					}
					continue
				default:
				}
				break
			}
			msg := websocket.FormatCloseMessage(s.closeCode, s.closeText)
			_ = s.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(WriteTimeout))
			return
		}
	}
}
