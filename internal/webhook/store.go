package webhook

import (
	"context"
	"time"
)

// Callback is one after-callback waiting in the outbox: a request to the
// app's callback URL that must reach it at least once. ID is its stable event
// ID, sent with every attempt so that a receiver can drop repeats.
type Callback struct {
	ID       string // unique, chosen by the enqueuer (≤ 64 bytes)
	Command  string // CallbackCommand, e.g. "Group.CallbackAfterCreateGroup"
	Body     []byte // the JSON body, exactly as sent
	ClientIP string
	Platform string // OptPlatform
	Created  int64  // unix milliseconds when it was queued
	Attempts int    // delivery attempts made before this claim
	Due      int64  // unix milliseconds when it may be tried (next) — also the lease end of a claim
}

// Store is the durable outbox of after-callbacks. Every Hearth store
// implements it; in cluster mode several nodes share one, and a claimed
// callback is delivered by one node at a time.
type Store interface {
	// EnqueueCallbacks stores cbs, durably when it returns nil. A callback
	// whose ID is already queued is left as it is (no error).
	EnqueueCallbacks(ctx context.Context, cbs []Callback) error
	// ClaimCallbacks returns up to limit callbacks whose Due <= now (oldest
	// Due first) and, in the same atomic step, sets their Due to
	// now+lease and increments their Attempts, so that no other claimer gets
	// them until the lease ends. Returned values carry Attempts before the
	// increment and Due before the claim. With several nodes claiming at once
	// each callback goes to one of them (PostgreSQL: FOR UPDATE SKIP LOCKED).
	ClaimCallbacks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Callback, error)
	// DeleteCallback removes a callback (delivered, or given up on). Deleting
	// one that is gone is not an error.
	DeleteCallback(ctx context.Context, id string) error
	// RetryCallback sets the Due of a claimed callback to due (its next
	// attempt). A callback that is gone is not an error.
	RetryCallback(ctx context.Context, id string, due time.Time) error
	// CountCallbacks is how many callbacks are queued (delivered ones are
	// deleted), for the queue-depth metric.
	CountCallbacks(ctx context.Context) (int, error)
}
