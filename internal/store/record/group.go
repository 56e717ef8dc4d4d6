package record

import (
	"database/sql"
	"slices"
	"strings"

	"github.com/hearth-chat/hearth/internal/group"
)

// GroupColumns are the columns of groups in the order of GroupArgs and
// GroupRow.
var GroupColumns = []string{"id", "type", "name", "introduction", "notification", "face_url", "owner",
	"create_time", "info_seq", "last_info_time", "last_msg_time", "next_msg_seq", "member_num",
	"max_member_num", "apply_join_option", "invite_join_option", "mute_all_member", "support_topic",
	"enable_permission", "default_permission", "history_msg_before_join", "app_defined_data"}

// GroupArgs returns g's values for GroupColumns: no owner is NULL. Unsigned
// integers are stored as the signed integers with the same bits, which
// converts back losslessly.
func GroupArgs(g group.Group) []any {
	return []any{g.ID, string(g.Type), g.Name, g.Introduction, g.Notification, g.FaceURL, NullString(g.Owner),
		g.CreateTime, int64(g.InfoSeq), g.LastInfoTime, g.LastMsgTime, int64(g.NextMsgSeq), g.MemberNum,
		g.MaxMemberNum, g.ApplyJoinOption, g.InviteJoinOption, g.MuteAllMember, g.SupportTopic,
		g.EnablePermission, int64(g.DefaultPermission), g.HistoryMsgBeforeJoin, group.EncodeAppData(g.AppDefinedData)}
}

// GroupRow receives one row of GroupColumns.
type GroupRow struct {
	g                       group.Group
	owner                   sql.NullString
	infoSeq, nextSeq, perms int64
	data                    string
}

// Dest returns the Scan destinations for GroupColumns.
func (r *GroupRow) Dest() []any {
	g := &r.g
	return []any{&g.ID, &g.Type, &g.Name, &g.Introduction, &g.Notification, &g.FaceURL, &r.owner,
		&g.CreateTime, &r.infoSeq, &g.LastInfoTime, &g.LastMsgTime, &r.nextSeq, &g.MemberNum,
		&g.MaxMemberNum, &g.ApplyJoinOption, &g.InviteJoinOption, &g.MuteAllMember, &g.SupportTopic,
		&g.EnablePermission, &r.perms, &g.HistoryMsgBeforeJoin, &r.data}
}

// Group returns the group scanned into r.
func (r *GroupRow) Group() (group.Group, error) {
	g := r.g
	g.Owner = r.owner.String
	g.InfoSeq, g.NextMsgSeq, g.DefaultPermission = uint64(r.infoSeq), uint64(r.nextSeq), uint64(r.perms)
	var err error
	g.AppDefinedData, err = group.DecodeAppData(r.data)
	return g, err
}

// MemberColumns are the columns of group_members in the order of
// MemberArgs and MemberRow.
var MemberColumns = []string{"group_id", "user_id", "role", "join_time", "msg_seq", "msg_flag",
	"last_send_msg_time", "mute_until", "name_card", "app_defined_data"}

// MemberArgs returns m's values for MemberColumns.
func MemberArgs(m group.Member) []any {
	return []any{m.GroupID, m.UserID, string(m.Role), m.JoinTime, int64(m.MsgSeq),
		m.MsgFlag, m.LastSendMsgTime, m.MuteUntil, m.NameCard, group.EncodeAppData(m.AppDefinedData)}
}

// MemberRow receives one row of MemberColumns.
type MemberRow struct {
	m      group.Member
	msgSeq int64
	data   string
}

// Dest returns the Scan destinations for MemberColumns.
func (r *MemberRow) Dest() []any {
	m := &r.m
	return []any{&m.GroupID, &m.UserID, &m.Role, &m.JoinTime, &r.msgSeq, &m.MsgFlag,
		&m.LastSendMsgTime, &m.MuteUntil, &m.NameCard, &r.data}
}

// Member returns the member scanned into r.
func (r *MemberRow) Member() (group.Member, error) {
	m := r.m
	m.MsgSeq = uint64(r.msgSeq)
	var err error
	m.AppDefinedData, err = group.DecodeAppData(r.data)
	return m, err
}

// JoinedDest returns the Scan destinations of a row of GroupColumns then
// MemberColumns.
func JoinedDest(g *GroupRow, m *MemberRow) []any {
	return append(g.Dest(), m.Dest()...)
}

// Joined returns the group and membership scanned by JoinedDest.
func Joined(g *GroupRow, m *MemberRow) (group.Joined, error) {
	gr, err := g.Group()
	if err != nil {
		return group.Joined{}, err
	}
	mr, err := m.Member()
	return group.Joined{Group: gr, Member: mr}, err
}

// SortedMembers returns members in UserID order, the order member inserts
// take (index inserts stay local, and row locks are taken in one order).
func SortedMembers(members []group.Member) []group.Member {
	return slices.SortedFunc(slices.Values(members), func(a, b group.Member) int {
		return strings.Compare(a.UserID, b.UserID)
	})
}

// HasMember reports whether members has one with userID.
func HasMember(members []group.Member, userID string) bool {
	return slices.ContainsFunc(members, func(m group.Member) bool { return m.UserID == userID })
}

// UserIDsOf returns the UserIDs of members, in order.
func UserIDsOf(members []group.Member) []string {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.UserID
	}
	return ids
}

// AddResult splits members, in order, into those added (in added) and
// those that were members already.
func AddResult(members []group.Member, added map[string]bool) group.AddResult {
	var res group.AddResult
	for _, m := range members {
		if added[m.UserID] {
			res.Added = append(res.Added, m.UserID)
		} else {
			res.Already = append(res.Already, m.UserID)
		}
	}
	return res
}
