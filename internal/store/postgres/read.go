package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-chat/hearth/internal/message"
)

var _ message.ReadStore = (*DB)(nil)

// streamReadsQuery is the group's own stream ($1 user, $2 group) and each
// topic's ($3 empty for all, else that topic), with the user's positions:
// each a lookup of the full key (LATERAL, kept apart by OFFSET 0), so that
// the plan cannot become a scan of the user's positions per topic when
// statistics are missing.
const streamReadsQuery = `
	SELECT '' AS topic_id, g.next_msg_seq - 1, g.last_msg_time, r.read_seq, r.set_time, 0::bigint AS ord
	FROM groups g LEFT JOIN LATERAL (SELECT read_seq, set_time FROM read_positions
		WHERE user_id = $1 AND group_id = g.id AND topic_id = '' OFFSET 0) r ON true
	WHERE g.id = $2 AND $3::text = ''
	UNION ALL
	SELECT t.id, t.next_msg_seq - 1, t.last_msg_time, r.read_seq, r.set_time, t.seq + 1
	FROM topics t LEFT JOIN LATERAL (SELECT read_seq, set_time FROM read_positions
		WHERE user_id = $1 AND group_id = t.group_id AND topic_id = t.id OFFSET 0) r ON true
	WHERE t.group_id = $2 AND ($3::text = '' OR t.id = $3)
	ORDER BY ord`

// StreamReads implements [message.ReadStore].
func (db *DB) StreamReads(ctx context.Context, user, groupID, topicID string) ([]message.StoredRead, error) {
	rows, err := db.pool.Query(ctx, streamReadsQuery, user, groupID, topicID)
	if err != nil {
		return nil, fmt.Errorf("postgres: stream reads of %q in %q: %w", user, groupID, err)
	}
	defer rows.Close()
	var out []message.StoredRead
	for rows.Next() {
		var s message.StoredRead
		var last, ord int64
		var seq, at *int64
		if err := rows.Scan(&s.TopicID, &last, &s.LastMsgTime, &seq, &at, &ord); err != nil {
			return nil, fmt.Errorf("postgres: stream reads of %q in %q: %w", user, groupID, err)
		}
		s.LastSeq = uint64(last)
		if seq != nil {
			s.HasRead, s.ReadSeq, s.ReadTime = true, uint64(*seq), *at
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: stream reads of %q in %q: %w", user, groupID, err)
	}
	if len(out) == 0 {
		return nil, message.ErrNoStream
	}
	return out, nil
}

// SeqBefore implements [message.ReadStore]: a backward scan of the
// stream's key that stops at the first message older than t.
func (db *DB) SeqBefore(ctx context.Context, groupID, topicID string, t int64) (uint64, error) {
	var seq int64
	err := db.pool.QueryRow(ctx, `SELECT seq FROM group_messages
		WHERE group_id = $1 AND topic_id = $2 AND time < $3 ORDER BY seq DESC LIMIT 1`, groupID, topicID, t).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: seq before %d in %q/%q: %w", t, groupID, topicID, err)
	}
	return uint64(seq), nil
}

// noStreamFK turns the foreign-key failure of a position in a group that
// does not exist into message.ErrNoStream.
func noStreamFK(err error) error {
	if pgCode(err) == foreignKeyViolation {
		return message.ErrNoStream
	}
	return err
}

// RaiseRead implements [message.ReadStore] in one statement: the
// monotonic upsert answering the position kept; $6 is the time before which
// a stored position belongs to an earlier membership. Concurrent raises
// queue on the row, and the right-hand sides read it as it was.
func (db *DB) RaiseRead(ctx context.Context, user, groupID, topicID string, seq uint64, at, since int64) (message.StoredRead, error) {
	out := message.StoredRead{TopicID: topicID, HasRead: true}
	var got int64
	err := db.pool.QueryRow(ctx, `INSERT INTO read_positions AS r (user_id, group_id, topic_id, read_seq, set_time)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (group_id, topic_id, user_id) DO UPDATE SET
		read_seq = CASE WHEN excluded.read_seq > r.read_seq OR r.set_time < $6 THEN excluded.read_seq ELSE r.read_seq END,
		set_time = CASE WHEN excluded.read_seq > r.read_seq OR r.set_time < $6 THEN excluded.set_time ELSE r.set_time END
		RETURNING read_seq, set_time`, user, groupID, topicID, int64(seq), at, since).Scan(&got, &out.ReadTime)
	out.ReadSeq = uint64(got)
	if err != nil {
		return out, fmt.Errorf("postgres: raise read of %q in %q/%q: %w", user, groupID, topicID, noStreamFK(err))
	}
	return out, nil
}

// SetRead implements [message.ReadStore].
func (db *DB) SetRead(ctx context.Context, user, groupID, topicID string, seq uint64, at int64) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO read_positions (user_id, group_id, topic_id, read_seq, set_time)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (group_id, topic_id, user_id) DO UPDATE
		SET read_seq = excluded.read_seq, set_time = excluded.set_time`, user, groupID, topicID, int64(seq), at)
	if err != nil {
		return fmt.Errorf("postgres: set read of %q in %q/%q: %w", user, groupID, topicID, noStreamFK(err))
	}
	return nil
}

// RaiseC2CRead implements [message.ReadStore] in one statement: the later
// of the two times is kept and answered.
func (db *DB) RaiseC2CRead(ctx context.Context, user, peer string, t int64) (int64, error) {
	var got int64
	err := db.pool.QueryRow(ctx, `INSERT INTO c2c_read_positions AS r (user_id, peer, read_time) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, peer) DO UPDATE SET read_time = greatest(r.read_time, excluded.read_time)
		RETURNING read_time`, user, peer, t).Scan(&got)
	if err != nil {
		return 0, fmt.Errorf("postgres: raise c2c read of %q from %q: %w", user, peer, err)
	}
	return got, nil
}

// C2CUnread implements [message.ReadStore]: per sender, a range of the
// inbox index from the sender's read time on; peers nil takes the senders
// from the same index.
func (db *DB) C2CUnread(ctx context.Context, user string, peers []string) (map[string]uint64, error) {
	q := `SELECT p.peer, (SELECT count(*) FROM c2c_messages m
			WHERE m.to_account = $1 AND m.from_account = p.peer AND NOT m.recalled AND m.time > coalesce(
				(SELECT read_time FROM c2c_read_positions WHERE user_id = $1 AND peer = p.peer), -1))
		FROM `
	args := []any{user}
	if peers == nil {
		q += `(SELECT DISTINCT from_account AS peer FROM c2c_messages WHERE to_account = $1) p`
	} else {
		q += `unnest($2::text[]) AS p(peer)`
		args = append(args, peers)
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: c2c unread of %q: %w", user, err)
	}
	defer rows.Close()
	out := map[string]uint64{}
	for rows.Next() {
		var peer string
		var n int64
		if err := rows.Scan(&peer, &n); err != nil {
			return nil, fmt.Errorf("postgres: c2c unread of %q: %w", user, err)
		}
		if n > 0 && peer != user {
			out[peer] = uint64(n)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: c2c unread of %q: %w", user, err)
	}
	return out, nil
}
