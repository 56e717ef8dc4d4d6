package record

import "github.com/hearth-chat/hearth/internal/topic"

// TopicColumns are the columns of topics in the order of TopicArgs and
// TopicRow.
var TopicColumns = []string{"group_id", "id", "name", "face_url", "notification", "introduction",
	"custom_string", "mute_all_member", "default_permission", "creator", "create_time", "last_msg_time",
	"next_msg_seq"}

// TopicArgs returns t's values for TopicColumns. Unsigned integers are
// stored as the signed integers with the same bits, which converts back
// losslessly.
func TopicArgs(t topic.Topic) []any {
	return []any{t.GroupID, t.ID, t.Name, t.FaceURL, t.Notification, t.Introduction, t.CustomString,
		t.MuteAllMember, int64(t.DefaultPermission), t.Creator, t.CreateTime, t.LastMsgTime, int64(t.NextMsgSeq)}
}

// TopicPatchArgs returns the values of p for the fields ModifyTopic may
// set, in the order name, face_url, notification, introduction,
// custom_string, mute_all_member, default_permission: NULL for each field p
// leaves nil, which the statement keeps by coalesce.
func TopicPatchArgs(p topic.Patch) []any {
	return []any{Null(p.Name), Null(p.FaceURL), Null(p.Notification), Null(p.Introduction), Null(p.CustomString),
		Null(p.MuteAllMember), NullBits(p.DefaultPermission)}
}

// TopicRow receives one row of TopicColumns.
type TopicRow struct {
	t              topic.Topic
	perms, nextSeq int64
}

// Dest returns the Scan destinations for TopicColumns.
func (r *TopicRow) Dest() []any {
	t := &r.t
	return []any{&t.GroupID, &t.ID, &t.Name, &t.FaceURL, &t.Notification, &t.Introduction, &t.CustomString,
		&t.MuteAllMember, &r.perms, &t.Creator, &t.CreateTime, &t.LastMsgTime, &r.nextSeq}
}

// Topic returns the topic scanned into r.
func (r *TopicRow) Topic() topic.Topic {
	t := r.t
	t.DefaultPermission, t.NextMsgSeq = uint64(r.perms), uint64(r.nextSeq)
	return t
}

// TopicsByID returns the topics of found whose ID is in ids, in the order
// of ids. ids must not repeat.
func TopicsByID(ids []string, found []topic.Topic) []topic.Topic {
	return OrderedBy(ids, found, func(t topic.Topic) string { return t.ID })
}

// MuteDest returns the Scan destinations of user_id, until in m.
func MuteDest(m *topic.Mute) []any { return []any{&m.UserID, &m.Until} }
