package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// topicExistsQuery selects 1 when topic ? of community ? exists.
const topicExistsQuery = `SELECT 1 FROM topics WHERE group_id = ? AND id = ?`

// topicPermDest and topicPermOf scan rows of topic_id, permission.
var (
	topicPermDest = (*record.TopicPermRow).Dest
	topicPermOf   = noErr((*record.TopicPermRow).TopicPerm)
)

// AddTopicPerms implements [permgroup.Store] in one transaction, one
// prepared INSERT per item: a topic repeated in perms is ItemExists the
// second time, and the first bits count.
func (db *DB) AddTopicPerms(ctx context.Context, groupID, id string, perms []permgroup.TopicPerm) ([]permgroup.ItemStatus, error) {
	statuses, err := db.eachItem(ctx, groupID, id, len(perms), []string{
		`INSERT INTO perm_group_topics (group_id, perm_group_id, topic_id, permission)
			SELECT group_id, ?, id, ? FROM topics WHERE group_id = ? AND id = ?
			ON CONFLICT DO NOTHING`,
		topicExistsQuery,
	}, func(stmts []*sql.Stmt, i int) (permgroup.ItemStatus, error) {
		p := perms[i]
		if n, err := affected(stmts[0].ExecContext(ctx, id, int64(p.Permission), groupID, p.TopicID)); err != nil || n > 0 {
			return permgroup.ItemOK, err
		}
		return topicStatus(ctx, stmts[1], groupID, p.TopicID, permgroup.ItemExists)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: add %d topic permissions to permission group %q of group %q: %w", len(perms), id, groupID, err)
	}
	return statuses, nil
}

// SetTopicPerms implements [permgroup.Store] in one transaction, one
// prepared UPDATE per item: a topic repeated in perms is set again, and the
// last bits count.
func (db *DB) SetTopicPerms(ctx context.Context, groupID, id string, perms []permgroup.TopicPerm) ([]permgroup.ItemStatus, error) {
	statuses, err := db.eachItem(ctx, groupID, id, len(perms), []string{
		`UPDATE perm_group_topics SET permission = ? WHERE group_id = ? AND perm_group_id = ? AND topic_id = ?`,
		topicExistsQuery,
	}, func(stmts []*sql.Stmt, i int) (permgroup.ItemStatus, error) {
		p := perms[i]
		if n, err := affected(stmts[0].ExecContext(ctx, int64(p.Permission), groupID, id, p.TopicID)); err != nil || n > 0 {
			return permgroup.ItemOK, err
		}
		return topicStatus(ctx, stmts[1], groupID, p.TopicID, permgroup.ItemMissing)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: set %d topic permissions of permission group %q of group %q: %w", len(perms), id, groupID, err)
	}
	return statuses, nil
}

// topicStatus returns the status of an item that wrote nothing: notDone
// when the topic exists (stmt is topicExistsQuery), ItemNoTopic when not.
func topicStatus(ctx context.Context, stmt *sql.Stmt, groupID, topicID string, notDone permgroup.ItemStatus) (permgroup.ItemStatus, error) {
	if ok, err := exists(ctx, stmt, groupID, topicID); err != nil || ok {
		return notDone, err
	}
	return permgroup.ItemNoTopic, nil
}

// DeleteTopicPerms implements [permgroup.Store] in one transaction, one
// prepared DELETE per item: a topic repeated in topicIDs is ItemMissing the
// second time.
func (db *DB) DeleteTopicPerms(ctx context.Context, groupID, id string, topicIDs []string) ([]permgroup.ItemStatus, error) {
	statuses, err := db.eachItem(ctx, groupID, id, len(topicIDs), []string{
		`DELETE FROM perm_group_topics WHERE group_id = ? AND perm_group_id = ? AND topic_id = ?`,
	}, func(stmts []*sql.Stmt, i int) (permgroup.ItemStatus, error) {
		if n, err := affected(stmts[0].ExecContext(ctx, groupID, id, topicIDs[i])); err != nil || n > 0 {
			return permgroup.ItemOK, err
		}
		return permgroup.ItemMissing, nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: delete %d topic permissions of permission group %q of group %q: %w", len(topicIDs), id, groupID, err)
	}
	return statuses, nil
}

// GetTopicPerms implements [permgroup.Store] in one read transaction. With
// topicIDs, the permissions are in the order of topicIDs, each once.
func (db *DB) GetTopicPerms(ctx context.Context, groupID, id string, topicIDs []string) ([]permgroup.TopicPerm, error) {
	query := `SELECT topic_id, permission FROM perm_group_topics WHERE group_id = ? AND perm_group_id = ?`
	var perms []permgroup.TopicPerm
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		if err := permGroupExists(ctx, tx, groupID, id); err != nil {
			return err
		}
		if topicIDs == nil {
			var err error
			perms, err = queryAll(ctx, tx, topicPermDest, topicPermOf, query+` ORDER BY topic_id`, groupID, id)
			return err
		}
		var err error
		perms, err = queryIn(ctx, tx, topicPermDest, topicPermOf, record.Unique(topicIDs), func(in string) string {
			return query + ` AND topic_id IN (` + in + `)`
		}, groupID, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: get topic permissions of permission group %q of group %q: %w", id, groupID, err)
	}
	if topicIDs != nil {
		perms = record.TopicPermsByID(record.Unique(topicIDs), perms)
	}
	return perms, nil
}
