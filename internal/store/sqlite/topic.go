package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/hearth-chat/hearth/internal/store/record"
	"github.com/hearth-chat/hearth/internal/topic"
)

// topicDest and topicOf scan rows of record.TopicColumns.
var (
	topicDest = (*record.TopicRow).Dest
	topicOf   = noErr((*record.TopicRow).Topic)
)

// selectTopic selects record.TopicColumns from topics as t.
var selectTopic = record.Select("topics", "t", record.TopicColumns)

// insertTopic inserts a topic: its seq, then record.TopicColumns.
var insertTopic = insertInto("topics", slices.Concat([]string{"seq"}, record.TopicColumns))

// getTopicQuery selects topic ? of group ?.
var getTopicQuery = selectTopic + ` WHERE t.group_id = ? AND t.id = ?`

// CreateTopic implements [topic.Store]. maxTopics <= 0 means no limit. The
// checks go in the order ErrNoGroup, ErrTooMany, ErrExists: a taken ID in a
// full group is ErrTooMany. The single writer makes count and insert atomic.
func (db *DB) CreateTopic(ctx context.Context, t topic.Topic, maxTopics int) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var n, last int64
		err := tx.QueryRowContext(ctx, `SELECT
				(SELECT count(*) FROM topics WHERE group_id = ?1),
				(SELECT coalesce(max(seq), 0) FROM topics WHERE group_id = ?1)
			FROM groups WHERE id = ?1`, t.GroupID).Scan(&n, &last)
		if err != nil {
			return record.NoRows(err, topic.ErrNoGroup)
		}
		if maxTopics > 0 && n >= int64(maxTopics) {
			return fmt.Errorf("the group has %d topics, the most it may have: %w", n, topic.ErrTooMany)
		}
		_, err = tx.ExecContext(ctx, insertTopic, append([]any{last + 1}, record.TopicArgs(t)...)...)
		if isUnique(err) {
			return topic.ErrExists
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create topic %q in group %q: %w", t.ID, t.GroupID, err)
	}
	return nil
}

// GetTopics implements [topic.Store]. With ids, the topics are in the order
// of ids, each once, read by getInGroup. A group that does not exist has no
// topics.
func (db *DB) GetTopics(ctx context.Context, groupID string, ids []string) ([]topic.Topic, error) {
	var (
		topics []topic.Topic
		err    error
	)
	if ids == nil {
		topics, err = queryAll(ctx, db.read, topicDest, topicOf, selectTopic+` WHERE t.group_id = ? ORDER BY t.seq`, groupID)
	} else {
		topics, err = getInGroup(ctx, db, topicDest, topicOf, getTopicQuery, func(in string) string {
			return selectTopic + ` WHERE t.group_id = ? AND t.id IN (` + in + `)`
		}, record.TopicsByID, groupID, ids)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get topics of group %q: %w", groupID, err)
	}
	return topics, nil
}

// getInGroup reads the rows of group groupID with the IDs ids, in the order
// of ids, each once: one ID with the query one (of group ? and ID ?), a
// statement prepared once; more with the query that in makes of their
// placeholders, as queryIn runs it, in one read transaction. dest and get
// scan a row as collect does; byID puts what was found in the order of ids.
func getInGroup[R, T any](ctx context.Context, db *DB, dest func(*R) []any, get func(*R) (T, error),
	one string, in func(in string) string, byID func(ids []string, found []T) []T, groupID string, ids []string) ([]T, error) {
	if len(ids) == 1 {
		stmt, err := db.readStmt(ctx, one)
		if err != nil {
			return nil, err
		}
		var r R
		if err := stmt.QueryRowContext(ctx, groupID, ids[0]).Scan(dest(&r)...); err != nil {
			return nil, record.NoRows(err, nil)
		}
		v, err := get(&r)
		if err != nil {
			return nil, err
		}
		return []T{v}, nil
	}
	ids = record.Unique(ids)
	var found []T
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		found, err = queryIn(ctx, tx, dest, get, ids, in, groupID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return byID(ids, found), nil
}

// ModifyTopic implements [topic.Store] with one UPDATE … RETURNING (in a
// group-committed transaction): a field that p leaves nil is bound as NULL
// and kept by coalesce.
func (db *DB) ModifyTopic(ctx context.Context, groupID, topicID string, p topic.Patch) (topic.Topic, error) {
	var r record.TopicRow
	stmt, err := db.writeStmt(ctx, modifyTopicQuery)
	if err == nil {
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			return tx.StmtContext(ctx, stmt).QueryRowContext(ctx,
				append(record.TopicPatchArgs(p), groupID, topicID)...).Scan(r.Dest()...)
		})
	}
	if err != nil {
		err = record.NoRows(err, topic.ErrNotFound)
		return topic.Topic{}, fmt.Errorf("sqlite: modify topic %q of group %q: %w", topicID, groupID, err)
	}
	return r.Topic(), nil
}

// modifyTopicQuery is ModifyTopic's statement, prepared once on the writer.
var modifyTopicQuery = `UPDATE topics SET name = coalesce(?, name),
		face_url = coalesce(?, face_url), notification = coalesce(?, notification),
		introduction = coalesce(?, introduction), custom_string = coalesce(?, custom_string),
		mute_all_member = coalesce(?, mute_all_member), default_permission = coalesce(?, default_permission)
	WHERE group_id = ? AND id = ?
	RETURNING ` + record.Columns("", record.TopicColumns)

// DeleteTopics implements [topic.Store]. The result is in the order of ids,
// each once. Their mutes go with them (ON DELETE CASCADE), and their
// messages (trigger topics_delete_messages).
func (db *DB) DeleteTopics(ctx context.Context, groupID string, ids []string) ([]string, error) {
	return db.deleteInGroup(ctx, "topics", "topics", groupID, ids)
}

// SetTopicMute implements [topic.Store]. until <= 0 clears the mutes. Users
// who are not members of groupID are left out; the result is in the order
// of userIDs, each once.
func (db *DB) SetTopicMute(ctx context.Context, groupID, topicID string, userIDs []string, until int64) ([]string, error) {
	userIDs = record.Unique(userIDs)
	set := make(map[string]bool, len(userIDs))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM topics WHERE group_id = ? AND id = ?`, groupID, topicID).Scan(&one)
		if err != nil {
			return record.NoRows(err, topic.ErrNotFound)
		}
		for chunk := range slices.Chunk(userIDs, maxIDsPerQuery) {
			in := ` AND user_id IN (` + params(len(chunk)) + `)`
			var rows *sql.Rows
			if until > 0 {
				// WHERE before ON CONFLICT: SQLite's parser needs it after a SELECT.
				rows, err = tx.QueryContext(ctx, `INSERT INTO topic_mutes (group_id, topic_id, user_id, until)
					SELECT group_id, ?, user_id, ? FROM group_members WHERE group_id = ?`+in+`
					ON CONFLICT (group_id, topic_id, user_id) DO UPDATE SET until = excluded.until
					RETURNING user_id`, append([]any{topicID, until, groupID}, anys(chunk)...)...)
			} else {
				if _, err := tx.ExecContext(ctx, `DELETE FROM topic_mutes WHERE group_id = ? AND topic_id = ?`+in,
					append([]any{groupID, topicID}, anys(chunk)...)...); err != nil {
					return err
				}
				rows, err = tx.QueryContext(ctx, `SELECT user_id FROM group_members WHERE group_id = ?`+in,
					append([]any{groupID}, anys(chunk)...)...)
			}
			if err != nil {
				return err
			}
			if err := collectIDs(rows, set); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: set mute of %d members in topic %q of group %q: %w", len(userIDs), topicID, groupID, err)
	}
	return record.InOrder(userIDs, set), nil
}

// deleteInGroup deletes the rows of table with group_id groupID and an id
// in ids, in one write transaction, and returns the ids deleted in the
// order of ids, each once. table is a constant of the caller, never user
// input; what names the rows in the error.
func (db *DB) deleteInGroup(ctx context.Context, table, what, groupID string, ids []string) ([]string, error) {
	ids = record.Unique(ids)
	gone := make(map[string]bool, len(ids))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return idsIn(ctx, tx, gone, ids, func(in string) string {
			return `DELETE FROM ` + table + ` WHERE group_id = ? AND id IN (` + in + `) RETURNING id`
		}, groupID)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: delete %d %s of group %q: %w", len(ids), what, groupID, err)
	}
	return record.InOrder(ids, gone), nil
}

// TopicMutes implements [topic.Store]. A topic that does not exist has no
// mutes.
func (db *DB) TopicMutes(ctx context.Context, groupID, topicID string, now int64) ([]topic.Mute, error) {
	mutes, err := queryAll(ctx, db.read, record.MuteDest, deref[topic.Mute], `SELECT user_id, until FROM topic_mutes
		WHERE group_id = ? AND topic_id = ? AND until > ? ORDER BY user_id`, groupID, topicID, now)
	if err != nil {
		return nil, fmt.Errorf("sqlite: mutes of topic %q of group %q: %w", topicID, groupID, err)
	}
	return mutes, nil
}

// topicMuteQuery selects the mute of user ? in topic ? of group ?.
const topicMuteQuery = `SELECT until FROM topic_mutes WHERE group_id = ? AND topic_id = ? AND user_id = ?`

// TopicMute implements [topic.Store] with a statement prepared once. A mute
// that has ended is returned as it was set, until it is cleared.
func (db *DB) TopicMute(ctx context.Context, groupID, topicID, userID string) (int64, error) {
	var until int64
	stmt, err := db.readStmt(ctx, topicMuteQuery)
	if err == nil {
		err = record.NoRows(stmt.QueryRowContext(ctx, groupID, topicID, userID).Scan(&until), nil)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: mute of %q in topic %q of group %q: %w", userID, topicID, groupID, err)
	}
	return until, nil
}
