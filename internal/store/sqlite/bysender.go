package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// DeleteGroupMessagesBySender implements [message.SenderStore] with one
// UPDATE over the group's range of the primary key.
func (db *DB) DeleteGroupMessagesBySender(ctx context.Context, groupID, topicID string, allStreams bool, sender string) ([]message.StreamSeqs, error) {
	var out []message.StreamSeqs
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		out = nil
		q := `UPDATE group_messages SET recalled = 1, body = '[]', cloud_custom_data = ''
			WHERE group_id = ? AND from_account = ? AND (? OR topic_id = ?)
				AND (recalled = 0 OR body <> '[]' OR cloud_custom_data <> '')
			RETURNING topic_id, seq`
		got, err := queryAll(ctx, tx, (*record.StreamSeqRow).Dest, noErr((*record.StreamSeqRow).StreamSeq), q, groupID, sender, allStreams, topicID)
		out = record.GroupStreamSeqs(got)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: delete messages of %q in group %q: %w", sender, groupID, err)
	}
	return out, nil
}
