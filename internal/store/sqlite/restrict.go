package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearth-chat/hearth/internal/restrict"
	"github.com/hearth-chat/hearth/internal/store/record"
)

var _ restrict.Store = (*DB)(nil)

// SetGlobalMute implements [restrict.Store].
func (db *DB) SetGlobalMute(ctx context.Context, user string, c2cUntil, groupUntil *int64) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO global_mutes (user_id, c2c_until, group_until) VALUES (?1, coalesce(?2, 0), coalesce(?3, 0))
			ON CONFLICT (user_id) DO UPDATE SET c2c_until = coalesce(?2, c2c_until), group_until = coalesce(?3, group_until)`,
			user, c2cUntil, groupUntil)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: set global mute of %q: %w", user, err)
	}
	return nil
}

// GlobalMute implements [restrict.Store].
func (db *DB) GlobalMute(ctx context.Context, user string) (restrict.Mute, error) {
	stmt, err := db.readStmt(ctx, `SELECT c2c_until, group_until FROM global_mutes WHERE user_id = ?`)
	if err != nil {
		return restrict.Mute{}, fmt.Errorf("sqlite: global mute of %q: %w", user, err)
	}
	var m restrict.Mute
	err = stmt.QueryRowContext(ctx, user).Scan(&m.C2CUntil, &m.GroupUntil)
	if err == sql.ErrNoRows {
		return restrict.Mute{}, nil
	}
	if err != nil {
		return restrict.Mute{}, fmt.Errorf("sqlite: global mute of %q: %w", user, err)
	}
	return m, nil
}

// AddBlocks implements [restrict.Store]. The one writer connection makes
// the count and the inserts of a call atomic.
func (db *DB) AddBlocks(ctx context.Context, owner string, users []string, at int64, max int) (map[string]restrict.AddResult, int64, error) {
	users = record.Unique(users)
	res := make(map[string]restrict.AddResult, len(users))
	var seq int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		clear(res)
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM blocklists WHERE owner_id = ?`, owner).Scan(&n); err != nil {
			return err
		}
		listed := map[string]bool{}
		if err := idsIn(ctx, tx, listed, users, blockingIn, owner); err != nil {
			return err
		}
		add := record.PlanBlocks(res, users, listed, n, max)
		for _, u := range add {
			if _, err := tx.ExecContext(ctx, `INSERT INTO blocklists (owner_id, user_id, added_at) VALUES (?, ?, ?)`, owner, u, at); err != nil {
				return err
			}
		}
		var err error
		seq, err = bumpBlocklistSeq(ctx, tx, owner, len(add) > 0)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: add %d to the blocklist of %q: %w", len(users), owner, err)
	}
	return res, seq, nil
}

// bumpBlocklistSeq raises owner's blocklist sequence when changed and
// returns it.
func bumpBlocklistSeq(ctx context.Context, tx *sql.Tx, owner string, changed bool) (int64, error) {
	if changed {
		if _, err := tx.ExecContext(ctx, `INSERT INTO blocklist_seqs (owner_id, seq) VALUES (?, 1)
			ON CONFLICT (owner_id) DO UPDATE SET seq = seq + 1`, owner); err != nil {
			return 0, err
		}
	}
	var seq int64
	err := tx.QueryRowContext(ctx, `SELECT seq FROM blocklist_seqs WHERE owner_id = ?`, owner).Scan(&seq)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return seq, err
}

// DeleteBlocks implements [restrict.Store].
func (db *DB) DeleteBlocks(ctx context.Context, owner string, users []string) ([]string, error) {
	users = record.Unique(users)
	var removed []string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		removed = removed[:0]
		for _, u := range users {
			r, err := tx.ExecContext(ctx, `DELETE FROM blocklists WHERE owner_id = ? AND user_id = ?`, owner, u)
			if err != nil {
				return err
			}
			if n, err := r.RowsAffected(); err != nil {
				return err
			} else if n > 0 {
				removed = append(removed, u)
			}
		}
		_, err := bumpBlocklistSeq(ctx, tx, owner, len(removed) > 0)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: delete %d from the blocklist of %q: %w", len(users), owner, err)
	}
	return removed, nil
}

// Blocks implements [restrict.Store].
func (db *DB) Blocks(ctx context.Context, owner string, offset, limit int) (page []restrict.Entry, total int, seq int64, err error) {
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce((SELECT seq FROM blocklist_seqs WHERE owner_id = ?1), 0)
			FROM blocklists WHERE owner_id = ?1`, owner).Scan(&total, &seq); err != nil {
			return err
		}
		var err error
		page, err = queryAll(ctx, tx, record.BlockEntryDest, deref[restrict.Entry], `SELECT user_id, added_at FROM blocklists WHERE owner_id = ?
			ORDER BY added_at, user_id LIMIT ? OFFSET ?`, owner, limit, offset)
		return err
	})
	if err != nil {
		return nil, 0, 0, fmt.Errorf("sqlite: blocklist of %q: %w", owner, err)
	}
	return page, total, seq, nil
}

// blockingIn selects those of the IDs in that ? blocks; blockedByIn
// those of the IDs in that block ?.
func blockingIn(in string) string {
	return `SELECT user_id FROM blocklists WHERE owner_id = ? AND user_id IN (` + in + `)`
}

func blockedByIn(in string) string {
	return `SELECT owner_id FROM blocklists WHERE user_id = ? AND owner_id IN (` + in + `)`
}

// Blocking implements [restrict.Store].
func (db *DB) Blocking(ctx context.Context, owner string, users []string) (map[string]bool, error) {
	set, err := db.blockSet(ctx, blockingIn, owner, users)
	if err != nil {
		return nil, fmt.Errorf("sqlite: blocklist of %q: %w", owner, err)
	}
	return set, nil
}

// BlockedBy implements [restrict.Store].
func (db *DB) BlockedBy(ctx context.Context, user string, owners []string) (map[string]bool, error) {
	set, err := db.blockSet(ctx, blockedByIn, user, owners)
	if err != nil {
		return nil, fmt.Errorf("sqlite: blocklists holding %q: %w", user, err)
	}
	return set, nil
}

// blockSet runs in a read transaction the query of one and of many
// (repeats dropped), as idsIn does, and returns the set of what it
// selects.
func (db *DB) blockSet(ctx context.Context, query func(in string) string, one string, many []string) (map[string]bool, error) {
	set := make(map[string]bool, len(many))
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return idsIn(ctx, tx, set, record.Unique(many), query, one)
	})
	return set, err
}
