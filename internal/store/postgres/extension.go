package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/store/record"
)

var _ message.ExtensionStore = (*DB)(nil)

// queryer is what the extension statements need of a transaction.
type queryer interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

const (
	extMsgGroup = `SELECT 0::bigint, recalled FROM group_messages WHERE group_id = $1 AND topic_id = $2 AND seq = $3`
	// The oldest message of that sender, receiver and MsgKey (as edits take).
	extMsgC2C = `SELECT id, recalled FROM c2c_messages
		WHERE from_account = $1 AND to_account = $2 AND msg_key = $3 ORDER BY id LIMIT 1`
	extRowGroup = `SELECT id, latest_seq, clear_seq FROM message_extensions
		WHERE group_id = $1 AND topic_id = $2 AND msg_seq = $3`
	extRowC2C = `SELECT id, latest_seq, clear_seq FROM message_extensions WHERE c2c_id = $1`
)

// extHead is a message's extension row: ok false when the message was not
// sent with SupportMessageExtension 1.
type extHead struct {
	msgID           int64
	recalled        bool
	ok              bool
	id              int64
	latest, cleared int64
}

// head reads the message of ref and its extension row (FOR UPDATE when
// lock): ErrNoMessage when the message does not exist.
func head(ctx context.Context, q queryer, ref message.ExtRef, lock bool) (extHead, error) {
	var h extHead
	var err error
	if ref.C2C() {
		err = q.QueryRow(ctx, extMsgC2C, ref.From, ref.To, ref.Key).Scan(&h.msgID, &h.recalled)
	} else {
		err = q.QueryRow(ctx, extMsgGroup, ref.GroupID, ref.TopicID, int64(ref.Seq)).Scan(&h.msgID, &h.recalled)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return h, message.ErrNoMessage
	}
	if err != nil {
		return h, err
	}
	suffix := ""
	if lock {
		suffix = " FOR UPDATE"
	}
	if ref.C2C() {
		err = q.QueryRow(ctx, extRowC2C+suffix, h.msgID).Scan(&h.id, &h.latest, &h.cleared)
	} else {
		err = q.QueryRow(ctx, extRowGroup+suffix, ref.GroupID, ref.TopicID, int64(ref.Seq)).Scan(&h.id, &h.latest, &h.cleared)
	}
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return h, nil
	case err != nil:
		return h, err
	}
	h.ok = true
	return h, nil
}

// usable checks that a head may be written and read.
func (h extHead) usable() error {
	switch {
	case h.recalled:
		return message.ErrNoMessage
	case !h.ok:
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

// EnableExtension implements [message.ExtensionStore]; ON CONFLICT makes a
// concurrent second enable harmless.
func (db *DB) EnableExtension(ctx context.Context, ref message.ExtRef) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		h, err := head(ctx, tx, ref, false)
		if err != nil || h.ok {
			return err
		}
		if ref.C2C() {
			_, err = tx.Exec(ctx, `INSERT INTO message_extensions (c2c_id) VALUES ($1)
				ON CONFLICT (c2c_id) WHERE c2c_id IS NOT NULL DO NOTHING`, h.msgID)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO message_extensions (group_id, topic_id, msg_seq) VALUES ($1, $2, $3)
				ON CONFLICT (group_id, topic_id, msg_seq) WHERE group_id IS NOT NULL DO NOTHING`,
				ref.GroupID, ref.TopicID, int64(ref.Seq))
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: enable the extension of %s: %w", refString(ref), err)
	}
	return nil
}

// extKeys reads the key rows of extension id with seq >= from (deleted
// ones too when withDeleted), in (seq, key) order, at most limit (0: all).
func extKeys(ctx context.Context, q queryer, id, from int64, withDeleted bool, limit int) ([]message.KV, error) {
	query := `SELECT ` + record.Columns("", record.ExtKeyColumns) + ` FROM message_extension_keys
		WHERE ext_id = $1 AND seq >= $2 AND ($3 OR NOT deleted) ORDER BY seq, key`
	args := []any{id, from, withDeleted}
	if limit > 0 {
		query += ` LIMIT $4`
		args = append(args, limit)
	}
	rows, err := q.Query(ctx, query, args...)
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

// SetExtension implements [message.ExtensionStore]: the extension row is
// held FOR UPDATE, so concurrent writers of one message take turns and
// each compares against what the one before it wrote.
func (db *DB) SetExtension(ctx context.Context, ref message.ExtRef, op message.ExtOp, maxKeys int) (message.ExtResult, error) {
	var res message.ExtResult
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		h, err := head(ctx, tx, ref, true)
		if err == nil {
			err = h.usable()
		}
		if err != nil {
			return err
		}
		rows, err := extKeys(ctx, tx, h.id, 0, true, 0)
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
		b := &pgx.Batch{}
		if p.Clear {
			b.Queue(`DELETE FROM message_extension_keys WHERE ext_id = $1`, h.id)
		}
		for _, kv := range p.Upserts {
			b.Queue(`INSERT INTO message_extension_keys (ext_id, key, value, seq, deleted) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (ext_id, key) DO UPDATE SET value = excluded.value, seq = excluded.seq, deleted = excluded.deleted`,
				h.id, kv.Key, kv.Value, int64(kv.Seq), kv.Deleted)
		}
		b.Queue(`UPDATE message_extensions SET latest_seq = $1, clear_seq = $2 WHERE id = $3`, int64(p.Latest), int64(p.ClearSeq), h.id)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		if errors.Is(err, message.ErrNoMessage) || errors.Is(err, message.ErrNoExtension) || errors.Is(err, message.ErrTooManyKeys) {
			return message.ExtResult{}, err
		}
		return message.ExtResult{}, fmt.Errorf("postgres: set the extension of %s: %w", refString(ref), err)
	}
	return res, nil
}

// Extensions implements [message.ExtensionStore] in one read-only
// repeatable-read transaction, so that the head and the keys agree.
func (db *DB) Extensions(ctx context.Context, ref message.ExtRef, startSeq uint64, limit int) (message.ExtPage, error) {
	var page message.ExtPage
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		h, err := head(ctx, tx, ref, false)
		if err == nil {
			err = h.usable()
		}
		if err != nil {
			return err
		}
		rows, err := extKeys(ctx, tx, h.id, int64(startSeq), startSeq > 0, limit+message.MaxExtPerCall+1)
		if err == nil {
			page = record.ExtPageOf(rows, limit, uint64(h.latest), uint64(h.cleared))
		}
		return err
	})
	if err != nil {
		if errors.Is(err, message.ErrNoMessage) || errors.Is(err, message.ErrNoExtension) {
			return page, err
		}
		return page, fmt.Errorf("postgres: extensions of %s: %w", refString(ref), err)
	}
	return page, nil
}
