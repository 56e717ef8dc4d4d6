package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// selectPermGroup selects record.PermGroupColumns and the member count from
// perm_groups as p.
var selectPermGroup = record.Select("perm_groups", "p", record.PermGroupColumns, `(SELECT count(*) FROM perm_group_members m
	WHERE m.group_id = p.group_id AND m.perm_group_id = p.id)`)

// permGroupDest and permGroupOf scan rows of selectPermGroup.
var (
	permGroupDest = (*record.PermGroupRow).Dest
	permGroupOf   = noErr((*record.PermGroupRow).PermGroup)
)

// getPermGroupQuery selects permission group ? of community ?.
var getPermGroupQuery = selectPermGroup + ` WHERE p.group_id = ? AND p.id = ?`

// CreatePermGroup implements [permgroup.Store]. maxGroups <= 0 means no
// limit; pg.MemberCount is ignored. The checks go in the order ErrNoGroup,
// ErrTooMany, ErrExists, as for topics: a taken ID in a full community is
// ErrTooMany. The single writer makes count and insert atomic.
func (db *DB) CreatePermGroup(ctx context.Context, pg permgroup.PermGroup, maxGroups int) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var n int64
		err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM perm_groups WHERE group_id = ?1)
			FROM groups WHERE id = ?1`, pg.GroupID).Scan(&n)
		if err != nil {
			return record.NoRows(err, permgroup.ErrNoGroup)
		}
		if maxGroups > 0 && n >= int64(maxGroups) {
			return fmt.Errorf("the community has %d permission groups, the most it may have: %w", n, permgroup.ErrTooMany)
		}
		_, err = tx.ExecContext(ctx, insertInto("perm_groups", record.PermGroupColumns), record.PermGroupArgs(pg)...)
		if isUnique(err) {
			return permgroup.ErrExists
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create permission group %q in group %q: %w", pg.ID, pg.GroupID, err)
	}
	return nil
}

// DeletePermGroups implements [permgroup.Store]. Members and topic
// permissions go with them (ON DELETE CASCADE). The result is in the order
// of ids, each once.
func (db *DB) DeletePermGroups(ctx context.Context, groupID string, ids []string) ([]string, error) {
	return db.deleteInGroup(ctx, "perm_groups", "permission groups", groupID, ids)
}

// ModifyPermGroup implements [permgroup.Store]: an UPDATE in which a field
// that p leaves nil is bound as NULL and kept by coalesce, then a read of
// the result, in one transaction.
func (db *DB) ModifyPermGroup(ctx context.Context, groupID, id string, p permgroup.Patch) (permgroup.PermGroup, error) {
	var r record.PermGroupRow
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE perm_groups SET name = coalesce(?, name),
				permission = coalesce(?, permission), custom_string = coalesce(?, custom_string)
			WHERE group_id = ? AND id = ?`, append(record.PermGroupPatchArgs(p), groupID, id)...)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, getPermGroupQuery, groupID, id).Scan(r.Dest()...)
		return record.NoRows(err, permgroup.ErrNotFound)
	})
	if err != nil {
		return permgroup.PermGroup{}, fmt.Errorf("sqlite: modify permission group %q of group %q: %w", id, groupID, err)
	}
	return r.PermGroup(), nil
}

// GetPermGroups implements [permgroup.Store]. With ids, the permission
// groups are in the order of ids, each once, read by getInGroup. Without,
// limit <= 0 means no limit. A community that does not exist has none.
func (db *DB) GetPermGroups(ctx context.Context, groupID string, ids []string, after string, limit int) ([]permgroup.PermGroup, error) {
	var (
		pgs []permgroup.PermGroup
		err error
	)
	if ids == nil {
		if limit <= 0 {
			limit = -1 // SQLite: no limit
		}
		pgs, err = queryAll(ctx, db.read, permGroupDest, permGroupOf, selectPermGroup+` WHERE p.group_id = ? AND p.id > ? ORDER BY p.id LIMIT ?`,
			groupID, after, limit)
	} else {
		pgs, err = getInGroup(ctx, db, permGroupDest, permGroupOf, getPermGroupQuery, func(in string) string {
			return selectPermGroup + ` WHERE p.group_id = ? AND p.id IN (` + in + `)`
		}, record.PermGroupsByID, groupID, ids)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get permission groups of group %q: %w", groupID, err)
	}
	return pgs, nil
}

// userGrantsQuery selects, for member ? of community ?, one row per topic
// permission of each permission group the member is in, or one row with
// NULL topic columns for a permission group with none. It reads the
// member's permission groups from perm_group_members_user alone.
const userGrantsQuery = `SELECT m.perm_group_id, p.permission, t.topic_id, t.permission
	FROM perm_group_members m
	JOIN perm_groups p ON p.group_id = m.group_id AND p.id = m.perm_group_id
	LEFT JOIN perm_group_topics t ON t.group_id = m.group_id AND t.perm_group_id = m.perm_group_id
	WHERE m.group_id = ? AND m.user_id = ?`

// UserGrants implements [permgroup.Store] with one query, prepared once.
// The grants are in permission group ID order; none is an empty slice.
func (db *DB) UserGrants(ctx context.Context, groupID, userID string) ([]permgroup.Grant, error) {
	grants := []permgroup.Grant{}
	stmt, err := db.readStmt(ctx, userGrantsQuery)
	var rows *sql.Rows
	if err == nil {
		rows, err = stmt.QueryContext(ctx, groupID, userID)
	}
	if err == nil {
		index := make(map[string]int)
		var (
			id         string
			perms      int64
			topicID    sql.NullString
			topicPerms sql.NullInt64
		)
		err = eachRow(rows, func() error {
			if err := rows.Scan(&id, &perms, &topicID, &topicPerms); err != nil {
				return err
			}
			i, ok := index[id]
			if !ok {
				i, index[id] = len(grants), len(grants)
				grants = append(grants, permgroup.Grant{PermGroupID: id, Permission: uint64(perms), Topics: map[string]uint64{}})
			}
			if topicID.Valid {
				grants[i].Topics[topicID.String] = uint64(topicPerms.Int64)
			}
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: permission grants of %q in group %q: %w", userID, groupID, err)
	}
	record.SortGrants(grants)
	return grants, nil
}
