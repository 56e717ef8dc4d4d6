package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apierr"
)

// decodeFrame decodes one text frame strictly: exactly one JSON object
// (whitespace around it allowed), every known field of its type. A frame
// that is not is answered with an error frame (apierr.BadJSON) carrying the
// id recoverID finds; the session stays open.
func decodeFrame(data []byte) (client.Frame, error) {
	var f client.Frame
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return f, apierr.New(apierr.BadJSON, "empty frame: a frame is one JSON object")
	}
	if trimmed[0] != '{' {
		return f, apierr.New(apierr.BadJSON, "a frame must be one JSON object, not %s", jsonKind(trimmed[0]))
	}
	// Unlike a json.Decoder, Unmarshal rejects anything after the value.
	err := json.Unmarshal(data, &f)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return f, nil
	case errors.As(err, &syntax):
		return client.Frame{}, apierr.New(apierr.BadJSON, "a frame must be one JSON object: %s (at byte %d)", syntax.Error(), syntax.Offset)
	case errors.As(err, &typ):
		return client.Frame{}, apierr.New(apierr.BadJSON, "field %q must be %s, not a JSON %s", typ.Field, goKind(typ.Type), typ.Value)
	default:
		return client.Frame{}, apierr.New(apierr.BadJSON, "a frame must be one JSON object: %v", err)
	}
}

// jsonKind names the JSON value a first byte begins.
func jsonKind(b byte) string {
	switch {
	case b == '[':
		return "an array"
	case b == '"':
		return "a string"
	case b == 't' || b == 'f':
		return "a boolean"
	case b == 'n':
		return "null"
	case b == '-' || (b >= '0' && b <= '9'):
		return "a number"
	default:
		return fmt.Sprintf("JSON (it begins with %q)", b)
	}
}

// goKind names what a frame field of type t holds.
func goKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprintf("an integer from 0 to %d", uint64(1)<<(t.Bits()-1)*2-1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	default:
		return "a " + t.String()
	}
}

// recoverID returns the string "id" at the top level of a frame that did
// not decode, as far as the frame is well-formed before its fault: the
// frame's own id for a wrong field type, trailing bytes, or a frame cut off
// after its id; "" when there is none.
func recoverID(data []byte) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return ""
		}
		if k == "id" {
			v, err := dec.Token()
			if s, ok := v.(string); ok && err == nil {
				return s
			}
			return ""
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return ""
		}
	}
	return ""
}
