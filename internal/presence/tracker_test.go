package presence

import (
	"slices"
	"testing"
	"time"
)

func TestParsePlatform(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"", Unknown, true},
		{"iPhone", IPhone, true},
		{"iphone", IPhone, true},
		{"iOS", IPhone, true},
		{"IOS", IPhone, true},
		{"PC", Windows, true},
		{"web", Web, true},
		{"Mac", Mac, true},
		{"Linux", Linux, true},
		{"unknown", Unknown, true},
		{"Symbian", "", false},
		{"iPhone ", "", false},
	} {
		got, ok := ParsePlatform(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParsePlatform(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// TestLocalEdges: only a user's first session here (with nobody elsewhere)
// is an Online edge, only its last an Offline one; a second platform is
// announced without an edge; a second session of a platform not at all.
func TestLocalEdges(t *testing.T) {
	tr := NewTracker("A")
	type step struct {
		open     bool
		platform string
		announce bool
		edge     Edge
		after    []string
	}
	steps := []step{
		{true, Web, true, Online, []string{Web}},
		{true, Web, false, "", nil},
		{true, IPhone, true, NoEdge, []string{Web, IPhone}},
		{false, Web, false, "", nil},
		{false, Web, true, NoEdge, []string{IPhone}},
		{false, IPhone, true, Offline, []string{}},
		{false, IPhone, false, "", nil}, // closing more than was opened changes nothing
	}
	var last uint64
	for i, s := range steps {
		var c Changed
		var ok bool
		if s.open {
			c, ok = tr.Open("u", s.platform)
		} else {
			c, ok = tr.Close("u", s.platform, EndLogout)
		}
		if ok != s.announce {
			t.Fatalf("step %d: announce %v, want %v", i, ok, s.announce)
		}
		if !ok {
			continue
		}
		want := slices.Clone(s.after)
		slices.Sort(want)
		if c.Edge != s.edge || !slices.Equal(c.Platforms, want) || c.Node != "A" || c.User != "u" || c.Seq <= last {
			t.Fatalf("step %d: %+v; want edge %q, platforms %v, a seq above %d", i, c, s.edge, want, last)
		}
		if c.Edge == Offline && c.End != EndLogout {
			t.Fatalf("step %d: end %q, want %q", i, c.End, EndLogout)
		}
		last = c.Seq
	}
	if st := tr.Status("u")[0]; st.Online {
		t.Fatalf("after every close: %+v, want offline", st)
	}
}

// TestNoEdgeWhileOnlineElsewhere: a user another node has is neither
// logged in nor out by this node's sessions.
func TestNoEdgeWhileOnlineElsewhere(t *testing.T) {
	tr := NewTracker("A")
	tr.Apply(Changed{User: "u", Node: "B", Platforms: []string{Android}, Seq: 1})
	if c, _ := tr.Open("u", Web); c.Edge != NoEdge {
		t.Fatalf("open while online on B: edge %q", c.Edge)
	}
	if c, _ := tr.Close("u", Web, EndLink); c.Edge != NoEdge {
		t.Fatalf("close while online on B: edge %q", c.Edge)
	}
	if st := tr.Status("u")[0]; !st.Online || !slices.Equal(st.Platforms, []string{Android}) {
		t.Fatalf("status %+v, want online on Android", st)
	}
}

// TestRemoteOrder: another node's announcements may arrive out of order;
// the newest (by Seq) wins, a "left" included, and a snapshot older than
// what is known changes nothing.
func TestRemoteOrder(t *testing.T) {
	for _, c := range []struct {
		name   string
		apply  []Changed
		snap   []NodeUser
		online bool
	}{
		{"in order", []Changed{{Platforms: []string{Web}, Seq: 1}, {Seq: 2}}, nil, false},
		{"left arrives first", []Changed{{Seq: 2}, {Platforms: []string{Web}, Seq: 1}}, nil, false},
		{"came back", []Changed{{Platforms: []string{Web}, Seq: 1}, {Seq: 2}, {Platforms: []string{Mac}, Seq: 3}}, nil, true},
		{"stale snapshot after leaving", []Changed{{Platforms: []string{Web}, Seq: 1}, {Seq: 3}}, []NodeUser{{User: "u", Platforms: []string{Web}, Seq: 2}}, false},
		{"snapshot of a user not heard of", nil, []NodeUser{{User: "u", Platforms: []string{Web}, Seq: 5}}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := NewTracker("A")
			for _, ch := range c.apply {
				ch.User, ch.Node = "u", "B"
				tr.Apply(ch)
			}
			if c.snap != nil {
				tr.ApplySnapshot(Snapshot{Node: "B", Users: c.snap})
			}
			if st := tr.Status("u")[0]; st.Online != c.online {
				t.Fatalf("status %+v, want online %v", st, c.online)
			}
		})
	}
}

// TestDropNodeAndTombstones: a dead node's users are forgotten, and
// tombstones do not outlive TombstoneTTL.
func TestDropNodeAndTombstones(t *testing.T) {
	tr := NewTracker("A")
	now := time.Unix(1000, 0)
	tr.now = func() time.Time { return now }
	tr.Apply(Changed{User: "b1", Node: "B", Platforms: []string{Web}, Seq: 1})
	tr.Apply(Changed{User: "b2", Node: "B", Platforms: []string{Web}, Seq: 2})
	tr.Apply(Changed{User: "both", Node: "B", Platforms: []string{Web}, Seq: 3})
	tr.Apply(Changed{User: "both", Node: "C", Platforms: []string{Mac}, Seq: 1})
	tr.Apply(Changed{User: "b2", Node: "B", Seq: 4}) // b2 left B: a tombstone
	changed := tr.DropNode("B")
	slices.Sort(changed)
	if want := []string{"b1", "both"}; !slices.Equal(changed, want) {
		t.Fatalf("DropNode changed %v, want %v", changed, want)
	}
	for _, st := range tr.Status("b1", "b2", "both") {
		if want := st.User == "both"; st.Online != want {
			t.Fatalf("%+v: want online %v", st, want)
		}
	}
	tr.Apply(Changed{User: "c1", Node: "C", Seq: 2}) // a tombstone on C
	if _, n, _ := tr.Counts(); n != 2 {
		t.Fatalf("%d entries, want 2 (both@C, the tombstone of c1)", n)
	}
	now = now.Add(TombstoneTTL + time.Second)
	tr.Apply(Changed{User: "c2", Node: "C", Platforms: []string{Web}, Seq: 3})
	if _, n, _ := tr.Counts(); n != 2 {
		t.Fatalf("%d entries after the TTL, want 2 (both@C, c2@C)", n)
	}
}

// TestSnapshotsChunked: a node's users are announced SnapshotUsers at a
// time, each with its platforms and the Seq of its last change.
func TestSnapshotsChunked(t *testing.T) {
	tr := NewTracker("A")
	n := SnapshotUsers + 5
	for i := range n {
		tr.Open(string(rune('a'+i%26))+string(rune('0'+i/26%10))+string(rune('0'+i/260)), Web)
	}
	snaps := tr.Snapshots()
	total := 0
	for _, s := range snaps {
		if s.Node != "A" || len(s.Users) > SnapshotUsers {
			t.Fatalf("snapshot of %s with %d users", s.Node, len(s.Users))
		}
		for _, u := range s.Users {
			if u.Seq == 0 || !slices.Equal(u.Platforms, []string{Web}) {
				t.Fatalf("snapshot user %+v", u)
			}
		}
		total += len(s.Users)
	}
	if local, _, _ := tr.Counts(); len(snaps) != 2 || total != local || local != n {
		t.Fatalf("%d snapshots of %d users; %d local; want 2 of %d", len(snaps), total, local, n)
	}
}
