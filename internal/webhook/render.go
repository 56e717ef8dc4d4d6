package webhook

import (
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/hook"
	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/presence"
	"github.com/hearth-chat/hearth/internal/restrict"
	"github.com/hearth-chat/hearth/internal/topic"
)

// This file is the only place that spells the callback bodies: it renders
// the domains' typed questions (before-callbacks) and changes
// (after-callbacks) as the hosted service's JSON field names. The bodies
// lack CallbackCommand and EventTime, which encode and enqueue add.

// beforeBody renders a before-callback question. An empty
// Operator_Account is the app admin's (admin).
func (w *Webhooks) beforeBody(q hook.Question, admin string) map[string]any {
	op := func(id string) string {
		if id == "" {
			return admin
		}
		return id
	}
	switch q := q.(type) {
	case group.CreateQuestion:
		g := q.Group
		return map[string]any{"Operator_Account": op(g.Owner), "Owner_Account": g.Owner, "Type": string(g.Type), "Name": g.Name,
			"CreateGroupNum": q.Owned, "CreatedGroupNum": q.Owned, "InviteOption": g.InviteJoinOption,
			"MemberList": accounts("Member_Account", q.Members)}
	case group.InviteQuestion:
		return map[string]any{"GroupId": q.GroupID, "Type": string(q.Type), "Operator_Account": admin,
			"DestinationMembers": accounts("Member_Account", q.Members)}
	case topic.CreateQuestion:
		// The documented body has no GroupId; Hearth adds it (and TopicId
		// when the caller chose one), which receivers may ignore.
		b := map[string]any{"Operator_Account": op(q.Operator), "Type": string(group.Community), "Name": q.Name, "GroupId": q.GroupID}
		if q.TopicID != "" {
			b["TopicId"] = q.TopicID
		}
		return b
	case topic.ModifyQuestion:
		// Group.CallbackBeforeModifyTopic (spec decision 1): who changes
		// which topic, and the fields being changed with their new values.
		req := q.Request
		b := map[string]any{"GroupId": q.GroupID, "TopicId": q.TopicID, "Type": string(group.Community), "Operator_Account": op(req.From)}
		for _, f := range []struct {
			key string
			v   *string
		}{{"TopicName", req.Name}, {"FaceUrl", req.FaceURL}, {"Notification", req.Notification},
			{"Introduction", req.Introduction}, {"CustomString", req.CustomString}, {"MuteAllMember", req.MuteAllMember}} {
			if f.v != nil {
				b[f.key] = *f.v
			}
		}
		if req.DefaultPermission != nil {
			b["DefaultPermission"] = *req.DefaultPermission
		}
		return b
	case message.SendQuestion:
		b := map[string]any{"GroupId": q.GroupID, "Type": string(q.GroupType), "From_Account": q.From, "Operator_Account": op(q.From),
			"Random": q.Random, "OnlineOnlyFlag": b2i(q.OnlineOnly), "MsgBody": q.Body, "CloudCustomData": q.CloudCustomData}
		if q.TopicID != "" {
			b["TopicId"] = q.TopicID
		}
		return b
	case message.C2CSendQuestion:
		m := q.Message
		return map[string]any{"From_Account": m.From, "To_Account": m.To, "MsgSeq": m.Seq, "MsgRandom": m.Random,
			"MsgTime": m.Time, "MsgKey": m.Key, "MsgId": m.ID, "OnlineOnlyFlag": b2i(q.OnlineOnly), "MsgBody": m.Body,
			"CloudCustomData": m.CloudCustomData}
	}
	return map[string]any{}
}

// afterCommand is the after-callback of a change ("" for none).
func afterCommand(c event.Change) string {
	switch c := c.(type) {
	case group.Created:
		return hook.AfterCreateGroup
	case group.MembersAdded:
		return hook.AfterNewMemberJoin
	case group.MembersRemoved:
		return hook.AfterMemberExit
	case group.Modified:
		return hook.AfterGroupInfoChanged
	case group.Destroyed:
		return hook.AfterGroupDestroyed
	case group.OwnerChanged:
		return hook.AfterChangeGroupOwner
	case message.Sent:
		return hook.AfterSendGroupMsg
	case message.GroupRecalled:
		return hook.AfterRecallGroupMsg
	case topic.Created:
		return hook.AfterCreateTopic
	case topic.Destroyed:
		return hook.AfterTopicDestroyed
	case topic.Modified:
		return hook.AfterTopicInfoChanged
	case permgroup.Changed:
		return hook.AfterPermissionGroupChanged
	case message.C2CSent:
		return hook.AfterSendC2CMsg
	case message.C2CRecalled:
		return hook.AfterC2CMsgWithDraw
	case message.GroupEdited:
		return hook.AfterModifyGroupMsg
	case message.C2CEdited:
		return hook.AfterModifyC2CMsg
	case presence.Changed:
		return hook.StateChange
	case message.ExtensionChanged:
		if c.Ref.C2C() {
			return hook.AfterC2CMsgExtension
		}
		return hook.AfterGroupMsgExtension
	case restrict.Blocked:
		return hook.AfterBlackListAdd
	case restrict.Unblocked:
		return hook.AfterBlackListDelete
	}
	return ""
}

// afterBody renders the after-callback of a change: nil when the change
// calls none (a system message, a quiet send, a topic change of no profile
// field). An empty operator is the app admin (admin).
func (w *Webhooks) afterBody(c event.Change, admin string) map[string]any {
	op := func(id string) string {
		if id == "" {
			return admin
		}
		return id
	}
	switch c := c.(type) {
	case group.Created:
		g := c.Group
		kv := g.AppDefinedData
		if kv == nil {
			kv = []group.KV{}
		}
		return map[string]any{"GroupId": g.ID, "Operator_Account": op(c.Operator),
			"Owner_Account": g.Owner, "Type": string(g.Type), "Name": g.Name,
			"MemberList": accounts("Member_Account", c.Members), "UserDefinedDataList": kv}
	case group.MembersAdded:
		return map[string]any{"GroupId": c.GroupID, "Type": string(c.GroupType), "JoinType": "Invited",
			"Operator_Account": admin, "NewMemberList": accounts("Member_Account", c.Members)}
	case group.MembersRemoved:
		return map[string]any{"GroupId": c.GroupID, "Type": string(c.GroupType), "ExitType": "Kicked",
			"Operator_Account": admin, "ExitMemberList": accounts("Member_Account", c.Members)}
	case group.Modified:
		g := c.Group
		return map[string]any{"GroupId": c.GroupID, "Type": string(g.Type),
			"Operator_Account": op(c.Operator), "Name": g.Name, "Introduction": g.Introduction,
			"Notification": g.Notification, "FaceUrl": g.FaceURL}
	case group.Destroyed:
		g := c.Group
		// MemberList is left empty: the members are gone with the group,
		// and a large community's list would not fit a callback anyway.
		return map[string]any{"GroupId": g.ID, "Type": string(g.Type),
			"Operator_Account": admin, "Owner_Account": g.Owner, "Name": g.Name, "MemberList": []any{}}
	case group.OwnerChanged:
		return map[string]any{"GroupId": c.GroupID, "Type": string(c.GroupType),
			"NewOwner_Account": c.NewOwner, "OldOwner_Account": c.OldOwner, "Operator_Account": op(c.Operator)}
	case message.Sent:
		m := c.Message
		if m.System || c.Quiet {
			return nil
		}
		body := map[string]any{"GroupId": m.GroupID, "Type": string(c.GroupType), "From_Account": m.From,
			"Operator_Account": m.From, "Random": m.Random, "MsgSeq": m.Seq, "MsgTime": m.Time,
			"OnlineOnlyFlag": b2i(m.Seq == 0), "MsgBody": m.Body, "CloudCustomData": m.CloudCustomData}
		if m.TopicID != "" {
			body["TopicId"] = m.TopicID
		}
		return body
	case message.GroupRecalled:
		list := make([]map[string]uint64, len(c.Seqs))
		for i, s := range c.Seqs {
			list[i] = map[string]uint64{"MsgSeq": s}
		}
		body := map[string]any{"GroupId": c.GroupID, "Type": string(c.GroupType), "Operator_Account": op(c.Operator), "MsgSeqList": list}
		if c.TopicID != "" {
			body["TopicId"] = c.TopicID
		}
		return body
	case topic.Created:
		t := c.Topic
		return map[string]any{"GroupId": t.GroupID, "TopicId": t.ID, "Type": string(group.Community),
			"Operator_Account": op(c.Operator), "Owner_Account": op(t.Creator), "Name": t.Name,
			"UserDefinedDataList": []any{}}
	case topic.Destroyed:
		return map[string]any{"GroupId": c.GroupID, "Type": string(group.Community), "TopicIdList": []string{c.TopicID}}
	case topic.Modified:
		p := c.Patch
		body := map[string]any{"GroupId": c.GroupID, "TopicId": c.TopicID, "Type": string(group.Community),
			"Operator_Account": op(c.Operator)}
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
			return nil
		}
		return body
	case permgroup.Changed:
		return map[string]any{"GroupId": c.GroupID, "Type": string(group.Community), "Operation": c.Operation,
			"Operator_Account": admin, "PermissionGroupIdList": nonNil(c.PermissionGroupIDs),
			"TopicIdList": nonNil(c.TopicIDs), "MemberList": accounts("Member_Account", c.Members)}
	case message.C2CSent:
		m := c.Message
		if c.Quiet {
			return nil
		}
		return map[string]any{"From_Account": m.From, "To_Account": m.To, "MsgSeq": m.Seq,
			"MsgRandom": m.Random, "MsgTime": m.Time, "MsgKey": m.Key, "MsgId": m.ID, "OnlineOnlyFlag": 0,
			"MsgBody": m.Body, "CloudCustomData": m.CloudCustomData, "SendMsgResult": 0,
			"ErrorInfo": "send msg succeed", "UnreadMsgNum": 0}
	case message.C2CRecalled:
		return map[string]any{"From_Account": c.From, "To_Account": c.To, "MsgKey": c.Key, "UnreadMsgNum": 0}
	case message.GroupEdited:
		m := c.Message
		return map[string]any{"GroupId": m.GroupID, "TopicId": m.TopicID, "Operator_Account": op(c.Operator),
			"MsgSeq": m.Seq, "MsgBody": m.Body}
	case message.C2CEdited:
		m := c.Message
		return map[string]any{"Operator_Account": op(c.Operator), "From_Account": m.From, "To_Account": m.To,
			"MsgSeq": m.Seq, "MsgRandom": m.Random, "MsgTime": m.Time, "MsgKey": m.Key,
			"MsgBody": m.Body, "CloudCustomData": m.CloudCustomData}
	case message.ExtensionChanged:
		list := make([]map[string]any, len(c.Keys))
		for i, kv := range c.Keys {
			list[i] = map[string]any{"Key": kv.Key, "Value": kv.Value, "Seq": kv.Seq}
		}
		body := map[string]any{"OperateType": c.Op, "ExtensionList": list, "Seq": c.Seq}
		if r := c.Ref; r.C2C() {
			body["From_Account"], body["To_Account"], body["MsgKey"] = r.From, r.To, r.Key
		} else {
			body["GroupId"], body["MsgSeq"] = r.GroupID, r.Seq
			if r.TopicID != "" {
				body["TopicId"] = r.TopicID
			}
		}
		return body
	case restrict.Blocked:
		return map[string]any{"PairList": pairs(c.Owner, c.Users)}
	case restrict.Unblocked:
		return map[string]any{"PairList": pairs(c.Owner, c.Users)}
	case presence.Changed:
		action, reason := stateChange(c)
		if action == "" { // not an edge: the user was online before and after
			return nil
		}
		return map[string]any{"Info": map[string]any{"Action": action, "To_Account": c.User, "Reason": reason}}
	}
	return nil
}

// stateChange is the Action and Reason of State.StateChange for an edge of
// a user's presence ("" for a change that is none): Login (Register) for
// the first connection; for the last, Logout (Unregister) when the client
// closed normally or was kicked, Disconnect (TimeOut) when it went silent,
// else Disconnect (LinkClose).
func stateChange(c presence.Changed) (action, reason string) {
	switch {
	case c.Edge == presence.Online:
		return "Login", "Register"
	case c.Edge != presence.Offline:
		return "", ""
	case c.End == presence.EndLogout || c.End == presence.EndKicked:
		return "Logout", "Unregister"
	case c.End == presence.EndTimeout:
		return "Disconnect", "TimeOut"
	}
	return "Disconnect", "LinkClose"
}

func accounts(key string, ids []string) []map[string]string {
	out := make([]map[string]string, len(ids))
	for i, id := range ids {
		out[i] = map[string]string{key: id}
	}
	return out
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

// pairs is the PairList of the blocklist callbacks: owner blocked (or
// unblocked) each of users.
func pairs(owner string, users []string) []map[string]string {
	out := make([]map[string]string, len(users))
	for i, u := range users {
		out[i] = map[string]string{"From_Account": owner, "To_Account": u}
	}
	return out
}
