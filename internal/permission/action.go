package permission

import "strconv"

// Action is something a subject asks to do in a group (or in one topic of a
// community).
type Action int

// The actions. Those marked "needs Target" act on another member whose role
// is passed to Decide; those marked "may be in a topic" read the topic bits
// of Subject.Grants when Subject.InTopic is set.
const (
	ModifyGroupInfo              Action = iota + 1 // modify_group_base_info as a member
	InviteMember                                   // add_group_member with a member as the operator
	KickMember                                     // delete_group_member (needs Target)
	ModifyMemberInfo                               // change another member's NameCard/custom fields (needs Target)
	SetMemberRole                                  // make/unmake admin (needs Target)
	MuteMember                                     // forbid_send_msg (needs Target; may be in a topic)
	ChangeOwner                                    // change_group_owner
	DestroyGroup                                   // destroy_group
	SendMessage                                    // send a message (may be in a topic)
	AtAll                                          // send an @all message (may be in a topic)
	ReadHistory                                    // read messages from before joining (may be in a topic)
	RecallOthers                                   // recall another member's message (may be in a topic)
	CreateTopic                                    // create_topic
	ManageTopic                                    // modify or destroy one topic (in a topic)
	ManageTopicPermission                          // add/set/delete topic permissions for one topic (in a topic)
	ManagePermissionGroups                         // create/modify/destroy permission groups
	ManagePermissionGroupMembers                   // add/remove permission-group members
	BanMember                                      // ban a member (needs Target)
	PostWhileMutedAll                              // post while MuteAllMember is On (group or topic)
	EditOwnMessage                                 // edit or recall one's own message (may be in a topic)
	ReactToMessage                                 // set or remove a key of a message's extension, a reaction (may be in a topic)

	actionEnd // one past the last action
)

// adminRule is what a classic-mode admin may do.
type adminRule uint8

const (
	adminDeny      adminRule = iota // owner only
	adminAllow                      // always
	adminOnMembers                  // only on a target of role Member
	adminNotAV                      // anywhere but an AVChatRoom
)

// memberRule is what a classic-mode member may do.
type memberRule uint8

const (
	memberDeny    memberRule = iota
	memberAllow              // always
	memberWork               // only in a Work (Private) group
	memberInvites            // in Private, ChatRoom and Community groups
)

// rule is everything the engine knows about one action.
type rule struct {
	name      string
	target    string // when the action needs a target: why the owner cannot be it
	community uint64 // permission mode: the community bit that grants it
	topic     uint64 // permission mode: the topic bit that grants it inside a topic
	admin     adminRule
	member    memberRule
}

// rules is indexed by Action; index 0 is unused.
var rules = [actionEnd]rule{
	ModifyGroupInfo:              {name: "ModifyGroupInfo", community: ManageGroupInfo, admin: adminAllow, member: memberWork},
	InviteMember:                 {name: "InviteMember", community: ManageGroupMember, admin: adminNotAV, member: memberInvites},
	KickMember:                   {name: "KickMember", target: "the owner cannot be kicked", community: ManageGroupMember, admin: adminOnMembers},
	ModifyMemberInfo:             {name: "ModifyMemberInfo", target: "the owner's member info cannot be changed by others", community: ManageGroupMember, admin: adminOnMembers},
	SetMemberRole:                {name: "SetMemberRole", target: "the owner's role cannot be set (change the owner instead)"},
	MuteMember:                   {name: "MuteMember", target: "the owner cannot be muted", community: MuteMemberInAllTopics, topic: TopicMuteMember, admin: adminOnMembers},
	ChangeOwner:                  {name: "ChangeOwner"},
	DestroyGroup:                 {name: "DestroyGroup"},
	SendMessage:                  {name: "SendMessage", community: SendMessageInAllTopics, topic: TopicSendMessage, admin: adminAllow, member: memberAllow},
	AtAll:                        {name: "AtAll", community: AtAllInAllTopics, topic: TopicAtAll, admin: adminAllow},
	ReadHistory:                  {name: "ReadHistory", community: GetHistoryInAllTopics, topic: TopicGetHistory, admin: adminAllow, member: memberAllow},
	RecallOthers:                 {name: "RecallOthers", community: RevokeOthersInAllTopics, topic: TopicRevokeOthers, admin: adminAllow},
	CreateTopic:                  {name: "CreateTopic", community: ManageTopicInCommunity, admin: adminAllow},
	ManageTopic:                  {name: "ManageTopic", community: ManageTopicInCommunity, topic: TopicManage, admin: adminAllow},
	ManageTopicPermission:        {name: "ManageTopicPermission", community: ManagePermissionGroupInfo, topic: TopicManagePermission},
	ManagePermissionGroups:       {name: "ManagePermissionGroups", community: ManagePermissionGroupInfo},
	ManagePermissionGroupMembers: {name: "ManagePermissionGroupMembers", community: ManagePermissionGroupMember},
	BanMember:                    {name: "BanMember", target: "the owner cannot be banned", community: BanMemberInCommunity, admin: adminOnMembers},
	PostWhileMutedAll:            {name: "PostWhileMutedAll", community: MuteMemberInAllTopics, topic: TopicMuteMember, admin: adminAllow},
	// Editing one's own message and reacting take what sending takes: the
	// hosted permission bits have none of their own (docs/decisions.md, 17).
	EditOwnMessage: {name: "EditOwnMessage", community: SendMessageInAllTopics, topic: TopicSendMessage, admin: adminAllow, member: memberAllow},
	ReactToMessage: {name: "ReactToMessage", community: SendMessageInAllTopics, topic: TopicSendMessage, admin: adminAllow, member: memberAllow},
}

// known reports whether a is one of the declared actions.
func (a Action) known() bool { return a > 0 && a < actionEnd }

// String returns the action's Go name, or Action(n) for an unknown value.
func (a Action) String() string {
	if !a.known() {
		return "Action(" + strconv.Itoa(int(a)) + ")"
	}
	return rules[a].name
}

// Role is a subject's (or a target's) role in the group.
type Role int

// The roles. RoleNone means not a member.
const (
	RoleNone Role = iota
	RoleMember
	RoleAdmin
	RoleOwner
)

// String returns the role as the REST API spells it ("None" for RoleNone),
// or Role(n) for an unknown value.
func (r Role) String() string {
	switch r {
	case RoleNone:
		return "None"
	case RoleMember:
		return "Member"
	case RoleAdmin:
		return "Admin"
	case RoleOwner:
		return "Owner"
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// GroupKind is the part of the group type the rules depend on.
type GroupKind int

// The group kinds. KindPrivate is also called Work, KindChatRoom Meeting.
const (
	KindPrivate GroupKind = iota + 1
	KindPublic
	KindChatRoom
	KindAVChatRoom
	KindCommunity
)

// String returns the REST type name of k, or GroupKind(n) for an unknown
// value.
func (k GroupKind) String() string {
	switch k {
	case KindPrivate:
		return "Private"
	case KindPublic:
		return "Public"
	case KindChatRoom:
		return "ChatRoom"
	case KindAVChatRoom:
		return "AVChatRoom"
	case KindCommunity:
		return "Community"
	}
	return "GroupKind(" + strconv.Itoa(int(k)) + ")"
}

// ParseAction returns the action whose String is name.
func ParseAction(name string) (Action, bool) {
	for a := Action(1); a < actionEnd; a++ {
		if rules[a].name == name {
			return a, true
		}
	}
	return 0, false
}
