package usersig

import (
	"bytes"
	"compress/zlib"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// The official library (v1.4.0) is the independent signer and verifier
// here. Its GenUserSig stamps time.Now(), so these tests use the real clock.
// Its zlib writers are pooled and DefaultCompressionLevel only applies to
// new ones, so each case empties the pool first (two GCs clear a sync.Pool)
// and checks the level in the zlib header. None of these tests is parallel.

// setOfficialLevel makes the official library compress at level until the
// returned restore func is called.
func setOfficialLevel(level int) (restore func()) {
	old := tencentyun.DefaultCompressionLevel
	tencentyun.DefaultCompressionLevel = level
	runtime.GC()
	runtime.GC()
	return func() {
		tencentyun.DefaultCompressionLevel = old
		runtime.GC()
		runtime.GC()
	}
}

func TestOfficialTokensVerify(t *testing.T) {
	levels := []int{zlib.NoCompression, zlib.BestSpeed, zlib.DefaultCompression, zlib.BestCompression}
	for _, level := range levels {
		t.Run(zlibName(level), func(t *testing.T) {
			defer setOfficialLevel(level)()
			v := NewVerifier(vectorApp, vectorKey)
			uncached := NewVerifier(vectorApp, vectorKey, WithCacheSize(0))

			t.Run("GenUserSig", func(t *testing.T) {
				before := time.Now().Unix()
				s, err := tencentyun.GenUserSig(vectorApp, vectorKey, vectorID, 86400)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := zlibLevelBits(t, s), levelBits(level); got != want {
					t.Fatalf("official token has zlib level bits %d, want %d", got, want)
				}
				for _, v := range []*Verifier{v, uncached, v} {
					c, err := v.Verify(vectorID, s)
					if err != nil {
						t.Fatal(err)
					}
					if c.Identifier != vectorID || c.SDKAppID != vectorApp || c.Expire != 86400 || c.Issued < before || c.Issued > time.Now().Unix() {
						t.Fatalf("claims %+v", c)
					}
				}
				_, err = v.Verify("bob", s)
				wantReason(t, err, ReasonIdentifierMismatch)
				_, err = NewVerifier(vectorApp, otherKey).Verify(vectorID, s)
				wantReason(t, err, ReasonBadSignature)
				_, err = NewVerifier(vectorApp+1, vectorKey).Verify(vectorID, s)
				wantReason(t, err, ReasonAppIDMismatch)
			})

			t.Run("GenUserSigWithBuf", func(t *testing.T) {
				buf := []byte("opaque \x00\xff bytes")
				s, err := tencentyun.GenUserSigWithBuf(vectorApp, vectorKey, vectorID, 3600, buf)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := uncached.Verify(vectorID, s); err != nil {
					t.Fatal(err)
				}
				tok, err := Decode(s)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(tok.UserBuf, buf) || tok.Version != "2.0" {
					t.Fatalf("decoded %+v", tok)
				}
			})

			t.Run("GenPrivateMapKey", func(t *testing.T) {
				s, err := tencentyun.GenPrivateMapKeyWithStringRoomID(vectorApp, vectorKey, vectorID, 3600, "room-1", 255)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := uncached.Verify(vectorID, s); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

func TestOurTokensVerifyWithOfficial(t *testing.T) {
	for _, level := range allLevels {
		t.Run(zlibName(level), func(t *testing.T) {
			now := time.Now()
			s, err := Sign(vectorApp, vectorKey, vectorID, now, 24*time.Hour, level)
			if err != nil {
				t.Fatal(err)
			}
			if err := tencentyun.VerifyUserSig(vectorApp, vectorKey, vectorID, s, time.Now()); err != nil {
				t.Fatalf("official VerifyUserSig: %v", err)
			}
			checks := []struct {
				name string
				err  error
				want error
			}{
				{"other identifier", tencentyun.VerifyUserSig(vectorApp, vectorKey, "bob", s, now), tencentyun.ErrIdentifierNotMatch},
				{"other key", tencentyun.VerifyUserSig(vectorApp, otherKey, vectorID, s, now), tencentyun.ErrSigNotMatch},
				{"other app", tencentyun.VerifyUserSig(vectorApp+1, vectorKey, vectorID, s, now), tencentyun.ErrSdkAppIDNotMatch},
				{"expired", tencentyun.VerifyUserSig(vectorApp, vectorKey, vectorID, s, now.Add(24*time.Hour+time.Second)), tencentyun.ErrExpired},
			}
			for _, c := range checks {
				if !errors.Is(c.err, c.want) {
					t.Errorf("%s: official library says %v, want %v", c.name, c.err, c.want)
				}
			}
		})
	}
}

func TestOurUserBufTokensVerifyWithOfficial(t *testing.T) {
	buf := []byte{0, 1, 2, 0xfe, 0xff}
	s := signToken(t, vectorKey, Token{Version: Version, Identifier: vectorID, SDKAppID: vectorApp, Time: time.Now().Unix(), Expire: 3600, UserBuf: buf}, zlib.BestCompression)
	if err := tencentyun.VerifyUserSigWithBuf(vectorApp, vectorKey, vectorID, s, time.Now(), buf); err != nil {
		t.Fatalf("official VerifyUserSigWithBuf: %v", err)
	}
}

func TestVectorWithOfficial(t *testing.T) {
	cases := []struct {
		name string
		id   string
		now  int64
		want error
	}{
		{"valid", vectorID, vectorTime + 10, nil},
		{"last valid second", vectorID, vectorTime + vectorTTL, nil},
		{"expired", vectorID, vectorTime + vectorTTL + 1, tencentyun.ErrExpired},
		{"other identifier", "bob", vectorTime + 10, tencentyun.ErrIdentifierNotMatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tencentyun.VerifyUserSig(vectorApp, vectorKey, tc.id, vectorToken, time.Unix(tc.now, 0))
			if !errors.Is(err, tc.want) {
				t.Fatalf("official VerifyUserSig: %v, want %v", err, tc.want)
			}
		})
	}
}

// The official library signs a lifetime of 0 (encoding no TLS.expire) and a
// negative one; its own verify calls both expired, and so do we.
func TestOfficialNoLifetimeIsExpired(t *testing.T) {
	for _, expire := range []int{0, -1, -86400} {
		s, err := tencentyun.GenUserSig(vectorApp, vectorKey, vectorID, expire)
		if err != nil {
			t.Fatal(err)
		}
		if err := tencentyun.VerifyUserSig(vectorApp, vectorKey, vectorID, s, time.Now().Add(time.Second)); err != tencentyun.ErrExpired {
			t.Fatalf("expire %d: official verify says %v, want expired", expire, err)
		}
		_, err = NewVerifier(vectorApp, vectorKey).Verify(vectorID, s)
		wantReason(t, err, ReasonExpired)
	}
}
