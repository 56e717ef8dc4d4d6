package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// selectMessage selects record.MessageColumns from group_messages as m.
var selectMessage = record.Select("group_messages", "m", record.MessageColumns)

// dedupeQuery selects the first message of stream (?, ?) stored with key ?
// at or after time ?, from the index alone up to that row.
var dedupeQuery = dedupeLookup(selectMessage, "group_messages", "group_id", "topic_id", "seq")

// dedupeLookup returns the de-duplication look-up of an append to table:
// selectRows (a SELECT from table as m) of the first row with m.<a> = ?
// and m.<b> = ? stored with key ? at or after time ?, in (time, <tie>)
// order, through the index <table>_dedupe.
func dedupeLookup(selectRows, table, a, b, tie string) string {
	return selectRows + ` INDEXED BY ` + table + `_dedupe
	WHERE m.` + a + ` = ? AND m.` + b + ` = ? AND m.dedupe_key = ? AND m.time >= ?
	ORDER BY m.time, m.` + tie + ` LIMIT 1`
}

// insertMessage inserts the message of messageArgs.
var insertMessage = insertInto("group_messages", slices.Concat(record.MessageColumns, []string{"dedupe_key"}))

// Statements that take the next sequence of a stream and move it on:
// nextGroupSeq of group ? (its own stream), nextTopicSeq of topic ? of
// group ?, each setting last_msg_time to the first argument.
const (
	nextGroupSeq = `UPDATE groups SET next_msg_seq = next_msg_seq + 1, last_msg_time = ?
		WHERE id = ? RETURNING next_msg_seq - 1`
	nextTopicSeq = `UPDATE topics SET next_msg_seq = next_msg_seq + 1, last_msg_time = ?
		WHERE group_id = ? AND id = ? RETURNING next_msg_seq - 1`
)

// messageArgs returns m's values for record.MessageColumns, then dedupeKey (NULL
// when empty). Body is bound as text: a []byte would be a BLOB, which the
// STRICT TEXT column refuses.
func messageArgs(m message.Message, dedupeKey string) []any {
	return []any{m.GroupID, m.TopicID, int64(m.Seq), m.From, int64(m.Random), m.Time, m.Priority,
		string(m.Body), m.CloudCustomData, m.Recalled, m.System, m.EditTime, record.NullString(dedupeKey)}
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
				var r record.MessageRow
				err := tx.StmtContext(ctx, stmts[0]).QueryRowContext(ctx, m.GroupID, m.TopicID, dedupeKey, dedupeSince).Scan(r.Dest()...)
				if err == nil {
					m, dup = r.Message(), true
					return nil
				}
				if err := record.NoRows(err, nil); err != nil {
					return err
				}
			}
			var seq int64
			if err := tx.StmtContext(ctx, stmts[1]).QueryRowContext(ctx, nextArgs...).Scan(&seq); err != nil {
				return record.NoRows(err, message.ErrNoStream)
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
	n := int64(-1) // SQLite: a negative LIMIT is none
	if limit > 0 {
		n = int64(limit)
	}
	var msgs []message.Message
	stmt, err := db.readStmt(ctx, historyQuery)
	if err == nil {
		var rows *sql.Rows
		if rows, err = stmt.QueryContext(ctx, groupID, topicID, record.SeqUpTo(maxSeq), n); err == nil {
			msgs, err = collect(rows, (*record.MessageRow).Dest, noErr((*record.MessageRow).Message))
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
