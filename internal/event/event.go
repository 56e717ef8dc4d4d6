// Package event is the one seam for changes. A domain service declares each
// change it makes as a Go type next to the rule that makes it
// (topic.Modified, group.MembersRemoved, message.Sent, account.Kicked, …)
// and publishes it, after its write committed, through a Dispatcher. The
// Dispatcher hands every change, in publish order, first to the consumers
// that must finish before the request answers (cache invalidation, the
// after-callback outbox) and then to the Bus (this node's subscribers, such
// as the WebSocket hub, and in cluster mode the other nodes).
//
// This package knows no domain: it defines the Change interface, the Event
// that carries one, the Bus, the Dispatcher, and the registry of kinds that
// gives every change a stable, versioned encoding (encode.go).
package event

import (
	"context"
	"sync"
	"time"

	"github.com/hearth-chat/hearth/internal/hook"
)

// Change is one committed change, declared by the domain that makes it.
type Change interface {
	// Kind names the change: the name clients are pushed ("topic.modified")
	// and its tag in the cluster encoding. Each kind is one Go type.
	Kind() string
	// Scope says where it happened: the group (and topic) it concerns and
	// the users it concerns beyond the group's members.
	Scope() Scope
}

// Scope is where a change happened.
type Scope struct {
	GroupID string
	TopicID string
	Users   []string
}

// Routed is implemented by the changes that only the sessions of a group's
// members or of some users need (messages, notifications): the cluster sends
// them to the nodes interested in the scope's group and users, without
// acknowledgement. Every other change goes to every node, which drops what
// it cached of it before it acknowledges.
type Routed interface {
	Change
	Routed()
}

// Event is a change on its way, with its header: Type, GroupID, TopicID and
// Users are the change's Kind and Scope, read once when it is made.
type Event struct {
	Type    string
	GroupID string
	TopicID string
	Users   []string
	Time    int64 // unix milliseconds
	Change  Change

	// Origin is where the request that caused the change came from (for
	// the after-callbacks' query string).
	Origin hook.Origin
	// Remote marks a change another node made (cluster mode).
	Remote bool
}

// Of returns the Event of c made at t by the request of ctx.
func Of(ctx context.Context, c Change, t time.Time) Event {
	e := header(c)
	e.Time = t.UnixMilli()
	e.Origin = hook.OriginOf(ctx)
	return e
}

func header(c Change) Event {
	s := c.Scope()
	return Event{Type: c.Kind(), GroupID: s.GroupID, TopicID: s.TopicID, Users: s.Users, Change: c}
}

// CacheInvalidate is the kind of a change made without notifications, such
// as an import: caches drop what they hold of the group; clients are not
// sent it.
const CacheInvalidate = "cache.invalidate"

// Publisher is what a domain service publishes its changes through.
type Publisher interface {
	Publish(e Event)
}

// Bus delivers published events to every subscriber.
type Bus interface {
	// Publish hands e to every subscriber; it never blocks on a slow one.
	Publish(e Event)
	// Subscribe registers fn, called in order for each event from one
	// goroutine per subscriber, until cancel is called.
	Subscribe(fn func(Event)) (cancel func())
}

// Dispatcher is the Bus the services publish to: each event goes first to
// the consumers, in order, on the publishing goroutine (so that a request
// answers after its caches were dropped and its callbacks queued), then to
// the underlying Bus.
type Dispatcher struct {
	bus       Bus
	consumers []func(Event)
}

// NewDispatcher returns a Dispatcher over bus with consumers.
func NewDispatcher(bus Bus, consumers ...func(Event)) *Dispatcher {
	return &Dispatcher{bus: bus, consumers: consumers}
}

// Publish implements Bus.
func (d *Dispatcher) Publish(e Event) {
	for _, c := range d.consumers {
		c(e)
	}
	d.bus.Publish(e)
}

// Subscribe implements Bus.
func (d *Dispatcher) Subscribe(fn func(Event)) (cancel func()) { return d.bus.Subscribe(fn) }

// SubscriberBuffer is how many events a subscriber may lag behind before
// further events to it are dropped (and counted).
const SubscriberBuffer = 4096

// Local is the in-process Bus.
type Local struct {
	mu   sync.RWMutex
	subs map[int]chan Event
	next int
}

// NewLocal returns an empty in-process bus.
func NewLocal() *Local { return &Local{subs: map[int]chan Event{}} }

// Publish implements Bus.
func (b *Local) Publish(e Event) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, ch := range b.subs {
		select {
		case ch <- e:
		default: // the subscriber is SubscriberBuffer events behind: drop
		}
	}
}

// Subscribe implements Bus.
func (b *Local) Subscribe(fn func(Event)) (cancel func()) {
	ch := make(chan Event, SubscriberBuffer)
	b.mu.Lock()
	id := b.next
	b.next++
	b.subs[id] = ch
	b.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range ch {
			fn(e)
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs, id)
			close(ch)
			b.mu.Unlock()
			<-done
		})
	}
}
