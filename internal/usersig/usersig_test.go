package usersig

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSignedContentMatchesVector(t *testing.T) {
	tok := Token{Identifier: vectorID, SDKAppID: vectorApp, Time: vectorTime, Expire: vectorTTL}
	content := appendSignedContent(nil, &tok)
	want := "TLS.identifier:xiaojun\nTLS.sdkappid:1400000000\nTLS.time:1700000000\nTLS.expire:86400\n"
	if string(content) != want || len(content) != 84 {
		t.Fatalf("signed content %q (%d bytes), want %q (84 bytes)", content, len(content), want)
	}
	if got := base64.StdEncoding.EncodeToString(signature([]byte(vectorKey), &tok)); got != vectorSig {
		t.Fatalf("sig %s, want %s", got, vectorSig)
	}
}

func TestSignMatchesVector(t *testing.T) {
	for _, level := range allLevels {
		t.Run(zlibName(level), func(t *testing.T) {
			s := mustSign(t, vectorKey, vectorID, vectorTime, vectorTTL, level)
			if got, want := zlibLevelBits(t, s), levelBits(level); got != want {
				t.Errorf("zlib level bits %d, want %d", got, want)
			}
			tok, err := Decode(s)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			want := Token{Version: "2.0", Identifier: vectorID, SDKAppID: vectorApp, Expire: vectorTTL, Time: vectorTime}
			if got := base64.StdEncoding.EncodeToString(tok.Sig); got != vectorSig {
				t.Errorf("TLS.sig %s, want %s", got, vectorSig)
			}
			tok.Sig = nil
			if !equalTokens(tok, want) {
				t.Errorf("decoded %+v, want %+v", tok, want)
			}
		})
	}
}

func TestDecodeVector(t *testing.T) {
	tok, err := Decode(vectorToken)
	if err != nil {
		t.Fatal(err)
	}
	want := Token{Version: "2.0", Identifier: vectorID, SDKAppID: vectorApp, Expire: vectorTTL, Time: vectorTime}
	if got := base64.StdEncoding.EncodeToString(tok.Sig); got != vectorSig {
		t.Errorf("TLS.sig %s, want %s", got, vectorSig)
	}
	if tok.UserBuf != nil {
		t.Errorf("UserBuf %q, want absent", tok.UserBuf)
	}
	tok.Sig = nil
	if !equalTokens(tok, want) {
		t.Errorf("decoded %+v, want %+v", tok, want)
	}
}

func TestVerifyVector(t *testing.T) {
	cases := []struct {
		name string
		id   string
		now  int64
		want Reason
	}{
		{"shortly after issue", vectorID, vectorTime + 10, 0},
		{"at issue", vectorID, vectorTime, 0},
		{"before issue is accepted", vectorID, vectorTime - 3600, 0},
		{"last valid second", vectorID, vectorTime + vectorTTL, 0},
		{"first expired second", vectorID, vectorTime + vectorTTL + 1, ReasonExpired},
		{"other identifier", "bob", vectorTime + 10, ReasonIdentifierMismatch},
		{"identifier differs in case", "Xiaojun", vectorTime + 10, ReasonIdentifierMismatch},
	}
	for _, cache := range []int{0, DefaultCacheSize} {
		for _, tc := range cases {
			t.Run(tc.name+"/cache="+strconv.Itoa(cache), func(t *testing.T) {
				v := NewVerifier(vectorApp, vectorKey, WithClock(fixedClock(tc.now)), WithCacheSize(cache))
				for range 2 { // the second round may be answered by the cache
					c, err := v.Verify(tc.id, vectorToken)
					wantReason(t, err, tc.want)
					if tc.want != 0 {
						continue
					}
					want := Claims{Identifier: vectorID, SDKAppID: vectorApp, Issued: vectorTime, Expire: vectorTTL}
					if c != want {
						t.Fatalf("claims %+v, want %+v", c, want)
					}
					if c.ExpiresAt() != vectorTime+vectorTTL {
						t.Fatalf("ExpiresAt %d", c.ExpiresAt())
					}
				}
			})
		}
	}
}

func TestVerifyFailures(t *testing.T) {
	good := func(key string) string { return mustSign(t, key, vectorID, vectorTime, vectorTTL, 6) }
	goodTok, _ := Decode(good(vectorKey))
	tamper := func(f func(*Token)) string {
		tok := goodTok
		f(&tok)
		return mustEncode(t, tok, 6)
	}
	zl := deflate(t, []byte(`{"TLS.ver":"2.0","TLS.identifier":"xiaojun","TLS.sdkappid":1400000000,"TLS.expire":86400,"TLS.time":1700000000,"TLS.sig":"`+vectorSig+`"}`), 6)
	json := func(fields string) string { return jsonToken(t, "{"+fields+"}") }
	const (
		id     = `"TLS.identifier":"xiaojun"`
		app    = `"TLS.sdkappid":1400000000`
		exp    = `"TLS.expire":86400`
		tm     = `"TLS.time":1700000000`
		sig    = `"TLS.sig":"` + vectorSig + `"`
		fields = id + "," + app + "," + exp + "," + tm + "," + sig
	)
	cases := []struct {
		name   string
		app    uint64
		key    string
		id     string
		token  string
		now    int64
		reason Reason
	}{
		{name: "good", token: good(vectorKey)},
		{name: "wrong key", token: good(otherKey), reason: ReasonBadSignature},
		{name: "verifier without key", key: "-", token: good(vectorKey), reason: ReasonBadSignature},
		{name: "wrong sdkappid", app: 1400000001, token: good(vectorKey), reason: ReasonAppIDMismatch},
		{name: "wrong sdkappid wins over identifier", app: 1400000001, id: "bob", token: good(vectorKey), reason: ReasonAppIDMismatch},
		{name: "identifier wins over signature", id: "bob", token: good(otherKey), reason: ReasonIdentifierMismatch},
		{name: "signature wins over expiry", token: good(otherKey), now: vectorTime + vectorTTL + 1, reason: ReasonBadSignature},
		{name: "empty", token: "", reason: ReasonEmpty},
		{name: "expired", token: good(vectorKey), now: vectorTime + vectorTTL + 1, reason: ReasonExpired},
		{name: "garbage", token: "not a token at all", reason: ReasonMalformed},
		{name: "standard base64 alphabet", token: strings.ReplaceAll(vectorToken, "*", "+"), reason: ReasonMalformed},
		{name: "truncated", token: vectorToken[:len(vectorToken)-7], reason: ReasonMalformed},
		{name: "truncated to whole base64 quanta", token: vectorToken[:len(vectorToken)-8], reason: ReasonMalformed},
		{name: "truncated zlib", token: rawToken(zl[:len(zl)-6]), reason: ReasonMalformed},
		{name: "bad zlib checksum", token: rawToken(append(bytes.Clone(zl[:len(zl)-1]), zl[len(zl)-1]^1)), reason: ReasonMalformed},
		{name: "bytes after zlib", token: rawToken(append(bytes.Clone(zl), 0)), reason: ReasonMalformed},
		{name: "bad padding", token: good(vectorKey) + "__", reason: ReasonMalformed},
		{name: "not zlib", token: rawToken([]byte(`{"TLS.identifier":"xiaojun"}`)), reason: ReasonMalformed},
		{name: "zlib of non-JSON", token: jsonToken(t, "hello, world"), reason: ReasonMalformed},
		{name: "zlib of JSON array", token: jsonToken(t, "["+fields+"]"), reason: ReasonMalformed},
		{name: "zlib of JSON string", token: jsonToken(t, `"x"`), reason: ReasonMalformed},
		{name: "trailing JSON", token: jsonToken(t, "{"+fields+"} {}"), reason: ReasonMalformed},
		{name: "missing identifier", token: json(app + "," + exp + "," + tm + "," + sig), reason: ReasonMalformed},
		{name: "missing sdkappid", token: json(id + "," + exp + "," + tm + "," + sig), reason: ReasonMalformed},
		{name: "missing expire", token: json(id + "," + app + "," + tm + "," + sig), reason: ReasonBadSignature},
		{name: "missing time", token: json(id + "," + app + "," + exp + "," + sig), reason: ReasonBadSignature},
		{name: "missing sig", token: json(id + "," + app + "," + exp + "," + tm), reason: ReasonMalformed},
		{name: "null identifier", token: json(`"TLS.identifier":null,` + app + "," + exp + "," + tm + "," + sig), reason: ReasonMalformed},
		{name: "empty identifier", token: json(`"TLS.identifier":"",` + app + "," + exp + "," + tm + "," + sig), reason: ReasonMalformed},
		{name: "empty sig", token: json(id + "," + app + "," + exp + "," + tm + `,"TLS.sig":""`), reason: ReasonMalformed},
		{name: "lower-case key", token: json(`"tls.identifier":"xiaojun",` + app + "," + exp + "," + tm + "," + sig), reason: ReasonMalformed},
		{name: "duplicate identifier", token: json(`"TLS.identifier":"bob",` + fields), reason: ReasonMalformed},
		{name: "sdkappid as string", token: json(id + `,"TLS.sdkappid":"1400000000",` + exp + "," + tm + "," + sig), reason: ReasonMalformed},
		{name: "sdkappid over uint64", token: json(id + `,"TLS.sdkappid":18446744073709551616,` + exp + "," + tm + "," + sig), reason: ReasonMalformed},
		{name: "negative time", token: json(id + "," + app + "," + exp + `,"TLS.time":-1,` + sig), reason: ReasonBadSignature},
		{name: "time over int64", token: json(id + "," + app + "," + exp + `,"TLS.time":9223372036854775808,` + sig), reason: ReasonMalformed},
		{name: "fractional expire", token: json(id + "," + app + `,"TLS.expire":86400.0,` + tm + "," + sig), reason: ReasonMalformed},
		{name: "exponent expire", token: json(id + "," + app + `,"TLS.expire":8.64e4,` + tm + "," + sig), reason: ReasonMalformed},
		{name: "boolean expire", token: json(id + "," + app + `,"TLS.expire":true,` + tm + "," + sig), reason: ReasonMalformed},
		{name: "identifier as number", token: json(`"TLS.identifier":7,` + app + "," + exp + "," + tm + "," + sig), reason: ReasonMalformed},
		{name: "sig not base64", token: json(id + "," + app + "," + exp + "," + tm + `,"TLS.sig":"%%%"`), reason: ReasonMalformed},
		{name: "sig as array", token: json(id + "," + app + "," + exp + "," + tm + `,"TLS.sig":[1,2]`), reason: ReasonMalformed},
		{name: "userbuf not base64", token: json(fields + `,"TLS.userbuf":"!"`), reason: ReasonMalformed},
		{name: "ver as number", token: json(fields + `,"TLS.ver":2`), reason: ReasonMalformed},
		{name: "oversized token", token: strings.Repeat("A", MaxTokenLen+1), reason: ReasonMalformed},
		{name: "zip bomb", token: jsonToken(t, "{"+fields+strings.Repeat(" ", MaxJSONLen)+"}"), reason: ReasonMalformed},
		{name: "payload just under the limit", token: jsonToken(t, "{"+fields+strings.Repeat(" ", MaxJSONLen-2-len(fields))+"}")},
		{name: "short sig", token: json(id + "," + app + "," + exp + "," + tm + `,"TLS.sig":"AAAA"`), reason: ReasonBadSignature},
		{name: "tampered expire", token: tamper(func(t *Token) { t.Expire *= 1000 }), reason: ReasonBadSignature},
		{name: "tampered time", token: tamper(func(t *Token) { t.Time += 86400 }), reason: ReasonBadSignature},
		{name: "tampered identifier", id: "bob", token: tamper(func(t *Token) { t.Identifier = "bob" }), reason: ReasonBadSignature},
		{name: "tampered sdkappid", app: 1400000001, token: tamper(func(t *Token) { t.SDKAppID = 1400000001 }), reason: ReasonBadSignature},
		{name: "userbuf added", token: tamper(func(t *Token) { t.UserBuf = []byte("x") }), reason: ReasonBadSignature},
		{name: "empty userbuf added", token: tamper(func(t *Token) { t.UserBuf = []byte{} }), reason: ReasonBadSignature},
		{name: "sig flipped", token: tamper(func(t *Token) { t.Sig = bytes.Clone(t.Sig); t.Sig[31] ^= 1 }), reason: ReasonBadSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app, key, id, now := tc.app, tc.key, tc.id, tc.now
			if app == 0 {
				app = vectorApp
			}
			switch key {
			case "":
				key = vectorKey
			case "-":
				key = ""
			}
			if id == "" {
				id = vectorID
			}
			if now == 0 {
				now = vectorTime + 10
			}
			for _, size := range []int{0, 16} {
				v := NewVerifier(app, key, WithClock(fixedClock(now)), WithCacheSize(size))
				for range 2 {
					_, err := v.Verify(id, tc.token)
					wantReason(t, err, tc.reason)
				}
			}
			if tc.reason == ReasonMalformed || tc.reason == ReasonEmpty {
				_, err := Decode(tc.token)
				wantReason(t, err, tc.reason)
			}
		})
	}
}

func TestDecodeAccepts(t *testing.T) {
	const rest = `"TLS.sdkappid":1400000000,"TLS.expire":86400,"TLS.time":1700000000,"TLS.sig":"` + vectorSig + `"`
	cases := []struct {
		name    string
		payload string
		userbuf []byte
		version string
	}{
		{name: "no version", payload: `{"TLS.identifier":"xiaojun",` + rest + `}`},
		{name: "other version", payload: `{"TLS.ver":"9.9","TLS.identifier":"xiaojun",` + rest + `}`, version: "9.9"},
		{name: "whitespace and newline", payload: " {\n\t\"TLS.identifier\" : \"xiaojun\" ,\r\n" + rest + " }\n", version: ""},
		{name: "unknown fields", payload: `{"x":{"a":[1,"}",{"b":null}]},"TLS.identifier":"xiaojun","y":[],"z":"\"",` + rest + `,"w":-1.5e3}`},
		{name: "escaped key and value", payload: `{"TLS.\u0069dentifier":"xiao\u006aun",` + rest + `}`},
		{name: "null userbuf", payload: `{"TLS.identifier":"xiaojun","TLS.userbuf":null,` + rest + `}`},
		{name: "empty userbuf", payload: `{"TLS.identifier":"xiaojun","TLS.userbuf":"",` + rest + `}`, userbuf: []byte{}},
		{name: "userbuf", payload: `{"TLS.identifier":"xiaojun","TLS.userbuf":"AAEC",` + rest + `}`, userbuf: []byte{0, 1, 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := Decode(jsonToken(t, tc.payload))
			if err != nil {
				t.Fatal(err)
			}
			want := Token{Version: tc.version, Identifier: vectorID, SDKAppID: vectorApp, Expire: vectorTTL, Time: vectorTime, UserBuf: tc.userbuf}
			tok.Sig = nil
			if !equalTokens(tok, want) {
				t.Fatalf("decoded %+v, want %+v", tok, want)
			}
		})
	}
}

func TestUserBufIsSigned(t *testing.T) {
	cases := []struct {
		name    string
		userbuf []byte
	}{
		{"absent", nil},
		{"empty", []byte{}},
		{"binary", []byte{0, 0xff, 1, 2, 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := signToken(t, vectorKey, Token{Version: "2.0", Identifier: vectorID, SDKAppID: vectorApp, Time: vectorTime, Expire: vectorTTL, UserBuf: tc.userbuf}, 6)
			v := NewVerifier(vectorApp, vectorKey, WithClock(fixedClock(vectorTime)))
			if _, err := v.Verify(vectorID, s); err != nil {
				t.Fatal(err)
			}
			tok, err := Decode(s)
			if err != nil {
				t.Fatal(err)
			}
			if (tok.UserBuf == nil) != (tc.userbuf == nil) || !bytes.Equal(tok.UserBuf, tc.userbuf) {
				t.Fatalf("UserBuf %#v, want %#v", tok.UserBuf, tc.userbuf)
			}
		})
	}
}

func TestSignRejects(t *testing.T) {
	now := time.Unix(vectorTime, 0)
	cases := []struct {
		name   string
		key    string
		id     string
		issued time.Time
		expire time.Duration
		level  int
	}{
		{"empty key", "", vectorID, now, time.Hour, 6},
		{"empty identifier", vectorKey, "", now, time.Hour, 6},
		{"invalid UTF-8 identifier", vectorKey, "\xff", now, time.Hour, 6},
		{"negative expire", vectorKey, vectorID, now, -time.Second, 6},
		{"before 1970", vectorKey, vectorID, time.Unix(-1, 0), time.Hour, 6},
		{"level too high", vectorKey, vectorID, now, time.Hour, 10},
		{"level too low", vectorKey, vectorID, now, time.Hour, -3},
		{"token too long", vectorKey, strings.Repeat("x", MaxTokenLen), now, time.Hour, zlib.NoCompression},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if s, err := Sign(vectorApp, tc.key, tc.id, tc.issued, tc.expire, tc.level); err == nil {
				t.Fatalf("Sign succeeded: %q", s)
			}
		})
	}
}

func TestSignTruncatesToSeconds(t *testing.T) {
	s, err := Sign(vectorApp, vectorKey, vectorID, time.Unix(vectorTime, 999e6), 1500*time.Millisecond, 6)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Decode(s)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Time != vectorTime || tok.Expire != 1 {
		t.Fatalf("time %d expire %d, want %d and 1", tok.Time, tok.Expire, vectorTime)
	}
}

func TestExpiresAtSaturates(t *testing.T) {
	c := Claims{Issued: math.MaxInt64 - 5, Expire: math.MaxInt64}
	if c.ExpiresAt() != math.MaxInt64 || c.expiredAt(math.MaxInt64) {
		t.Fatalf("ExpiresAt %d", c.ExpiresAt())
	}
	s := signToken(t, vectorKey, Token{Identifier: vectorID, SDKAppID: vectorApp, Time: math.MaxInt64, Expire: math.MaxInt64}, 6)
	v := NewVerifier(vectorApp, vectorKey)
	if _, err := v.Verify(vectorID, s); err != nil {
		t.Fatal(err)
	}
}

func TestReasonAndError(t *testing.T) {
	names := map[Reason]string{
		ReasonEmpty: "empty", ReasonMalformed: "malformed", ReasonAppIDMismatch: "sdkappid mismatch",
		ReasonIdentifierMismatch: "identifier mismatch", ReasonBadSignature: "bad signature",
		ReasonExpired: "expired", Reason(42): "Reason(42)",
	}
	for r, want := range names {
		t.Run(want, func(t *testing.T) {
			if r.String() != want {
				t.Fatalf("%d.String() = %q, want %q", int(r), r.String(), want)
			}
		})
	}
	_, err := NewVerifier(vectorApp, vectorKey).Verify("bob", vectorToken)
	var e *Error
	if !errors.As(err, &e) || e.Reason != ReasonIdentifierMismatch {
		t.Fatalf("err %v", err)
	}
	if got := err.Error(); !strings.HasPrefix(got, "usersig: identifier mismatch: ") || strings.Contains(got, vectorKey) {
		t.Fatalf("message %q", got)
	}
	if got := (&Error{Reason: ReasonEmpty}).Error(); got != "usersig: empty" {
		t.Fatalf("message %q", got)
	}
}

func equalTokens(a, b Token) bool {
	return a.Version == b.Version && a.Identifier == b.Identifier && a.SDKAppID == b.SDKAppID &&
		a.Expire == b.Expire && a.Time == b.Time &&
		(a.UserBuf == nil) == (b.UserBuf == nil) && bytes.Equal(a.UserBuf, b.UserBuf) &&
		(a.Sig == nil) == (b.Sig == nil) && bytes.Equal(a.Sig, b.Sig)
}

func zlibName(level int) string {
	switch level {
	case zlib.HuffmanOnly:
		return "huffman-only"
	case zlib.DefaultCompression:
		return "default"
	}
	return "level-" + strconv.Itoa(level)
}

// A token with no lifetime (TLS.expire 0, negative, or absent as the
// official encoder leaves it for 0) or whose time plus lifetime lies in the
// past is expired (70001), not undecodable, as the official verify says.
func TestNoLifetimeIsExpired(t *testing.T) {
	now := int64(1_800_000_000)
	cases := []struct {
		name string
		tok  Token
	}{
		{"zero lifetime", Token{Version: Version, Identifier: vectorID, SDKAppID: vectorApp, Time: now, Expire: 0}},
		{"negative lifetime", Token{Version: Version, Identifier: vectorID, SDKAppID: vectorApp, Time: now, Expire: -1}},
		{"very negative lifetime", Token{Version: Version, Identifier: vectorID, SDKAppID: vectorApp, Time: now, Expire: math.MinInt64}},
		{"time plus lifetime in the past", Token{Version: Version, Identifier: vectorID, SDKAppID: vectorApp, Time: now - 100, Expire: 99}},
		{"negative time", Token{Version: Version, Identifier: vectorID, SDKAppID: vectorApp, Time: -5, Expire: 86400}},
		{"minimum time", Token{Version: Version, Identifier: vectorID, SDKAppID: vectorApp, Time: math.MinInt64, Expire: -1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := signToken(t, vectorKey, tc.tok, 6)
			for _, cache := range []int{0, DefaultCacheSize} {
				v := NewVerifier(vectorApp, vectorKey, WithClock(fixedClock(now)), WithCacheSize(cache))
				_, err := v.Verify(vectorID, s)
				wantReason(t, err, ReasonExpired)
			}
		})
	}
	t.Run("no TLS.expire field", func(t *testing.T) {
		tok := Token{Version: Version, Identifier: vectorID, SDKAppID: vectorApp, Time: now}
		tok.Sig = signature([]byte(vectorKey), &tok)
		body := `{"TLS.ver":"2.0","TLS.identifier":"` + vectorID + `","TLS.sdkappid":` + strconv.FormatUint(vectorApp, 10) +
			`,"TLS.time":` + strconv.FormatInt(now, 10) + `,"TLS.sig":"` + base64.StdEncoding.EncodeToString(tok.Sig) + `"}`
		_, err := NewVerifier(vectorApp, vectorKey, WithClock(fixedClock(now))).Verify(vectorID, jsonToken(t, body))
		wantReason(t, err, ReasonExpired)
	})
}
