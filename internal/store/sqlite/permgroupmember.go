package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// permGroupExists returns permgroup.ErrNotFound when permission group id of
// community groupID does not exist.
func permGroupExists(ctx context.Context, tx *sql.Tx, groupID, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM perm_groups WHERE group_id = ? AND id = ?`, groupID, id).Scan(&one)
	return record.NoRows(err, permgroup.ErrNotFound)
}

// eachItem runs, in one write transaction and once permission group id of
// community groupID is known to exist (else permgroup.ErrNotFound), do for
// each of n items in order, and returns their statuses. do gets queries
// prepared in the transaction, once for the whole call. Items are done one
// after the other, so a repeated item sees what the earlier one did.
func (db *DB) eachItem(ctx context.Context, groupID, id string, n int, queries []string,
	do func(stmts []*sql.Stmt, i int) (permgroup.ItemStatus, error)) ([]permgroup.ItemStatus, error) {
	statuses := make([]permgroup.ItemStatus, n)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := permGroupExists(ctx, tx, groupID, id); err != nil {
			return err
		}
		stmts := make([]*sql.Stmt, len(queries))
		for i, q := range queries {
			stmt, err := tx.PrepareContext(ctx, q)
			if err != nil {
				return err
			}
			defer stmt.Close()
			stmts[i] = stmt
		}
		for i := range n {
			var err error
			if statuses[i], err = do(stmts, i); err != nil {
				return err
			}
		}
		return nil
	})
	return statuses, err
}

// affected returns the number of rows res changed.
func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// exists reports whether stmt, a query for one row, finds it.
func exists(ctx context.Context, stmt *sql.Stmt, args ...any) (bool, error) {
	var one int
	err := stmt.QueryRowContext(ctx, args...).Scan(&one)
	return err == nil, record.NoRows(err, nil)
}

// AddPermGroupMembers implements [permgroup.Store] in one transaction, one
// prepared INSERT per user: a user repeated in userIDs is ItemAlready the
// second time.
func (db *DB) AddPermGroupMembers(ctx context.Context, groupID, id string, userIDs []string) ([]permgroup.ItemStatus, error) {
	statuses, err := db.eachItem(ctx, groupID, id, len(userIDs), []string{
		`INSERT INTO perm_group_members (group_id, perm_group_id, user_id)
			SELECT group_id, ?, user_id FROM group_members WHERE group_id = ? AND user_id = ?
			ON CONFLICT DO NOTHING`,
		`SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?`,
	}, func(stmts []*sql.Stmt, i int) (permgroup.ItemStatus, error) {
		if n, err := affected(stmts[0].ExecContext(ctx, id, groupID, userIDs[i])); err != nil || n > 0 {
			return permgroup.ItemOK, err
		}
		if member, err := exists(ctx, stmts[1], groupID, userIDs[i]); err != nil || member {
			return permgroup.ItemAlready, err
		}
		return permgroup.ItemNotMember, nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: add %d members to permission group %q of group %q: %w", len(userIDs), id, groupID, err)
	}
	return statuses, nil
}

// DeletePermGroupMembers implements [permgroup.Store]. The result is in the
// order of userIDs, each once.
func (db *DB) DeletePermGroupMembers(ctx context.Context, groupID, id string, userIDs []string) ([]string, error) {
	userIDs = record.Unique(userIDs)
	gone := make(map[string]bool, len(userIDs))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := permGroupExists(ctx, tx, groupID, id); err != nil {
			return err
		}
		return idsIn(ctx, tx, gone, userIDs, func(in string) string {
			return `DELETE FROM perm_group_members WHERE group_id = ? AND perm_group_id = ? AND user_id IN (` + in + `)
				RETURNING user_id`
		}, groupID, id)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: delete %d members of permission group %q of group %q: %w", len(userIDs), id, groupID, err)
	}
	return record.InOrder(userIDs, gone), nil
}

// ListPermGroupMembers implements [permgroup.Store] in one read
// transaction. limit <= 0 means no limit.
func (db *DB) ListPermGroupMembers(ctx context.Context, groupID, id, after string, limit int) ([]string, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var userIDs []string
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		if err := permGroupExists(ctx, tx, groupID, id); err != nil {
			return err
		}
		var err error
		userIDs, err = queryAll(ctx, tx, scalarDest[string], deref[string], `SELECT user_id FROM perm_group_members
			WHERE group_id = ? AND perm_group_id = ? AND user_id > ? ORDER BY user_id LIMIT ?`, groupID, id, after, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list members of permission group %q of group %q: %w", id, groupID, err)
	}
	return userIDs, nil
}
