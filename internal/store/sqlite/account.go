package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// maxIDsPerQuery bounds the number of ids bound into one IN (...) list, well
// under SQLite's limit on host parameters.
const maxIDsPerQuery = 500

// ImportAccounts implements [account.Store]. Within one call a later Import
// of the same UserID, and a later item with the same tag, wins.
func (db *DB) ImportAccounts(ctx context.Context, accounts []account.Import, createdAt int64) error {
	if len(accounts) == 0 {
		return nil
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		insAccount, err := tx.PrepareContext(ctx,
			`INSERT INTO accounts (user_id, created_at) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer insAccount.Close()
		upsertItem, err := prepareUpsertItem(ctx, tx)
		if err != nil {
			return err
		}
		defer upsertItem.Close()

		for _, a := range accounts {
			if _, err := insAccount.ExecContext(ctx, a.UserID, createdAt); err != nil {
				return err
			}
			if err := upsertItems(ctx, upsertItem, a.UserID, a.Profile); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: import %d accounts: %w", len(accounts), err)
	}
	return nil
}

// DeleteAccounts implements [account.Store]. deleted is in the order of ids,
// each ID once. Each account leaves its groups first: their member_num drops
// by one, and a group it owned is left without an owner.
func (db *DB) DeleteAccounts(ctx context.Context, ids []string, at int64) (deleted []string, err error) {
	ids = record.Unique(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		leaveGroups, err := tx.PrepareContext(ctx, `UPDATE groups
			SET member_num = member_num - 1, owner = CASE WHEN owner = ?1 THEN NULL ELSE owner END
			WHERE id IN (SELECT group_id FROM group_members WHERE user_id = ?1)`)
		if err != nil {
			return err
		}
		defer leaveGroups.Close()
		delMemberships, err := tx.PrepareContext(ctx, `DELETE FROM group_members WHERE user_id = ?`)
		if err != nil {
			return err
		}
		defer delMemberships.Close()
		// profile_items go with their account: ON DELETE CASCADE.
		del, err := tx.PrepareContext(ctx, `DELETE FROM accounts WHERE user_id = ?`)
		if err != nil {
			return err
		}
		defer del.Close()
		tomb, err := tx.PrepareContext(ctx, `INSERT INTO account_tombstones (user_id, deleted_at) VALUES (?1, ?2)
			ON CONFLICT (user_id) DO UPDATE SET deleted_at = max(deleted_at, excluded.deleted_at)`)
		if err != nil {
			return err
		}
		defer tomb.Close()
		for _, id := range ids {
			if _, err := leaveGroups.ExecContext(ctx, id); err != nil {
				return err
			}
			if _, err := delMemberships.ExecContext(ctx, id); err != nil {
				return err
			}
			res, err := del.ExecContext(ctx, id)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n > 0 {
				if _, err := tomb.ExecContext(ctx, id, at); err != nil {
					return err
				}
				deleted = append(deleted, id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: delete %d accounts: %w", len(ids), err)
	}
	return deleted, nil
}

// ExistingAccounts implements [account.Store]. The map holds only the IDs
// that exist, each mapped to true.
func (db *DB) ExistingAccounts(ctx context.Context, ids []string) (map[string]bool, error) {
	exist := make(map[string]bool, len(ids))
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return idsIn(ctx, tx, exist, record.Unique(ids), func(in string) string {
			return `SELECT user_id FROM accounts WHERE user_id IN (` + in + `)`
		})
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: existing accounts: %w", err)
	}
	return exist, nil
}

// AccountCreatedAt returns the creation time (unix seconds) of account id,
// or an error wrapping [account.ErrNotFound]. It is not part of
// [account.Store]; storetest uses it to check that re-import keeps it.
func (db *DB) AccountCreatedAt(ctx context.Context, id string) (int64, error) {
	var t int64
	err := db.read.QueryRowContext(ctx, `SELECT created_at FROM accounts WHERE user_id = ?`, id).Scan(&t)
	if err != nil {
		err = record.NoRows(err, account.ErrNotFound)
		return 0, fmt.Errorf("sqlite: account created at %q: %w", id, err)
	}
	return t, nil
}

// SetSigNotBefore implements [account.Store].
func (db *DB) SetSigNotBefore(ctx context.Context, id string, t int64) error {
	res, err := db.write.ExecContext(ctx, `UPDATE accounts SET sig_not_before = ? WHERE user_id = ?`, t, id)
	if err != nil {
		return fmt.Errorf("sqlite: set sig not before %q: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: set sig not before %q: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: set sig not before %q: %w", id, account.ErrNotFound)
	}
	return nil
}

// SigNotBefore implements [account.Store].
func (db *DB) SigNotBefore(ctx context.Context, id string) (int64, error) {
	var t int64
	err := db.read.QueryRowContext(ctx, `SELECT max(
			coalesce((SELECT sig_not_before FROM accounts WHERE user_id = ?1), 0),
			coalesce((SELECT deleted_at FROM account_tombstones WHERE user_id = ?1), 0))`, id).Scan(&t)
	if err != nil {
		return 0, fmt.Errorf("sqlite: sig not before %q: %w", id, err)
	}
	return t, nil
}

// SetProfile implements [account.Store]. A later item with the same tag wins.
func (db *DB) SetProfile(ctx context.Context, id string, items []account.ProfileItem) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM accounts WHERE user_id = ?`, id).Scan(&one)
		if err != nil || len(items) == 0 {
			return record.NoRows(err, account.ErrNotFound)
		}
		upsertItem, err := prepareUpsertItem(ctx, tx)
		if err != nil {
			return err
		}
		defer upsertItem.Close()
		return upsertItems(ctx, upsertItem, id, items)
	})
	if err != nil {
		return fmt.Errorf("sqlite: set profile %q: %w", id, err)
	}
	return nil
}

// GetProfiles implements [account.Store]. Tags are ordered by their bytes.
// An existing account with no matching items is present with no Items.
func (db *DB) GetProfiles(ctx context.Context, ids []string, tags []string) (map[string]account.Profile, error) {
	profiles := make(map[string]account.Profile, len(ids))
	tags = record.Unique(tags)
	tagFilter := ""
	if len(tags) > 0 {
		tagFilter = ` AND p.tag IN (` + params(len(tags)) + `)`
	}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rs, err := queryIn(ctx, tx, (*record.ProfileRow).Dest, deref[record.ProfileRow], record.Unique(ids), func(in string) string {
			return `SELECT a.user_id, p.tag, p.value
				FROM accounts a LEFT JOIN profile_items p ON p.user_id = a.user_id` + tagFilter + `
				WHERE a.user_id IN (` + in + `)
				ORDER BY a.user_id, p.tag`
		}, anys(tags)...)
		for i := range rs {
			rs[i].AddTo(profiles)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: get profiles: %w", err)
	}
	return profiles, nil
}

func prepareUpsertItem(ctx context.Context, tx *sql.Tx) (*sql.Stmt, error) {
	return tx.PrepareContext(ctx, `INSERT INTO profile_items (user_id, tag, value) VALUES (?, ?, ?)
		ON CONFLICT (user_id, tag) DO UPDATE SET value = excluded.value`)
}

// upsertItems sets items on id with upsert, a statement prepared by
// prepareUpsertItem. Values are bound as strings so that they are stored as
// TEXT, byte for byte.
func upsertItems(ctx context.Context, upsert *sql.Stmt, id string, items []account.ProfileItem) error {
	for _, it := range items {
		if _, err := upsert.ExecContext(ctx, id, it.Tag, string(it.Value)); err != nil {
			return err
		}
	}
	return nil
}

// readTx runs fn in a read transaction on a reader connection, so that all
// its queries see one snapshot.
func (db *DB) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	return fn(tx)
}

// insertInto returns the INSERT of one row of columns into table, each
// value a placeholder in the order of columns.
func insertInto(table string, columns []string) string {
	return `INSERT INTO ` + table + ` (` + record.Columns("", columns) + `) VALUES (` + params(len(columns)) + `)`
}

// params returns n comma-separated placeholders.
func params(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func anys(ss []string) []any {
	a := make([]any, len(ss))
	for i, s := range ss {
		a[i] = s
	}
	return a
}
