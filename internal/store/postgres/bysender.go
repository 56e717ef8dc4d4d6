package postgres

import (
	"context"
	"fmt"

	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// DeleteGroupMessagesBySender implements [message.SenderStore] with one
// UPDATE over the group's range of the primary key.
func (db *DB) DeleteGroupMessagesBySender(ctx context.Context, groupID, topicID string, allStreams bool, sender string) ([]message.StreamSeqs, error) {
	var got []record.StreamSeq
	err := retry(ctx, func() error {
		rows, _ := db.pool.Query(ctx, `UPDATE group_messages SET recalled = true, body = '[]', cloud_custom_data = ''
			WHERE group_id = $1 AND from_account = $2 AND ($3 OR topic_id = $4)
				AND (NOT recalled OR body <> '[]' OR cloud_custom_data <> '')
			RETURNING topic_id, seq`,
			groupID, sender, allStreams, topicID)
		var err error
		got, err = collect(rows, (*record.StreamSeqRow).Dest, noErr((*record.StreamSeqRow).StreamSeq))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: delete messages of %q in group %q: %w", sender, groupID, err)
	}
	return record.GroupStreamSeqs(got), nil
}
