package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hearth-chat/hearth/internal/store/record"
	"github.com/hearth-chat/hearth/internal/webhook"
)

// Statements of the outbox.
var (
	// enqueueCallback inserts the callback of callbackArgs unless its ID is
	// queued.
	enqueueCallback = insertInto("webhook_outbox", record.CallbackColumns) + ` ON CONFLICT DO NOTHING`
	// claimableCallbacks selects record.CallbackColumns of the callbacks due at ?
	// (unix milliseconds), oldest due first, at most ? of them: a range of
	// webhook_outbox_due.
	claimableCallbacks = record.Select("webhook_outbox", "", record.CallbackColumns) + `
		WHERE due <= ? ORDER BY due, id LIMIT ?`
	// claimCallbacks leases until ? the callbacks that claimableCallbacks
	// (its arguments next) selects, counting an attempt for each. SQLite
	// evaluates the uncorrelated IN subquery once, before it changes a row.
	claimCallbacks = `UPDATE webhook_outbox SET due = ?, attempts = attempts + 1
		WHERE id IN (SELECT id FROM webhook_outbox WHERE due <= ? ORDER BY due, id LIMIT ?)`
)

const (
	deleteCallback = `DELETE FROM webhook_outbox WHERE id = ?`
	retryCallback  = `UPDATE webhook_outbox SET due = ? WHERE id = ?`
	countCallbacks = `SELECT count(*) FROM webhook_outbox`
)

// callbackArgs returns cb's values for record.CallbackColumns. Body is
// bound as a []byte, a BLOB.
func callbackArgs(cb webhook.Callback) []any {
	return []any{cb.ID, cb.Command, record.CallbackBody(cb.Body), cb.ClientIP, cb.Platform, cb.Created, int64(cb.Attempts), cb.Due}
}

// EnqueueCallbacks implements [webhook.Store] in one write transaction with
// a statement prepared once: one INSERT … ON CONFLICT DO NOTHING per
// callback, so that a queued ID (earlier, or earlier in cbs) keeps its
// first callback. Attempts and Due are stored as given (normally 0 and the
// time of the first try).
func (db *DB) EnqueueCallbacks(ctx context.Context, cbs []webhook.Callback) error {
	if len(cbs) == 0 {
		return nil
	}
	stmt, err := db.writeStmt(ctx, enqueueCallback)
	if err == nil {
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			ins := tx.StmtContext(ctx, stmt)
			for _, cb := range cbs {
				if _, err := ins.ExecContext(ctx, callbackArgs(cb)...); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		return fmt.Errorf("sqlite: enqueue %d callbacks: %w", len(cbs), err)
	}
	return nil
}

// ClaimCallbacks implements [webhook.Store] as one write of the committer,
// with statements prepared once: claimableCallbacks reads the callbacks
// as they are before the claim, then claimCallbacks leases the same ones.
// Both run in one transaction on the single writer, so no other write comes
// between them and no two claims get one callback. (RETURNING would give
// only the values after the update, and Due before the claim is lost then.)
// limit <= 0 claims nothing.
func (db *DB) ClaimCallbacks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]webhook.Callback, error) {
	if limit <= 0 {
		return nil, nil
	}
	at, until, n := now.UnixMilli(), now.Add(lease).UnixMilli(), int64(limit)
	var cbs []webhook.Callback
	stmts, err := db.prepareWrites(ctx, claimableCallbacks, claimCallbacks)
	if err == nil {
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.StmtContext(ctx, stmts[0]).QueryContext(ctx, at, n)
			if err != nil {
				return err
			}
			if cbs, err = collect(rows, record.CallbackDest, deref[webhook.Callback]); err != nil {
				return err
			}
			if len(cbs) == 0 {
				return nil
			}
			claimed, err := affected(tx.StmtContext(ctx, stmts[1]).ExecContext(ctx, until, at, n))
			if err == nil && claimed != int64(len(cbs)) {
				err = fmt.Errorf("claimed %d callbacks of %d selected", claimed, len(cbs))
			}
			return err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim callbacks: %w", err)
	}
	return cbs, nil
}

// DeleteCallback implements [webhook.Store] in one write transaction with a
// statement prepared once.
func (db *DB) DeleteCallback(ctx context.Context, id string) error {
	stmt, err := db.writeStmt(ctx, deleteCallback)
	if err == nil {
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.StmtContext(ctx, stmt).ExecContext(ctx, id)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("sqlite: delete callback %q: %w", id, err)
	}
	return nil
}

// RetryCallback implements [webhook.Store] in one write transaction with a
// statement prepared once.
func (db *DB) RetryCallback(ctx context.Context, id string, due time.Time) error {
	stmt, err := db.writeStmt(ctx, retryCallback)
	if err == nil {
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.StmtContext(ctx, stmt).ExecContext(ctx, due.UnixMilli(), id)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("sqlite: retry callback %q: %w", id, err)
	}
	return nil
}

// CountCallbacks implements [webhook.Store] on the reader pool.
func (db *DB) CountCallbacks(ctx context.Context) (int, error) {
	var n int
	stmt, err := db.readStmt(ctx, countCallbacks)
	if err == nil {
		err = stmt.QueryRowContext(ctx).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: count callbacks: %w", err)
	}
	return n, nil
}
