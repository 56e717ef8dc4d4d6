package gateway

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/message"
)

// interestLog counts the watchers per subject the hub asked for.
type interestLog struct {
	mu     sync.Mutex
	counts map[string]int
}

func (l *interestLog) Watch(kind, id string) {
	l.mu.Lock()
	l.counts[kind+":"+id]++
	l.mu.Unlock()
}

func (l *interestLog) Unwatch(kind, id string) {
	l.mu.Lock()
	l.counts[kind+":"+id]--
	if l.counts[kind+":"+id] == 0 {
		delete(l.counts, kind+":"+id)
	}
	l.mu.Unlock()
}

func (l *interestLog) watched() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, n := range l.counts {
		if n != 1 {
			panic(fmt.Sprintf("%s watched %d times", k, n))
		}
	}
	return slices.Sorted(maps.Keys(l.counts))
}

// TestHubInterest: the hub asks the cluster for exactly the groups with a
// connected member here and the users with a session here, once each, and
// lets go of each with its last session or member.
func TestHubInterest(t *testing.T) {
	log := &interestLog{counts: map[string]int{}}
	h := newHub(log)
	sess := func(user string) *session { return newSession(user, nil) }
	a1, a2, b := sess("a"), sess("a"), sess("b")
	steps := []struct {
		name string
		do   func()
		want []string
	}{
		{"a logs in, member of G1 and G2", func() { h.add(a1, []string{"G1", "G2"}) }, []string{"g:G1", "g:G2", "u:a"}},
		{"a's second session", func() { h.add(a2, []string{"G1", "G2"}) }, []string{"g:G1", "g:G2", "u:a"}},
		{"b logs in, member of G2", func() { h.add(b, []string{"G2"}) }, []string{"g:G1", "g:G2", "u:a", "u:b"}},
		{"b is added to G3", func() {
			h.dispatch(event.Of(context.Background(), group.MembersAdded{GroupID: "G3", Members: []string{"b", "offline"}}, time.Now()))
		},
			[]string{"g:G1", "g:G2", "g:G3", "u:a", "u:b"}},
		{"a leaves G1", func() {
			h.dispatch(event.Of(context.Background(), group.MembersRemoved{GroupID: "G1", Members: []string{"a"}}, time.Now()))
		},
			[]string{"g:G2", "g:G3", "u:a", "u:b"}},
		{"G3 is destroyed", func() {
			h.dispatch(event.Of(context.Background(), group.Destroyed{Group: group.Group{ID: "G3"}}, time.Now()))
		}, []string{"g:G2", "u:a", "u:b"}},
		{"a's first session ends", func() { h.remove(a1) }, []string{"g:G2", "u:a", "u:b"}},
		{"a's last session ends", func() { h.remove(a2) }, []string{"g:G2", "u:b"}},
		{"b's session ends", func() { h.remove(b) }, nil},
	}
	for _, s := range steps {
		s.do()
		if got := log.watched(); fmt.Sprint(got) != fmt.Sprint(s.want) {
			t.Fatalf("after %q: watching %v, want %v", s.name, got, s.want)
		}
	}
}

// TestHubReadPosition: a read position reaches every session of the reader
// and no other member's, as one event frame naming the stream and Seq.
func TestHubReadPosition(t *testing.T) {
	h := newHub(&interestLog{counts: map[string]int{}})
	a1, a2, b := newSession("a", nil), newSession("a", nil), newSession("b", nil)
	for _, s := range []*session{a1, a2, b} {
		h.add(s, []string{"G1"})
	}
	h.dispatch(event.Of(context.Background(), message.ReadPositionSet{User: "a", GroupID: "G1", TopicID: "G1@TOPIC#t", Seq: 7, Unread: 2}, time.Now()))
	want := `{"type":"event","group_id":"G1","topic_id":"G1@TOPIC#t","event":"message.read_position_set","data":{"Seq":7,"Unread":2}}`
	for _, c := range []struct {
		name string
		s    *session
		want []string
	}{{"a's first device", a1, []string{want}}, {"a's second device", a2, []string{want}}, {"b, another member", b, nil}} {
		var got []string
		for _, f := range c.s.take() {
			got = append(got, string(f))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s got %q, want %q", c.name, got, c.want)
		}
	}
}
