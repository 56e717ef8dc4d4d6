package sqlite

import (
	"errors"
	"slices"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hearth-chat/hearth/internal/group"
)

// Small helpers of the group queries; the group rules themselves (custom
// field merging, patches) live in package group.

// hasMember reports whether members has one with userID.
func hasMember(members []group.Member, userID string) bool {
	return slices.ContainsFunc(members, func(m group.Member) bool { return m.UserID == userID })
}

// userIDsOf returns the UserIDs of members, in order.
func userIDsOf(members []group.Member) []string {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.UserID
	}
	return ids
}

// inOrder returns the IDs of ids that are in got, in the order of ids.
// ids must not repeat.
func inOrder(ids []string, got map[string]bool) []string {
	var out []string
	for _, id := range ids {
		if got[id] {
			out = append(out, id)
		}
	}
	return out
}

// isConstraint reports whether err is an SQLite constraint failure with the
// extended result code.
func isConstraint(err error, code int) bool {
	e, ok := errors.AsType[*sqlite.Error](err)
	return ok && e.Code() == code
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	return isConstraint(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE) || isConstraint(err, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// isForeignKey reports whether err is a FOREIGN KEY violation.
func isForeignKey(err error) bool {
	return isConstraint(err, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY)
}
