package record

import (
	"database/sql"

	"github.com/hearth-chat/hearth/internal/message"
)

// EditArgs returns the values an edit writes, in the order both stores'
// edit statements take them: the new body and CloudCustomData (NULL keeps
// the stored one, through COALESCE) and the edit time. The body is bound as
// text, as it is stored.
func EditArgs(e message.Edit) []any {
	body := sql.NullString{String: string(e.Body), Valid: e.Body != nil}
	return []any{body, Null(e.CloudCustomData), e.Time}
}

// EditStatus is the status of an edit that changed no row: the message
// exists recalled, or not at all.
func EditStatus(found, recalled bool) message.EditStatus {
	switch {
	case !found:
		return message.EditNotFound
	case recalled:
		return message.EditRecalled
	}
	return message.Edited
}

// EditLookup is the status of an edit that changed no row given err, the
// error of the store's look-up of the message, and recalled, what it read:
// found (recalled or not), not found (no row), or err.
func EditLookup(err error, recalled bool) (message.EditStatus, error) {
	if err := NoRows(err, nil); err != nil {
		return 0, err
	}
	return EditStatus(err == nil, recalled), nil
}
