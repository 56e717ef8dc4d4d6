package account

import (
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/text"
)

// ValidUserID reports whether id is a well-formed UserID: 1–32 bytes of
// printable ASCII (0x20–0x7E).
func ValidUserID(id string) bool {
	return len(id) <= MaxUserIDBytes && text.PrintableASCII(id)
}

// CheckUserID returns an *apierr.Error with the given code when id is not a
// well-formed UserID, naming field in its ErrorInfo.
func CheckUserID(field, id string, code int) error {
	switch {
	case id == "":
		return apierr.New(code, "%s is required", field)
	case len(id) > MaxUserIDBytes:
		return apierr.New(code, "%s is longer than %d bytes", field, MaxUserIDBytes)
	case !ValidUserID(id):
		return apierr.New(code, "%s must be printable ASCII", field)
	}
	return nil
}

// CheckUserIDs is CheckUserID for every ID of a list.
func CheckUserIDs(field string, ids []string, code int) error {
	for _, id := range ids {
		if err := CheckUserID(field, id, code); err != nil {
			return err
		}
	}
	return nil
}

// checkText returns an *apierr.Error when the text v is longer than max
// bytes (code tooLong) or cannot be kept as text (text.Problem; code
// badParam).
func checkText(field string, v *string, max, tooLong, badParam int) error {
	if v == nil {
		return nil
	}
	if len(*v) > max {
		return apierr.New(tooLong, "%s is longer than %d bytes", field, max)
	}
	if p := text.Problem(*v); p != "" {
		return apierr.New(badParam, "%s %s", field, p)
	}
	return nil
}
