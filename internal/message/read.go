package message

import "github.com/hearth-chat/hearth/internal/event"

// ReadPositionSet: User has read a stream (a group, or one of its topics)
// up to Seq. It concerns only User's own sessions, wherever they are: the
// cluster routes it to User's subject, and the hub pushes it to User's
// sessions alone. Nothing is cached of it and no callback is sent.
type ReadPositionSet struct {
	User    string
	GroupID string
	TopicID string `json:",omitempty"`
	Seq     uint64
}

func (ReadPositionSet) Kind() string         { return "message.read_position_set" }
func (c ReadPositionSet) Scope() event.Scope { return event.Scope{Users: []string{c.User}} }
func (ReadPositionSet) Routed()              {}

func init() { event.Register[ReadPositionSet]() }
