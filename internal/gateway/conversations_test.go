package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apitest"
)

// convKeys names a conversations answer's items: "group:id" or "c2c:peer",
// "*" after a pinned one.
func convKeys(items []client.Conversation) []string {
	out := make([]string, len(items))
	for i, c := range items {
		out[i] = "c2c:" + c.Peer
		if c.GroupID != "" {
			out[i] = "group:" + c.GroupID
		}
		if c.Pinned {
			out[i] += "*"
		}
	}
	return out
}

// nextConversationEvent waits for the next event frame of a conversation.*
// kind.
func nextConversationEvent(t *testing.T, c *client.Conn) client.Frame {
	t.Helper()
	for {
		if f := next(t, c, client.TypeEvent); strings.HasPrefix(f.Event, "conversation.") {
			return f
		}
	}
}

func TestConversationListAndLiveUpdates(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		gid, topicA, _ := community(t, s, "", "alice", "bob")
		s.ImportAccounts(t, "carol")
		const base = 1600000000
		for i, from := range []string{"carol", "bob"} { // carol older than bob
			s.Must(t, "openim/importmsg", fmt.Sprintf(`{"SyncFromOldSystem":2,"From_Account":%q,"To_Account":"alice","MsgSeq":1,"MsgRandom":%d,"MsgTimeStamp":%d,"MsgBody":%s}`,
				from, i, base+i, text("old "+from)))
		}
		alice := dial(t, s, "alice")
		ctx := context.Background()

		// The community was created with no message: an empty conversation
		// at the end, without a last message.
		page, err := alice.Conversations(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(convKeys(page.Conversations), " "); got != "c2c:bob c2c:carol group:"+gid || page.Cursor != "" {
			t.Fatalf("first page %q cursor %q", got, page.Cursor)
		}
		if last := page.Conversations[0].Last; last == nil || last.Type != client.TypeMessage || last.From != "bob" || last.To != "alice" ||
			!strings.Contains(string(last.MsgBody), "old bob") || page.Conversations[0].Time != base+1 {
			t.Fatalf("bob's conversation %+v, last %+v", page.Conversations[0], last)
		}
		if c := page.Conversations[2]; c.Time != 0 || c.Last != nil {
			t.Fatalf("empty community conversation %+v", c)
		}

		// A send over the WebSocket (bob, into a topic) and one by alice to
		// carol move their conversations up; the message frames are the
		// live update.
		bob := dial(t, s, "bob")
		if _, err := bob.Send(ctx, gid, topicA, 7, text("in topic")); err != nil {
			t.Fatal(err)
		}
		if m := next(t, alice, client.TypeMessage); m.GroupID != gid || m.TopicID != topicA {
			t.Fatalf("alice got %+v", m)
		}
		if _, err := alice.SendC2C(ctx, "carol", 8, text("hello carol")); err != nil {
			t.Fatal(err)
		}
		page, err = alice.Conversations(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		got := convKeys(page.Conversations)
		if len(got) != 3 || got[2] != "c2c:bob" || !(got[0] == "group:"+gid && got[1] == "c2c:carol" || got[0] == "c2c:carol" && got[1] == "group:"+gid) {
			t.Fatalf("after the sends %q, want the community and carol (one second) before bob", got)
		}
		for _, c := range page.Conversations {
			if c.GroupID == gid && (c.Last == nil || c.Last.TopicID != topicA || c.Last.Seq != 1 || c.Last.From != "bob") {
				t.Fatalf("community's last message %+v, want bob's in the topic", c.Last)
			}
		}

		// Pinning and deleting over REST reach alice's sessions, and only
		// hers.
		s.Must(t, "recentcontact/top", `{"From_Account":"alice","OperationType":1,"RecentContactItem":[{"Type":1,"To_Account":"bob"}]}`)
		ev := nextConversationEvent(t, alice)
		var data struct{ Pinned bool }
		if err := json.Unmarshal(ev.Data, &data); err != nil || ev.Event != "conversation.pinned" || !data.Pinned ||
			len(ev.Conversations) != 1 || ev.Conversations[0].Peer != "bob" {
			t.Fatalf("pin event %+v (%s)", ev, ev.Data)
		}
		page, err = alice.Conversations(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := convKeys(page.Conversations); got[0] != "c2c:bob*" {
			t.Fatalf("after the pin %q, want bob pinned first", got)
		}
		s.Must(t, "recentcontact/delete", `{"From_Account":"alice","Type":2,"ToGroupid":"`+gid+`"}`)
		ev = nextConversationEvent(t, alice)
		if ev.Event != "conversation.deleted" || len(ev.Conversations) != 1 || ev.Conversations[0].GroupID != gid {
			t.Fatalf("delete event %+v", ev)
		}
		page, err = alice.Conversations(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(convKeys(page.Conversations), " "); got != "c2c:bob* c2c:carol" {
			t.Fatalf("after the delete %q", got)
		}
		// bob saw neither event (both were queued before alice got hers).
		if err := bob.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		for drained := false; !drained; {
			select {
			case f := <-bob.Frames():
				if f.Type == client.TypeEvent && strings.HasPrefix(f.Event, "conversation.") {
					t.Fatalf("bob got alice's %s", f.Event)
				}
			default:
				drained = true
			}
		}

		// A cursor no answer gave is refused.
		_, err = alice.Conversations(ctx, "1.2.x.4")
		var e *client.Error
		if !errors.As(err, &e) || e.Code != 50002 {
			t.Fatalf("bad cursor: %v, want error 50002", err)
		}
	})
}

func TestConversationListPages(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	peers := make([]string, 130)
	quoted := make([]string, len(peers))
	for i := range peers {
		peers[i] = fmt.Sprintf("peer%03d", i)
		quoted[i] = `"` + peers[i] + `"`
	}
	s.ImportAccounts(t, append([]string{"hub"}, peers...)...)
	s.Must(t, "openim/batchsendmsg", `{"From_Account":"hub","To_Account":[`+strings.Join(quoted, ",")+`],"MsgRandom":1,"MsgBody":`+string(text("x"))+`}`)
	hub := dial(t, s, "hub")
	seen := map[string]bool{}
	cursor, pages := "", 0
	for {
		page, err := hub.Conversations(context.Background(), cursor)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, c := range page.Conversations {
			if seen[c.Peer] {
				t.Fatalf("%s listed twice", c.Peer)
			}
			seen[c.Peer] = true
		}
		if cursor = page.Cursor; cursor == "" {
			break
		}
	}
	if pages != 2 || len(seen) != len(peers) {
		t.Fatalf("%d pages holding %d conversations, want 2 holding %d", pages, len(seen), len(peers))
	}
}
