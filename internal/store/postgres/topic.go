package postgres

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-chat/hearth/internal/store/record"
	"github.com/hearth-chat/hearth/internal/topic"
)

// selectTopic selects record.TopicColumns from topics as t.
var selectTopic = record.Select("topics", "t", record.TopicColumns)

// insertTopic inserts the topic of record.TopicArgs ($1 to $13) unless its
// group has $14 topics or more.
var insertTopic = insertCounted("topics", record.TopicColumns)

// CreateTopic implements [topic.Store] in one round trip: a batch, run as
// one implicit transaction, that locks the group row (which makes the count
// atomic: concurrent creates in a group queue behind it) and inserts the
// topic if there is room. maxTopics <= 0 means no limit. The checks go in
// the order ErrNoGroup, ErrTooMany, ErrExists: a taken ID in a full group is
// ErrTooMany.
func (db *DB) CreateTopic(ctx context.Context, t topic.Topic, maxTopics int) error {
	err := db.createCounted(ctx, t.GroupID, insertTopic, record.TopicArgs(t), maxTopics,
		topic.ErrNoGroup, topic.ErrExists, func(n int64) error {
			return fmt.Errorf("the group has %d topics, the most it may have: %w", n, topic.ErrTooMany)
		})
	if err != nil {
		return fmt.Errorf("postgres: create topic %q in group %q: %w", t.ID, t.GroupID, err)
	}
	return nil
}

// insertCounted returns the statement that inserts a row of columns
// ($1 to $n, group_id first) into table unless its group has $n+1 rows or
// more, and returns the number the group had before and whether it
// inserted: createCounted's insert. A data-modifying WITH runs whether or
// not it is read.
func insertCounted(table string, columns []string) string {
	return `WITH n AS (
		SELECT count(*) AS n FROM ` + table + ` WHERE group_id = $1
	), ins AS (
		INSERT INTO ` + table + ` (` + record.Columns("", columns) + `)
		SELECT ` + placeholders(len(columns)) + ` FROM n WHERE n.n < $` + strconv.Itoa(len(columns)+1) + `
		RETURNING true
	)
	SELECT n.n, EXISTS (SELECT FROM ins) FROM n`
}

// createCounted runs insert, a statement of insertCounted, over args then
// the limit, in one round trip: a batch, run as one implicit transaction,
// that first locks the row of group groupID FOR UPDATE (which makes the
// count atomic: concurrent creates in the group queue behind it). most <= 0
// means no limit. It returns noGroup when the group does not exist, the
// error of tooMany (given the count) when the group is full, and exists
// when the ID is taken, in that order.
func (db *DB) createCounted(ctx context.Context, groupID, insert string, args []any, most int,
	noGroup, exists error, tooMany func(n int64) error) error {
	limit := int64(math.MaxInt64)
	if most > 0 {
		limit = int64(most)
	}
	return db.batch(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT FROM groups WHERE id = $1 FOR UPDATE`, groupID)
		b.Queue(insert, append(args, limit)...)
	}, func(br pgx.BatchResults) error {
		tag, err := br.Exec()
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return noGroup // the insert then fails on the foreign key to groups
		}
		var (
			n        int64
			inserted bool
		)
		err = br.QueryRow().Scan(&n, &inserted)
		if pgCode(err) == uniqueViolation {
			return exists
		}
		if err == nil && !inserted {
			err = tooMany(n)
		}
		return err
	})
}

// GetTopics implements [topic.Store] with one query. With ids, the topics
// are in the order of ids, each once. A group that does not exist has no
// topics.
//
// One ID, the usual case, is asked for with id = $2, not = ANY($2): once
// PostgreSQL caches a generic plan for the prepared statement, it no longer
// knows the array has one element, and may then read every topic of the
// group through topics_seq (or the table) and filter them, several times
// slower than the primary key lookup in a community of 1,000 topics.
func (db *DB) GetTopics(ctx context.Context, groupID string, ids []string) ([]topic.Topic, error) {
	var topics []topic.Topic
	var err error
	switch {
	case ids == nil:
		topics, err = db.queryTopics(ctx, selectTopic+` WHERE t.group_id = $1 ORDER BY t.seq`, groupID)
	case len(ids) == 1:
		topics, err = db.queryTopics(ctx, selectTopic+` WHERE t.group_id = $1 AND t.id = $2`, groupID, ids[0])
	case len(ids) > 1:
		ids = record.Unique(ids)
		var found []topic.Topic
		found, err = db.queryTopics(ctx, selectTopic+` WHERE t.group_id = $1 AND t.id = ANY($2)`, groupID, ids)
		topics = record.TopicsByID(ids, found)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get topics of group %q: %w", groupID, err)
	}
	return topics, nil
}

// queryTopics runs a query selecting record.TopicColumns and returns its rows.
func (db *DB) queryTopics(ctx context.Context, query string, args ...any) ([]topic.Topic, error) {
	rows, _ := db.pool.Query(ctx, query, args...)
	return collect(rows, (*record.TopicRow).Dest, noErr((*record.TopicRow).Topic))
}

// ModifyTopic implements [topic.Store] with one UPDATE … RETURNING: a field
// that p leaves nil is sent as NULL and kept by coalesce.
func (db *DB) ModifyTopic(ctx context.Context, groupID, topicID string, p topic.Patch) (topic.Topic, error) {
	var r record.TopicRow
	err := retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `UPDATE topics SET name = coalesce($3, name),
				face_url = coalesce($4, face_url), notification = coalesce($5, notification),
				introduction = coalesce($6, introduction), custom_string = coalesce($7, custom_string),
				mute_all_member = coalesce($8, mute_all_member), default_permission = coalesce($9, default_permission)
			WHERE group_id = $1 AND id = $2
			RETURNING `+record.Columns("", record.TopicColumns),
			append([]any{groupID, topicID}, record.TopicPatchArgs(p)...)...).Scan(r.Dest()...)
	})
	if err != nil {
		err = record.NoRows(err, topic.ErrNotFound)
		return topic.Topic{}, fmt.Errorf("postgres: modify topic %q of group %q: %w", topicID, groupID, err)
	}
	return r.Topic(), nil
}

// DeleteTopics implements [topic.Store] with one statement. The result is in
// the order of ids, each once. Their mutes go with them (ON DELETE CASCADE),
// and their messages (trigger topics_delete_messages).
func (db *DB) DeleteTopics(ctx context.Context, groupID string, ids []string) ([]string, error) {
	ids = record.Unique(ids)
	gone, err := db.idsInGroup(ctx, "", groupID, ids, `DELETE FROM topics WHERE group_id = $1 AND id = ANY($2) RETURNING id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: delete %d topics of group %q: %w", len(ids), groupID, err)
	}
	return gone, nil
}

// SetTopicMute implements [topic.Store] in one round trip: a batch, run as
// one implicit transaction, that takes key-share locks on the group row
// (which waits for, and holds off, changes to its members, so the members
// read stay members) and on the topic row (which holds off its deletion),
// then sets or deletes the mutes with one statement. until <= 0 clears the
// mutes. Users who are not members of groupID are left out; the result is
// in the order of userIDs, each once.
func (db *DB) SetTopicMute(ctx context.Context, groupID, topicID string, userIDs []string, until int64) ([]string, error) {
	userIDs = record.Unique(userIDs)
	set := make(map[string]bool, len(userIDs))
	mute := `INSERT INTO topic_mutes (group_id, topic_id, user_id, until)
		SELECT $1, $2, user_id, $4 FROM group_members WHERE group_id = $1 AND user_id = ANY($3)
		ORDER BY user_id
		ON CONFLICT (group_id, topic_id, user_id) DO UPDATE SET until = excluded.until
		RETURNING user_id`
	args := []any{groupID, topicID, record.Sorted(userIDs), until}
	if until <= 0 {
		mute = `WITH d AS (
				DELETE FROM topic_mutes WHERE group_id = $1 AND topic_id = $2 AND user_id = ANY($3)
			)
			SELECT user_id FROM group_members WHERE group_id = $1 AND user_id = ANY($3)`
		args = args[:3]
	}
	err := db.batch(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT FROM groups WHERE id = $1 FOR KEY SHARE`, groupID)
		b.Queue(`SELECT FROM topics WHERE group_id = $1 AND id = $2 FOR KEY SHARE`, groupID, topicID)
		b.Queue(mute, args...)
	}, func(br pgx.BatchResults) error {
		clear(set)
		for range 2 {
			tag, err := br.Exec()
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return topic.ErrNotFound // the insert then fails on the foreign key to topics
			}
		}
		rows, _ := br.Query()
		return collectIDs(rows, set)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: set mute of %d members in topic %q of group %q: %w", len(userIDs), topicID, groupID, err)
	}
	return record.InOrder(userIDs, set), nil
}

// TopicMutes implements [topic.Store] with one query. A topic that does not
// exist has no mutes.
func (db *DB) TopicMutes(ctx context.Context, groupID, topicID string, now int64) ([]topic.Mute, error) {
	rows, _ := db.pool.Query(ctx, `SELECT user_id, until FROM topic_mutes
		WHERE group_id = $1 AND topic_id = $2 AND until > $3 ORDER BY user_id`, groupID, topicID, now)
	mutes, err := collect(rows, record.MuteDest, deref[topic.Mute])
	if err != nil {
		return nil, fmt.Errorf("postgres: mutes of topic %q of group %q: %w", topicID, groupID, err)
	}
	return mutes, nil
}

// TopicMute implements [topic.Store] with one query. A mute that has ended
// is returned as it was set, until it is cleared.
func (db *DB) TopicMute(ctx context.Context, groupID, topicID, userID string) (int64, error) {
	var until int64
	err := db.pool.QueryRow(ctx, `SELECT until FROM topic_mutes WHERE group_id = $1 AND topic_id = $2 AND user_id = $3`,
		groupID, topicID, userID).Scan(&until)
	if err = record.NoRows(err, nil); err != nil {
		return 0, fmt.Errorf("postgres: mute of %q in topic %q of group %q: %w", userID, topicID, groupID, err)
	}
	return until, nil
}
