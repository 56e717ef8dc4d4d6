package storetest

import (
	"strconv"
	"testing"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/topic"
)

// Bench runs every benchmark of the suite as a sub-benchmark of b, each on
// a fresh store from open, named as the Bench function it runs without
// "Bench": BenchmarkStore/UserGrants runs BenchUserGrants.
func Bench(b *testing.B, open Opener) {
	for _, bench := range []struct {
		name string
		run  func(*testing.B, Opener)
	}{
		{"ImportAccount", BenchImportAccount},
		{"ImportAccounts100", BenchImportAccounts100},
		{"AddMembers300", BenchAddMembers300},
		{"GetMember", BenchGetMember},
		{"ModifyTopic", BenchModifyTopic},
		{"GetTopics", BenchGetTopics},
		{"UserGrants", BenchUserGrants},
		{"AppendGroupMessage", BenchAppendGroupMessage},
		{"RaiseRead", BenchRaiseRead},
		{"StreamReads1000Topics", BenchStreamReads1000Topics},
	} {
		b.Run(bench.name, func(b *testing.B) { bench.run(b, open) })
	}
}

// benchLoop reports allocations and calls op once per iteration of b's
// timed loop, with the iteration's number: 0, 1, 2 and so on.
func benchLoop(b *testing.B, op func(n int)) {
	b.ReportAllocs()
	for n := 0; b.Loop(); n++ {
		op(n)
	}
}

// benchProfile is the profile each benchmarked account is imported with.
var benchProfile = []account.ProfileItem{item(nick, `"Bench User"`), item(level, `3`)}

// BenchImportAccount measures ImportAccounts of one new account with two
// profile items per call: the cost of one write transaction.
func BenchImportAccount(b *testing.B, open Opener) {
	s, _ := open(b)
	ctx := b.Context()
	benchLoop(b, func(n int) {
		imports := []account.Import{{UserID: "bench" + strconv.Itoa(n), Profile: benchProfile}}
		if err := s.ImportAccounts(ctx, imports, 100); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchImportAccounts100 measures ImportAccounts of 100 new accounts
// ([account.MaxBatch], one multiaccount_import) with two profile items each
// per call.
func BenchImportAccounts100(b *testing.B, open Opener) {
	s, _ := open(b)
	ctx := b.Context()
	b.ReportAllocs()
	imports := make([]account.Import, account.MaxBatch)
	n := 0
	for b.Loop() {
		for i := range imports {
			imports[i] = account.Import{UserID: "bench" + strconv.Itoa(n), Profile: benchProfile}
			n++
		}
		if err := s.ImportAccounts(ctx, imports, 100); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchAddMembers300 measures AddMembers of 300 members at once (one
// call of the 334 that build a 100,000-member community) into an empty
// group. Each call has a new group and the previous one is deleted, untimed,
// so that the tables keep their size whatever b.N is.
func BenchAddMembers300(b *testing.B, open Opener) {
	s, _ := open(b)
	ctx := b.Context()
	ids := userIDs("m", 300)
	mustAccounts(b, s, ids...)
	ms := members(ids...)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		b.StopTimer()
		if n > 0 {
			if err := s.DeleteGroup(ctx, "@TGS#bench"+strconv.Itoa(n-1)); err != nil {
				b.Fatal(err)
			}
		}
		g := fullGroup("@TGS#bench"+strconv.Itoa(n), group.Community)
		g.Owner = ""
		n++
		if err := s.CreateGroup(ctx, g, nil); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := s.AddMembers(ctx, g.ID, ms, 100_000)
		if err != nil || len(res.Added) != len(ms) {
			b.Fatalf("AddMembers: %d added, %v", len(res.Added), err)
		}
	}
}

// BenchGetMember measures GetMember in a group of 300 members.
func BenchGetMember(b *testing.B, open Opener) {
	s, _ := open(b)
	ctx := b.Context()
	ids := userIDs("m", 300)
	g := fullGroup("@TGS#bench", group.Community)
	g.Owner = ""
	mustCreate(b, s, g, members(ids...)...)
	benchLoop(b, func(n int) {
		if _, err := s.GetMember(ctx, g.ID, ids[n%len(ids)]); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchModifyTopic measures ModifyTopic of the name and the notification of
// one topic of a community of 100 topics: the cost of one write.
func BenchModifyTopic(b *testing.B, open Opener) {
	s, ids := benchTopics(b, open, 100)
	ctx := b.Context()
	benchLoop(b, func(n int) {
		name, notice := "name "+strconv.Itoa(n), "notice"
		if _, err := s.ModifyTopic(ctx, "@TGS#_bench", ids[n%len(ids)], topic.Patch{Name: &name, Notification: &notice}); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchGetTopics measures GetTopics of one topic by ID in a community of
// 1,000 topics, the usual way one topic is looked up.
func BenchGetTopics(b *testing.B, open Opener) {
	s, ids := benchTopics(b, open, 1000)
	ctx := b.Context()
	benchLoop(b, func(n int) {
		got, err := s.GetTopics(ctx, "@TGS#_bench", ids[n%len(ids):n%len(ids)+1])
		if err != nil || len(got) != 1 {
			b.Fatalf("GetTopics: %d topics, %v", len(got), err)
		}
	})
}

// BenchUserGrants measures UserGrants of a member of 10 permission groups,
// each holding topic permissions in 100 topics (its own) of a community of
// 1,000 topics: what a cache miss on the send path reads.
func BenchUserGrants(b *testing.B, open Opener) {
	const (
		groups         = 10
		topicsPerGroup = 100
	)
	s, topics := benchTopics(b, open, groups*topicsPerGroup)
	ctx := b.Context()
	mustAccounts(b, s, "bench")
	mustAdd(b, s, "@TGS#_bench", members("bench")...)
	for i := range groups {
		pg := fullPermGroup("@TGS#_bench", "pg"+strconv.Itoa(i))
		mustCreatePermGroup(b, s, pg, groups)
		perms := make([]permgroup.TopicPerm, topicsPerGroup)
		for j := range perms {
			perms[j] = permgroup.TopicPerm{TopicID: topics[i*topicsPerGroup+j], Permission: uint64(j) | 1<<63}
		}
		mustAddTopicPerms(b, s, pg.GroupID, pg.ID, perms...)
		mustAddPermGroupMembers(b, s, pg.GroupID, pg.ID, "bench")
	}
	b.ReportAllocs()
	for b.Loop() {
		grants, err := s.UserGrants(ctx, "@TGS#_bench", "bench")
		if err != nil || len(grants) != groups || len(grants[groups-1].Topics) != topicsPerGroup {
			b.Fatalf("UserGrants: %d grants, %v", len(grants), err)
		}
	}
}

// benchTopics opens a store from open with the community @TGS#_bench of n
// topics, and returns it and the topics' IDs.
func benchTopics(b *testing.B, open Opener, n int) (Store, []string) {
	s, _ := open(b)
	mustCommunity(b, s, "@TGS#_bench")
	ids := make([]string, n)
	for i := range ids {
		tp := fullTopic("@TGS#_bench", strconv.Itoa(i))
		mustCreateTopic(b, s, tp, n)
		ids[i] = tp.ID
	}
	return s, ids
}

// BenchAppendGroupMessage measures AppendGroupMessage to one topic, one
// after the other, each with its own de-duplication key as the message
// service sends it: the lookup, the sequence and the insert of one send.
func BenchAppendGroupMessage(b *testing.B, open Opener) {
	s, ids := benchTopics(b, open, 1)
	ctx := b.Context()
	benchLoop(b, func(n int) {
		m := msg("@TGS#_bench", ids[0], n, 1_700_000_000)
		if _, dup, err := s.AppendGroupMessage(ctx, m, "key"+strconv.Itoa(n+1), 1_700_000_000-300); err != nil || dup {
			b.Fatalf("AppendGroupMessage: dup %v, %v", dup, err)
		}
	})
}

// BenchRaiseRead measures RaiseRead of one member in one topic, each call a
// step further: what marking a stream read writes.
func BenchRaiseRead(b *testing.B, open Opener) {
	s, ids := benchTopics(b, open, 1)
	ctx := b.Context()
	benchLoop(b, func(n int) {
		if _, err := s.RaiseRead(ctx, "bench", "@TGS#_bench", ids[0], uint64(n+1), 1_700_000_000, 0); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchStreamReads1000Topics measures StreamReads of a member of a
// community of 1,000 topics who has read half of them: the one read behind
// the member's unread counts of every topic.
func BenchStreamReads1000Topics(b *testing.B, open Opener) {
	s, ids := benchTopics(b, open, 1000)
	ctx := b.Context()
	for i, id := range ids[:500] {
		if _, err := s.RaiseRead(ctx, "bench", "@TGS#_bench", id, uint64(i), 1_700_000_000, 0); err != nil {
			b.Fatal(err)
		}
	}
	benchLoop(b, func(int) {
		got, err := s.StreamReads(ctx, "bench", "@TGS#_bench", "")
		if err != nil || len(got) != 1001 {
			b.Fatalf("StreamReads: %d streams, %v", len(got), err)
		}
	})
}
