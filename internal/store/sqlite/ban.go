package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// selectBan selects record.BanColumns from group_bans as b.
var selectBan = record.Select("group_bans", "b", record.BanColumns)

var (
	banDest = (*record.BanRow).Dest
	ban     = (*record.BanRow).Ban
)

// BanMembers implements [group.BanStore]: the bans are written (replacing
// earlier ones), then the memberships deleted with the count and owner fixed
// as DeleteMembers does, in one transaction.
func (db *DB) BanMembers(ctx context.Context, groupID string, userIDs []string, until int64, description string, now int64) ([]string, error) {
	userIDs = record.Unique(userIDs)
	var removed []string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM groups WHERE id = ?`, groupID).Scan(&one); err != nil {
			return record.NoRows(err, group.ErrNotFound)
		}
		ins, err := tx.PrepareContext(ctx, insertInto("group_bans", record.BanColumns)+`
			ON CONFLICT (group_id, user_id) DO UPDATE SET until = excluded.until,
				description = excluded.description, created = excluded.created`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, id := range record.Sorted(userIDs) {
			if _, err := ins.ExecContext(ctx, groupID, id, until, description, now); err != nil {
				return err
			}
		}
		gone := make(map[string]bool)
		err = idsIn(ctx, tx, gone, userIDs, func(in string) string {
			return `DELETE FROM group_members WHERE group_id = ? AND user_id IN (` + in + `) RETURNING user_id`
		}, groupID)
		if err != nil || len(gone) == 0 {
			return err
		}
		removed = record.InOrder(userIDs, gone)
		_, err = tx.ExecContext(ctx, `UPDATE groups SET member_num = member_num - ?, owner = `+ownerIfMember+`
			WHERE id = ?`, len(gone), groupID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: ban %d members of group %q: %w", len(userIDs), groupID, err)
	}
	return removed, nil
}

// UnbanMembers implements [group.BanStore].
func (db *DB) UnbanMembers(ctx context.Context, groupID string, userIDs []string, now int64) ([]string, error) {
	userIDs = record.Unique(userIDs)
	lifted := make(map[string]bool)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return idsIn(ctx, tx, lifted, userIDs, func(in string) string {
			return `DELETE FROM group_bans WHERE group_id = ? AND user_id IN (` + in + `) RETURNING
				CASE WHEN until > ` + fmt.Sprint(now) + ` THEN user_id ELSE '' END`
		}, groupID)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: unban %d members of group %q: %w", len(userIDs), groupID, err)
	}
	delete(lifted, "")
	return record.InOrder(userIDs, lifted), nil
}

// ActiveBans implements [group.BanStore].
func (db *DB) ActiveBans(ctx context.Context, groupID string, userIDs []string, now int64) (map[string]group.Ban, error) {
	var bans []group.Ban
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		bans, err = queryIn(ctx, tx, banDest, ban, record.Unique(userIDs), func(in string) string {
			return selectBan + ` WHERE b.group_id = ? AND b.until > ? AND b.user_id IN (` + in + `)`
		}, groupID, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: bans of group %q: %w", groupID, err)
	}
	return record.BansByUser(bans), nil
}

// ListBans implements [group.BanStore] through group_bans_until.
func (db *DB) ListBans(ctx context.Context, groupID string, now int64, offset, limit int) ([]group.Ban, int, error) {
	var (
		bans  []group.Ban
		total int
	)
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM group_bans WHERE group_id = ? AND until > ?`, groupID, now).Scan(&total)
		if err != nil {
			return err
		}
		bans, err = queryAll(ctx, tx, banDest, ban, selectBan+` WHERE b.group_id = ? AND b.until > ?
			ORDER BY b.until, b.user_id LIMIT ? OFFSET ?`, groupID, now, limit, offset)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: list bans of group %q: %w", groupID, err)
	}
	return bans, total, nil
}
