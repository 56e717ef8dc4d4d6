package message

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/apierr"
)

func TestCheckBody(t *testing.T) {
	big := `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"` + strings.Repeat("x", MaxBodyBytes) + `"}}]`
	cases := []struct {
		name, body string
		want       int
	}{
		{"text", `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]`, 0},
		{"every element", `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"a"}},{"MsgType":"TIMFaceElem","MsgContent":{"Index":1,"Data":"d"}},{"MsgType":"TIMLocationElem","MsgContent":{"Desc":"x","Latitude":1.5,"Longitude":-2}},{"MsgType":"TIMCustomElem","MsgContent":{"Data":"d"}},{"MsgType":"TIMSoundElem","MsgContent":{"Url":"u","Size":1}},{"MsgType":"TIMImageElem","MsgContent":{"UUID":"u","ImageFormat":1,"ImageInfoArray":[]}},{"MsgType":"TIMFileElem","MsgContent":{"Url":"u","FileSize":3}},{"MsgType":"TIMVideoFileElem","MsgContent":{"VideoUrl":"u","VideoSize":1}}]`, 0},
		{"unknown fields pass through", `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"a","Future":true}}]`, 0},
		{"empty", ``, 10004},
		{"null", `null`, 10004},
		{"not an array", `{"MsgType":"TIMTextElem"}`, 10004},
		{"empty array", `[]`, 10004},
		{"unknown type", `[{"MsgType":"TIMNope","MsgContent":{}}]`, 10004},
		{"no content", `[{"MsgType":"TIMTextElem"}]`, 10004},
		{"text missing", `[{"MsgType":"TIMTextElem","MsgContent":{}}]`, 10004},
		{"text a number", `[{"MsgType":"TIMTextElem","MsgContent":{"Text":5}}]`, 10004},
		{"index a string", `[{"MsgType":"TIMFaceElem","MsgContent":{"Index":"1"}}]`, 10004},
		{"two custom elements", `[{"MsgType":"TIMCustomElem","MsgContent":{}},{"MsgType":"TIMCustomElem","MsgContent":{}}]`, 10004},
		{"too long", big, apierr.MessageTooLong},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := CheckBody(json.RawMessage(c.body), apierr.GroupBadParam, apierr.MessageTooLong)
			if got := apierr.CodeOf(err); got != c.want {
				t.Fatalf("code %d (%v), want %d", got, err, c.want)
			}
			if c.want == 0 && !json.Valid(out) {
				t.Fatalf("accepted body is not valid JSON: %s", out)
			}
		})
	}
}

// FuzzCheckBody: no input panics; an accepted body is a compact JSON array
// of at most MaxBodyBytes, and checking it again accepts it unchanged.
func FuzzCheckBody(f *testing.F) {
	for _, s := range []string{`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]`, `[]`, `[{"MsgType":"TIMFaceElem","MsgContent":{"Index":1e3}}]`, `[{`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		out, err := CheckBody(body, apierr.GroupBadParam, apierr.MessageTooLong)
		if err != nil {
			if apierr.CodeOf(err) == 0 {
				t.Fatalf("error without an API code: %v", err)
			}
			return
		}
		if len(out) > MaxBodyBytes || out[0] != '[' || !json.Valid(out) {
			t.Fatalf("accepted %q as %q", body, out)
		}
		again, err := CheckBody(out, apierr.GroupBadParam, apierr.MessageTooLong)
		if err != nil || string(again) != string(out) {
			t.Fatalf("re-check of %q: %q, %v", out, again, err)
		}
	})
}
