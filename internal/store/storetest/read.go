package storetest

import (
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/hearth-chat/hearth/internal/message"
)

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
