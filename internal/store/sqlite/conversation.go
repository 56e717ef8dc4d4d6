package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearth-chat/hearth/internal/conversation"
	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/store/record"
)

var _ conversation.Store = (*DB)(nil)

// conversationsQuery lists the conversations of user ?1 (migration 0011):
// the pairs it is peer_lo of, then peer_hi of (not twice for a pair with
// itself), its memberships of groups other than AVChatRoom with each
// group's last message, and its pinned peers without a message; each with
// its mark, left out while deleted. ?2 is -1 for any, 0 for unpinned and 1
// for pinned ones; ?3 keeps those without a message; ?4 is the latest time;
// ?5 and ?6 are LIMIT and OFFSET. A group's last message is that of its
// stream with the newest time (ties: the greater topic_id), its version the
// sum of its streams' versions (see migration 0011).
//
// Cost: every part is read through an index on the user, so a read costs
// the user's own conversations, not the groups' sizes: the user's marks
// (one range), its pairs (two ranges), its memberships (one range) and for
// each of them its group's row, two ranges of group_last_messages' primary
// key over its group's streams (the newest, and the sum of the versions;
// one row per stream that has had a message: 1 for a group, 1 + its
// topics for a community) and one primary-key read of the newest, then the
// sort of all of them for the page.
const conversationsQuery = `
	WITH marks AS (
		SELECT kind, peer, pinned_at, hidden FROM conversation_marks WHERE user_id = ?1
	), convs AS (
		SELECT 1 AS kind, c.peer_hi AS peer, c.time AS time, c.version AS version, c.last_id AS last_id,
			'' AS topic_id, 0 AS seq
		FROM c2c_conversations c WHERE c.peer_lo = ?1
		UNION ALL
		SELECT 1, c.peer_lo, c.time, c.version, c.last_id, '', 0
		FROM c2c_conversations c INDEXED BY c2c_conversations_hi WHERE c.peer_hi = ?1 AND c.peer_lo <> ?1
		UNION ALL
		SELECT 2, m.group_id, coalesce(l.time, 0),
			coalesce((SELECT sum(s.version) FROM group_last_messages s WHERE s.group_id = m.group_id), 0),
			0, coalesce(l.topic_id, ''), coalesce(l.seq, 0)
		FROM group_members m INDEXED BY group_members_user
		JOIN groups g ON g.id = m.group_id
		LEFT JOIN group_last_messages l ON l.group_id = m.group_id AND l.topic_id = (
			SELECT s.topic_id FROM group_last_messages s WHERE s.group_id = m.group_id
			ORDER BY s.time DESC, s.topic_id DESC LIMIT 1)
		WHERE m.user_id = ?1 AND g.type <> 'AVChatRoom'
		UNION ALL
		SELECT 1, k.peer, 0, 0, 0, '', 0 FROM marks k
		WHERE k.kind = 1 AND k.pinned_at > 0 AND NOT EXISTS (SELECT 1 FROM c2c_conversations c
			WHERE c.peer_lo = min(?1, k.peer) AND c.peer_hi = max(?1, k.peer))
	)
	SELECT v.kind, v.peer, v.time, coalesce(k.pinned_at, 0), v.last_id, v.topic_id, v.seq
	FROM convs v LEFT JOIN marks k ON k.kind = v.kind AND k.peer = v.peer
	WHERE v.version > coalesce(k.hidden, -1)
		AND (?2 < 0 OR (coalesce(k.pinned_at, 0) > 0) = ?2)
		AND (?3 OR v.time > 0)
		AND v.time <= ?4
	ORDER BY v.time DESC, v.kind, v.peer
	LIMIT ?5 OFFSET ?6`

// The last message of a listed conversation, by primary key.
var (
	c2cByIDQuery       = selectC2C + ` WHERE m.id = ?`
	messageByStreamSeq = selectMessage + ` WHERE m.group_id = ? AND m.topic_id = ? AND m.seq = ?`
)

// Conversations implements [conversation.Store] with statements prepared
// once: the list, then one primary-key read of each listed conversation's
// last message. The reads are not one snapshot: a message that arrives
// between them is not the page's last (its own frame is pushed).
func (db *DB) Conversations(ctx context.Context, user string, q conversation.Query) ([]conversation.Conversation, error) {
	out, err := db.conversations(ctx, user, q)
	if err != nil {
		return nil, fmt.Errorf("sqlite: conversations of %q: %w", user, err)
	}
	return out, nil
}

func (db *DB) conversations(ctx context.Context, user string, q conversation.Query) ([]conversation.Conversation, error) {
	list, err := db.readStmt(ctx, conversationsQuery)
	if err != nil {
		return nil, err
	}
	rows, err := list.QueryContext(ctx, user, record.PinnedArg(q.Pinned), q.Empty, q.MaxTime, q.Limit, q.Offset)
	if err != nil {
		return nil, err
	}
	found, err := collect(rows, (*record.ConversationRow).Dest, noErr(func(r *record.ConversationRow) record.ConversationRow { return *r }))
	if err != nil {
		return nil, err
	}
	out := make([]conversation.Conversation, len(found))
	for i, f := range found {
		c := f.Conversation()
		switch {
		case c.Time == 0: // no message yet
		case c.Type == conversation.C2C:
			if c.C2C, err = db.lastC2C(ctx, f.LastID); err != nil {
				return nil, err
			}
		default:
			if c.Group, err = db.lastGroupMessage(ctx, c.ID, f.TopicID, f.Seq); err != nil {
				return nil, err
			}
		}
		out[i] = c
	}
	return out, nil
}

func (db *DB) lastC2C(ctx context.Context, id int64) (*message.C2CMessage, error) {
	stmt, err := db.readStmt(ctx, c2cByIDQuery)
	if err != nil {
		return nil, err
	}
	var r record.C2CRow
	if err := stmt.QueryRowContext(ctx, id).Scan(r.Dest()...); err != nil {
		return nil, record.NoRows(err, nil)
	}
	m := r.Message()
	return &m, nil
}

// lastGroupMessage returns the message, or nil when its topic was deleted
// since (the topic's messages went with it).
func (db *DB) lastGroupMessage(ctx context.Context, groupID, topicID string, seq int64) (*message.Message, error) {
	stmt, err := db.readStmt(ctx, messageByStreamSeq)
	if err != nil {
		return nil, err
	}
	var r record.MessageRow
	if err := stmt.QueryRowContext(ctx, groupID, topicID, seq).Scan(r.Dest()...); err != nil {
		return nil, record.NoRows(err, nil)
	}
	m := r.Message()
	return &m, nil
}

// Statements of the marks. pinMark pins (?1 user, ?2 kind, ?3 peer) at ?4
// unless it is pinned already, and lists it again if it was deleted;
// unpinMark unpins it; dropMarks drops the user's marks that hold nothing.
const (
	pinMark = `INSERT INTO conversation_marks (user_id, kind, peer, pinned_at, hidden) VALUES (?1, ?2, ?3, ?4, -1)
		ON CONFLICT (user_id, kind, peer) DO UPDATE
		SET pinned_at = CASE WHEN pinned_at > 0 THEN pinned_at ELSE excluded.pinned_at END, hidden = -1`
	unpinMark     = `UPDATE conversation_marks SET pinned_at = 0 WHERE user_id = ?1 AND kind = ?2 AND peer = ?3`
	countPinned   = `SELECT count(*) FROM conversation_marks WHERE user_id = ? AND pinned_at > 0`
	dropMarks     = `DELETE FROM conversation_marks WHERE user_id = ? AND pinned_at = 0 AND hidden = -1`
	deleteC2CMark = `INSERT INTO conversation_marks (user_id, kind, peer, pinned_at, hidden)
		SELECT ?1, 1, ?2, 0, coalesce((SELECT version FROM c2c_conversations WHERE peer_lo = ?3 AND peer_hi = ?4), 0) WHERE true
		ON CONFLICT (user_id, kind, peer) DO UPDATE SET pinned_at = 0, hidden = excluded.hidden`
	deleteGroupMark = `INSERT INTO conversation_marks (user_id, kind, peer, pinned_at, hidden)
		SELECT ?1, 2, ?2, 0, coalesce((SELECT sum(version) FROM group_last_messages WHERE group_id = ?2), 0) WHERE true
		ON CONFLICT (user_id, kind, peer) DO UPDATE SET pinned_at = 0, hidden = excluded.hidden`
)

// Pin implements [conversation.Store] in one write transaction: each
// mark, then the count of pins against max (over it, the transaction is
// rolled back).
func (db *DB) Pin(ctx context.Context, user string, refs []conversation.Ref, at int64, max int) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for _, r := range refs {
			var err error
			if at > 0 {
				_, err = tx.ExecContext(ctx, pinMark, user, int(r.Type), r.ID, at)
			} else {
				_, err = tx.ExecContext(ctx, unpinMark, user, int(r.Type), r.ID)
			}
			if err != nil {
				return err
			}
		}
		if at == 0 {
			_, err := tx.ExecContext(ctx, dropMarks, user)
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, countPinned, user).Scan(&n); err != nil {
			return err
		}
		if n > max {
			return conversation.ErrTooManyPinned
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: pin %d conversations of %q: %w", len(refs), user, err)
	}
	return nil
}

// Delete implements [conversation.Store] in one write transaction: the
// mark records the conversation's current version (0 without a message; a
// group's is the sum over its streams, one range of the primary key).
func (db *DB) Delete(ctx context.Context, user string, ref conversation.Ref) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if ref.Type == conversation.C2C {
			lo, hi := record.Peers(user, ref.ID)
			_, err := tx.ExecContext(ctx, deleteC2CMark, user, ref.ID, lo, hi)
			return err
		}
		_, err := tx.ExecContext(ctx, deleteGroupMark, user, ref.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete conversation %d %q of %q: %w", ref.Type, ref.ID, user, err)
	}
	return nil
}
