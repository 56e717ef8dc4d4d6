package usersig

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"sync"
	"time"
)

// DefaultCacheSize is the number of verified tokens a [Verifier] remembers
// unless [WithCacheSize] says otherwise.
const DefaultCacheSize = 65536

// Verifier verifies tokens for one app. It remembers tokens it has accepted
// (never rejected ones) in a bounded cache, so verifying the same token again
// costs a map lookup and an expiry check. It is safe for concurrent use.
//
// Revocation (for example a kick that invalidates earlier tokens) is the
// caller's business: the cache only ever answers what a full verification
// would answer at the same clock time.
type Verifier struct {
	appID     uint64
	key       []byte
	now       func() time.Time
	cacheSize int
	cache     *cache // nil when caching is off
	macs      sync.Pool
}

// Option configures a [Verifier].
type Option func(*Verifier)

// WithCacheSize sets how many verified tokens the verifier remembers, at
// most. The default is [DefaultCacheSize]; 0 (or a negative n) disables
// caching.
func WithCacheSize(n int) Option {
	return func(v *Verifier) { v.cacheSize = max(n, 0) }
}

// WithClock sets the clock used for expiry checks; the default is time.Now.
// A nil now leaves the clock unchanged.
func WithClock(now func() time.Time) Option {
	return func(v *Verifier) {
		if now != nil {
			v.now = now
		}
	}
}

// NewVerifier returns a Verifier for app sdkAppID whose tokens are signed
// with the secret key string key. A Verifier with an empty key rejects every
// token with ReasonBadSignature.
func NewVerifier(sdkAppID uint64, key string, opts ...Option) *Verifier {
	v := &Verifier{
		appID:     sdkAppID,
		key:       []byte(key),
		now:       time.Now,
		cacheSize: DefaultCacheSize,
	}
	for _, o := range opts {
		o(v)
	}
	if v.cacheSize > 0 {
		v.cache = newCache(v.cacheSize)
	}
	k := v.key
	v.macs.New = func() any {
		return &macState{h: hmac.New(sha256.New, k), buf: make([]byte, 0, 256), sum: make([]byte, 0, sha256.Size)}
	}
	return v
}

// macState is the scratch space of one HMAC computation, pooled.
type macState struct {
	h   hash.Hash
	buf []byte
	sum []byte
}

// Verify checks token for identifier and returns its claims. The checks,
// in order, and the Reason of the *Error returned when one fails:
//
//  1. the token is not empty (ReasonEmpty);
//  2. it decodes, see [Decode] (ReasonMalformed);
//  3. TLS.sdkappid is the verifier's app (ReasonAppIDMismatch);
//  4. TLS.identifier equals identifier exactly (ReasonIdentifierMismatch);
//  5. TLS.sig is the HMAC-SHA256 of the signed content, compared in
//     constant time (ReasonBadSignature);
//  6. the clock is not after TLS.time+TLS.expire (ReasonExpired).
//
// A token issued in the future is accepted. TLS.userbuf, when present, is
// covered by the signature but otherwise ignored.
func (v *Verifier) Verify(identifier, token string) (Claims, error) {
	if token == "" {
		return Claims{}, &Error{Reason: ReasonEmpty, Msg: "empty token"}
	}
	now := v.now().Unix()
	var kb [384]byte
	var key []byte
	if v.cache != nil && len(token) <= MaxTokenLen {
		key = cacheKey(kb[:0], identifier, token)
		if c, ok := v.cache.get(key); ok {
			if c.expiredAt(now) {
				v.cache.remove(key)
				return Claims{}, expiredError(c, now)
			}
			return c, nil
		}
	}

	var t Token
	if err := decode(token, &t); err != nil {
		return Claims{}, err
	}
	if t.SDKAppID != v.appID {
		return Claims{}, newError(ReasonAppIDMismatch, "token is for sdkappid %d, not %d", t.SDKAppID, v.appID)
	}
	if t.Identifier != identifier {
		return Claims{}, newError(ReasonIdentifierMismatch, "token is for identifier %q, not %q", clip(t.Identifier), clip(identifier))
	}
	if len(v.key) == 0 {
		return Claims{}, &Error{Reason: ReasonBadSignature, Msg: "no key configured"}
	}
	if !v.checkSig(&t) {
		return Claims{}, &Error{Reason: ReasonBadSignature, Msg: "signature does not match"}
	}
	c := t.Claims()
	if c.expiredAt(now) {
		return Claims{}, expiredError(c, now)
	}
	if key != nil {
		v.cache.put(key, c)
	}
	return c, nil
}

// checkSig reports whether t.Sig is the HMAC of t's signed content.
func (v *Verifier) checkSig(t *Token) bool {
	m := v.macs.Get().(*macState)
	defer v.macs.Put(m)
	m.h.Reset()
	m.buf = appendSignedContent(m.buf[:0], t)
	m.h.Write(m.buf)
	m.sum = m.h.Sum(m.sum[:0])
	return hmac.Equal(m.sum, t.Sig)
}

func expiredError(c Claims, now int64) *Error {
	return newError(ReasonExpired, "token expired at %d, now %d", c.ExpiresAt(), now)
}
