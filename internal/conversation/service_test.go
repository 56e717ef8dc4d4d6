package conversation_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/conversation"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/store/sqlite"
)

// changeLog records the changes a service publishes.
type changeLog struct{ changes []event.Change }

func (l *changeLog) Publish(e event.Event) { l.changes = append(l.changes, e.Change) }

// members answers memberships from a fixed set: "group/user".
type members map[string]bool

func (m members) Member(_ context.Context, groupID, userID string) (group.Member, error) {
	if m[groupID+"/"+userID] {
		return group.Member{UserID: userID}, nil
	}
	return group.Member{}, group.ErrNoMember
}

// env is a Service over a real SQLite store holding alice's one-to-one
// conversations with p0 … p6 at times 100, 100, 100, 90, 90, 80, 70.
type env struct {
	db  *sqlite.DB
	svc *conversation.Service
	log *changeLog
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hearth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ids := []account.Import{{UserID: "alice"}}
	times := []int64{100, 100, 100, 90, 90, 80, 70}
	for i := range times {
		ids = append(ids, account.Import{UserID: fmt.Sprint("p", i)})
	}
	if err := db.ImportAccounts(ctx, ids, 1); err != nil {
		t.Fatal(err)
	}
	for i, at := range times {
		m := message.C2CMessage{From: fmt.Sprint("p", i), To: "alice", Random: uint32(i), Time: at, Key: fmt.Sprint("k", i), Body: []byte(`[]`)}
		if _, _, err := db.AppendC2C(ctx, m, "", 0); err != nil {
			t.Fatal(err)
		}
	}
	log := &changeLog{}
	now := func() time.Time { return time.Unix(1_700_000_000, 0) }
	return &env{db: db, svc: conversation.NewService(db, db, members{"g/alice": true}, nil, log, now), log: log}
}

func (e *env) pin(t *testing.T, op int, peers ...string) error {
	t.Helper()
	refs := make([]conversation.Ref, len(peers))
	for i, p := range peers {
		refs[i] = conversation.Ref{Type: conversation.C2C, ID: p}
	}
	return e.svc.Pin(t.Context(), conversation.PinRequest{User: "alice", Operation: op, Refs: refs})
}

// pages lists every page of alice's list with limit and flags, returning
// each page's peers ("*" after a pinned one).
func (e *env) pages(t *testing.T, limit, flags int) [][]string {
	t.Helper()
	var out [][]string
	req := conversation.ListRequest{User: "alice", Flags: flags, Limit: limit}
	for range 20 {
		p, err := e.svc.List(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range p.Items {
			id := c.ID
			if c.Pinned {
				id += "*"
			}
			ids = append(ids, id)
		}
		out = append(out, ids)
		if p.Complete {
			return out
		}
		req.Normal, req.Pinned = p.Normal, p.Pinned
	}
	t.Fatal("the list did not complete in 20 pages")
	return nil
}

func TestListPages(t *testing.T) {
	e := newEnv(t)
	if err := e.pin(t, conversation.OpPin, "p4", "p6"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name         string
		limit, flags int
		want         [][]string
	}{
		{"one order, ties by ID, pages among equal times", 2, 0,
			[][]string{{"p0", "p1"}, {"p2", "p3"}, {"p4*", "p5"}, {"p6*"}}},
		{"pinned first, all on the first page", 2, conversation.FlagPinned,
			[][]string{{"p4*", "p6*", "p0", "p1"}, {"p2", "p3"}, {"p5"}}},
		{"pinned first and paged with the others", 3, conversation.FlagPinned | conversation.FlagPinnedPages,
			[][]string{{"p4*", "p6*", "p0"}, {"p1", "p2", "p3"}, {"p5"}}},
		{"pinned pages alone", 1, conversation.FlagPinned | conversation.FlagPinnedPages,
			[][]string{{"p4*"}, {"p6*"}, {"p0"}, {"p1"}, {"p2"}, {"p3"}, {"p5"}}},
		{"a page exactly full of pinned ones", 2, conversation.FlagPinned | conversation.FlagPinnedPages,
			[][]string{{"p4*", "p6*"}, {"p0", "p1"}, {"p2", "p3"}, {"p5"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := e.pages(t, c.limit, c.flags)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("pages\n got %v\nwant %v", got, c.want)
			}
		})
	}
}

func TestRulesRefuseBadInputBeforeTheStore(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	c2c := func(id string) []conversation.Ref { return []conversation.Ref{{Type: conversation.C2C, ID: id}} }
	for _, c := range []struct {
		name string
		call func() error
		want int
	}{
		{"list: malformed user", func() error {
			_, err := e.svc.List(ctx, conversation.ListRequest{User: "bad\x00id"})
			return err
		}, apierr.RecentBadParam},
		{"list: unknown user", func() error { _, err := e.svc.List(ctx, conversation.ListRequest{User: "ghost"}); return err }, apierr.RecentNoAccount},
		{"list: negative StartIndex", func() error {
			_, err := e.svc.List(ctx, conversation.ListRequest{User: "alice", Normal: conversation.Cursor{Index: -1}})
			return err
		}, apierr.RecentBadParam},
		{"list: negative AssistFlags", func() error {
			_, err := e.svc.List(ctx, conversation.ListRequest{User: "alice", Flags: -1})
			return err
		}, apierr.RecentBadParam},
		{"pin: no operation", func() error { return e.svc.Pin(ctx, conversation.PinRequest{User: "alice", Refs: c2c("p0")}) }, apierr.RecentBadParam},
		{"pin: group ID too long", func() error {
			return e.svc.Pin(ctx, conversation.PinRequest{User: "alice", Operation: conversation.OpPin,
				Refs: []conversation.Ref{{Type: conversation.Group, ID: string(make([]byte, 200))}}})
		}, apierr.RecentBadParam},
		{"pin: group not joined", func() error {
			return e.svc.Pin(ctx, conversation.PinRequest{User: "alice", Operation: conversation.OpPin,
				Refs: []conversation.Ref{{Type: conversation.Group, ID: "other"}}})
		}, apierr.RecentBadParam},
		{"pin: unknown peer", func() error {
			return e.svc.Pin(ctx, conversation.PinRequest{User: "alice", Operation: conversation.OpPin, Refs: c2c("ghost")})
		}, apierr.RecentNoAccount},
		{"delete: malformed peer", func() error {
			return e.svc.Delete(ctx, conversation.DeleteRequest{User: "alice", Ref: conversation.Ref{Type: conversation.C2C, ID: "a\nb"}})
		}, apierr.RecentBadParam},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if e, ok := apierr.As(err); !ok || e.Code != c.want {
				t.Fatalf("got %v, want code %d", err, c.want)
			}
		})
	}
	if len(e.log.changes) != 0 {
		t.Fatalf("refused calls published %v", e.log.changes)
	}
	// The group pin the membership allows, and a delete, publish their
	// changes for alice alone.
	g := conversation.Ref{Type: conversation.Group, ID: "g"}
	if err := e.svc.Pin(ctx, conversation.PinRequest{User: "alice", Operation: conversation.OpPin, Refs: []conversation.Ref{g}}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Delete(ctx, conversation.DeleteRequest{User: "alice", Ref: g}); err != nil {
		t.Fatal(err)
	}
	want := []event.Change{
		conversation.Pinned{User: "alice", Refs: []conversation.Ref{g}, Pinned: true},
		conversation.Deleted{User: "alice", Ref: g},
	}
	if fmt.Sprint(e.log.changes) != fmt.Sprint(want) {
		t.Fatalf("changes %v, want %v", e.log.changes, want)
	}
	for _, c := range e.log.changes {
		if s := c.Scope(); !slices.Equal(s.Users, []string{"alice"}) || s.GroupID != "" {
			t.Fatalf("%s scope %+v: want alice's sessions only", c.Kind(), s)
		}
	}
}
