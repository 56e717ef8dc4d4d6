package usersig

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"sync"
)

// Decode parses a token without checking its signature, sdkappid,
// identifier or expiry; it is meant for diagnostics. It fails with a *Error
// whose Reason is ReasonEmpty for an empty token and ReasonMalformed for
// anything that is not a well-formed UserSig: a token over [MaxTokenLen]
// bytes, bad base64, a bad or truncated zlib stream (or bytes after it), a
// payload over [MaxJSONLen] bytes, JSON that is not an object, a duplicated
// TLS field, a missing TLS.identifier, TLS.sdkappid or TLS.sig, or a field
// of the wrong type. Numbers must be integers written without fraction or
// exponent; TLS.sdkappid is non-negative, TLS.time and TLS.expire may be
// negative and read as 0 when missing (such a token is expired, not
// malformed). Unknown fields are ignored.
func Decode(token string) (Token, error) {
	var t Token
	if err := decode(token, &t); err != nil {
		return Token{}, err
	}
	return t, nil
}

// decodeState is the scratch space of one decode, pooled.
type decodeState struct {
	src  []byte        // a copy of the token, so base64 can read it
	raw  []byte        // the zlib stream
	json []byte        // the inflated payload, len MaxJSONLen+1
	br   bytes.Reader  // reads raw
	zr   io.ReadCloser // a zlib reader, nil until the first valid stream
}

var decodeStates = sync.Pool{New: func() any {
	return &decodeState{
		src:  make([]byte, 0, MaxTokenLen),
		raw:  make([]byte, 0, urlEncoding.DecodedLen(MaxTokenLen)),
		json: make([]byte, MaxJSONLen+1),
	}
}}

// decode fills t from token.
func decode(token string, t *Token) *Error {
	if token == "" {
		return &Error{Reason: ReasonEmpty, Msg: "empty token"}
	}
	if len(token) > MaxTokenLen {
		return malformed("token is %d bytes, over the %d-byte limit", len(token), MaxTokenLen)
	}
	st := decodeStates.Get().(*decodeState)
	defer decodeStates.Put(st)

	var err error
	st.src = append(st.src[:0], token...)
	st.raw, err = urlEncoding.AppendDecode(st.raw[:0], st.src)
	if err != nil {
		return malformed("base64: %v", err)
	}
	payload, e := st.inflate()
	if e != nil {
		return e
	}
	return parsePayload(payload, t)
}

// inflate decompresses st.raw into st.json and returns the payload.
func (st *decodeState) inflate() ([]byte, *Error) {
	st.br.Reset(st.raw)
	if st.zr == nil {
		zr, err := zlib.NewReader(&st.br)
		if err != nil {
			return nil, malformed("zlib: %v", err)
		}
		st.zr = zr
	} else if err := st.zr.(zlib.Resetter).Reset(&st.br, nil); err != nil {
		return nil, malformed("zlib: %v", err)
	}
	n := 0
	for {
		if n == len(st.json) {
			return nil, malformed("payload is over the %d-byte limit", MaxJSONLen)
		}
		m, err := st.zr.Read(st.json[n:])
		n += m
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, malformed("zlib: truncated stream")
			}
			return nil, malformed("zlib: %v", err)
		}
	}
	// bytes.Reader is a flate.Reader, so the inflater has read exactly the
	// zlib stream and anything left over is trailing garbage.
	if st.br.Len() != 0 {
		return nil, malformed("%d bytes after the zlib stream", st.br.Len())
	}
	return st.json[:n], nil
}
