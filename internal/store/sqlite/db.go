// Package sqlite is Hearth's embedded store: one SQLite database file that
// implements every domain's Store interface (account.Store, group.Store,
// topic.Store, permgroup.Store and message.Store so far), with its schema
// migrations embedded in the binary.
//
// It uses the pure-Go modernc.org/sqlite driver (no cgo). The database runs in
// WAL mode with one writer connection, which serialises all writes inside the
// process (so writers never see SQLITE_BUSY from each other), and a pool of
// query-only reader connections that read concurrently with the writer.
//
// Durability: by default the database uses synchronous=NORMAL, under which a
// committed transaction survives the process being killed (kill -9) but the
// last transactions before a power loss or OS crash may be rolled back. Use
// [WithSynchronousFull] where commits must survive power loss too; it costs
// several times the write throughput.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/hearth-chat/hearth/internal/store"
)

// Defaults for the options.
const (
	DefaultBusyTimeout = 5 * time.Second
	DefaultMinReaders  = 4
)

// DB is an open SQLite store. It is safe for concurrent use.
type DB struct {
	write *sql.DB // exactly one connection; BEGIN IMMEDIATE
	read  *sql.DB // query_only connections

	readStmts  sync.Map // query text → *sql.Stmt on read; see readStmt
	writeStmts sync.Map // query text → *sql.Stmt on write; see writeStmt

	jobs    chan writeJob // writes waiting for the committer; see commit.go
	stop    chan struct{}
	stopped chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// DB implements every domain's Store.
var _ store.Store = (*DB)(nil)

// Option configures Open.
type Option func(*options)

type options struct {
	synchronous string
	busyTimeout time.Duration
	readers     int
}

// WithSynchronousFull makes every commit wait until it is on stable storage
// (PRAGMA synchronous=FULL), so that it survives a power loss or OS crash,
// not only the death of the process.
func WithSynchronousFull() Option {
	return func(o *options) { o.synchronous = "FULL" }
}

// WithBusyTimeout sets how long a connection waits for a lock held by another
// process before failing with SQLITE_BUSY (default [DefaultBusyTimeout]).
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) { o.busyTimeout = d }
}

// WithReaders sets the number of reader connections (default GOMAXPROCS, at
// least [DefaultMinReaders]).
func WithReaders(n int) Option {
	return func(o *options) { o.readers = n }
}

// Open opens the database file at path, creating it and its parent directory
// if missing, and applies any pending migrations. path must name a file: an
// in-memory database cannot be shared by the writer and the readers.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	o := options{
		synchronous: "NORMAL",
		busyTimeout: DefaultBusyTimeout,
		readers:     max(runtime.GOMAXPROCS(0), DefaultMinReaders),
	}
	for _, opt := range opts {
		opt(&o)
	}
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: open: path %q does not name a file", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	db := &DB{}
	// The writer opens first: it switches the file to WAL (a persistent
	// setting) and migrates, before any query_only reader connects.
	db.write, err = sql.Open("sqlite", dsn(abs, o, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	db.write.SetConnMaxIdleTime(0)
	if err := migrate(ctx, db.write); err != nil {
		_ = db.write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	db.read, err = sql.Open("sqlite", dsn(abs, o, true))
	if err != nil {
		_ = db.write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.read.SetMaxOpenConns(o.readers)
	db.read.SetMaxIdleConns(o.readers)
	db.read.SetConnMaxLifetime(0)
	db.read.SetConnMaxIdleTime(0)
	db.startCommitter()
	if err := db.read.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlite: open %s: readers: %w", path, err)
	}
	return db, nil
}

// dsn builds the modernc.org/sqlite data source name for the file at abs.
// The driver runs each _pragma on every new connection.
func dsn(abs string, o options, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(o.busyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous("+o.synchronous+")")
		q.Set("_txlock", "immediate") // take the write lock at BEGIN, not at the first write
	}
	u := url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}
	return u.String()
}

// Close closes the database. Calling it again does nothing.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		if db.stop != nil {
			close(db.stop)
			<-db.stopped
		}
		var errs []error
		if db.read != nil {
			db.readStmts.Range(func(_, stmt any) bool {
				errs = append(errs, stmt.(*sql.Stmt).Close())
				return true
			})
			errs = append(errs, db.read.Close())
		}
		db.writeStmts.Range(func(_, stmt any) bool {
			errs = append(errs, stmt.(*sql.Stmt).Close())
			return true
		})
		errs = append(errs, db.write.Close())
		if err := errors.Join(errs...); err != nil {
			db.closeErr = fmt.Errorf("sqlite: close: %w", err)
		}
	})
	return db.closeErr
}

// readStmt returns query prepared on the reader pool, preparing it on first
// use. database/sql then prepares it once per reader connection and reuses
// it, which saves parsing the SQL on every call of a hot read.
func (db *DB) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	return cachedStmt(ctx, &db.readStmts, db.read, query)
}

// writeStmt returns query prepared on the writer, preparing it on first
// use; a transaction uses it through tx.StmtContext. database/sql keeps it
// prepared on the writer's one connection, so a hot write parses its SQL
// once, not on every call (parsing was about 40% of AppendGroupMessage).
// Call it before inTx, not in it: preparing needs the writer's connection,
// which a transaction holds.
func (db *DB) writeStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	return cachedStmt(ctx, &db.writeStmts, db.write, query)
}

// cachedStmt returns query prepared on pool, preparing it on first use and
// keeping it in cache (query text → *sql.Stmt). Of two callers preparing
// the same query at once, one statement is kept and the other closed.
func cachedStmt(ctx context.Context, cache *sync.Map, pool *sql.DB, query string) (*sql.Stmt, error) {
	if stmt, ok := cache.Load(query); ok {
		return stmt.(*sql.Stmt), nil
	}
	stmt, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := cache.LoadOrStore(query, stmt); loaded {
		_ = stmt.Close()
		return prev.(*sql.Stmt), nil
	}
	return stmt, nil
}
