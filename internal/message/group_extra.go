package message

import (
	"context"
	"fmt"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/text"
)

// Limits of import_group_msg and send_group_system_notification.
const (
	MaxImportGroupMsgs = 7
	MaxNotification    = 12 * 1024
)

// Results of import_group_msg, per message.
const (
	ImportOK        = 0
	ImportDuplicate = 1
	ImportFailed    = 2
)

// ImportItem is one MsgList entry of import_group_msg.
type ImportItem struct {
	From     string
	SendTime int64
	Random   uint32
	Body     []byte
}

// ImportResult is the outcome for one imported message.
type ImportResult struct {
	Seq    uint64
	Time   int64
	Result int
}

// Import stores messages from another system into a group or topic
// (import_group_msg) with their own times, without events: at most 7, in
// ascending SendTime, each after the group's creation and the stream's
// latest message and before now; a message imported before (same sender,
// time, random and body) answers ImportDuplicate.
func (s *Service) Import(ctx context.Context, groupID, topicID string, items []ImportItem) ([]ImportResult, error) {
	g, t, err := s.stream(ctx, groupID, topicID)
	if err != nil {
		return nil, err
	}
	if g.Type == group.AVChatRoom {
		return nil, apierr.New(apierr.GroupNoPermission, "AVChatRoom groups keep no history to import into")
	}
	if len(items) == 0 || len(items) > MaxImportGroupMsgs {
		return nil, badParam("MsgList must hold 1..%d messages", MaxImportGroupMsgs)
	}
	bodies := make([][]byte, len(items))
	for i, it := range items {
		if it.From == "" {
			return nil, badParam("MsgList[%d]: From_Account is required", i)
		}
		if err := group.CheckUserIDs(fmt.Sprintf("MsgList[%d].From_Account", i), it.From); err != nil {
			return nil, err
		}
		if bodies[i], err = CheckBody(it.Body, apierr.GroupBadParam, apierr.MessageTooLong); err != nil {
			return nil, err
		}
	}
	// The latest message time, read fresh (cached profiles may lag).
	latest := g.CreateTime
	if t != nil {
		if list, err := s.topics.List(ctx, g.ID, []string{t.ID}, ""); err == nil && len(list) == 1 {
			latest = max(latest, list[0].Topic.LastMsgTime, list[0].Topic.CreateTime)
		}
	} else if info, err := s.groups.Info(ctx, []string{g.ID}, false); err == nil && len(info) == 1 {
		latest = max(latest, info[0].Group.LastMsgTime)
	}
	now := s.now().Unix()
	out := make([]ImportResult, len(items))
	for i, it := range items {
		if it.SendTime < latest || it.SendTime >= now {
			out[i] = ImportResult{Time: it.SendTime, Result: ImportFailed}
			continue
		}
		m := Message{GroupID: g.ID, TopicID: topicID, From: it.From, Random: it.Random, Time: it.SendTime, Priority: PriorityNormal, Body: bodies[i]}
		key := hashKey(fmt.Sprintf("import:%s\x00%d\x00%d\x00%s", it.From, it.SendTime, it.Random, bodies[i]))
		stored, dup, err := s.store.AppendGroupMessage(ctx, m, key, 0)
		if err != nil {
			return nil, err
		}
		out[i] = ImportResult{Seq: stored.Seq, Time: stored.Time}
		if dup {
			out[i].Result = ImportDuplicate
		}
		latest = it.SendTime
	}
	return out, nil
}

// Notify pushes a system notification to the online members of a group,
// or to the listed ones (send_group_system_notification). It is not
// stored (the hosted service keeps no roaming copy either).
func (s *Service) Notify(ctx context.Context, groupID, topicID string, to []string, content string) error {
	g, _, err := s.stream(ctx, groupID, topicID)
	if err != nil {
		return err
	}
	if content == "" {
		return badParam("Content is required")
	}
	if len(content) > MaxNotification {
		return badParam("Content is longer than %d bytes", MaxNotification)
	}
	if p := text.Problem(content); p != "" {
		return badParam("Content %s", p)
	}
	if err := group.CheckUserIDs("ToMembers_Account", to...); err != nil {
		return err
	}
	if len(to) > 0 && g.Type == group.AVChatRoom {
		return badParam("AVChatRoom groups take system notifications for all members only")
	}
	var users []string
	for _, u := range to {
		if _, err := s.groups.Member(ctx, g.ID, u); err == nil {
			users = append(users, u)
		}
	}
	if len(to) > 0 && len(users) == 0 {
		return nil // none of them is a member: nobody to tell
	}
	if s.bus != nil {
		s.bus.Publish(event.Of(ctx, Notified{GroupID: g.ID, TopicID: topicID, Members: users, Content: content}, s.now()))
	}
	return nil
}
