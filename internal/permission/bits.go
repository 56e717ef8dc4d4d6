package permission

// Community permission bits: the values of a permission group's Permission
// and of a community's DefaultPermission. The "in all topics" bits grant
// their action in every topic of the community.
const (
	ManageGroupInfo             uint64 = 1 << 0  // MANAGE_GROUP_INFO: modify the community profile
	ManageGroupMember           uint64 = 1 << 1  // MANAGE_GROUP_MEMBER: invite, kick, edit member profiles
	ManagePermissionGroupInfo   uint64 = 1 << 2  // MANAGE_PERMISSION_GROUP_INFO: permission groups and their topic permissions
	ManagePermissionGroupMember uint64 = 1 << 3  // MANAGE_PERMISSION_GROUP_MEMBER: add/remove permission-group members
	ManageTopicInCommunity      uint64 = 1 << 4  // MANAGE_TOPIC_IN_COMMUNITY: create/modify/delete topics
	MuteMemberInAllTopics       uint64 = 1 << 5  // MUTE_MEMBER in all topics
	SendMessageInAllTopics      uint64 = 1 << 6  // SEND_MESSAGE in all topics
	AtAllInAllTopics            uint64 = 1 << 7  // AT_ALL in all topics
	GetHistoryInAllTopics       uint64 = 1 << 8  // GET_HISTORY_MESSAGE in all topics
	RevokeOthersInAllTopics     uint64 = 1 << 9  // REVOKE_OTHER_MEMBER_MESSAGE in all topics
	BanMemberInCommunity        uint64 = 1 << 10 // BAN_MEMBER (named apart from the Action BanMember)

	// AllCommunityBits is the OR of every community bit; a Permission with
	// any other bit set is invalid.
	AllCommunityBits = 1<<11 - 1
)

// Topic permission bits: the values of Permission in a TopicPermissionList
// and of a topic's default permission. They apply within one topic.
const (
	TopicManage           uint64 = 1 << 0 // MANAGE_TOPIC: modify / delete this topic
	TopicManagePermission uint64 = 1 << 1 // MANAGE_TOPIC_PERMISSION: edit this topic's permissions
	TopicMuteMember       uint64 = 1 << 2 // MUTE_MEMBER in this topic
	TopicSendMessage      uint64 = 1 << 3 // SEND_MESSAGE in this topic
	TopicGetHistory       uint64 = 1 << 4 // GET_HISTORY_MESSAGE in this topic
	TopicRevokeOthers     uint64 = 1 << 5 // REVOKE_OTHER_MEMBER_MESSAGE in this topic
	TopicAtAll            uint64 = 1 << 6 // AT_ALL in this topic

	// AllTopicBits is the OR of every topic bit; a topic Permission with any
	// other bit set is invalid.
	AllTopicBits = 1<<7 - 1
)

// communityBitNames and topicBitNames hold the SDK names, indexed by bit
// position, for explanations.
var (
	communityBitNames = [...]string{
		"MANAGE_GROUP_INFO", "MANAGE_GROUP_MEMBER", "MANAGE_PERMISSION_GROUP_INFO",
		"MANAGE_PERMISSION_GROUP_MEMBER", "MANAGE_TOPIC_IN_COMMUNITY", "MUTE_MEMBER",
		"SEND_MESSAGE", "AT_ALL", "GET_HISTORY_MESSAGE", "REVOKE_OTHER_MEMBER_MESSAGE", "BAN_MEMBER",
	}
	topicBitNames = [...]string{
		"MANAGE_TOPIC", "MANAGE_TOPIC_PERMISSION", "MUTE_MEMBER", "SEND_MESSAGE",
		"GET_HISTORY_MESSAGE", "REVOKE_OTHER_MEMBER_MESSAGE", "AT_ALL",
	}
)

// Bits returns the OR of all grants' community bits and of all their topic
// bits: a subject's effective permissions.
func Bits(grants []Grant) (community, topic uint64) {
	for i := range grants {
		community |= grants[i].Community
		topic |= grants[i].Topic
	}
	return community, topic
}

// BitsFor returns the community bit ("in all topics" where the action can
// happen in a topic) and the topic bit that grant action a in permission
// mode; 0 where the action has none. (0, 0) means only the owner and the
// app admin may do it.
func BitsFor(a Action) (community, topic uint64) {
	if !a.known() {
		return 0, 0
	}
	r := &rules[a]
	return r.community, r.topic
}
