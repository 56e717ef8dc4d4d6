package storetest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/hearth-chat/hearth/internal/permgroup"
)

// permGroupCases cover permission groups themselves: creation against the
// limit, reads, changes, and how they end.
var permGroupCases = []testCase{
	{"create then get returns every field, the member count computed, also after reopening", func(t *testing.T, s Store, reopen func() Store) {
		mustCommunity(t, s, "@TGS#_a", "alice")
		a, b := fullPermGroup("@TGS#_a", "a"), fullPermGroup("@TGS#_a", "b")
		a.MemberCount = 7 // not stored: the store counts
		b.Name, b.Permission, b.CustomString, b.CreateTime = "", 0, "", 0
		mustCreatePermGroup(t, s, a, 0)
		mustCreatePermGroup(t, s, b, 0)
		mustAddPermGroupMembers(t, s, a.GroupID, a.ID, "alice")
		a.MemberCount = 1
		for range 2 {
			wantPermGroups(t, s, "@TGS#_a", nil, "", 0, a, b)
			wantPermGroups(t, s, "@TGS#_a", []string{b.ID}, "", 0, b)
			wantPermGroups(t, s, "@TGS#_a", []string{b.ID, a.ID}, "", 0, b, a)
			s = reopen()
		}
	}},
	{"get all is in ID byte order after the cursor, up to the limit; by IDs in the order asked, each once", testGetPermGroups},
	{"create with a taken ID is ErrExists and changes nothing; another community may use the ID", func(t *testing.T, s Store, _ func() Store) {
		mustCommunity(t, s, "@TGS#_a")
		mustCommunity(t, s, "@TGS#_b")
		pg := fullPermGroup("@TGS#_a", "x")
		mustCreatePermGroup(t, s, pg, 0)
		again := pg
		again.Name, again.Permission = "other", 1
		if err := s.CreatePermGroup(t.Context(), again, 0); !errors.Is(err, permgroup.ErrExists) {
			t.Fatalf("CreatePermGroup(taken ID) = %v, want ErrExists", err)
		}
		wantPermGroups(t, s, pg.GroupID, nil, "", 0, pg)
		again.GroupID = "@TGS#_b"
		mustCreatePermGroup(t, s, again, 1)
		wantPermGroups(t, s, "@TGS#_b", nil, "", 0, again)
		wantPermGroups(t, s, pg.GroupID, nil, "", 0, pg)
	}},
	{"create up to the limit: exactly at it succeeds, one over is ErrTooMany and writes nothing", testPermGroupLimit},
	{"concurrent creates never exceed the limit", testConcurrentPermGroupCreates},
	{"concurrent creates of one ID: one succeeds, the others are ErrExists", func(t *testing.T, s Store, _ func() Store) {
		mustCommunity(t, s, "@TGS#_a")
		const n = 6
		wantOneCreate(t, n, permgroup.ErrExists, func(i int) error {
			pg := fullPermGroup("@TGS#_a", "race")
			pg.Name = fmt.Sprint("creator ", i)
			return s.CreatePermGroup(t.Context(), pg, 0)
		})
		wantPermGroupIDs(t, s, "@TGS#_a", nil, "", 0, "race")
	}},
	{"create in a community that does not exist is ErrNoGroup", func(t *testing.T, s Store, _ func() Store) {
		if err := s.CreatePermGroup(t.Context(), fullPermGroup("@TGS#_none", "a"), 10); !errors.Is(err, permgroup.ErrNoGroup) {
			t.Errorf("CreatePermGroup(unknown community) = %v, want ErrNoGroup", err)
		}
		mustCommunity(t, s, "@TGS#_gone")
		if err := s.DeleteGroup(t.Context(), "@TGS#_gone"); err != nil {
			t.Fatal(err)
		}
		if err := s.CreatePermGroup(t.Context(), fullPermGroup("@TGS#_gone", "a"), 0); !errors.Is(err, permgroup.ErrNoGroup) {
			t.Errorf("CreatePermGroup(deleted community) = %v, want ErrNoGroup", err)
		}
		wantPermGroupIDs(t, s, "@TGS#_none", nil, "", 0)
	}},
	{"modify applies only the set fields and returns the permission group after it", testModifyPermGroup},
	{"delete returns the IDs that existed in input order, each once, with their members and topic permissions", testDeletePermGroups},
	{"deleting the community deletes its permission groups with their members and topic permissions", func(t *testing.T, s Store, _ func() Store) {
		for _, id := range []string{"@TGS#_a", "@TGS#_b"} {
			mustCommunity(t, s, id, "alice")
			mustCreateTopic(t, s, fullTopic(id, "t"), 0)
			mustCreatePermGroup(t, s, fullPermGroup(id, "p"), 0)
			mustAddPermGroupMembers(t, s, id, "p", "alice")
			mustAddTopicPerms(t, s, id, "p", topicPerm(id, "t", 1))
		}
		if err := s.DeleteGroup(t.Context(), "@TGS#_a"); err != nil {
			t.Fatal(err)
		}
		wantPermGroupIDs(t, s, "@TGS#_a", nil, "", 0)
		wantGrants(t, s, "@TGS#_a", "alice")
		if _, err := s.ListPermGroupMembers(t.Context(), "@TGS#_a", "p", "", 0); !errors.Is(err, permgroup.ErrNotFound) {
			t.Errorf("ListPermGroupMembers(deleted community) = %v, want ErrNotFound", err)
		}
		wantGrants(t, s, "@TGS#_b", "alice", grant("p", permBits, topicPerm("@TGS#_b", "t", 1)))
		// Nothing is left to haunt a new community with the same IDs.
		mustCommunity(t, s, "@TGS#_a", "alice")
		mustCreateTopic(t, s, fullTopic("@TGS#_a", "t"), 0)
		mustCreatePermGroup(t, s, fullPermGroup("@TGS#_a", "p"), 1)
		wantPermGroupMembers(t, s, "@TGS#_a", "p")
		wantTopicPerms(t, s, "@TGS#_a", "p", nil)
		wantGrants(t, s, "@TGS#_a", "alice")
	}},
	{"values round-trip byte for byte", func(t *testing.T, s Store, _ func() Store) {
		mustCommunity(t, s, "@TGS#_a")
		var want []permgroup.PermGroup
		for i, v := range []struct {
			text string
			u64  uint64
		}{
			{"权限组 🎉", permBits},
			{`a"b\c` + "\n\t<&>\u2028", math.MaxUint64},
			{"  spaced  ", 1 << 63},
			{"", 0},
		} {
			pg := fullPermGroup("@TGS#_a", fmt.Sprintf("%d é🎉", i))
			pg.Name, pg.CustomString, pg.Permission, pg.CreateTime = v.text, v.text+"c", v.u64, math.MaxInt64-int64(i)
			mustCreatePermGroup(t, s, pg, 0)
			want = append(want, pg)
		}
		wantPermGroups(t, s, "@TGS#_a", nil, "", 0, want...)
		if want[0].Permission != 1<<63|5 {
			t.Fatalf("fixture: Permission %d, want 1<<63|5", want[0].Permission)
		}
		wantPermGroups(t, s, "@TGS#_a", []string{want[0].ID}, "", 0, want[0])
	}},
}

// testGetPermGroups creates permission groups whose IDs sort against their
// creation order and against most locales.
func testGetPermGroups(t *testing.T, s Store, _ func() Store) {
	mustCommunity(t, s, "@TGS#_a")
	mustCommunity(t, s, "@TGS#_b")
	for _, id := range []string{"z", "a", "M", "é", "0", "_x"} {
		mustCreatePermGroup(t, s, fullPermGroup("@TGS#_a", id), 0)
	}
	mustCreatePermGroup(t, s, fullPermGroup("@TGS#_b", "only-b"), 0)
	all := []string{"0", "M", "_x", "a", "z", "é"}
	for _, tc := range []struct {
		name  string
		ids   []string
		after string
		limit int
		want  []string
	}{
		{"all", nil, "", 0, all},
		{"a first page", nil, "", 2, all[:2]},
		{"after an ID", nil, "M", 3, all[2:5]},
		{"after an ID that is none", nil, "N", 0, all[2:]},
		{"after the last", nil, "é", 0, nil},
		{"a negative limit is none", nil, "", -1, all},
		{"some, repeated and missing; cursor and limit ignored", []string{"é", "none", "z", "é", "only-b"}, "z", 1, []string{"é", "z"}},
		{"one", []string{"M"}, "", 0, []string{"M"}},
		{"one missing", []string{"none"}, "", 0, nil},
		{"one of another community", []string{"only-b"}, "", 0, nil},
		{"none", []string{}, "", 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) { wantPermGroupIDs(t, s, "@TGS#_a", tc.ids, tc.after, tc.limit, tc.want...) })
	}
	var got []string
	for after := ""; ; {
		page, err := s.GetPermGroups(t.Context(), "@TGS#_a", nil, after, 4)
		if err != nil {
			t.Fatal(err)
		}
		for _, pg := range page {
			got = append(got, pg.ID)
		}
		if len(page) < 4 || len(got) > len(all) {
			break
		}
		after = page[len(page)-1].ID
	}
	if !slices.Equal(got, all) {
		t.Errorf("paging by after = %q, want %q", got, all)
	}
}

// testPermGroupLimit fills a community up to a limit of three.
func testPermGroupLimit(t *testing.T, s Store, _ func() Store) {
	const limit = 3
	mustCommunity(t, s, "@TGS#_a")
	mustCommunity(t, s, "@TGS#_b")
	mustCreatePermGroup(t, s, fullPermGroup("@TGS#_b", "other"), limit) // other communities do not count
	for _, step := range []struct {
		name, id string
		max      int
		wantErr  error
		want     []string
	}{
		{"the first", "p1", limit, nil, []string{"p1"}},
		{"the second", "p2", limit, nil, []string{"p1", "p2"}},
		{"up to the limit exactly", "p3", limit, nil, []string{"p1", "p2", "p3"}},
		{"one over", "p4", limit, permgroup.ErrTooMany, []string{"p1", "p2", "p3"}},
		{"a taken ID when full", "p1", limit, permgroup.ErrTooMany, []string{"p1", "p2", "p3"}},
		{"a limit below the count", "p4", 2, permgroup.ErrTooMany, []string{"p1", "p2", "p3"}},
		{"no limit", "p4", 0, nil, []string{"p1", "p2", "p3", "p4"}},
	} {
		err := s.CreatePermGroup(t.Context(), fullPermGroup("@TGS#_a", step.id), step.max)
		if !errors.Is(err, step.wantErr) {
			t.Errorf("%s: CreatePermGroup = %v, want %v", step.name, err, step.wantErr)
		}
		wantPermGroupIDs(t, s, "@TGS#_a", nil, "", 0, step.want...)
	}
	if _, err := s.DeletePermGroups(t.Context(), "@TGS#_a", []string{"p1", "p2"}); err != nil {
		t.Fatal(err)
	}
	mustCreatePermGroup(t, s, fullPermGroup("@TGS#_a", "p5"), limit) // deleting makes room
	if err := s.CreatePermGroup(t.Context(), fullPermGroup("@TGS#_a", "p6"), limit); !errors.Is(err, permgroup.ErrTooMany) {
		t.Errorf("CreatePermGroup over the limit after deleting = %v, want ErrTooMany", err)
	}
	wantPermGroupIDs(t, s, "@TGS#_a", nil, "", 0, "p3", "p4", "p5")
}

// testConcurrentPermGroupCreates races creators of distinct permission
// groups against a limit that admits only some of them.
func testConcurrentPermGroupCreates(t *testing.T, s Store, _ func() Store) {
	const (
		creators = 8
		limit    = 5
	)
	mustCommunity(t, s, "@TGS#_a")
	want := raceCreates(t, creators, limit, permgroup.ErrTooMany, func(i int) (string, error) {
		id := fmt.Sprint(i)
		return id, s.CreatePermGroup(t.Context(), fullPermGroup("@TGS#_a", id), limit)
	})
	wantPermGroupIDs(t, s, "@TGS#_a", nil, "", 0, want...) // digits: byte order is creator order
}

// testModifyPermGroup applies patches in turn, each checked against the
// permission group it should leave, as returned and as stored.
func testModifyPermGroup(t *testing.T, s Store, _ func() Store) {
	mustCommunity(t, s, "@TGS#_a", "alice")
	mustCommunity(t, s, "@TGS#_b")
	pg, other := fullPermGroup("@TGS#_a", "a"), fullPermGroup("@TGS#_a", "b")
	mustCreatePermGroup(t, s, pg, 0)
	mustCreatePermGroup(t, s, other, 0)
	mustCreatePermGroup(t, s, fullPermGroup("@TGS#_b", "only-b"), 0)
	mustAddPermGroupMembers(t, s, pg.GroupID, pg.ID, "alice")
	pg.MemberCount = 1
	str := func(s string) *string { return &s }
	for _, step := range []struct {
		name  string
		patch permgroup.Patch
		apply func(pg *permgroup.PermGroup)
	}{
		{"nothing set", permgroup.Patch{}, func(*permgroup.PermGroup) {}},
		{"one field", permgroup.Patch{Name: str("新名字")}, func(pg *permgroup.PermGroup) { pg.Name = "新名字" }},
		{"every field", permgroup.Patch{Name: str("N"), Permission: new(uint64(math.MaxUint64)), CustomString: str("C")},
			func(pg *permgroup.PermGroup) { pg.Name, pg.Permission, pg.CustomString = "N", math.MaxUint64, "C" }},
		{"empty strings and zero are values too", permgroup.Patch{Name: str(""), Permission: new(uint64(0)), CustomString: str("")},
			func(pg *permgroup.PermGroup) { pg.Name, pg.Permission, pg.CustomString = "", 0, "" }},
	} {
		step.apply(&pg)
		got, err := s.ModifyPermGroup(t.Context(), pg.GroupID, pg.ID, step.patch)
		if err != nil {
			t.Fatalf("%s: ModifyPermGroup: %v", step.name, err)
		}
		if got != pg {
			t.Errorf("%s: ModifyPermGroup returned\n %+v\nwant\n %+v", step.name, got, pg)
		}
		wantPermGroups(t, s, pg.GroupID, nil, "", 0, pg, other)
	}
	for _, tc := range []struct{ groupID, id string }{{"@TGS#_a", "none"}, {"@TGS#_none", "a"}, {"@TGS#_a", "only-b"}} {
		if _, err := s.ModifyPermGroup(t.Context(), tc.groupID, tc.id, permgroup.Patch{Name: str("x")}); !errors.Is(err, permgroup.ErrNotFound) {
			t.Errorf("ModifyPermGroup(%q, %q) = %v, want ErrNotFound", tc.groupID, tc.id, err)
		}
	}
}

// testDeletePermGroups deletes permission groups of one community, one
// with the ID of another community's, which stays.
func testDeletePermGroups(t *testing.T, s Store, _ func() Store) {
	mustCommunity(t, s, "@TGS#_a", "alice", "bob")
	mustCommunity(t, s, "@TGS#_b", "alice")
	mustCreateTopic(t, s, fullTopic("@TGS#_a", "t"), 0)
	mustCreateTopic(t, s, fullTopic("@TGS#_b", "t"), 0)
	for _, id := range []string{"p1", "p2", "p3"} {
		mustCreatePermGroup(t, s, fullPermGroup("@TGS#_a", id), 0)
	}
	mustCreatePermGroup(t, s, fullPermGroup("@TGS#_b", "p1"), 0)
	mustAddPermGroupMembers(t, s, "@TGS#_a", "p1", "alice", "bob")
	mustAddPermGroupMembers(t, s, "@TGS#_a", "p2", "alice")
	mustAddPermGroupMembers(t, s, "@TGS#_b", "p1", "alice")
	mustAddTopicPerms(t, s, "@TGS#_a", "p1", topicPerm("@TGS#_a", "t", 1))
	mustAddTopicPerms(t, s, "@TGS#_a", "p2", topicPerm("@TGS#_a", "t", 2))
	mustAddTopicPerms(t, s, "@TGS#_b", "p1", topicPerm("@TGS#_b", "t", 3))

	got, err := s.DeletePermGroups(t.Context(), "@TGS#_a", []string{"p3", "none", "p1", "p3"})
	if want := []string{"p3", "p1"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("DeletePermGroups = %q, %v; want %q", got, err, want)
	}
	wantPermGroupIDs(t, s, "@TGS#_a", nil, "", 0, "p2")
	wantGrants(t, s, "@TGS#_a", "alice", grant("p2", permBits, topicPerm("@TGS#_a", "t", 2)))
	wantGrants(t, s, "@TGS#_a", "bob")
	wantGrants(t, s, "@TGS#_b", "alice", grant("p1", permBits, topicPerm("@TGS#_b", "t", 3)))
	for _, tc := range []struct {
		groupID string
		ids     []string
	}{{"@TGS#_a", []string{"p1"}}, {"@TGS#_none", []string{"p2"}}, {"@TGS#_a", nil}} {
		if got, err := s.DeletePermGroups(t.Context(), tc.groupID, tc.ids); err != nil || len(got) != 0 {
			t.Errorf("DeletePermGroups(%q, %q) = %q, %v; want none", tc.groupID, tc.ids, got, err)
		}
	}
	// A new permission group with a deleted one's ID starts empty.
	mustCreatePermGroup(t, s, fullPermGroup("@TGS#_a", "p1"), 0)
	wantPermGroupMembers(t, s, "@TGS#_a", "p1")
	wantTopicPerms(t, s, "@TGS#_a", "p1", nil)
}
