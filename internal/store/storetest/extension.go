package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/hearth-chat/hearth/internal/message"
)

// extensionCases cover message extensions: the compare-and-set of every
// key against its Seq, the message's sequence, the limit of live keys,
// paging from a StartSeq, and what goes with the message.
var extensionCases = []testCase{
	{"a message not enabled has no extension; a missing or recalled one is not found", testExtNotEnabled},
	{"set, delete and clear move the sequence; a stale Seq conflicts and writes nothing of that key", testExtCompareAndSet},
	{"concurrent writers racing on one Seq: exactly one wins", testExtRace},
	{"more live keys than the limit write nothing", testExtLimit},
	{"pages from a StartSeq in Seq order, deletions included, never splitting a Seq", testExtPaging},
	{"the extension of a one-to-one message; it survives a reopen", testExtC2C},
	{"a destroyed group takes its extensions with it", testExtGoesWithGroup},
}

// extGroupMsg creates the streams of msgStreams with 3 messages each and
// enables the extension of message 1 of the group's own stream.
func extGroupMsg(t testing.TB, s Store) message.ExtRef {
	t.Helper()
	msgStreams(t, s, 3)
	ref := message.ExtRef{GroupID: "@TGS#_a", Seq: 1}
	if err := s.EnableExtension(t.Context(), ref); err != nil {
		t.Fatalf("EnableExtension: %v", err)
	}
	if err := s.EnableExtension(t.Context(), ref); err != nil {
		t.Fatalf("EnableExtension again: %v", err)
	}
	return ref
}

func setExt(t testing.TB, s Store, ref message.ExtRef, op int, kvs ...message.KV) message.ExtResult {
	t.Helper()
	res, err := s.SetExtension(t.Context(), ref, message.ExtOp{Op: op, Keys: kvs}, message.MaxExtPerMessage)
	if err != nil {
		t.Fatalf("SetExtension(%d, %v): %v", op, kvs, err)
	}
	return res
}

func getExt(t testing.TB, s Store, ref message.ExtRef, start uint64, limit int) message.ExtPage {
	t.Helper()
	p, err := s.Extensions(t.Context(), ref, start, limit)
	if err != nil {
		t.Fatalf("Extensions(%d): %v", start, err)
	}
	return p
}

func kv(key, value string, seq uint64) message.KV {
	return message.KV{Key: key, Value: value, Seq: seq}
}

func testExtNotEnabled(t *testing.T, s Store, _ func() Store) {
	msgStreams(t, s, 2)
	ctx := t.Context()
	for _, c := range []struct {
		name string
		ref  message.ExtRef
		want error
	}{
		{"not enabled", message.ExtRef{GroupID: "@TGS#_a", Seq: 2}, message.ErrNoExtension},
		{"no such seq", message.ExtRef{GroupID: "@TGS#_a", Seq: 9}, message.ErrNoMessage},
		{"no such topic", message.ExtRef{GroupID: "@TGS#_a", TopicID: "nope", Seq: 1}, message.ErrNoMessage},
		{"no such c2c", message.ExtRef{From: "a", To: "b", Key: "1_2_3"}, message.ErrNoMessage},
	} {
		if _, err := s.SetExtension(ctx, c.ref, message.ExtOp{Op: message.ExtSet, Keys: []message.KV{kv("k", "v", 0)}}, 300); !errors.Is(err, c.want) {
			t.Errorf("%s: SetExtension = %v, want %v", c.name, err, c.want)
		}
		if _, err := s.Extensions(ctx, c.ref, 0, 10); !errors.Is(err, c.want) {
			t.Errorf("%s: Extensions = %v, want %v", c.name, err, c.want)
		}
	}
	if err := s.EnableExtension(ctx, message.ExtRef{GroupID: "@TGS#_a", Seq: 9}); !errors.Is(err, message.ErrNoMessage) {
		t.Errorf("EnableExtension of a missing message = %v, want ErrNoMessage", err)
	}
	ref := message.ExtRef{GroupID: "@TGS#_a", Seq: 1}
	if err := s.EnableExtension(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecallGroupMessages(ctx, "@TGS#_a", "", []uint64{1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetExtension(ctx, ref, message.ExtOp{Op: message.ExtSet, Keys: []message.KV{kv("k", "v", 0)}}, 300); !errors.Is(err, message.ErrNoMessage) {
		t.Errorf("recalled: SetExtension = %v, want ErrNoMessage", err)
	}
}

func testExtCompareAndSet(t *testing.T, s Store, _ func() Store) {
	ref := extGroupMsg(t, s)
	if p := getExt(t, s, ref, 0, 10); len(p.Keys) != 0 || p.LatestSeq != 0 || !p.Complete {
		t.Fatalf("new extension = %+v, want empty at 0", p)
	}
	r := setExt(t, s, ref, message.ExtSet, kv("a", "1", 0), kv("b", "2", 0))
	if want := (message.ExtResult{Keys: []message.KV{kv("a", "1", 1), kv("b", "2", 1)}, Conflict: []bool{false, false}, Seq: 1, Changed: true}); !reflect.DeepEqual(r, want) {
		t.Fatalf("first set = %+v, want %+v", r, want)
	}
	// a is at 1: Seq 0 conflicts and comes back as stored; c is new.
	r = setExt(t, s, ref, message.ExtSet, kv("a", "x", 0), kv("c", "3", 0))
	if want := (message.ExtResult{Keys: []message.KV{kv("a", "1", 1), kv("c", "3", 2)}, Conflict: []bool{true, false}, Seq: 2, Changed: true}); !reflect.DeepEqual(r, want) {
		t.Fatalf("partly stale set = %+v, want %+v", r, want)
	}
	// Everything stale: nothing written, the sequence stays.
	r = setExt(t, s, ref, message.ExtSet, kv("b", "y", 7))
	if r.Changed || r.Seq != 2 || !r.Conflict[0] || r.Keys[0] != kv("b", "2", 1) {
		t.Fatalf("stale set = %+v, want the conflict on b at 1, seq 2", r)
	}
	r = setExt(t, s, ref, message.ExtDelete, kv("a", "", 1))
	if want := (message.ExtResult{Keys: []message.KV{{Key: "a", Seq: 3, Deleted: true}}, Conflict: []bool{false}, Seq: 3, Changed: true}); !reflect.DeepEqual(r, want) {
		t.Fatalf("delete = %+v, want %+v", r, want)
	}
	// A deleted key is set again from 0 or from its tombstone's Seq.
	r = setExt(t, s, ref, message.ExtSet, kv("a", "again", 3))
	if r.Conflict[0] || r.Keys[0] != kv("a", "again", 4) {
		t.Fatalf("set after delete = %+v", r)
	}
	p := getExt(t, s, ref, 0, 10)
	if want := []message.KV{kv("b", "2", 1), kv("c", "3", 2), kv("a", "again", 4)}; !reflect.DeepEqual(p.Keys, want) || p.LatestSeq != 4 || p.ClearSeq != 0 {
		t.Fatalf("after the writes = %+v, want %v at 4", p, want)
	}
	r = setExt(t, s, ref, message.ExtClear)
	if r.Seq != 5 || !r.Changed {
		t.Fatalf("clear = %+v", r)
	}
	if p := getExt(t, s, ref, 0, 10); len(p.Keys) != 0 || p.LatestSeq != 5 || p.ClearSeq != 5 {
		t.Fatalf("after clear = %+v, want empty, latest 5, clear 5", p)
	}
	if r := setExt(t, s, ref, message.ExtSet, kv("b", "new", 0)); r.Conflict[0] || r.Keys[0] != kv("b", "new", 6) {
		t.Fatalf("set after clear = %+v", r)
	}
}

func testExtRace(t *testing.T, s Store, _ func() Store) {
	ref := extGroupMsg(t, s)
	const writers = 16
	var wg sync.WaitGroup
	results := make([]message.ExtResult, writers)
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			results[i], errs[i] = s.SetExtension(t.Context(), ref, message.ExtOp{Op: message.ExtSet,
				Keys: []message.KV{kv("vote", fmt.Sprint("writer ", i), 0)}}, message.MaxExtPerMessage)
		})
	}
	wg.Wait()
	winner := -1
	for i := range writers {
		if errs[i] != nil {
			t.Fatalf("writer %d: %v", i, errs[i])
		}
		if !results[i].Conflict[0] {
			if winner >= 0 {
				t.Fatalf("writers %d and %d both won", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatal("no writer won")
	}
	want := kv("vote", fmt.Sprint("writer ", winner), 1)
	for i := range writers {
		if results[i].Keys[0] != want {
			t.Errorf("writer %d saw %+v, want the winner's %+v", i, results[i].Keys[0], want)
		}
	}
	if p := getExt(t, s, ref, 0, 10); !reflect.DeepEqual(p.Keys, []message.KV{want}) || p.LatestSeq != 1 {
		t.Errorf("stored %+v, want only the winner's at 1", p)
	}
}

func testExtLimit(t *testing.T, s Store, _ func() Store) {
	ref := extGroupMsg(t, s)
	ctx := t.Context()
	op := message.ExtOp{Op: message.ExtSet, Keys: []message.KV{kv("a", "1", 0), kv("b", "2", 0), kv("c", "3", 0)}}
	if _, err := s.SetExtension(ctx, ref, op, 2); !errors.Is(err, message.ErrTooManyKeys) {
		t.Fatalf("3 keys over a limit of 2 = %v, want ErrTooManyKeys", err)
	}
	if p := getExt(t, s, ref, 0, 10); len(p.Keys) != 0 || p.LatestSeq != 0 {
		t.Fatalf("after a refused write = %+v, want nothing", p)
	}
	op.Keys = op.Keys[:2]
	if _, err := s.SetExtension(ctx, ref, op, 2); err != nil {
		t.Fatalf("2 keys at a limit of 2: %v", err)
	}
	// Deleting one makes room for another in the same write.
	op = message.ExtOp{Op: message.ExtDelete, Keys: []message.KV{kv("a", "", 1)}}
	if _, err := s.SetExtension(ctx, ref, op, 2); err != nil {
		t.Fatal(err)
	}
	op = message.ExtOp{Op: message.ExtSet, Keys: []message.KV{kv("c", "3", 0)}}
	if _, err := s.SetExtension(ctx, ref, op, 2); err != nil {
		t.Fatalf("a key in the room of a deleted one: %v", err)
	}
}

func testExtPaging(t *testing.T, s Store, _ func() Store) {
	ref := extGroupMsg(t, s)
	// Seq 1: k00..k04, seq 2: k05..k09, seq 3: delete k00.
	for w := range 2 {
		var kvs []message.KV
		for i := range 5 {
			kvs = append(kvs, kv(fmt.Sprintf("k%02d", w*5+i), "v", 0))
		}
		setExt(t, s, ref, message.ExtSet, kvs...)
	}
	setExt(t, s, ref, message.ExtDelete, kv("k00", "", 1))
	// A page of 7 would split seq 2: it stops after seq 1.
	p := getExt(t, s, ref, 0, 7)
	if len(p.Keys) != 4 || p.Complete || p.Keys[0].Key != "k01" || p.Keys[3].Seq != 1 {
		t.Fatalf("first page = %+v, want k01..k04 of seq 1, incomplete", p)
	}
	p = getExt(t, s, ref, 2, 7)
	if len(p.Keys) != 6 || !p.Complete || p.Keys[5] != (message.KV{Key: "k00", Seq: 3, Deleted: true}) || p.LatestSeq != 3 {
		t.Fatalf("from seq 2 = %+v, want seq 2's five and the deletion of k00", p)
	}
	if p := getExt(t, s, ref, 4, 7); len(p.Keys) != 0 || !p.Complete {
		t.Fatalf("past the latest = %+v, want nothing, complete", p)
	}
}

func testExtC2C(t *testing.T, s Store, reopen func() Store) {
	m := mustAppendC2C(t, s, c2c("amy", "bob", 1, 100), "", 0)
	ref := message.ExtRef{From: m.From, To: m.To, Key: m.Key}
	if _, err := s.Extensions(t.Context(), message.ExtRef{From: "bob", To: "amy", Key: m.Key}, 0, 10); !errors.Is(err, message.ErrNoMessage) {
		t.Errorf("the other direction = %v, want ErrNoMessage", err)
	}
	if err := s.EnableExtension(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	setExt(t, s, ref, message.ExtSet, kv("👍", "amy,bob", 0))
	s = reopen()
	if p := getExt(t, s, ref, 0, 10); !reflect.DeepEqual(p.Keys, []message.KV{kv("👍", "amy,bob", 1)}) || p.LatestSeq != 1 {
		t.Errorf("after reopen = %+v", p)
	}
}

func testExtGoesWithGroup(t *testing.T, s Store, _ func() Store) {
	ref := extGroupMsg(t, s)
	setExt(t, s, ref, message.ExtSet, kv("a", "1", 0))
	if err := s.DeleteGroup(t.Context(), ref.GroupID); err != nil {
		t.Fatal(err)
	}
	// The same ID again: its message 1 is a new message without extension.
	msgStreams(t, s, 1)
	if _, err := s.Extensions(t.Context(), ref, 0, 10); !errors.Is(err, message.ErrNoExtension) {
		t.Errorf("a new group's message = %v, want ErrNoExtension", err)
	}
}
