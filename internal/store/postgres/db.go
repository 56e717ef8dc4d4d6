// Package postgres is Hearth's PostgreSQL store: it implements every
// domain's Store interface (account.Store, group.Store, topic.Store,
// permgroup.Store and message.Store so far) on a pgx connection pool, with
// its schema migrations embedded in the binary.
//
// Several Hearth nodes may share one database: migrations run at Open under
// a transaction-scoped advisory lock, and multi-row work is sent as one
// statement over arrays or as one pipelined pgx.Batch (one round trip, one
// implicit transaction).
//
// Lock order: every change to a group's members locks the group row first
// (SELECT … FOR UPDATE), then member rows, then (through the foreign key)
// account rows in UserID order. Topic writes keep to it: creating a topic
// locks the group row FOR UPDATE; setting topic mutes takes FOR KEY SHARE on
// the group row (so member changes wait for it, and it for them), then on the
// topic row, before any mute row. Permission-group writes keep to it too:
// creating one locks the group row FOR UPDATE; changing the members or topic
// permissions of one, or deleting some, takes FOR KEY SHARE on the group row
// (so member removals, whose cascades reach permission-group members, wait
// for it and it for them), then on the permission group row, then on the
// topic rows, before any member or topic permission row. Appending a message
// locks the stream's row (FOR NO KEY UPDATE, by the UPDATE that takes the
// sequence or, with a de-duplication key, by a SELECT before it), a topic's
// after FOR KEY SHARE on its group row. Deadlocks that remain possible
// (deleting topics against deleting the permission groups holding
// permissions in them, both cascading into perm_group_topics) are rare and
// are retried by PostgreSQL aborting one side and the store running it
// again.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hearth-chat/hearth/internal/store"
)

// DB is an open PostgreSQL store. It is safe for concurrent use.
type DB struct {
	pool *pgxpool.Pool
}

// DB implements every domain's Store.
var _ store.Store = (*DB)(nil)

// Option configures Open.
type Option func(*options)

type options struct {
	schema string
}

// WithSchema keeps the store's tables in the named schema, creating it if
// missing: every pooled connection starts with search_path set to it. Tests
// use it to isolate themselves; deployments may use it to share a database.
func WithSchema(name string) Option {
	return func(o *options) { o.schema = name }
}

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string, as pgx accepts), and applies any pending migrations.
func Open(ctx context.Context, url string, opts ...Option) (*DB, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if o.schema != "" {
		// A startup parameter costs no round trip, unlike AfterConnect.
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{o.schema}.Sanitize()
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := migrate(ctx, pool, o.schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return &DB{pool: pool}, nil
}

// Close closes every connection in the pool, waiting for those in use to be
// released. Calling it again does nothing. The error is always nil; it is
// there so that DB is an io.Closer like the other stores.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// maxAttempts bounds how often retry runs a unit of work that PostgreSQL
// aborted to break a deadlock or a serialization conflict.
const maxAttempts = 4

// retry runs fn, which must be one whole transaction (a single statement, an
// implicit-transaction batch or an explicit transaction), again while it
// fails with a deadlock or serialization failure, which PostgreSQL resolves
// by aborting one side, or with one of the SQLSTATE codes in alsoRetry.
func retry(ctx context.Context, fn func() error, alsoRetry ...string) error {
	var err error
	for attempt := range maxAttempts {
		err = fn()
		if !retryable(err) && !slices.Contains(alsoRetry, pgCode(err)) || attempt == maxAttempts-1 {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 5 * time.Millisecond):
		}
	}
	return err
}

func retryable(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "40P01", // deadlock_detected
		"40001": // serialization_failure
		return true
	}
	return false
}

// sendBatch sends the batch that build makes as one round trip, run by
// PostgreSQL as one implicit transaction, retried as a whole by retry.
func (db *DB) sendBatch(ctx context.Context, build func(b *pgx.Batch)) error {
	return retry(ctx, func() error {
		b := &pgx.Batch{}
		build(b)
		return db.pool.SendBatch(ctx, b).Close()
	})
}

// batch sends the batch that build makes as one round trip, run by
// PostgreSQL as one implicit transaction, hands its results to read, and
// closes it; the whole is retried by retry (with alsoRetry). read must reset
// whatever it fills, as it may run more than once.
func (db *DB) batch(ctx context.Context, build func(b *pgx.Batch), read func(br pgx.BatchResults) error, alsoRetry ...string) error {
	return retry(ctx, func() error {
		b := &pgx.Batch{}
		build(b)
		br := db.pool.SendBatch(ctx, b)
		if err := read(br); err != nil {
			_ = br.Close()
			return err
		}
		return br.Close()
	}, alsoRetry...)
}

// inTx runs fn in a transaction and commits it, or rolls it back when fn
// fails; the whole is retried by retry. fn must reset whatever it fills, as
// it may run more than once.
func (db *DB) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return retry(ctx, func() error { return pgx.BeginFunc(ctx, db.pool, fn) })
}
