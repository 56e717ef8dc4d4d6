package storetest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/webhook"
)

// webhookCases cover the outbox of after-callbacks: enqueue, claims and
// their leases, retry, delete, count, durability and concurrent claimers.
var webhookCases = []testCase{
	{"an enqueued callback is claimed byte for byte, with no attempts and the due it had", testWebhookRoundTrip},
	{"a claimed callback is not claimed again until its lease ends", testWebhookLease},
	{"a claim takes the oldest due first, ties by ID, up to the limit, only those due", testWebhookClaimOrder},
	{"enqueueing an ID that is queued keeps the first callback", testWebhookDuplicate},
	{"RetryCallback moves a callback's due", testWebhookRetry},
	{"DeleteCallback removes a callback and is idempotent", testWebhookDelete},
	{"CountCallbacks counts the queued callbacks, claimed or not", testWebhookCount},
	{"the outbox survives reopening", testWebhookReopen},
	{"concurrent claimers get each callback exactly once", testWebhookConcurrentClaims},
}

// webhookBase is the time, in unix milliseconds, around which the outbox
// tests queue callbacks.
const webhookBase int64 = 1_700_000_000_000

// at returns the time webhookBase+ms.
func at(ms int64) time.Time { return time.UnixMilli(webhookBase + ms) }

// callback returns callback n, due at webhookBase+due and queued a second
// before.
func callback(n int, due int64) webhook.Callback {
	return webhook.Callback{
		ID:       fmt.Sprintf("cb-%03d", n),
		Command:  "Group.CallbackAfterSendMsg",
		Body:     []byte(fmt.Sprintf(`{"CallbackCommand":"Group.CallbackAfterSendMsg","N":%d}`, n)),
		ClientIP: "192.0.2.7",
		Platform: "Web",
		Created:  webhookBase + due - 1000,
		Due:      webhookBase + due,
	}
}

// leased returns cb as claims return it after n earlier claims, the last
// leasing it until webhookBase+until.
func leased(cb webhook.Callback, n int, until int64) webhook.Callback {
	cb.Attempts, cb.Due = n, webhookBase+until
	return cb
}

func mustEnqueue(t testing.TB, s Store, cbs ...webhook.Callback) {
	t.Helper()
	if err := s.EnqueueCallbacks(t.Context(), cbs); err != nil {
		t.Fatalf("EnqueueCallbacks(%d): %v", len(cbs), err)
	}
}

// mustClaim returns ClaimCallbacks(at(now), lease, limit).
func mustClaim(t testing.TB, s Store, now int64, lease time.Duration, limit int) []webhook.Callback {
	t.Helper()
	got, err := s.ClaimCallbacks(t.Context(), at(now), lease, limit)
	if err != nil {
		t.Fatalf("ClaimCallbacks(%d, %v, %d): %v", now, lease, limit, err)
	}
	return got
}

// sameCallback reports whether a and b are equal, their bodies byte for byte
// (an empty body may be nil or not).
func sameCallback(a, b webhook.Callback) bool {
	return a.ID == b.ID && a.Command == b.Command && bytes.Equal(a.Body, b.Body) &&
		a.ClientIP == b.ClientIP && a.Platform == b.Platform && a.Created == b.Created &&
		a.Attempts == b.Attempts && a.Due == b.Due
}

func formatCallbacks(cbs []webhook.Callback) string {
	var b strings.Builder
	for _, cb := range cbs {
		fmt.Fprintf(&b, "\n  %q %q body %q ip %q platform %q created %d attempts %d due %d",
			cb.ID, cb.Command, cb.Body, cb.ClientIP, cb.Platform, cb.Created, cb.Attempts, cb.Due)
	}
	if b.Len() == 0 {
		return " none"
	}
	return b.String()
}

// wantClaim checks that ClaimCallbacks(at(now), lease, limit) returns want,
// in order.
func wantClaim(t testing.TB, s Store, now int64, lease time.Duration, limit int, want ...webhook.Callback) {
	t.Helper()
	got := mustClaim(t, s, now, lease, limit)
	if !slices.EqualFunc(got, want, sameCallback) {
		t.Errorf("ClaimCallbacks(%d, %v, %d) returned%s\nwant%s", now, lease, limit, formatCallbacks(got), formatCallbacks(want))
	}
}

func wantCount(t testing.TB, s Store, want int) {
	t.Helper()
	got, err := s.CountCallbacks(t.Context())
	if err != nil {
		t.Fatalf("CountCallbacks: %v", err)
	}
	if got != want {
		t.Errorf("CountCallbacks = %d, want %d", got, want)
	}
}

func testWebhookRoundTrip(t *testing.T, s Store, _ func() Store) {
	for i, tc := range []struct {
		name string
		cb   webhook.Callback
	}{
		{"typical", callback(1, 0)},
		{"body of every byte", webhook.Callback{ID: "bytes", Command: "C2C.CallbackAfterSendMsg",
			Body: func() []byte {
				b := make([]byte, 256)
				for i := range b {
					b[i] = byte(i)
				}
				return b
			}(), ClientIP: "2001:db8::1", Platform: "iOS", Created: webhookBase - 5, Due: webhookBase - 2}},
		{"empty body and fields", webhook.Callback{ID: "empty", Due: webhookBase - 1}},
		{"long JSON body", webhook.Callback{ID: strings.Repeat("x", 64), Command: "Group.CallbackAfterCreateGroup",
			Body:     []byte(`{"Text":"` + strings.Repeat("é😀\\\"", 20_000) + `"}`),
			ClientIP: "203.0.113.9", Platform: "Android", Created: webhookBase - 100, Due: webhookBase + 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The callbacks of the cases before are leased for an hour:
			// the claim at this one's due takes it alone.
			mustEnqueue(t, s, tc.cb)
			wantClaim(t, s, tc.cb.Due-webhookBase, time.Hour, 10, tc.cb)
			wantCount(t, s, i+1)
		})
	}
}

func testWebhookLease(t *testing.T, s Store, _ func() Store) {
	cb := callback(1, 0)
	mustEnqueue(t, s, cb, callback(2, 5_000))
	const lease = 30 * time.Second
	wantClaim(t, s, -1, lease, 10)     // not due yet
	wantClaim(t, s, 0, lease, 10, cb)  // due: leased until 30_000
	wantClaim(t, s, 0, lease, 10)      // a second claim gets nothing
	wantClaim(t, s, 29_999, lease, 10, // nor does one just before the lease ends
		leased(callback(2, 5_000), 0, 5_000))
	wantClaim(t, s, 30_000, lease, 10, leased(cb, 1, 30_000)) // the lease has ended
	wantClaim(t, s, 30_000, lease, 10)
	wantClaim(t, s, 60_000, time.Minute, 10, // oldest due first
		leased(callback(2, 5_000), 1, 29_999+30_000), leased(cb, 2, 60_000))
	wantCount(t, s, 2)
}

func testWebhookClaimOrder(t *testing.T, s Store, _ func() Store) {
	// Queued out of order, with ties of due (broken by ID) and some not due
	// at 100.
	dues := map[int]int64{7: 50, 2: 10, 9: 10, 4: 30, 1: 30, 8: 200, 3: 0, 6: 100, 5: 101}
	var cbs []webhook.Callback
	for _, n := range []int{7, 2, 9, 4, 1, 8, 3, 6, 5} {
		cbs = append(cbs, callback(n, dues[n]))
	}
	mustEnqueue(t, s, cbs...)
	for _, tc := range []struct {
		limit int
		want  []int // callbacks by n, in order
	}{
		{0, nil},
		{-1, nil},
		{1, []int{3}},
		{2, []int{2, 9}},
		{3, []int{1, 4, 7}},
		{10, []int{6}}, // 5 and 8 are not due at 100
		{10, nil},
	} {
		var want []webhook.Callback
		for _, n := range tc.want {
			want = append(want, callback(n, dues[n]))
		}
		wantClaim(t, s, 100, time.Hour, tc.limit, want...)
	}
	wantCount(t, s, len(dues))
}

func testWebhookDuplicate(t *testing.T, s Store, _ func() Store) {
	first := callback(1, 0)
	other := callback(2, 10)
	other.ID = first.ID
	other.Body = []byte(`{"other":true}`)
	mustEnqueue(t, s, first)
	mustEnqueue(t, s, other)                                   // queued before
	mustEnqueue(t, s, callback(3, 20), other, callback(3, 30)) // and within one call
	mustEnqueue(t, s, callback(4, 40), callback(4, 50), other) // first in the call wins
	wantCount(t, s, 3)
	wantClaim(t, s, 100, time.Minute, 10, first, callback(3, 20), callback(4, 40))
	// Enqueueing a claimed callback again leaves its lease and attempts.
	mustEnqueue(t, s, first)
	wantClaim(t, s, 100, time.Minute, 10)
	wantClaim(t, s, 60_100, time.Minute, 1, leased(first, 1, 60_100))
	wantCount(t, s, 3)
}

func testWebhookRetry(t *testing.T, s Store, _ func() Store) {
	cb := callback(1, 0)
	mustEnqueue(t, s, cb)
	wantClaim(t, s, 0, time.Hour, 10, cb)
	for _, tc := range []struct {
		name      string
		due, want int64 // retry at due; the claim at due-1 gets nothing, that at due gets it
	}{
		{"before the lease ends", 5_000, 5_000},
		{"after the lease ends", 2 * 3600_000, 2 * 3600_000},
		{"back to the past", -10, -10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.RetryCallback(t.Context(), cb.ID, at(tc.due)); err != nil {
				t.Fatalf("RetryCallback: %v", err)
			}
			wantClaim(t, s, tc.due-1, time.Hour, 10)
			got := mustClaim(t, s, tc.due, time.Hour, 10)
			if len(got) != 1 || got[0].ID != cb.ID || got[0].Due != webhookBase+tc.want {
				t.Errorf("claim at %d after RetryCallback returned%s\nwant %q due %d", tc.due, formatCallbacks(got), cb.ID, webhookBase+tc.want)
			}
		})
	}
	wantClaim(t, s, -10+3600_000-1, time.Hour, 10) // leased by the last claim
	if err := s.RetryCallback(t.Context(), "gone", at(0)); err != nil {
		t.Errorf("RetryCallback of an unknown ID: %v", err)
	}
	wantCount(t, s, 1)
}

func testWebhookDelete(t *testing.T, s Store, _ func() Store) {
	mustEnqueue(t, s, callback(1, 0), callback(2, 0), callback(3, 0))
	wantClaim(t, s, 0, time.Minute, 1, callback(1, 0))
	for _, tc := range []struct {
		id        string
		wantCount int
	}{
		{"cb-001", 2}, // claimed
		{"cb-002", 1}, // not claimed
		{"cb-001", 1}, // again
		{"never", 1},
	} {
		if err := s.DeleteCallback(t.Context(), tc.id); err != nil {
			t.Errorf("DeleteCallback(%q): %v", tc.id, err)
		}
		wantCount(t, s, tc.wantCount)
	}
	wantClaim(t, s, 3600_000, time.Minute, 10, callback(3, 0))
	// A deleted ID may be queued again.
	mustEnqueue(t, s, callback(1, 5))
	wantClaim(t, s, 3600_000, time.Minute, 10, callback(1, 5))
}

func testWebhookCount(t *testing.T, s Store, _ func() Store) {
	wantCount(t, s, 0)
	var cbs []webhook.Callback
	for n := range 25 {
		cbs = append(cbs, callback(n, int64(n)))
	}
	mustEnqueue(t, s)
	wantCount(t, s, 0)
	mustEnqueue(t, s, cbs[:20]...)
	wantCount(t, s, 20)
	mustEnqueue(t, s, cbs[15:]...) // 5 repeats
	wantCount(t, s, 25)
	if got := mustClaim(t, s, 100, time.Minute, 10); len(got) != 10 {
		t.Errorf("claimed %d callbacks, want 10", len(got))
	}
	wantCount(t, s, 25) // claimed callbacks stay queued
	for _, cb := range cbs[:7] {
		if err := s.DeleteCallback(t.Context(), cb.ID); err != nil {
			t.Fatal(err)
		}
	}
	wantCount(t, s, 18)
}

func testWebhookReopen(t *testing.T, s Store, reopen func() Store) {
	mustEnqueue(t, s, callback(1, 0), callback(2, 10), callback(3, 20))
	wantClaim(t, s, 0, time.Minute, 10, callback(1, 0))
	if err := s.RetryCallback(t.Context(), "cb-003", at(5_000)); err != nil {
		t.Fatal(err)
	}
	s = reopen()
	wantCount(t, s, 3)
	wantClaim(t, s, 100, time.Minute, 10, callback(2, 10))
	s = reopen()
	wantClaim(t, s, 60_000, time.Minute, 10,
		leased(callback(3, 20), 0, 5_000), leased(callback(1, 0), 1, 60_000))
	wantClaim(t, s, 60_100, time.Minute, 10, leased(callback(2, 10), 1, 60_100))
}

func testWebhookConcurrentClaims(t *testing.T, s Store, _ func() Store) {
	const (
		total    = 200
		claimers = 4
		limit    = 10
	)
	cbs := make([]webhook.Callback, total)
	for n := range cbs {
		cbs[n] = callback(n, int64(n%7)) // ties of due, too
	}
	mustEnqueue(t, s, cbs...)
	claimed := make([][]webhook.Callback, claimers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range claimers {
		wg.Go(func() {
			<-start
			for {
				got, err := s.ClaimCallbacks(t.Context(), at(100), time.Hour, limit)
				if err != nil {
					t.Errorf("claimer %d: %v", i, err)
					return
				}
				if len(got) > limit {
					t.Errorf("claimer %d: a claim returned %d callbacks, over the limit %d", i, len(got), limit)
				}
				if len(got) == 0 {
					return
				}
				claimed[i] = append(claimed[i], got...)
			}
		})
	}
	close(start)
	wg.Wait()
	byID := make(map[string]int, total)
	for i, got := range claimed {
		for _, cb := range got {
			if prev, ok := byID[cb.ID]; ok {
				t.Errorf("%q claimed by claimers %d and %d", cb.ID, prev, i)
			}
			byID[cb.ID] = i
			if cb.Attempts != 0 {
				t.Errorf("%q claimed with %d attempts, want 0", cb.ID, cb.Attempts)
			}
		}
	}
	for _, cb := range cbs {
		if _, ok := byID[cb.ID]; !ok {
			t.Errorf("%q was never claimed", cb.ID)
		}
	}
	if t.Failed() {
		return
	}
	for i, got := range claimed {
		t.Logf("claimer %d claimed %d callbacks", i, len(got))
	}
	wantClaim(t, s, 100, time.Hour, total)
	wantCount(t, s, total)
}
