package topic_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/store/sqlite"
	"github.com/hearth-chat/hearth/internal/topic"
)

// TestCheckPost covers who may post in a topic: membership, the send
// permission, member and topic mutes, and MuteAllMember (decision 8), in
// classic and permission mode.
func TestCheckPost(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	accounts := account.NewService(db, []string{"admin"}, nil)
	for _, id := range []string{"owner", "adm", "mem", "muted", "tmuted", "outsider"} {
		if err := accounts.Import(ctx, account.NewAccount{UserID: id}); err != nil {
			t.Fatal(err)
		}
	}
	groups := group.NewService(db, db, nil, nil, group.WithGrants(topic.NewReader(db, nil)))
	topics := topic.NewService(db, groups, nil, nil)
	members := []group.NewMember{{UserID: "adm", Role: "Admin"}, {UserID: "mem"}, {UserID: "muted"}, {UserID: "tmuted"}}
	mk := func(perm int) (group.Group, topic.Topic, topic.Topic) {
		var def *uint64
		if perm == 1 {
			zero := uint64(0)
			def = &zero
		}
		id, err := groups.Create(ctx, group.CreateRequest{Type: "Community", Name: "c", Owner: "owner", SupportTopic: 1, EnablePermission: perm, DefaultPermission: def, Members: members})
		if err != nil {
			t.Fatal(err)
		}
		g, _ := groups.Get(ctx, id)
		send := uint64(8) // topic SEND_MESSAGE
		open, err := topics.Create(ctx, topic.CreateRequest{GroupID: id, Name: "open", DefaultPermission: &send})
		if err != nil {
			t.Fatal(err)
		}
		closed, err := topics.Create(ctx, topic.CreateRequest{GroupID: id, Name: "closed"})
		if err != nil {
			t.Fatal(err)
		}
		hour := int64(3600)
		if err := groups.Mute(ctx, id, []string{"muted"}, &hour); err != nil {
			t.Fatal(err)
		}
		if err := topics.Mute(ctx, id, open, []string{"tmuted"}, &hour); err != nil {
			t.Fatal(err)
		}
		to, _ := topics.Get(ctx, g, open)
		tc, _ := topics.Get(ctx, g, closed)
		return g, to, tc
	}
	classic, cOpen, cClosed := mk(0)
	perm, pOpen, pClosed := mk(1)
	on := "On"
	muteAll := func(g group.Group, tp topic.Topic) topic.Topic {
		after, err := topics.Modify(ctx, topic.ModifyRequest{GroupID: g.ID, TopicID: tp.ID, MuteAllMember: &on})
		if err != nil {
			t.Fatal(err)
		}
		return after
	}
	cases := []struct {
		name string
		g    group.Group
		tp   func() topic.Topic
		user string
		want int
	}{
		{"app admin", classic, func() topic.Topic { return cClosed }, "", 0},
		{"classic member", classic, func() topic.Topic { return cClosed }, "mem", 0},
		{"non-member", classic, func() topic.Topic { return cClosed }, "outsider", apierr.GroupNoPermission},
		{"member muted in the group", classic, func() topic.Topic { return cClosed }, "muted", apierr.GroupSenderMuted},
		{"member muted in this topic", classic, func() topic.Topic { return cOpen }, "tmuted", apierr.GroupSenderMuted},
		{"member muted in another topic", classic, func() topic.Topic { return cClosed }, "tmuted", 0},
		{"permission mode: topic default grants send", perm, func() topic.Topic { return pOpen }, "mem", 0},
		{"permission mode: no send bit in this topic", perm, func() topic.Topic { return pClosed }, "mem", apierr.GroupNoPermission},
		{"permission mode: admin is an ordinary member", perm, func() topic.Topic { return pClosed }, "adm", apierr.GroupNoPermission},
		{"permission mode: owner", perm, func() topic.Topic { return pClosed }, "owner", 0},
		{"mute all: member refused", classic, func() topic.Topic { return muteAll(classic, cClosed) }, "mem", apierr.GroupSenderMuted},
		{"mute all: classic admin posts", classic, func() topic.Topic { return muteAll(classic, cClosed) }, "adm", 0},
		{"mute all: owner posts", classic, func() topic.Topic { return muteAll(classic, cClosed) }, "owner", 0},
		{"mute all: app admin posts", classic, func() topic.Topic { return muteAll(classic, cClosed) }, "", 0},
		{"mute all, permission mode: send bit is not enough", perm, func() topic.Topic { return muteAll(perm, pOpen) }, "mem", apierr.GroupSenderMuted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := topics.CheckPost(ctx, c.g, c.tp(), group.Actor{UserID: c.user})
			if got := apierr.CodeOf(err); got != c.want || (err != nil && got == 0) {
				t.Fatalf("got %v (code %d), want %d", err, got, c.want)
			}
		})
	}
}
