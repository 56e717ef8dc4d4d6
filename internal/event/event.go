// Package event is the server's internal event bus: domain services publish
// what changed (a topic modified, a member joined, a message stored) and the
// WebSocket gateway, webhooks and caches subscribe. This file defines the
// interface and an in-process implementation; cluster mode adds NATS.
package event

import (
	"sync"

	"github.com/hearth-chat/hearth/internal/hook"
)

// Event is one change. Type names it ("group.created", "topic.modified",
// …); GroupID/TopicID say where; Users lists the users it concerns beyond the
// group's members (e.g. the members added or removed); Data carries the
// type-specific details.
type Event struct {
	Type     string
	GroupID  string
	TopicID  string
	Operator string
	Users    []string
	Time     int64 // unix milliseconds
	Data     any

	// Origin is where the request that caused the event came from (for the
	// after-callbacks' query string).
	Origin hook.Origin
	// NoCallback suppresses the event's after-callback (send_group_msg's
	// ForbidAfterSendMsgCallback).
	NoCallback bool
	// Remote marks an event another node published (cluster mode).
	Remote bool
}

// CacheInvalidate is the type of an event that only tells other nodes to
// drop what they cached of a group (a change made without notifications,
// such as an import); clients are not sent it.
const CacheInvalidate = "cache.invalidate"

// Bus delivers published events to every subscriber.
type Bus interface {
	// Publish hands e to every subscriber; it never blocks on a slow one.
	Publish(e Event)
	// Subscribe registers fn, called in order for each event from one
	// goroutine per subscriber, until cancel is called.
	Subscribe(fn func(Event)) (cancel func())
}

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
