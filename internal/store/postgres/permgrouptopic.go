package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// topicPermArrays returns the topic IDs of perms, each once and sorted (so
// that statements over them lock rows in one order), with their bits: those
// of the first occurrence when keepLast is false, of the last otherwise.
func topicPermArrays(perms []permgroup.TopicPerm, keepLast bool) (topicIDs []string, bits []int64) {
	byID := make(map[string]uint64, len(perms))
	for _, p := range perms {
		if _, ok := byID[p.TopicID]; !ok || keepLast {
			byID[p.TopicID] = p.Permission
		}
	}
	for id := range byID {
		topicIDs = append(topicIDs, id)
	}
	slices.Sort(topicIDs)
	bits = make([]int64, len(topicIDs))
	for i, id := range topicIDs {
		bits[i] = int64(byID[id])
	}
	return topicIDs, bits
}

// topicIDsOf returns the topic ID of each of perms, in order.
func topicIDsOf(perms []permgroup.TopicPerm) []string {
	ids := make([]string, len(perms))
	for i, p := range perms {
		ids[i] = p.TopicID
	}
	return ids
}

// lockTopics is the WITH query t of the topic permission writes: the topics
// of community $1 among $3, locked FOR KEY SHARE so that they stay until the
// write commits (one deleted meanwhile is left out, as if it never was).
const lockTopics = `t AS (
		SELECT id FROM topics WHERE group_id = $1 AND id = ANY($3) FOR KEY SHARE
	)`

// AddTopicPerms implements [permgroup.Store] in one round trip: a batch,
// run as one implicit transaction, that takes the locks of
// queueLockPermGroup, then locks the topics and inserts the permissions with
// one statement. A topic repeated in perms is ItemExists the second time;
// the first bits count.
func (db *DB) AddTopicPerms(ctx context.Context, groupID, id string, perms []permgroup.TopicPerm) ([]permgroup.ItemStatus, error) {
	topicIDs, bits := topicPermArrays(perms, false)
	stmt := `WITH ` + lockTopics + `, ins AS (
			INSERT INTO perm_group_topics (group_id, perm_group_id, topic_id, permission)
			SELECT $1, $2, u.topic_id, u.permission FROM unnest($3::text[], $4::bigint[]) AS u (topic_id, permission)
			WHERE u.topic_id IN (SELECT id FROM t)
			ON CONFLICT DO NOTHING
			RETURNING topic_id
		)
		SELECT id, id IN (SELECT topic_id FROM ins) FROM t`
	first, err := db.writeTopicPerms(ctx, groupID, id, stmt, topicIDs, bits, permgroup.ItemExists)
	if err != nil {
		return nil, fmt.Errorf("postgres: add %d topic permissions to permission group %q of group %q: %w", len(perms), id, groupID, err)
	}
	return itemStatuses(topicIDsOf(perms), first, permgroup.ItemExists), nil
}

// SetTopicPerms implements [permgroup.Store] as AddTopicPerms does, with an
// UPDATE. A topic repeated in perms is set again: the last bits count.
func (db *DB) SetTopicPerms(ctx context.Context, groupID, id string, perms []permgroup.TopicPerm) ([]permgroup.ItemStatus, error) {
	topicIDs, bits := topicPermArrays(perms, true)
	stmt := `WITH ` + lockTopics + `, upd AS (
			UPDATE perm_group_topics p SET permission = u.permission
			FROM unnest($3::text[], $4::bigint[]) AS u (topic_id, permission)
			WHERE p.group_id = $1 AND p.perm_group_id = $2 AND p.topic_id = u.topic_id
				AND u.topic_id IN (SELECT id FROM t)
			RETURNING p.topic_id
		)
		SELECT id, id IN (SELECT topic_id FROM upd) FROM t`
	first, err := db.writeTopicPerms(ctx, groupID, id, stmt, topicIDs, bits, permgroup.ItemMissing)
	if err != nil {
		return nil, fmt.Errorf("postgres: set %d topic permissions of permission group %q of group %q: %w", len(perms), id, groupID, err)
	}
	return itemStatuses(topicIDsOf(perms), first, permgroup.ItemOK), nil
}

// writeTopicPerms runs stmt through lockedStatuses over topicIDs $3
// (sorted, each once) and bits $4; stmt selects each existing topic among
// them with whether it wrote it. It returns the status of each topic ID:
// ItemOK where written, notDone where the topic exists, ItemNoTopic where
// it does not.
func (db *DB) writeTopicPerms(ctx context.Context, groupID, id, stmt string, topicIDs []string, bits []int64,
	notDone permgroup.ItemStatus) (map[string]permgroup.ItemStatus, error) {
	return db.lockedStatuses(ctx, groupID, id, topicIDs, permgroup.ItemNoTopic, notDone, stmt, topicIDs, bits)
}

// DeleteTopicPerms implements [permgroup.Store] in one round trip: a batch
// that takes the locks of queueLockPermGroup, then deletes with one
// statement. A topic repeated in topicIDs is ItemMissing the second time.
func (db *DB) DeleteTopicPerms(ctx context.Context, groupID, id string, topicIDs []string) ([]permgroup.ItemStatus, error) {
	ids := record.Unique(topicIDs)
	first, err := db.lockedStatuses(ctx, groupID, id, ids, permgroup.ItemMissing, permgroup.ItemMissing,
		`DELETE FROM perm_group_topics WHERE group_id = $1 AND perm_group_id = $2 AND topic_id = ANY($3)
			RETURNING topic_id, true`, record.Sorted(ids))
	if err != nil {
		return nil, fmt.Errorf("postgres: delete %d topic permissions of permission group %q of group %q: %w", len(topicIDs), id, groupID, err)
	}
	return itemStatuses(topicIDs, first, permgroup.ItemMissing), nil
}

// GetTopicPerms implements [permgroup.Store] in one round trip: a batch of
// the existence check and the query. With topicIDs, the permissions are in
// the order of topicIDs, each once; one is asked for with topic_id = $3,
// not = ANY($3), for the reason GetTopics gives.
func (db *DB) GetTopicPerms(ctx context.Context, groupID, id string, topicIDs []string) ([]permgroup.TopicPerm, error) {
	query := `SELECT topic_id, permission FROM perm_group_topics WHERE group_id = $1 AND perm_group_id = $2`
	args := []any{groupID, id}
	switch {
	case topicIDs == nil:
		query += ` ORDER BY topic_id`
	case len(topicIDs) == 1:
		query, args = query+` AND topic_id = $3`, append(args, topicIDs[0])
	default:
		topicIDs = record.Unique(topicIDs)
		query, args = query+` AND topic_id = ANY($3)`, append(args, topicIDs)
	}
	perms, err := inPermGroup(ctx, db, groupID, id, query, args, func(rows pgx.Rows) ([]permgroup.TopicPerm, error) {
		return collect(rows, (*record.TopicPermRow).Dest, noErr((*record.TopicPermRow).TopicPerm))
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: get topic permissions of permission group %q of group %q: %w", id, groupID, err)
	}
	if len(topicIDs) > 1 {
		perms = record.TopicPermsByID(topicIDs, perms)
	}
	return perms, nil
}
