package storetest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/hearth-chat/hearth/internal/topic"
)

var topicCases = []testCase{
	{"create then get returns every field, also after reopening", func(t *testing.T, s Store, reopen func() Store) {
		mustCommunity(t, s, "@TGS#_a")
		a, b := fullTopic("@TGS#_a", "a"), fullTopic("@TGS#_a", "b")
		b.Name, b.FaceURL, b.Notification, b.Introduction, b.CustomString, b.Creator = "b", "", "", "", "", ""
		b.MuteAllMember, b.DefaultPermission, b.LastMsgTime, b.NextMsgSeq = false, 0, 0, 1
		mustCreateTopic(t, s, a, 0)
		mustCreateTopic(t, s, b, 0)
		for range 2 {
			wantTopics(t, s, "@TGS#_a", nil, a, b)
			wantTopics(t, s, "@TGS#_a", []string{b.ID}, b)
			s = reopen()
		}
	}},
	{"get all is in creation order; get by IDs is in the order asked, each once, without missing ones", testGetTopics},
	{"create with a taken ID is ErrExists and changes nothing; another group may use the ID", func(t *testing.T, s Store, _ func() Store) {
		mustCommunity(t, s, "@TGS#_a")
		mustCommunity(t, s, "@TGS#_b")
		tp := fullTopic("@TGS#_a", "x")
		mustCreateTopic(t, s, tp, 0)
		again := tp
		again.Name, again.Creator = "other", "bob"
		if err := s.CreateTopic(t.Context(), again, 0); !errors.Is(err, topic.ErrExists) {
			t.Fatalf("CreateTopic(taken ID) = %v, want ErrExists", err)
		}
		wantTopics(t, s, tp.GroupID, nil, tp)
		again.GroupID = "@TGS#_b" // the same ID, keyed by another group
		mustCreateTopic(t, s, again, 0)
		wantTopics(t, s, "@TGS#_b", nil, again)
		wantTopics(t, s, tp.GroupID, []string{tp.ID}, tp)
	}},
	{"create up to the limit: exactly at it succeeds, one over is ErrTooMany and writes nothing", testTopicLimit},
	{"concurrent creates never exceed the limit", testConcurrentTopicCreates},
	{"concurrent creates of one ID: one succeeds, the others are ErrExists", func(t *testing.T, s Store, _ func() Store) {
		mustCommunity(t, s, "@TGS#_a")
		const n = 6
		wantOneCreate(t, n, topic.ErrExists, func(i int) error {
			tp := fullTopic("@TGS#_a", "race")
			tp.Name = fmt.Sprint("creator ", i)
			return s.CreateTopic(t.Context(), tp, 0)
		})
		wantTopicIDs(t, s, "@TGS#_a", nil, fullTopic("@TGS#_a", "race").ID)
	}},
	{"create in a group that does not exist is ErrNoGroup", func(t *testing.T, s Store, _ func() Store) {
		if err := s.CreateTopic(t.Context(), fullTopic("@TGS#_none", "a"), 10); !errors.Is(err, topic.ErrNoGroup) {
			t.Errorf("CreateTopic(unknown group) = %v, want ErrNoGroup", err)
		}
		mustCommunity(t, s, "@TGS#_gone")
		if err := s.DeleteGroup(t.Context(), "@TGS#_gone"); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateTopic(t.Context(), fullTopic("@TGS#_gone", "a"), 0); !errors.Is(err, topic.ErrNoGroup) {
			t.Errorf("CreateTopic(deleted group) = %v, want ErrNoGroup", err)
		}
	}},
	{"modify applies only the set fields and returns the topic after", testModifyTopic},
	{"delete returns the topics that existed in input order, each once, with their mutes", func(t *testing.T, s Store, _ func() Store) {
		mustCommunity(t, s, "@TGS#_a", "alice", "bob")
		mustCommunity(t, s, "@TGS#_b")
		a, b, c := fullTopic("@TGS#_a", "a"), fullTopic("@TGS#_a", "b"), fullTopic("@TGS#_a", "c")
		other := fullTopic("@TGS#_b", "a")
		for _, tp := range []topic.Topic{a, b, c, other} {
			mustCreateTopic(t, s, tp, 0)
		}
		mustMuteTopic(t, s, a.GroupID, a.ID, 900, "alice", "bob")
		mustMuteTopic(t, s, b.GroupID, b.ID, 900, "alice")
		got, err := s.DeleteTopics(t.Context(), "@TGS#_a", []string{c.ID, "@TGS#_a@TOPIC#_none", a.ID, other.ID, c.ID})
		if want := []string{c.ID, a.ID}; err != nil || !slices.Equal(got, want) {
			t.Errorf("DeleteTopics = %q, %v; want %q", got, err, want)
		}
		wantTopics(t, s, "@TGS#_a", nil, b)
		wantTopics(t, s, "@TGS#_b", nil, other)
		wantMutes(t, s, b.GroupID, b.ID, 0, topic.Mute{UserID: "alice", Until: 900})
		if got, err := s.DeleteTopics(t.Context(), "@TGS#_a", []string{a.ID}); err != nil || len(got) != 0 {
			t.Errorf("DeleteTopics(deleted) = %q, %v; want none", got, err)
		}
		if got, err := s.DeleteTopics(t.Context(), "@TGS#_none", []string{a.ID}); err != nil || len(got) != 0 {
			t.Errorf("DeleteTopics(unknown group) = %q, %v; want none", got, err)
		}
		// A new topic with a deleted one's ID has no mutes.
		mustCreateTopic(t, s, a, 0)
		wantMutes(t, s, a.GroupID, a.ID, 0)
		wantTopicMute(t, s, a.GroupID, a.ID, "bob", 0)
	}},
	{"deleting the group deletes its topics with their mutes", func(t *testing.T, s Store, _ func() Store) {
		mustCommunity(t, s, "@TGS#_a", "alice")
		mustCommunity(t, s, "@TGS#_b", "alice")
		a, b := fullTopic("@TGS#_a", "a"), fullTopic("@TGS#_b", "a")
		mustCreateTopic(t, s, a, 0)
		mustCreateTopic(t, s, b, 0)
		mustMuteTopic(t, s, a.GroupID, a.ID, 900, "alice")
		mustMuteTopic(t, s, b.GroupID, b.ID, 900, "alice")
		if err := s.DeleteGroup(t.Context(), "@TGS#_a"); err != nil {
			t.Fatal(err)
		}
		wantTopics(t, s, "@TGS#_a", nil)
		wantTopics(t, s, "@TGS#_a", []string{a.ID})
		wantMutes(t, s, a.GroupID, a.ID, 0)
		wantMutes(t, s, b.GroupID, b.ID, 0, topic.Mute{UserID: "alice", Until: 900})
		// Nothing is left to haunt a new group with the same ID.
		mustCommunity(t, s, "@TGS#_a", "alice")
		wantTopics(t, s, "@TGS#_a", nil)
		mustCreateTopic(t, s, a, 1)
		wantTopicMute(t, s, a.GroupID, a.ID, "alice", 0)
	}},
	{"topic values round-trip byte for byte", func(t *testing.T, s Store, _ func() Store) {
		mustCommunity(t, s, "@TGS#_a")
		var want []topic.Topic
		for i, v := range []struct {
			text string
			u64  uint64
		}{
			{"你好，世界 🎉", permBits},
			{`a"b\c` + "\n\t<&>\u2028", math.MaxUint64},
			{"  spaced  ", 1 << 63},
			{"", 0},
		} {
			tp := fullTopic("@TGS#_a", fmt.Sprintf("%d é🎉", i))
			tp.Name, tp.FaceURL, tp.Notification, tp.Introduction = v.text, v.text+"f", v.text+"n", v.text+"i"
			tp.CustomString, tp.Creator = v.text+"c", v.text+"u"
			tp.DefaultPermission, tp.NextMsgSeq, tp.CreateTime, tp.LastMsgTime = v.u64, v.u64, -1, math.MaxInt64
			mustCreateTopic(t, s, tp, 0)
			want = append(want, tp)
		}
		wantTopics(t, s, "@TGS#_a", nil, want...)
		if want[0].DefaultPermission != 1<<63|5 {
			t.Fatalf("fixture: DefaultPermission %d, want 1<<63|5", want[0].DefaultPermission)
		}
		wantTopics(t, s, "@TGS#_a", []string{want[0].ID}, want[0])
	}},
}

// testGetTopics creates topics whose IDs sort against their creation order.
func testGetTopics(t *testing.T, s Store, _ func() Store) {
	mustCommunity(t, s, "@TGS#_a")
	mustCommunity(t, s, "@TGS#_b")
	var ids []string
	for _, name := range []string{"z", "a", "M", "é", "0"} {
		tp := fullTopic("@TGS#_a", name)
		mustCreateTopic(t, s, tp, 0)
		ids = append(ids, tp.ID)
	}
	other := fullTopic("@TGS#_b", "a")
	mustCreateTopic(t, s, other, 0)
	missing := "@TGS#_a@TOPIC#_none"
	for _, tc := range []struct {
		name string
		ids  []string
		want []string
	}{
		{"all", nil, ids},
		{"some, repeated and missing", []string{ids[3], missing, ids[0], ids[3], other.ID}, []string{ids[3], ids[0]}},
		{"one", []string{ids[2]}, ids[2:3]},
		{"one missing", []string{missing}, nil},
		{"none", []string{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) { wantTopicIDs(t, s, "@TGS#_a", tc.ids, tc.want...) })
	}
	wantTopicIDs(t, s, "@TGS#_none", nil)
	wantTopicIDs(t, s, "@TGS#_none", ids[:1])
	// A topic created after a deletion comes last, whatever its ID.
	if _, err := s.DeleteTopics(t.Context(), "@TGS#_a", []string{ids[4], ids[1]}); err != nil {
		t.Fatal(err)
	}
	tp := fullTopic("@TGS#_a", "0")
	mustCreateTopic(t, s, tp, 0)
	wantTopicIDs(t, s, "@TGS#_a", nil, ids[0], ids[2], ids[3], tp.ID)
}

// testTopicLimit fills a community up to a limit of three topics.
func testTopicLimit(t *testing.T, s Store, _ func() Store) {
	const limit = 3
	mustCommunity(t, s, "@TGS#_a")
	mustCommunity(t, s, "@TGS#_b")
	mustCreateTopic(t, s, fullTopic("@TGS#_b", "other"), limit) // other groups do not count
	id := func(name string) string { return fullTopic("@TGS#_a", name).ID }
	for _, step := range []struct {
		name, topic string
		max         int
		wantErr     error
		want        []string
	}{
		{"the first", "t1", limit, nil, []string{id("t1")}},
		{"the second", "t2", limit, nil, []string{id("t1"), id("t2")}},
		{"up to the limit exactly", "t3", limit, nil, []string{id("t1"), id("t2"), id("t3")}},
		{"one over", "t4", limit, topic.ErrTooMany, []string{id("t1"), id("t2"), id("t3")}},
		{"a taken ID when full", "t1", limit, topic.ErrTooMany, []string{id("t1"), id("t2"), id("t3")}},
		{"a limit below the count", "t4", 2, topic.ErrTooMany, []string{id("t1"), id("t2"), id("t3")}},
		{"no limit", "t4", 0, nil, []string{id("t1"), id("t2"), id("t3"), id("t4")}},
	} {
		err := s.CreateTopic(t.Context(), fullTopic("@TGS#_a", step.topic), step.max)
		if !errors.Is(err, step.wantErr) {
			t.Errorf("%s: CreateTopic = %v, want %v", step.name, err, step.wantErr)
		}
		wantTopicIDs(t, s, "@TGS#_a", nil, step.want...)
	}
	// Deleting makes room again.
	if _, err := s.DeleteTopics(t.Context(), "@TGS#_a", []string{id("t1"), id("t2")}); err != nil {
		t.Fatal(err)
	}
	mustCreateTopic(t, s, fullTopic("@TGS#_a", "t5"), limit)
	if err := s.CreateTopic(t.Context(), fullTopic("@TGS#_a", "t6"), limit); !errors.Is(err, topic.ErrTooMany) {
		t.Errorf("CreateTopic over the limit after deleting = %v, want ErrTooMany", err)
	}
	wantTopicIDs(t, s, "@TGS#_a", nil, id("t3"), id("t4"), id("t5"))
}

// testConcurrentTopicCreates races creators of distinct topics against a
// limit that admits only some of them.
func testConcurrentTopicCreates(t *testing.T, s Store, _ func() Store) {
	const (
		creators = 8
		limit    = 5
	)
	mustCommunity(t, s, "@TGS#_a")
	want := raceCreates(t, creators, limit, topic.ErrTooMany, func(i int) (string, error) {
		tp := fullTopic("@TGS#_a", fmt.Sprint(i))
		return tp.ID, s.CreateTopic(t.Context(), tp, limit)
	})
	got, err := s.GetTopics(t.Context(), "@TGS#_a", nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tp := range got {
		ids = append(ids, tp.ID)
	}
	slices.Sort(ids)
	if slices.Sort(want); !slices.Equal(ids, want) {
		t.Errorf("topics after the race = %q, want those created: %q", ids, want)
	}
}

// testModifyTopic applies patches in turn, each checked against the topic
// it should leave, as returned and as stored.
func testModifyTopic(t *testing.T, s Store, _ func() Store) {
	mustCommunity(t, s, "@TGS#_a")
	tp, other := fullTopic("@TGS#_a", "a"), fullTopic("@TGS#_a", "b")
	mustCreateTopic(t, s, tp, 0)
	mustCreateTopic(t, s, other, 0)
	str := func(s string) *string { return &s }
	no, perms := false, uint64(math.MaxUint64)
	for _, step := range []struct {
		name  string
		patch topic.Patch
		apply func(tp *topic.Topic)
	}{
		{"nothing set", topic.Patch{}, func(*topic.Topic) {}},
		{"one field", topic.Patch{Name: str("新名字")}, func(tp *topic.Topic) { tp.Name = "新名字" }},
		{"every field", topic.Patch{
			Name: str("N"), FaceURL: str("F"), Notification: str("No"), Introduction: str("I"),
			CustomString: str("C"), MuteAllMember: &no, DefaultPermission: &perms,
		}, func(tp *topic.Topic) {
			tp.Name, tp.FaceURL, tp.Notification, tp.Introduction, tp.CustomString = "N", "F", "No", "I", "C"
			tp.MuteAllMember, tp.DefaultPermission = false, perms
		}},
		{"empty strings and zeros are values too", topic.Patch{Notification: str(""), CustomString: str(""), DefaultPermission: new(uint64(0))},
			func(tp *topic.Topic) { tp.Notification, tp.CustomString, tp.DefaultPermission = "", "", 0 }},
	} {
		step.apply(&tp)
		got, err := s.ModifyTopic(t.Context(), tp.GroupID, tp.ID, step.patch)
		if err != nil {
			t.Fatalf("%s: ModifyTopic: %v", step.name, err)
		}
		if got != tp {
			t.Errorf("%s: ModifyTopic returned\n %+v\nwant\n %+v", step.name, got, tp)
		}
		wantTopics(t, s, tp.GroupID, nil, tp, other)
	}
	for _, tc := range []struct{ groupID, topicID string }{{"@TGS#_a", "@TGS#_a@TOPIC#_none"}, {"@TGS#_none", tp.ID}} {
		if _, err := s.ModifyTopic(t.Context(), tc.groupID, tc.topicID, topic.Patch{Name: str("x")}); !errors.Is(err, topic.ErrNotFound) {
			t.Errorf("ModifyTopic(%q, %q) = %v, want ErrNotFound", tc.groupID, tc.topicID, err)
		}
	}
}
