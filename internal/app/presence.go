package app

import (
	"context"
	"sync"

	"github.com/hearth-chat/hearth/internal/presence"
	"github.com/prometheus/client_golang/prometheus"
)

// peerEvent is a node the cluster saw join (alive) or die.
type peerEvent struct {
	id    string
	alive bool
}

// peerQueue hands the cluster's peer events (told on its heartbeat
// goroutines, which must not block) to the presence worker, in order.
type peerQueue struct {
	mu   sync.Mutex
	list []peerEvent
	wake chan struct{}
}

func newPeerQueue() *peerQueue { return &peerQueue{wake: make(chan struct{}, 1)} }

func (q *peerQueue) add(id string, alive bool) {
	q.mu.Lock()
	q.list = append(q.list, peerEvent{id, alive})
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *peerQueue) take() []peerEvent {
	q.mu.Lock()
	defer q.mu.Unlock()
	l := q.list
	q.list = nil
	return l
}

// presenceWorker keeps presence right as nodes come and go: a node that
// joins is told who is connected here; a node that died has its users
// forgotten.
func (s *Server) presenceWorker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.peerEvents.wake:
		}
		for _, p := range s.peerEvents.take() {
			if p.alive {
				s.gateway.PeerJoined(p.id)
			} else {
				s.gateway.PeerGone(p.id)
			}
		}
	}
}

// newPresence builds the node's presence service (its tracker named after
// the cluster node) and exports its sizes.
func (s *Server) newPresence() *presence.Service {
	name := "local"
	if s.node != nil {
		name = s.node.ID()
	}
	t := presence.NewTracker(name)
	s.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hearth_presence_local_users", Help: "Users with a WebSocket session on this node."},
			func() float64 { n, _, _ := t.Counts(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hearth_presence_remote_entries", Help: "(user, other node) presence entries this node keeps."},
			func() float64 { _, n, _ := t.Counts(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "hearth_presence_dropped_total", Help: "Presence announcements of other nodes dropped at the entry limit."},
			func() float64 { _, _, n := t.Counts(); return float64(n) }),
	)
	return presence.NewService(t, s.Accounts, s.Groups)
}
