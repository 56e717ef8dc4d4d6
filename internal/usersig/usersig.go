// Package usersig signs and verifies TLS-Sig v2 UserSigs, the HMAC-SHA256
// tokens with which Tencent Cloud Chat (IM) clients and REST callers prove who
// they are, and keeps a bounded cache of tokens it has already verified.
//
// A UserSig is a compact JSON object (TLS.ver, TLS.identifier, TLS.sdkappid,
// TLS.expire, TLS.time, optional TLS.userbuf, TLS.sig), compressed with zlib,
// encoded as standard base64 with padding and finally made URL-safe by
// replacing '+' with '*', '/' with '-' and '=' with '_'. TLS.sig is the
// HMAC-SHA256, keyed with the application's secret key string taken as raw
// bytes, of the lines
//
//	TLS.identifier:<identifier>\n
//	TLS.sdkappid:<sdkappid>\n
//	TLS.time:<issue time, unix seconds>\n
//	TLS.expire:<validity, seconds>\n
//	TLS.userbuf:<standard base64 of userbuf>\n   (only when userbuf is present)
//
// A token is valid up to and including second TLS.time+TLS.expire.
//
// The package imports nothing else from this module; callers map a failure's
// [Reason] onto their own error codes.
package usersig

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
)

// Limits enforced by [Decode] and [Verifier.Verify].
const (
	// MaxTokenLen is the longest encoded token accepted, in bytes. Real
	// tokens are a few hundred bytes.
	MaxTokenLen = 4096
	// MaxJSONLen is the largest inflated JSON payload accepted, in bytes; it
	// bounds the work a small, highly compressed token can cause.
	MaxJSONLen = 16 << 10
)

// Version is the TLS.ver value written by [Sign].
const Version = "2.0"

// Claims is what a verified token says.
type Claims struct {
	Identifier string // TLS.identifier, the UserID
	SDKAppID   uint64 // TLS.sdkappid
	Issued     int64  // TLS.time, unix seconds
	Expire     int64  // TLS.expire, seconds
}

// ExpiresAt returns the last unix second at which the token is still valid,
// Issued+Expire, saturating at math.MaxInt64 and math.MinInt64 instead of
// overflowing.
func (c Claims) ExpiresAt() int64 {
	switch {
	case c.Expire > 0 && c.Issued > math.MaxInt64-c.Expire:
		return math.MaxInt64
	case c.Expire < 0 && c.Issued < math.MinInt64-c.Expire:
		return math.MinInt64
	}
	return c.Issued + c.Expire
}

// expiredAt reports whether the claims are expired at unix second now: a
// token with no lifetime (TLS.expire zero or negative) is always expired,
// any other once now is strictly after Issued+Expire.
func (c Claims) expiredAt(now int64) bool {
	return c.Expire <= 0 || now > c.ExpiresAt()
}

// Token is every field of a decoded UserSig. [Decode] fills it without
// checking the signature.
type Token struct {
	Version    string // TLS.ver; empty when absent
	Identifier string // TLS.identifier
	SDKAppID   uint64 // TLS.sdkappid
	Expire     int64  // TLS.expire, seconds
	Time       int64  // TLS.time, unix seconds
	// UserBuf is the decoded TLS.userbuf: nil when the field is absent,
	// non-nil (possibly empty) when present. When present it is signed.
	UserBuf []byte
	Sig     []byte // decoded TLS.sig, normally 32 bytes
}

// Claims returns the token's claims.
func (t Token) Claims() Claims {
	return Claims{Identifier: t.Identifier, SDKAppID: t.SDKAppID, Issued: t.Time, Expire: t.Expire}
}

// appendSignedContent appends the text that TLS.sig authenticates.
func appendSignedContent(dst []byte, t *Token) []byte {
	dst = append(dst, "TLS.identifier:"...)
	dst = append(dst, t.Identifier...)
	dst = append(dst, "\nTLS.sdkappid:"...)
	dst = strconv.AppendUint(dst, t.SDKAppID, 10)
	dst = append(dst, "\nTLS.time:"...)
	dst = strconv.AppendInt(dst, t.Time, 10)
	dst = append(dst, "\nTLS.expire:"...)
	dst = strconv.AppendInt(dst, t.Expire, 10)
	dst = append(dst, '\n')
	if t.UserBuf != nil {
		dst = append(dst, "TLS.userbuf:"...)
		dst = base64.StdEncoding.AppendEncode(dst, t.UserBuf)
		dst = append(dst, '\n')
	}
	return dst
}

// Reason is the kind of a verification failure, so that callers can map it
// onto an API error code.
type Reason int

// Failure reasons, in the order [Verifier.Verify] checks for them. The
// comments give the matching Tencent Cloud Chat error code.
const (
	ReasonEmpty              Reason = iota + 1 // 70002: empty token
	ReasonMalformed                            // 70003: bad base64, zlib or JSON, a missing field or a wrong type
	ReasonAppIDMismatch                        // 70014: TLS.sdkappid is not the verifier's app
	ReasonIdentifierMismatch                   // 70013: TLS.identifier is not the requested identifier
	ReasonBadSignature                         // 70009: TLS.sig does not match
	ReasonExpired                              // 70001: now is after TLS.time+TLS.expire
)

// String returns a short lower-case name for the reason.
func (r Reason) String() string {
	switch r {
	case ReasonEmpty:
		return "empty"
	case ReasonMalformed:
		return "malformed"
	case ReasonAppIDMismatch:
		return "sdkappid mismatch"
	case ReasonIdentifierMismatch:
		return "identifier mismatch"
	case ReasonBadSignature:
		return "bad signature"
	case ReasonExpired:
		return "expired"
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

// Error is a verification or decoding failure. Functions in this package
// return it as *Error; use errors.As to get at the Reason.
type Error struct {
	Reason Reason
	Msg    string // detail for logs; never contains the key
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Msg == "" {
		return "usersig: " + e.Reason.String()
	}
	return "usersig: " + e.Reason.String() + ": " + e.Msg
}

func newError(r Reason, format string, args ...any) *Error {
	return &Error{Reason: r, Msg: fmt.Sprintf(format, args...)}
}

// clip shortens s for an error message.
func clip(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func malformed(format string, args ...any) *Error {
	return newError(ReasonMalformed, format, args...)
}
