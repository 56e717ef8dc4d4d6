// Package presence owns online status: which users have WebSocket sessions,
// on which platforms and on which node of a cluster. A node counts its own
// sessions exactly; of the other nodes it keeps what they announced
// (Changed when a user's platforms on them change, Snapshot when they see a
// new peer), and forgets a node's users when the cluster sees that node
// die. The rules of the questions asked about it (query_online_status, a
// group's online members, a session's subscriptions) are here too; the
// wire forms live in rest and gateway.
package presence

import (
	"slices"
	"sync"
	"time"
)

// Limits of what a node keeps about other nodes.
const (
	// MaxEntries bounds the (user, other node) entries a node keeps: about
	// 100 bytes each, 400 MiB at most. Announcements beyond it are dropped
	// (and counted); those users read as offline on that other node.
	MaxEntries = 1 << 22
	// TombstoneTTL is how long a node remembers that a user left another
	// node, so that an older announcement arriving late (NATS delivers a
	// node's changes in order, but two sessions' changes are published by
	// two goroutines) does not bring the user back.
	TombstoneTTL = 30 * time.Second
	// SnapshotUsers is the most users one Snapshot lists.
	SnapshotUsers = 1000
)

// Platforms a session can declare at login (docs/protocol.md). The names
// are the hosted service's.
const (
	IPhone  = "iPhone"
	IPad    = "iPad"
	Android = "Android"
	Web     = "Web"
	Windows = "Windows"
	Mac     = "Mac"
	Linux   = "Linux"
	Unknown = "Unknown" // a login that names none
)

// Platforms lists the platform names, in the order they are documented.
var Platforms = []string{IPhone, IPad, Android, Web, Windows, Mac, Linux, Unknown}

// ParsePlatform returns the platform a login names: one of Platforms,
// matched without regard to case, with "iOS" for iPhone and "PC" for
// Windows; "" is Unknown. ok is false for any other name.
func ParsePlatform(s string) (string, bool) {
	switch {
	case s == "":
		return Unknown, true
	case equalFold(s, "iOS"):
		return IPhone, true
	case equalFold(s, "PC"):
		return Windows, true
	}
	for _, p := range Platforms {
		if equalFold(s, p) {
			return p, true
		}
	}
	return "", false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Status is a user's online status across the nodes this node knows of.
type Status struct {
	User      string
	Online    bool
	Platforms []string // sorted, each once; empty when offline
}

// entry is what a node knows of one user on another node.
type entry struct {
	platforms []string // empty: a tombstone (the user left that node)
	seq       uint64
}

type tomb struct {
	user, node string
	seq        uint64
	at         time.Time
}

// Tracker is one node's view of who is online. It is safe for concurrent
// use.
type Tracker struct {
	node string
	now  func() time.Time

	mu       sync.Mutex
	seq      uint64
	local    map[string]map[string]int      // user -> platform -> sessions on this node
	localSeq map[string]uint64              // user -> Seq of its last change here
	remote   map[string]map[string]*entry   // user -> other node -> entry
	byNode   map[string]map[string]struct{} // other node -> its users (tombstones included)
	entries  int
	tombs    []tomb // FIFO: oldest first
	dropped  uint64
}

// NewTracker returns an empty tracker of the node named node.
func NewTracker(node string) *Tracker {
	return &Tracker{node: node, now: time.Now, local: map[string]map[string]int{}, localSeq: map[string]uint64{},
		remote: map[string]map[string]*entry{}, byNode: map[string]map[string]struct{}{}}
}

// Node is the name of the tracker's node.
func (t *Tracker) Node() string { return t.node }

// onlineElsewhere reports whether another node has a session of user.
// t.mu is held.
func (t *Tracker) onlineElsewhere(user string) bool {
	for _, e := range t.remote[user] {
		if len(e.platforms) > 0 {
			return true
		}
	}
	return false
}

func (t *Tracker) localChange(user, platform string) Changed {
	t.seq++
	t.localSeq[user] = t.seq
	ps := make([]string, 0, len(t.local[user]))
	for p := range t.local[user] {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return Changed{User: user, Node: t.node, Platforms: ps, Seq: t.seq, Platform: platform}
}

// Open counts a new session of user on platform on this node. It returns
// the change to announce when the user's platforms here changed (its first
// session of that platform), with the Online edge when the user had no
// session on any node this node knows of.
func (t *Tracker) Open(user, platform string) (Changed, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ps := t.local[user]
	first := ps == nil
	if first {
		ps = map[string]int{}
		t.local[user] = ps
	}
	ps[platform]++
	if ps[platform] > 1 {
		return Changed{}, false
	}
	c := t.localChange(user, platform)
	if first && !t.onlineElsewhere(user) {
		c.Edge = Online
	}
	return c, true
}

// Close uncounts a session that Open counted. It returns the change to
// announce when the user's platforms here changed (the last session of
// that platform closed), with the Offline edge and end when it was the
// user's last session on any node this node knows of.
func (t *Tracker) Close(user, platform string, end End) (Changed, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ps := t.local[user]
	if ps[platform] == 0 {
		return Changed{}, false
	}
	if ps[platform]--; ps[platform] > 0 {
		return Changed{}, false
	}
	delete(ps, platform)
	c := t.localChange(user, platform)
	if len(ps) == 0 {
		delete(t.local, user)
		delete(t.localSeq, user)
		if !t.onlineElsewhere(user) {
			c.Edge, c.End = Offline, end
		}
	}
	return c, true
}

// statusLocked is user's status; t.mu is held.
func (t *Tracker) statusLocked(user string) Status {
	s := Status{User: user}
	for p := range t.local[user] {
		s.Platforms = append(s.Platforms, p)
	}
	for _, e := range t.remote[user] {
		s.Platforms = append(s.Platforms, e.platforms...)
	}
	slices.Sort(s.Platforms)
	s.Platforms = slices.Compact(s.Platforms)
	s.Online = len(s.Platforms) > 0
	return s
}

// Status returns the statuses of users, in their order.
func (t *Tracker) Status(users ...string) []Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Status, len(users))
	for i, u := range users {
		out[i] = t.statusLocked(u)
	}
	return out
}

// set records what node announced of user, unless what is known is newer.
// It reports whether the user's status changed. t.mu is held.
func (t *Tracker) set(user, node string, platforms []string, seq uint64) bool {
	if node == t.node {
		return false
	}
	nodes := t.remote[user]
	e := nodes[node]
	if e != nil && e.seq >= seq {
		return false
	}
	if e == nil {
		// A first word of "left" is kept too (as a tombstone): the "came"
		// it follows may still be on its way.
		if t.entries >= MaxEntries {
			t.dropped++
			return false
		}
		if nodes == nil {
			nodes = map[string]*entry{}
			t.remote[user] = nodes
		}
		e = &entry{}
		nodes[node] = e
		if t.byNode[node] == nil {
			t.byNode[node] = map[string]struct{}{}
		}
		t.byNode[node][user] = struct{}{}
		t.entries++
	}
	before := t.statusLocked(user)
	e.platforms, e.seq = slices.Clone(platforms), seq
	if len(platforms) == 0 {
		t.tombs = append(t.tombs, tomb{user: user, node: node, seq: seq, at: t.now()})
	}
	after := t.statusLocked(user)
	return before.Online != after.Online || !slices.Equal(before.Platforms, after.Platforms)
}

// forget removes user's entry of node. t.mu is held.
func (t *Tracker) forget(user, node string) {
	nodes := t.remote[user]
	if _, ok := nodes[node]; !ok {
		return
	}
	delete(nodes, node)
	if len(nodes) == 0 {
		delete(t.remote, user)
	}
	if us := t.byNode[node]; us != nil {
		delete(us, user)
		if len(us) == 0 {
			delete(t.byNode, node)
		}
	}
	t.entries--
}

// sweep forgets the tombstones older than TombstoneTTL. t.mu is held.
func (t *Tracker) sweep() {
	cut := t.now().Add(-TombstoneTTL)
	n := 0
	for n < len(t.tombs) && t.tombs[n].at.Before(cut) {
		tb := t.tombs[n]
		if e := t.remote[tb.user][tb.node]; e != nil && e.seq == tb.seq && len(e.platforms) == 0 {
			t.forget(tb.user, tb.node)
		}
		n++
	}
	if n > 0 {
		t.tombs = slices.Delete(t.tombs, 0, n)
	}
}

// Apply records a change another node announced; it reports whether the
// user's status changed. This node's own changes are ignored (Open and
// Close counted them).
func (t *Tracker) Apply(c Changed) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweep()
	return t.set(c.User, c.Node, c.Platforms, c.Seq)
}

// ApplySnapshot records another node's snapshot and returns the users
// whose status changed.
func (t *Tracker) ApplySnapshot(s Snapshot) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweep()
	var changed []string
	for _, u := range s.Users {
		if t.set(u.User, s.Node, u.Platforms, u.Seq) {
			changed = append(changed, u.User)
		}
	}
	return changed
}

// DropNode forgets everything of a node that died and returns the users
// whose status changed.
func (t *Tracker) DropNode(node string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var changed []string
	for u := range t.byNode[node] {
		was := t.statusLocked(u)
		t.forget(u, node)
		if now := t.statusLocked(u); was.Online != now.Online || !slices.Equal(was.Platforms, now.Platforms) {
			changed = append(changed, u)
		}
	}
	return changed
}

// Snapshots returns this node's users as Snapshots of at most
// SnapshotUsers each (none when nobody is connected here).
func (t *Tracker) Snapshots() []Snapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Snapshot
	cur := Snapshot{Node: t.node}
	for u, ps := range t.local {
		nu := NodeUser{User: u, Seq: t.localSeq[u]}
		for p := range ps {
			nu.Platforms = append(nu.Platforms, p)
		}
		slices.Sort(nu.Platforms)
		cur.Users = append(cur.Users, nu)
		if len(cur.Users) == SnapshotUsers {
			out = append(out, cur)
			cur = Snapshot{Node: t.node}
		}
	}
	if len(cur.Users) > 0 {
		out = append(out, cur)
	}
	return out
}

// Counts are the users with a session on this node, the (user, other
// node) entries kept, and the announcements dropped at MaxEntries.
func (t *Tracker) Counts() (local, entries int, dropped uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.local), t.entries, t.dropped
}
