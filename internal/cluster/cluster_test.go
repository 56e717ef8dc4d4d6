package cluster

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/apitest/natstest"
	"github.com/hearth-chat/hearth/internal/event"
)

// natsServer starts an embedded NATS server on a free loopback port.
func natsServer(t *testing.T) string { return natstest.Server(t).ClientURL() }

// recorder collects the events a node's subscribers get.
type recorder struct {
	mu  sync.Mutex
	got []event.Event
}

func (r *recorder) add(e event.Event) { r.mu.Lock(); r.got = append(r.got, e); r.mu.Unlock() }

func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.got {
		out = append(out, e.Type+":"+e.GroupID+fmt.Sprint(e.Users))
	}
	return out
}

// Changes of the kinds the tests publish.
type (
	groupMsg struct {
		G string
		N int
	}
	c2cMsg struct {
		U []string
		N int
	}
	topicModified struct{ G string }
	groupModified struct{ G string }
)

func (groupMsg) Kind() string              { return "message.group" }
func (c2cMsg) Kind() string                { return "message.c2c" }
func (topicModified) Kind() string         { return "topic.modified" }
func (groupModified) Kind() string         { return "group.modified" }
func (c groupMsg) Scope() event.Scope      { return event.Scope{GroupID: c.G} }
func (c c2cMsg) Scope() event.Scope        { return event.Scope{Users: c.U} }
func (c topicModified) Scope() event.Scope { return event.Scope{GroupID: c.G} }
func (c groupModified) Scope() event.Scope { return event.Scope{GroupID: c.G} }
func (groupMsg) Routed()                   {}
func (c2cMsg) Routed()                     {}

func init() {
	event.Register[groupMsg]()
	event.Register[c2cMsg]()
	event.Register[topicModified]()
	event.Register[groupModified]()
}

func pub(c event.Change) event.Event { return event.Of(context.Background(), c, time.Now()) }

func join(t *testing.T, url string, inv func(event.Event)) *Node {
	t.Helper()
	n, err := Join(Options{URL: url, AppID: 1400000001, Invalidate: inv})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestInterestRoutingAndBroadcast: messages reach only nodes that watch
// their group or user, once; changes reach every node, and Publish returns
// only after the other nodes ran their invalidation.
func TestInterestRoutingAndBroadcast(t *testing.T) {
	url := natsServer(t)
	var invalidated atomic.Int64
	a := join(t, url, nil)
	b := join(t, url, func(event.Event) { time.Sleep(20 * time.Millisecond); invalidated.Add(1) })
	var rb recorder
	defer b.Subscribe(rb.add)()
	waitFor(t, "the nodes to see each other", func() bool { return a.Size() == 2 && b.Size() == 2 })

	b.Watch("g", "G1")
	b.Watch("u", "bob")
	b.Watch("u", "bob") // a second session of bob
	b.Watch("g", "odd.id *>")
	if got := b.Subscriptions(); got != 3 {
		t.Fatalf("%d interest subscriptions, want 3", got)
	}
	if err := b.nc.Flush(); err != nil {
		t.Fatal(err)
	}
	a.Publish(pub(groupMsg{"G2", 1})) // nobody watches G2
	a.Publish(pub(groupMsg{"G1", 2}))
	a.Publish(pub(groupMsg{"odd.id *>", 3}))
	a.Publish(pub(c2cMsg{[]string{"bob", "alice"}, 4}))
	a.Publish(pub(c2cMsg{[]string{"carol", "alice"}, 5})) // nobody here
	waitFor(t, "the routed messages", func() bool { return len(rb.types()) >= 3 })

	before := invalidated.Load()
	a.Publish(pub(topicModified{"G9"}))
	if invalidated.Load() != before+1 {
		t.Fatalf("Publish of a change returned before the other node invalidated (%d → %d)", before, invalidated.Load())
	}
	waitFor(t, "the change", func() bool { return len(rb.types()) >= 4 })
	time.Sleep(100 * time.Millisecond) // anything else would have arrived by now
	// Order holds per subject (a group's messages), not across subjects.
	want := []string{"message.c2c:[bob alice]", "message.group:G1[]", "message.group:odd.id *>[]", "topic.modified:G9[]"}
	got := rb.types()
	slices.Sort(got)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("node B got %v, want %v", got, want)
	}
	for _, e := range rb.got {
		if !e.Remote {
			t.Errorf("event %s from another node is not marked Remote", e.Type)
		}
	}

	b.Unwatch("u", "bob")
	if got := b.Subscriptions(); got != 3 {
		t.Fatalf("after one of two bob sessions left: %d subscriptions, want 3", got)
	}
	b.Unwatch("u", "bob")
	b.Unwatch("g", "G1")
	b.Unwatch("g", "odd.id *>")
	if got := b.Subscriptions(); got != 0 {
		t.Fatalf("%d subscriptions after every Unwatch", got)
	}
	pub, _ := a.Counts()
	_, recv := b.Counts()
	if pub != 6 || recv != 4 {
		t.Errorf("counts: A published %d (want 6), B received %d (want 4)", pub, recv)
	}
}

// TestDeadPeerDoesNotStallChanges: a node that stops answering is dropped
// from the live set, and changes stop waiting for it.
func TestDeadPeerDoesNotStallChanges(t *testing.T) {
	url := natsServer(t)
	a := join(t, url, nil)
	b := join(t, url, nil)
	waitFor(t, "the nodes to see each other", func() bool { return a.Size() == 2 })
	b.Close()
	start := time.Now()
	a.Publish(pub(groupModified{"G"}))
	if d := time.Since(start); d > AckTimeout+500*time.Millisecond {
		t.Fatalf("a change waited %v for a closed node", d)
	}
	waitFor(t, "the dead node to expire", func() bool { return a.Size() == 1 })
	start = time.Now()
	a.Publish(pub(groupModified{"G"}))
	if d := time.Since(start); d > AckTimeout/2 {
		t.Fatalf("a change waited %v with no live peer", d)
	}
}

func TestToken(t *testing.T) {
	cases := map[string]string{"@TGS#abc": "@TGS#abc", "a.b": "~612e62", "x y": "~782079", "~x": "~7e78", "": "~"}
	for in, want := range cases {
		if got := token(in); got != want {
			t.Errorf("token(%q) = %q, want %q", in, got, want)
		}
	}
}
