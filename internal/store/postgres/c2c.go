package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// c2cLock takes the transaction-scoped advisory lock of conversation ($1,
// $2), in the two-int4 key space (apart from the one-bigint key of the
// migrations) and keyed by the hashes of both peers, so no separator is
// needed; a hash collision only makes two conversations queue together.
const c2cLock = `SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`

// appendC2C appends a message unless a duplicate exists. In order: dup
// looks for a message of conversation ($1, $2) stored with key $14 at or
// after $15; unless there is one, ins inserts the message. It returns one
// row: whether it is a duplicate, then record.C2CColumns of the message found or
// stored.
var appendC2C = `WITH dup AS (
		SELECT ` + record.Columns("", record.C2CColumns) + ` FROM c2c_messages
		WHERE peer_lo = $1 AND peer_hi = $2 AND dedupe_key = $14 AND time >= $15
		ORDER BY time, id LIMIT 1
	), ins AS (
		INSERT INTO c2c_messages (peer_lo, peer_hi, ` + record.Columns("", record.C2CColumns) + `, dedupe_key)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14
		WHERE NOT EXISTS (SELECT FROM dup)
		RETURNING ` + record.Columns("", record.C2CColumns) + `
	)
	SELECT true, * FROM dup UNION ALL SELECT false, * FROM ins`

// AppendC2C implements [message.C2CStore] in one round trip: a batch, run
// as one implicit transaction, of the conversation's advisory lock (when
// dedupeKey is set) and appendC2C.
//
// The lock is taken by a statement of its own before appendC2C runs: under
// READ COMMITTED each statement reads a snapshot taken when it starts, so
// the look for a duplicate then sees the message of a concurrent retry that
// held the lock first (the lock is held until that retry commits).
func (db *DB) AppendC2C(ctx context.Context, m message.C2CMessage, dedupeKey string, dedupeSince int64) (message.C2CMessage, bool, error) {
	var (
		stored message.C2CMessage
		dup    bool
	)
	err := db.batch(ctx, func(b *pgx.Batch) {
		args := record.C2CArgs(m, dedupeKey)
		if dedupeKey != "" {
			b.Queue(c2cLock, args[0], args[1]) // the conversation
		}
		b.Queue(appendC2C, append(args, dedupeSince)...)
	}, func(br pgx.BatchResults) error {
		if dedupeKey != "" {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		var r record.C2CRow
		err := br.QueryRow().Scan(append([]any{&dup}, r.Dest()...)...)
		stored = r.Message()
		return record.NoRows(err, errors.New("append returned no row"))
	})
	if err != nil {
		return message.C2CMessage{}, false, fmt.Errorf("postgres: append message from %q to %q: %w", m.From, m.To, err)
	}
	return stored, dup, nil
}

// C2CMessages implements [message.C2CStore] with one query: a backward
// range of c2c_messages_history. maxTime 0 means no upper bound, limit <= 0
// no limit. With beforeKey the anchor is the oldest message of the
// conversation with that key, found by c2c_messages_recall; a key that no
// message of the conversation has gives no messages (the row comparison
// with no row is NULL).
func (db *DB) C2CMessages(ctx context.Context, a, b string, minTime, maxTime int64, beforeKey string, limit int) ([]message.C2CMessage, error) {
	lo, hi := record.Peers(a, b)
	upTo := record.TimeUpTo(maxTime)
	var n *int64 // LIMIT NULL is none
	if limit > 0 {
		n = new(int64(limit))
	}
	query := record.Select("c2c_messages", "m", record.C2CColumns) + `
		WHERE m.peer_lo = $1 AND m.peer_hi = $2 AND m.time >= $3 AND m.time <= $4`
	args := []any{lo, hi, minTime, upTo, n}
	if beforeKey != "" {
		query += ` AND (m.time, m.id) < (SELECT a.time, a.id FROM c2c_messages a
			WHERE a.from_account IN ($1, $2) AND a.to_account IN ($1, $2) AND a.msg_key = $6
				AND a.peer_lo = $1 AND a.peer_hi = $2
			ORDER BY a.time, a.id LIMIT 1)`
		args = append(args, beforeKey)
	}
	query += ` ORDER BY m.time DESC, m.id DESC LIMIT $5`
	rows, _ := db.pool.Query(ctx, query, args...)
	msgs, err := collect(rows, (*record.C2CRow).Dest, noErr((*record.C2CRow).Message))
	if err != nil {
		return nil, fmt.Errorf("postgres: messages between %q and %q: %w", a, b, err)
	}
	return msgs, nil
}

// RecallC2C implements [message.C2CStore] with one UPDATE, which counts a
// message already recalled too.
func (db *DB) RecallC2C(ctx context.Context, from, to, key string) (bool, error) {
	var n int64
	err := retry(ctx, func() error {
		tag, err := db.pool.Exec(ctx, `UPDATE c2c_messages SET recalled = true
			WHERE from_account = $1 AND to_account = $2 AND msg_key = $3`, from, to, key)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("postgres: recall message %q from %q to %q: %w", key, from, to, err)
	}
	return n > 0, nil
}
