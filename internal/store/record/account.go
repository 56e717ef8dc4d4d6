package record

import (
	"database/sql"
	"encoding/json"

	"github.com/hearth-chat/hearth/internal/account"
)

// ProfileRow receives one row of a profile read: the account's user_id and
// one of its profile items' tag and value, both NULL for an account
// without matching items (a LEFT JOIN).
type ProfileRow struct {
	id         string
	tag, value sql.NullString
}

// Dest returns the Scan destinations for user_id, tag, value.
func (r *ProfileRow) Dest() []any { return []any{&r.id, &r.tag, &r.value} }

// AddTo adds the row scanned into r to profiles: the account, with its
// item after those already there. Values are kept as text, byte for byte.
func (r *ProfileRow) AddTo(profiles map[string]account.Profile) {
	p := profiles[r.id]
	p.UserID = r.id
	if r.tag.Valid {
		p.Items = append(p.Items, account.ProfileItem{Tag: r.tag.String, Value: json.RawMessage(r.value.String)})
	}
	profiles[r.id] = p
}
