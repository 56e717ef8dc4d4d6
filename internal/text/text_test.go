package text

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPrintableASCII(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"alice", true}, {"a b~", true}, {"@TGS#_x", true},
		{"", false}, {"a\x00b", false}, {"a\tb", false}, {"a\x7f", false}, {"é", false}, {"\xff", false}, {"\ufffd", false},
	} {
		if got := PrintableASCII(c.in); got != c.want {
			t.Errorf("PrintableASCII(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestProblem(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""}, {"群名 é\n\t\x01", ""}, {"\ufffd", ""},
		{"a\x00", "holds a NUL character"}, {"a\xffb", "is not valid UTF-8"}, {"\xed\xa0\x80", "is not valid UTF-8"},
	} {
		if got := Problem(c.in); got != c.want {
			t.Errorf("Problem(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestJSONProblem(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]`, ""},
		{`[{"MsgContent":{"Text":"a\\u0000b"}}]`, ""}, // an escaped backslash, then "u0000"
		{`[{"MsgContent":{"Text":"\ud800"}}]`, ""},    // a lone surrogate decodes to U+FFFD
		{`{"Text":"a\u0000b"}`, "holds a NUL character"},
		{`{"Te\u0000xt":"a"}`, "holds a NUL character"},
		{`{"Text":"a\\\u0000"}`, "holds a NUL character"},
		{"{\"Text\":\"\xff\"}", "is not valid UTF-8"},
		{`not json \u0000`, ""},
	} {
		if got := JSONProblem([]byte(c.in)); got != c.want {
			t.Errorf("JSONProblem(%s) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzJSONProblem checks JSONProblem against a plain decode of the whole
// document: for valid JSON it must report a problem exactly when the
// document is not UTF-8 or one of its strings (keys included) holds a NUL.
func FuzzJSONProblem(f *testing.F) {
	for _, s := range []string{`{}`, `[{"a":"b"}]`, `{"a":"\u0000"}`, `{"\u0000":1}`, `["\\u0000"]`, "[\"\xff\"]", `["\ud800\u0000"]`, `"x"`, `[1,2,{"k":[null,true,"\u0000"]}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got := JSONProblem(raw)
		if !utf8.Valid(raw) {
			if got != "is not valid UTF-8" {
				t.Fatalf("%q is not UTF-8, JSONProblem = %q", raw, got)
			}
			return
		}
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return // not JSON: no promise
		}
		want := ""
		if hasNUL(v) {
			want = "holds a NUL character"
		}
		if got != want {
			t.Fatalf("JSONProblem(%q) = %q, want %q", raw, got, want)
		}
	})
}

func hasNUL(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.IndexByte(x, 0) >= 0
	case []any:
		for _, e := range x {
			if hasNUL(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range x {
			if strings.IndexByte(k, 0) >= 0 || hasNUL(e) {
				return true
			}
		}
	}
	return false
}
