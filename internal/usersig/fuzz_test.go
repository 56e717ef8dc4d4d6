package usersig

import (
	"compress/zlib"
	"strings"
	"testing"
)

// fuzzSeeds returns well-formed and nearly well-formed tokens, so that the
// fuzzer starts inside the format rather than at random bytes.
func fuzzSeeds(t testing.TB) []string {
	seeds := []string{"", "garbage", vectorToken, vectorToken[:len(vectorToken)-8], strings.ReplaceAll(vectorToken, "*", "+")}
	for _, level := range []int{zlib.NoCompression, zlib.BestSpeed, zlib.DefaultCompression, zlib.BestCompression} {
		seeds = append(seeds, mustSign(t, vectorKey, vectorID, vectorTime, vectorTTL, level))
	}
	seeds = append(seeds,
		mustSign(t, otherKey, vectorID, vectorTime, vectorTTL, 6),
		signToken(t, vectorKey, Token{Version: Version, Identifier: vectorID, SDKAppID: vectorApp, Time: vectorTime, Expire: vectorTTL, UserBuf: []byte{1, 2, 3}}, 6),
		signToken(t, vectorKey, Token{Identifier: "\u00e9\u4e2d<&>\"\\", SDKAppID: vectorApp, Time: vectorTime, Expire: 1 << 40}, 0),
		jsonToken(t, `{"TLS.identifier":"xiaojun","TLS.sdkappid":1400000000,"TLS.expire":86400,"TLS.time":1700000000,"TLS.sig":"`+vectorSig+`","x":[{"y":"}"}]}`+"\n"),
		jsonToken(t, `{"TLS.identifier":"xiaojun","TLS.sdkappid":1400000000,"TLS.expire":-1,"TLS.time":1.5,"TLS.sig":"AA=="}`),
		jsonToken(t, `[1,2,3]`),
	)
	return seeds
}

func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		tok, err := Decode(token)
		if err != nil {
			want := ReasonMalformed
			if token == "" {
				want = ReasonEmpty
			}
			wantReason(t, err, want)
			if !equalTokens(tok, Token{}) {
				t.Fatalf("failed Decode returned %+v", tok)
			}
			return
		}
		if tok.Identifier == "" || len(tok.Sig) == 0 || tok.Time < 0 || tok.Expire < 0 {
			t.Fatalf("Decode accepted %+v", tok)
		}
		// What Decode accepts, encode writes back losslessly.
		again := mustEncode(t, tok, zlib.BestCompression)
		if len(again) > MaxTokenLen {
			return
		}
		tok2, err := Decode(again)
		if err != nil {
			t.Fatalf("re-encoded token does not decode: %v", err)
		}
		if !equalTokens(tok, tok2) {
			t.Fatalf("round trip changed the token:\n%+v\n%+v", tok, tok2)
		}
	})
}

func FuzzVerify(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(vectorID, s)
		f.Add("bob", s)
	}
	const now = vectorTime + 10
	cached := NewVerifier(vectorApp, vectorKey, WithClock(fixedClock(now)), WithCacheSize(64))
	uncached := NewVerifier(vectorApp, vectorKey, WithClock(fixedClock(now)), WithCacheSize(0))
	f.Fuzz(func(t *testing.T, id, token string) {
		c, err := cached.Verify(id, token)
		c2, err2 := uncached.Verify(id, token)
		if reasonOf(err) != reasonOf(err2) || c != c2 {
			t.Fatalf("cached verifier says %+v, %v; uncached says %+v, %v", c, err, c2, err2)
		}
		if err != nil {
			if r := reasonOf(err); r < ReasonEmpty || r > ReasonExpired {
				t.Fatalf("error %v has reason %d", err, r)
			}
			if c != (Claims{}) {
				t.Fatalf("failed Verify returned %+v", c)
			}
			return
		}
		tok, derr := Decode(token)
		if derr != nil {
			t.Fatalf("Verify accepted a token Decode rejects: %v", derr)
		}
		if c != tok.Claims() || c.Identifier != id || c.SDKAppID != vectorApp || c.ExpiresAt() < now {
			t.Fatalf("Verify returned %+v for %+v", c, tok)
		}
		if c3, err := cached.Verify(id, token); err != nil || c3 != c {
			t.Fatalf("second Verify: %+v, %v; first %+v", c3, err, c)
		}
	})
}
