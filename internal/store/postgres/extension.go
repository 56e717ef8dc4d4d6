package postgres

import (
	"context"
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
	// ON CONFLICT makes a concurrent second enable harmless.
	enableGroup = `INSERT INTO message_extensions (group_id, topic_id, msg_seq) VALUES ($1, $2, $3)
		ON CONFLICT (group_id, topic_id, msg_seq) WHERE group_id IS NOT NULL DO NOTHING`
	enableC2C = `INSERT INTO message_extensions (c2c_id) VALUES ($1)
		ON CONFLICT (c2c_id) WHERE c2c_id IS NOT NULL DO NOTHING`
)

// head reads the message of ref and its extension row (FOR UPDATE when
// lock): ErrNoMessage when the message does not exist.
func head(ctx context.Context, q queryer, ref message.ExtRef, lock bool) (record.ExtHead, error) {
	msgQuery, rowQuery := extMsgGroup, extRowGroup
	if ref.C2C() {
		msgQuery, rowQuery = extMsgC2C, extRowC2C
	}
	var h record.ExtHead
	err := q.QueryRow(ctx, msgQuery, record.ExtMessageArgs(ref)...).Scan(&h.MsgID, &h.Recalled)
	if err != nil {
		return h, record.NoRows(err, message.ErrNoMessage)
	}
	if lock {
		rowQuery += " FOR UPDATE"
	}
	err = q.QueryRow(ctx, rowQuery, record.ExtRowArgs(ref, h.MsgID)...).Scan(&h.ID, &h.Latest, &h.Cleared)
	return h, record.NoRows(err, nil) // no row: the message has no extension
}

// usableHead is head when the head may be written and read, else the
// error of record.ExtHead.Usable.
func usableHead(ctx context.Context, q queryer, ref message.ExtRef, lock bool) (record.ExtHead, error) {
	h, err := head(ctx, q, ref, lock)
	if err == nil {
		err = h.Usable()
	}
	return h, err
}

// EnableExtension implements [message.ExtensionStore]; ON CONFLICT makes a
// concurrent second enable harmless.
func (db *DB) EnableExtension(ctx context.Context, ref message.ExtRef) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		h, err := head(ctx, tx, ref, false)
		if err != nil || h.ID.Valid {
			return err
		}
		enable := enableGroup
		if ref.C2C() {
			enable = enableC2C
		}
		_, err = tx.Exec(ctx, enable, record.ExtRowArgs(ref, h.MsgID)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: enable the extension of %s: %w", record.ExtRefString(ref), err)
	}
	return nil
}

// extKeys is the [record.ExtKeys] of q.
func extKeys(ctx context.Context, q queryer) record.ExtKeys {
	return func(id, from int64, withDeleted bool, limit int) ([]message.KV, error) {
		query, args := record.ExtKeysQuery(`WHERE ext_id = $1 AND seq >= $2 AND ($3 OR NOT deleted) ORDER BY seq, key`, `LIMIT $4`, id, from, withDeleted, limit)
		rows, _ := q.Query(ctx, query, args...)
		return collect(rows, (*record.ExtKeyRow).Dest, noErr((*record.ExtKeyRow).KV))
	}
}

// SetExtension implements [message.ExtensionStore]: the extension row is
// held FOR UPDATE, so concurrent writers of one message take turns and
// each compares against what the one before it wrote.
func (db *DB) SetExtension(ctx context.Context, ref message.ExtRef, op message.ExtOp, maxKeys int) (message.ExtResult, error) {
	var res message.ExtResult
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		h, err := usableHead(ctx, tx, ref, true)
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
		b := &pgx.Batch{}
		if p.Clear {
			b.Queue(`DELETE FROM message_extension_keys WHERE ext_id = $1`, h.ID.Int64)
		}
		for _, kv := range p.Upserts {
			b.Queue(`INSERT INTO message_extension_keys (ext_id, key, value, seq, deleted) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (ext_id, key) DO UPDATE SET value = excluded.value, seq = excluded.seq, deleted = excluded.deleted`,
				h.ID.Int64, kv.Key, kv.Value, int64(kv.Seq), kv.Deleted)
		}
		b.Queue(`UPDATE message_extensions SET latest_seq = $1, clear_seq = $2 WHERE id = $3`, int64(p.Latest), int64(p.ClearSeq), h.ID.Int64)
		return tx.SendBatch(ctx, b).Close()
	})
	if err := record.ExtError(err, "postgres: set the extension of", ref); err != nil {
		return message.ExtResult{}, err
	}
	return res, nil
}

// Extensions implements [message.ExtensionStore] in one read-only
// repeatable-read transaction, so that the head and the keys agree.
func (db *DB) Extensions(ctx context.Context, ref message.ExtRef, startSeq uint64, limit int) (message.ExtPage, error) {
	var page message.ExtPage
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		h, err := usableHead(ctx, tx, ref, false)
		if err != nil {
			return err
		}
		page, err = h.ReadPage(extKeys(ctx, tx), startSeq, limit)
		return err
	})
	if err := record.ExtError(err, "postgres: extensions of", ref); err != nil {
		return message.ExtPage{}, err
	}
	return page, nil
}
