package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/hearth-chat/hearth/internal/permgroup"
)

var _ permgroup.Store = (*DB)(nil)

// permGroupColumns are the columns of perm_groups in the order of
// permGroupArgs and, before the member count, permGroupRow.
var permGroupColumns = []string{"group_id", "id", "name", "permission", "custom_string", "create_time"}

// selectPermGroup selects permGroupColumns and the member count from
// perm_groups as p. The count is not stored (see migration 0004), so that no
// cascade can leave it wrong.
var selectPermGroup = `SELECT ` + columns("p", permGroupColumns) + `, (SELECT count(*) FROM perm_group_members m
	WHERE m.group_id = p.group_id AND m.perm_group_id = p.id) FROM perm_groups p`

// getPermGroupQuery selects permission group ? of community ?.
var getPermGroupQuery = selectPermGroup + ` WHERE p.group_id = ? AND p.id = ?`

// permGroupArgs returns pg's values for permGroupColumns. The permission is
// stored as the signed integer with the same bits.
func permGroupArgs(pg permgroup.PermGroup) []any {
	return []any{pg.GroupID, pg.ID, pg.Name, int64(pg.Permission), pg.CustomString, pg.CreateTime}
}

// permGroupRow receives one row of selectPermGroup.
type permGroupRow struct {
	pg    permgroup.PermGroup
	perms int64
}

// dest returns the Scan destinations for selectPermGroup.
func (r *permGroupRow) dest() []any {
	pg := &r.pg
	return []any{&pg.GroupID, &pg.ID, &pg.Name, &r.perms, &pg.CustomString, &pg.CreateTime, &pg.MemberCount}
}

// permGroup returns the permission group scanned into r.
func (r *permGroupRow) permGroup() permgroup.PermGroup {
	pg := r.pg
	pg.Permission = uint64(r.perms)
	return pg
}

// CreatePermGroup implements [permgroup.Store]. maxGroups <= 0 means no
// limit; pg.MemberCount is ignored. The checks go in the order ErrNoGroup,
// ErrTooMany, ErrExists, as for topics: a taken ID in a full community is
// ErrTooMany. The single writer makes count and insert atomic.
func (db *DB) CreatePermGroup(ctx context.Context, pg permgroup.PermGroup, maxGroups int) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var n int64
		err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM perm_groups WHERE group_id = ?1)
			FROM groups WHERE id = ?1`, pg.GroupID).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			return permgroup.ErrNoGroup
		}
		if err != nil {
			return err
		}
		if maxGroups > 0 && n >= int64(maxGroups) {
			return fmt.Errorf("the community has %d permission groups, the most it may have: %w", n, permgroup.ErrTooMany)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO perm_groups (`+columns("", permGroupColumns)+`)
			VALUES (`+params(len(permGroupColumns))+`)`, permGroupArgs(pg)...)
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
	var perms sql.Null[int64]
	if p.Permission != nil {
		perms = sql.Null[int64]{V: int64(*p.Permission), Valid: true}
	}
	var r permGroupRow
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE perm_groups SET name = coalesce(?, name),
				permission = coalesce(?, permission), custom_string = coalesce(?, custom_string)
			WHERE group_id = ? AND id = ?`, null(p.Name), perms, null(p.CustomString), groupID, id)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, getPermGroupQuery, groupID, id).Scan(r.dest()...)
		if errors.Is(err, sql.ErrNoRows) {
			return permgroup.ErrNotFound
		}
		return err
	})
	if err != nil {
		return permgroup.PermGroup{}, fmt.Errorf("sqlite: modify permission group %q of group %q: %w", id, groupID, err)
	}
	return r.permGroup(), nil
}

// GetPermGroups implements [permgroup.Store]. With ids, the permission
// groups are in the order of ids, each once; one ID is read with a statement
// prepared once. Without, limit <= 0 means no limit. A community that does
// not exist has none.
func (db *DB) GetPermGroups(ctx context.Context, groupID string, ids []string, after string, limit int) ([]permgroup.PermGroup, error) {
	var (
		pgs []permgroup.PermGroup
		err error
	)
	switch {
	case ids == nil:
		if limit <= 0 {
			limit = -1 // SQLite: no limit
		}
		pgs, err = queryPermGroups(ctx, db.read, selectPermGroup+` WHERE p.group_id = ? AND p.id > ? ORDER BY p.id LIMIT ?`,
			groupID, after, limit)
	case len(ids) == 1:
		var stmt *sql.Stmt
		if stmt, err = db.readStmt(ctx, getPermGroupQuery); err == nil {
			var r permGroupRow
			err = stmt.QueryRowContext(ctx, groupID, ids[0]).Scan(r.dest()...)
			if err == nil {
				pgs = []permgroup.PermGroup{r.permGroup()}
			} else if errors.Is(err, sql.ErrNoRows) {
				err = nil
			}
		}
	default:
		ids = unique(ids)
		var found []permgroup.PermGroup
		err = db.readTx(ctx, func(tx *sql.Tx) error {
			for chunk := range slices.Chunk(ids, maxIDsPerQuery) {
				some, err := queryPermGroups(ctx, tx, selectPermGroup+` WHERE p.group_id = ? AND p.id IN (`+params(len(chunk))+`)`,
					append([]any{groupID}, anys(chunk)...)...)
				if err != nil {
					return err
				}
				found = append(found, some...)
			}
			return nil
		})
		pgs = orderedBy(ids, found, func(pg permgroup.PermGroup) string { return pg.ID })
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get permission groups of group %q: %w", groupID, err)
	}
	return pgs, nil
}

// queryPermGroups runs a query like selectPermGroup and returns its rows.
func queryPermGroups(ctx context.Context, q rowsQuerier, query string, args ...any) ([]permgroup.PermGroup, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var pgs []permgroup.PermGroup
	err = eachRow(rows, func() error {
		var r permGroupRow
		err := rows.Scan(r.dest()...)
		pgs = append(pgs, r.permGroup())
		return err
	})
	return pgs, err
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
	slices.SortFunc(grants, func(a, b permgroup.Grant) int { return cmp.Compare(a.PermGroupID, b.PermGroupID) })
	return grants, nil
}

// orderedBy returns the items of found whose key is in ids, in the order
// of ids. ids must not repeat.
func orderedBy[T any](ids []string, found []T, key func(T) string) []T {
	byID := make(map[string]T, len(found))
	for _, it := range found {
		byID[key(it)] = it
	}
	var out []T
	for _, id := range ids {
		if it, ok := byID[id]; ok {
			out = append(out, it)
		}
	}
	return out
}
