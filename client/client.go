package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/gorilla/websocket"
)

// Error is a protocol error frame: the same codes as the REST API.
type Error struct {
	Code int
	Info string
}

func (e *Error) Error() string { return fmt.Sprintf("hearth: error %d: %s", e.Code, e.Info) }

// Conn is a logged-in connection. Pushed frames (messages, events, kicked)
// arrive on Frames; requests wait for their answer. A Conn is safe for
// concurrent use.
type Conn struct {
	ws      *websocket.Conn
	wmu     sync.Mutex
	nextID  atomic.Uint64
	mu      sync.Mutex
	pending map[string]chan Frame
	frames  chan Frame
	done    chan struct{}
	err     error
}

// FrameBuffer is how many pushed frames a Conn buffers for Frames.
const FrameBuffer = 4096

// Dial connects to url (ws://host/v1/ws) and logs in as identifier.
func Dial(ctx context.Context, url string, sdkAppID uint64, identifier, userSig string) (*Conn, error) {
	return dial(ctx, url, Frame{Type: TypeLogin, SDKAppID: sdkAppID, Identifier: identifier, UserSig: userSig})
}

// dial connects to url and sends the login frame.
func dial(ctx context.Context, url string, login Frame) (*Conn, error) {
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("hearth: dial %s: %w", url, err)
	}
	c := &Conn{ws: ws, pending: map[string]chan Frame{}, frames: make(chan Frame, FrameBuffer), done: make(chan struct{})}
	go c.readLoop()
	if _, err := c.request(ctx, login); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Frames delivers pushed frames: messages, events, kicked, presence
// updates. It is closed
// when the connection ends.
func (c *Conn) Frames() <-chan Frame { return c.frames }

// Close closes the connection.
func (c *Conn) Close() error {
	c.wmu.Lock()
	_ = c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	c.wmu.Unlock()
	return c.ws.Close()
}

// Send posts a message into a group (topicID "") or topic and returns its
// sequence number once the server stored it.
func (c *Conn) Send(ctx context.Context, groupID, topicID string, random uint32, body json.RawMessage) (Frame, error) {
	return c.request(ctx, Frame{Type: TypeSend, GroupID: groupID, TopicID: topicID, Random: random, MsgBody: body})
}

// SendC2C sends a one-to-one message to peer; the answer carries its
// msg_key and time.
func (c *Conn) SendC2C(ctx context.Context, peer string, random uint32, body json.RawMessage) (Frame, error) {
	return c.request(ctx, Frame{Type: TypeSend, To: peer, Random: random, MsgBody: body})
}

// Sync asks for the messages after each stream's AfterSeq (AfterTime for a
// one-to-one conversation); they arrive on
// Frames, in order per stream, before Sync returns.
func (c *Conn) Sync(ctx context.Context, streams []Stream) error {
	_, err := c.request(ctx, Frame{Type: TypeSync, Streams: streams})
	return err
}

// Read marks a group's stream (topicID "") or a topic read up to seq (0:
// its newest message); the answer's Reads holds the stream's state after.
// The user's other connections get a message.read_position_set event.
func (c *Conn) Read(ctx context.Context, groupID, topicID string, seq uint64) (ReadState, error) {
	f, err := c.request(ctx, Frame{Type: TypeRead, GroupID: groupID, TopicID: topicID, Seq: seq})
	return oneRead(f, err)
}

// ReadC2C marks what peer sent up to unix time t (0: now) read.
func (c *Conn) ReadC2C(ctx context.Context, peer string, t int64) (ReadState, error) {
	f, err := c.request(ctx, Frame{Type: TypeRead, To: peer, Time: t})
	return oneRead(f, err)
}

func oneRead(f Frame, err error) (ReadState, error) {
	if err != nil {
		return ReadState{}, err
	}
	if len(f.Reads) != 1 {
		return ReadState{}, fmt.Errorf("hearth: a read_ok frame with %d read states, want 1", len(f.Reads))
	}
	return f.Reads[0], nil
}

// Unread returns the read state of every stream of the user's groups and
// of each one-to-one conversation with unread messages.
func (c *Conn) Unread(ctx context.Context) ([]ReadState, error) {
	f, err := c.request(ctx, Frame{Type: TypeUnread})
	return f.Reads, err
}

// Ping round-trips a ping.
func (c *Conn) Ping(ctx context.Context) error {
	_, err := c.request(ctx, Frame{Type: TypePing})
	return err
}

// Err is why the connection ended (nil while it is open).
func (c *Conn) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

func (c *Conn) request(ctx context.Context, f Frame) (Frame, error) {
	f.ID = strconv.FormatUint(c.nextID.Add(1), 10)
	ch := make(chan Frame, 1)
	c.mu.Lock()
	c.pending[f.ID] = ch
	c.mu.Unlock()
	defer func() { c.mu.Lock(); delete(c.pending, f.ID); c.mu.Unlock() }()
	c.wmu.Lock()
	err := c.ws.WriteJSON(f)
	c.wmu.Unlock()
	if err != nil {
		return Frame{}, fmt.Errorf("hearth: write: %w", err)
	}
	select {
	case ans := <-ch:
		if ans.Type == TypeError {
			return ans, &Error{Code: ans.Code, Info: ans.Info}
		}
		return ans, nil
	case <-c.done:
		return Frame{}, fmt.Errorf("hearth: connection closed: %w", c.err)
	case <-ctx.Done():
		return Frame{}, ctx.Err()
	}
}

func (c *Conn) readLoop() {
	defer close(c.frames)
	defer close(c.done)
	for {
		var f Frame
		if err := c.ws.ReadJSON(&f); err != nil {
			c.err = err
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				c.err = &Error{Code: ce.Code, Info: ce.Text}
			}
			return
		}
		if f.ID != "" && f.Type != TypeMessage {
			c.mu.Lock()
			ch := c.pending[f.ID]
			c.mu.Unlock()
			if ch != nil {
				ch <- f
				continue
			}
		}
		if f.Type == TypeMessage || f.Type == TypeEvent || f.Type == TypeKicked || f.Type == TypeError || f.Type == TypePresenceUpdate {
			select {
			case c.frames <- f:
			default: // the application does not read Frames: drop rather than stall answers
			}
		}
	}
}
