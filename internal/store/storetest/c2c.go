package storetest

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/hearth-chat/hearth/internal/message"
)

// c2cCases cover one-to-one messages: conversations, de-duplication,
// history and recall.
var c2cCases = []testCase{
	{"both directions are one conversation; other conversations are apart", testC2CConversations},
	{"a retry within the window, in either direction, returns the original; outside it, or without a key, a new one is stored", testC2CDedupe},
	{"concurrent retries of one send store it once", testC2CConcurrentRetries},
	{"history is newest first by time then storage order, within time bounds and limit, paged by beforeKey", testC2CHistory},
	{"recall by sender, receiver and key reports whether the message exists", testC2CRecall},
	{"C2C message values round-trip byte for byte", testC2CRoundTrip},
}

// c2c returns a message from to to at time at, its Seq, Random, key, ID
// and text made from n so that messages differ.
func c2c(from, to string, n int, at int64) message.C2CMessage {
	seq, random := uint32(n), uint32(1000+n)
	return message.C2CMessage{
		From: from, To: to, Seq: seq, Random: random, Time: at,
		Key:             fmt.Sprintf("%d_%d_%d", seq, random, at),
		ID:              fmt.Sprintf("id-%d", n),
		Body:            []byte(fmt.Sprintf(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"c2c %d"}}]`, n)),
		CloudCustomData: fmt.Sprint("ccd ", n),
	}
}

// mustAppendC2C appends m with dedupeKey and dedupeSince and checks that it
// was stored (not a duplicate) as m.
func mustAppendC2C(t testing.TB, s Store, m message.C2CMessage, dedupeKey string, dedupeSince int64) message.C2CMessage {
	t.Helper()
	got, dup, err := s.AppendC2C(t.Context(), m, dedupeKey, dedupeSince)
	if err != nil || dup {
		t.Fatalf("AppendC2C(%q -> %q, key %q) = dup %v, %v", m.From, m.To, dedupeKey, dup, err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("AppendC2C returned\n %+v\nwant\n %+v", got, m)
	}
	return got
}

// c2cHistory returns C2CMessages(a, b, minTime, maxTime, beforeKey, limit).
func c2cHistory(t testing.TB, s Store, a, b string, minTime, maxTime int64, beforeKey string, limit int) []message.C2CMessage {
	t.Helper()
	got, err := s.C2CMessages(t.Context(), a, b, minTime, maxTime, beforeKey, limit)
	if err != nil {
		t.Fatalf("C2CMessages(%q, %q, %d, %d, %q, %d): %v", a, b, minTime, maxTime, beforeKey, limit, err)
	}
	return got
}

// c2cNs returns the n of c2c of each message (Random - 1000), checking that
// each is between a and b.
func c2cNs(t testing.TB, a, b string, msgs []message.C2CMessage) []int {
	t.Helper()
	ns := []int{}
	for _, m := range msgs {
		if !(m.From == a && m.To == b || m.From == b && m.To == a) {
			t.Errorf("message %q is %q -> %q, not between %q and %q", m.Key, m.From, m.To, a, b)
		}
		ns = append(ns, int(m.Random)-1000)
	}
	return ns
}

// wantC2C checks the messages (by n) that C2CMessages(a, b, minTime,
// maxTime, beforeKey, limit) returns, in order, asking with a and b both
// ways round.
func wantC2C(t testing.TB, s Store, a, b string, minTime, maxTime int64, beforeKey string, limit int, want ...int) {
	t.Helper()
	if want == nil {
		want = []int{}
	}
	for _, p := range [][2]string{{a, b}, {b, a}} {
		got := c2cNs(t, a, b, c2cHistory(t, s, p[0], p[1], minTime, maxTime, beforeKey, limit))
		if !slices.Equal(got, want) {
			t.Errorf("C2CMessages(%q, %q, %d, %d, %q, %d) = %v, want %v", p[0], p[1], minTime, maxTime, beforeKey, limit, got, want)
		}
	}
}

func testC2CConversations(t *testing.T, s Store, reopen func() Store) {
	mustAppendC2C(t, s, c2c("alice", "bob", 1, 10), "", 0)
	mustAppendC2C(t, s, c2c("bob", "alice", 2, 11), "", 0)
	mustAppendC2C(t, s, c2c("alice", "carol", 3, 12), "", 0)
	mustAppendC2C(t, s, c2c("carol", "bob", 4, 13), "", 0)
	mustAppendC2C(t, s, c2c("alice", "alice", 5, 14), "", 0) // to oneself
	mustAppendC2C(t, s, c2c("bob", "alice", 6, 15), "", 0)
	// Peers whose concatenations are equal are apart all the same.
	mustAppendC2C(t, s, c2c("ab", "c", 7, 16), "", 0)
	mustAppendC2C(t, s, c2c("a", "bc", 8, 17), "", 0)
	for range 2 {
		wantC2C(t, s, "alice", "bob", 0, 0, "", 0, 6, 2, 1)
		wantC2C(t, s, "alice", "carol", 0, 0, "", 0, 3)
		wantC2C(t, s, "bob", "carol", 0, 0, "", 0, 4)
		wantC2C(t, s, "alice", "alice", 0, 0, "", 0, 5)
		wantC2C(t, s, "bob", "bob", 0, 0, "", 0)
		wantC2C(t, s, "ab", "c", 0, 0, "", 0, 7)
		wantC2C(t, s, "a", "bc", 0, 0, "", 0, 8)
		wantC2C(t, s, "dave", "erin", 0, 0, "", 0)
		s = reopen()
	}
}

func testC2CDedupe(t *testing.T, s Store, _ func() Store) {
	first := mustAppendC2C(t, s, c2c("alice", "bob", 1, 1000), "k1", 700)
	retry := func(name string, m message.C2CMessage, key string, since int64, wantDup bool) {
		t.Helper()
		got, dup, err := s.AppendC2C(t.Context(), m, key, since)
		if err != nil || dup != wantDup {
			t.Errorf("%s: AppendC2C = dup %v, %v; want dup %v", name, dup, err, wantDup)
			return
		}
		want := m
		if wantDup {
			want = first
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: AppendC2C returned\n %+v\nwant\n %+v", name, got, want)
		}
	}
	// A retry carries a later time (and here other content): the original
	// is returned as stored.
	retry("within the window", c2c("alice", "bob", 2, 1200), "k1", 900, true)
	retry("at the window's edge", c2c("alice", "bob", 2, 1300), "k1", 1000, true)
	retry("the other direction", c2c("bob", "alice", 2, 1300), "k1", 900, true)
	wantC2C(t, s, "alice", "bob", 0, 0, "", 0, 1)
	retry("another key", c2c("alice", "bob", 3, 1400), "k2", 900, false)
	retry("outside the window", c2c("bob", "alice", 4, 1500), "k1", 1001, false)
	retry("no key", c2c("alice", "bob", 5, 1600), "", 0, false)
	retry("no key again", c2c("alice", "bob", 5, 1600), "", 0, false)
	// Keys are per conversation.
	retry("another conversation", c2c("alice", "carol", 6, 1700), "k1", 0, false)
	retry("another conversation, same sender and receiver reversed", c2c("carol", "bob", 7, 1700), "k1", 0, false)
	wantC2C(t, s, "alice", "bob", 0, 0, "", 0, 5, 5, 4, 3, 1)
	wantC2C(t, s, "alice", "carol", 0, 0, "", 0, 6)
	wantC2C(t, s, "bob", "carol", 0, 0, "", 0, 7)
	// The duplicate found is the first stored with the key in the window.
	first = c2c("bob", "alice", 4, 1500)
	retry("the later of two with the key", c2c("alice", "bob", 8, 1800), "k1", 1001, true)
}

func testC2CConcurrentRetries(t *testing.T, s Store, _ func() Store) {
	const senders = 8
	got := make([]message.C2CMessage, senders)
	dups := make([]bool, senders)
	var wg sync.WaitGroup
	for i := range senders {
		wg.Go(func() {
			from, to := "alice", "bob"
			if i%2 == 1 { // both directions share the key space
				from, to = to, from
			}
			var err error
			got[i], dups[i], err = s.AppendC2C(t.Context(), c2c(from, to, i, 50), "same", 0)
			if err != nil {
				t.Errorf("sender %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	stored := -1
	for i, d := range dups {
		if !d {
			if stored >= 0 {
				t.Errorf("senders %d and %d both stored the message", stored, i)
			}
			stored = i
		}
	}
	if stored < 0 {
		t.Fatal("no sender stored the message")
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], got[stored]) {
			t.Errorf("sender %d got %+v, want %+v as sender %d stored", i, got[i], got[stored], stored)
		}
	}
	wantC2C(t, s, "alice", "bob", 0, 0, "", 0, stored)
}

func testC2CHistory(t *testing.T, s Store, _ func() Store) {
	// Times with ties, stored out of time order: history orders by time,
	// then by the order they were stored.
	times := []int64{20, 10, 20, 30, 10, 20, 40, 50, 40, 60}
	keys := make([]string, len(times))
	for i, at := range times {
		from, to := "alice", "bob"
		if i%3 == 1 {
			from, to = to, from
		}
		keys[i] = mustAppendC2C(t, s, c2c(from, to, i, at), "", 0).Key
		mustAppendC2C(t, s, c2c("alice", "carol", 100+i, at), "", 0) // not mixed in
	}
	all := []int{9, 7, 8, 6, 3, 5, 2, 0, 4, 1}
	wantC2C(t, s, "alice", "bob", 0, 0, "", 0, all...)
	wantC2C(t, s, "alice", "bob", 0, 0, "", -1, all...)
	wantC2C(t, s, "alice", "bob", math.MinInt64, math.MaxInt64, "", 0, all...)
	wantC2C(t, s, "alice", "bob", 0, 0, "", 3, 9, 7, 8)
	wantC2C(t, s, "alice", "bob", 20, 40, "", 0, 8, 6, 3, 5, 2, 0)
	wantC2C(t, s, "alice", "bob", 20, 20, "", 0, 5, 2, 0)
	wantC2C(t, s, "alice", "bob", 20, 0, "", 2, 9, 7)
	wantC2C(t, s, "alice", "bob", 0, 10, "", 0, 4, 1)
	wantC2C(t, s, "alice", "bob", 61, 0, "", 0)
	wantC2C(t, s, "alice", "bob", 30, 20, "", 0)
	// beforeKey: strictly older in (time, order stored), ties included.
	wantC2C(t, s, "alice", "bob", 0, 0, keys[5], 0, 2, 0, 4, 1)
	wantC2C(t, s, "alice", "bob", 0, 0, keys[2], 0, 0, 4, 1)
	wantC2C(t, s, "alice", "bob", 0, 0, keys[8], 2, 6, 3)
	wantC2C(t, s, "alice", "bob", 0, 0, keys[1], 0)
	wantC2C(t, s, "alice", "bob", 0, 0, keys[9], 0, all[1:]...)
	wantC2C(t, s, "alice", "bob", 20, 40, keys[9], 0, 8, 6, 3, 5, 2, 0)
	wantC2C(t, s, "alice", "bob", 20, 40, keys[3], 0, 5, 2, 0)
	wantC2C(t, s, "alice", "bob", 20, 40, keys[4], 0)
	// A key that the conversation does not hold (one of another's, or
	// none) gives nothing.
	wantC2C(t, s, "alice", "bob", 0, 0, c2c("alice", "carol", 105, 20).Key, 0)
	wantC2C(t, s, "alice", "bob", 0, 0, "no such key", 0)
	// Paging by the key of each page's last message walks the whole
	// history once.
	for _, limit := range []int{1, 3, 4} {
		var paged []int
		before := ""
		for range len(all) + 1 {
			page := c2cHistory(t, s, "bob", "alice", 0, 0, before, limit)
			if len(page) == 0 {
				break
			}
			paged = append(paged, c2cNs(t, "alice", "bob", page)...)
			before = page[len(page)-1].Key
		}
		if !slices.Equal(paged, all) {
			t.Errorf("paging by %d: %v, want %v", limit, paged, all)
		}
	}
}

func testC2CRecall(t *testing.T, s Store, reopen func() Store) {
	a := mustAppendC2C(t, s, c2c("alice", "bob", 1, 10), "", 0)
	b := mustAppendC2C(t, s, c2c("bob", "alice", 2, 11), "", 0)
	c := mustAppendC2C(t, s, c2c("alice", "carol", 3, 12), "", 0)
	recall := func(from, to, key string, want bool) {
		t.Helper()
		if got, err := s.RecallC2C(t.Context(), from, to, key); err != nil || got != want {
			t.Errorf("RecallC2C(%q, %q, %q) = %v, %v; want %v", from, to, key, got, err, want)
		}
	}
	recall("alice", "bob", a.Key, true)
	recall("alice", "bob", a.Key, true)  // twice is no error
	recall("bob", "alice", a.Key, false) // not sent that way
	recall("alice", "carol", a.Key, false)
	recall("alice", "bob", b.Key, false)
	recall("alice", "bob", "no such key", false)
	recall("dave", "erin", a.Key, false)
	a.Recalled = true
	for range 2 {
		if got, want := c2cHistory(t, s, "alice", "bob", 0, 0, "", 0), []message.C2CMessage{b, a}; !reflect.DeepEqual(got, want) {
			t.Errorf("history\n got %+v\nwant %+v", got, want)
		}
		if got, want := c2cHistory(t, s, "alice", "carol", 0, 0, "", 0), []message.C2CMessage{c}; !reflect.DeepEqual(got, want) {
			t.Errorf("history\n got %+v\nwant %+v", got, want)
		}
		s = reopen()
	}
	recall("bob", "alice", b.Key, true)
	b.Recalled = true
	if got, want := c2cHistory(t, s, "alice", "bob", 0, 0, "", 0), []message.C2CMessage{b, a}; !reflect.DeepEqual(got, want) {
		t.Errorf("history\n got %+v\nwant %+v", got, want)
	}
}

func testC2CRoundTrip(t *testing.T, s Store, reopen func() Store) {
	from, to := "é🎉 from", "你好 to"
	var want []message.C2CMessage
	for i, v := range roundTripBodies {
		f, r := from, to
		if i%2 == 1 {
			f, r = r, f
		}
		m := message.C2CMessage{
			From: f, To: r, Seq: []uint32{0, 1 << 31, 4294967295, 7}[i], Random: []uint32{4294967295, 0, 1 << 31, 9}[i],
			Time: []int64{-1, 0, 1_700_000_000, 1 << 40}[i], Key: v.text + fmt.Sprint(i), ID: v.text + "id",
			Body: []byte(v.body), CloudCustomData: v.text, Recalled: i == 1,
		}
		want = append(want, mustAppendC2C(t, s, m, v.text, 0))
	}
	slices.Reverse(want)
	for range 2 {
		if got := c2cHistory(t, s, to, from, math.MinInt64, 0, "", 0); !reflect.DeepEqual(got, want) {
			t.Errorf("history\n got %+v\nwant %+v", got, want)
			for i := range min(len(got), len(want)) {
				if string(got[i].Body) != string(want[i].Body) {
					t.Errorf("body %d: got %q, want %q", i, got[i].Body, want[i].Body)
				}
			}
		}
		s = reopen()
	}
}
