// Package text owns the two rules every string obeys before it reaches a
// store: an ID is printable ASCII, and free text is valid UTF-8 without a
// NUL character. Both stores keep strings of these forms byte for byte;
// PostgreSQL refuses a NUL in text and invalid UTF-8 outright, and SQLite
// would keep what PostgreSQL refuses, so the domains check their input with
// these functions before any store is reached. A caller then gets the same
// parameter error on every store and over every transport (a retry could
// never succeed, so it must never look like an internal error).
package text

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// PrintableASCII reports whether s is non-empty and every byte of it is
// printable ASCII (0x20–0x7E): the form of every ID (UserIDs, group, topic
// and permission-group IDs, message keys, paging cursors).
func PrintableASCII(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// Problem says why s cannot be kept as text ("is not valid UTF-8", "holds
// a NUL character"), or returns "" when it can. Callers put it after the
// field's name in their ErrorInfo.
func Problem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "holds a NUL character"
	}
	return ""
}

// nulEscape is how a NUL is written inside a JSON string.
var nulEscape = []byte(`\u0000`)

// JSONProblem is Problem for a JSON document kept as it was sent (a
// MsgBody): raw must be valid UTF-8, and no string in it, key or value, may
// hold a NUL (written \u0000). It returns "" for a document without either
// problem, and for one that is not valid JSON (the caller's own parser
// reports that).
func JSONProblem(raw []byte) string {
	if !utf8.Valid(raw) {
		return "is not valid UTF-8"
	}
	if !bytes.Contains(raw, nulEscape) {
		return "" // the common case: no string can hold a NUL
	}
	// \u0000 appears, perhaps only as an escaped backslash followed by
	// "u0000": decode every string to be sure.
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) || err != nil {
			return ""
		}
		if s, ok := tok.(string); ok && strings.IndexByte(s, 0) >= 0 {
			return "holds a NUL character"
		}
	}
}
