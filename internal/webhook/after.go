package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"time"

	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/hook"
	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/topic"
)

// enqueueTimeout bounds the outbox write of one event's callbacks.
const enqueueTimeout = 10 * time.Second

// GroupTypeFunc returns the type name of a group ("" when unknown).
type GroupTypeFunc func(ctx context.Context, groupID string) string

// recorder is an event.Bus that writes the after-callbacks of each event
// published on this node to the outbox before passing the event on. The
// services publish after their write committed and before they answer, so
// a request that answered OK has its callbacks queued.
type recorder struct {
	event.Bus
	w         *Webhooks
	groupType GroupTypeFunc
}

// Wrap returns inner with the after-callbacks recorded on Publish; it is
// inner itself when no after-callback is enabled.
func (w *Webhooks) Wrap(inner event.Bus, groupType GroupTypeFunc) event.Bus {
	for c := range w.enabled {
		if isAfter(c) {
			return &recorder{Bus: inner, w: w, groupType: groupType}
		}
	}
	return inner
}

func isAfter(command string) bool { return !before[command] && slices.Contains(All, command) }

// before are the before-callbacks of All.
var before = map[string]bool{hook.BeforeCreateGroup: true, hook.BeforeInviteJoinGroup: true, hook.BeforeSendGroupMsg: true,
	hook.BeforeCreateTopic: true, hook.BeforeModifyTopic: true, hook.BeforeSendC2CMsg: true}

// Publish implements event.Bus.
func (r *recorder) Publish(e event.Event) {
	if !e.NoCallback {
		r.record(e)
	}
	r.Bus.Publish(e)
}

// afterOf is the after-callback of each event type that has one.
var afterOf = map[string]string{
	"group.created": hook.AfterCreateGroup, "group.members_added": hook.AfterNewMemberJoin,
	"group.members_removed": hook.AfterMemberExit, "group.modified": hook.AfterGroupInfoChanged,
	"group.destroyed": hook.AfterGroupDestroyed, "group.owner_changed": hook.AfterChangeGroupOwner,
	"message.group": hook.AfterSendGroupMsg, "message.group_recalled": hook.AfterRecallGroupMsg,
	"topic.created": hook.AfterCreateTopic, "topic.destroyed": hook.AfterTopicDestroyed,
	"topic.modified": hook.AfterTopicInfoChanged, "permission.changed": hook.AfterPermissionGroupChanged,
	"message.c2c": hook.AfterSendC2CMsg, "message.c2c_recalled": hook.AfterC2CMsgWithDraw,
}

func (r *recorder) record(e event.Event) {
	if !r.w.enabled[afterOf[e.Type]] { // no body built, no group read, for a disabled callback
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), enqueueTimeout)
	defer cancel()
	cmd, body := r.translate(ctx, e, r.w.admin(e.Origin))
	if cmd == "" || !r.w.enabled[cmd] {
		return
	}
	r.w.enqueue(ctx, cmd, e.Origin, body, e.Time)
}

// NewEventID returns a fresh event ID: 32 hex digits.
func NewEventID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// enqueue writes one after-callback to the outbox and wakes the
// dispatcher. A failed write is logged and counted: the operation has
// happened already.
func (w *Webhooks) enqueue(ctx context.Context, command string, o hook.Origin, body map[string]any, eventTime int64) {
	if eventTime != 0 {
		body["EventTime"] = eventTime
	}
	b, err := w.encode(command, body)
	if err == nil {
		err = w.store.EnqueueCallbacks(ctx, []Callback{{ID: NewEventID(), Command: command, Body: b,
			ClientIP: o.ClientIP, Platform: o.Platform, Created: w.cfg.Now().UnixMilli(), Due: w.cfg.Now().UnixMilli()}})
	}
	if err != nil {
		w.metrics.enqueueErrors.Inc()
		w.cfg.Logger.Error("after-callback not queued", "command", command, "err", err)
		return
	}
	w.metrics.queued.Inc()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func accounts(key string, ids []string) []map[string]string {
	out := make([]map[string]string, len(ids))
	for i, id := range ids {
		out[i] = map[string]string{key: id}
	}
	return out
}

// translate maps an event to its after-callback: the command ("" for none)
// and the body without CallbackCommand and EventTime.
func (r *recorder) translate(ctx context.Context, e event.Event, admin string) (string, map[string]any) {
	operator := func(id string) string {
		if id == "" {
			return admin
		}
		return id
	}
	typeOf := func() string {
		if e.TopicID != "" {
			return string(group.Community)
		}
		return r.groupType(ctx, e.GroupID)
	}
	switch e.Type {
	case "group.created":
		g, _ := e.Data.(group.Group)
		kv := g.AppDefinedData
		if kv == nil {
			kv = []group.KV{}
		}
		return hook.AfterCreateGroup, map[string]any{"GroupId": g.ID, "Operator_Account": operator(e.Operator),
			"Owner_Account": g.Owner, "Type": string(g.Type), "Name": g.Name,
			"MemberList": accounts("Member_Account", e.Users), "UserDefinedDataList": kv}
	case "group.members_added":
		return hook.AfterNewMemberJoin, map[string]any{"GroupId": e.GroupID, "Type": typeOf(), "JoinType": "Invited",
			"Operator_Account": operator(e.Operator), "NewMemberList": accounts("Member_Account", e.Users)}
	case "group.members_removed":
		return hook.AfterMemberExit, map[string]any{"GroupId": e.GroupID, "Type": typeOf(), "ExitType": "Kicked",
			"Operator_Account": operator(e.Operator), "ExitMemberList": accounts("Member_Account", e.Users)}
	case "group.modified":
		g, _ := e.Data.(group.Group)
		return hook.AfterGroupInfoChanged, map[string]any{"GroupId": e.GroupID, "Type": string(g.Type),
			"Operator_Account": operator(e.Operator), "Name": g.Name, "Introduction": g.Introduction,
			"Notification": g.Notification, "FaceUrl": g.FaceURL}
	case "group.destroyed":
		g, _ := e.Data.(group.Group)
		// MemberList is left empty: the members are gone with the group,
		// and a large community's list would not fit a callback anyway.
		return hook.AfterGroupDestroyed, map[string]any{"GroupId": e.GroupID, "Type": string(g.Type),
			"Operator_Account": operator(e.Operator), "Owner_Account": g.Owner, "Name": g.Name, "MemberList": []any{}}
	case "group.owner_changed":
		if len(e.Users) != 2 {
			return "", nil
		}
		return hook.AfterChangeGroupOwner, map[string]any{"GroupId": e.GroupID, "Type": typeOf(),
			"NewOwner_Account": e.Users[0], "OldOwner_Account": e.Users[1], "Operator_Account": operator(e.Operator)}
	case "message.group":
		m, ok := e.Data.(message.Message)
		if !ok || m.System {
			return "", nil
		}
		body := map[string]any{"GroupId": m.GroupID, "Type": typeOf(), "From_Account": m.From,
			"Operator_Account": m.From, "Random": m.Random, "MsgSeq": m.Seq, "MsgTime": m.Time,
			"OnlineOnlyFlag": b2i(m.Seq == 0), "MsgBody": m.Body, "CloudCustomData": m.CloudCustomData}
		if m.TopicID != "" {
			body["TopicId"] = m.TopicID
		}
		return hook.AfterSendGroupMsg, body
	case "message.group_recalled":
		seqs, _ := e.Data.([]uint64)
		list := make([]map[string]uint64, len(seqs))
		for i, s := range seqs {
			list[i] = map[string]uint64{"MsgSeq": s}
		}
		body := map[string]any{"GroupId": e.GroupID, "Type": typeOf(), "Operator_Account": operator(e.Operator), "MsgSeqList": list}
		if e.TopicID != "" {
			body["TopicId"] = e.TopicID
		}
		return hook.AfterRecallGroupMsg, body
	case "topic.created":
		t, _ := e.Data.(topic.Topic)
		return hook.AfterCreateTopic, map[string]any{"GroupId": t.GroupID, "TopicId": t.ID, "Type": string(group.Community),
			"Operator_Account": operator(e.Operator), "Owner_Account": operator(t.Creator), "Name": t.Name,
			"UserDefinedDataList": []any{}}
	case "topic.destroyed":
		return hook.AfterTopicDestroyed, map[string]any{"GroupId": e.GroupID, "Type": string(group.Community),
			"TopicIdList": []string{e.TopicID}}
	case "topic.modified":
		p, _ := e.Data.(topic.Patch)
		body := map[string]any{"GroupId": e.GroupID, "TopicId": e.TopicID, "Type": string(group.Community),
			"Operator_Account": operator(e.Operator)}
		changed := false
		for _, f := range []struct {
			key string
			v   *string
		}{{"Name", p.Name}, {"Introduction", p.Introduction}, {"Notification", p.Notification}, {"FaceUrl", p.FaceURL}} {
			if f.v != nil {
				body[f.key] = *f.v
				changed = true
			}
		}
		if !changed { // CustomString, MuteAllMember and permissions do not trigger it (as hosted)
			return "", nil
		}
		return hook.AfterTopicInfoChanged, body
	case "permission.changed":
		c, _ := e.Data.(permgroup.Change)
		body := map[string]any{"GroupId": e.GroupID, "Type": string(group.Community), "Operation": c.Operation,
			"Operator_Account": operator(e.Operator), "PermissionGroupIdList": nonNil(c.PermissionGroupIDs),
			"TopicIdList": nonNil(c.TopicIDs), "MemberList": accounts("Member_Account", e.Users)}
		return hook.AfterPermissionGroupChanged, body
	case "message.c2c":
		m, ok := e.Data.(message.C2CMessage)
		if !ok {
			return "", nil
		}
		return hook.AfterSendC2CMsg, map[string]any{"From_Account": m.From, "To_Account": m.To, "MsgSeq": m.Seq,
			"MsgRandom": m.Random, "MsgTime": m.Time, "MsgKey": m.Key, "MsgId": m.ID, "OnlineOnlyFlag": 0,
			"MsgBody": m.Body, "CloudCustomData": m.CloudCustomData, "SendMsgResult": 0,
			"ErrorInfo": "send msg succeed", "UnreadMsgNum": 0}
	case "message.c2c_recalled":
		key, _ := e.Data.(string)
		if len(e.Users) != 2 {
			return "", nil
		}
		return hook.AfterC2CMsgWithDraw, map[string]any{"From_Account": e.Users[0], "To_Account": e.Users[1],
			"MsgKey": key, "UnreadMsgNum": 0}
	}
	return "", nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
