package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/store/record"
)

var _ message.ExtensionStore = (*DB)(nil)

// queryer is what the extension reads need of a transaction or the read
// pool.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

const (
	extHeadGroup = `SELECT m.recalled, e.id, e.latest_seq, e.clear_seq FROM group_messages m
		LEFT JOIN message_extensions e ON e.group_id = m.group_id AND e.topic_id = m.topic_id AND e.msg_seq = m.seq
		WHERE m.group_id = ? AND m.topic_id = ? AND m.seq = ?`
	// The oldest message of that sender, receiver and MsgKey (as edits take).
	extHeadC2C = `SELECT m.id, m.recalled, e.id, e.latest_seq, e.clear_seq FROM c2c_messages m
		LEFT JOIN message_extensions e ON e.c2c_id = m.id
		WHERE m.from_account = ? AND m.to_account = ? AND m.msg_key = ? ORDER BY m.id LIMIT 1`
	enableGroup = `INSERT INTO message_extensions (group_id, topic_id, msg_seq) VALUES (?, ?, ?)`
	enableC2C   = `INSERT INTO message_extensions (c2c_id) VALUES (?)`
)

// head reads the extension row of ref's message: ErrNoMessage when the
// message does not exist.
func head(ctx context.Context, q queryer, ref message.ExtRef) (record.ExtHead, error) {
	var h record.ExtHead
	var latest, cleared sql.NullInt64
	query, dest := extHeadGroup, []any{&h.Recalled, &h.ID, &latest, &cleared}
	if ref.C2C() {
		query, dest = extHeadC2C, append([]any{&h.MsgID}, dest...)
	}
	err := q.QueryRowContext(ctx, query, record.ExtMessageArgs(ref)...).Scan(dest...)
	h.Latest, h.Cleared = latest.Int64, cleared.Int64
	return h, record.NoRows(err, message.ErrNoMessage)
}

// usableHead is head when the head may be written and read, else the
// error of record.ExtHead.Usable.
func usableHead(ctx context.Context, q queryer, ref message.ExtRef) (record.ExtHead, error) {
	h, err := head(ctx, q, ref)
	if err == nil {
		err = h.Usable()
	}
	return h, err
}

// EnableExtension implements [message.ExtensionStore].
func (db *DB) EnableExtension(ctx context.Context, ref message.ExtRef) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		h, err := head(ctx, tx, ref)
		if err != nil || h.ID.Valid {
			return err
		}
		enable := enableGroup
		if ref.C2C() {
			enable = enableC2C
		}
		_, err = tx.ExecContext(ctx, enable, record.ExtRowArgs(ref, h.MsgID)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: enable the extension of %s: %w", record.ExtRefString(ref), err)
	}
	return nil
}

// extKeys is the [record.ExtKeys] of q.
func extKeys(ctx context.Context, q queryer) record.ExtKeys {
	return func(id, from int64, withDeleted bool, limit int) ([]message.KV, error) {
		query, args := record.ExtKeysQuery(`WHERE ext_id = ? AND seq >= ? AND (? OR deleted = 0) ORDER BY seq, key`, `LIMIT ?`, id, from, withDeleted, limit)
		return queryAll(ctx, q, (*record.ExtKeyRow).Dest, noErr((*record.ExtKeyRow).KV), query, args...)
	}
}

// SetExtension implements [message.ExtensionStore]: under the single
// writer, the head and every key are read, compared and written in one
// transaction.
func (db *DB) SetExtension(ctx context.Context, ref message.ExtRef, op message.ExtOp, maxKeys int) (message.ExtResult, error) {
	var res message.ExtResult
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		h, err := usableHead(ctx, tx, ref)
		if err != nil {
			return err
		}
		p, err := h.PlanSet(extKeys(ctx, tx), op, maxKeys)
		if err != nil {
			return err
		}
		res = p.Result
		if !res.Changed {
			return nil
		}
		if p.Clear {
			if _, err := tx.ExecContext(ctx, `DELETE FROM message_extension_keys WHERE ext_id = ?`, h.ID.Int64); err != nil {
				return err
			}
		}
		for _, kv := range p.Upserts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO message_extension_keys (ext_id, key, value, seq, deleted) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (ext_id, key) DO UPDATE SET value = excluded.value, seq = excluded.seq, deleted = excluded.deleted`,
				h.ID.Int64, kv.Key, kv.Value, int64(kv.Seq), kv.Deleted); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE message_extensions SET latest_seq = ?, clear_seq = ? WHERE id = ?`,
			int64(p.Latest), int64(p.ClearSeq), h.ID.Int64)
		return err
	})
	if err := record.ExtError(err, "sqlite: set the extension of", ref); err != nil {
		return message.ExtResult{}, err
	}
	return res, nil
}

// Extensions implements [message.ExtensionStore] over the read pool in one
// read transaction.
func (db *DB) Extensions(ctx context.Context, ref message.ExtRef, startSeq uint64, limit int) (message.ExtPage, error) {
	var page message.ExtPage
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		h, err := usableHead(ctx, tx, ref)
		if err != nil {
			return err
		}
		page, err = h.ReadPage(extKeys(ctx, tx), startSeq, limit)
		return err
	})
	if err := record.ExtError(err, "sqlite: extensions of", ref); err != nil {
		return message.ExtPage{}, err
	}
	return page, nil
}
