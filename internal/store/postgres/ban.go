package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/store/record"
)

// selectBan selects record.BanColumns from group_bans as b.
var selectBan = record.Select("group_bans", "b", record.BanColumns)

// banMembers writes the bans of $2 in group $1 (replacing earlier ones) and
// deletes those of them that are members, fixing the count and the owner as
// DeleteMembers does; it returns the UserIDs removed.
const banMembers = `WITH b AS (
		INSERT INTO group_bans (group_id, user_id, until, description, created)
		SELECT $1, u, $3, $4, $5 FROM unnest($2::text[]) AS u
		ON CONFLICT (group_id, user_id) DO UPDATE SET until = excluded.until,
			description = excluded.description, created = excluded.created
	), d AS (
		DELETE FROM group_members WHERE group_id = $1 AND user_id = ANY($2) RETURNING user_id
	), u AS (
		UPDATE groups SET member_num = member_num - (SELECT count(*) FROM d),
			owner = CASE WHEN owner IN (SELECT user_id FROM d) THEN NULL ELSE owner END
		WHERE id = $1 AND EXISTS (SELECT FROM d)
	)
	SELECT user_id FROM d`

// BanMembers implements [group.BanStore] in one transaction: the group row
// locked (ErrNotFound without it), then one statement.
func (db *DB) BanMembers(ctx context.Context, groupID string, userIDs []string, until int64, description string, now int64) ([]string, error) {
	userIDs = record.Unique(userIDs)
	gone := make(map[string]bool, len(userIDs))
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		clear(gone)
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM groups WHERE id = $1 FOR UPDATE`, groupID).Scan(&one); err != nil {
			return record.NoRows(err, group.ErrNotFound)
		}
		rows, _ := tx.Query(ctx, banMembers, groupID, record.Sorted(userIDs), until, description, now)
		return collectIDs(rows, gone)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: ban %d members of group %q: %w", len(userIDs), groupID, err)
	}
	return record.InOrder(userIDs, gone), nil
}

// UnbanMembers implements [group.BanStore] with one statement.
func (db *DB) UnbanMembers(ctx context.Context, groupID string, userIDs []string, now int64) ([]string, error) {
	userIDs = record.Unique(userIDs)
	lifted := make(map[string]bool, len(userIDs))
	err := retry(ctx, func() error {
		clear(lifted)
		rows, _ := db.pool.Query(ctx, `WITH d AS (
				DELETE FROM group_bans WHERE group_id = $1 AND user_id = ANY($2) RETURNING user_id, until
			) SELECT user_id FROM d WHERE until > $3`, groupID, userIDs, now)
		return collectIDs(rows, lifted)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: unban %d members of group %q: %w", len(userIDs), groupID, err)
	}
	return record.InOrder(userIDs, lifted), nil
}

// ActiveBans implements [group.BanStore] with one query.
func (db *DB) ActiveBans(ctx context.Context, groupID string, userIDs []string, now int64) (map[string]group.Ban, error) {
	if len(userIDs) == 0 {
		return map[string]group.Ban{}, nil
	}
	var bans []group.Ban
	err := retry(ctx, func() error {
		rows, _ := db.pool.Query(ctx, selectBan+` WHERE b.group_id = $1 AND b.until > $2 AND b.user_id = ANY($3)`, groupID, now, userIDs)
		var err error
		bans, err = collect(rows, (*record.BanRow).Dest, (*record.BanRow).Ban)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: bans of group %q: %w", groupID, err)
	}
	return record.BansByUser(bans), nil
}

// ListBans implements [group.BanStore]: the page and the count in one
// batch (one snapshot).
func (db *DB) ListBans(ctx context.Context, groupID string, now int64, offset, limit int) ([]group.Ban, int, error) {
	var (
		bans  []group.Ban
		total int
	)
	err := db.batch(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT count(*) FROM group_bans WHERE group_id = $1 AND until > $2`, groupID, now)
		b.Queue(selectBan+` WHERE b.group_id = $1 AND b.until > $2 ORDER BY b.until, b.user_id LIMIT $3 OFFSET $4`,
			groupID, now, limit, offset)
	}, func(br pgx.BatchResults) error {
		if err := br.QueryRow().Scan(&total); err != nil {
			return err
		}
		rows, _ := br.Query()
		var err error
		bans, err = collect(rows, (*record.BanRow).Dest, (*record.BanRow).Ban)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: list bans of group %q: %w", groupID, err)
	}
	return bans, total, nil
}
