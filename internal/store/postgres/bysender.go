package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// DeleteGroupMessagesBySender implements [message.SenderStore] with one
// UPDATE over the group's range of the primary key.
func (db *DB) DeleteGroupMessagesBySender(ctx context.Context, groupID, topicID string, allStreams bool, sender string) ([]message.StreamSeqs, error) {
	var got []record.StreamSeq
	err := retry(ctx, func() error {
		got = got[:0]
		rows, _ := db.pool.Query(ctx, `UPDATE group_messages SET recalled = true, body = '[]', cloud_custom_data = ''
			WHERE group_id = $1 AND from_account = $2 AND ($3 OR topic_id = $4)
				AND (NOT recalled OR body <> '[]' OR cloud_custom_data <> '')
			RETURNING topic_id, seq`,
			groupID, sender, allStreams, topicID)
		var (
			topic string
			seq   int64
		)
		_, err := pgx.ForEachRow(rows, []any{&topic, &seq}, func() error {
			got = append(got, record.StreamSeq{TopicID: topic, Seq: uint64(seq)})
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: delete messages of %q in group %q: %w", sender, groupID, err)
	}
	return record.GroupStreamSeqs(got), nil
}
