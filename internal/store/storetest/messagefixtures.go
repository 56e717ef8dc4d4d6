package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/topic"
)

// msgCommunity creates a community whose own stream is new: NextMsgSeq 1,
// LastMsgTime 0.
func msgCommunity(t testing.TB, s Store, id string) group.Group {
	t.Helper()
	g := fullGroup(id, group.Community)
	g.Owner, g.SupportTopic, g.NextMsgSeq, g.LastMsgTime = "", true, 1, 0
	mustCreate(t, s, g)
	return g
}

// msgStreams creates the community @TGS#_a (msgCommunity) with the topic
// t, appends n messages at time 10 to each of their streams (the topic's and
// the group's own), sequences 1 to n, and returns the topic.
func msgStreams(t testing.TB, s Store, n int) topic.Topic {
	t.Helper()
	msgCommunity(t, s, "@TGS#_a")
	tp := fullTopic("@TGS#_a", "t")
	mustCreateTopic(t, s, tp, 0)
	for i := range n {
		mustAppend(t, s, msg(tp.GroupID, tp.ID, i, 10), "", 0, uint64(i+1))
		mustAppend(t, s, msg(tp.GroupID, "", i, 10), "", 0, uint64(i+1))
	}
	return tp
}

// roundTripBodies are message bodies, each with a text for the other
// fields, that a lossy encoding would change.
var roundTripBodies = []struct{ body, text string }{
	{`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"你好，世界 🎉"}}]`, "你好 🎉"},
	{`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"a\"b\\c\n\t\u0000\u2028<&>"}}]`, `a"b\c` + "\n\t<&>\u2028"},
	{"[ {\"MsgType\" : \"TIMCustomElem\",\n \"MsgContent\":{\"Data\":\"x\",\"Ext\":\"\\u00e9\"}} ]", "  spaced  "},
	{`[{"MsgType":"TIMFaceElem","MsgContent":{"Index":12345678901234567890,"Data":""}}]`, ""},
}

// msg returns a message of stream (groupID, topicID) from "alice" at time
// at, its Random and text made from n so that messages differ.
func msg(groupID, topicID string, n int, at int64) message.Message {
	return message.Message{
		GroupID: groupID, TopicID: topicID, From: "alice", Random: uint32(1000 + n), Time: at, Priority: "Normal",
		Body:            []byte(fmt.Sprintf(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"message %d"}}]`, n)),
		CloudCustomData: fmt.Sprint("ccd ", n),
	}
}

// mustAppend appends m with dedupeKey and dedupeSince and checks that it
// was stored (not a duplicate) as m with the next sequence wantSeq.
func mustAppend(t testing.TB, s Store, m message.Message, dedupeKey string, dedupeSince int64, wantSeq uint64) message.Message {
	t.Helper()
	got, dup, err := s.AppendGroupMessage(t.Context(), m, dedupeKey, dedupeSince)
	if err != nil || dup {
		t.Fatalf("AppendGroupMessage(%q, %q, key %q) = dup %v, %v", m.GroupID, m.TopicID, dedupeKey, dup, err)
	}
	m.Seq = wantSeq
	if !reflect.DeepEqual(got, m) {
		t.Errorf("AppendGroupMessage returned\n %+v\nwant\n %+v", got, m)
	}
	return got
}

// history returns GroupMessages(groupID, topicID, maxSeq, limit).
func history(t testing.TB, s Store, groupID, topicID string, maxSeq uint64, limit int) []message.Message {
	t.Helper()
	got, err := s.GroupMessages(t.Context(), groupID, topicID, maxSeq, limit)
	if err != nil {
		t.Fatalf("GroupMessages(%q, %q, %d, %d): %v", groupID, topicID, maxSeq, limit, err)
	}
	return got
}

// seqsOf returns the sequences of msgs in order, checking that each is of
// stream (groupID, topicID).
func seqsOf(t testing.TB, groupID, topicID string, msgs []message.Message) []uint64 {
	t.Helper()
	var seqs []uint64
	for _, m := range msgs {
		if m.GroupID != groupID || m.TopicID != topicID {
			t.Errorf("message %d is of stream (%q, %q), want (%q, %q)", m.Seq, m.GroupID, m.TopicID, groupID, topicID)
		}
		seqs = append(seqs, m.Seq)
	}
	return seqs
}

// wantHistory checks the sequences GroupMessages(groupID, topicID, maxSeq,
// limit) returns, in order.
func wantHistory(t testing.TB, s Store, groupID, topicID string, maxSeq uint64, limit int, want ...uint64) {
	t.Helper()
	got := seqsOf(t, groupID, topicID, history(t, s, groupID, topicID, maxSeq, limit))
	if !slices.Equal(got, want) {
		t.Errorf("GroupMessages(%q, %q, %d, %d) has seqs %v, want %v", groupID, topicID, maxSeq, limit, got, want)
	}
}

// wantStreamState checks NextMsgSeq and LastMsgTime of a group's own
// stream (topicID "") or of a topic.
func wantStreamState(t testing.TB, s Store, groupID, topicID string, next uint64, last int64) {
	t.Helper()
	var gotNext uint64
	var gotLast int64
	if topicID == "" {
		g, err := s.GetGroup(t.Context(), groupID)
		if err != nil {
			t.Fatalf("GetGroup(%q): %v", groupID, err)
		}
		gotNext, gotLast = g.NextMsgSeq, g.LastMsgTime
	} else {
		ts, err := s.GetTopics(t.Context(), groupID, []string{topicID})
		if err != nil || len(ts) != 1 {
			t.Fatalf("GetTopics(%q, %q) = %d topics, %v", groupID, topicID, len(ts), err)
		}
		gotNext, gotLast = ts[0].NextMsgSeq, ts[0].LastMsgTime
	}
	if gotNext != next || gotLast != last {
		t.Errorf("stream (%q, %q): NextMsgSeq %d, LastMsgTime %d; want %d, %d", groupID, topicID, gotNext, gotLast, next, last)
	}
}

// seqRange returns from, from-1, …, to (newest first), from >= to.
func seqRange(from, to uint64) []uint64 {
	var seqs []uint64
	for s := from; s >= to && s > 0; s-- {
		seqs = append(seqs, s)
	}
	return seqs
}
