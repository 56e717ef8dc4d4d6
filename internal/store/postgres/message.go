package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// appendMessage returns the statement that appends a message to a stream
// whose row (groups or topics) next is updated where match holds. Its
// arguments are those of appendArgs. In order: dup looks for a message of
// the stream stored with key $11 at or after $12; unless there is one, seq
// takes the stream's next sequence and moves it on (queueing on the row
// lock behind concurrent senders, which makes sequences unique and gapless)
// and ins inserts the message with it. It returns one row: whether it is a
// duplicate, then record.MessageColumns of the message found or stored; none when
// the stream does not exist.
func appendMessage(next, match string) string {
	return `WITH dup AS (
			SELECT ` + record.Columns("", record.MessageColumns) + ` FROM group_messages
			WHERE group_id = $1 AND topic_id = $2 AND dedupe_key = $11 AND time >= $12
			ORDER BY time, seq LIMIT 1
		), seq AS (
			UPDATE ` + next + ` SET next_msg_seq = next_msg_seq + 1, last_msg_time = $5
			WHERE ` + match + ` AND NOT EXISTS (SELECT FROM dup)
			RETURNING next_msg_seq - 1 AS seq
		), ins AS (
			INSERT INTO group_messages (` + record.Columns("", record.MessageColumns) + `, dedupe_key)
			SELECT $1, $2, seq, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11 FROM seq
			RETURNING ` + record.Columns("", record.MessageColumns) + `
		)
		SELECT true, * FROM dup UNION ALL SELECT false, * FROM ins`
}

// The append statements of a group's own stream and of a topic's.
var (
	appendGroupMessage = appendMessage("groups", "id = $1")
	appendTopicMessage = appendMessage("topics", "group_id = $1 AND id = $2")
)

// appendArgs returns the arguments of appendMessage: m's values, then
// dedupeKey (NULL when empty, which matches nothing) and dedupeSince.
func appendArgs(m message.Message, dedupeKey string, dedupeSince int64) []any {
	return []any{m.GroupID, m.TopicID, m.From, int64(m.Random), m.Time, m.Priority, string(m.Body),
		m.CloudCustomData, m.Recalled, m.System, record.NullString(dedupeKey), dedupeSince}
}

// AppendGroupMessage implements [message.Store] in one round trip: a batch,
// run as one implicit transaction, of the locks (keeping the lock order of
// the package: the group row, then the topic row) and appendMessage.
//
// With a dedupeKey the stream's row is locked by a statement of its own
// before appendMessage runs: under READ COMMITTED each statement reads a
// snapshot taken when it starts, so the look for a duplicate then sees the
// message of a concurrent retry that held the lock first, which a look in
// the statement that waits for the lock would not.
func (db *DB) AppendGroupMessage(ctx context.Context, m message.Message, dedupeKey string, dedupeSince int64) (message.Message, bool, error) {
	type lock struct {
		query string
		args  []any
	}
	var locks []lock
	stmt := appendGroupMessage
	if m.TopicID != "" {
		locks = append(locks, lock{`SELECT FROM groups WHERE id = $1 FOR KEY SHARE`, []any{m.GroupID}})
		if dedupeKey != "" {
			locks = append(locks, lock{`SELECT FROM topics WHERE group_id = $1 AND id = $2 FOR NO KEY UPDATE`,
				[]any{m.GroupID, m.TopicID}})
		}
		stmt = appendTopicMessage
	} else if dedupeKey != "" {
		locks = append(locks, lock{`SELECT FROM groups WHERE id = $1 FOR NO KEY UPDATE`, []any{m.GroupID}})
	}
	var (
		stored message.Message
		dup    bool
	)
	err := db.batch(ctx, func(b *pgx.Batch) {
		for _, l := range locks {
			b.Queue(l.query, l.args...)
		}
		b.Queue(stmt, appendArgs(m, dedupeKey, dedupeSince)...)
	}, func(br pgx.BatchResults) error {
		for range locks {
			tag, err := br.Exec()
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return message.ErrNoStream
			}
		}
		var r record.MessageRow
		err := br.QueryRow().Scan(append([]any{&dup}, r.Dest()...)...)
		stored = r.Message()
		return record.NoRows(err, message.ErrNoStream)
	})
	if err != nil {
		return message.Message{}, false, fmt.Errorf("postgres: append message to group %q topic %q: %w", m.GroupID, m.TopicID, err)
	}
	return stored, dup, nil
}

// GroupMessages implements [message.Store] with one query: a backward range
// of the primary key. limit <= 0 means no limit. A stream that does not
// exist has no messages.
func (db *DB) GroupMessages(ctx context.Context, groupID, topicID string, maxSeq uint64, limit int) ([]message.Message, error) {
	var n *int64 // LIMIT NULL is none
	if limit > 0 {
		n = new(int64(limit))
	}
	rows, _ := db.pool.Query(ctx, record.Select("group_messages", "", record.MessageColumns)+`
		WHERE group_id = $1 AND topic_id = $2 AND seq <= $3 ORDER BY seq DESC LIMIT $4`, groupID, topicID, record.SeqUpTo(maxSeq), n)
	msgs, err := collect(rows, (*record.MessageRow).Dest, noErr((*record.MessageRow).Message))
	if err != nil {
		return nil, fmt.Errorf("postgres: messages of group %q topic %q up to %d: %w", groupID, topicID, maxSeq, err)
	}
	return msgs, nil
}

// RecallGroupMessages implements [message.Store] in one round trip: a batch,
// run as one implicit transaction, that recalls those of seqs not recalled
// yet (in sequence order, the order every recall locks rows in) and then
// reads which of seqs exist. A concurrent recall of the same message waits
// for the row and then finds it recalled. A sequence repeated in seqs is
// AlreadyRecalled after its first occurrence.
func (db *DB) RecallGroupMessages(ctx context.Context, groupID, topicID string, seqs []uint64) ([]message.RecallStatus, error) {
	want := make([]int64, len(seqs))
	for i, s := range seqs {
		want[i] = int64(s)
	}
	slices.Sort(want)
	want = slices.Compact(want)
	recalled, found := map[int64]bool{}, map[int64]bool{}
	err := db.batch(ctx, func(b *pgx.Batch) {
		b.Queue(`UPDATE group_messages m SET recalled = true
			FROM (SELECT seq FROM group_messages
				WHERE group_id = $1 AND topic_id = $2 AND seq = ANY($3) AND NOT recalled
				ORDER BY seq FOR NO KEY UPDATE) l
			WHERE m.group_id = $1 AND m.topic_id = $2 AND m.seq = l.seq AND NOT m.recalled
			RETURNING m.seq`, groupID, topicID, want)
		b.Queue(`SELECT seq FROM group_messages WHERE group_id = $1 AND topic_id = $2 AND seq = ANY($3)`,
			groupID, topicID, want)
	}, func(br pgx.BatchResults) error {
		clear(recalled)
		clear(found)
		for _, set := range []map[int64]bool{recalled, found} {
			rows, _ := br.Query()
			var seq int64
			if _, err := pgx.ForEachRow(rows, []any{&seq}, func() error {
				set[seq] = true
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: recall %d messages of group %q topic %q: %w", len(seqs), groupID, topicID, err)
	}
	out := make([]message.RecallStatus, len(seqs))
	for i, s := range seqs {
		switch seq := int64(s); {
		case recalled[seq]:
			out[i] = message.Recalled
			delete(recalled, seq) // a repeat is AlreadyRecalled
		case found[seq]:
			out[i] = message.AlreadyRecalled
		default:
			out[i] = message.RecallNotFound
		}
	}
	return out, nil
}
