package permgroup_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/invalidate"
	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/permission"
	"github.com/hearth-chat/hearth/internal/store/sqlite"
	"github.com/hearth-chat/hearth/internal/topic"
)

// BenchmarkAuthorizeSendInTopic measures one permission decision on the
// send path as the server makes it: a member of 10 permission groups (each
// holding topic permissions in 100 of the community's 1,000 topics) asks to
// send in a topic. It includes the membership, topic and grant lookups
// (warm caches, so no store reads) and the engine's Decide.
func BenchmarkAuthorizeSendInTopic(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "h.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	caches := invalidate.New()
	bus := event.NewDispatcher(event.NewLocal(), caches.Apply)
	accounts := account.NewService(db, nil, nil)
	for _, id := range []string{"owner", "m"} {
		if err := accounts.Import(ctx, account.NewAccount{UserID: id}); err != nil {
			b.Fatal(err)
		}
	}
	grants := permgroup.NewGrants(db, topic.NewReader(db, caches.Topics), caches.Grants)
	groups := group.NewService(db, db, bus, nil, group.WithCache(caches.Groups), group.WithGrants(grants))
	topics := topic.NewService(db, groups, bus, nil, topic.WithCache(caches.Topics))
	pmgs := permgroup.NewService(db, groups, topics, bus, nil)
	zero := uint64(0)
	gid, err := groups.Create(ctx, group.CreateRequest{Type: "Community", Name: "c", Owner: "owner", SupportTopic: 1, EnablePermission: 1, DefaultPermission: &zero, Members: []group.NewMember{{UserID: "m"}}})
	if err != nil {
		b.Fatal(err)
	}
	g, _ := groups.Get(ctx, gid)
	var topicIDs []string
	for i := 0; i < 1000; i++ {
		id, err := topics.Create(ctx, topic.CreateRequest{GroupID: gid, Name: fmt.Sprint("t", i)})
		if err != nil {
			b.Fatal(err)
		}
		topicIDs = append(topicIDs, id)
	}
	for p := 0; p < 10; p++ {
		perm := uint64(0)
		pg, err := pmgs.Create(ctx, permgroup.CreateRequest{GroupID: gid, Name: ptr(fmt.Sprint("pg", p)), Permission: &perm})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := pmgs.AddMembers(ctx, gid, pg, []string{"m"}); err != nil {
			b.Fatal(err)
		}
		for chunk := 0; chunk < 100; chunk += permgroup.MaxTopicPerms {
			var items []permgroup.TopicItem
			for i := chunk; i < chunk+permgroup.MaxTopicPerms; i++ {
				bits := uint64(permission.TopicSendMessage)
				items = append(items, permgroup.TopicItem{TopicID: topicIDs[p*100+i], Permission: &bits})
			}
			if _, err := pmgs.AddTopicPerms(ctx, gid, pg, items); err != nil {
				b.Fatal(err)
			}
		}
	}
	target := topicIDs[999] // held by the tenth permission group
	actor := group.Actor{UserID: "m"}
	if err := groups.Authorize(ctx, g, actor, permission.SendMessage, "", target); err != nil {
		b.Fatalf("warm-up: %v", err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := groups.Authorize(ctx, g, actor, permission.SendMessage, "", target); err != nil {
			b.Fatal(err)
		}
	}
}

func ptr[T any](v T) *T { return &v }
