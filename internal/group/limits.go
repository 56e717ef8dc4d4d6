package group

// Limits of the group system, in UTF-8 bytes for lengths: the hosted
// pages' limits, and Hearth's own where they give none (docs/decisions.md, 6).
const (
	MaxNameBytes          = 30
	MaxIntroductionBytes  = 240
	MaxNotificationBytes  = 300
	MaxFaceURLBytes       = 100
	MaxNameCardBytes      = 50
	MaxGroupIDBytes       = 48 // custom group IDs, printable ASCII
	MaxAppDataKeys        = 10 // group custom fields
	MaxAppDataKeyBytes    = 16 // [A-Za-z0-9_]
	MaxAppDataValueBytes  = 512
	MaxMemberDataKeys     = 5 // member custom fields
	MaxMemberDataValBytes = 64

	MaxCreateMembers   = 100   // MemberList of create_group / import_group
	MaxAddMembers      = 300   // add_group_member, import_group_member
	MaxDeleteMembers   = 100   // delete_group_member
	MaxMuteMembers     = 500   // forbid_send_msg
	MaxRoleQuery       = 500   // get_role_in_group
	MaxGroupInfoIDs    = 50    // get_group_info GroupIdList (its page: 50 groups a request)
	MaxListGroups      = 10000 // get_appid_group_list Limit
	MaxMemberPage      = 200   // get_group_member_info Limit (its page: at most 200)
	MaxMemberList      = 6000  // members answered when no Limit is given (get_group_info, get_group_member_info)
	MaxJoinedPage      = 5000  // get_joined_group_list Limit
	MuteForever        = 4294967295
	MaxMuteSeconds     = MuteForever
	DefaultMemberLimit = 0 // means: the type's limit
)

// memberLimit is each type's largest MaxMemberNum (0: no limit).
var memberLimit = map[Type]int{
	Private:    200,
	Public:     2000,
	ChatRoom:   6000,
	AVChatRoom: 0,
	Community:  100000,
}

// MemberLimit returns the most members a group of type t may have (0 for
// no limit).
func MemberLimit(t Type) int { return memberLimit[t] }
