package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/hearth-chat/hearth/internal/message"
)

// messageCases cover group and topic messages: sequences, de-duplication,
// history, recall and how messages end with their stream.
var messageCases = []testCase{
	{"sequences are 1..N per stream, the group's and each topic's apart; NextMsgSeq and LastMsgTime move on", testMessageSequences},
	{"a stream continues from its NextMsgSeq", func(t *testing.T, s Store, _ func() Store) {
		mustCommunity(t, s, "@TGS#_a") // NextMsgSeq 7
		tp := fullTopic("@TGS#_a", "t")
		tp.NextMsgSeq = 100
		mustCreateTopic(t, s, tp, 0)
		mustAppend(t, s, msg("@TGS#_a", "", 1, 2_000_000_000), "", 0, 7)
		mustAppend(t, s, msg("@TGS#_a", tp.ID, 2, 2_000_000_001), "", 0, 100)
		wantStreamState(t, s, "@TGS#_a", "", 8, 2_000_000_000)
		wantStreamState(t, s, "@TGS#_a", tp.ID, 101, 2_000_000_001)
	}},
	{"concurrent appends to one topic get every sequence once, without gaps", testConcurrentAppends},
	{"concurrent retries of one send store it once", testConcurrentRetries},
	{"a retry within the window returns the original and takes no sequence; outside it, or without a key, a new one is stored", testDedupe},
	{"append to a group or topic that does not exist is ErrNoStream and stores nothing", func(t *testing.T, s Store, _ func() Store) {
		msgCommunity(t, s, "@TGS#_a")
		gone := fullTopic("@TGS#_a", "gone")
		mustCreateTopic(t, s, gone, 0)
		if _, err := s.DeleteTopics(t.Context(), "@TGS#_a", []string{gone.ID}); err != nil {
			t.Fatal(err)
		}
		other := fullTopic("@TGS#_b", "t") // a topic ID of another group
		msgCommunity(t, s, "@TGS#_b")
		mustCreateTopic(t, s, other, 0)
		for _, tc := range []struct{ name, groupID, topicID string }{
			{"missing group", "@TGS#_none", ""},
			{"topic of a missing group", "@TGS#_none", gone.ID},
			{"missing topic", "@TGS#_a", "@TGS#_a@TOPIC#_none"},
			{"deleted topic", "@TGS#_a", gone.ID},
			{"topic of another group", "@TGS#_a", other.ID},
		} {
			for _, key := range []string{"", "key"} {
				_, dup, err := s.AppendGroupMessage(t.Context(), msg(tc.groupID, tc.topicID, 1, 5), key, 0)
				if !errors.Is(err, message.ErrNoStream) || dup {
					t.Errorf("%s, key %q: AppendGroupMessage = dup %v, %v; want ErrNoStream", tc.name, key, dup, err)
				}
				wantHistory(t, s, tc.groupID, tc.topicID, 0, 0)
			}
		}
		wantStreamState(t, s, "@TGS#_a", "", 1, 0)
		wantStreamState(t, s, "@TGS#_b", other.ID, 1, other.LastMsgTime)
	}},
	{"history is newest first, up to maxSeq and limit", testHistory},
	{"recall reports per sequence recalled, not found or already recalled", testRecall},
	{"message values round-trip byte for byte", testMessageRoundTrip},
	{"destroying a topic deletes its messages; a topic re-created with its ID starts empty", func(t *testing.T, s Store, _ func() Store) {
		msgCommunity(t, s, "@TGS#_a")
		a, b := fullTopic("@TGS#_a", "a"), fullTopic("@TGS#_a", "b")
		mustCreateTopic(t, s, a, 0)
		mustCreateTopic(t, s, b, 0)
		for i := range 3 {
			for j, stream := range []string{"", a.ID, b.ID} {
				mustAppend(t, s, msg("@TGS#_a", stream, 3*i+j, 10), fmt.Sprint("k", i), 0, uint64(i+1))
			}
		}
		if got, err := s.DeleteTopics(t.Context(), "@TGS#_a", []string{a.ID}); err != nil || len(got) != 1 {
			t.Fatalf("DeleteTopics = %q, %v", got, err)
		}
		wantHistory(t, s, "@TGS#_a", a.ID, 0, 0)
		wantHistory(t, s, "@TGS#_a", b.ID, 0, 0, 3, 2, 1)
		wantHistory(t, s, "@TGS#_a", "", 0, 0, 3, 2, 1)
		mustCreateTopic(t, s, a, 0)
		wantHistory(t, s, "@TGS#_a", a.ID, 0, 0)
		// The old messages' keys are gone too: the same send is new again.
		mustAppend(t, s, msg("@TGS#_a", a.ID, 1, 10), "k0", 0, 1)
		wantHistory(t, s, "@TGS#_a", a.ID, 0, 0, 1)
	}},
	{"destroying the group deletes all its messages", func(t *testing.T, s Store, _ func() Store) {
		msgCommunity(t, s, "@TGS#_a")
		msgCommunity(t, s, "@TGS#_b")
		a := fullTopic("@TGS#_a", "a")
		mustCreateTopic(t, s, a, 0)
		for i := range 2 {
			mustAppend(t, s, msg("@TGS#_a", "", i, 10), "", 0, uint64(i+1))
			mustAppend(t, s, msg("@TGS#_a", a.ID, i, 10), "", 0, uint64(i+1))
			mustAppend(t, s, msg("@TGS#_b", "", i, 10), "", 0, uint64(i+1))
		}
		if err := s.DeleteGroup(t.Context(), "@TGS#_a"); err != nil {
			t.Fatal(err)
		}
		wantHistory(t, s, "@TGS#_a", "", 0, 0)
		wantHistory(t, s, "@TGS#_a", a.ID, 0, 0)
		wantHistory(t, s, "@TGS#_b", "", 0, 0, 2, 1)
		msgCommunity(t, s, "@TGS#_a")
		mustCreateTopic(t, s, a, 0)
		wantHistory(t, s, "@TGS#_a", "", 0, 0)
		wantHistory(t, s, "@TGS#_a", a.ID, 0, 0)
		mustAppend(t, s, msg("@TGS#_a", a.ID, 0, 10), "", 0, 1)
	}},
}

// testMessageSequences interleaves appends to a group's own stream and two
// of its topics, and to another group, and checks them also after
// reopening.
func testMessageSequences(t *testing.T, s Store, reopen func() Store) {
	msgCommunity(t, s, "@TGS#_a")
	msgCommunity(t, s, "@TGS#_b")
	a, b := fullTopic("@TGS#_a", "a"), fullTopic("@TGS#_a", "b")
	mustCreateTopic(t, s, a, 0)
	mustCreateTopic(t, s, b, 0)
	streams := []struct{ groupID, topicID string }{{"@TGS#_a", ""}, {"@TGS#_a", a.ID}, {"@TGS#_a", b.ID}, {"@TGS#_b", ""}}
	counts := make([]uint64, len(streams))
	for i := range 12 {
		k := []int{0, 1, 0, 2, 1, 3, 0}[i%7] // uneven, so that a shared counter would show
		st := streams[k]
		counts[k]++
		mustAppend(t, s, msg(st.groupID, st.topicID, i, int64(100+i)), fmt.Sprint("key", i), 0, counts[k])
		wantStreamState(t, s, st.groupID, st.topicID, counts[k]+1, int64(100+i))
	}
	for range 2 {
		for k, st := range streams {
			wantHistory(t, s, st.groupID, st.topicID, 0, 0, seqRange(counts[k], 1)...)
		}
		s = reopen()
	}
	mustAppend(t, s, msg("@TGS#_a", a.ID, 99, 500), "", 0, counts[1]+1) // and on after reopening
}

// testConcurrentAppends has senders append to one topic at once, half of
// them with de-duplication keys (all distinct), and checks that the
// sequences are exactly 1..N.
func testConcurrentAppends(t *testing.T, s Store, _ func() Store) {
	const senders, each = 8, 25
	msgCommunity(t, s, "@TGS#_a")
	tp := fullTopic("@TGS#_a", "t")
	mustCreateTopic(t, s, tp, 0)
	seqs := make([][]uint64, senders)
	var wg sync.WaitGroup
	for i := range senders {
		wg.Go(func() {
			for j := range each {
				n := i*each + j
				key := ""
				if i%2 == 1 {
					key = fmt.Sprint("key", n)
				}
				got, dup, err := s.AppendGroupMessage(t.Context(), msg(tp.GroupID, tp.ID, n, 1000), key, 0)
				if err != nil || dup {
					t.Errorf("sender %d: AppendGroupMessage = dup %v, %v", i, dup, err)
					return
				}
				if got.Random != uint32(1000+n) {
					t.Errorf("sender %d: stored message %d has Random %d", i, n, got.Random)
				}
				seqs[i] = append(seqs[i], got.Seq)
			}
		})
	}
	wg.Wait()
	var all []uint64
	for i, ss := range seqs {
		if !slices.IsSorted(ss) {
			t.Errorf("sender %d got sequences out of order: %v", i, ss)
		}
		all = append(all, ss...)
	}
	slices.Sort(all)
	if want := slices.Sorted(slices.Values(seqRange(senders*each, 1))); !slices.Equal(all, want) {
		t.Errorf("sequences given: %v, want 1..%d each once", all, senders*each)
	}
	msgs := history(t, s, tp.GroupID, tp.ID, 0, 0)
	if got := seqsOf(t, tp.GroupID, tp.ID, msgs); !slices.Equal(got, seqRange(senders*each, 1)) {
		t.Errorf("history has seqs %v, want %d..1", got, senders*each)
	}
	randoms := map[uint32]bool{}
	for _, m := range msgs {
		randoms[m.Random] = true
	}
	if len(randoms) != senders*each {
		t.Errorf("history holds %d distinct messages, want %d", len(randoms), senders*each)
	}
	wantStreamState(t, s, tp.GroupID, tp.ID, senders*each+1, 1000)
	wantHistory(t, s, tp.GroupID, "", 0, 0) // the group's own stream took none
}

// testConcurrentRetries sends one message with one key from several
// senders at once, in a topic and in the group's own stream.
func testConcurrentRetries(t *testing.T, s Store, _ func() Store) {
	const senders = 8
	msgCommunity(t, s, "@TGS#_a")
	tp := fullTopic("@TGS#_a", "t")
	mustCreateTopic(t, s, tp, 0)
	for _, stream := range []string{"", tp.ID} {
		got := make([]message.Message, senders)
		dups := make([]bool, senders)
		var wg sync.WaitGroup
		for i := range senders {
			wg.Go(func() {
				var err error
				got[i], dups[i], err = s.AppendGroupMessage(t.Context(), msg("@TGS#_a", stream, 1, 50), "same", 0)
				if err != nil {
					t.Errorf("sender %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if n := len(slices.DeleteFunc(slices.Clone(dups), func(d bool) bool { return d })); n != 1 {
			t.Errorf("stream %q: %d senders stored the message, want 1", stream, n)
		}
		for i := range got {
			if got[i].Seq != 1 || !reflect.DeepEqual(got[i], got[0]) {
				t.Errorf("stream %q: sender %d got %+v, want seq 1 as sender 0 got", stream, i, got[i])
			}
		}
		wantHistory(t, s, "@TGS#_a", stream, 0, 0, 1)
		wantStreamState(t, s, "@TGS#_a", stream, 2, 50)
	}
}

// testDedupe walks through the de-duplication rules on one topic.
func testDedupe(t *testing.T, s Store, _ func() Store) {
	msgCommunity(t, s, "@TGS#_a")
	tp := fullTopic("@TGS#_a", "t")
	mustCreateTopic(t, s, tp, 0)
	first := mustAppend(t, s, msg(tp.GroupID, tp.ID, 1, 1000), "k1", 700, 1)
	retry := func(name string, m message.Message, key string, since int64, wantDup bool, wantSeq uint64) {
		t.Helper()
		got, dup, err := s.AppendGroupMessage(t.Context(), m, key, since)
		if err != nil || dup != wantDup || got.Seq != wantSeq {
			t.Errorf("%s: AppendGroupMessage = seq %d, dup %v, %v; want seq %d, dup %v", name, got.Seq, dup, err, wantSeq, wantDup)
		}
		if wantDup && !reflect.DeepEqual(got, first) {
			t.Errorf("%s: duplicate returned\n %+v\nwant the original\n %+v", name, got, first)
		}
	}
	// A retry carries a later time (and here other content): the original
	// is returned as stored.
	retry("within the window", msg(tp.GroupID, tp.ID, 2, 1200), "k1", 900, true, 1)
	retry("at the window's edge", msg(tp.GroupID, tp.ID, 2, 1300), "k1", 1000, true, 1)
	wantStreamState(t, s, tp.GroupID, tp.ID, 2, 1000)
	retry("another key", msg(tp.GroupID, tp.ID, 3, 1400), "k2", 900, false, 2)
	retry("outside the window", msg(tp.GroupID, tp.ID, 4, 1500), "k1", 1001, false, 3)
	retry("no key", msg(tp.GroupID, tp.ID, 5, 1600), "", 0, false, 4)
	retry("no key again", msg(tp.GroupID, tp.ID, 5, 1600), "", 0, false, 5)
	// Keys are per stream.
	mustAppend(t, s, msg(tp.GroupID, "", 6, 1700), "k1", 0, 1)
	wantHistory(t, s, tp.GroupID, tp.ID, 0, 0, 5, 4, 3, 2, 1)
	wantStreamState(t, s, tp.GroupID, tp.ID, 6, 1600)
}

// testHistory pages through two streams of ten messages each.
func testHistory(t *testing.T, s Store, _ func() Store) {
	tp := msgStreams(t, s, 10)
	for _, stream := range []string{tp.ID, ""} {
		for _, tc := range []struct {
			maxSeq uint64
			limit  int
			want   []uint64
		}{
			{0, 0, seqRange(10, 1)},
			{0, 3, []uint64{10, 9, 8}},
			{5, 3, []uint64{5, 4, 3}},
			{2, 10, []uint64{2, 1}},
			{100, 2, []uint64{10, 9}},
			{1 << 63, 1, []uint64{10}},
			{10, 10, seqRange(10, 1)},
			{1, 1, []uint64{1}},
		} {
			wantHistory(t, s, tp.GroupID, stream, tc.maxSeq, tc.limit, tc.want...)
		}
	}
	wantHistory(t, s, tp.GroupID, "@TGS#_a@TOPIC#_none", 0, 0)
	wantHistory(t, s, "@TGS#_none", "", 0, 0)
}

// testRecall recalls in a topic whose group's own stream has the same
// sequences.
func testRecall(t *testing.T, s Store, _ func() Store) {
	tp := msgStreams(t, s, 5)
	recall := func(groupID, topicID string, seqs []uint64, want ...message.RecallStatus) {
		t.Helper()
		got, err := s.RecallGroupMessages(t.Context(), groupID, topicID, seqs)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("RecallGroupMessages(%q, %q, %v) = %v, %v; want %v", groupID, topicID, seqs, got, err, want)
		}
	}
	const ok, none, again = message.Recalled, message.RecallNotFound, message.AlreadyRecalled
	recall(tp.GroupID, tp.ID, []uint64{3, 99, 3, 5, 0}, ok, none, again, ok, none)
	recall(tp.GroupID, tp.ID, []uint64{5, 1}, again, ok)
	recall(tp.GroupID, tp.ID, nil)
	recall(tp.GroupID, "@TGS#_a@TOPIC#_none", []uint64{1}, none)
	recall("@TGS#_none", "", []uint64{1}, none)
	recalled := func(topicID string) []uint64 {
		var seqs []uint64
		for _, m := range history(t, s, tp.GroupID, topicID, 0, 0) {
			if m.Recalled {
				seqs = append(seqs, m.Seq)
			}
		}
		return seqs
	}
	if got := recalled(tp.ID); !slices.Equal(got, []uint64{5, 3, 1}) {
		t.Errorf("recalled in the topic: %v, want [5 3 1]", got)
	}
	if got := recalled(""); len(got) != 0 {
		t.Errorf("recalled in the group's own stream: %v, want none", got)
	}
	recall(tp.GroupID, "", []uint64{2}, ok)
	wantHistory(t, s, tp.GroupID, tp.ID, 0, 0, 5, 4, 3, 2, 1) // recalled ones stay in history
}

// testMessageRoundTrip stores values that a lossy encoding would change.
func testMessageRoundTrip(t *testing.T, s Store, reopen func() Store) {
	msgCommunity(t, s, "@TGS#_a")
	tp := fullTopic("@TGS#_a", "é🎉")
	mustCreateTopic(t, s, tp, 0)
	var want []message.Message
	for i, v := range roundTripBodies {
		m := message.Message{
			GroupID: tp.GroupID, TopicID: tp.ID, From: v.text + "from", Random: []uint32{0, 1 << 31, 4294967295, 7}[i],
			Time: []int64{-1, 0, 1 << 40, 1_700_000_000}[i], Priority: v.text, Body: []byte(v.body),
			CloudCustomData: v.text, Recalled: i == 1, System: i%2 == 0,
		}
		want = append(want, mustAppend(t, s, m, v.text, 0, uint64(i+1)))
	}
	slices.Reverse(want)
	for range 2 {
		if got := history(t, s, tp.GroupID, tp.ID, 0, 0); !reflect.DeepEqual(got, want) {
			t.Errorf("history\n got %+v\nwant %+v", got, want)
			for i := range min(len(got), len(want)) {
				if string(got[i].Body) != string(want[i].Body) {
					t.Errorf("body %d: got %q, want %q", got[i].Seq, got[i].Body, want[i].Body)
				}
			}
		}
		s = reopen()
	}
}

// readCases cover read positions: the streams of a group with their last
// sequences, the monotonic raise under concurrency, the sender's own
// position, positions of an earlier membership, topics deleted, and the
// one-to-one read times and unread counts.
var readCases = []testCase{
	{"StreamReads lists the group's stream then its topics in creation order, with last seq, time and no position", func(t *testing.T, s Store, _ func() Store) {
		tp := msgStreams(t, s, 3) // @TGS#_a and its topic t, 3 messages each at time 10
		other := fullTopic("@TGS#_a", "u")
		mustCreateTopic(t, s, other, 0)
		got := streamReads(t, s, "bob", "@TGS#_a", "")
		want := []message.StoredRead{{LastSeq: 3, LastMsgTime: 10}, {TopicID: tp.ID, LastSeq: 3, LastMsgTime: 10},
			{TopicID: other.ID, LastSeq: 0, LastMsgTime: other.LastMsgTime}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("StreamReads = %+v\nwant %+v", got, want)
		}
		if got := streamReads(t, s, "bob", "@TGS#_a", tp.ID); !reflect.DeepEqual(got, want[1:2]) {
			t.Errorf("StreamReads of one topic = %+v, want %+v", got, want[1:2])
		}
		for _, c := range []struct{ name, groupID, topicID string }{
			{"missing group", "@TGS#_none", ""}, {"missing topic", "@TGS#_a", "@TGS#_a@TOPIC#_none"},
		} {
			if _, err := s.StreamReads(t.Context(), "bob", c.groupID, c.topicID); !errors.Is(err, message.ErrNoStream) {
				t.Errorf("%s: StreamReads = %v, want ErrNoStream", c.name, err)
			}
		}
	}},
	{"a sender has read its own message; other users have no position", func(t *testing.T, s Store, reopen func() Store) {
		tp := msgStreams(t, s, 2) // from alice
		m := msg("@TGS#_a", tp.ID, 3, 20)
		m.From = "bob"
		mustAppend(t, s, m, "", 0, 3)
		s = reopen()
		got := streamReads(t, s, "bob", "@TGS#_a", "")
		if got[0].HasRead || !got[1].HasRead || got[1].ReadSeq != 3 || got[1].ReadTime != 20 {
			t.Errorf("bob's positions %+v: want none in the group's stream, 3 at 20 in the topic", got)
		}
		if got := streamReads(t, s, "alice", "@TGS#_a", ""); got[0].ReadSeq != 2 || got[1].ReadSeq != 2 {
			t.Errorf("alice's positions %+v: want 2 in both streams", got)
		}
		if got := streamReads(t, s, "carol", "@TGS#_a", ""); got[0].HasRead || got[1].HasRead {
			t.Errorf("carol's positions %+v: want none", got)
		}
	}},
	{"RaiseRead only moves forward, except over a position set before since; SetRead sets either way; both survive a reopen", func(t *testing.T, s Store, reopen func() Store) {
		tp := msgStreams(t, s, 9)
		ctx := t.Context()
		for _, c := range []struct {
			name       string
			seq        uint64
			at, since  int64
			want       uint64
			wantTime   int64
			setInstead bool
		}{
			{"first", 4, 100, 50, 4, 100, false},
			{"higher", 6, 101, 50, 6, 101, false},
			{"lower stays", 5, 102, 50, 6, 101, false},
			{"lower over an earlier membership's", 2, 200, 150, 2, 200, false},
			{"set lower", 1, 201, 0, 1, 201, true},
			{"set higher", 8, 202, 0, 8, 202, true},
		} {
			if c.setInstead {
				if err := s.SetRead(ctx, "bob", "@TGS#_a", tp.ID, c.seq, c.at); err != nil {
					t.Fatalf("%s: SetRead: %v", c.name, err)
				}
			} else {
				got, err := s.RaiseRead(ctx, "bob", "@TGS#_a", tp.ID, c.seq, c.at, c.since)
				if err != nil || got.ReadSeq != c.want || got.ReadTime != c.wantTime || !got.HasRead {
					t.Fatalf("%s: RaiseRead = %+v, %v; want %d at %d", c.name, got, err, c.want, c.wantTime)
				}
			}
			s = reopen()
			if got := streamReads(t, s, "bob", "@TGS#_a", tp.ID)[0]; got.ReadSeq != c.want || got.ReadTime != c.wantTime {
				t.Fatalf("%s: stored %+v, want %d at %d", c.name, got, c.want, c.wantTime)
			}
		}
		if got := streamReads(t, s, "bob", "@TGS#_a", "")[0]; got.HasRead {
			t.Errorf("the group's own stream has bob's position %+v; want none", got)
		}
		if _, err := s.RaiseRead(ctx, "bob", "@TGS#_none", "", 1, 1, 0); !errors.Is(err, message.ErrNoStream) {
			t.Errorf("RaiseRead in a missing group = %v, want ErrNoStream", err)
		}
		if err := s.SetRead(ctx, "bob", "@TGS#_none", "", 1, 1); !errors.Is(err, message.ErrNoStream) {
			t.Errorf("SetRead in a missing group = %v, want ErrNoStream", err)
		}
	}},
	{"concurrent raises from several devices keep the highest", func(t *testing.T, s Store, _ func() Store) {
		tp := msgStreams(t, s, 40)
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := range 40 {
			wg.Go(func() {
				if _, err := s.RaiseRead(t.Context(), "bob", "@TGS#_a", tp.ID, uint64(40-i), 100, 0); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if got := streamReads(t, s, "bob", "@TGS#_a", tp.ID)[0]; got.ReadSeq != 40 {
			t.Errorf("after concurrent raises the position is %d, want 40", got.ReadSeq)
		}
	}},
	{"SeqBefore is the newest message sent before a time", func(t *testing.T, s Store, _ func() Store) {
		msgCommunity(t, s, "@TGS#_a")
		for i, at := range []int64{10, 20, 20, 30} {
			mustAppend(t, s, msg("@TGS#_a", "", i, at), "", 0, uint64(i+1))
		}
		for _, c := range []struct {
			t    int64
			want uint64
		}{{5, 0}, {10, 0}, {11, 1}, {20, 1}, {21, 3}, {31, 4}} {
			got, err := s.SeqBefore(t.Context(), "@TGS#_a", "", c.t)
			if err != nil || got != c.want {
				t.Errorf("SeqBefore(%d) = %d, %v; want %d", c.t, got, err, c.want)
			}
		}
	}},
	{"positions in a destroyed topic are gone; a topic re-created with its ID starts without", func(t *testing.T, s Store, _ func() Store) {
		tp := msgStreams(t, s, 3)
		if _, err := s.RaiseRead(t.Context(), "bob", "@TGS#_a", tp.ID, 3, 100, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeleteTopics(t.Context(), "@TGS#_a", []string{tp.ID}); err != nil {
			t.Fatal(err)
		}
		mustCreateTopic(t, s, tp, 0)
		if got := streamReads(t, s, "bob", "@TGS#_a", tp.ID)[0]; got.HasRead {
			t.Errorf("the re-created topic has bob's old position %+v", got)
		}
	}},
	{"one-to-one: unread counts per sender from the read time on, recalled ones left out; the read time only moves forward", func(t *testing.T, s Store, reopen func() Store) {
		mustAccounts(t, s, "alice", "bob", "carol")
		for i, at := range []int64{10, 20, 30} {
			mustAppendC2C(t, s, c2c("alice", "bob", i, at), "", 0)
		}
		mustAppendC2C(t, s, c2c("carol", "bob", 5, 15), "", 0)
		mustAppendC2C(t, s, c2c("bob", "alice", 6, 16), "", 0) // bob's own: never bob's unread
		recalled := mustAppendC2C(t, s, c2c("carol", "bob", 7, 40), "", 0)
		if ok, err := s.RecallC2C(t.Context(), "carol", "bob", recalled.Key); err != nil || !ok {
			t.Fatalf("RecallC2C = %v, %v", ok, err)
		}
		wantUnread := func(step string, peers []string, want map[string]uint64) {
			t.Helper()
			got, err := s.C2CUnread(t.Context(), "bob", peers)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s: C2CUnread(bob, %q) = %v, %v; want %v", step, peers, got, err, want)
			}
		}
		wantUnread("none read", nil, map[string]uint64{"alice": 3, "carol": 1})
		wantUnread("none read, asked", []string{"alice", "nobody"}, map[string]uint64{"alice": 3})
		for _, c := range []struct {
			t, want int64
		}{{20, 20}, {15, 20}, {30, 30}} {
			got, err := s.RaiseC2CRead(t.Context(), "bob", "alice", c.t)
			if err != nil || got != c.want {
				t.Fatalf("RaiseC2CRead(%d) = %d, %v; want %d", c.t, got, err, c.want)
			}
		}
		s = reopen()
		wantUnread("alice read to 30", nil, map[string]uint64{"carol": 1})
		if got, err := s.C2CUnread(t.Context(), "alice", nil); err != nil || !reflect.DeepEqual(got, map[string]uint64{"bob": 1}) {
			t.Errorf("C2CUnread(alice) = %v, %v; want bob 1", got, err)
		}
		wantUnread("no peers asked", []string{}, map[string]uint64{})
	}},
}

// streamReads returns StreamReads(user, groupID, topicID), failing t on error.
func streamReads(t testing.TB, s Store, user, groupID, topicID string) []message.StoredRead {
	t.Helper()
	got, err := s.StreamReads(t.Context(), user, groupID, topicID)
	if err != nil {
		t.Fatalf("StreamReads(%q, %q, %q): %v", user, groupID, topicID, err)
	}
	return got
}
