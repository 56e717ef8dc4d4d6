package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// selectC2C selects record.C2CColumns from c2c_messages as m.
var selectC2C = record.Select("c2c_messages", "m", record.C2CColumns)

// c2cDedupeQuery selects the first message of conversation (?, ?) stored
// with key ? at or after time ?, found by the index c2c_messages_dedupe.
var c2cDedupeQuery = dedupeLookup(selectC2C, "c2c_messages", "peer_lo", "peer_hi", "id")

// insertC2C inserts the message of c2cArgs.
var insertC2C = insertInto("c2c_messages", slices.Concat([]string{"peer_lo", "peer_hi"}, record.C2CColumns, []string{"dedupe_key"}))

// c2cHistoryQuery selects the messages of conversation (?, ?) with ? <=
// time <= ?, newest first by (time, id), at most ? of them.
var c2cHistoryQuery = selectC2C + ` WHERE m.peer_lo = ? AND m.peer_hi = ? AND m.time >= ? AND m.time <= ?
	ORDER BY m.time DESC, m.id DESC LIMIT ?`

// c2cHistoryBeforeQuery is c2cHistoryQuery (its arguments first) of the
// messages older, in (time, id) order, than the anchor: the oldest message
// of the conversation with key ?, found by the index c2c_messages_recall
// (from and to each ?, ?: the conversation's peers, then the conversation's
// peer_lo, peer_hi again). Without an anchor the comparison is NULL: no
// messages.
var c2cHistoryBeforeQuery = selectC2C + ` WHERE m.peer_lo = ? AND m.peer_hi = ? AND m.time >= ? AND m.time <= ?
	AND (m.time, m.id) < (SELECT a.time, a.id FROM c2c_messages a
		WHERE a.from_account IN (?, ?) AND a.to_account IN (?, ?) AND a.msg_key = ?
			AND a.peer_lo = ? AND a.peer_hi = ?
		ORDER BY a.time, a.id LIMIT 1)
	ORDER BY m.time DESC, m.id DESC LIMIT ?`

// recallC2C marks the messages (from ?, to ?, key ?) recalled.
const recallC2C = `UPDATE c2c_messages SET recalled = 1 WHERE from_account = ? AND to_account = ? AND msg_key = ?`

// AppendC2C implements [message.C2CStore] in one write transaction, with
// statements prepared once: the de-duplication lookup (when dedupeKey is
// set) and the insert. The single writer serialises senders, so a retried
// send cannot slip in twice.
func (db *DB) AppendC2C(ctx context.Context, m message.C2CMessage, dedupeKey string, dedupeSince int64) (message.C2CMessage, bool, error) {
	lo, hi := record.Peers(m.From, m.To)
	var (
		found message.C2CMessage
		dup   bool
	)
	stmts, err := db.prepareWrites(ctx, c2cDedupeQuery, insertC2C)
	if err == nil {
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			if dedupeKey != "" {
				var r record.C2CRow
				err := tx.StmtContext(ctx, stmts[0]).QueryRowContext(ctx, lo, hi, dedupeKey, dedupeSince).Scan(r.Dest()...)
				if err == nil {
					found, dup = r.Message(), true
					return nil
				}
				if err := record.NoRows(err, nil); err != nil {
					return err
				}
			}
			_, err := tx.StmtContext(ctx, stmts[1]).ExecContext(ctx, record.C2CArgs(m, dedupeKey)...)
			return err
		})
	}
	if err != nil {
		return message.C2CMessage{}, false, fmt.Errorf("sqlite: append message from %q to %q: %w", m.From, m.To, err)
	}
	if dup {
		return found, true, nil
	}
	return m, false, nil
}

// C2CMessages implements [message.C2CStore] with a statement prepared once:
// a backward range of c2c_messages_history. maxTime 0 means no upper bound,
// limit <= 0 no limit. A beforeKey that no message of the conversation has
// gives no messages; when several have it, the oldest is the anchor.
func (db *DB) C2CMessages(ctx context.Context, a, b string, minTime, maxTime int64, beforeKey string, limit int) ([]message.C2CMessage, error) {
	lo, hi := record.Peers(a, b)
	upTo := record.TimeUpTo(maxTime)
	n := int64(-1) // SQLite: a negative LIMIT is none
	if limit > 0 {
		n = int64(limit)
	}
	query, args := c2cHistoryQuery, []any{lo, hi, minTime, upTo, n}
	if beforeKey != "" {
		query, args = c2cHistoryBeforeQuery, []any{lo, hi, minTime, upTo, lo, hi, lo, hi, beforeKey, lo, hi, n}
	}
	var msgs []message.C2CMessage
	stmt, err := db.readStmt(ctx, query)
	if err == nil {
		var rows *sql.Rows
		if rows, err = stmt.QueryContext(ctx, args...); err == nil {
			msgs, err = collect(rows, (*record.C2CRow).Dest, noErr((*record.C2CRow).Message))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: messages between %q and %q: %w", a, b, err)
	}
	return msgs, nil
}

// RecallC2C implements [message.C2CStore] in one write transaction with a
// statement prepared once: an UPDATE, which counts a message already
// recalled too.
func (db *DB) RecallC2C(ctx context.Context, from, to, key string) (bool, error) {
	var n int64
	stmt, err := db.writeStmt(ctx, recallC2C)
	if err == nil {
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			var err error
			n, err = affected(tx.StmtContext(ctx, stmt).ExecContext(ctx, from, to, key))
			return err
		})
	}
	if err != nil {
		return false, fmt.Errorf("sqlite: recall message %q from %q to %q: %w", key, from, to, err)
	}
	return n > 0, nil
}
