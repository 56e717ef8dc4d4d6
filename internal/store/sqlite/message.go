package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"

	"github.com/hearth-chat/hearth/internal/message"
)

var _ message.Store = (*DB)(nil)

// messageColumns are the columns of group_messages in the order of
// messageArgs and messageRow (dedupe_key, written only, comes last in
// messageArgs).
var messageColumns = []string{"group_id", "topic_id", "seq", "from_account", "random", "time", "priority",
	"body", "cloud_custom_data", "recalled", "is_system"}

// selectMessage selects messageColumns from group_messages as m.
var selectMessage = `SELECT ` + columns("m", messageColumns) + ` FROM group_messages m`

// dedupeQuery selects the first message of stream (?, ?) stored with key ?
// at or after time ?, from the index alone up to that row.
var dedupeQuery = selectMessage + ` INDEXED BY group_messages_dedupe
	WHERE m.group_id = ? AND m.topic_id = ? AND m.dedupe_key = ? AND m.time >= ?
	ORDER BY m.time, m.seq LIMIT 1`

// insertMessage inserts the message of messageArgs.
var insertMessage = `INSERT INTO group_messages (` + columns("", messageColumns) + `, dedupe_key)
	VALUES (` + params(len(messageColumns)+1) + `)`

// Statements that take the next sequence of a stream and move it on:
// nextGroupSeq of group ? (its own stream), nextTopicSeq of topic ? of
// group ?, each setting last_msg_time to the first argument.
const (
	nextGroupSeq = `UPDATE groups SET next_msg_seq = next_msg_seq + 1, last_msg_time = ?
		WHERE id = ? RETURNING next_msg_seq - 1`
	nextTopicSeq = `UPDATE topics SET next_msg_seq = next_msg_seq + 1, last_msg_time = ?
		WHERE group_id = ? AND id = ? RETURNING next_msg_seq - 1`
)

// messageArgs returns m's values for messageColumns, then dedupeKey (NULL
// when empty). Body is bound as text: a []byte would be a BLOB, which the
// STRICT TEXT column refuses.
func messageArgs(m message.Message, dedupeKey string) []any {
	key := sql.NullString{String: dedupeKey, Valid: dedupeKey != ""}
	return []any{m.GroupID, m.TopicID, int64(m.Seq), m.From, int64(m.Random), m.Time, m.Priority,
		string(m.Body), m.CloudCustomData, m.Recalled, m.System, key}
}

// messageRow receives one row of messageColumns.
type messageRow struct {
	m           message.Message
	seq, random int64
	body        string
}

// dest returns the Scan destinations for messageColumns.
func (r *messageRow) dest() []any {
	m := &r.m
	return []any{&m.GroupID, &m.TopicID, &r.seq, &m.From, &r.random, &m.Time, &m.Priority,
		&r.body, &m.CloudCustomData, &m.Recalled, &m.System}
}

// message returns the message scanned into r.
func (r *messageRow) message() message.Message {
	m := r.m
	m.Seq, m.Random = uint64(r.seq), uint32(r.random)
	if r.body != "" {
		m.Body = []byte(r.body)
	}
	return m
}

// AppendGroupMessage implements [message.Store] in one write transaction,
// with statements prepared once: the de-duplication lookup (when dedupeKey
// is set), the UPDATE … RETURNING that takes the stream's next sequence, and
// the insert. The single writer serialises senders, so sequences are
// gapless and a retried send cannot slip in twice.
func (db *DB) AppendGroupMessage(ctx context.Context, m message.Message, dedupeKey string, dedupeSince int64) (message.Message, bool, error) {
	next, nextArgs := nextGroupSeq, []any{m.Time, m.GroupID}
	if m.TopicID != "" {
		next, nextArgs = nextTopicSeq, []any{m.Time, m.GroupID, m.TopicID}
	}
	var dup bool
	stmts, err := db.prepareWrites(ctx, dedupeQuery, next, insertMessage)
	if err == nil {
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			if dedupeKey != "" {
				var r messageRow
				err := tx.StmtContext(ctx, stmts[0]).QueryRowContext(ctx, m.GroupID, m.TopicID, dedupeKey, dedupeSince).Scan(r.dest()...)
				if err == nil {
					m, dup = r.message(), true
					return nil
				}
				if !errors.Is(err, sql.ErrNoRows) {
					return err
				}
			}
			var seq int64
			if err := tx.StmtContext(ctx, stmts[1]).QueryRowContext(ctx, nextArgs...).Scan(&seq); errors.Is(err, sql.ErrNoRows) {
				return message.ErrNoStream
			} else if err != nil {
				return err
			}
			m.Seq = uint64(seq)
			_, err := tx.StmtContext(ctx, stmts[2]).ExecContext(ctx, messageArgs(m, dedupeKey)...)
			return err
		})
	}
	if err != nil {
		return message.Message{}, false, fmt.Errorf("sqlite: append message to group %q topic %q: %w", m.GroupID, m.TopicID, err)
	}
	return m, dup, nil
}

// prepareWrites returns queries prepared on the writer by writeStmt.
func (db *DB) prepareWrites(ctx context.Context, queries ...string) ([]*sql.Stmt, error) {
	stmts := make([]*sql.Stmt, len(queries))
	for i, q := range queries {
		var err error
		if stmts[i], err = db.writeStmt(ctx, q); err != nil {
			return nil, err
		}
	}
	return stmts, nil
}

// historyQuery selects the messages of stream (?, ?) with seq <= ?, newest
// first, at most ? of them: a backward range of the primary key.
var historyQuery = selectMessage + ` WHERE m.group_id = ? AND m.topic_id = ? AND m.seq <= ?
	ORDER BY m.seq DESC LIMIT ?`

// GroupMessages implements [message.Store] with a statement prepared once.
// limit <= 0 means no limit. A stream that does not exist has no messages.
func (db *DB) GroupMessages(ctx context.Context, groupID, topicID string, maxSeq uint64, limit int) ([]message.Message, error) {
	upTo := int64(math.MaxInt64)
	if maxSeq != 0 && maxSeq < math.MaxInt64 {
		upTo = int64(maxSeq)
	}
	n := int64(-1) // SQLite: a negative LIMIT is none
	if limit > 0 {
		n = int64(limit)
	}
	var msgs []message.Message
	stmt, err := db.readStmt(ctx, historyQuery)
	if err == nil {
		var rows *sql.Rows
		if rows, err = stmt.QueryContext(ctx, groupID, topicID, upTo, n); err == nil {
			err = eachRow(rows, func() error {
				var r messageRow
				err := rows.Scan(r.dest()...)
				msgs = append(msgs, r.message())
				return err
			})
		}
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: messages of group %q topic %q up to %d: %w", groupID, topicID, maxSeq, err)
	}
	return msgs, nil
}

// RecallGroupMessages implements [message.Store] in one write transaction,
// in the order of seqs, with statements prepared once for the call: an
// UPDATE of a message not yet recalled and, when it changes nothing, a look
// whether the message exists. A sequence repeated in seqs is
// AlreadyRecalled after its first occurrence.
func (db *DB) RecallGroupMessages(ctx context.Context, groupID, topicID string, seqs []uint64) ([]message.RecallStatus, error) {
	out := make([]message.RecallStatus, len(seqs))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		recall, err := tx.PrepareContext(ctx, `UPDATE group_messages SET recalled = 1
			WHERE group_id = ? AND topic_id = ? AND seq = ? AND recalled = 0`)
		if err != nil {
			return err
		}
		defer recall.Close()
		find, err := tx.PrepareContext(ctx, `SELECT 1 FROM group_messages WHERE group_id = ? AND topic_id = ? AND seq = ?`)
		if err != nil {
			return err
		}
		defer find.Close()
		for i, seq := range seqs {
			args := []any{groupID, topicID, int64(seq)}
			if n, err := affected(recall.ExecContext(ctx, args...)); err != nil {
				return err
			} else if n > 0 {
				out[i] = message.Recalled
				continue
			}
			found, err := exists(ctx, find, args...)
			if err != nil {
				return err
			}
			out[i] = message.RecallNotFound
			if found {
				out[i] = message.AlreadyRecalled
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: recall %d messages of group %q topic %q: %w", len(seqs), groupID, topicID, err)
	}
	return out, nil
}
