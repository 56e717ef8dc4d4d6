package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/hearth-chat/hearth/internal/topic"
)

var _ topic.Store = (*DB)(nil)

// topicColumns are the columns of topics in the order of topicArgs and
// topicRow.
var topicColumns = []string{"group_id", "id", "name", "face_url", "notification", "introduction",
	"custom_string", "mute_all_member", "default_permission", "creator", "create_time", "last_msg_time",
	"next_msg_seq"}

// selectTopic selects topicColumns from topics as t.
var selectTopic = `SELECT ` + columns("t", topicColumns) + ` FROM topics t`

// getTopicQuery selects topic ? of group ?.
var getTopicQuery = selectTopic + ` WHERE t.group_id = ? AND t.id = ?`

// topicArgs returns t's values for topicColumns. Unsigned integers are stored
// as the signed integers with the same bits, which converts back losslessly.
func topicArgs(t topic.Topic) []any {
	return []any{t.GroupID, t.ID, t.Name, t.FaceURL, t.Notification, t.Introduction, t.CustomString,
		t.MuteAllMember, int64(t.DefaultPermission), t.Creator, t.CreateTime, t.LastMsgTime, int64(t.NextMsgSeq)}
}

// topicRow receives one row of topicColumns.
type topicRow struct {
	t              topic.Topic
	perms, nextSeq int64
}

// dest returns the Scan destinations for topicColumns.
func (r *topicRow) dest() []any {
	t := &r.t
	return []any{&t.GroupID, &t.ID, &t.Name, &t.FaceURL, &t.Notification, &t.Introduction, &t.CustomString,
		&t.MuteAllMember, &r.perms, &t.Creator, &t.CreateTime, &t.LastMsgTime, &r.nextSeq}
}

// topic returns the topic scanned into r.
func (r *topicRow) topic() topic.Topic {
	t := r.t
	t.DefaultPermission, t.NextMsgSeq = uint64(r.perms), uint64(r.nextSeq)
	return t
}

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
		if errors.Is(err, sql.ErrNoRows) {
			return topic.ErrNoGroup
		}
		if err != nil {
			return err
		}
		if maxTopics > 0 && n >= int64(maxTopics) {
			return fmt.Errorf("the group has %d topics, the most it may have: %w", n, topic.ErrTooMany)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO topics (seq, `+columns("", topicColumns)+`)
			VALUES (?, `+params(len(topicColumns))+`)`, append([]any{last + 1}, topicArgs(t)...)...)
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
// of ids, each once; one ID is read with a statement prepared once. A group
// that does not exist has no topics.
func (db *DB) GetTopics(ctx context.Context, groupID string, ids []string) ([]topic.Topic, error) {
	var (
		topics []topic.Topic
		err    error
	)
	switch {
	case ids == nil:
		topics, err = queryTopics(ctx, db.read, selectTopic+` WHERE t.group_id = ? ORDER BY t.seq`, groupID)
	case len(ids) == 1:
		var stmt *sql.Stmt
		if stmt, err = db.readStmt(ctx, getTopicQuery); err == nil {
			var r topicRow
			err = stmt.QueryRowContext(ctx, groupID, ids[0]).Scan(r.dest()...)
			if err == nil {
				topics = []topic.Topic{r.topic()}
			} else if errors.Is(err, sql.ErrNoRows) {
				err = nil
			}
		}
	default:
		ids = unique(ids)
		byID := make(map[string]topic.Topic, len(ids))
		err = db.readTx(ctx, func(tx *sql.Tx) error {
			for chunk := range slices.Chunk(ids, maxIDsPerQuery) {
				ts, err := queryTopics(ctx, tx, selectTopic+` WHERE t.group_id = ? AND t.id IN (`+params(len(chunk))+`)`,
					append([]any{groupID}, anys(chunk)...)...)
				if err != nil {
					return err
				}
				for _, t := range ts {
					byID[t.ID] = t
				}
			}
			return nil
		})
		for _, id := range ids {
			if t, ok := byID[id]; ok {
				topics = append(topics, t)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get topics of group %q: %w", groupID, err)
	}
	return topics, nil
}

// queryTopics runs a query selecting topicColumns and returns its rows.
func queryTopics(ctx context.Context, q rowsQuerier, query string, args ...any) ([]topic.Topic, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var topics []topic.Topic
	err = eachRow(rows, func() error {
		var r topicRow
		err := rows.Scan(r.dest()...)
		topics = append(topics, r.topic())
		return err
	})
	return topics, err
}

// ModifyTopic implements [topic.Store] with one UPDATE … RETURNING (in a
// group-committed transaction): a field that p leaves nil is bound as NULL
// and kept by coalesce.
func (db *DB) ModifyTopic(ctx context.Context, groupID, topicID string, p topic.Patch) (topic.Topic, error) {
	var perms sql.Null[int64]
	if p.DefaultPermission != nil {
		perms = sql.Null[int64]{V: int64(*p.DefaultPermission), Valid: true}
	}
	var r topicRow
	stmt, err := db.writeStmt(ctx, modifyTopicQuery)
	if err == nil {
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			return tx.StmtContext(ctx, stmt).QueryRowContext(ctx,
				null(p.Name), null(p.FaceURL), null(p.Notification), null(p.Introduction), null(p.CustomString),
				null(p.MuteAllMember), perms, groupID, topicID).Scan(r.dest()...)
		})
	}
	if errors.Is(err, sql.ErrNoRows) {
		err = topic.ErrNotFound
	}
	if err != nil {
		return topic.Topic{}, fmt.Errorf("sqlite: modify topic %q of group %q: %w", topicID, groupID, err)
	}
	return r.topic(), nil
}

// modifyTopicQuery is ModifyTopic's statement, prepared once on the writer.
var modifyTopicQuery = `UPDATE topics SET name = coalesce(?, name),
		face_url = coalesce(?, face_url), notification = coalesce(?, notification),
		introduction = coalesce(?, introduction), custom_string = coalesce(?, custom_string),
		mute_all_member = coalesce(?, mute_all_member), default_permission = coalesce(?, default_permission)
	WHERE group_id = ? AND id = ?
	RETURNING ` + columns("", topicColumns)

// null returns *p as a valid sql.Null, or NULL when p is nil.
func null[T any](p *T) sql.Null[T] {
	if p == nil {
		return sql.Null[T]{}
	}
	return sql.Null[T]{V: *p, Valid: true}
}

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
	userIDs = unique(userIDs)
	set := make(map[string]bool, len(userIDs))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM topics WHERE group_id = ? AND id = ?`, groupID, topicID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return topic.ErrNotFound
		}
		if err != nil {
			return err
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
	return inOrder(userIDs, set), nil
}

// deleteInGroup deletes the rows of table with group_id groupID and an id
// in ids, in one write transaction, and returns the ids deleted in the
// order of ids, each once. table is a constant of the caller, never user
// input; what names the rows in the error.
func (db *DB) deleteInGroup(ctx context.Context, table, what, groupID string, ids []string) ([]string, error) {
	ids = unique(ids)
	gone := make(map[string]bool, len(ids))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for chunk := range slices.Chunk(ids, maxIDsPerQuery) {
			rows, err := tx.QueryContext(ctx, `DELETE FROM `+table+` WHERE group_id = ? AND id IN (`+params(len(chunk))+`)
				RETURNING id`, append([]any{groupID}, anys(chunk)...)...)
			if err != nil {
				return err
			}
			if err := collectIDs(rows, gone); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: delete %d %s of group %q: %w", len(ids), what, groupID, err)
	}
	return inOrder(ids, gone), nil
}

// collectIDs adds the single text column of each of rows to ids and closes
// rows.
func collectIDs(rows *sql.Rows, ids map[string]bool) error {
	return eachRow(rows, func() error {
		var id string
		err := rows.Scan(&id)
		ids[id] = true
		return err
	})
}

// TopicMutes implements [topic.Store]. A topic that does not exist has no
// mutes.
func (db *DB) TopicMutes(ctx context.Context, groupID, topicID string, now int64) ([]topic.Mute, error) {
	var mutes []topic.Mute
	rows, err := db.read.QueryContext(ctx, `SELECT user_id, until FROM topic_mutes
		WHERE group_id = ? AND topic_id = ? AND until > ? ORDER BY user_id`, groupID, topicID, now)
	if err == nil {
		err = eachRow(rows, func() error {
			var m topic.Mute
			err := rows.Scan(&m.UserID, &m.Until)
			mutes = append(mutes, m)
			return err
		})
	}
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
		err = stmt.QueryRowContext(ctx, groupID, topicID, userID).Scan(&until)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: mute of %q in topic %q of group %q: %w", userID, topicID, groupID, err)
	}
	return until, nil
}
