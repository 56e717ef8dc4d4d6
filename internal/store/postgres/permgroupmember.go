package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// queueLockPermGroup queues key-share locks on the row of community groupID
// and then on that of its permission group id: the first waits for, and
// holds off, changes to the community's members (so members read stay
// members, and member removals cascading into permission groups take turns
// with the batch); the second holds off the permission group's deletion.
// lockedPermGroup reads their results.
func queueLockPermGroup(b *pgx.Batch, groupID, id string) {
	b.Queue(`SELECT FROM groups WHERE id = $1 FOR KEY SHARE`, groupID)
	b.Queue(`SELECT FROM perm_groups WHERE group_id = $1 AND id = $2 FOR KEY SHARE`, groupID, id)
}

// lockedPermGroup reads the results of queueLockPermGroup:
// permgroup.ErrNotFound when the permission group (or its community) does
// not exist.
func lockedPermGroup(br pgx.BatchResults) error {
	for range 2 {
		tag, err := br.Exec()
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return permgroup.ErrNotFound
		}
	}
	return nil
}

// itemStatuses returns the status of each of keys, in order: first[key]
// for its first occurrence, and for a repeat what doing the item again
// would report: repeatOK where the first was ItemOK (the item is now done),
// the same status otherwise. first must hold every key.
func itemStatuses(keys []string, first map[string]permgroup.ItemStatus, repeatOK permgroup.ItemStatus) []permgroup.ItemStatus {
	out := make([]permgroup.ItemStatus, len(keys))
	seen := make(map[string]bool, len(first))
	for i, k := range keys {
		out[i] = first[k]
		if seen[k] && out[i] == permgroup.ItemOK {
			out[i] = repeatOK
		}
		seen[k] = true
	}
	return out
}

// AddPermGroupMembers implements [permgroup.Store] in one round trip: a
// batch, run as one implicit transaction, that takes the locks of
// queueLockPermGroup and then adds those of userIDs who are members of the
// community with one statement. A user repeated in userIDs is ItemAlready
// the second time.
func (db *DB) AddPermGroupMembers(ctx context.Context, groupID, id string, userIDs []string) ([]permgroup.ItemStatus, error) {
	ids := record.Unique(userIDs)
	first, err := db.lockedStatuses(ctx, groupID, id, ids, permgroup.ItemNotMember, permgroup.ItemAlready, `WITH m AS (
			SELECT user_id FROM group_members WHERE group_id = $1 AND user_id = ANY($3)
		), ins AS (
			INSERT INTO perm_group_members (group_id, perm_group_id, user_id)
			SELECT $1, $2, user_id FROM m ORDER BY user_id
			ON CONFLICT DO NOTHING
			RETURNING user_id
		)
		SELECT user_id, user_id IN (SELECT user_id FROM ins) FROM m`, record.Sorted(ids))
	if err != nil {
		return nil, fmt.Errorf("postgres: add %d members to permission group %q of group %q: %w", len(ids), id, groupID, err)
	}
	return itemStatuses(userIDs, first, permgroup.ItemAlready), nil
}

// lockedStatuses runs, after the locks of queueLockPermGroup, stmt over
// community $1, permission group $2 and then args; stmt selects rows of a
// key among keys and whether it did the item. It returns the status of each
// of keys: ItemOK where done, notDone where selected but not done, unseen
// where not selected.
func (db *DB) lockedStatuses(ctx context.Context, groupID, id string, keys []string, unseen, notDone permgroup.ItemStatus,
	stmt string, args ...any) (map[string]permgroup.ItemStatus, error) {
	first := make(map[string]permgroup.ItemStatus, len(keys))
	err := db.batch(ctx, func(b *pgx.Batch) {
		queueLockPermGroup(b, groupID, id)
		b.Queue(stmt, append([]any{groupID, id}, args...)...)
	}, func(br pgx.BatchResults) error {
		for _, k := range keys {
			first[k] = unseen
		}
		if err := lockedPermGroup(br); err != nil {
			return err
		}
		rows, _ := br.Query()
		var (
			key  string
			done bool
		)
		_, err := pgx.ForEachRow(rows, []any{&key, &done}, func() error {
			first[key] = notDone
			if done {
				first[key] = permgroup.ItemOK
			}
			return nil
		})
		return err
	})
	return first, err
}

// DeletePermGroupMembers implements [permgroup.Store] in one round trip: a
// batch that takes the locks of queueLockPermGroup, then deletes with one
// statement. The result is in the order of userIDs, each once.
func (db *DB) DeletePermGroupMembers(ctx context.Context, groupID, id string, userIDs []string) ([]string, error) {
	userIDs = record.Unique(userIDs)
	gone := make(map[string]bool, len(userIDs))
	err := db.batch(ctx, func(b *pgx.Batch) {
		queueLockPermGroup(b, groupID, id)
		b.Queue(`DELETE FROM perm_group_members WHERE group_id = $1 AND perm_group_id = $2 AND user_id = ANY($3)
			RETURNING user_id`, groupID, id, record.Sorted(userIDs))
	}, func(br pgx.BatchResults) error {
		clear(gone)
		if err := lockedPermGroup(br); err != nil {
			return err
		}
		rows, _ := br.Query()
		return collectIDs(rows, gone)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: delete %d members of permission group %q of group %q: %w", len(userIDs), id, groupID, err)
	}
	return record.InOrder(userIDs, gone), nil
}

// ListPermGroupMembers implements [permgroup.Store] in one round trip: a
// batch of the existence check and the page. limit <= 0 means no limit.
func (db *DB) ListPermGroupMembers(ctx context.Context, groupID, id, after string, limit int) ([]string, error) {
	var fetch *int // nil: LIMIT NULL, no limit
	if limit > 0 {
		fetch = &limit
	}
	userIDs, err := inPermGroup(ctx, db, groupID, id, `SELECT user_id FROM perm_group_members
		WHERE group_id = $1 AND perm_group_id = $2 AND user_id > $3
		ORDER BY user_id LIMIT $4`, []any{groupID, id, after, fetch}, func(rows pgx.Rows) ([]string, error) {
		return pgx.CollectRows(rows, pgx.RowTo[string])
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list members of permission group %q of group %q: %w", id, groupID, err)
	}
	return userIDs, nil
}

// inPermGroup sends, in one batch, the existence check of permission group
// id of community groupID and query with args, and returns what scan makes
// of query's rows: permgroup.ErrNotFound when the permission group does not
// exist.
func inPermGroup[T any](ctx context.Context, db *DB, groupID, id, query string, args []any,
	scan func(pgx.Rows) ([]T, error)) ([]T, error) {
	var out []T
	err := db.batch(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT FROM perm_groups WHERE group_id = $1 AND id = $2`, groupID, id)
		b.Queue(query, args...)
	}, func(br pgx.BatchResults) error {
		out = nil
		if err := existingPermGroup(br); err != nil {
			return err
		}
		rows, _ := br.Query()
		var err error
		out, err = scan(rows)
		return err
	})
	return out, err
}

// existingPermGroup reads the result of a SELECT FROM perm_groups of one
// permission group: permgroup.ErrNotFound when it selected none.
func existingPermGroup(br pgx.BatchResults) error {
	tag, err := br.Exec()
	if err == nil && tag.RowsAffected() == 0 {
		err = permgroup.ErrNotFound
	}
	return err
}
