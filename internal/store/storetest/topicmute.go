package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/topic"
)

// topicMuteCases cover per-topic mutes, including how they end with the
// membership they mute.
var topicMuteCases = []testCase{
	{"set and clear mutes of members only; listed while they last, in byte order", func(t *testing.T, s Store, _ func() Store) {
		mustCommunity(t, s, "@TGS#_a", "alice", "bob", "carol", "Dave")
		mustAccounts(t, s, "eve") // an account, but no member
		tp, other := fullTopic("@TGS#_a", "t"), fullTopic("@TGS#_a", "u")
		mustCreateTopic(t, s, tp, 0)
		mustCreateTopic(t, s, other, 0)
		got, err := s.SetTopicMute(t.Context(), tp.GroupID, tp.ID, []string{"carol", "nobody", "bob", "Dave", "eve", "carol"}, 1000)
		if want := []string{"carol", "bob", "Dave"}; err != nil || !slices.Equal(got, want) {
			t.Errorf("SetTopicMute = %q, %v; want %q", got, err, want)
		}
		mustMuteTopic(t, s, tp.GroupID, tp.ID, 500, "bob") // a mute set again takes the new end
		dave, bob, carol := topic.Mute{UserID: "Dave", Until: 1000}, topic.Mute{UserID: "bob", Until: 500}, topic.Mute{UserID: "carol", Until: 1000}
		for _, tc := range []struct {
			now  int64
			want []topic.Mute
		}{
			{0, []topic.Mute{dave, bob, carol}},
			{499, []topic.Mute{dave, bob, carol}},
			{500, []topic.Mute{dave, carol}},
			{1000, nil},
		} {
			wantMutes(t, s, tp.GroupID, tp.ID, tc.now, tc.want...)
		}
		wantTopicMute(t, s, tp.GroupID, tp.ID, "bob", 500)
		wantTopicMute(t, s, tp.GroupID, tp.ID, "eve", 0)
		wantTopicMute(t, s, tp.GroupID, tp.ID, "alice", 0)
		wantTopicMute(t, s, other.GroupID, other.ID, "bob", 0) // mutes are per topic
		wantMutes(t, s, other.GroupID, other.ID, 0)
		if muted, err := s.MutedMembers(t.Context(), tp.GroupID, 0); err != nil || len(muted) != 0 {
			t.Errorf("MutedMembers = %+v, %v; want none: a topic mute is no group mute", muted, err)
		}
		// Clearing returns the members named, muted or not.
		got, err = s.SetTopicMute(t.Context(), tp.GroupID, tp.ID, []string{"carol", "eve", "alice", "Dave"}, 0)
		if want := []string{"carol", "alice", "Dave"}; err != nil || !slices.Equal(got, want) {
			t.Errorf("SetTopicMute(0) = %q, %v; want %q", got, err, want)
		}
		wantMutes(t, s, tp.GroupID, tp.ID, 0, topic.Mute{UserID: "bob", Until: 500})
		wantTopicMute(t, s, tp.GroupID, tp.ID, "carol", 0)
		if got, err := s.SetTopicMute(t.Context(), tp.GroupID, tp.ID, nil, 9); err != nil || len(got) != 0 {
			t.Errorf("SetTopicMute(no one) = %q, %v; want none", got, err)
		}
	}},
	{"mutes of a topic that does not exist", func(t *testing.T, s Store, _ func() Store) {
		mustCommunity(t, s, "@TGS#_a", "alice")
		mustCommunity(t, s, "@TGS#_b", "alice")
		elsewhere := fullTopic("@TGS#_b", "t")
		mustCreateTopic(t, s, elsewhere, 0)
		for _, tc := range []struct{ groupID, topicID string }{
			{"@TGS#_a", "@TGS#_a@TOPIC#_none"}, {"@TGS#_none", "@TGS#_none@TOPIC#_t"}, {"@TGS#_a", elsewhere.ID},
		} {
			for _, until := range []int64{900, 0} {
				if got, err := s.SetTopicMute(t.Context(), tc.groupID, tc.topicID, []string{"alice"}, until); !errors.Is(err, topic.ErrNotFound) {
					t.Errorf("SetTopicMute(%q, %q, %d) = %q, %v; want ErrNotFound", tc.groupID, tc.topicID, until, got, err)
				}
			}
			wantMutes(t, s, tc.groupID, tc.topicID, 0)
			wantTopicMute(t, s, tc.groupID, tc.topicID, "alice", 0)
		}
		wantMutes(t, s, elsewhere.GroupID, elsewhere.ID, 0)
	}},
	{"leaving the group or deleting the account clears its topic mutes", func(t *testing.T, s Store, _ func() Store) {
		mustCommunity(t, s, "@TGS#_a", "alice", "bob", "carol")
		mustCommunity(t, s, "@TGS#_b", "alice", "bob", "carol")
		mustDeleteMembers := func(groupID string, userIDs ...string) {
			t.Helper()
			if got, err := s.DeleteMembers(t.Context(), groupID, userIDs); err != nil || !slices.Equal(got, userIDs) {
				t.Fatalf("DeleteMembers(%q, %q) = %q, %v", groupID, userIDs, got, err)
			}
		}
		at, au, bt := fullTopic("@TGS#_a", "t"), fullTopic("@TGS#_a", "u"), fullTopic("@TGS#_b", "t")
		for _, tp := range []topic.Topic{at, au, bt} {
			mustCreateTopic(t, s, tp, 0)
			mustMuteTopic(t, s, tp.GroupID, tp.ID, 900, "alice", "bob", "carol")
		}
		mustDeleteMembers("@TGS#_b", "alice", "carol") // bob stays in b
		mustDeleteMembers("@TGS#_a", "bob")
		wantMutes(t, s, at.GroupID, at.ID, 0, topic.Mute{UserID: "alice", Until: 900}, topic.Mute{UserID: "carol", Until: 900})
		wantMutes(t, s, au.GroupID, au.ID, 0, topic.Mute{UserID: "alice", Until: 900}, topic.Mute{UserID: "carol", Until: 900})
		wantMutes(t, s, bt.GroupID, bt.ID, 0, topic.Mute{UserID: "bob", Until: 900}) // still a member there
		mustAdd(t, s, "@TGS#_a", members("bob")...)
		wantTopicMute(t, s, at.GroupID, at.ID, "bob", 0) // rejoining starts unmuted

		if deleted, err := s.DeleteAccounts(t.Context(), []string{"carol", "bob"}, 1000); err != nil || len(deleted) != 2 {
			t.Fatalf("DeleteAccounts = %q, %v", deleted, err)
		}
		wantMutes(t, s, at.GroupID, at.ID, 0, topic.Mute{UserID: "alice", Until: 900})
		wantMutes(t, s, au.GroupID, au.ID, 0, topic.Mute{UserID: "alice", Until: 900})
		wantMutes(t, s, bt.GroupID, bt.ID, 0)
		mustAccounts(t, s, "carol")
		mustAdd(t, s, "@TGS#_a", members("carol")...)
		wantTopicMute(t, s, at.GroupID, at.ID, "carol", 0)
	}},
	{"concurrent mutes, member removals and account deletions leave mutes only of members", testConcurrentTopicMutes},
}

// testConcurrentTopicMutes runs muters against removers of the members they
// mute; afterwards every mute must be of a member, and no error surface.
func testConcurrentTopicMutes(t *testing.T, s Store, _ func() Store) {
	const workers = 4
	ids := mustWorkerCommunity(t, s, "@TGS#_a", workers)
	all := slices.Concat(ids...)
	topics := []topic.Topic{fullTopic("@TGS#_a", "t"), fullTopic("@TGS#_a", "u")}
	for _, tp := range topics {
		mustCreateTopic(t, s, tp, 0)
	}
	var wg sync.WaitGroup
	for w := range workers {
		next := ids[(w+1)%workers] // the next worker removes some of these
		wg.Go(func() {
			for _, tp := range topics {
				if _, err := s.SetTopicMute(t.Context(), tp.GroupID, tp.ID, next, int64(100+w)); err != nil {
					t.Errorf("worker %d: SetTopicMute: %v", w, err)
				}
			}
			if _, err := s.DeleteMembers(t.Context(), "@TGS#_a", ids[w][:2]); err != nil {
				t.Errorf("worker %d: DeleteMembers: %v", w, err)
			}
			if _, err := s.DeleteAccounts(t.Context(), ids[w][2:4], 1000); err != nil {
				t.Errorf("worker %d: DeleteAccounts: %v", w, err)
			}
			if _, err := s.SetTopicMute(t.Context(), topics[0].GroupID, topics[0].ID, next[4:], 0); err != nil {
				t.Errorf("worker %d: SetTopicMute(0): %v", w, err)
			}
		})
	}
	wg.Wait()
	for _, tp := range topics {
		mutes, err := s.TopicMutes(t.Context(), tp.GroupID, tp.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		var muted []string
		for _, m := range mutes {
			muted = append(muted, m.UserID)
		}
		ms, err := s.GetMembers(t.Context(), "@TGS#_a", muted)
		if err != nil || len(ms) != len(muted) {
			t.Errorf("topic %s: %d of its %d muted are members (%v): %q", tp.ID, len(ms), len(muted), err, muted)
		}
		for _, m := range mutes {
			if slices.Index(all, m.UserID)%6 < 4 {
				t.Errorf("topic %s: %s, removed, is still muted", tp.ID, m.UserID)
			}
		}
	}
}

// mustCommunity imports accounts for memberIDs and creates the community
// id, without an owner, with them as plain members.
func mustCommunity(t testing.TB, s Store, id string, memberIDs ...string) {
	t.Helper()
	g := fullGroup(id, group.Community)
	g.Owner, g.SupportTopic = "", true
	mustCreate(t, s, g, members(memberIDs...)...)
}

// mustWorkerCommunity creates community groupID with six members for
// each of workers, and returns the UserIDs of each worker's: w0-000 to
// w0-005 for the first, and so on.
func mustWorkerCommunity(t testing.TB, s Store, groupID string, workers int) [][]string {
	t.Helper()
	ids := make([][]string, workers)
	var all []string
	for w := range workers {
		ids[w] = userIDs(fmt.Sprintf("w%d-", w), 6)
		all = append(all, ids[w]...)
	}
	mustCommunity(t, s, groupID, all...)
	return ids
}

// fullTopic returns the topic of groupID with an ID ending in name and every
// field set, the booleans and the top bit of the permissions set so that
// lost or swapped columns show.
func fullTopic(groupID, name string) topic.Topic {
	return topic.Topic{
		ID: groupID + "@TOPIC#_" + name, GroupID: groupID, Name: "Topic " + name,
		FaceURL: "https://example.com/topic.png", Notification: "Notice", Introduction: "Intro",
		CustomString: "custom", MuteAllMember: true, DefaultPermission: permBits, Creator: "alice",
		CreateTime: 1_700_000_000, LastMsgTime: 1_700_000_300, NextMsgSeq: 1,
	}
}

// mustCreateTopic creates tp with the limit maxTopics.
func mustCreateTopic(t testing.TB, s Store, tp topic.Topic, maxTopics int) {
	t.Helper()
	if err := s.CreateTopic(t.Context(), tp, maxTopics); err != nil {
		t.Fatalf("CreateTopic(%q): %v", tp.ID, err)
	}
}

// mustMuteTopic mutes userIDs, all members, in a topic until until.
func mustMuteTopic(t testing.TB, s Store, groupID, topicID string, until int64, userIDs ...string) {
	t.Helper()
	got, err := s.SetTopicMute(t.Context(), groupID, topicID, userIDs, until)
	if err != nil || !slices.Equal(got, userIDs) {
		t.Fatalf("SetTopicMute(%q, %q, %q, %d) = %q, %v", groupID, topicID, userIDs, until, got, err)
	}
}

// wantTopics checks that GetTopics(groupID, ids) is want, in order.
func wantTopics(t testing.TB, s Store, groupID string, ids []string, want ...topic.Topic) {
	t.Helper()
	got, err := s.GetTopics(t.Context(), groupID, ids)
	if err != nil {
		t.Fatalf("GetTopics(%q, %q): %v", groupID, ids, err)
	}
	if len(got) != 0 || len(want) != 0 {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("GetTopics(%q, %q)\n got %+v\nwant %+v", groupID, ids, got, want)
		}
	}
}

// wantTopicIDs checks the IDs of the topics GetTopics(groupID, ids)
// returns, in order, and that each is of groupID.
func wantTopicIDs(t testing.TB, s Store, groupID string, ids []string, want ...string) {
	t.Helper()
	got, err := s.GetTopics(t.Context(), groupID, ids)
	if err != nil {
		t.Fatalf("GetTopics(%q, %q): %v", groupID, ids, err)
	}
	wantIDs(t, fmt.Sprintf("GetTopics(%q, %q)", groupID, ids), fmt.Sprintf("GetTopics(%q)", groupID),
		got, func(tp topic.Topic) string { return tp.ID }, func(tp topic.Topic) bool { return tp.GroupID == groupID }, want)
}

// wantMutes checks that TopicMutes(groupID, topicID, now) is want.
func wantMutes(t testing.TB, s Store, groupID, topicID string, now int64, want ...topic.Mute) {
	t.Helper()
	got, err := s.TopicMutes(t.Context(), groupID, topicID, now)
	wantList(t, fmt.Sprintf("TopicMutes(%q, %q, %d)", groupID, topicID, now), got, err, want)
}

// wantTopicMute checks that TopicMute(groupID, topicID, userID) is want.
func wantTopicMute(t testing.TB, s Store, groupID, topicID, userID string, want int64) {
	t.Helper()
	got, err := s.TopicMute(t.Context(), groupID, topicID, userID)
	if err != nil {
		t.Fatalf("TopicMute(%q, %q, %q): %v", groupID, topicID, userID, err)
	}
	if got != want {
		t.Errorf("TopicMute(%q, %q, %q) = %d, want %d", groupID, topicID, userID, got, want)
	}
}
