package record

import (
	"cmp"
	"slices"

	"github.com/hearth-chat/hearth/internal/message"
)

// StreamSeq is one message of a group named by its stream and sequence.
type StreamSeq struct {
	TopicID string
	Seq     uint64
}

// StreamSeqRow scans a row of topic_id, seq.
type StreamSeqRow struct {
	topicID string
	seq     int64
}

// Dest returns the Scan destinations of topic_id, seq.
func (r *StreamSeqRow) Dest() []any { return []any{&r.topicID, &r.seq} }

// StreamSeq returns the message scanned into r.
func (r *StreamSeqRow) StreamSeq() StreamSeq {
	return StreamSeq{TopicID: r.topicID, Seq: uint64(r.seq)}
}

// GroupStreamSeqs groups messages by stream: streams in TopicID order, each
// one's sequences ascending.
func GroupStreamSeqs(got []StreamSeq) []message.StreamSeqs {
	slices.SortFunc(got, func(a, b StreamSeq) int {
		return cmp.Or(cmp.Compare(a.TopicID, b.TopicID), cmp.Compare(a.Seq, b.Seq))
	})
	var out []message.StreamSeqs
	for _, m := range got {
		if len(out) == 0 || out[len(out)-1].TopicID != m.TopicID {
			out = append(out, message.StreamSeqs{TopicID: m.TopicID})
		}
		last := &out[len(out)-1]
		last.Seqs = append(last.Seqs, m.Seq)
	}
	return out
}
