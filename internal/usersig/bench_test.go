package usersig

import (
	"compress/zlib"
	"testing"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// The benchmarks verify the §2.6 vector (zlib level 6) and a stored-block
// token (level 0, what the official Go library writes by default).

func benchTokens(b *testing.B) map[string]string {
	return map[string]string{
		"vector":  vectorToken,
		"level-0": mustSign(b, vectorKey, vectorID, vectorTime, vectorTTL, zlib.NoCompression),
	}
}

func BenchmarkVerifyUncached(b *testing.B) {
	for name, tok := range benchTokens(b) {
		b.Run(name, func(b *testing.B) {
			v := NewVerifier(vectorApp, vectorKey, WithCacheSize(0), WithClock(fixedClock(vectorTime+10)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(vectorID, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerifyCached(b *testing.B) {
	for name, tok := range benchTokens(b) {
		b.Run(name, func(b *testing.B) {
			v := NewVerifier(vectorApp, vectorKey, WithClock(fixedClock(vectorTime+10)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(vectorID, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyCachedParallel measures hits from all CPUs on 1024
// distinct cached tokens, with the real clock.
func BenchmarkVerifyCachedParallel(b *testing.B) {
	v := NewVerifier(vectorApp, vectorKey)
	now := time.Now().Unix()
	tokens := make([]string, 1024)
	for i := range tokens {
		tokens[i] = mustSign(b, vectorKey, vectorID, now-int64(i), vectorTTL, zlib.NoCompression)
		if _, err := v.Verify(vectorID, tokens[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := v.Verify(vectorID, tokens[i&1023]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// BenchmarkVerifyOfficial is the baseline: the official library's
// VerifyUserSig on the same tokens.
func BenchmarkVerifyOfficial(b *testing.B) {
	now := time.Unix(vectorTime+10, 0)
	for name, tok := range benchTokens(b) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := tencentyun.VerifyUserSig(vectorApp, vectorKey, vectorID, tok, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(vectorToken); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	issued := time.Unix(vectorTime, 0)
	for _, level := range []int{zlib.NoCompression, zlib.BestSpeed, zlib.DefaultCompression, zlib.BestCompression} {
		b.Run(zlibName(level), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Sign(vectorApp, vectorKey, vectorID, issued, vectorTTL*time.Second, level); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
