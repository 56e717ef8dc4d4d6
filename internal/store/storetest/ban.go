package storetest

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/message"
)

// banGroup creates the public group @TGS#a owned by alice (joined at 1)
// with the members ms, and the accounts others, who are no members.
func banGroup(t testing.TB, s Store, ms []group.Member, others ...string) group.Group {
	t.Helper()
	g := fullGroup("@TGS#a", group.Public)
	mustCreate(t, s, g, append([]group.Member{member("alice", group.RoleOwner, 1)}, ms...)...)
	if len(others) > 0 {
		mustAccounts(t, s, others...)
	}
	return g
}

// banCases are the bans of groups (migration 0014) and the deletion of a
// sender's messages.
var banCases = []testCase{
	{"a ban with an end time removes the members among them, in one transaction, and survives a restart", func(t *testing.T, s Store, reopen func() Store) {
		g := banGroup(t, s, []group.Member{member("bob", group.RoleMember, 1), member("carol", group.RoleAdmin, 1)}, "dave")
		removed, err := s.BanMembers(t.Context(), g.ID, []string{"dave", "carol", "bob", "carol"}, 200, "spam", 100)
		if want := []string{"carol", "bob"}; err != nil || !slices.Equal(removed, want) {
			t.Fatalf("BanMembers = %q, %v; want %q", removed, err, want)
		}
		wantMemberNum(t, s, g.ID, 1)
		wantNoMember(t, s, g.ID, "bob")
		wantOwner(t, s, g.ID, "alice")
		s = reopen()
		bans, err := s.ActiveBans(t.Context(), g.ID, []string{"bob", "carol", "dave", "alice"}, 100)
		want := map[string]group.Ban{
			"bob":   {GroupID: g.ID, UserID: "bob", Until: 200, Description: "spam", Created: 100},
			"carol": {GroupID: g.ID, UserID: "carol", Until: 200, Description: "spam", Created: 100},
			"dave":  {GroupID: g.ID, UserID: "dave", Until: 200, Description: "spam", Created: 100},
		}
		if err != nil || !reflect.DeepEqual(bans, want) {
			t.Fatalf("ActiveBans = %+v, %v; want %+v", bans, err, want)
		}
		if _, err := s.BanMembers(t.Context(), "@TGS#none", []string{"dave"}, 200, "", 100); !errors.Is(err, group.ErrNotFound) {
			t.Errorf("BanMembers(unknown group) = %v, want ErrNotFound", err)
		}
	}},
	{"a ban expires at its end time and a new ban replaces it", func(t *testing.T, s Store, _ func() Store) {
		g := banGroup(t, s, nil, "bob")
		if _, err := s.BanMembers(t.Context(), g.ID, []string{"bob"}, 200, "first", 100); err != nil {
			t.Fatal(err)
		}
		for now, banned := range map[int64]bool{100: true, 199: true, 200: false, 300: false} {
			bans, err := s.ActiveBans(t.Context(), g.ID, []string{"bob"}, now)
			if _, ok := bans["bob"]; err != nil || ok != banned {
				t.Errorf("ActiveBans at %d = %v, %v; want banned %v", now, bans, err, banned)
			}
			if list, total, err := s.ListBans(t.Context(), g.ID, now, 0, 10); err != nil || (len(list) == 1) != banned || (total == 1) != banned {
				t.Errorf("ListBans at %d = %v, %d, %v", now, list, total, err)
			}
		}
		if _, err := s.BanMembers(t.Context(), g.ID, []string{"bob"}, 500, "second", 300); err != nil {
			t.Fatal(err)
		}
		bans, _ := s.ActiveBans(t.Context(), g.ID, []string{"bob"}, 300)
		if b := bans["bob"]; b.Until != 500 || b.Description != "second" || b.Created != 300 {
			t.Errorf("the new ban is %+v", b)
		}
	}},
	{"unban lifts the bans in force and reports them; an ended ban is not reported", func(t *testing.T, s Store, _ func() Store) {
		g := banGroup(t, s, nil, "bob", "carol", "dave")
		s.BanMembers(t.Context(), g.ID, []string{"bob", "carol"}, 200, "", 100)
		s.BanMembers(t.Context(), g.ID, []string{"dave"}, 150, "", 100)
		got, err := s.UnbanMembers(t.Context(), g.ID, []string{"dave", "nobody", "carol"}, 160)
		if want := []string{"carol"}; err != nil || !slices.Equal(got, want) {
			t.Fatalf("UnbanMembers = %q, %v; want %q", got, err, want)
		}
		bans, _ := s.ActiveBans(t.Context(), g.ID, []string{"bob", "carol", "dave"}, 100)
		if len(bans) != 1 || bans["bob"].UserID != "bob" {
			t.Errorf("bans after unban: %+v", bans)
		}
	}},
	{"bans list in the order they end, in pages, with the count in force", func(t *testing.T, s Store, _ func() Store) {
		g := banGroup(t, s, nil)
		other := fullGroup("@TGS#b", group.Public)
		mustCreate(t, s, other, member("alice", group.RoleOwner, 1))
		ids := []string{"u1", "u2", "u3", "u4", "u5"}
		mustAccounts(t, s, ids...)
		for i, id := range ids { // u1 ends last, u5 first
			s.BanMembers(t.Context(), g.ID, []string{id}, int64(1000-i*10), "", 100)
		}
		s.BanMembers(t.Context(), g.ID, []string{"u3"}, 50, "", 40) // ended at 100
		s.BanMembers(t.Context(), other.ID, []string{"u1"}, 1000, "", 100)
		var got []string
		for offset := 0; ; offset += 2 {
			page, total, err := s.ListBans(t.Context(), g.ID, 100, offset, 2)
			if err != nil || total != 4 {
				t.Fatalf("ListBans(offset %d) = %v, %d, %v; want total 4", offset, page, total, err)
			}
			for _, b := range page {
				got = append(got, b.UserID)
			}
			if len(page) < 2 {
				break
			}
		}
		if want := []string{"u5", "u4", "u2", "u1"}; !slices.Equal(got, want) {
			t.Errorf("ListBans pages %q, want %q", got, want)
		}
	}},
	{"a banned user stays out until the ban ends: bans go with the group and the account", func(t *testing.T, s Store, _ func() Store) {
		g := banGroup(t, s, []group.Member{member("bob", group.RoleMember, 1)})
		s.BanMembers(t.Context(), g.ID, []string{"bob"}, 200, "", 100)
		// The refusal to re-add is the domain's, asked through ActiveBans
		// before AddMembers: while the ban is in force it names bob.
		if bans, _ := s.ActiveBans(t.Context(), g.ID, []string{"bob"}, 150); bans["bob"].Until != 200 {
			t.Fatalf("re-add during the ban would not be refused: %+v", bans)
		}
		wantNoMember(t, s, g.ID, "bob")
		if bans, _ := s.ActiveBans(t.Context(), g.ID, []string{"bob"}, 200); len(bans) != 0 {
			t.Fatalf("re-add after the ban would be refused: %+v", bans)
		}
		mustAdd(t, s, g.ID, member("bob", group.RoleMember, 201))
		if _, err := s.DeleteAccounts(t.Context(), []string{"bob"}, 300); err != nil {
			t.Fatal(err)
		}
		if _, total, _ := s.ListBans(t.Context(), g.ID, 100, 0, 10); total != 0 {
			t.Errorf("a deleted account's ban is listed")
		}
		mustAccounts(t, s, "carol")
		s.BanMembers(t.Context(), g.ID, []string{"carol"}, 200, "", 100)
		if err := s.DeleteGroup(t.Context(), g.ID); err != nil {
			t.Fatal(err)
		}
		if bans, _ := s.ActiveBans(t.Context(), g.ID, []string{"carol"}, 100); len(bans) != 0 {
			t.Errorf("a dissolved group's ban survives: %+v", bans)
		}
	}},
	{"wiping a sender's messages recalls and erases them in one stream or every stream of the group, keeping the sequences", func(t *testing.T, s Store, reopen func() Store) {
		tp := msgStreams(t, s, 3) // alice: 1..3 in the topic and in the group's own stream
		mustAccounts(t, s, "bob")
		for _, topicID := range []string{tp.ID, ""} {
			m := msg(tp.GroupID, topicID, 9, 20)
			m.From = "bob"
			mustAppend(t, s, m, "", 0, 4)
		}
		wiped := func(topicID string, want ...uint64) {
			t.Helper()
			var got []uint64
			for _, m := range history(t, s, tp.GroupID, topicID, 0, 10) {
				if m.Recalled {
					if string(m.Body) != "[]" || m.CloudCustomData != "" || m.From != "alice" {
						t.Errorf("wiped message %d kept %s / %q", m.Seq, m.Body, m.CloudCustomData)
					}
					got = append(got, m.Seq)
				} else if m.From != "bob" {
					t.Errorf("message %d from %s was not wiped", m.Seq, m.From)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("wiped in %q: %v, want %v", topicID, got, want)
			}
		}
		got, err := s.DeleteGroupMessagesBySender(t.Context(), tp.GroupID, tp.ID, false, "alice")
		if want := []message.StreamSeqs{{TopicID: tp.ID, Seqs: []uint64{1, 2, 3}}}; err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("DeleteGroupMessagesBySender(topic) = %+v, %v; want %+v", got, err, want)
		}
		wantHistory(t, s, tp.GroupID, tp.ID, 0, 10, 4, 3, 2, 1) // the sequences stay
		wiped(tp.ID, 1, 2, 3)
		s = reopen()
		if _, err := s.RecallGroupMessages(t.Context(), tp.GroupID, "", []uint64{2}); err != nil {
			t.Fatal(err)
		}
		got, err = s.DeleteGroupMessagesBySender(t.Context(), tp.GroupID, "", true, "alice")
		if want := []message.StreamSeqs{{TopicID: "", Seqs: []uint64{1, 2, 3}}}; err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("DeleteGroupMessagesBySender(all) = %+v, %v; want %+v (a recalled one is erased too)", got, err, want)
		}
		wiped("", 1, 2, 3)
		wantStreamState(t, s, tp.GroupID, "", 5, 20)
		if got, err := s.DeleteGroupMessagesBySender(t.Context(), tp.GroupID, "", true, "alice"); err != nil || len(got) != 0 {
			t.Errorf("a second wipe = %+v, %v; want nothing", got, err)
		}
	}},
}
