package record

import "github.com/hearth-chat/hearth/internal/group"

// BanColumns are the columns of group_bans, in BanRow's order.
var BanColumns = []string{"group_id", "user_id", "until", "description", "created"}

// BanRow scans a row of BanColumns.
type BanRow struct{ b group.Ban }

// Dest returns the Scan destinations of BanColumns.
func (r *BanRow) Dest() []any {
	return []any{&r.b.GroupID, &r.b.UserID, &r.b.Until, &r.b.Description, &r.b.Created}
}

// Ban returns the scanned ban.
func (r *BanRow) Ban() (group.Ban, error) { return r.b, nil }

// BansByUser indexes bans by UserID.
func BansByUser(bans []group.Ban) map[string]group.Ban {
	out := make(map[string]group.Ban, len(bans))
	for _, b := range bans {
		out[b.UserID] = b
	}
	return out
}
