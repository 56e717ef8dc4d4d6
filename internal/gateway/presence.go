package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/hook"
	"github.com/hearth-chat/hearth/internal/presence"
)

// PresenceFlush is the most often a session that follows users' presence
// is sent a presence_update: the changes of an interval are coalesced into
// one frame, each user once with its latest status.
const PresenceFlush = 2 * time.Second

// loginPlatform checks a login frame's platform.
func loginPlatform(name string) (string, error) {
	p, ok := presence.ParsePlatform(name)
	if !ok {
		return "", apierr.New(apierr.AccountBadParam, "platform %q is not one of %v (or iOS, PC; none for Unknown)", name, presence.Platforms)
	}
	return p, nil
}

// optPlatform is the OptPlatform of the callbacks a session causes.
func optPlatform(platform string) string {
	switch platform {
	case presence.IPhone:
		return "iOS"
	case "":
		return hook.PlatformUnknown
	}
	return platform
}

// closeCodeOf is the close code the peer sent, 0 when it sent none.
func closeCodeOf(err error) int {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

// presenceOpen counts a new session and announces the change, before its
// login_ok: when a client has its login_ok, the nodes that acknowledged
// the change know it is online.
func (s *Server) presenceOpen(ss *session) {
	if c, ok := s.presenceSvc.Tracker().Open(ss.user, ss.platform); ok {
		s.publishPresence(ss, c)
	}
}

// presenceClose uncounts an ended session, announces the change with why
// it ended, and drops what the session followed.
func (s *Server) presenceClose(ss *session) {
	ss.close(closeNoFrame, "") // a no-op when closed already; makes closeCode readable here
	end := presence.EndLink
	switch {
	case ss.closeCode == CloseKicked:
		end = presence.EndKicked
	case ss.closeCode == CloseIdle:
		end = presence.EndTimeout
	case ss.peerClose == websocket.CloseNormalClosure:
		end = presence.EndLogout
	}
	s.presence.unwatch(ss)
	if c, ok := s.presenceSvc.Tracker().Close(ss.user, ss.platform, end); ok {
		s.publishPresence(ss, c)
	}
}

func (s *Server) publishPresence(ss *session, c presence.Changed) {
	ctx := hook.WithOrigin(context.Background(), hook.Origin{ClientIP: ss.ip, Platform: optPlatform(ss.platform)})
	s.deps.Bus.Publish(event.Of(ctx, c, time.Now()))
}

// presenceEvent takes a presence change off the bus: another node's is
// recorded; either way the sessions following the users hear of it.
func (s *Server) presenceEvent(e event.Event) {
	switch c := e.Change.(type) {
	case presence.Changed:
		if e.Remote && !s.presenceSvc.Tracker().Apply(c) {
			return
		}
		s.presence.dirty([]string{c.User})
	case presence.Snapshot:
		if e.Remote {
			s.presence.dirty(s.presenceSvc.Tracker().ApplySnapshot(c))
		}
	}
}

// PeerJoined is told of a node that joined the cluster: this node
// announces the users connected here, so that the new one learns them.
func (s *Server) PeerJoined(string) {
	for _, snap := range s.presenceSvc.Tracker().Snapshots() {
		s.deps.Bus.Publish(event.Of(context.Background(), snap, time.Now()))
	}
}

// PeerGone is told of a node the cluster declared dead: its users are
// forgotten (offline unless connected elsewhere).
func (s *Server) PeerGone(id string) {
	s.presence.dirty(s.presenceSvc.Tracker().DropNode(id))
}

func wirePresence(list []presence.Status) []client.Presence {
	out := make([]client.Presence, len(list))
	for i, st := range list {
		out[i] = client.Presence{User: st.User, Status: "Offline", Platforms: st.Platforms}
		if st.Online {
			out[i].Status = "Online"
		}
	}
	return out
}

// presenceQuery answers a presence frame: a page of a group's online
// members.
func (s *Server) presenceQuery(ctx context.Context, ss *session, f client.Frame) {
	list, next, err := s.presenceSvc.GroupOnline(ctx, ss.user, f.GroupID, f.Cursor)
	if err != nil {
		s.fail(ss, f.ID, err)
		return
	}
	s.reply(ss, client.Frame{Type: client.TypePresenceList, ID: f.ID, GroupID: f.GroupID, Statuses: wirePresence(list), Cursor: next})
}

// presenceSubscribe answers a presence_subscribe frame: the session now
// follows the users it names (none: it stops), and is answered their
// statuses.
func (s *Server) presenceSubscribe(ctx context.Context, ss *session, f client.Frame) {
	users, err := s.presenceSvc.Watchable(ctx, ss.user, f.Users, f.GroupID)
	if err != nil {
		s.fail(ss, f.ID, err)
		return
	}
	s.presence.watch(ss, users)
	s.reply(ss, client.Frame{Type: client.TypePresenceList, ID: f.ID, GroupID: f.GroupID, Statuses: wirePresence(s.presenceSvc.Tracker().Status(users...))})
}

// presenceHub is who follows whose presence on this node, and the changes
// waiting for the next flush. A change costs one map insert per session
// that follows the user (at most presence.MaxWatch users per session); a
// session is sent at most one presence_update per PresenceFlush.
type presenceHub struct {
	tracker *presence.Tracker
	every   time.Duration

	mu      sync.Mutex
	by      map[string]map[*session]struct{} // user -> sessions following it
	watches map[*session][]string            // session -> the users it follows
	pending map[*session]map[string]struct{} // changed users per session since the last flush

	stop chan struct{}
	done chan struct{}
}

func newPresenceHub(t *presence.Tracker, every time.Duration) *presenceHub {
	if every <= 0 {
		every = PresenceFlush
	}
	h := &presenceHub{tracker: t, every: every, by: map[string]map[*session]struct{}{},
		watches: map[*session][]string{}, pending: map[*session]map[string]struct{}{},
		stop: make(chan struct{}), done: make(chan struct{})}
	go h.run()
	return h
}

func (h *presenceHub) close() {
	close(h.stop)
	<-h.done
}

// watch makes ss follow users, replacing what it followed.
func (h *presenceHub) watch(ss *session, users []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.unwatchLocked(ss)
	if len(users) == 0 {
		return
	}
	h.watches[ss] = users
	for _, u := range users {
		if h.by[u] == nil {
			h.by[u] = map[*session]struct{}{}
		}
		h.by[u][ss] = struct{}{}
	}
}

func (h *presenceHub) unwatch(ss *session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.unwatchLocked(ss)
}

func (h *presenceHub) unwatchLocked(ss *session) {
	for _, u := range h.watches[ss] {
		delete(h.by[u], ss)
		if len(h.by[u]) == 0 {
			delete(h.by, u)
		}
	}
	delete(h.watches, ss)
	delete(h.pending, ss)
}

// dirty notes that users' statuses may have changed.
func (h *presenceHub) dirty(users []string) {
	if len(users) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, u := range users {
		for ss := range h.by[u] {
			p := h.pending[ss]
			if p == nil {
				p = map[string]struct{}{}
				h.pending[ss] = p
			}
			p[u] = struct{}{}
		}
	}
}

func (h *presenceHub) run() {
	defer close(h.done)
	t := time.NewTicker(h.every)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			h.flush()
		}
	}
}

// flush sends each session with pending changes one presence_update.
func (h *presenceHub) flush() {
	h.mu.Lock()
	pending := h.pending
	h.pending = map[*session]map[string]struct{}{}
	h.mu.Unlock()
	for ss, set := range pending {
		users := make([]string, 0, len(set))
		for u := range set {
			users = append(users, u)
		}
		slices.Sort(users)
		b, _ := json.Marshal(client.Frame{Type: client.TypePresenceUpdate, Statuses: wirePresence(h.tracker.Status(users...))})
		ss.push(b)
	}
}
