package message

import (
	"context"
	"encoding/json"
)

// C2CMessage is one one-to-one message.
type C2CMessage struct {
	From            string
	To              string
	Seq             uint32 // the sender's MsgSeq (random when not given); not unique
	Random          uint32
	Time            int64  // unix seconds: the server's, or MsgTimeStamp for imports
	Key             string // MsgKey: "<Seq>_<Random>_<Time>", used to recall
	ID              string // MsgId
	Body            json.RawMessage
	CloudCustomData string
	Recalled        bool
	EditTime        int64 // unix seconds of the last edit; 0: never edited
}

// C2CStore is the storage one-to-one messages need. Each method is one
// transaction.
type C2CStore interface {
	// AppendC2C stores m in the conversation of m.From and m.To. When
	// dedupeKey is not empty and that conversation (in either direction)
	// already holds a message stored with the same key at or after
	// dedupeSince (unix seconds), nothing is stored and that message is
	// returned with duplicate true.
	AppendC2C(ctx context.Context, m C2CMessage, dedupeKey string, dedupeSince int64) (stored C2CMessage, duplicate bool, err error)
	// C2CMessages returns the messages between a and b (both directions)
	// with minTime <= Time <= maxTime, newest first (by Time, then by the
	// order they were stored), recalled ones included, at most limit; when
	// beforeKey is set, only those older than the message with that key.
	C2CMessages(ctx context.Context, a, b string, minTime, maxTime int64, beforeKey string, limit int) ([]C2CMessage, error)
	// RecallC2C marks the message with key sent by from to to recalled and
	// reports whether it existed (recalling twice is not an error).
	RecallC2C(ctx context.Context, from, to, key string) (bool, error)
	C2CEditStore
	// ExtensionStore keeps the extensions of messages sent with
	// SupportMessageExtension 1 (extension.go).
	ExtensionStore
}
