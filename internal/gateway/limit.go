package gateway

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apierr"
)

// Default request rates (docs/protocol.md "Rate limits"), per second, each
// with a burst of the same size. The hosted service lets one group take 40
// messages a second from all its members and its client SDK about 5 a
// second from one user into one conversation; a connection gets half of a
// user's overall budget so that two devices of a user can both be busy.
const (
	DefaultConnRequests      = 20 // request frames (all but ping) on one connection
	DefaultUserRequests      = 40 // request frames of all of one user's connections on this node
	DefaultConversationSends = 5  // sends by one user into one group, topic or one-to-one conversation
	DefaultPings             = 10 // pings on one connection (they count against nothing else)
	DefaultPresenceRequests  = 5  // presence and presence_subscribe frames of all of one user's connections on this node
	DefaultConversationLists = 5  // conversations frames (a page of the list each) of all of one user's connections on this node
)

// Limits are the request rates the gateway allows: so many per Window,
// with a burst of the same size; a field left 0 takes its Default constant
// (Window: one second). Tests lengthen Window to make a burst exact.
type Limits struct {
	ConnRequests      int
	UserRequests      int
	ConversationSends int
	Pings             int
	PresenceRequests  int
	ConversationLists int
	Window            time.Duration
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.ConnRequests, DefaultConnRequests)
	def(&l.UserRequests, DefaultUserRequests)
	def(&l.ConversationSends, DefaultConversationSends)
	def(&l.Pings, DefaultPings)
	def(&l.PresenceRequests, DefaultPresenceRequests)
	def(&l.ConversationLists, DefaultConversationLists)
	if l.Window <= 0 {
		l.Window = time.Second
	}
	return l
}

// bucket returns a token bucket of n tokens that refills in l.Window.
func (l Limits) bucket(n int) *rate.Limiter {
	return rate.NewLimiter(rate.Limit(float64(n)/l.Window.Seconds()), n)
}

// connLimits are one session's own limiters.
type connLimits struct {
	requests, pings *rate.Limiter
}

// userLimits are shared by every session of one user on this node.
type userLimits struct {
	sessions      int // sessions holding it
	requests      *rate.Limiter
	presence      *rate.Limiter // presence and presence_subscribe frames
	lists         *rate.Limiter // conversations frames
	conversations map[string]*rate.Limiter
}

// pruneConversations is the number of conversation limiters a user keeps
// before those that have refilled (carry no state) are dropped.
const pruneConversations = 64

// limiter hands out the per-user limiters. A user's entry outlives its last
// session until its buckets have refilled, so reconnecting does not reset
// them.
type limiter struct {
	limits Limits
	mu     sync.Mutex
	users  map[string]*userLimits
}

func newLimiter(l Limits) *limiter {
	return &limiter{limits: l.withDefaults(), users: map[string]*userLimits{}}
}

// conn returns the limiters of a new connection, before its login.
func (l *limiter) conn() *connLimits {
	return &connLimits{requests: l.limits.bucket(l.limits.ConnRequests), pings: l.limits.bucket(l.limits.Pings)}
}

// user returns the limiters of user for a new session; release gives them
// back when the session ends.
func (l *limiter) user(user string) *userLimits {
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.users[user]
	if u == nil {
		u = &userLimits{requests: l.limits.bucket(l.limits.UserRequests), presence: l.limits.bucket(l.limits.PresenceRequests),
			lists: l.limits.bucket(l.limits.ConversationLists), conversations: map[string]*rate.Limiter{}}
		l.users[user] = u
	}
	u.sessions++
	return u
}

// release is called when a session of user ends.
func (l *limiter) release(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.users[user]
	if u == nil {
		return
	}
	u.sessions--
	if u.sessions > 0 {
		return
	}
	// Forget the user once its buckets have refilled: a full bucket holds
	// nothing worth keeping.
	time.AfterFunc(l.limits.Window, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.users[user] == u && u.sessions == 0 {
			delete(l.users, user)
		}
	})
}

// conversation returns the user's send limiter for one conversation.
func (l *limiter) conversation(u *userLimits, key string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := u.conversations[key]
	if c == nil {
		if len(u.conversations) >= pruneConversations {
			now := time.Now()
			for k, c := range u.conversations {
				if c.TokensAt(now) >= float64(c.Burst()) {
					delete(u.conversations, k)
				}
			}
		}
		c = l.limits.bucket(l.limits.ConversationSends)
		u.conversations[key] = c
	}
	return c
}

// allow takes one token from every limiter, or from none of them: it
// returns the index of the first limiter that has none, or -1.
func allow(ls ...*rate.Limiter) int {
	now := time.Now()
	taken := make([]*rate.Reservation, 0, len(ls))
	for i, l := range ls {
		r := l.ReserveN(now, 1)
		if !r.OK() || r.DelayFrom(now) > 0 {
			r.CancelAt(now)
			for _, t := range taken {
				t.CancelAt(now)
			}
			return i
		}
		taken = append(taken, r)
	}
	return -1
}

// exceeded is the error frame's error for a refused request: code is the
// REST code of the service (apierr.GroupRateLimited for group sends,
// apierr.APIRateLimited for the rest).
func (l Limits) exceeded(code int, what string, n int) error {
	per := "second"
	if l.Window != time.Second {
		per = l.Window.String()
	}
	return apierr.New(code, "rate limit: at most %d %s per %s; retry later", n, what, per)
}

// admit takes the tokens of a request frame (f is the zero Frame for one
// that did not decode): a ping's from the connection's ping bucket; any
// other frame's from the connection's and the user's request buckets, and a
// send's from the user's bucket for its conversation too. It returns the
// error to answer when a bucket is empty, nil when the gateway does not
// limit.
func (s *Server) admit(ss *session, f client.Frame) error {
	if s.limiter == nil || ss.limits == nil {
		return nil
	}
	lim := s.limiter.limits
	if f.Type == client.TypePing {
		if allow(ss.limits.pings) < 0 {
			return nil
		}
		return lim.exceeded(apierr.APIRateLimited, "pings on one connection", lim.Pings)
	}
	ls := []*rate.Limiter{ss.limits.requests}
	if ss.userLimits != nil { // nil before login
		ls = append(ls, ss.userLimits.requests)
	}
	code := apierr.APIRateLimited
	if (f.Type == client.TypeSend || f.Type == client.TypeEdit) && ss.userLimits != nil { // an edit counts as a send
		key := "c2c\x00" + f.To
		if f.To == "" {
			code, key = apierr.GroupRateLimited, "group\x00"+f.GroupID+"\x00"+f.TopicID
		}
		ls = append(ls, s.limiter.conversation(ss.userLimits, key))
	}
	if f.Type == client.TypeTyping && ss.userLimits != nil { // typing in one stream: as often as sending there
		ls = append(ls, s.limiter.conversation(ss.userLimits, "typing\x00"+f.To+"\x00"+f.GroupID+"\x00"+f.TopicID))
	}
	presence := (f.Type == client.TypePresence || f.Type == client.TypePresenceSubscribe) && ss.userLimits != nil
	if presence {
		ls = append(ls, ss.userLimits.presence)
	}
	lists := f.Type == client.TypeConversations && ss.userLimits != nil
	if lists {
		ls = append(ls, ss.userLimits.lists)
	}
	switch allow(ls...) {
	case -1:
		return nil
	case 0:
		return lim.exceeded(code, "requests on one connection", lim.ConnRequests)
	case 1:
		return lim.exceeded(code, "requests from one user's connections", lim.UserRequests)
	case 2:
		if presence {
			return lim.exceeded(code, "presence requests from one user's connections", lim.PresenceRequests)
		}
		if lists {
			return lim.exceeded(code, "conversation-list requests from one user's connections", lim.ConversationLists)
		}
		fallthrough
	default:
		return lim.exceeded(code, "messages from one user into one conversation", lim.ConversationSends)
	}
}
