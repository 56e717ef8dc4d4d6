// Package conversation owns a user's conversation list (the hosted
// "recent contacts"): which streams a user has, in what order, which of
// them are pinned, and which were deleted; the paging of the list, and the
// Store interface every storage implementation provides for it.
//
// Most of the list is derived rather than written: a group conversation is
// a membership of a group that has a last message, a one-to-one
// conversation is a pair of users with a message between them. Stores keep
// one "last message" pointer per group and per pair in the transaction of
// the message insert (never one row per member), and a few per-user marks:
// pinned, and deleted until a newer message arrives.
package conversation

import (
	"context"
	"errors"

	"github.com/hearth-chat/hearth/internal/message"
)

// Type is what a conversation is with: another user or a group. The
// numbers are the wire's (Type in recentcontact requests and answers).
type Type int

// Conversation types.
const (
	C2C   Type = 1 // one-to-one: ID is the other user
	Group Type = 2 // a group; a community is one conversation over all its topics
)

// Ref names one conversation of a user.
type Ref struct {
	Type Type
	ID   string // the peer's UserID (C2C) or the GroupId (Group)
}

// Conversation is one entry of a user's list.
type Conversation struct {
	Ref
	Time   int64 // unix seconds of the last message; 0: none yet (an empty conversation)
	Pinned bool
	// The last message, one of them set (none for an empty conversation,
	// or when its topic was deleted since): C2C for a one-to-one
	// conversation, Group for a group's own stream or one of its topics.
	// A recalled message is still the last one, marked Recalled.
	C2C   *message.C2CMessage
	Group *message.Message
	// Unread is the number of unread messages, filled by an UnreadCounter
	// when the service has one (the read-state rules own it); nil otherwise.
	Unread *uint64
}

// Query selects a range of one user's list, ordered newest first by Time,
// then by Type, then by ID.
type Query struct {
	// Pinned, when set, keeps only pinned (true) or only unpinned (false)
	// conversations.
	Pinned *bool
	// MaxTime keeps only conversations with Time <= MaxTime.
	MaxTime int64
	// Offset skips that many of those first; Limit returns at most that
	// many (it must be > 0).
	Offset, Limit int
	// Empty keeps conversations without a message too.
	Empty bool
}

// Errors a Store returns.
var ErrTooManyPinned = errors.New("too many pinned conversations") // Pin over its max

// Store is the storage the conversation rules need. Each method is one
// transaction.
type Store interface {
	// Conversations returns the conversations of user that q selects, each
	// with its last message. A group conversation is a membership of a
	// group that is not an AVChatRoom (those keep no conversation); a
	// one-to-one conversation is a pair with a message, or a pinned peer
	// without one (empty). A deleted conversation is left out until a
	// message newer than its deletion becomes its last.
	Conversations(ctx context.Context, user string, q Query) ([]Conversation, error)
	// Pin pins refs for user at time at (unix seconds, > 0), or unpins them
	// when at is 0. Pinning one already pinned keeps its pin; when more than
	// max would then be pinned nothing changes and ErrTooManyPinned is
	// returned. Unpinning one not pinned does nothing.
	Pin(ctx context.Context, user string, refs []Ref, at int64, max int) error
	// Delete removes ref from user's list (and unpins it) until a newer
	// message becomes its last. Deleting one that is not listed does
	// nothing.
	Delete(ctx context.Context, user string, ref Ref) error
}

// UnreadCounter fills the Unread field of conversations of user. The
// read-state rules (package message) provide it; a Service without one
// leaves Unread nil.
type UnreadCounter interface {
	FillUnread(ctx context.Context, user string, list []Conversation) error
}
