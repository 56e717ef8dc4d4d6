package conversation

import "github.com/hearth-chat/hearth/internal/event"

// The changes the conversation rules make, published after the store
// committed. They concern only User's own sessions, wherever they are: the
// cluster routes them to User's subject and the hub pushes them to User's
// sessions alone (not to the members of a group conversation). Nothing is
// cached of them and no callback reports them. New messages need no change
// of their own: the message changes already reach the sessions.

// Pinned: recentcontact/top pinned (Pinned true) or unpinned Refs of User.
type Pinned struct {
	User   string
	Refs   []Ref
	Pinned bool
}

// Deleted: recentcontact/delete removed Ref from User's list until a newer
// message arrives in it.
type Deleted struct {
	User string
	Ref  Ref
}

func (Pinned) Kind() string  { return "conversation.pinned" }
func (Deleted) Kind() string { return "conversation.deleted" }

func (c Pinned) Scope() event.Scope  { return event.Scope{Users: []string{c.User}} }
func (c Deleted) Scope() event.Scope { return event.Scope{Users: []string{c.User}} }

func (Pinned) Routed()  {}
func (Deleted) Routed() {}

func init() {
	event.Register[Pinned]()
	event.Register[Deleted]()
}
