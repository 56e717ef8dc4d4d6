package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-chat/hearth/internal/restrict"
	"github.com/hearth-chat/hearth/internal/store/record"
)

var _ restrict.Store = (*DB)(nil)

// blockingQuery selects those of $2 that $1 blocks.
const blockingQuery = `SELECT user_id FROM blocklists WHERE owner_id = $1 AND user_id = ANY($2)`

// SetGlobalMute implements [restrict.Store].
func (db *DB) SetGlobalMute(ctx context.Context, user string, c2cUntil, groupUntil *int64) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO global_mutes (user_id, c2c_until, group_until) VALUES ($1, coalesce($2::bigint, 0), coalesce($3::bigint, 0))
		ON CONFLICT (user_id) DO UPDATE SET c2c_until = coalesce($2::bigint, global_mutes.c2c_until), group_until = coalesce($3::bigint, global_mutes.group_until)`,
		user, c2cUntil, groupUntil)
	if err != nil {
		return fmt.Errorf("postgres: set global mute of %q: %w", user, err)
	}
	return nil
}

// GlobalMute implements [restrict.Store].
func (db *DB) GlobalMute(ctx context.Context, user string) (restrict.Mute, error) {
	var m restrict.Mute
	err := db.pool.QueryRow(ctx, `SELECT c2c_until, group_until FROM global_mutes WHERE user_id = $1`, user).Scan(&m.C2CUntil, &m.GroupUntil)
	if errors.Is(err, pgx.ErrNoRows) {
		return restrict.Mute{}, nil
	}
	if err != nil {
		return restrict.Mute{}, fmt.Errorf("postgres: global mute of %q: %w", user, err)
	}
	return m, nil
}

// lockBlocklist takes the row lock of owner's blocklist sequence, which
// every writer of that list takes first, so that the count a writer reads
// stays true until it commits.
func lockBlocklist(ctx context.Context, tx pgx.Tx, owner string) error {
	_, err := tx.Exec(ctx, `INSERT INTO blocklist_seqs (owner_id, seq) VALUES ($1, 0)
		ON CONFLICT (owner_id) DO UPDATE SET seq = blocklist_seqs.seq`, owner)
	return err
}

// raiseBlocklistSeq raises owner's sequence when changed and returns it.
func raiseBlocklistSeq(ctx context.Context, tx pgx.Tx, owner string, changed bool) (int64, error) {
	inc := 0
	if changed {
		inc = 1
	}
	var seq int64
	err := tx.QueryRow(ctx, `UPDATE blocklist_seqs SET seq = seq + $2 WHERE owner_id = $1 RETURNING seq`, owner, inc).Scan(&seq)
	return seq, err
}

// AddBlocks implements [restrict.Store].
func (db *DB) AddBlocks(ctx context.Context, owner string, users []string, at int64, max int) (map[string]restrict.AddResult, int64, error) {
	users = record.Unique(users)
	res := make(map[string]restrict.AddResult, len(users))
	var seq int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		clear(res)
		if err := lockBlocklist(ctx, tx, owner); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM blocklists WHERE owner_id = $1`, owner).Scan(&n); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, blockingQuery, owner, users)
		listed := map[string]bool{}
		if err := collectIDs(rows, listed); err != nil {
			return err
		}
		add := record.PlanBlocks(res, users, listed, n, max)
		if len(add) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO blocklists (owner_id, user_id, added_at) SELECT $1, u, $3 FROM unnest($2::text[]) AS u`, owner, add, at); err != nil {
				return err
			}
		}
		var err error
		seq, err = raiseBlocklistSeq(ctx, tx, owner, len(add) > 0)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: add %d to the blocklist of %q: %w", len(users), owner, err)
	}
	return res, seq, nil
}

// DeleteBlocks implements [restrict.Store].
func (db *DB) DeleteBlocks(ctx context.Context, owner string, users []string) ([]string, error) {
	users = record.Unique(users)
	var removed []string
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		removed = removed[:0]
		if err := lockBlocklist(ctx, tx, owner); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `DELETE FROM blocklists WHERE owner_id = $1 AND user_id = ANY($2) RETURNING user_id`, owner, users)
		got := map[string]bool{}
		if err := collectIDs(rows, got); err != nil {
			return err
		}
		removed = record.InOrder(users, got)
		_, err := raiseBlocklistSeq(ctx, tx, owner, len(removed) > 0)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: delete %d from the blocklist of %q: %w", len(users), owner, err)
	}
	return removed, nil
}

// Blocks implements [restrict.Store].
func (db *DB) Blocks(ctx context.Context, owner string, offset, limit int) (page []restrict.Entry, total int, seq int64, err error) {
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT count(*), coalesce((SELECT seq FROM blocklist_seqs WHERE owner_id = $1), 0)
			FROM blocklists WHERE owner_id = $1`, owner).Scan(&total, &seq); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT user_id, added_at FROM blocklists WHERE owner_id = $1
			ORDER BY added_at, user_id LIMIT $2 OFFSET $3`, owner, limit, offset)
		var err error
		page, err = collect(rows, record.BlockEntryDest, deref[restrict.Entry])
		return err
	})
	if err != nil {
		return nil, 0, 0, fmt.Errorf("postgres: blocklist of %q: %w", owner, err)
	}
	return page, total, seq, nil
}

// Blocking implements [restrict.Store].
func (db *DB) Blocking(ctx context.Context, owner string, users []string) (map[string]bool, error) {
	return db.blockSet(ctx, blockingQuery, owner, users)
}

// BlockedBy implements [restrict.Store].
func (db *DB) BlockedBy(ctx context.Context, user string, owners []string) (map[string]bool, error) {
	return db.blockSet(ctx, `SELECT owner_id FROM blocklists WHERE user_id = $1 AND owner_id = ANY($2)`, user, owners)
}

func (db *DB) blockSet(ctx context.Context, query, one string, many []string) (map[string]bool, error) {
	set := make(map[string]bool, len(many))
	if len(many) == 0 {
		return set, nil
	}
	rows, _ := db.pool.Query(ctx, query, one, many)
	if err := collectIDs(rows, set); err != nil {
		return nil, fmt.Errorf("postgres: blocklists of %q: %w", one, err)
	}
	return set, nil
}
