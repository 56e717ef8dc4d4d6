package event

import (
	"sync"
	"testing"
	"time"
)

func TestLocalDeliversInOrderToEverySubscriber(t *testing.T) {
	b := NewLocal()
	var mu sync.Mutex
	got := map[int][]string{}
	var wg sync.WaitGroup
	const events = 100
	for sub := 0; sub < 3; sub++ {
		wg.Add(events)
		cancel := b.Subscribe(func(e Event) {
			mu.Lock()
			got[sub] = append(got[sub], e.GroupID)
			mu.Unlock()
			wg.Done()
		})
		defer cancel()
	}
	for i := 0; i < events; i++ {
		b.Publish(Event{Type: "t", GroupID: string(rune('a' + i%26))})
	}
	wg.Wait()
	for sub := 0; sub < 3; sub++ {
		if len(got[sub]) != events {
			t.Fatalf("subscriber %d got %d events", sub, len(got[sub]))
		}
		for i, g := range got[sub] {
			if g != string(rune('a'+i%26)) {
				t.Fatalf("subscriber %d event %d is %s: out of order", sub, i, g)
			}
		}
	}
}

func TestLocalNeverBlocksOnASlowSubscriber(t *testing.T) {
	b := NewLocal()
	release := make(chan struct{})
	cancel := b.Subscribe(func(Event) { <-release })
	done := make(chan struct{})
	go func() {
		for i := 0; i < SubscriberBuffer*2; i++ {
			b.Publish(Event{Type: "t"})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked on a stuck subscriber")
	}
	close(release)
	cancel()
}

func TestLocalCancelStopsDelivery(t *testing.T) {
	b := NewLocal()
	var mu sync.Mutex
	n := 0
	cancel := b.Subscribe(func(Event) { mu.Lock(); n++; mu.Unlock() })
	b.Publish(Event{})
	cancel() // waits for the subscriber to drain
	mu.Lock()
	before := n
	mu.Unlock()
	b.Publish(Event{})
	time.Sleep(20 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if before != 1 || n != 1 {
		t.Fatalf("delivered %d before and %d after cancel, want 1 and 1", before, n)
	}
	cancel() // a second cancel is harmless
}
