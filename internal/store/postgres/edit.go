package postgres

import (
	"context"
	"fmt"

	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// Edit statements: each writes record.EditArgs ($1 to $3) over a message
// not recalled and returns it as stored; the look-ups tell a recalled
// message from a missing one when the update changed nothing.
var (
	editGroupMessage = `UPDATE group_messages SET body = coalesce($1, body),
		cloud_custom_data = coalesce($2, cloud_custom_data), edit_time = $3
		WHERE group_id = $4 AND topic_id = $5 AND seq = $6 AND NOT recalled
		RETURNING ` + record.Columns("", record.MessageColumns)
	groupMessageRecalled = `SELECT recalled FROM group_messages WHERE group_id = $1 AND topic_id = $2 AND seq = $3`

	// A MsgKey may name more than one message of a sender to a receiver
	// (imports with the same MsgSeq, MsgRandom and time): the edit, as a
	// recall, applies to each; the oldest is returned.
	editC2C = `WITH upd AS (
			UPDATE c2c_messages SET body = coalesce($1, body),
				cloud_custom_data = coalesce($2, cloud_custom_data), edit_time = $3
			WHERE from_account = $4 AND to_account = $5 AND msg_key = $6 AND NOT recalled
			RETURNING id, ` + record.Columns("", record.C2CColumns) + `
		)
		SELECT ` + record.Columns("", record.C2CColumns) + ` FROM upd ORDER BY id LIMIT 1`
	c2cByKey = record.Select("c2c_messages", "", record.C2CColumns) + `
		WHERE from_account = $1 AND to_account = $2 AND msg_key = $3 ORDER BY id LIMIT 1`
)

// EditGroupMessage implements [message.GroupEditStore]: the UPDATE …
// RETURNING (one statement, its own transaction) and, when it changed
// nothing, the look whether the message exists recalled.
func (db *DB) EditGroupMessage(ctx context.Context, groupID, topicID string, seq uint64, e message.Edit) (message.Message, message.EditStatus, error) {
	var r record.MessageRow
	args := append(record.EditArgs(e), groupID, topicID, int64(seq))
	err := retry(ctx, func() error { return db.pool.QueryRow(ctx, editGroupMessage, args...).Scan(r.Dest()...) })
	if err == nil {
		return r.Message(), message.Edited, nil
	}
	if err = record.NoRows(err, nil); err == nil {
		var recalled bool
		err = db.pool.QueryRow(ctx, groupMessageRecalled, groupID, topicID, int64(seq)).Scan(&recalled)
		var st message.EditStatus
		if st, err = record.EditLookup(err, recalled); err == nil {
			return message.Message{}, st, nil
		}
	}
	return message.Message{}, 0, fmt.Errorf("postgres: edit message %d of group %q topic %q: %w", seq, groupID, topicID, err)
}

// C2CByKey implements [message.C2CEditStore]: the oldest message with key
// from from to to.
func (db *DB) C2CByKey(ctx context.Context, from, to, key string) (message.C2CMessage, bool, error) {
	var r record.C2CRow
	err := db.pool.QueryRow(ctx, c2cByKey, from, to, key).Scan(r.Dest()...)
	if err != nil {
		if err = record.NoRows(err, nil); err == nil {
			return message.C2CMessage{}, false, nil
		}
		return message.C2CMessage{}, false, fmt.Errorf("postgres: message %q from %q to %q: %w", key, from, to, err)
	}
	return r.Message(), true, nil
}

// EditC2C implements [message.C2CEditStore]: the UPDATE … RETURNING of every
// message not recalled with the key (one statement) and, when it changed
// nothing, the look whether one exists recalled.
func (db *DB) EditC2C(ctx context.Context, from, to, key string, e message.Edit) (message.C2CMessage, message.EditStatus, error) {
	var r record.C2CRow
	args := append(record.EditArgs(e), from, to, key)
	err := retry(ctx, func() error { return db.pool.QueryRow(ctx, editC2C, args...).Scan(r.Dest()...) })
	if err == nil {
		return r.Message(), message.Edited, nil
	}
	if err = record.NoRows(err, nil); err == nil {
		old, found, err := db.C2CByKey(ctx, from, to, key)
		if err != nil {
			return message.C2CMessage{}, 0, err
		}
		return message.C2CMessage{}, record.EditStatus(found, old.Recalled), nil
	}
	return message.C2CMessage{}, 0, fmt.Errorf("postgres: edit message %q from %q to %q: %w", key, from, to, err)
}
