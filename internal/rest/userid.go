package rest

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// UserID is a UserID in a request body. It is a JSON string; a JSON integer
// is accepted too and read as its decimal text (some hosted pages type
// From_Account as an integer; docs/decisions.md, 4).
type UserID string

// UnmarshalJSON accepts a string or a non-negative integer.
func (u *UserID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*u = UserID(s)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if _, err := strconv.ParseUint(string(b), 10, 64); err != nil {
		return &fieldError{msg: "an account field must be a string UserID, not " + string(b)}
	}
	*u = UserID(b)
	return nil
}
