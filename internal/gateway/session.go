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

// Close codes the server sends besides RFC 6455's 1000 (normal), 1003 (a
// binary frame), 1007 (a text frame that is not UTF-8), 1009 (a frame over
// MaxFrameBytes) and 1011 (an internal error). It never sends 1006, which
// RFC 6455 reserves for a connection that ended without a close frame: a
// connection that failed is just closed.
const (
	CloseOverflow = 4008 // the client did not read fast enough
	CloseKicked   = 4001 // kicked, or the account was deleted
	CloseIdle     = 4002 // no frame and no pong for IdleTimeout
)

// closeNoFrame is the session's close code when no close frame can or
// should be written (the connection failed, or the close handshake was
// already made).
const closeNoFrame = 0

// session is one logged-in connection. One writer goroutine owns the
// connection's writes; everything else queues frames with push. The queue
// is a slice that is empty (nil) while the connection is idle, so an idle
// session holds no queue memory (a buffered channel of SendQueue frames
// would hold 24 KiB each).
type session struct {
	user string
	ip   string // the client's address, for callbacks (ClientIP)
	conn *websocket.Conn

	platform  string // the login's platform (presence.Platforms)
	peerClose int    // the close code the client sent (0: none), set by readLoop

	// limits and userLimits are the session's rate limiters; nil when the
	// gateway does not limit.
	limits     *connLimits
	userLimits *userLimits

	mu    sync.Mutex
	queue [][]byte
	wake  chan struct{} // capacity 1: the writer has frames to take

	closeOnce sync.Once
	done      chan struct{}
	closeCode int
	closeText string
}

// keepQueue is the largest queue the writer hands back for reuse; a larger
// one (after a burst) is left to the garbage collector.
const keepQueue = 64

func newSession(user string, conn *websocket.Conn) *session {
	return &session{user: user, conn: conn, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// push queues a frame; a session whose queue is full is closed rather than
// let the server's memory grow.
func (s *session) push(frame []byte) {
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		return
	default:
	}
	if len(s.queue) >= SendQueue {
		s.mu.Unlock()
		s.close(CloseOverflow, "send queue overflow: the client reads too slowly")
		return
	}
	s.queue = append(s.queue, frame)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// take returns the queued frames and empties the queue.
func (s *session) take() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queue
	s.queue = nil
	return q
}

// giveBack offers a written queue's array for reuse.
func (s *session) giveBack(q [][]byte) {
	if cap(q) > keepQueue {
		return
	}
	clear(q)
	s.mu.Lock()
	if s.queue == nil {
		s.queue = q[:0]
	}
	s.mu.Unlock()
}

// close ends the session with a close frame carrying code and reason
// (none for closeNoFrame).
func (s *session) close(code int, reason string) {
	s.closeOnce.Do(func() {
		s.closeCode, s.closeText = code, reason
		close(s.done)
	})
}

// write writes frames; false when the connection failed.
func (s *session) write(frames [][]byte) bool {
	for _, frame := range frames {
		_ = s.conn.SetWriteDeadline(time.Now().Add(WriteTimeout))
		if err := s.conn.WriteMessage(websocket.TextMessage, frame); err != nil {
			return false
		}
	}
	return true
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
		case <-s.wake:
			q := s.take()
			if !s.write(q) {
				s.close(closeNoFrame, "write failed")
				return
			}
			s.giveBack(q)
		case <-ping.C:
			if err := s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(WriteTimeout)); err != nil {
				s.close(closeNoFrame, "ping failed")
				return
			}
		case <-s.done:
			// Flush what is queued (the last answers), then say why.
			if !s.write(s.take()) || s.closeCode == closeNoFrame {
				return
			}
			msg := websocket.FormatCloseMessage(s.closeCode, s.closeText)
			_ = s.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(WriteTimeout))
			return
		}
	}
}
