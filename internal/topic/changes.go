package topic

import (
	"context"

	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/hook"
)

// The changes the topic rules make, published after the store committed
// (an imported topic is a group.Imported).

// Created: create_topic made Topic.
type Created struct {
	Topic    Topic
	Operator string
}

// Modified: modify_topic applied Patch.
type Modified struct {
	GroupID  string
	TopicID  string
	Operator string
	Patch    Patch
}

// Destroyed: destroy_topic deleted a topic.
type Destroyed struct {
	GroupID string
	TopicID string
}

// MembersMuted: forbid_send_msg with TopicId muted Members until Until.
type MembersMuted struct {
	GroupID string
	TopicID string
	Members []string
	Until   int64
}

func (Created) Kind() string      { return "topic.created" }
func (Modified) Kind() string     { return "topic.modified" }
func (Destroyed) Kind() string    { return "topic.destroyed" }
func (MembersMuted) Kind() string { return "topic.members_muted" }

func (c Created) Scope() event.Scope {
	return event.Scope{GroupID: c.Topic.GroupID, TopicID: c.Topic.ID}
}
func (c Modified) Scope() event.Scope  { return event.Scope{GroupID: c.GroupID, TopicID: c.TopicID} }
func (c Destroyed) Scope() event.Scope { return event.Scope{GroupID: c.GroupID, TopicID: c.TopicID} }
func (c MembersMuted) Scope() event.Scope {
	return event.Scope{GroupID: c.GroupID, TopicID: c.TopicID}
}

func init() {
	event.Register[Created]()
	event.Register[Modified]()
	event.Register[Destroyed]()
	event.Register[MembersMuted]()
}

func (s *Service) publish(ctx context.Context, c event.Change) {
	if s.bus != nil {
		s.bus.Publish(event.Of(ctx, c, s.now()))
	}
}

// The questions the topic rules ask the app backend before they act.

// CreateQuestion asks before create_topic: TopicID is set when the caller
// chose one.
type CreateQuestion struct {
	GroupID  string
	TopicID  string
	Operator string
	Name     string
}

// ModifyQuestion asks before modify_topic: who changes which topic, and
// the fields being changed with their new values.
type ModifyQuestion struct {
	GroupID string
	TopicID string
	Request ModifyRequest
}

func (CreateQuestion) Callback() string { return hook.BeforeCreateTopic }
func (ModifyQuestion) Callback() string { return hook.BeforeModifyTopic }
