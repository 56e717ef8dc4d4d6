package postgres

import (
	"errors"
	"slices"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hearth-chat/hearth/internal/group"
)

// Small helpers of the group queries; the group rules themselves (custom
// field merging, patches) live in package group.

// hasMember reports whether members has one with userID.
func hasMember(members []group.Member, userID string) bool {
	return slices.ContainsFunc(members, func(m group.Member) bool { return m.UserID == userID })
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

// pgCode returns the SQLSTATE of err when it is a PostgreSQL error, else "".
func pgCode(err error) string {
	if e, ok := errors.AsType[*pgconn.PgError](err); ok {
		return e.Code
	}
	return ""
}

// SQLSTATE codes the store acts on.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)
