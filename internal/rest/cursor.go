package rest

import (
	"bytes"
	"encoding/json"
)

// cursor is a paging cursor in a request body. The hosted service's pages
// type Next as an Integer but send "" on the first call: a string is taken
// as it is, a number as its decimal text (0 meaning the first page).
type cursor string

// UnmarshalJSON accepts a string, a number or null.
func (c *cursor) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*c = cursor(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return &fieldError{msg: "Next must be a string or a number"}
	}
	if n.String() != "0" {
		*c = cursor(n.String())
	}
	return nil
}
