package gateway

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/conversation"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/presence"
	"github.com/hearth-chat/hearth/internal/usersig"
)

// ProtocolVersion is the version of docs/protocol.md this server speaks,
// answered in login_ok.
const ProtocolVersion = 1

// LoginTimeout is how long a new connection has to send its login frame.
const LoginTimeout = 10 * time.Second

// Deps are the services the gateway uses.
type Deps struct {
	SDKAppID uint64
	Verifier *usersig.Verifier
	Accounts *account.Service
	Groups   *group.Service
	Messages *message.Service
	C2C      *message.C2C
	Reads    *message.Reads
	Bus      event.Bus
	Logger   *slog.Logger

	// Extensions sets and removes the keys of messages (ext_set,
	// ext_remove).
	Extensions *message.Extensions

	// Interest, when set, is told which groups and users have sessions
	// here (cluster mode subscribes to their messages only).
	Interest Interest

	// PingInterval and IdleTimeout override the defaults of the same names
	// (tests shorten them).
	PingInterval, IdleTimeout time.Duration

	// RateLimit turns on the request rate limits (--rate-limit); Limits
	// overrides their defaults (DefaultConnRequests and the rest).
	RateLimit bool
	Limits    Limits

	// Presence answers who is online; nil: a tracker of this node alone
	// (named "local") over Accounts and Groups. PresenceFlush overrides
	// the constant of that name (tests shorten it).
	Presence      *presence.Service
	PresenceFlush time.Duration

	// Conversations answers conversations frames; nil: the frame is
	// refused.
	Conversations *conversation.Service
}

// Interest is told when this node starts and stops having sessions that
// need a group's ("g") or a user's ("u") messages.
type Interest interface {
	Watch(kind, id string)
	Unwatch(kind, id string)
}

// Server serves GET /v1/ws.
type Server struct {
	deps     Deps
	hub      *hub
	upgrader websocket.Upgrader
	cancel   func()
	limiter  *limiter // nil: no rate limits

	presenceSvc *presence.Service
	presence    *presenceHub // who follows whose presence here
}

// NewServer returns the gateway and subscribes it to the event bus; Close
// unsubscribes.
func NewServer(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.PingInterval <= 0 {
		d.PingInterval = PingInterval
	}
	if d.IdleTimeout <= 0 {
		d.IdleTimeout = IdleTimeout
	}
	s := &Server{deps: d, hub: newHub(d.Interest), upgrader: websocket.Upgrader{
		ReadBufferSize: 4096, WriteBufferSize: 4096,
		// Idle connections hold no write buffer: it is taken from the
		// pool for a write and returned after.
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     func(*http.Request) bool { return true }, // clients authenticate with a UserSig, not cookies
	}}
	if d.RateLimit {
		s.limiter = newLimiter(d.Limits)
	}
	s.presenceSvc = d.Presence
	if s.presenceSvc == nil {
		s.presenceSvc = presence.NewService(presence.NewTracker("local"), d.Accounts, d.Groups)
	}
	s.presence = newPresenceHub(s.presenceSvc.Tracker(), d.PresenceFlush)
	s.cancel = d.Bus.Subscribe(func(e event.Event) {
		switch c := e.Change.(type) { // from this node or another
		case account.Deleted:
			s.closeUsers(c.Users, "the account was deleted")
		case account.Kicked:
			s.closeUsers([]string{c.User}, "kicked: log in again with a new UserSig")
		case presence.Changed, presence.Snapshot:
			s.presenceEvent(e)
		default:
			s.hub.dispatch(e)
		}
	})
	return s
}

// Close stops the gateway's event subscription and presence updates.
func (s *Server) Close() {
	s.cancel()
	s.presence.close()
}

func (s *Server) closeUsers(ids []string, reason string) {
	for _, ss := range s.hub.sessions(ids) {
		b, _ := json.Marshal(client.Frame{Type: client.TypeKicked, Info: reason})
		ss.push(b)
		ss.close(CloseKicked, reason)
	}
}

// ServeHTTP upgrades the request and runs the session until it ends.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered the HTTP error
	}
	conn.SetReadLimit(MaxFrameBytes)
	var limits *connLimits
	if s.limiter != nil {
		limits = s.limiter.conn()
	}
	user, loginID, platform, err := s.login(r.Context(), conn, limits)
	if err != nil {
		s.refuse(conn, loginID, err)
		return
	}
	ss := newSession(user, conn)
	ss.platform = platform
	if s.limiter != nil {
		ss.limits, ss.userLimits = limits, s.limiter.user(user)
		defer s.limiter.release(user)
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		ss.ip = host
	}
	groups, err := s.joined(r.Context(), user)
	if err != nil {
		s.deps.Logger.Error("gateway: load joined groups", "user", user, "err", err)
		s.refuse(conn, loginID, err)
		return
	}
	// login_ok is queued before the session can hear anything, so that it is
	// always the first frame; nothing is written before the presence
	// announcement was acknowledged (writePump starts after it).
	ok, _ := json.Marshal(client.Frame{Type: client.TypeLoginOK, ID: loginID, Identifier: user, ServerTime: time.Now().Unix(), Version: ProtocolVersion})
	ss.push(ok)
	s.hub.add(ss, groups)
	defer s.hub.remove(ss)
	s.presenceOpen(ss)
	defer s.presenceClose(ss)
	go ss.writePump(s.deps.PingInterval)
	s.readLoop(ss)
}

// login reads and checks the login frame: the REST gateway's UserSig codes,
// and a first successful login registers the account, as the hosted
// service registers a user on its first client login.
func (s *Server) login(ctx context.Context, conn *websocket.Conn, limits *connLimits) (user, id, platform string, err error) {
	_ = conn.SetReadDeadline(time.Now().Add(LoginTimeout))
	f, bad := s.readLogin(conn, limits)
	if bad != nil {
		return "", "", "", bad
	}
	if platform, err = loginPlatform(f.Platform); err != nil {
		return "", f.ID, "", err
	}
	user, id, err = s.checkLogin(ctx, f)
	return user, id, platform, err
}

// checkLogin checks a login frame's app and credentials.
func (s *Server) checkLogin(ctx context.Context, f client.Frame) (string, string, error) {
	if f.SDKAppID != s.deps.SDKAppID {
		return "", f.ID, apierr.New(apierr.UnknownApp, "sdkappid %d is not an app of this server", f.SDKAppID)
	}
	if !account.ValidUserID(f.Identifier) {
		return "", f.ID, apierr.New(apierr.AccountBadParam, "identifier must be 1–%d bytes of printable ASCII", account.MaxUserIDBytes)
	}
	claims, err := s.deps.Verifier.Verify(f.Identifier, f.UserSig)
	if err != nil {
		return "", f.ID, apierr.UserSig(err)
	}
	revoked, err := s.deps.Accounts.Revoked(ctx, f.Identifier, claims.Issued)
	if err != nil {
		return "", f.ID, err
	}
	if revoked {
		return "", f.ID, apierr.Revoked()
	}
	if err := s.deps.Accounts.Register(ctx, f.Identifier); err != nil {
		return "", f.ID, err
	}
	return f.Identifier, f.ID, nil
}

// joined lists the groups a user belongs to.
func (s *Server) joined(ctx context.Context, user string) ([]string, error) {
	list, _, err := s.deps.Groups.Joined(ctx, group.JoinedRequest{UserID: user, WithHugeGroups: true})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(list))
	for i, j := range list {
		ids[i] = j.Group.ID
	}
	return ids, nil
}
