package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

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
