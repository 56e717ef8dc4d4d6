package record

import "github.com/hearth-chat/hearth/internal/restrict"

// PlanBlocks decides an AddBlocks of users (no repeats) to a blocklist
// that holds n accounts, listed those of users among them, with room for
// max: each user's result (Already for a listed one, Full once the list
// would hold more than max, else Added) into res, and the users to add, in
// the order of users.
func PlanBlocks(res map[string]restrict.AddResult, users []string, listed map[string]bool, n, max int) (add []string) {
	for _, u := range users {
		switch {
		case listed[u]:
			res[u] = restrict.Already
		case n >= max:
			res[u] = restrict.Full
		default:
			res[u] = restrict.Added
			add = append(add, u)
			n++
		}
	}
	return add
}

// BlockEntryDest returns the Scan destinations of a blocklist entry's
// user_id, added_at.
func BlockEntryDest(e *restrict.Entry) []any { return []any{&e.User, &e.AddedAt} }
