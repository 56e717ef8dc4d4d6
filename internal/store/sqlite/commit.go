package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Group commit. Every write transaction of the store goes through inTx,
// which hands it to one committer goroutine owning the writer connection.
// The committer runs each write that is waiting when it becomes free in
// one SQLite transaction, each inside its own SAVEPOINT so that a failing
// write is rolled back alone, and commits them together: a burst of
// concurrent writes pays for one BEGIN/COMMIT (and one WAL append) instead
// of one each. A write is answered only after the commit that holds it.

// maxBatch bounds how many writes share one commit.
const maxBatch = 64

var errClosed = errors.New("sqlite: store is closed")

type writeJob struct {
	fn   func(tx *sql.Tx) error
	done chan error
}

// startCommitter starts the committer goroutine; Close stops it.
func (db *DB) startCommitter() {
	db.jobs = make(chan writeJob, maxBatch)
	db.stop = make(chan struct{})
	db.stopped = make(chan struct{})
	go db.committer()
}

// inTx runs fn in a write transaction on the writer connection and returns
// once it is committed (or rolled back when fn fails). fn must use only tx:
// the writer has a single connection.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	j := writeJob{fn: fn, done: make(chan error, 1)}
	select {
	case db.jobs <- j:
	case <-db.stop:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the write runs (its statements see ctx and fail fast if it
	// is done): wait for its outcome, so that no write that answers an error
	// was committed.
	return <-j.done
}

func (db *DB) committer() {
	defer close(db.stopped)
	batch := make([]writeJob, 0, maxBatch)
	for {
		select {
		case j := <-db.jobs:
			batch = append(batch[:0], j)
		case <-db.stop:
			for {
				select {
				case j := <-db.jobs:
					j.done <- errClosed
				default:
					return
				}
			}
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case j := <-db.jobs:
				batch = append(batch, j)
			default:
				break drain
			}
		}
		db.runBatch(batch)
	}
}

// runBatch runs the writes of batch in one transaction and answers each.
func (db *DB) runBatch(batch []writeJob) {
	ctx := context.Background()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		for _, j := range batch {
			j.done <- err
		}
		return
	}
	if len(batch) == 1 { // no savepoint needed for a lone write
		j := batch[0]
		if err := j.fn(tx); err != nil {
			_ = tx.Rollback()
			j.done <- err
			return
		}
		j.done <- tx.Commit()
		return
	}
	results := make([]error, len(batch))
	for i, j := range batch {
		if _, err := tx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
			results[i] = err
			continue
		}
		if results[i] = j.fn(tx); results[i] != nil {
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO w"); err != nil {
				// The transaction is unusable: fail the whole batch.
				_ = tx.Rollback()
				for k, jj := range batch {
					if k == i {
						jj.done <- results[i]
					} else {
						jj.done <- fmt.Errorf("sqlite: group commit rolled back: %w", err)
					}
				}
				return
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE w"); err != nil && results[i] == nil {
			results[i] = err
		}
	}
	if err := tx.Commit(); err != nil {
		for i := range results {
			if results[i] == nil {
				results[i] = err
			}
		}
	}
	for i, j := range batch {
		j.done <- results[i]
	}
}
