package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// Edit statements: each writes record.EditArgs over a message not
// recalled and returns it as stored; the look-ups tell a recalled message
// from a missing one when the update changed nothing.
var (
	editGroupMessage = `UPDATE group_messages SET body = coalesce(?, body),
		cloud_custom_data = coalesce(?, cloud_custom_data), edit_time = ?
		WHERE group_id = ? AND topic_id = ? AND seq = ? AND recalled = 0
		RETURNING ` + record.Columns("", record.MessageColumns)
	groupMessageRecalled = `SELECT recalled FROM group_messages WHERE group_id = ? AND topic_id = ? AND seq = ?`

	// A MsgKey may name more than one message of a sender to a receiver
	// (imports with the same MsgSeq, MsgRandom and time): the edit, as a
	// recall, applies to each; the oldest is returned.
	editC2C = `UPDATE c2c_messages SET body = coalesce(?, body),
		cloud_custom_data = coalesce(?, cloud_custom_data), edit_time = ?
		WHERE from_account = ? AND to_account = ? AND msg_key = ? AND recalled = 0
		RETURNING id, ` + record.Columns("", record.C2CColumns)
	c2cByKey = selectC2C + ` WHERE m.from_account = ? AND m.to_account = ? AND m.msg_key = ?
		ORDER BY m.id LIMIT 1`
)

// EditGroupMessage implements [message.GroupEditStore] in one write
// transaction: the UPDATE … RETURNING and, when it changed nothing, the
// look whether the message exists recalled.
func (db *DB) EditGroupMessage(ctx context.Context, groupID, topicID string, seq uint64, e message.Edit) (message.Message, message.EditStatus, error) {
	var (
		m  message.Message
		st message.EditStatus
	)
	key := []any{groupID, topicID, int64(seq)}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		st = message.Edited // a write job may run again after a failed group commit
		var r record.MessageRow
		err := tx.QueryRowContext(ctx, editGroupMessage, append(record.EditArgs(e), key...)...).Scan(r.Dest()...)
		if err == nil {
			m = r.Message()
			return nil
		}
		if err := record.NoRows(err, nil); err != nil {
			return err
		}
		var recalled bool
		err = tx.QueryRowContext(ctx, groupMessageRecalled, key...).Scan(&recalled)
		st, err = record.EditLookup(err, recalled)
		return err
	})
	if err != nil {
		return message.Message{}, 0, fmt.Errorf("sqlite: edit message %d of group %q topic %q: %w", seq, groupID, topicID, err)
	}
	return m, st, nil
}

// C2CByKey implements [message.C2CEditStore]: the oldest message with key
// from from to to.
func (db *DB) C2CByKey(ctx context.Context, from, to, key string) (message.C2CMessage, bool, error) {
	var r record.C2CRow
	stmt, err := db.readStmt(ctx, c2cByKey)
	if err == nil {
		err = stmt.QueryRowContext(ctx, from, to, key).Scan(r.Dest()...)
		if err == sql.ErrNoRows {
			return message.C2CMessage{}, false, nil
		}
	}
	if err != nil {
		return message.C2CMessage{}, false, fmt.Errorf("sqlite: message %q from %q to %q: %w", key, from, to, err)
	}
	return r.Message(), true, nil
}

// EditC2C implements [message.C2CEditStore] in one write transaction: the
// UPDATE … RETURNING of every message not recalled with the key and, when
// it changed nothing, the look whether one exists recalled.
func (db *DB) EditC2C(ctx context.Context, from, to, key string, e message.Edit) (message.C2CMessage, message.EditStatus, error) {
	var (
		m  message.C2CMessage
		st message.EditStatus
	)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		st = message.Edited // a write job may run again after a failed group commit
		rows, err := tx.QueryContext(ctx, editC2C, append(record.EditArgs(e), from, to, key)...)
		if err != nil {
			return err
		}
		first, n := int64(0), 0
		err = eachRow(rows, func() error {
			var id int64
			var r record.C2CRow
			if err := rows.Scan(append([]any{&id}, r.Dest()...)...); err != nil {
				return err
			}
			if n == 0 || id < first {
				first, m = id, r.Message()
			}
			n++
			return nil
		})
		if err != nil || n > 0 {
			return err
		}
		var r record.C2CRow
		err = tx.QueryRowContext(ctx, c2cByKey, from, to, key).Scan(r.Dest()...)
		st, err = record.EditLookup(err, r.Message().Recalled)
		return err
	})
	if err != nil {
		return message.C2CMessage{}, 0, fmt.Errorf("sqlite: edit message %q from %q to %q: %w", key, from, to, err)
	}
	return m, st, nil
}
