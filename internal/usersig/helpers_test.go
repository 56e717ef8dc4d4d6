package usersig

import (
	"bytes"
	"compress/zlib"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// The fixed vector of core.md §2.6.
const (
	vectorKey   = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
	vectorApp   = 1400000000
	vectorID    = "xiaojun"
	vectorTime  = 1700000000
	vectorTTL   = 86400
	vectorSig   = "SNF4FmVCPucoXsBOpbVF3fFCf57JPm0ezZ1jeVILlVc="
	vectorToken = "eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwhWZiflZpXlQqeKU7MSCgswUJStDEwMogMikVhRkFqUqWVmYmcCESjJzgQKG5qgKizPTgcYG*7mZuOWGOQeUJudHFDv5FySFuRmnuTmnmZp7BeQapFZFGWalhnn65IQl2yrVAgAojzFw"
)

// otherKey is a second, wrong key for the vector's app.
const otherKey = "0000000000000000000000000000000000000000000000000000000000000000"

// fixedClock returns a clock stuck at unix second sec.
func fixedClock(sec int64) func() time.Time {
	return func() time.Time { return time.Unix(sec, 0) }
}

// fakeClock is a settable clock safe for concurrent use.
type fakeClock struct{ sec atomic.Int64 }

func (c *fakeClock) now() time.Time { return time.Unix(c.sec.Load(), 0) }

// mustSign signs the vector's app with key for id, issued at unix second
// issued, valid for ttl seconds.
func mustSign(t testing.TB, key, id string, issued, ttl int64, level int) string {
	t.Helper()
	tok, err := Sign(vectorApp, key, id, time.Unix(issued, 0), time.Duration(ttl)*time.Second, level)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return tok
}

// signToken signs tok with key and encodes it, for tokens Sign cannot make
// (userbuf, odd versions).
func signToken(t testing.TB, key string, tok Token, level int) string {
	t.Helper()
	tok.Sig = signature([]byte(key), &tok)
	return mustEncode(t, tok, level)
}

// mustEncode encodes tok as it is, signature included.
func mustEncode(t testing.TB, tok Token, level int) string {
	t.Helper()
	s, err := encode(&tok, level)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return s
}

// rawToken wraps already-compressed bytes in the token alphabet.
func rawToken(raw []byte) string {
	return urlEncoding.EncodeToString(raw)
}

// jsonToken compresses payload and wraps it, without any checks.
func jsonToken(t testing.TB, payload string) string {
	t.Helper()
	return rawToken(deflate(t, []byte(payload), zlib.DefaultCompression))
}

func deflate(t testing.TB, b []byte, level int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := zlib.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zlibLevelBits returns the FLEVEL bits of a token's zlib header: 0 for
// levels ≤1, 1 for 2..5, 2 for 6 and the default, 3 for 7..9.
func zlibLevelBits(t testing.TB, token string) byte {
	t.Helper()
	raw, err := urlEncoding.DecodeString(token)
	if err != nil || len(raw) < 2 {
		t.Fatalf("token %q: %v", token, err)
	}
	return raw[1] >> 6
}

func levelBits(level int) byte {
	switch {
	case level <= zlib.BestSpeed && level != zlib.DefaultCompression:
		return 0
	case level >= 2 && level <= 5:
		return 1
	case level == 6 || level == zlib.DefaultCompression:
		return 2
	}
	return 3
}

// reasonOf returns err's Reason, or 0 when err is nil or not an *Error.
func reasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return 0
}

// wantReason fails t unless err carries want (0 meaning success).
func wantReason(t testing.TB, err error, want Reason) {
	t.Helper()
	if got := reasonOf(err); got != want {
		t.Fatalf("got reason %v (err %v), want %v", got, err, want)
	}
	if want != 0 && err == nil {
		t.Fatalf("got no error, want %v", want)
	}
	if want == 0 && err != nil {
		t.Fatalf("got error %v, want success", err)
	}
}

// allLevels is every zlib level Sign accepts.
var allLevels = []int{zlib.HuffmanOnly, zlib.DefaultCompression, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
