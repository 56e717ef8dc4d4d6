package message

import (
	"encoding/json"

	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/hook"
)

// The changes the message rules make, published after the store committed
// (an online-only message is published without being stored). All of them
// are routed: only the nodes with sessions of the group's members or of the
// users hear them.

// Sent: send_group_msg sent Message (Seq 0 when online only). Quiet is
// ForbidAfterSendMsgCallback.
type Sent struct {
	Message   Message
	GroupType group.Type
	Quiet     bool `json:",omitempty"`
}

// GroupRecalled: group_msg_recall recalled Seqs of a stream; Operator is
// the member who recalled over the socket ("" for the app admin).
type GroupRecalled struct {
	GroupID   string
	GroupType group.Type
	TopicID   string
	Seqs      []uint64
	Operator  string `json:",omitempty"`
}

// C2CSent: a one-to-one message was sent (sendmsg, batchsendmsg, a
// real-time importmsg). Quiet: no after-callback (batchsendmsg,
// importmsg, ForbidAfterSendMsgCallback).
type C2CSent struct {
	Message C2CMessage
	Quiet   bool `json:",omitempty"`
}

// C2CRecalled: admin_msgwithdraw recalled the message Key from From to To.
type C2CRecalled struct {
	From, To, Key string
}

// Notified: send_group_system_notification, to Members or (none) every
// online member.
type Notified struct {
	GroupID string
	TopicID string
	Members []string
	Content string
}

func (Sent) Kind() string          { return "message.group" }
func (GroupRecalled) Kind() string { return "message.group_recalled" }
func (C2CSent) Kind() string       { return "message.c2c" }
func (C2CRecalled) Kind() string   { return "message.c2c_recalled" }
func (Notified) Kind() string      { return "group.system_notification" }

func (c Sent) Scope() event.Scope {
	return event.Scope{GroupID: c.Message.GroupID, TopicID: c.Message.TopicID}
}
func (c GroupRecalled) Scope() event.Scope {
	return event.Scope{GroupID: c.GroupID, TopicID: c.TopicID}
}
func (c C2CSent) Scope() event.Scope {
	return event.Scope{Users: []string{c.Message.From, c.Message.To}}
}
func (c C2CRecalled) Scope() event.Scope { return event.Scope{Users: []string{c.From, c.To}} }
func (c Notified) Scope() event.Scope {
	return event.Scope{GroupID: c.GroupID, TopicID: c.TopicID, Users: c.Members}
}

func (Sent) Routed()          {}
func (GroupRecalled) Routed() {}
func (C2CSent) Routed()       {}
func (C2CRecalled) Routed()   {}
func (Notified) Routed()      {}

func init() {
	event.Register[Sent]()
	event.Register[GroupRecalled]()
	event.Register[C2CSent]()
	event.Register[C2CRecalled]()
	event.Register[Notified]()
}

// The questions the message rules ask the app backend before they act.

// SendQuestion asks before send_group_msg: From is the sender (the app
// admin when the admin sends as itself).
type SendQuestion struct {
	GroupID         string
	GroupType       group.Type
	TopicID         string
	From            string
	Random          uint32
	OnlineOnly      bool
	Body            json.RawMessage
	CloudCustomData string
}

// C2CSendQuestion asks before sendmsg sends Message (To set) with
// OnlineOnly (MsgLifeTime 0 or an online-only flag).
type C2CSendQuestion struct {
	Message    C2CMessage
	OnlineOnly bool
}

func (SendQuestion) Callback() string    { return hook.BeforeSendGroupMsg }
func (C2CSendQuestion) Callback() string { return hook.BeforeSendC2CMsg }
