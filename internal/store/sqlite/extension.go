package sqlite

import (
	"context"
	"database/sql"
	"errors"
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
)

// extHead is a message's extension row as the head queries read it.
type extHead struct {
	msgID           int64 // c2c_messages.id of a one-to-one message
	recalled        bool
	id              sql.NullInt64
	latest, cleared int64
}

// head reads the extension row of ref's message: ErrNoMessage when the
// message does not exist.
func head(ctx context.Context, q queryer, ref message.ExtRef) (extHead, error) {
	var h extHead
	var latest, cleared sql.NullInt64
	var err error
	if ref.C2C() {
		err = q.QueryRowContext(ctx, extHeadC2C, ref.From, ref.To, ref.Key).Scan(&h.msgID, &h.recalled, &h.id, &latest, &cleared)
	} else {
		err = q.QueryRowContext(ctx, extHeadGroup, ref.GroupID, ref.TopicID, int64(ref.Seq)).Scan(&h.recalled, &h.id, &latest, &cleared)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return h, message.ErrNoMessage
	}
	h.latest, h.cleared = latest.Int64, cleared.Int64
	return h, err
}

// usable checks that a head may be written and read.
func (h extHead) usable() error {
	switch {
	case h.recalled:
		return message.ErrNoMessage
	case !h.id.Valid:
		return message.ErrNoExtension
	}
	return nil
}

func refString(ref message.ExtRef) string {
	if ref.C2C() {
		return fmt.Sprintf("message %q from %q to %q", ref.Key, ref.From, ref.To)
	}
	return fmt.Sprintf("message %d of %q/%q", ref.Seq, ref.GroupID, ref.TopicID)
}

// EnableExtension implements [message.ExtensionStore].
func (db *DB) EnableExtension(ctx context.Context, ref message.ExtRef) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		h, err := head(ctx, tx, ref)
		if err != nil || h.id.Valid {
			return err
		}
		if ref.C2C() {
			_, err = tx.ExecContext(ctx, `INSERT INTO message_extensions (c2c_id) VALUES (?)`, h.msgID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO message_extensions (group_id, topic_id, msg_seq) VALUES (?, ?, ?)`,
				ref.GroupID, ref.TopicID, int64(ref.Seq))
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: enable the extension of %s: %w", refString(ref), err)
	}
	return nil
}

// extKeys reads the key rows of extension id with seq >= from (deleted
// ones too when withDeleted), in (seq, key) order, at most limit (0: all).
func extKeys(ctx context.Context, q queryer, id, from int64, withDeleted bool, limit int) ([]message.KV, error) {
	query := `SELECT ` + record.Columns("", record.ExtKeyColumns) + ` FROM message_extension_keys
		WHERE ext_id = ? AND seq >= ? AND (? OR deleted = 0) ORDER BY seq, key`
	args := []any{id, from, withDeleted}
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []message.KV
	for rows.Next() {
		var r record.ExtKeyRow
		if err := rows.Scan(r.Dest()...); err != nil {
			return nil, err
		}
		out = append(out, r.KV())
	}
	return out, rows.Err()
}

// SetExtension implements [message.ExtensionStore]: under the single
// writer, the head and every key are read, compared and written in one
// transaction.
func (db *DB) SetExtension(ctx context.Context, ref message.ExtRef, op message.ExtOp, maxKeys int) (message.ExtResult, error) {
	var res message.ExtResult
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		h, err := head(ctx, tx, ref)
		if err == nil {
			err = h.usable()
		}
		if err != nil {
			return err
		}
		rows, err := extKeys(ctx, tx, h.id.Int64, 0, true, 0)
		if err != nil {
			return err
		}
		cur := make(map[string]message.KV, len(rows))
		for _, kv := range rows {
			cur[kv.Key] = kv
		}
		p, err := record.PlanExtension(cur, uint64(h.latest), uint64(h.cleared), op, maxKeys)
		if err != nil {
			return err
		}
		res = p.Result
		if !res.Changed {
			return nil
		}
		if p.Clear {
			if _, err := tx.ExecContext(ctx, `DELETE FROM message_extension_keys WHERE ext_id = ?`, h.id.Int64); err != nil {
				return err
			}
		}
		for _, kv := range p.Upserts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO message_extension_keys (ext_id, key, value, seq, deleted) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (ext_id, key) DO UPDATE SET value = excluded.value, seq = excluded.seq, deleted = excluded.deleted`,
				h.id.Int64, kv.Key, kv.Value, int64(kv.Seq), kv.Deleted); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE message_extensions SET latest_seq = ?, clear_seq = ? WHERE id = ?`,
			int64(p.Latest), int64(p.ClearSeq), h.id.Int64)
		return err
	})
	if err != nil {
		if errors.Is(err, message.ErrNoMessage) || errors.Is(err, message.ErrNoExtension) || errors.Is(err, message.ErrTooManyKeys) {
			return message.ExtResult{}, err
		}
		return message.ExtResult{}, fmt.Errorf("sqlite: set the extension of %s: %w", refString(ref), err)
	}
	return res, nil
}

// Extensions implements [message.ExtensionStore] over the read pool in one
// read transaction.
func (db *DB) Extensions(ctx context.Context, ref message.ExtRef, startSeq uint64, limit int) (message.ExtPage, error) {
	var page message.ExtPage
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err == nil {
		defer tx.Rollback()
		var h extHead
		h, err = head(ctx, tx, ref)
		if err == nil {
			err = h.usable()
		}
		if err != nil {
			return page, err
		}
		var rows []message.KV
		rows, err = extKeys(ctx, tx, h.id.Int64, int64(startSeq), startSeq > 0, limit+message.MaxExtPerCall+1)
		if err == nil {
			page = record.ExtPageOf(rows, limit, uint64(h.latest), uint64(h.cleared))
		}
	}
	if err != nil {
		return page, fmt.Errorf("sqlite: extensions of %s: %w", refString(ref), err)
	}
	return page, nil
}
