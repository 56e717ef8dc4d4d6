package record

import (
	"cmp"
	"slices"

	"github.com/hearth-chat/hearth/internal/permgroup"
)

// PermGroupColumns are the columns of perm_groups in the order of
// PermGroupArgs and, before the member count, PermGroupRow. The count is
// not stored (see migration 0004), so that no cascade can leave it wrong:
// each store's query computes it.
var PermGroupColumns = []string{"group_id", "id", "name", "permission", "custom_string", "create_time"}

// PermGroupArgs returns pg's values for PermGroupColumns. The permission is
// stored as the signed integer with the same bits.
func PermGroupArgs(pg permgroup.PermGroup) []any {
	return []any{pg.GroupID, pg.ID, pg.Name, int64(pg.Permission), pg.CustomString, pg.CreateTime}
}

// PermGroupPatchArgs returns the values of p for the fields
// ModifyPermGroup may set, in the order name, permission, custom_string:
// NULL for each field p leaves nil, which the statement keeps by coalesce.
func PermGroupPatchArgs(p permgroup.Patch) []any {
	return []any{Null(p.Name), NullBits(p.Permission), Null(p.CustomString)}
}

// PermGroupRow receives one row of PermGroupColumns and the member count.
type PermGroupRow struct {
	pg    permgroup.PermGroup
	perms int64
}

// Dest returns the Scan destinations for PermGroupColumns and the count.
func (r *PermGroupRow) Dest() []any {
	pg := &r.pg
	return []any{&pg.GroupID, &pg.ID, &pg.Name, &r.perms, &pg.CustomString, &pg.CreateTime, &pg.MemberCount}
}

// PermGroup returns the permission group scanned into r.
func (r *PermGroupRow) PermGroup() permgroup.PermGroup {
	pg := r.pg
	pg.Permission = uint64(r.perms)
	return pg
}

// PermGroupsByID returns the permission groups of found whose ID is in
// ids, in the order of ids. ids must not repeat.
func PermGroupsByID(ids []string, found []permgroup.PermGroup) []permgroup.PermGroup {
	return OrderedBy(ids, found, func(pg permgroup.PermGroup) string { return pg.ID })
}

// TopicPermRow receives one row of topic_id, permission.
type TopicPermRow struct {
	p    permgroup.TopicPerm
	bits int64
}

// Dest returns the Scan destinations for topic_id, permission.
func (r *TopicPermRow) Dest() []any { return []any{&r.p.TopicID, &r.bits} }

// TopicPerm returns the topic permission scanned into r.
func (r *TopicPermRow) TopicPerm() permgroup.TopicPerm {
	p := r.p
	p.Permission = uint64(r.bits)
	return p
}

// TopicPermsByID returns the topic permissions of found whose topic ID is
// in ids, in the order of ids. ids must not repeat.
func TopicPermsByID(ids []string, found []permgroup.TopicPerm) []permgroup.TopicPerm {
	return OrderedBy(ids, found, func(p permgroup.TopicPerm) string { return p.TopicID })
}

// SortGrants puts grants in permission group ID order, the order
// UserGrants promises.
func SortGrants(grants []permgroup.Grant) {
	slices.SortFunc(grants, func(a, b permgroup.Grant) int { return cmp.Compare(a.PermGroupID, b.PermGroupID) })
}
