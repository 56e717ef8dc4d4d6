package storetest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/hearth-chat/hearth/internal/conversation"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/message"
)

// ConversationStore is a Store that keeps conversation lists too.
type ConversationStore interface {
	Store
	conversation.Store
}

// RunConversations runs the conversation-list behaviours as parallel
// subtests of t, each on a fresh store from open, which must be a
// [ConversationStore].
func RunConversations(t *testing.T, open Opener) {
	for _, c := range conversationCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, reopen := open(t)
			cs := mustConversationStore(t, s)
			c.test(t, cs, func() ConversationStore { return mustConversationStore(t, reopen()) })
		})
	}
}

func mustConversationStore(t testing.TB, s Store) ConversationStore {
	t.Helper()
	cs, ok := s.(ConversationStore)
	if !ok {
		t.Fatalf("%T does not implement conversation.Store", s)
	}
	return cs
}

var conversationCases = []struct {
	name string
	test func(t *testing.T, s ConversationStore, reopen func() ConversationStore)
}{
	{"the list holds one-to-one pairs and groups newest first, a community once, with each last message", testConversationsList},
	{"a message imported with an older time does not move the last message", testConversationsOlderImport},
	{"a recalled last message stays the last one, marked recalled", testConversationsRecall},
	{"pins select, survive a restart, are bounded, and unpin", testConversationsPin},
	{"concurrent pins never exceed the maximum", testConversationsPinRace},
	{"a deleted conversation is left out until a newer message, and loses its pin", testConversationsDelete},
	{"MaxTime and Offset page through conversations of equal times", testConversationsPaging},
	{"a pinned peer without a message is an empty conversation", testConversationsPinnedEmpty},
	{"a conversation with oneself is listed once; leaving a group drops it", testConversationsSelfAndLeave},
	{"a community's conversation is its newest topic's, and a deleted one comes back after a message in any topic", testConversationsTopics},
}

// allConvs selects every conversation, empty ones included.
var allConvs = conversation.Query{MaxTime: math.MaxInt64, Limit: 1000, Empty: true}

// convs returns the conversations of user that q selects.
func convs(t testing.TB, s ConversationStore, user string, q conversation.Query) []conversation.Conversation {
	t.Helper()
	got, err := s.Conversations(t.Context(), user, q)
	if err != nil {
		t.Fatalf("Conversations(%q, %+v): %v", user, q, err)
	}
	return got
}

// convKey is a conversation as "c2c:peer@time" or "group:id@time", with
// "*" after a pinned one.
func convKey(c conversation.Conversation) string {
	kind := "c2c"
	if c.Type == conversation.Group {
		kind = "group"
	}
	k := fmt.Sprintf("%s:%s@%d", kind, c.ID, c.Time)
	if c.Pinned {
		k += "*"
	}
	return k
}

// wantConvs checks the conversations q selects, in order.
func wantConvs(t testing.TB, s ConversationStore, user string, q conversation.Query, want ...string) []conversation.Conversation {
	t.Helper()
	got := convs(t, s, user, q)
	keys := make([]string, len(got))
	for i, c := range got {
		keys[i] = convKey(c)
	}
	if !slices.Equal(keys, want) {
		t.Errorf("Conversations(%q, pinned %v, max %d, offset %d, limit %d, empty %v)\n got %q\nwant %q",
			user, q.Pinned, q.MaxTime, q.Offset, q.Limit, q.Empty, keys, want)
	}
	return got
}

func c2cRef(peer string) conversation.Ref { return conversation.Ref{Type: conversation.C2C, ID: peer} }
func groupRef(id string) conversation.Ref { return conversation.Ref{Type: conversation.Group, ID: id} }

// convGroup creates a group of typ with members (their accounts imported)
// and no message yet.
func convGroup(t testing.TB, s Store, id string, typ group.Type, ids ...string) {
	t.Helper()
	g := fullGroup(id, typ)
	g.Owner, g.NextMsgSeq, g.LastMsgTime = "", 1, 0
	g.SupportTopic = typ == group.Community
	mustCreate(t, s, g, members(ids...)...)
}

// sendGroup appends message n to a stream at time at and returns it.
func sendGroup(t testing.TB, s Store, groupID, topicID string, n int, at int64) message.Message {
	t.Helper()
	m, dup, err := s.AppendGroupMessage(t.Context(), msg(groupID, topicID, n, at), "", 0)
	if err != nil || dup {
		t.Fatalf("AppendGroupMessage(%q, %q): dup %v, %v", groupID, topicID, dup, err)
	}
	return m
}

func testConversationsList(t *testing.T, s ConversationStore, _ func() ConversationStore) {
	mustAccounts(t, s, "alice", "bob", "carol", "dave")
	convGroup(t, s, "g1", group.Public, "alice", "bob")
	convGroup(t, s, "g2", group.Private, "alice")
	convGroup(t, s, "live", group.AVChatRoom, "alice")
	convGroup(t, s, "other", group.Public, "bob")
	convGroup(t, s, "@TGS#_c", group.Community, "alice")
	mustCreateTopic(t, s, fullTopic("@TGS#_c", "t"), 0)
	tp := "@TGS#_c@TOPIC#_t"

	mustAppendC2C(t, s, c2c("alice", "bob", 1, 100), "", 0)
	sendGroup(t, s, "g1", "", 1, 200)
	sendGroup(t, s, "@TGS#_c", "", 2, 150)
	topicMsg := sendGroup(t, s, "@TGS#_c", tp, 3, 400)
	fromCarol := mustAppendC2C(t, s, c2c("carol", "alice", 2, 300), "", 0)
	sendGroup(t, s, "live", "", 4, 500)  // AVChatRoom: no conversation
	sendGroup(t, s, "other", "", 5, 600) // not alice's
	mustAppendC2C(t, s, c2c("bob", "dave", 3, 700), "", 0)

	got := wantConvs(t, s, "alice", allConvs,
		"group:@TGS#_c@400", "c2c:carol@300", "group:g1@200", "c2c:bob@100", "group:g2@0")
	noEmpty := allConvs
	noEmpty.Empty = false
	wantConvs(t, s, "alice", noEmpty, "group:@TGS#_c@400", "c2c:carol@300", "group:g1@200", "c2c:bob@100")
	if c := got[0]; c.Group == nil || c.C2C != nil || c.Group.TopicID != tp || c.Group.Seq != topicMsg.Seq || string(c.Group.Body) != string(topicMsg.Body) {
		t.Errorf("community's last message %+v, want the topic's message %+v", c.Group, topicMsg)
	}
	if c := got[1]; c.C2C == nil || c.Group != nil || c.C2C.From != "carol" || c.C2C.To != "alice" || c.C2C.Key != fromCarol.Key || string(c.C2C.Body) != string(fromCarol.Body) {
		t.Errorf("carol's last message %+v, want %+v", c.C2C, fromCarol)
	}
	if c := got[4]; c.C2C != nil || c.Group != nil {
		t.Errorf("an empty conversation has a last message: %+v", c)
	}
	wantConvs(t, s, "bob", allConvs, "c2c:dave@700", "group:other@600", "group:g1@200", "c2c:alice@100")
	wantConvs(t, s, "nobody", allConvs)
}

func testConversationsOlderImport(t *testing.T, s ConversationStore, _ func() ConversationStore) {
	mustAccounts(t, s, "alice", "bob")
	convGroup(t, s, "g", group.Public, "alice")
	newest := mustAppendC2C(t, s, c2c("alice", "bob", 1, 500), "", 0)
	mustAppendC2C(t, s, c2c("bob", "alice", 2, 50), "", 0)
	sendGroup(t, s, "g", "", 1, 400)
	sendGroup(t, s, "g", "", 2, 40)
	got := wantConvs(t, s, "alice", allConvs, "c2c:bob@500", "group:g@400")
	if got[0].C2C == nil || got[0].C2C.Key != newest.Key {
		t.Errorf("last message %+v, want the newest %+v", got[0].C2C, newest)
	}
	if got[1].Group == nil || got[1].Group.Seq != 1 {
		t.Errorf("group's last message %+v, want seq 1 (time 400)", got[1].Group)
	}
	// The same second: the later insert is the last.
	same := mustAppendC2C(t, s, c2c("bob", "alice", 3, 500), "", 0)
	if got := convs(t, s, "alice", allConvs); got[0].C2C == nil || got[0].C2C.Key != same.Key {
		t.Errorf("last message %+v, want the later one of the same second %+v", got[0].C2C, same)
	}
}

func testConversationsRecall(t *testing.T, s ConversationStore, _ func() ConversationStore) {
	mustAccounts(t, s, "alice", "bob")
	convGroup(t, s, "g", group.Public, "alice")
	m := mustAppendC2C(t, s, c2c("bob", "alice", 1, 100), "", 0)
	sendGroup(t, s, "g", "", 1, 90)
	if ok, err := s.RecallC2C(t.Context(), "bob", "alice", m.Key); err != nil || !ok {
		t.Fatalf("RecallC2C: %v %v", ok, err)
	}
	if _, err := s.RecallGroupMessages(t.Context(), "g", "", []uint64{1}); err != nil {
		t.Fatal(err)
	}
	got := wantConvs(t, s, "alice", allConvs, "c2c:bob@100", "group:g@90")
	if got[0].C2C == nil || !got[0].C2C.Recalled || got[0].C2C.Key != m.Key {
		t.Errorf("c2c last message %+v, want %s recalled", got[0].C2C, m.Key)
	}
	if got[1].Group == nil || !got[1].Group.Recalled {
		t.Errorf("group last message %+v, want recalled", got[1].Group)
	}
}

func testConversationsPin(t *testing.T, s ConversationStore, reopen func() ConversationStore) {
	ctx := t.Context()
	peers := userIDs("p", conversation.MaxPinned+1)
	mustAccounts(t, s, append([]string{"alice"}, peers...)...)
	for i, p := range peers {
		mustAppendC2C(t, s, c2c(p, "alice", i, int64(100+i)), "", 0)
	}
	if err := s.Pin(ctx, "alice", []conversation.Ref{c2cRef("p003"), c2cRef("p001")}, 1000, conversation.MaxPinned); err != nil {
		t.Fatal(err)
	}
	pinned, unpinned := allConvs, allConvs
	pinned.Pinned, unpinned.Pinned = new(true), new(false)
	wantConvs(t, s, "alice", pinned, "c2c:p003@103*", "c2c:p001@101*")
	if got := convs(t, s, "alice", unpinned); len(got) != len(peers)-2 || got[0].ID != "p050" {
		t.Errorf("unpinned: %d conversations starting %v, want %d starting p050", len(got), got[0].ID, len(peers)-2)
	}
	if got := convs(t, s, "alice", allConvs); len(got) != len(peers) || !got[len(got)-2].Pinned || got[len(got)-2].ID != "p001" {
		t.Errorf("all: %d, want %d in time order with p001 flagged pinned", len(got), len(peers))
	}
	// Pinning again and pinning within the max pass; one over fails whole.
	var refs []conversation.Ref
	for _, p := range peers[:conversation.MaxPinned] {
		refs = append(refs, c2cRef(p))
	}
	if err := s.Pin(ctx, "alice", refs, 2000, conversation.MaxPinned); err != nil {
		t.Fatalf("pin %d: %v", len(refs), err)
	}
	err := s.Pin(ctx, "alice", []conversation.Ref{c2cRef("p050"), c2cRef("p000")}, 3000, conversation.MaxPinned)
	if !errors.Is(err, conversation.ErrTooManyPinned) {
		t.Fatalf("pin one over the max: %v, want ErrTooManyPinned", err)
	}
	s = reopen()
	if got := convs(t, s, "alice", pinned); len(got) != conversation.MaxPinned || slices.ContainsFunc(got, func(c conversation.Conversation) bool { return c.ID == "p050" }) {
		t.Errorf("after the refused pin and a restart: %d pinned (p050 among them: want not)", len(got))
	}
	if err := s.Pin(ctx, "alice", refs[2:], 0, conversation.MaxPinned); err != nil {
		t.Fatal(err)
	}
	wantConvs(t, s, "alice", pinned, "c2c:p001@101*", "c2c:p000@100*")
	if err := s.Pin(ctx, "alice", []conversation.Ref{c2cRef("p777")}, 0, conversation.MaxPinned); err != nil {
		t.Errorf("unpin of one never pinned: %v", err)
	}
}

func testConversationsPinRace(t *testing.T, s ConversationStore, _ func() ConversationStore) {
	const pinners, max = 12, 5
	mustAccounts(t, s, "alice")
	ok := succeededAtOnce(t, pinners, conversation.ErrTooManyPinned, "pinner", func(i int) error {
		return s.Pin(t.Context(), "alice", []conversation.Ref{c2cRef(fmt.Sprint("peer", i))}, 10, max)
	})
	pinned := allConvs
	pinned.Pinned = new(true)
	if got := convs(t, s, "alice", pinned); ok != max || len(got) != max {
		t.Errorf("%d pins succeeded and %d are listed, want %d", ok, len(got), max)
	}
}

func testConversationsDelete(t *testing.T, s ConversationStore, reopen func() ConversationStore) {
	ctx := t.Context()
	mustAccounts(t, s, "alice", "bob", "carol")
	convGroup(t, s, "g", group.Public, "alice", "bob")
	convGroup(t, s, "quiet", group.Public, "alice")
	mustAppendC2C(t, s, c2c("alice", "bob", 1, 100), "", 0)
	mustAppendC2C(t, s, c2c("carol", "alice", 2, 110), "", 0)
	sendGroup(t, s, "g", "", 1, 120)
	if err := s.Pin(ctx, "alice", []conversation.Ref{c2cRef("bob"), groupRef("g")}, 5, conversation.MaxPinned); err != nil {
		t.Fatal(err)
	}
	for _, r := range []conversation.Ref{c2cRef("bob"), groupRef("g"), groupRef("quiet"), c2cRef("nobody")} {
		if err := s.Delete(ctx, "alice", r); err != nil {
			t.Fatalf("Delete(%v): %v", r, err)
		}
	}
	wantConvs(t, s, "alice", allConvs, "c2c:carol@110")
	wantConvs(t, s, "bob", allConvs, "group:g@120", "c2c:alice@100") // bob's list is his own
	// An older import brings nothing back; newer messages do, unpinned.
	mustAppendC2C(t, s, c2c("bob", "alice", 3, 90), "", 0)
	wantConvs(t, s, "alice", allConvs, "c2c:carol@110")
	s = reopen()
	mustAppendC2C(t, s, c2c("bob", "alice", 4, 130), "", 0)
	sendGroup(t, s, "quiet", "", 1, 125)
	wantConvs(t, s, "alice", allConvs, "c2c:bob@130", "group:quiet@125", "c2c:carol@110")
	sendGroup(t, s, "g", "", 2, 140)
	wantConvs(t, s, "alice", allConvs, "group:g@140", "c2c:bob@130", "group:quiet@125", "c2c:carol@110")
	// Deleting again hides again; pinning a deleted one lists it again.
	if err := s.Delete(ctx, "alice", groupRef("g")); err != nil {
		t.Fatal(err)
	}
	wantConvs(t, s, "alice", allConvs, "c2c:bob@130", "group:quiet@125", "c2c:carol@110")
	if err := s.Pin(ctx, "alice", []conversation.Ref{groupRef("g")}, 6, conversation.MaxPinned); err != nil {
		t.Fatal(err)
	}
	wantConvs(t, s, "alice", allConvs, "group:g@140*", "c2c:bob@130", "group:quiet@125", "c2c:carol@110")
}

func testConversationsPaging(t *testing.T, s ConversationStore, _ func() ConversationStore) {
	peers := userIDs("u", 7)
	mustAccounts(t, s, append([]string{"alice"}, peers...)...)
	times := []int64{300, 200, 200, 200, 200, 100, 100}
	for i, p := range peers {
		mustAppendC2C(t, s, c2c("alice", p, i, times[i]), "", 0)
	}
	q := func(maxTime int64, offset, limit int) conversation.Query {
		return conversation.Query{MaxTime: maxTime, Offset: offset, Limit: limit}
	}
	wantConvs(t, s, "alice", q(math.MaxInt64, 0, 3), "c2c:u000@300", "c2c:u001@200", "c2c:u002@200")
	wantConvs(t, s, "alice", q(200, 2, 3), "c2c:u003@200", "c2c:u004@200", "c2c:u005@100")
	wantConvs(t, s, "alice", q(100, 1, 3), "c2c:u006@100")
	wantConvs(t, s, "alice", q(99, 0, 3))
}

func testConversationsPinnedEmpty(t *testing.T, s ConversationStore, _ func() ConversationStore) {
	ctx := t.Context()
	mustAccounts(t, s, "alice", "bob")
	if err := s.Pin(ctx, "alice", []conversation.Ref{c2cRef("bob")}, 7, conversation.MaxPinned); err != nil {
		t.Fatal(err)
	}
	got := wantConvs(t, s, "alice", allConvs, "c2c:bob@0*")
	if got[0].C2C != nil {
		t.Errorf("empty conversation with a last message %+v", got[0].C2C)
	}
	noEmpty := allConvs
	noEmpty.Empty = false
	wantConvs(t, s, "alice", noEmpty)
	mustAppendC2C(t, s, c2c("bob", "alice", 1, 50), "", 0)
	wantConvs(t, s, "alice", noEmpty, "c2c:bob@50*")
	wantConvs(t, s, "bob", allConvs, "c2c:alice@50")
}

func testConversationsSelfAndLeave(t *testing.T, s ConversationStore, _ func() ConversationStore) {
	mustAccounts(t, s, "alice", "bob")
	convGroup(t, s, "g", group.Public, "alice", "bob")
	mustAppendC2C(t, s, c2c("alice", "alice", 1, 10), "", 0)
	sendGroup(t, s, "g", "", 1, 20)
	wantConvs(t, s, "alice", allConvs, "group:g@20", "c2c:alice@10")
	if _, err := s.DeleteMembers(t.Context(), "g", []string{"alice"}); err != nil {
		t.Fatal(err)
	}
	wantConvs(t, s, "alice", allConvs, "c2c:alice@10")
	wantConvs(t, s, "bob", allConvs, "group:g@20")
}

func testConversationsTopics(t *testing.T, s ConversationStore, reopen func() ConversationStore) {
	ctx := t.Context()
	const c = "@TGS#_c"
	mustAccounts(t, s, "alice", "bob")
	convGroup(t, s, c, group.Community, "alice", "bob")
	mustCreateTopic(t, s, fullTopic(c, "a"), 0)
	mustCreateTopic(t, s, fullTopic(c, "b"), 0)
	ta, tb := c+"@TOPIC#_a", c+"@TOPIC#_b"
	wantLast := func(user string, want message.Message) {
		t.Helper()
		got := convs(t, s, user, allConvs)
		if len(got) != 1 || got[0].Group == nil || got[0].Group.TopicID != want.TopicID || got[0].Group.Seq != want.Seq || got[0].Time != want.Time {
			t.Errorf("%s's community conversation %+v, want the last message %s#%d at %d", user, got, want.TopicID, want.Seq, want.Time)
		}
	}
	// deleteThenDropTopic has alice delete the community's conversation,
	// then deletes topicID, after which alice's list is still empty.
	deleteThenDropTopic := func(topicID string) {
		t.Helper()
		if err := s.Delete(ctx, "alice", groupRef(c)); err != nil {
			t.Fatal(err)
		}
		if gone, err := s.DeleteTopics(ctx, c, []string{topicID}); err != nil || len(gone) != 1 {
			t.Fatalf("DeleteTopics = %q, %v", gone, err)
		}
		wantConvs(t, s, "alice", allConvs)
	}

	// Each topic's newer message moves the community to it; a newer
	// message in one topic than in the other does not, if it is older
	// than the newest of the community.
	wantLast("alice", sendGroup(t, s, c, ta, 1, 100))
	inB := sendGroup(t, s, c, tb, 2, 200)
	wantLast("alice", inB)
	sendGroup(t, s, c, ta, 3, 150)
	sendGroup(t, s, c, "", 4, 120)
	wantConvs(t, s, "alice", allConvs, "group:"+c+"@200")
	wantLast("alice", inB)

	// Deleted, it stays out through an older import, and comes back with
	// a newer message in the other topic.
	if err := s.Delete(ctx, "alice", groupRef(c)); err != nil {
		t.Fatal(err)
	}
	wantConvs(t, s, "alice", allConvs)
	sendGroup(t, s, c, tb, 5, 50)
	wantConvs(t, s, "alice", allConvs)
	wantLast("bob", inB)
	s = reopen()
	newest := sendGroup(t, s, c, ta, 6, 300)
	wantLast("alice", newest)
	wantLast("bob", newest)

	// Deleting the topic of the newest message moves the conversation to
	// the newest remaining stream; a conversation deleted before stays
	// out, and comes back with the next newer message in any stream.
	deleteThenDropTopic(ta)
	wantLast("bob", inB)
	sendGroup(t, s, c, "", 7, 130) // the group's own stream: not the newest
	wantLast("alice", inB)

	// The same once the other topic is gone too, with messages left only
	// in the group's own stream.
	deleteThenDropTopic(tb)
	wantConvs(t, s, "bob", allConvs, "group:"+c+"@130")
	mustCreateTopic(t, s, fullTopic(c, "a"), 0) // the same ID again: a new stream
	wantConvs(t, s, "alice", allConvs)
	wantLast("alice", sendGroup(t, s, c, ta, 8, 140))

	// Deleting the community with its topics' pointers drops it.
	if err := s.DeleteGroup(ctx, c); err != nil {
		t.Fatal(err)
	}
	wantConvs(t, s, "alice", allConvs)
	wantConvs(t, s, "bob", allConvs)
}

// BenchConversations measures the first page (100) of the list of a user
// with 2,000 one-to-one conversations and 500 groups, their times
// interleaved (a group of 100,000
// members would cost the same: the list reads the user's memberships, not
// the groups' members), with 20 of them pinned.
func BenchConversations(b *testing.B, open Opener) {
	s, _ := open(b)
	cs := mustConversationStore(b, s)
	ctx := b.Context()
	const peersN, groupsN = 2000, 500
	peers := userIDs("peer", peersN)
	mustAccounts(b, s, append([]string{"me"}, peers...)...)
	for i, p := range peers {
		from, to := p, "me"
		if i%2 == 0 {
			from, to = to, from
		}
		if _, _, err := cs.AppendC2C(ctx, c2c(from, to, i, int64(1000+i)), "", 0); err != nil {
			b.Fatal(err)
		}
	}
	for i := range groupsN {
		id := fmt.Sprintf("g%04d", i)
		g := fullGroup(id, group.Public)
		g.Owner, g.NextMsgSeq, g.LastMsgTime = "", 1, 0
		if err := s.CreateGroup(ctx, g, members("me")); err != nil {
			b.Fatal(err)
		}
		if _, _, err := s.AppendGroupMessage(ctx, msg(id, "", i, int64(1001+4*i)), "", 0); err != nil {
			b.Fatal(err)
		}
	}
	var pins []conversation.Ref
	for _, p := range peers[:20] {
		pins = append(pins, c2cRef(p))
	}
	if err := cs.Pin(ctx, "me", pins, 1, conversation.MaxPinned); err != nil {
		b.Fatal(err)
	}
	q := conversation.Query{Pinned: new(false), MaxTime: math.MaxInt64, Limit: conversation.PageSize + 1}
	benchLoop(b, func(int) {
		got, err := cs.Conversations(ctx, "me", q)
		if err != nil || len(got) != conversation.PageSize+1 || got[0].Time != 2999 || got[0].Pinned {
			b.Fatalf("Conversations: %d, %v", len(got), err)
		}
	})
}
