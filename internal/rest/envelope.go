package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/hearth-chat/hearth/internal/apierr"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// encodeOK returns {"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"",…resp}
// in buf. resp must marshal to a JSON object, or be nil (or a nil pointer)
// for the bare envelope.
func encodeOK(buf *bytes.Buffer, resp any) error {
	buf.WriteString(`{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""`)
	if resp != nil {
		body, err := json.Marshal(resp)
		if err != nil {
			return fmt.Errorf("encode response: %w", err)
		}
		switch {
		case string(body) == "null" || string(body) == "{}":
		case len(body) < 2 || body[0] != '{':
			return fmt.Errorf("encode response: %T is not a JSON object", resp)
		default:
			buf.WriteByte(',')
			buf.Write(body[1 : len(body)-1])
		}
	}
	buf.WriteByte('}')
	return nil
}

// writeOK writes the OK envelope with resp's fields; when resp cannot be
// encoded it writes the FAIL envelope with internalCode and returns the
// encoding error.
func writeOK(w http.ResponseWriter, resp any, internalCode int) error {
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); bufPool.Put(buf) }()
	if err := encodeOK(buf, resp); err != nil {
		return errors.Join(err, writeFail(w, internalCode, "internal error, retry later"))
	}
	return writeBody(w, buf.Bytes())
}

// writeFail writes the FAIL envelope for code and info.
func writeFail(w http.ResponseWriter, code int, info string) error {
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); bufPool.Put(buf) }()
	buf.WriteString(`{"ActionStatus":"FAIL","ErrorCode":`)
	buf.WriteString(strconv.Itoa(code))
	buf.WriteString(`,"ErrorInfo":`)
	infoJSON, _ := json.Marshal(info) // a string always marshals
	buf.Write(infoJSON)
	buf.WriteByte('}')
	return writeBody(w, buf.Bytes())
}

func writeBody(w http.ResponseWriter, b []byte) error {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	_, err := w.Write(b)
	return err
}

var jsonContentType = []string{"application/json; charset=utf-8"}

// decodeError is a request body that does not decode into the request type.
type decodeError struct {
	syntax bool // not JSON at all (60003); otherwise a field has the wrong type
	msg    string
}

func (e *decodeError) Error() string { return e.msg }

// decode unmarshals a JSON object body into v.
func decode(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return &decodeError{syntax: true, msg: "request body is empty: send {} when an API takes no fields"}
	}
	if trimmed[0] != '{' {
		return &decodeError{syntax: true, msg: "request body must be a JSON object"}
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "body"
			}
			return &decodeError{msg: fmt.Sprintf("%s must be %s, not JSON %s", field, jsonKind(te.Type.Kind().String()), te.Value)}
		}
		var fe *fieldError
		if errors.As(err, &fe) {
			return &decodeError{msg: fe.Error()}
		}
		return &decodeError{syntax: true, msg: "Fail to Parse json data of body, please check it: " + err.Error()}
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "a boolean"
	default:
		return "a number"
	}
}

// fieldError is returned by custom field decoders for a value of the wrong shape.
type fieldError struct{ msg string }

func (e *fieldError) Error() string { return e.msg }

// errorCode resolves err to the code and info written on the wire, using
// the route's service defaults for decode failures and internal errors.
func (d serviceDefaults) errorCode(err error) (code int, info string, internal bool) {
	var de *decodeError
	if errors.As(err, &de) {
		if de.syntax {
			return apierr.BadJSON, de.msg, false
		}
		return d.badParam, de.msg, false
	}
	if e, ok := apierr.As(err); ok {
		return e.Code, e.Info, false
	}
	return d.internal, "internal error, retry later", true
}
