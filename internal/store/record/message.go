package record

import (
	"math"

	"github.com/hearth-chat/hearth/internal/message"
)

// MessageColumns are the columns of group_messages in the order of
// MessageRow (dedupe_key, written only, comes after them where a store
// writes it).
var MessageColumns = []string{"group_id", "topic_id", "seq", "from_account", "random", "time", "priority",
	"body", "cloud_custom_data", "recalled", "is_system", "edit_time"}

// MessageRow receives one row of MessageColumns.
type MessageRow struct {
	m           message.Message
	seq, random int64
	body        string
}

// Dest returns the Scan destinations for MessageColumns.
func (r *MessageRow) Dest() []any {
	m := &r.m
	return []any{&m.GroupID, &m.TopicID, &r.seq, &m.From, &r.random, &m.Time, &m.Priority,
		&r.body, &m.CloudCustomData, &m.Recalled, &m.System, &m.EditTime}
}

// Message returns the message scanned into r. Body is text in both stores
// (so that it can be compared and indexed as such); an empty one is nil.
func (r *MessageRow) Message() message.Message {
	m := r.m
	m.Seq, m.Random, m.Body = uint64(r.seq), uint32(r.random), nil
	if r.body != "" {
		m.Body = []byte(r.body)
	}
	return m
}

// SeqUpTo returns the highest sequence number a history read of maxSeq
// takes, as stored: maxSeq 0 (and any above the signed range) is none.
func SeqUpTo(maxSeq uint64) int64 {
	if maxSeq != 0 && maxSeq < math.MaxInt64 {
		return int64(maxSeq)
	}
	return math.MaxInt64
}

// TimeUpTo returns the latest time a C2C history read of maxTime takes:
// maxTime 0 is none.
func TimeUpTo(maxTime int64) int64 {
	if maxTime != 0 {
		return maxTime
	}
	return math.MaxInt64
}

// C2CColumns are the columns of c2c_messages in the order of C2CRow
// (peer_lo, peer_hi and dedupe_key, written only, come around them where a
// store writes them).
var C2CColumns = []string{"from_account", "to_account", "msg_seq", "random", "time", "msg_key", "msg_id",
	"body", "cloud_custom_data", "recalled", "edit_time"}

// C2CArgs returns the conversation of m (Peers), m's values for
// C2CColumns, then dedupeKey (NULL when empty, which matches nothing). Body
// is bound as text, as it is stored.
func C2CArgs(m message.C2CMessage, dedupeKey string) []any {
	lo, hi := Peers(m.From, m.To)
	return []any{lo, hi, m.From, m.To, int64(m.Seq), int64(m.Random), m.Time, m.Key, m.ID,
		string(m.Body), m.CloudCustomData, m.Recalled, m.EditTime, NullString(dedupeKey)}
}

// C2CRow receives one row of C2CColumns.
type C2CRow struct {
	m           message.C2CMessage
	seq, random int64
	body        string
}

// Dest returns the Scan destinations for C2CColumns.
func (r *C2CRow) Dest() []any {
	m := &r.m
	return []any{&m.From, &m.To, &r.seq, &r.random, &m.Time, &m.Key, &m.ID,
		&r.body, &m.CloudCustomData, &m.Recalled, &m.EditTime}
}

// Message returns the message scanned into r; an empty body is nil.
func (r *C2CRow) Message() message.C2CMessage {
	m := r.m
	m.Seq, m.Random, m.Body = uint32(r.seq), uint32(r.random), nil
	if r.body != "" {
		m.Body = []byte(r.body)
	}
	return m
}

// Peers returns a and b in byte order: their conversation.
func Peers(a, b string) (lo, hi string) {
	if b < a {
		return b, a
	}
	return a, b
}
