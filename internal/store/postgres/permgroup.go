package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// permGroupMemberCount counts the members of the permission group p: the
// count is not stored (see migration 0004), so that no cascade can leave it
// wrong.
const permGroupMemberCount = `(SELECT count(*) FROM perm_group_members m
	WHERE m.group_id = p.group_id AND m.perm_group_id = p.id)`

// selectPermGroup selects record.PermGroupColumns and the member count from
// perm_groups as p.
var selectPermGroup = record.Select("perm_groups", "p", record.PermGroupColumns, permGroupMemberCount)

// insertPermGroup inserts the permission group of record.PermGroupArgs ($1
// to $6) unless its community has $7 or more.
var insertPermGroup = insertCounted("perm_groups", record.PermGroupColumns)

// CreatePermGroup implements [permgroup.Store] in one round trip: a batch,
// run as one implicit transaction, that locks the community's row (which
// makes the count atomic: concurrent creates in a community queue behind it)
// and inserts the permission group if there is room. maxGroups <= 0 means no
// limit; pg.MemberCount is ignored. The checks go in the order ErrNoGroup,
// ErrTooMany, ErrExists, as for topics: a taken ID in a full community is
// ErrTooMany.
func (db *DB) CreatePermGroup(ctx context.Context, pg permgroup.PermGroup, maxGroups int) error {
	err := db.createCounted(ctx, pg.GroupID, insertPermGroup, record.PermGroupArgs(pg), maxGroups,
		permgroup.ErrNoGroup, permgroup.ErrExists, func(n int64) error {
			return fmt.Errorf("the community has %d permission groups, the most it may have: %w", n, permgroup.ErrTooMany)
		})
	if err != nil {
		return fmt.Errorf("postgres: create permission group %q in group %q: %w", pg.ID, pg.GroupID, err)
	}
	return nil
}

// DeletePermGroups implements [permgroup.Store] in one round trip: a batch
// that takes a key-share lock on the community's row (so that it and member
// removals, whose cascades also delete permission-group members, take turns
// rather than deadlock), then deletes with one statement. Members and topic
// permissions go with them (ON DELETE CASCADE). The result is in the order
// of ids, each once.
func (db *DB) DeletePermGroups(ctx context.Context, groupID string, ids []string) ([]string, error) {
	ids = record.Unique(ids)
	gone, err := db.idsInGroup(ctx, " FOR KEY SHARE", groupID, ids,
		`DELETE FROM perm_groups WHERE group_id = $1 AND id = ANY($2) RETURNING id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: delete %d permission groups of group %q: %w", len(ids), groupID, err)
	}
	return gone, nil
}

// ModifyPermGroup implements [permgroup.Store] with one UPDATE … RETURNING:
// a field that p leaves nil is sent as NULL and kept by coalesce.
func (db *DB) ModifyPermGroup(ctx context.Context, groupID, id string, p permgroup.Patch) (permgroup.PermGroup, error) {
	var r record.PermGroupRow
	err := retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `UPDATE perm_groups p SET name = coalesce($3, name),
				permission = coalesce($4, permission), custom_string = coalesce($5, custom_string)
			WHERE group_id = $1 AND id = $2
			RETURNING `+record.Columns("p", record.PermGroupColumns)+`, `+permGroupMemberCount,
			append([]any{groupID, id}, record.PermGroupPatchArgs(p)...)...).Scan(r.Dest()...)
	})
	if err != nil {
		err = record.NoRows(err, permgroup.ErrNotFound)
		return permgroup.PermGroup{}, fmt.Errorf("postgres: modify permission group %q of group %q: %w", id, groupID, err)
	}
	return r.PermGroup(), nil
}

// GetPermGroups implements [permgroup.Store] with one query. With ids, the
// permission groups are in the order of ids, each once; one ID is asked for
// with id = $2, not = ANY($2), for the reason GetTopics gives. Without,
// limit <= 0 means no limit. A community that does not exist has none.
func (db *DB) GetPermGroups(ctx context.Context, groupID string, ids []string, after string, limit int) ([]permgroup.PermGroup, error) {
	var (
		pgs []permgroup.PermGroup
		err error
	)
	switch {
	case ids == nil:
		var fetch *int // nil: LIMIT NULL, no limit
		if limit > 0 {
			fetch = &limit
		}
		pgs, err = db.queryPermGroups(ctx, selectPermGroup+` WHERE p.group_id = $1 AND p.id > $2 ORDER BY p.id LIMIT $3`,
			groupID, after, fetch)
	case len(ids) == 1:
		pgs, err = db.queryPermGroups(ctx, selectPermGroup+` WHERE p.group_id = $1 AND p.id = $2`, groupID, ids[0])
	case len(ids) > 1:
		ids = record.Unique(ids)
		var found []permgroup.PermGroup
		found, err = db.queryPermGroups(ctx, selectPermGroup+` WHERE p.group_id = $1 AND p.id = ANY($2)`, groupID, ids)
		pgs = record.PermGroupsByID(ids, found)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get permission groups of group %q: %w", groupID, err)
	}
	return pgs, nil
}

// queryPermGroups runs a query like selectPermGroup and returns its rows.
func (db *DB) queryPermGroups(ctx context.Context, query string, args ...any) ([]permgroup.PermGroup, error) {
	rows, _ := db.pool.Query(ctx, query, args...)
	return collect(rows, (*record.PermGroupRow).Dest, noErr((*record.PermGroupRow).PermGroup))
}

// userGrants selects, for member $2 of community $1, one row per
// permission group the member is in: its ID, its community bits, and its
// topic permissions as two parallel arrays (topic IDs, bits), empty when it
// has none. The member's permission groups come from perm_group_members_user
// alone; the LATERAL subquery then reads the topic permissions of those
// permission groups only, by their primary key, whatever the statistics say
// (a plain join may hash all the community's topic permissions). Ten rows
// of arrays also beat a thousand rows of pairs: half the allocations, and
// about 12% less time, in BenchmarkStore/UserGrants.
const userGrants = `SELECT m.perm_group_id, p.permission, t.ids, t.bits
	FROM perm_group_members m
	JOIN perm_groups p ON p.group_id = m.group_id AND p.id = m.perm_group_id
	CROSS JOIN LATERAL (
		SELECT coalesce(array_agg(topic_id), '{}') AS ids, coalesce(array_agg(permission), '{}') AS bits
		FROM perm_group_topics t WHERE t.group_id = m.group_id AND t.perm_group_id = m.perm_group_id
	) t
	WHERE m.group_id = $1 AND m.user_id = $2`

// UserGrants implements [permgroup.Store] with one query (one round trip).
// The grants are in permission group ID order; none is an empty slice.
func (db *DB) UserGrants(ctx context.Context, groupID, userID string) ([]permgroup.Grant, error) {
	rows, _ := db.pool.Query(ctx, userGrants, groupID, userID)
	var (
		id       string
		perms    int64
		topicIDs []string
		bits     []int64
		grants   = []permgroup.Grant{}
	)
	_, err := pgx.ForEachRow(rows, []any{&id, &perms, &topicIDs, &bits}, func() error {
		if len(topicIDs) != len(bits) {
			return fmt.Errorf("permission group %q: %d topic IDs but %d permissions", id, len(topicIDs), len(bits))
		}
		g := permgroup.Grant{PermGroupID: id, Permission: uint64(perms), Topics: make(map[string]uint64, len(topicIDs))}
		for i, t := range topicIDs {
			g.Topics[t] = uint64(bits[i])
		}
		grants = append(grants, g)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: permission grants of %q in group %q: %w", userID, groupID, err)
	}
	record.SortGrants(grants)
	return grants, nil
}
