// Package message owns messages: group and topic messages with their
// sequence numbers, history, recall and de-duplication of retried sends,
// and the Store interface every storage implementation provides for them.
package message

import (
	"context"
	"encoding/json"
	"errors"
)

// Message is one message of a group, or of a topic of a community.
type Message struct {
	GroupID         string
	TopicID         string // "" for a group's own stream
	Seq             uint64 // assigned by the store: 1, 2, 3, … per stream, no gaps
	From            string
	Random          uint32
	Time            int64 // unix seconds
	Priority        string
	Body            json.RawMessage // the MsgBody array, compact JSON
	CloudCustomData string
	Recalled        bool
	System          bool  // a group system notification
	EditTime        int64 // unix seconds of the last edit; 0: never edited
}

// Errors a Store returns.
var ErrNoStream = errors.New("group or topic not found") // AppendGroupMessage on a missing stream

// RecallStatus is what RecallGroupMessages did with one sequence.
type RecallStatus int

// Recall statuses.
const (
	Recalled        RecallStatus = iota // recalled now
	RecallNotFound                      // no message with that sequence
	AlreadyRecalled                     // recalled before
)

// Store is the storage the message domain needs. Each method is one
// transaction.
type Store interface {
	SenderStore // delete_group_msg_by_sender (bysender.go)

	// AppendGroupMessage stores m in its stream (m.TopicID "" for the
	// group's own), assigning m.Seq as the stream's next sequence and
	// moving the stream's NextMsgSeq and LastMsgTime on, all in one
	// transaction. When dedupeKey is not empty and the stream already holds
	// a message stored with the same key at or after dedupeSince (unix
	// seconds), nothing is stored and that message is returned with
	// duplicate true. ErrNoStream when the group or topic does not exist.
	AppendGroupMessage(ctx context.Context, m Message, dedupeKey string, dedupeSince int64) (stored Message, duplicate bool, err error)
	// GroupMessages returns up to limit messages of a stream with Seq <=
	// maxSeq (0: the newest), newest first, recalled ones included.
	GroupMessages(ctx context.Context, groupID, topicID string, maxSeq uint64, limit int) ([]Message, error)
	// RecallGroupMessages marks the messages of seqs recalled and reports
	// per sequence what it did.
	RecallGroupMessages(ctx context.Context, groupID, topicID string, seqs []uint64) ([]RecallStatus, error)
	GroupEditStore
	// ExtensionStore keeps the extensions of messages sent with
	// SupportMessageExtension 1 (extension.go).
	ExtensionStore
}
