package usersig

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"unicode/utf8"
)

// The JSON fields of a token. Keys match exactly (after JSON unescaping);
// unlike encoding/json, "tls.sig" is not "TLS.sig".
const (
	fieldUnknown = iota
	fieldVer
	fieldIdentifier
	fieldSDKAppID
	fieldExpire
	fieldTime
	fieldUserBuf
	fieldSig
)

// requiredFields must be present. TLS.expire and TLS.time may be missing and
// then read as 0: the official libraries omit zero fields when they encode,
// so a token signed with a lifetime of 0 has no TLS.expire (and is expired).
const requiredFields = 1<<fieldIdentifier | 1<<fieldSDKAppID | 1<<fieldSig

var fieldNames = [...]string{
	fieldUnknown:    "",
	fieldVer:        "TLS.ver",
	fieldIdentifier: "TLS.identifier",
	fieldSDKAppID:   "TLS.sdkappid",
	fieldExpire:     "TLS.expire",
	fieldTime:       "TLS.time",
	fieldUserBuf:    "TLS.userbuf",
	fieldSig:        "TLS.sig",
}

// parsePayload fills t from the token's JSON object. The document is first
// checked with json.Valid, so the scanner below only has to find the extent
// of each member; it still checks every index so it cannot panic.
func parsePayload(data []byte, t *Token) *Error {
	if !json.Valid(data) {
		return malformed("payload is not valid JSON")
	}
	s := scanner{data: data}
	s.space()
	if !s.consume('{') {
		return malformed("payload is not a JSON object")
	}
	var seen, set uint
	s.space()
	if !s.consume('}') {
		for {
			s.space()
			key, ok := s.str()
			if !ok {
				return malformed("bad JSON object key")
			}
			s.space()
			if !s.consume(':') {
				return malformed("bad JSON object")
			}
			s.space()
			val, ok := s.value()
			if !ok {
				return malformed("bad JSON value")
			}
			if f := fieldOf(key); f != fieldUnknown {
				if seen&(1<<f) != 0 {
					return malformed("duplicate field %s", fieldNames[f])
				}
				seen |= 1 << f
				if !bytes.Equal(val, []byte("null")) {
					if err := t.setField(f, val); err != nil {
						return err
					}
					set |= 1 << f
				}
			}
			s.space()
			if s.consume(',') {
				continue
			}
			if s.consume('}') {
				break
			}
			return malformed("bad JSON object")
		}
	}
	if missing := requiredFields &^ set; missing != 0 {
		for f := range fieldNames {
			if missing&(1<<f) != 0 {
				return malformed("missing field %s", fieldNames[f])
			}
		}
	}
	return nil
}

// setField stores the raw JSON value val of field f in t.
func (t *Token) setField(f int, val []byte) *Error {
	var ok bool
	switch f {
	case fieldVer:
		if string(val) == `"`+Version+`"` {
			t.Version, ok = Version, true // the usual case, without allocating
		} else {
			t.Version, ok = jsonString(val)
		}
	case fieldIdentifier:
		t.Identifier, ok = jsonString(val)
		ok = ok && t.Identifier != ""
	case fieldSDKAppID:
		t.SDKAppID, ok = jsonUint(val, math.MaxUint64)
	case fieldExpire:
		t.Expire, ok = jsonInt(val)
	case fieldTime:
		t.Time, ok = jsonInt(val)
	case fieldUserBuf:
		t.UserBuf, ok = jsonBase64(val)
	case fieldSig:
		t.Sig, ok = jsonBase64(val)
		ok = ok && len(t.Sig) > 0
	}
	if !ok {
		return malformed("bad value for %s", fieldNames[f])
	}
	return nil
}

// fieldOf returns the field named by the JSON string key (quotes included).
func fieldOf(key []byte) int {
	body := key[1 : len(key)-1]
	if bytes.IndexByte(body, '\\') >= 0 {
		s, ok := jsonString(key)
		if !ok {
			return fieldUnknown
		}
		body = []byte(s)
	}
	switch string(body) {
	case "TLS.ver":
		return fieldVer
	case "TLS.identifier":
		return fieldIdentifier
	case "TLS.sdkappid":
		return fieldSDKAppID
	case "TLS.expire":
		return fieldExpire
	case "TLS.time":
		return fieldTime
	case "TLS.userbuf":
		return fieldUserBuf
	case "TLS.sig":
		return fieldSig
	}
	return fieldUnknown
}

// jsonString decodes a JSON string literal. Invalid UTF-8 becomes U+FFFD,
// as encoding/json (and so the official library) does.
func jsonString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return string(body), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// jsonBase64 decodes a JSON string holding standard base64 with padding. The
// result is non-nil even when empty.
func jsonBase64(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') >= 0 {
		s, ok := jsonString(raw)
		if !ok {
			return nil, false
		}
		body = []byte(s)
	}
	b, err := base64.StdEncoding.AppendDecode(make([]byte, 0, base64.StdEncoding.DecodedLen(len(body))), body)
	if err != nil {
		return nil, false
	}
	return b, true
}

// jsonUint parses a JSON number that must be a non-negative integer no
// larger than max.
func jsonUint(raw []byte, max uint64) (uint64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range raw {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (max-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// jsonInt reads a JSON integer that fits an int64: digits with an optional
// leading minus, no fraction or exponent. The official libraries sign and
// read TLS.time and TLS.expire as signed integers, so a negative value is a
// well-formed token (one that is already expired), not an undecodable one.
func jsonInt(raw []byte) (int64, bool) {
	neg := len(raw) > 0 && raw[0] == '-'
	if neg {
		raw = raw[1:]
	}
	limit := uint64(math.MaxInt64)
	if neg {
		limit++ // -9223372036854775808
	}
	n, ok := jsonUint(raw, limit)
	if !ok {
		return 0, false
	}
	if neg {
		return int64(-n), true // wraps to MinInt64 for the limit itself
	}
	return int64(n), true
}

// scanner walks a JSON document already known to be valid.
type scanner struct {
	data []byte
	i    int
}

func (s *scanner) space() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) consume(c byte) bool {
	if s.i < len(s.data) && s.data[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str returns the string literal at the cursor, quotes included.
func (s *scanner) str() ([]byte, bool) {
	if s.i >= len(s.data) || s.data[s.i] != '"' {
		return nil, false
	}
	start := s.i
	for s.i++; s.i < len(s.data); s.i++ {
		switch s.data[s.i] {
		case '\\':
			s.i++ // skip the escaped byte
		case '"':
			s.i++
			return s.data[start:s.i], true
		}
	}
	return nil, false
}

// value returns the raw JSON value at the cursor.
func (s *scanner) value() ([]byte, bool) {
	if s.i >= len(s.data) {
		return nil, false
	}
	start := s.i
	switch s.data[s.i] {
	case '"':
		return s.str()
	case '{', '[':
		depth := 0
		for s.i < len(s.data) {
			switch s.data[s.i] {
			case '"':
				if _, ok := s.str(); !ok {
					return nil, false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return s.data[start:s.i], true
				}
			}
			s.i++
		}
		return nil, false
	}
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return s.data[start:s.i], s.i > start
		}
		s.i++
	}
	return s.data[start:s.i], s.i > start
}
