// Package cluster joins Hearth nodes that share one PostgreSQL through
// NATS. PostgreSQL is the truth; NATS carries what other nodes must hear
// quickly:
//
//   - message events, on a subject per group (hearth.<app>.g.<group>) or per
//     user (hearth.<app>.u.<user>), to which a node subscribes only while it
//     has sessions of the group's members or of the user (interest-based:
//     a node hears only what its clients need). A message is published once
//     per group, whatever the number of nodes and members;
//   - every other change (members, profiles, topics, permissions, kicks), on
//     hearth.<app>.all, which every node hears: each drops what it cached of
//     it and acknowledges, and the node that made the change waits for the
//     acknowledgements of the live nodes (at most AckTimeout) before it
//     answers, so the next request on any node sees the change;
//   - heartbeats, on hearth.<app>.nodes, so that each node knows how many
//     are alive (the rate limits are shared out by it).
//
// A missed NATS message loses nothing: clients resume from the store.
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hearth-chat/hearth/internal/event"
	"github.com/nats-io/nats.go"
)

// Timing of the cluster protocol.
const (
	Heartbeat  = time.Second
	PeerTTL    = 3 * Heartbeat
	AckTimeout = time.Second // longest wait for the acknowledgements of a change
	recentIDs  = 8192        // remote event IDs remembered to drop repeats
)

// Options configure a Node.
type Options struct {
	URL     string // NATS URL(s), comma-separated
	AppID   uint64
	Logger  *slog.Logger
	Decoder func(typ string, data json.RawMessage) any // Data of a remote event; nil keeps the raw JSON
	// Invalidate is called, before the acknowledgement, with every change
	// made on another node.
	Invalidate func(event.Event)
	// OnPeers is called when the number of live nodes (this one included)
	// changes.
	OnPeers func(n int)
	// OnPeer is called with a node's ID when its first heartbeat that says
	// it is ready is heard (alive: the node serves, and hears what it is
	// sent; see SetReady) and when it is declared dead, PeerTTL after its
	// last heartbeat. It runs on the heartbeat goroutines: it must not block.
	OnPeer func(id string, alive bool)
}

// Node is this node's membership of the cluster, and the event bus that
// spans it.
type Node struct {
	id     string
	opts   Options
	nc     *nats.Conn
	local  *event.Local
	prefix string

	mu    sync.Mutex
	subs  map[string]*nats.Subscription // subject -> subscription for interest
	count map[string]int                // subject -> watchers
	peers map[string]time.Time          // node ID -> last heartbeat
	ready map[string]bool               // node IDs whose heartbeats said ready, told to OnPeer

	isReady atomic.Bool // this node's heartbeats say ready (SetReady)

	seen   sync.Mutex
	recent map[string]struct{}
	ring   []string
	next   int

	seq       atomic.Uint64
	published atomic.Uint64
	received  atomic.Uint64
	stop      chan struct{}
	done      chan struct{}
}

// Join connects to NATS and starts the node's heartbeats and broadcast
// subscription.
func Join(opts Options) (*Node, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	var b [6]byte
	rand.Read(b[:])
	n := &Node{
		id: hex.EncodeToString(b[:]), opts: opts, local: event.NewLocal(),
		prefix: "hearth." + strconv.FormatUint(opts.AppID, 10) + ".",
		subs:   map[string]*nats.Subscription{}, count: map[string]int{}, peers: map[string]time.Time{}, ready: map[string]bool{},
		recent: map[string]struct{}{}, ring: make([]string, recentIDs),
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	nc, err := nats.Connect(opts.URL, nats.Name("hearth-"+n.id), nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			opts.Logger.Warn("cluster: NATS disconnected; clients will resume from the store", "err", err)
		}),
		nats.ReconnectHandler(func(*nats.Conn) { opts.Logger.Info("cluster: NATS reconnected") }))
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %s (check --nats and that nats-server is up): %w", opts.URL, err)
	}
	n.nc = nc
	if _, err := nc.Subscribe(n.prefix+"all", n.onBroadcast); err != nil {
		nc.Close()
		return nil, err
	}
	if _, err := nc.Subscribe(n.prefix+"nodes", n.onHeartbeat); err != nil {
		nc.Close()
		return nil, err
	}
	if err := nc.Flush(); err != nil {
		nc.Close()
		return nil, fmt.Errorf("NATS at %s does not answer: %w", opts.URL, err)
	}
	go n.heartbeats()
	return n, nil
}

// ID is the node's random identity.
func (n *Node) ID() string { return n.id }

// Close leaves the cluster: heartbeats stop and the connection closes
// (without draining: what is in flight is lost, as in a crash; clients
// resume from the store).
func (n *Node) Close() {
	select {
	case <-n.stop:
		return
	default:
	}
	close(n.stop)
	<-n.done
	n.nc.Close()
}

func (n *Node) heartbeats() {
	defer close(n.done)
	t := time.NewTicker(Heartbeat)
	defer t.Stop()
	for {
		n.beat()
		n.expirePeers()
		select {
		case <-n.stop:
			return
		case <-t.C:
		}
	}
}

// beat publishes this node's heartbeat: its ID, and " ready" once SetReady
// was called.
func (n *Node) beat() {
	hb := n.id
	if n.isReady.Load() {
		hb += " ready"
	}
	_ = n.nc.Publish(n.prefix+"nodes", []byte(hb))
}

// SetReady marks this node as serving: everything that consumes the changes
// of other nodes is subscribed. Other nodes tell their OnPeer of it from its
// next heartbeat (sent at once), so that what they send a new peer (such as
// who is online) is not lost while the peer is still starting.
func (n *Node) SetReady() {
	n.isReady.Store(true)
	n.beat()
}

func (n *Node) onHeartbeat(m *nats.Msg) {
	id, flag, _ := strings.Cut(string(m.Data), " ")
	if id == n.id {
		return
	}
	n.mu.Lock()
	_, known := n.peers[id]
	n.peers[id] = time.Now()
	size := len(n.peers) + 1
	newlyReady := flag == "ready" && !n.ready[id]
	if newlyReady {
		n.ready[id] = true
	}
	n.mu.Unlock()
	if !known && n.opts.OnPeers != nil {
		n.opts.OnPeers(size)
	}
	if newlyReady && n.opts.OnPeer != nil {
		n.opts.OnPeer(id, true)
	}
}

func (n *Node) expirePeers() {
	n.mu.Lock()
	var gone []string
	for id, seen := range n.peers {
		if time.Since(seen) > PeerTTL {
			delete(n.peers, id)
			delete(n.ready, id)
			gone = append(gone, id)
		}
	}
	size := len(n.peers) + 1
	n.mu.Unlock()
	if len(gone) > 0 && n.opts.OnPeers != nil {
		n.opts.OnPeers(size)
	}
	if n.opts.OnPeer != nil {
		for _, id := range gone {
			n.opts.OnPeer(id, false)
		}
	}
}

// Size is the number of live nodes, this one included.
func (n *Node) Size() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.peers) + 1
}

// wire is a change on NATS: the sending node, a unique ID (to drop
// repeats) and the change's versioned envelope (event.Encode).
type wire struct {
	Node string `json:"n"`
	ID   string `json:"i"`
	event.Envelope
}

// Publish implements event.Bus: local subscribers get e at once; other
// nodes get it through NATS. A routed change (a message) goes to the
// subjects of its group and users; any other change to every node, and
// Publish waits for the other live nodes to acknowledge that they dropped
// what they cached of it.
func (n *Node) Publish(e event.Event) {
	n.local.Publish(e)
	env, err := event.Encode(e)
	var b []byte
	if err == nil {
		b, err = json.Marshal(wire{Node: n.id, ID: n.id + "-" + strconv.FormatUint(n.seq.Add(1), 36), Envelope: env})
	}
	if err != nil {
		n.opts.Logger.Error("cluster: encode change", "kind", e.Type, "err", err)
		return
	}
	n.published.Add(1)
	if _, ok := e.Change.(event.Routed); ok {
		if e.GroupID != "" {
			_ = n.nc.Publish(n.groupSubject(e.GroupID), b)
		}
		for _, u := range e.Users {
			_ = n.nc.Publish(n.userSubject(u), b)
		}
		return
	}
	n.broadcast(b)
}

// broadcast publishes a change to every node and waits for the live ones'
// acknowledgements, at most AckTimeout.
func (n *Node) broadcast(b []byte) {
	peers := n.Size() - 1
	if peers == 0 {
		_ = n.nc.Publish(n.prefix+"all", b)
		return
	}
	inbox := nats.NewInbox()
	acks := make(chan struct{}, peers+8)
	sub, err := n.nc.Subscribe(inbox, func(*nats.Msg) { acks <- struct{}{} })
	if err != nil {
		_ = n.nc.Publish(n.prefix+"all", b)
		return
	}
	defer sub.Unsubscribe()
	if err := n.nc.PublishRequest(n.prefix+"all", inbox, b); err != nil {
		return
	}
	timeout := time.NewTimer(AckTimeout)
	defer timeout.Stop()
	for got := 0; got < peers; got++ {
		select {
		case <-acks:
		case <-timeout.C:
			n.opts.Logger.Warn("cluster: a change was not acknowledged by every node in time", "acks", got, "peers", peers)
			return
		}
	}
}

// Subscribe implements event.Bus: subscribers hear the events of this node
// and those other nodes sent here.
func (n *Node) Subscribe(fn func(event.Event)) (cancel func()) { return n.local.Subscribe(fn) }

func (n *Node) groupSubject(id string) string { return n.prefix + "g." + token(id) }
func (n *Node) userSubject(id string) string  { return n.prefix + "u." + token(id) }

// token makes an ID one NATS subject token: IDs may hold '.', '*', '>' or
// spaces, which subjects reserve, so those IDs are hex-encoded (with a
// prefix no plain ID has).
func token(id string) string {
	if id != "" && !strings.ContainsAny(id, ". *>\t\r\n") && !strings.HasPrefix(id, "~") {
		return id
	}
	return "~" + hex.EncodeToString([]byte(id))
}

// Watch implements gateway.Interest: this node wants the messages of a
// group ("g") or user ("u"), as it has sessions for it.
func (n *Node) Watch(kind, id string) {
	subject := n.subject(kind, id)
	n.mu.Lock()
	defer n.mu.Unlock()
	n.count[subject]++
	if n.count[subject] > 1 {
		return
	}
	sub, err := n.nc.Subscribe(subject, n.onRouted)
	if err != nil {
		n.opts.Logger.Error("cluster: subscribe", "subject", subject, "err", err)
		return
	}
	n.subs[subject] = sub
}

// Unwatch undoes one Watch.
func (n *Node) Unwatch(kind, id string) {
	subject := n.subject(kind, id)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.count[subject]--; n.count[subject] > 0 {
		return
	}
	delete(n.count, subject)
	if sub := n.subs[subject]; sub != nil {
		_ = sub.Unsubscribe()
		delete(n.subs, subject)
	}
}

func (n *Node) subject(kind, id string) string {
	if kind == "u" {
		return n.userSubject(id)
	}
	return n.groupSubject(id)
}

// Subscriptions is the number of interest subscriptions (tests, metrics).
func (n *Node) Subscriptions() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.subs)
}

// Counts are the events this node published and received from others.
func (n *Node) Counts() (published, received uint64) { return n.published.Load(), n.received.Load() }

// decode turns a NATS message into an event; ok is false for this node's
// own events, for repeats (a C2C message reaches a node once per
// participant it watches) and for what it cannot read.
func (n *Node) decode(m *nats.Msg) (event.Event, bool) {
	var w wire
	if err := json.Unmarshal(m.Data, &w); err != nil {
		n.opts.Logger.Error("cluster: undecodable change", "subject", m.Subject, "err", err)
		return event.Event{}, false
	}
	if w.Node == n.id || !n.first(w.ID) {
		return event.Event{}, false
	}
	n.received.Add(1)
	e, err := event.Decode(w.Envelope)
	if err != nil {
		n.opts.Logger.Error("cluster: undecodable change", "subject", m.Subject, "err", err)
		return event.Event{}, false
	}
	e.Remote = true
	return e, true
}

// first reports whether id is seen for the first time (among the last
// recentIDs).
func (n *Node) first(id string) bool {
	n.seen.Lock()
	defer n.seen.Unlock()
	if _, dup := n.recent[id]; dup {
		return false
	}
	if old := n.ring[n.next]; old != "" {
		delete(n.recent, old)
	}
	n.ring[n.next] = id
	n.next = (n.next + 1) % len(n.ring)
	n.recent[id] = struct{}{}
	return true
}

func (n *Node) onRouted(m *nats.Msg) {
	if e, ok := n.decode(m); ok {
		n.local.Publish(e)
	}
}

func (n *Node) onBroadcast(m *nats.Msg) {
	e, ok := n.decode(m)
	if !ok {
		return
	}
	if n.opts.Invalidate != nil {
		n.opts.Invalidate(e)
	}
	if m.Reply != "" {
		_ = n.nc.Publish(m.Reply, nil)
	}
	n.local.Publish(e)
}

// ErrClosed is returned by operations on a closed node.
var ErrClosed = errors.New("cluster: node closed")

// Ping checks the NATS connection (health checks).
func (n *Node) Ping(ctx context.Context) error {
	if n.nc.IsClosed() {
		return ErrClosed
	}
	return n.nc.FlushWithContext(ctx)
}
