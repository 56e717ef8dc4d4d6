package webhook

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/hearth-chat/hearth/internal/hook"
)

// storeTimeout bounds one outbox write of the dispatcher.
const storeTimeout = 10 * time.Second

// Run delivers the outbox until ctx is done, then waits for the deliveries
// in flight. Callbacks are claimed for Lease, at most Concurrency at once
// per node; a callback whose delivery fails is retried with exponential
// backoff (MinBackoff doubling up to MaxBackoff) until RetryFor after it was
// queued, then dropped and counted. Every attempt carries the callback's
// event ID. A node that dies mid-delivery leaves its claims to expire:
// another node (or the restarted one) delivers them again, so a receiver
// sees each event at least once.
func (w *Webhooks) Run(ctx context.Context) {
	if w.cfg.URL == "" {
		return
	}
	sem := make(chan struct{}, w.cfg.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(w.cfg.Poll)
	defer tick.Stop()
	for {
		w.poll(ctx, sem, &wg)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-w.wake:
		}
	}
}

// poll claims as many due callbacks as there are free delivery slots and
// starts their deliveries.
func (w *Webhooks) poll(ctx context.Context, sem chan struct{}, wg *sync.WaitGroup) {
	if n, err := w.store.CountCallbacks(ctx); err == nil {
		w.metrics.depth.Set(float64(n))
	}
	for ctx.Err() == nil {
		free := cap(sem) - len(sem)
		if free == 0 {
			return
		}
		limit := min(free, claimBatch)
		cbs, err := w.store.ClaimCallbacks(ctx, w.cfg.Now(), w.cfg.Lease, limit)
		if err != nil {
			if ctx.Err() == nil {
				w.cfg.Logger.Error("claim after-callbacks", "err", err)
			}
			return
		}
		for _, cb := range cbs {
			sem <- struct{}{}
			w.metrics.inFlight.Inc()
			wg.Add(1)
			go func() {
				defer func() { <-sem; w.metrics.inFlight.Dec(); wg.Done() }()
				w.deliver(ctx, cb)
			}()
		}
		if len(cbs) < limit {
			return
		}
	}
}

// deliver makes one attempt at cb and records the outcome.
func (w *Webhooks) deliver(ctx context.Context, cb Callback) {
	dctx, cancel := context.WithTimeout(ctx, w.cfg.DeliveryTimeout)
	status, _, err := w.post(dctx, cb.Command, hook.Origin{ClientIP: cb.ClientIP, Platform: cb.Platform}, cb.Body, cb.ID)
	cancel()
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("HTTP %d", status)
	}
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer scancel()
	if err == nil {
		w.metrics.deliveries.WithLabelValues(cb.Command, "delivered").Inc()
		if err := w.store.DeleteCallback(sctx, cb.ID); err != nil {
			w.cfg.Logger.Error("after-callback delivered but not removed from the outbox; it will be sent again", "id", cb.ID, "err", err)
		}
		return
	}
	if ctx.Err() != nil {
		return // shutting down: the claim expires and the callback is tried again
	}
	now := w.cfg.Now()
	if now.Sub(time.UnixMilli(cb.Created)) >= w.cfg.RetryFor {
		w.metrics.deliveries.WithLabelValues(cb.Command, "given_up").Inc()
		w.cfg.Logger.Error("after-callback given up", "command", cb.Command, "id", cb.ID, "attempts", cb.Attempts+1, "err", err)
		if err := w.store.DeleteCallback(sctx, cb.ID); err != nil {
			w.cfg.Logger.Error("remove an after-callback given up", "id", cb.ID, "err", err)
		}
		return
	}
	w.metrics.deliveries.WithLabelValues(cb.Command, "retry").Inc()
	w.cfg.Logger.Warn("after-callback failed; will retry", "command", cb.Command, "id", cb.ID, "attempt", cb.Attempts+1, "err", err)
	if err := w.store.RetryCallback(sctx, cb.ID, now.Add(w.backoff(cb.Attempts+1))); err != nil {
		w.cfg.Logger.Error("schedule an after-callback retry; its claim will expire instead", "id", cb.ID, "err", err)
	}
}

// backoff is the wait after the attempt-th failure: MinBackoff doubled per
// earlier failure, at most MaxBackoff, with ±20% jitter so that a burst of
// failures does not retry in lockstep.
func (w *Webhooks) backoff(attempt int) time.Duration {
	d := w.cfg.MinBackoff
	for i := 1; i < attempt && d < w.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, w.cfg.MaxBackoff)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
