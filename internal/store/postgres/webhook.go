package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-chat/hearth/internal/store/record"
	"github.com/hearth-chat/hearth/internal/webhook"
)

// enqueueCallbacks inserts callbacks from eight parallel arrays, in array
// order, skipping any whose ID is queued (earlier, or earlier in the
// arrays): ON CONFLICT DO NOTHING, unlike DO UPDATE, may meet a key twice.
var enqueueCallbacks = `INSERT INTO webhook_outbox (` + record.Columns("", record.CallbackColumns) + `)
	SELECT id, command, body, client_ip, platform, created, attempts, due
	FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[], $5::text[], $6::bigint[], $7::integer[], $8::bigint[])
		WITH ORDINALITY AS c(id, command, body, client_ip, platform, created, attempts, due, n)
	ORDER BY n
	ON CONFLICT DO NOTHING`

// claimCallbacks leases until $2 (unix milliseconds) the callbacks due at
// $1, oldest due first, at most $3 of them, counting an attempt for each,
// and returns record.CallbackColumns of each with attempts and due as they were
// before the claim. old locks the rows it selects, skipping rows another
// claim has locked, so that concurrent claims (of several nodes) never get
// one callback; a row that a claim committed after this statement's
// snapshot is re-checked once locked, and is no longer due. The UPDATE
// returns the values after it, so the old ones come from old.
var claimCallbacks = `WITH old AS (
		SELECT id, attempts, due FROM webhook_outbox
		WHERE due <= $1
		ORDER BY due, id LIMIT $3
		FOR UPDATE SKIP LOCKED
	)
	UPDATE webhook_outbox o SET due = $2, attempts = o.attempts + 1
	FROM old WHERE o.id = old.id
	RETURNING o.id, o.command, o.body, o.client_ip, o.platform, o.created, old.attempts, old.due`

// EnqueueCallbacks implements [webhook.Store] with one statement over
// arrays, enqueueCallbacks. Attempts and Due are stored as given (normally 0
// and the time of the first try).
func (db *DB) EnqueueCallbacks(ctx context.Context, cbs []webhook.Callback) error {
	if len(cbs) == 0 {
		return nil
	}
	var (
		ids, commands, ips, platforms = make([]string, len(cbs)), make([]string, len(cbs)), make([]string, len(cbs)), make([]string, len(cbs))
		bodies                        = make([][]byte, len(cbs))
		created, dues                 = make([]int64, len(cbs)), make([]int64, len(cbs))
		attempts                      = make([]int32, len(cbs))
	)
	for i, cb := range cbs {
		ids[i], commands[i], ips[i], platforms[i] = cb.ID, cb.Command, cb.ClientIP, cb.Platform
		bodies[i] = record.CallbackBody(cb.Body)
		created[i], dues[i], attempts[i] = cb.Created, cb.Due, int32(cb.Attempts)
	}
	err := retry(ctx, func() error {
		_, err := db.pool.Exec(ctx, enqueueCallbacks, ids, commands, bodies, ips, platforms, created, attempts, dues)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: enqueue %d callbacks: %w", len(cbs), err)
	}
	return nil
}

// ClaimCallbacks implements [webhook.Store] with one statement,
// claimCallbacks, and orders what it returns (RETURNING has no order) by
// due, then ID. limit <= 0 claims nothing.
func (db *DB) ClaimCallbacks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]webhook.Callback, error) {
	if limit <= 0 {
		return nil, nil
	}
	var cbs []webhook.Callback
	err := retry(ctx, func() error {
		cbs = cbs[:0]
		rows, _ := db.pool.Query(ctx, claimCallbacks, now.UnixMilli(), now.Add(lease).UnixMilli(), limit)
		var cb webhook.Callback
		_, err := pgx.ForEachRow(rows, record.CallbackDest(&cb), func() error {
			cbs = append(cbs, cb)
			cb = webhook.Callback{} // Body is scanned into a fresh slice
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: claim callbacks: %w", err)
	}
	slices.SortFunc(cbs, func(a, b webhook.Callback) int {
		return cmp.Or(cmp.Compare(a.Due, b.Due), cmp.Compare(a.ID, b.ID))
	})
	return cbs, nil
}

// DeleteCallback implements [webhook.Store] with one DELETE.
func (db *DB) DeleteCallback(ctx context.Context, id string) error {
	err := retry(ctx, func() error {
		_, err := db.pool.Exec(ctx, `DELETE FROM webhook_outbox WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: delete callback %q: %w", id, err)
	}
	return nil
}

// RetryCallback implements [webhook.Store] with one UPDATE.
func (db *DB) RetryCallback(ctx context.Context, id string, due time.Time) error {
	err := retry(ctx, func() error {
		_, err := db.pool.Exec(ctx, `UPDATE webhook_outbox SET due = $1 WHERE id = $2`, due.UnixMilli(), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: retry callback %q: %w", id, err)
	}
	return nil
}

// CountCallbacks implements [webhook.Store] with one count.
func (db *DB) CountCallbacks(ctx context.Context) (int, error) {
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM webhook_outbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count callbacks: %w", err)
	}
	return n, nil
}
