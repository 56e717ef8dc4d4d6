package usersig

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"
)

// urlEncoding is standard base64 with padding after the substitutions
// '+'→'*', '/'→'-', '='→'_'.
var urlEncoding = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-").WithPadding('_')

// Sign returns a TLS-Sig v2 UserSig for identifier in app sdkAppID, issued
// at issued (truncated to the second) and valid for expire (truncated to the
// second). level is a zlib compression level (zlib.NoCompression ..
// zlib.BestCompression, or zlib.DefaultCompression or zlib.HuffmanOnly); it
// changes the token's bytes but not its meaning.
//
// key must be non-empty, identifier must be non-empty valid UTF-8, expire
// must not be negative and issued must not be before 1970.
func Sign(sdkAppID uint64, key, identifier string, issued time.Time, expire time.Duration, level int) (string, error) {
	switch {
	case key == "":
		return "", errors.New("usersig: sign: empty key")
	case identifier == "":
		return "", errors.New("usersig: sign: empty identifier")
	case !utf8.ValidString(identifier):
		return "", errors.New("usersig: sign: identifier is not valid UTF-8")
	case expire < 0:
		return "", fmt.Errorf("usersig: sign: negative expire %v", expire)
	case issued.Unix() < 0:
		return "", fmt.Errorf("usersig: sign: issue time %v is before 1970", issued)
	case level < zlib.HuffmanOnly || level > zlib.BestCompression:
		return "", fmt.Errorf("usersig: sign: invalid zlib level %d", level)
	}
	t := Token{
		Version:    Version,
		Identifier: identifier,
		SDKAppID:   sdkAppID,
		Expire:     int64(expire / time.Second),
		Time:       issued.Unix(),
	}
	t.Sig = signature([]byte(key), &t)
	s, err := encode(&t, level)
	if err != nil {
		return "", fmt.Errorf("usersig: sign: %w", err)
	}
	if len(s) > MaxTokenLen {
		return "", fmt.Errorf("usersig: sign: token is %d bytes, over the %d-byte limit", len(s), MaxTokenLen)
	}
	return s, nil
}

// signature returns the HMAC-SHA256 of t's signed content under key.
func signature(key []byte, t *Token) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(appendSignedContent(make([]byte, 0, 128), t))
	return h.Sum(nil)
}

// wireToken is the JSON form of a Token, in the field order the official
// libraries use.
type wireToken struct {
	Version    string  `json:"TLS.ver"`
	Identifier string  `json:"TLS.identifier"`
	SDKAppID   uint64  `json:"TLS.sdkappid"`
	Expire     int64   `json:"TLS.expire"`
	Time       int64   `json:"TLS.time"`
	UserBuf    *string `json:"TLS.userbuf,omitempty"`
	Sig        string  `json:"TLS.sig"`
}

// encode serialises t (including whatever t.Sig holds) into a token using
// zlib level level. It does not sign.
func encode(t *Token, level int) (string, error) {
	w := wireToken{
		Version:    t.Version,
		Identifier: t.Identifier,
		SDKAppID:   t.SDKAppID,
		Expire:     t.Expire,
		Time:       t.Time,
		Sig:        base64.StdEncoding.EncodeToString(t.Sig),
	}
	if t.UserBuf != nil {
		ub := base64.StdEncoding.EncodeToString(t.UserBuf)
		w.UserBuf = &ub
	}
	payload, err := json.Marshal(&w)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	zw, err := getZlibWriter(&buf, level)
	if err != nil {
		return "", err
	}
	defer putZlibWriter(zw, level)
	if _, err := zw.Write(payload); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return urlEncoding.EncodeToString(buf.Bytes()), nil
}

// zlibWriters pools writers per level (zlib.HuffmanOnly..zlib.BestCompression
// at index level+2): a compressor is large and expensive to allocate.
var zlibWriters [zlib.BestCompression + 3]sync.Pool

func getZlibWriter(w *bytes.Buffer, level int) (*zlib.Writer, error) {
	if level < zlib.HuffmanOnly || level > zlib.BestCompression {
		return nil, fmt.Errorf("invalid zlib level %d", level)
	}
	if zw, ok := zlibWriters[level+2].Get().(*zlib.Writer); ok {
		zw.Reset(w)
		return zw, nil
	}
	return zlib.NewWriterLevel(w, level)
}

func putZlibWriter(zw *zlib.Writer, level int) {
	zlibWriters[level+2].Put(zw)
}
