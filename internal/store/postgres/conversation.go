package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-chat/hearth/internal/conversation"
	"github.com/hearth-chat/hearth/internal/store/record"
)

var _ conversation.Store = (*DB)(nil)

// conversationsQuery lists the conversations of user $1 (migration 0011):
// the pairs it is peer_lo of, then peer_hi of (not twice for a pair with
// itself), its memberships of groups other than AVChatRoom with each
// group's last message, and its pinned peers without a message; each with
// its mark, left out while deleted. $2 is -1 for any, 0 for unpinned and 1
// for pinned ones; $3 keeps those without a message; $4 is the latest
// time; $5 and $6 are LIMIT and OFFSET. A group's last message is that of
// its stream with the newest time (ties: the greater topic_id), its
// version the sum of its streams' versions (see migration 0011).
//
// Cost: every part is read through an index on the user, so a read costs
// the user's own conversations, not the groups' sizes: the user's marks
// (one range), its pairs (two ranges), its memberships (one range) and for
// each of them its group's row and its group's stream pointers (one range
// of group_last_messages' primary key, one row per stream that has had a
// message: 1 for a group, 1 + its topics for a community), then the sort
// of all of them for the page.
const conversationsQuery = `
	WITH marks AS (
		SELECT kind, peer, pinned_at, hidden FROM conversation_marks WHERE user_id = $1
	), convs AS (
		SELECT 1 AS kind, c.peer_hi AS peer, c.time, c.version, c.last_id, '' COLLATE "C" AS topic_id, 0::bigint AS seq
		FROM c2c_conversations c WHERE c.peer_lo = $1
		UNION ALL
		SELECT 1, c.peer_lo, c.time, c.version, c.last_id, '', 0
		FROM c2c_conversations c WHERE c.peer_hi = $1 AND c.peer_lo <> $1
		UNION ALL
		SELECT 2, m.group_id, coalesce(l.time, 0), coalesce(l.version, 0), 0, coalesce(l.topic_id, ''), coalesce(l.seq, 0)
		FROM group_members m
		JOIN groups g ON g.id = m.group_id
		LEFT JOIN LATERAL (
			SELECT s.topic_id, s.seq, s.time, (sum(s.version) OVER ())::bigint AS version
			FROM group_last_messages s WHERE s.group_id = m.group_id
			ORDER BY s.time DESC, s.topic_id DESC LIMIT 1
		) l ON true
		WHERE m.user_id = $1 AND g.type <> 'AVChatRoom'
		UNION ALL
		SELECT 1, k.peer, 0, 0, 0, '', 0 FROM marks k
		WHERE k.kind = 1 AND k.pinned_at > 0 AND NOT EXISTS (SELECT FROM c2c_conversations c
			WHERE c.peer_lo = least($1, k.peer) AND c.peer_hi = greatest($1, k.peer))
	)
	SELECT v.kind, v.peer, v.time, coalesce(k.pinned_at, 0), v.last_id, v.topic_id, v.seq
	FROM convs v LEFT JOIN conversation_marks k ON k.user_id = $1 AND k.kind = v.kind AND k.peer = v.peer
	WHERE v.version > coalesce(k.hidden, -1)
		AND ($2::int < 0 OR (coalesce(k.pinned_at, 0) > 0) = ($2::int = 1))
		AND ($3::boolean OR v.time > 0)
		AND v.time <= $4
	ORDER BY v.time DESC, v.kind, v.peer
	LIMIT $5 OFFSET $6`

// The last message of a listed conversation, by primary key.
var (
	c2cByIDQuery       = record.Select("c2c_messages", "m", record.C2CColumns) + ` WHERE m.id = $1`
	messageByStreamSeq = record.Select("group_messages", "m", record.MessageColumns) +
		` WHERE m.group_id = $1 AND m.topic_id = $2 AND m.seq = $3`
)

// Conversations implements [conversation.Store] in two round trips: the
// list, then one batch of primary-key reads of the listed conversations'
// last messages. The reads are not one snapshot: a message that arrives
// between them is not the page's last (its own frame is pushed).
func (db *DB) Conversations(ctx context.Context, user string, q conversation.Query) ([]conversation.Conversation, error) {
	out, err := db.conversations(ctx, user, q)
	if err != nil {
		return nil, fmt.Errorf("postgres: conversations of %q: %w", user, err)
	}
	return out, nil
}

func (db *DB) conversations(ctx context.Context, user string, q conversation.Query) ([]conversation.Conversation, error) {
	rows, _ := db.pool.Query(ctx, conversationsQuery, user, record.PinnedArg(q.Pinned), q.Empty, q.MaxTime, q.Limit, q.Offset)
	found, err := collect(rows, (*record.ConversationRow).Dest, noErr(func(r *record.ConversationRow) record.ConversationRow { return *r }))
	if err != nil {
		return nil, err
	}
	out := make([]conversation.Conversation, len(found))
	b := &pgx.Batch{}
	for i, f := range found {
		out[i] = f.Conversation()
		c := &out[i]
		switch {
		case c.Time == 0: // no message yet
		case c.Type == conversation.C2C:
			b.Queue(c2cByIDQuery, f.LastID).QueryRow(func(row pgx.Row) error {
				var r record.C2CRow
				if err := row.Scan(r.Dest()...); err != nil {
					return record.NoRows(err, nil)
				}
				m := r.Message()
				c.C2C = &m
				return nil
			})
		default:
			b.Queue(messageByStreamSeq, c.ID, f.TopicID, f.Seq).QueryRow(func(row pgx.Row) error {
				var r record.MessageRow
				if err := row.Scan(r.Dest()...); err != nil {
					return record.NoRows(err, nil) // its topic was deleted since
				}
				m := r.Message()
				c.Group = &m
				return nil
			})
		}
	}
	if b.Len() > 0 {
		if err := db.pool.SendBatch(ctx, b).Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Statements of the marks. pinLock serialises the pins of user $1, so that
// the count against the maximum sees every other pin committed. pinMark
// pins ($1 user, $2 kind, $3 peer) at $4 unless it is pinned already, and
// lists it again if it was deleted; unpinMark unpins it; dropMarks drops
// the user's marks that hold nothing.
const (
	pinLock = `SELECT pg_advisory_xact_lock(hashtext('conversation_marks'), hashtext($1))`
	pinMark = `INSERT INTO conversation_marks AS k (user_id, kind, peer, pinned_at, hidden) VALUES ($1, $2, $3, $4, -1)
		ON CONFLICT (user_id, kind, peer) DO UPDATE
		SET pinned_at = CASE WHEN k.pinned_at > 0 THEN k.pinned_at ELSE excluded.pinned_at END, hidden = -1`
	unpinMark     = `UPDATE conversation_marks SET pinned_at = 0 WHERE user_id = $1 AND kind = $2 AND peer = $3`
	countPinned   = `SELECT count(*) FROM conversation_marks WHERE user_id = $1 AND pinned_at > 0`
	dropMarks     = `DELETE FROM conversation_marks WHERE user_id = $1 AND pinned_at = 0 AND hidden = -1`
	deleteC2CMark = `INSERT INTO conversation_marks (user_id, kind, peer, pinned_at, hidden)
		SELECT $1, 1, $2, 0, coalesce((SELECT version FROM c2c_conversations WHERE peer_lo = $3 AND peer_hi = $4), 0)
		ON CONFLICT (user_id, kind, peer) DO UPDATE SET pinned_at = 0, hidden = excluded.hidden`
	deleteGroupMark = `INSERT INTO conversation_marks (user_id, kind, peer, pinned_at, hidden)
		SELECT $1, 2, $2, 0, coalesce((SELECT sum(version) FROM group_last_messages WHERE group_id = $2), 0)::bigint
		ON CONFLICT (user_id, kind, peer) DO UPDATE SET pinned_at = 0, hidden = excluded.hidden`
)

// Pin implements [conversation.Store] in one transaction under the user's
// pin lock: each mark, then the count of pins against max (over it, the
// transaction is rolled back).
func (db *DB) Pin(ctx context.Context, user string, refs []conversation.Ref, at int64, max int) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(pinLock, user)
		for _, r := range refs {
			if at > 0 {
				b.Queue(pinMark, user, int(r.Type), r.ID, at)
			} else {
				b.Queue(unpinMark, user, int(r.Type), r.ID)
			}
		}
		if at == 0 {
			b.Queue(dropMarks, user)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if at == 0 {
			return nil
		}
		var n int
		if err := tx.QueryRow(ctx, countPinned, user).Scan(&n); err != nil {
			return err
		}
		if n > max {
			return conversation.ErrTooManyPinned
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: pin %d conversations of %q: %w", len(refs), user, err)
	}
	return nil
}

// Delete implements [conversation.Store] with one statement: the mark
// records the conversation's current version (0 without a message; a
// group's is the sum over its streams, one range of the primary key).
func (db *DB) Delete(ctx context.Context, user string, ref conversation.Ref) error {
	err := retry(ctx, func() error {
		var err error
		if ref.Type == conversation.C2C {
			lo, hi := record.Peers(user, ref.ID)
			_, err = db.pool.Exec(ctx, deleteC2CMark, user, ref.ID, lo, hi)
		} else {
			_, err = db.pool.Exec(ctx, deleteGroupMark, user, ref.ID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: delete conversation %d %q of %q: %w", ref.Type, ref.ID, user, err)
	}
	return nil
}
