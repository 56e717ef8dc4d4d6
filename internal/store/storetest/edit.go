package storetest

import (
	"reflect"
	"testing"

	"github.com/hearth-chat/hearth/internal/message"
)

var editCases = []testCase{
	{"a group message edit changes body and custom data in place and survives a reopen", testGroupEdit},
	{"a group message edit of a missing or recalled message changes nothing", testGroupEditRefused},
	{"a one-to-one edit changes the message with that sender, receiver and key only", testC2CEdit},
	{"a one-to-one edit of a missing or recalled message changes nothing", testC2CEditRefused},
}

func editGroup(t testing.TB, s Store, groupID, topicID string, seq uint64, e message.Edit) (message.Message, message.EditStatus) {
	t.Helper()
	m, st, err := s.EditGroupMessage(t.Context(), groupID, topicID, seq, e)
	if err != nil {
		t.Fatalf("EditGroupMessage(%q, %q, %d): %v", groupID, topicID, seq, err)
	}
	return m, st
}

func testGroupEdit(t *testing.T, s Store, reopen func() Store) {
	tp := msgStreams(t, s, 3)
	body := []byte(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"edited 你好 🎉"}}]`)
	custom := ""
	for _, tc := range []struct {
		name    string
		topicID string
		seq     uint64
		edit    message.Edit
		want    func(m *message.Message)
	}{
		{"body only keeps custom data", tp.ID, 2, message.Edit{Body: body, Time: 50},
			func(m *message.Message) { m.Body, m.EditTime = body, 50 }},
		{"custom data only keeps the body", "", 2, message.Edit{CloudCustomData: new("new ccd"), Time: 51},
			func(m *message.Message) { m.CloudCustomData, m.EditTime = "new ccd", 51 }},
		{"both, and custom data may become empty", "", 3, message.Edit{Body: body, CloudCustomData: &custom, Time: 52},
			func(m *message.Message) { m.Body, m.CloudCustomData, m.EditTime = body, "", 52 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := history(t, s, tp.GroupID, tc.topicID, tc.seq, 1)[0]
			want := before
			tc.want(&want)
			got, st := editGroup(t, s, tp.GroupID, tc.topicID, tc.seq, tc.edit)
			if st != message.Edited || !reflect.DeepEqual(got, want) {
				t.Fatalf("edit = %v\n %+v\nwant\n %+v", st, got, want)
			}
			if h := history(t, s, tp.GroupID, tc.topicID, tc.seq, 1)[0]; !reflect.DeepEqual(h, want) {
				t.Errorf("history after the edit\n %+v\nwant\n %+v", h, want)
			}
		})
	}
	// The other stream's message with the same sequence, and the
	// neighbours, are untouched; a second edit moves the time on.
	if m := history(t, s, tp.GroupID, tp.ID, 3, 1)[0]; m.EditTime != 0 || !reflect.DeepEqual(m.Body, msg(tp.GroupID, tp.ID, 2, 10).Body) {
		t.Errorf("topic message 3 changed: %+v", m)
	}
	if m := history(t, s, tp.GroupID, "", 1, 1)[0]; m.EditTime != 0 {
		t.Errorf("group message 1 changed: %+v", m)
	}
	editGroup(t, s, tp.GroupID, tp.ID, 2, message.Edit{Body: []byte(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"again"}}]`), Time: 60})
	s = reopen()
	got := history(t, s, tp.GroupID, tp.ID, 2, 1)[0]
	if got.EditTime != 60 || string(got.Body) != `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"again"}}]` || got.Seq != 2 || got.Time != 10 {
		t.Errorf("after reopen: %+v", got)
	}
	// A message appended after edits is not edited.
	m := mustAppend(t, s, msg(tp.GroupID, tp.ID, 9, 70), "", 0, 4)
	if m.EditTime != 0 {
		t.Errorf("appended message has EditTime %d", m.EditTime)
	}
}

func testGroupEditRefused(t *testing.T, s Store, _ func() Store) {
	tp := msgStreams(t, s, 2)
	if st, err := s.RecallGroupMessages(t.Context(), tp.GroupID, tp.ID, []uint64{1}); err != nil || st[0] != message.Recalled {
		t.Fatalf("recall: %v %v", st, err)
	}
	before := history(t, s, tp.GroupID, tp.ID, 0, 0)
	e := message.Edit{Body: []byte(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"x"}}]`), CloudCustomData: new("x"), Time: 99}
	for _, tc := range []struct {
		name             string
		groupID, topicID string
		seq              uint64
		want             message.EditStatus
	}{
		{"recalled", tp.GroupID, tp.ID, 1, message.EditRecalled},
		{"sequence past the newest", tp.GroupID, tp.ID, 3, message.EditNotFound},
		{"no such topic", tp.GroupID, "other", 2, message.EditNotFound},
		{"no such group", "@TGS#_none", "", 1, message.EditNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, st := editGroup(t, s, tc.groupID, tc.topicID, tc.seq, e); st != tc.want {
				t.Errorf("status %v, want %v", st, tc.want)
			}
		})
	}
	if after := history(t, s, tp.GroupID, tp.ID, 0, 0); !reflect.DeepEqual(after, before) {
		t.Errorf("a refused edit changed the stream:\n %+v\nwant\n %+v", after, before)
	}
}

func testC2CEdit(t *testing.T, s Store, reopen func() Store) {
	a := mustAppendC2C(t, s, c2c("alice", "bob", 1, 10), "", 0)
	b := mustAppendC2C(t, s, c2c("bob", "alice", 2, 11), "", 0)
	body := []byte(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"edited"}}]`)
	got, st, err := s.EditC2C(t.Context(), "alice", "bob", a.Key, message.Edit{Body: body, Time: 40})
	want := a
	want.Body, want.EditTime = body, 40
	if err != nil || st != message.Edited || !reflect.DeepEqual(got, want) {
		t.Fatalf("EditC2C = %v, %v\n %+v\nwant\n %+v", st, err, got, want)
	}
	got, st, err = s.EditC2C(t.Context(), "alice", "bob", a.Key, message.Edit{CloudCustomData: new("c2"), Time: 41})
	want.CloudCustomData, want.EditTime = "c2", 41
	if err != nil || st != message.Edited || !reflect.DeepEqual(got, want) {
		t.Fatalf("EditC2C custom = %v, %v\n %+v\nwant\n %+v", st, err, got, want)
	}
	for range 2 {
		if h := c2cHistory(t, s, "alice", "bob", 0, 0, "", 0); !reflect.DeepEqual(h, []message.C2CMessage{b, want}) {
			t.Errorf("history\n %+v\nwant\n %+v", h, []message.C2CMessage{b, want})
		}
		if m, found, err := s.C2CByKey(t.Context(), "alice", "bob", a.Key); err != nil || !found || !reflect.DeepEqual(m, want) {
			t.Errorf("C2CByKey = %v, %v, %+v", found, err, m)
		}
		s = reopen()
	}
}

func testC2CEditRefused(t *testing.T, s Store, _ func() Store) {
	a := mustAppendC2C(t, s, c2c("alice", "bob", 1, 10), "", 0)
	b := mustAppendC2C(t, s, c2c("alice", "bob", 2, 11), "", 0)
	if ok, err := s.RecallC2C(t.Context(), "alice", "bob", b.Key); err != nil || !ok {
		t.Fatalf("recall: %v %v", ok, err)
	}
	b.Recalled = true
	e := message.Edit{Body: []byte(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"x"}}]`), Time: 99}
	for _, tc := range []struct {
		name          string
		from, to, key string
		want          message.EditStatus
	}{
		{"recalled", "alice", "bob", b.Key, message.EditRecalled},
		{"the other direction", "bob", "alice", a.Key, message.EditNotFound},
		{"another receiver", "alice", "carol", a.Key, message.EditNotFound},
		{"no such key", "alice", "bob", "1_2_3", message.EditNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, st, err := s.EditC2C(t.Context(), tc.from, tc.to, tc.key, e); err != nil || st != tc.want {
				t.Errorf("status %v, %v; want %v", st, err, tc.want)
			}
		})
	}
	if _, found, err := s.C2CByKey(t.Context(), "bob", "alice", a.Key); err != nil || found {
		t.Errorf("C2CByKey the other direction = %v, %v", found, err)
	}
	if h := c2cHistory(t, s, "alice", "bob", 0, 0, "", 0); !reflect.DeepEqual(h, []message.C2CMessage{b, a}) {
		t.Errorf("a refused edit changed the conversation:\n %+v", h)
	}
}
