package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/store/record"
)

var _ message.ReadStore = (*DB)(nil)

// streamReadsQuery is the group's own stream (?1 user, ?2 group) and each
// topic's (?3 empty for all, else that topic), with the user's positions: the
// group row, the topics of the group by their key, and the user's
// positions by theirs.
const streamReadsQuery = `
	SELECT '', g.next_msg_seq - 1, g.last_msg_time, r.read_seq, r.set_time
	FROM groups g LEFT JOIN read_positions r ON r.user_id = ?1 AND r.group_id = g.id AND r.topic_id = ''
	WHERE g.id = ?2 AND ?3 = ''
	UNION ALL
	SELECT * FROM (SELECT t.id, t.next_msg_seq - 1, t.last_msg_time, r.read_seq, r.set_time
	FROM topics t LEFT JOIN read_positions r ON r.user_id = ?1 AND r.group_id = t.group_id AND r.topic_id = t.id
	WHERE t.group_id = ?2 AND (?3 = '' OR t.id = ?3) ORDER BY t.seq)`

// StreamReads implements [message.ReadStore].
func (db *DB) StreamReads(ctx context.Context, user, groupID, topicID string) ([]message.StoredRead, error) {
	stmt, err := db.readStmt(ctx, streamReadsQuery)
	if err != nil {
		return nil, fmt.Errorf("sqlite: stream reads of %q in %q: %w", user, groupID, err)
	}
	rows, err := stmt.QueryContext(ctx, user, groupID, topicID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: stream reads of %q in %q: %w", user, groupID, err)
	}
	out, err := scanStoredReads(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: stream reads of %q in %q: %w", user, groupID, err)
	}
	if len(out) == 0 {
		return nil, message.ErrNoStream
	}
	return out, nil
}

func scanStoredReads(rows *sql.Rows) ([]message.StoredRead, error) {
	defer rows.Close()
	var out []message.StoredRead
	for rows.Next() {
		var s message.StoredRead
		var last int64
		var seq, at sql.NullInt64
		if err := rows.Scan(&s.TopicID, &last, &s.LastMsgTime, &seq, &at); err != nil {
			return nil, err
		}
		s.LastSeq = uint64(last)
		if seq.Valid {
			s.HasRead, s.ReadSeq, s.ReadTime = true, uint64(seq.Int64), at.Int64
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// noStreamFK turns the foreign-key failure of a position in a group that
// does not exist into message.ErrNoStream.
func noStreamFK(err error) error {
	if isForeignKey(err) {
		return message.ErrNoStream
	}
	return err
}

// SeqBefore implements [message.ReadStore]: a backward walk of the
// stream's key that stops at the first message older than t.
func (db *DB) SeqBefore(ctx context.Context, groupID, topicID string, t int64) (uint64, error) {
	var seq int64
	err := db.read.QueryRowContext(ctx, `SELECT seq FROM group_messages
		WHERE group_id = ? AND topic_id = ? AND time < ? ORDER BY seq DESC LIMIT 1`, groupID, topicID, t).Scan(&seq)
	if err = record.NoRows(err, nil); err != nil {
		return 0, fmt.Errorf("sqlite: seq before %d in %q/%q: %w", t, groupID, topicID, err)
	}
	return uint64(seq), nil
}

// raiseRead is the monotonic upsert of a read position, answering the
// position kept; ?6 is the time before which a stored position belongs to
// an earlier membership. The right-hand sides read the row as it was.
const raiseRead = `INSERT INTO read_positions (user_id, group_id, topic_id, read_seq, set_time)
	VALUES (?1, ?2, ?3, ?4, ?5)
	ON CONFLICT (group_id, topic_id, user_id) DO UPDATE SET
	read_seq = CASE WHEN excluded.read_seq > read_seq OR set_time < ?6 THEN excluded.read_seq ELSE read_seq END,
	set_time = CASE WHEN excluded.read_seq > read_seq OR set_time < ?6 THEN excluded.set_time ELSE set_time END
	RETURNING read_seq, set_time`

// RaiseRead implements [message.ReadStore] in one statement.
func (db *DB) RaiseRead(ctx context.Context, user, groupID, topicID string, seq uint64, at, since int64) (message.StoredRead, error) {
	out := message.StoredRead{TopicID: topicID, HasRead: true}
	var got int64
	err := db.write.QueryRowContext(ctx, raiseRead, user, groupID, topicID, int64(seq), at, since).Scan(&got, &out.ReadTime)
	out.ReadSeq = uint64(got)
	if err != nil {
		return out, fmt.Errorf("sqlite: raise read of %q in %q/%q: %w", user, groupID, topicID, noStreamFK(err))
	}
	return out, nil
}

// SetRead implements [message.ReadStore].
func (db *DB) SetRead(ctx context.Context, user, groupID, topicID string, seq uint64, at int64) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO read_positions (user_id, group_id, topic_id, read_seq, set_time)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, topic_id, user_id) DO UPDATE
		SET read_seq = excluded.read_seq, set_time = excluded.set_time`, user, groupID, topicID, int64(seq), at)
	if err != nil {
		return fmt.Errorf("sqlite: set read of %q in %q/%q: %w", user, groupID, topicID, noStreamFK(err))
	}
	return nil
}

// RaiseC2CRead implements [message.ReadStore] in one statement: the later
// of the two times is kept and answered.
func (db *DB) RaiseC2CRead(ctx context.Context, user, peer string, t int64) (int64, error) {
	var got int64
	err := db.write.QueryRowContext(ctx, `INSERT INTO c2c_read_positions (user_id, peer, read_time) VALUES (?, ?, ?)
		ON CONFLICT (user_id, peer) DO UPDATE SET read_time = max(read_time, excluded.read_time)
		RETURNING read_time`, user, peer, t).Scan(&got)
	if err != nil {
		return 0, fmt.Errorf("sqlite: raise c2c read of %q from %q: %w", user, peer, err)
	}
	return got, nil
}

// C2CUnread implements [message.ReadStore]: per sender, a range of the
// inbox index from the sender's read time on, so that only unread messages
// are read; peers nil first lists the senders from the same index.
func (db *DB) C2CUnread(ctx context.Context, user string, peers []string) (map[string]uint64, error) {
	out := map[string]uint64{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		if peers == nil {
			rows, err := tx.QueryContext(ctx, `SELECT DISTINCT from_account FROM c2c_messages WHERE to_account = ?`, user)
			if err != nil {
				return err
			}
			for rows.Next() {
				var p string
				if err := rows.Scan(&p); err != nil {
					rows.Close()
					return err
				}
				peers = append(peers, p)
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		for _, p := range peers {
			if p == user {
				continue
			}
			var n int64
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM c2c_messages
				WHERE to_account = ?1 AND from_account = ?2 AND recalled = 0 AND time > coalesce(
					(SELECT read_time FROM c2c_read_positions WHERE user_id = ?1 AND peer = ?2), -1)`, user, p).Scan(&n)
			if err != nil {
				return err
			}
			if n > 0 {
				out[p] = uint64(n)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: c2c unread of %q: %w", user, err)
	}
	return out, nil
}
