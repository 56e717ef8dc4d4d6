package permission

import (
	"slices"
	"strings"
	"testing"
)

// community builds a permission-mode subject of role r with grants.
func community(r Role, inTopic bool, grants ...Grant) Subject {
	return Subject{Role: r, Kind: KindCommunity, PermissionMode: true, Grants: grants, InTopic: inTopic}
}

// classic builds a classic-mode subject of role r in a group of kind k.
func classic(r Role, k GroupKind) Subject { return Subject{Role: r, Kind: k} }

func TestDecideKeyFacts(t *testing.T) {
	pmgSend := Grant{Source: "@PMG#_send", Community: SendMessageInAllTopics}
	topicSend := Grant{Source: "topic-default", Topic: TopicSendMessage}
	tests := []struct {
		name    string
		s       Subject
		a       Action
		target  Role
		allowed bool
		reason  string // substring of Explain's Reason; "" to skip
	}{
		{"owner may destroy the group", classic(RoleOwner, KindPublic), DestroyGroup, RoleNone, true, "owner"},
		{"owner may change the owner in permission mode without grants", community(RoleOwner, false), ChangeOwner, RoleNone, true, "owner"},
		{"owner may kick an admin", classic(RoleOwner, KindPublic), KickMember, RoleAdmin, true, "owner"},
		{"app admin may do anything without being a member", Subject{AppAdmin: true, Kind: KindAVChatRoom}, DestroyGroup, RoleNone, true, "app admin"},
		{"app admin may send in a topic with no grants", Subject{AppAdmin: true, Kind: KindCommunity, PermissionMode: true, InTopic: true}, SendMessage, RoleNone, true, "app admin"},
		{"non-member may not send", classic(RoleNone, KindPublic), SendMessage, RoleNone, false, "not a member"},
		{"non-member may not send even with grants", community(RoleNone, true, Grant{Source: "default", Community: AllCommunityBits}), SendMessage, RoleNone, false, "not a member"},
		{"nobody kicks the owner, not even the app admin", Subject{AppAdmin: true, Kind: KindPublic}, KickMember, RoleOwner, false, "owner cannot be kicked"},
		{"the owner does not kick themself", classic(RoleOwner, KindPublic), KickMember, RoleOwner, false, "owner cannot be kicked"},
		{"nobody mutes the owner", classic(RoleOwner, KindCommunity), MuteMember, RoleOwner, false, "owner cannot be muted"},
		{"nobody sets the owner's role", Subject{AppAdmin: true, Kind: KindPrivate}, SetMemberRole, RoleOwner, false, "change the owner instead"},
		{"nobody bans the owner even with every bit", community(RoleMember, false, Grant{Source: "default", Community: AllCommunityBits}), BanMember, RoleOwner, false, "owner cannot be banned"},
		{"classic admin may modify the profile", classic(RoleAdmin, KindPublic), ModifyGroupInfo, RoleNone, true, "role Admin in classic mode"},
		{"classic admin may kick a member", classic(RoleAdmin, KindPublic), KickMember, RoleMember, true, "role Admin"},
		{"classic admin may not kick another admin", classic(RoleAdmin, KindPublic), KickMember, RoleAdmin, false, "only on ordinary members"},
		{"classic admin may not appoint admins", classic(RoleAdmin, KindCommunity), SetMemberRole, RoleMember, false, "only the owner"},
		{"classic admin may not invite into an AVChatRoom", classic(RoleAdmin, KindAVChatRoom), InviteMember, RoleNone, false, "AVChatRoom"},
		{"classic admin may post while all are muted", classic(RoleAdmin, KindCommunity), PostWhileMutedAll, RoleNone, true, "role Admin"},
		{"admin in permission mode is an ordinary member", community(RoleAdmin, false, Grant{Source: "default"}), ModifyGroupInfo, RoleNone, false, "no grant gives community bit 1 (MANAGE_GROUP_INFO)"},
		{"admin in permission mode may kick another admin with bit 2", community(RoleAdmin, false, Grant{Source: "@PMG#_mods", Community: ManageGroupMember}), KickMember, RoleAdmin, true, "community bit 2 (MANAGE_GROUP_MEMBER) from @PMG#_mods"},
		{"permission mode keeps set-role for the owner", community(RoleAdmin, false, Grant{Source: "default", Community: AllCommunityBits}), SetMemberRole, RoleMember, false, "only the owner"},
		{"classic member may not @all", classic(RoleMember, KindCommunity), AtAll, RoleNone, false, "may not do this"},
		{"classic member may send", classic(RoleMember, KindPublic), SendMessage, RoleNone, true, "role Member"},
		{"Work member may edit the profile", classic(RoleMember, KindPrivate), ModifyGroupInfo, RoleNone, true, "Work (Private)"},
		{"Public member may not edit the profile", classic(RoleMember, KindPublic), ModifyGroupInfo, RoleNone, false, "only in a Work"},
		{"ChatRoom member may invite", classic(RoleMember, KindChatRoom), InviteMember, RoleNone, true, "role Member"},
		{"Public member may not invite", classic(RoleMember, KindPublic), InviteMember, RoleNone, false, "Public"},
		{"community bit 64 allows sending outside topics", community(RoleMember, false, pmgSend), SendMessage, RoleNone, true, "community bit 64 (SEND_MESSAGE) from @PMG#_send"},
		{"community bit 64 allows sending in every topic", community(RoleMember, true, pmgSend), SendMessage, RoleNone, true, "community bit 64 (SEND_MESSAGE) from @PMG#_send"},
		{"topic bit 8 allows sending in that topic", community(RoleMember, true, Grant{Source: "default"}, topicSend), SendMessage, RoleNone, true, "topic bit 8 (SEND_MESSAGE) from topic-default"},
		{"topic bit without InTopic does not count", community(RoleMember, false, topicSend), SendMessage, RoleNone, false, "no grant gives community bit 64 (SEND_MESSAGE)"},
		{"topic bit 8 does not allow @all", community(RoleMember, true, topicSend), AtAll, RoleNone, false, "or topic bit 64 (AT_ALL)"},
		{"topic mute bit lets one post while all are muted", community(RoleMember, true, Grant{Source: "@PMG#_m", Topic: TopicMuteMember}), PostWhileMutedAll, RoleNone, true, "topic bit 4 (MUTE_MEMBER) from @PMG#_m"},
		{"send bit does not let one post while all are muted", community(RoleMember, true, pmgSend, topicSend), PostWhileMutedAll, RoleNone, false, "no grant"},
		{"union across grants", community(RoleMember, true, Grant{Source: "default", Community: ManageGroupInfo}, Grant{Source: "@PMG#_x", Community: BanMemberInCommunity}), BanMember, RoleAdmin, true, "from @PMG#_x"},
		{"sources name every grant with the bit in order", community(RoleMember, true, Grant{Source: "default", Community: AtAllInAllTopics}, Grant{Source: "@PMG#_a", Community: 1}, Grant{Source: "topic-default", Topic: TopicAtAll}, Grant{Source: "@PMG#_b", Community: AtAllInAllTopics}), AtAll, RoleNone, true, "community bit 128 (AT_ALL) and topic bit 64 (AT_ALL) from default, topic-default, @PMG#_b"},
		{"permission mode is ignored outside communities", Subject{Role: RoleMember, Kind: KindPrivate, PermissionMode: true}, ModifyGroupInfo, RoleNone, true, "Work"},
		{"unknown action is denied", classic(RoleOwner, KindPublic), Action(77), RoleNone, false, "unknown action"},
		{"unknown action is denied to the app admin", Subject{AppAdmin: true}, Action(0), RoleNone, false, "unknown action"},
		{"unknown role is denied", classic(Role(9), KindPublic), SendMessage, RoleNone, false, "unknown role"},
		{"unknown kind is denied to a member", classic(RoleMember, 0), SendMessage, RoleNone, false, "unknown group kind"},
		{"unknown target is denied", classic(RoleOwner, KindPublic), KickMember, Role(-1), false, "unknown target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.s, tt.a, tt.target)
			if d.Allowed != tt.allowed {
				t.Fatalf("Decide = %v (%s), want %v", d.Allowed, d.Explain(), tt.allowed)
			}
			e := Explain(tt.s, tt.a, tt.target)
			if e.Allowed != tt.allowed {
				t.Fatalf("Explain = %v (%s), want %v", e.Allowed, e.Reason, tt.allowed)
			}
			if !strings.Contains(e.Reason, tt.reason) {
				t.Errorf("Explain reason %q does not contain %q", e.Reason, tt.reason)
			}
		})
	}
}

func TestExplainSources(t *testing.T) {
	grants := []Grant{
		{Source: "default", Community: GetHistoryInAllTopics},
		{Source: "topic-default"},
		{Source: "@PMG#_a", Community: SendMessageInAllTopics | ManageGroupInfo},
		{Source: "@PMG#_b", Topic: TopicSendMessage},
		{Source: "@PMG#_c", Community: SendMessageInAllTopics, Topic: TopicSendMessage},
	}
	tests := []struct {
		name    string
		inTopic bool
		a       Action
		sources []string
		reason  string
	}{
		{"send in a topic names community and topic holders", true, SendMessage, []string{"@PMG#_a", "@PMG#_b", "@PMG#_c"},
			"community bit 64 (SEND_MESSAGE) and topic bit 8 (SEND_MESSAGE) from @PMG#_a, @PMG#_b, @PMG#_c"},
		{"send outside topics names only community holders", false, SendMessage, []string{"@PMG#_a", "@PMG#_c"},
			"community bit 64 (SEND_MESSAGE) from @PMG#_a, @PMG#_c"},
		{"history comes from the default", true, ReadHistory, []string{"default"}, "community bit 256 (GET_HISTORY_MESSAGE) from default"},
		{"denial names the bits and what the grants hold", true, RecallOthers, nil,
			"no grant gives community bit 512 (REVOKE_OTHER_MEMBER_MESSAGE) or topic bit 32 (REVOKE_OTHER_MEMBER_MESSAGE) (the grants give community bits 321 and topic bits 8)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Explain(community(RoleMember, tt.inTopic, grants...), tt.a, RoleNone)
			if !slices.Equal(d.Sources, tt.sources) {
				t.Errorf("Sources = %q, want %q", d.Sources, tt.sources)
			}
			if d.Reason != tt.reason {
				t.Errorf("Reason = %q, want %q", d.Reason, tt.reason)
			}
			if d.Explain() != d.Reason {
				t.Errorf("Explain() = %q, want the Reason again", d.Explain())
			}
		})
	}
}

func TestDecisionExplainWithoutSources(t *testing.T) {
	s := community(RoleMember, true, Grant{Source: "topic-default", Topic: TopicSendMessage})
	d := Decide(s, SendMessage, RoleNone)
	if got, want := d.Explain(), "topic bit 8 (SEND_MESSAGE)"; got != want {
		t.Errorf("Explain() = %q, want %q", got, want)
	}
	if d.CommunityBit != 64 || d.TopicBit != 8 {
		t.Errorf("bits looked at = (%d, %d), want (64, 8)", d.CommunityBit, d.TopicBit)
	}
}

func TestDecideDoesNotAllocate(t *testing.T) {
	tests := []struct {
		name string
		s    Subject
		a    Action
	}{
		{"permission mode send in a topic", benchSubject(), SendMessage},
		{"permission mode denial", benchSubject(), RecallOthers},
		{"classic member send", classic(RoleMember, KindPublic), SendMessage},
		{"classic member denial", classic(RoleMember, KindPublic), AtAll},
		{"unknown action", classic(RoleMember, KindPublic), Action(99)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, func() { sinkDecision = Decide(tt.s, tt.a, RoleNone) }); n != 0 {
				t.Errorf("Decide allocates %v times", n)
			}
		})
	}
}

func TestBitsAndConstants(t *testing.T) {
	t.Run("Bits ORs every grant", func(t *testing.T) {
		c, tb := Bits([]Grant{{Community: 1, Topic: 8}, {Community: 64}, {Topic: 2}})
		if c != 65 || tb != 10 {
			t.Errorf("Bits = (%d, %d), want (65, 10)", c, tb)
		}
	})
	t.Run("Bits of no grants is zero", func(t *testing.T) {
		if c, tb := Bits(nil); c != 0 || tb != 0 {
			t.Errorf("Bits(nil) = (%d, %d)", c, tb)
		}
	})
	t.Run("AllCommunityBits is every community bit", func(t *testing.T) {
		all := ManageGroupInfo | ManageGroupMember | ManagePermissionGroupInfo | ManagePermissionGroupMember |
			ManageTopicInCommunity | MuteMemberInAllTopics | SendMessageInAllTopics | AtAllInAllTopics |
			GetHistoryInAllTopics | RevokeOthersInAllTopics | BanMemberInCommunity
		if all != AllCommunityBits || AllCommunityBits != 2047 {
			t.Errorf("OR of the bits = %d, AllCommunityBits = %d", all, AllCommunityBits)
		}
	})
	t.Run("AllTopicBits is every topic bit", func(t *testing.T) {
		all := TopicManage | TopicManagePermission | TopicMuteMember | TopicSendMessage | TopicGetHistory | TopicRevokeOthers | TopicAtAll
		if all != AllTopicBits || AllTopicBits != 127 {
			t.Errorf("OR of the bits = %d, AllTopicBits = %d", all, AllTopicBits)
		}
	})
	t.Run("the spec's community to topic pairs", func(t *testing.T) {
		// groups-topics-permissions.md §7 rule 8 and README decision 7.
		pairs := map[Action][2]uint64{SendMessage: {64, 8}, AtAll: {128, 64}, ReadHistory: {256, 16}, RecallOthers: {512, 32},
			MuteMember: {32, 4}, ManageTopic: {16, 1}, ManageTopicPermission: {4, 2}}
		for a, want := range pairs {
			if c, tb := BitsFor(a); c != want[0] || tb != want[1] {
				t.Errorf("BitsFor(%v) = (%d, %d), want %v", a, c, tb, want)
			}
		}
	})
}

func TestStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{SendMessage.String(), "SendMessage"},
		{PostWhileMutedAll.String(), "PostWhileMutedAll"},
		{ModifyGroupInfo.String(), "ModifyGroupInfo"},
		{Action(0).String(), "Action(0)"},
		{Action(-5).String(), "Action(-5)"},
		{RoleAdmin.String(), "Admin"},
		{Role(8).String(), "Role(8)"},
		{KindAVChatRoom.String(), "AVChatRoom"},
		{GroupKind(0).String(), "GroupKind(0)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	for _, a := range everyAction {
		if strings.HasPrefix(a.String(), "Action(") {
			t.Errorf("action %d has no name", int(a))
		}
	}
}
