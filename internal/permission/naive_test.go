package permission

import (
	"fmt"
	"slices"
	"testing"
)

// This file holds a second, deliberately naive implementation of the rules,
// written out by hand from the brief as explicit lists, and the exhaustive and
// fuzz tests that compare Decide with it.

var (
	everyAction = []Action{
		ModifyGroupInfo, InviteMember, KickMember, ModifyMemberInfo, SetMemberRole, MuteMember,
		ChangeOwner, DestroyGroup, SendMessage, AtAll, ReadHistory, RecallOthers, CreateTopic,
		ManageTopic, ManageTopicPermission, ManagePermissionGroups, ManagePermissionGroupMembers,
		BanMember, PostWhileMutedAll, EditOwnMessage, ReactToMessage,
	}
	everyRole = []Role{RoleNone, RoleMember, RoleAdmin, RoleOwner}
	everyKind = []GroupKind{KindPrivate, KindPublic, KindChatRoom, KindAVChatRoom, KindCommunity}

	// actions that act on another member.
	naiveTargetActions = []Action{KickMember, ModifyMemberInfo, SetMemberRole, MuteMember, BanMember}

	// classic mode, admins.
	naiveAdminAlways    = []Action{ModifyGroupInfo, SendMessage, AtAll, ReadHistory, RecallOthers, CreateTopic, ManageTopic, PostWhileMutedAll, EditOwnMessage, ReactToMessage}
	naiveAdminOnMembers = []Action{KickMember, ModifyMemberInfo, MuteMember, BanMember}
	naiveAdminInviteIn  = []GroupKind{KindPrivate, KindPublic, KindChatRoom, KindCommunity}

	// classic mode, members.
	naiveMemberAlways   = []Action{SendMessage, ReadHistory, EditOwnMessage, ReactToMessage}
	naiveMemberInviteIn = []GroupKind{KindPrivate, KindChatRoom, KindCommunity}

	// permission mode: {community bit, topic bit} per action, as numbers.
	naiveBits = map[Action][2]uint64{
		ModifyGroupInfo:              {1, 0},
		InviteMember:                 {2, 0},
		KickMember:                   {2, 0},
		ModifyMemberInfo:             {2, 0},
		SetMemberRole:                {0, 0},
		MuteMember:                   {32, 4},
		ChangeOwner:                  {0, 0},
		DestroyGroup:                 {0, 0},
		SendMessage:                  {64, 8},
		AtAll:                        {128, 64},
		ReadHistory:                  {256, 16},
		RecallOthers:                 {512, 32},
		CreateTopic:                  {16, 0},
		ManageTopic:                  {16, 1},
		ManageTopicPermission:        {4, 2},
		ManagePermissionGroups:       {4, 0},
		ManagePermissionGroupMembers: {8, 0},
		BanMember:                    {1024, 0},
		PostWhileMutedAll:            {32, 4},
		EditOwnMessage:               {64, 8},
		ReactToMessage:               {64, 8},
	}
)

// naiveDecide is the reference: whether s may do a on target.
func naiveDecide(s Subject, a Action, target Role) bool {
	if !slices.Contains(everyAction, a) {
		return false
	}
	if slices.Contains(naiveTargetActions, a) && !slices.Contains([]Role{RoleNone, RoleMember, RoleAdmin}, target) {
		return false // nobody acts on the owner; unknown targets fail closed
	}
	if s.AppAdmin {
		return true
	}
	if s.Role == RoleOwner {
		return true
	}
	if s.Role != RoleMember && s.Role != RoleAdmin {
		return false
	}
	if !slices.Contains(everyKind, s.Kind) {
		return false
	}
	if s.PermissionMode && s.Kind == KindCommunity {
		return len(naiveSources(s, a)) > 0
	}
	if s.Role == RoleAdmin {
		switch {
		case slices.Contains(naiveAdminAlways, a):
			return true
		case slices.Contains(naiveAdminOnMembers, a):
			return target == RoleMember
		case a == InviteMember:
			return slices.Contains(naiveAdminInviteIn, s.Kind)
		}
		return false
	}
	switch {
	case slices.Contains(naiveMemberAlways, a):
		return true
	case a == ModifyGroupInfo:
		return s.Kind == KindPrivate
	case a == InviteMember:
		return slices.Contains(naiveMemberInviteIn, s.Kind)
	}
	return false
}

// naiveSources lists, grant by grant, the sources holding a's community bit
// or (in a topic) its topic bit.
func naiveSources(s Subject, a Action) []string {
	pair := naiveBits[a]
	var out []string
	for _, g := range s.Grants {
		hit := false
		for bit := 0; bit < 64; bit++ {
			if g.Community>>bit&1 == 1 && pair[0]>>bit&1 == 1 {
				hit = true
			}
			if s.InTopic && g.Topic>>bit&1 == 1 && pair[1]>>bit&1 == 1 {
				hit = true
			}
		}
		if hit {
			out = append(out, g.Source)
		}
	}
	return out
}

// grantSets are the permission-mode grant lists the exhaustive test tries:
// none, every single community and topic bit alone, and pairs of bits spread
// across two grants.
func grantSets() [][]Grant {
	sets := [][]Grant{nil, {{Source: "default"}}, {{Source: "default", Community: AllCommunityBits, Topic: AllTopicBits}}}
	for i := 0; i <= 10; i++ {
		sets = append(sets, []Grant{{Source: "default"}, {Source: "@PMG#_c", Community: 1 << i}})
	}
	for j := 0; j <= 6; j++ {
		sets = append(sets, []Grant{{Source: "topic-default", Topic: 1 << j}})
	}
	for i := 0; i <= 10; i++ {
		for j := 0; j <= 6; j++ {
			sets = append(sets, []Grant{{Source: "@PMG#_a", Community: 1 << i}, {Source: "@PMG#_b", Topic: 1 << j}})
		}
		for k := i + 1; k <= 10; k++ {
			sets = append(sets, []Grant{{Source: "default", Community: 1 << i}, {Source: "@PMG#_b", Community: 1 << k}})
		}
	}
	for j := 0; j <= 6; j++ {
		for k := j + 1; k <= 6; k++ {
			sets = append(sets, []Grant{{Source: "topic-default", Topic: 1 << j}, {Source: "@PMG#_b", Topic: 1 << k}})
		}
	}
	return sets
}

func TestDecideMatchesNaiveExhaustively(t *testing.T) {
	actions := append([]Action{0, -1, actionEnd, 99}, everyAction...)
	roles := append([]Role{-1, 4}, everyRole...)
	targets := append([]Role{-1, 4}, everyRole...)
	kinds := append([]GroupKind{0, 6}, everyKind...)
	permSets := grantSets()
	classicSets := [][]Grant{nil, {{Source: "default", Community: AllCommunityBits, Topic: AllTopicBits}}}
	for _, a := range actions {
		t.Run(a.String(), func(t *testing.T) {
			failures := 0
			for _, role := range roles {
				for _, target := range targets {
					for _, kind := range kinds {
						for _, appAdmin := range []bool{false, true} {
							for _, inTopic := range []bool{false, true} {
								for _, pm := range []bool{false, true} {
									sets := classicSets
									if pm {
										sets = permSets
									}
									for _, grants := range sets {
										s := Subject{AppAdmin: appAdmin, Role: role, Kind: kind, PermissionMode: pm, Grants: grants, InTopic: inTopic}
										got, want := Decide(s, a, target), naiveDecide(s, a, target)
										if got.Allowed != want {
											failures++
											t.Errorf("Decide(%+v, %v, %v) = %v (%s), naive says %v", s, a, target, got.Allowed, got.Reason, want)
										}
										if failures > 20 {
											t.Fatal("too many failures")
										}
									}
								}
							}
						}
					}
				}
			}
		})
	}
}

func TestExplainNamesTheSourcesNaiveFinds(t *testing.T) {
	for _, a := range everyAction {
		t.Run(a.String(), func(t *testing.T) {
			for _, grants := range grantSets() {
				for _, inTopic := range []bool{false, true} {
					s := Subject{Role: RoleAdmin, Kind: KindCommunity, PermissionMode: true, Grants: grants, InTopic: inTopic}
					d, e := Decide(s, a, RoleMember), Explain(s, a, RoleMember)
					if e.Allowed != d.Allowed || e.CommunityBit != d.CommunityBit || e.TopicBit != d.TopicBit {
						t.Fatalf("Explain(%+v, %v) = %+v, Decide = %+v", s, a, e, d)
					}
					if want := naiveSources(s, a); !slices.Equal(e.Sources, want) {
						t.Fatalf("Explain(%+v, %v).Sources = %q, want %q", s, a, e.Sources, want)
					}
					if d.Sources != nil {
						t.Fatalf("Decide filled Sources %q", d.Sources)
					}
				}
			}
		})
	}
}

func TestBitsForMatchesTheHandWrittenTable(t *testing.T) {
	for _, a := range everyAction {
		t.Run(a.String(), func(t *testing.T) {
			c, tb := BitsFor(a)
			if want := naiveBits[a]; c != want[0] || tb != want[1] {
				t.Errorf("BitsFor(%v) = (%d, %d), want (%d, %d)", a, c, tb, want[0], want[1])
			}
		})
	}
	for _, a := range []Action{0, -3, actionEnd, 1000} {
		t.Run(fmt.Sprintf("unknown %d has none", int(a)), func(t *testing.T) {
			if c, tb := BitsFor(a); c != 0 || tb != 0 {
				t.Errorf("BitsFor(%d) = (%d, %d), want (0, 0)", int(a), c, tb)
			}
		})
	}
}

// grantsFrom turns fuzz bytes into grants: 16 bytes each (community bits,
// then topic bits, little endian).
func grantsFrom(data []byte) []Grant {
	var gs []Grant
	for i := 0; i+16 <= len(data) && len(gs) < 40; i += 16 {
		var c, tb uint64
		for k := 7; k >= 0; k-- {
			c = c<<8 | uint64(data[i+k])
			tb = tb<<8 | uint64(data[i+8+k])
		}
		gs = append(gs, Grant{Source: fmt.Sprintf("@PMG#_%d", len(gs)), Community: c, Topic: tb})
	}
	return gs
}

func FuzzDecideMatchesNaive(f *testing.F) {
	f.Add(false, 1, 5, true, true, 9, 0, uint64(0), uint64(8), []byte{})
	f.Add(false, 2, 5, true, false, 3, 2, uint64(2), uint64(0), []byte{})
	f.Add(false, 2, 5, false, false, 3, 3, uint64(0), uint64(0), []byte{})
	f.Add(true, 0, 4, false, false, 8, 0, uint64(0), uint64(0), []byte{})
	f.Add(false, 1, 1, false, false, 1, 0, uint64(0), uint64(0), []byte{})
	f.Add(false, 1, 5, true, false, 10, 0, uint64(0), uint64(64), []byte{128, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0})
	f.Add(false, 3, 2, true, true, 7, 0, uint64(0), uint64(0), []byte{})
	f.Add(false, 7, 5, true, true, 42, -1, ^uint64(0), ^uint64(0), []byte{0xff})
	f.Fuzz(func(t *testing.T, appAdmin bool, role, kind int, pm, inTopic bool, action, target int, defaults, topicDefaults uint64, groups []byte) {
		grants := append([]Grant{{Source: "default", Community: defaults}, {Source: "topic-default", Topic: topicDefaults}}, grantsFrom(groups)...)
		s := Subject{AppAdmin: appAdmin, Role: Role(role), Kind: GroupKind(kind), PermissionMode: pm, Grants: grants, InTopic: inTopic}
		a, tr := Action(action), Role(target)
		d := Decide(s, a, tr)
		if want := naiveDecide(s, a, tr); d.Allowed != want {
			t.Fatalf("Decide(%+v, %v, %v) = %v (%s), naive says %v", s, a, tr, d.Allowed, d.Reason, want)
		}
		e := Explain(s, a, tr)
		if e.Allowed != d.Allowed {
			t.Fatalf("Explain says %v, Decide %v", e.Allowed, d.Allowed)
		}
		if e.Reason == "" || e.Explain() != e.Reason {
			t.Fatalf("Explain reason %q, Explain() %q", e.Reason, e.Explain())
		}
		if d.Allowed && s.PermissionMode && s.Kind == KindCommunity && !s.AppAdmin && s.Role != RoleOwner {
			if want := naiveSources(s, a); !slices.Equal(e.Sources, want) {
				t.Fatalf("Sources = %q, want %q", e.Sources, want)
			}
		}
	})
}
