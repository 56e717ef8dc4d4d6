package gateway_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/apitest"
	"github.com/hearth-chat/hearth/internal/gateway"
)

// malformed are text frames of UTF-8 that are not one well-formed request
// object, with the id the server can recover from each.
var malformed = []struct {
	name, frame, id string
}{
	{"wrong field type", `{"type":"send","id":"w1","group_id":"g","random":"seven","msg_body":[]}`, "w1"},
	{"negative where unsigned", `{"type":"send","id":"w2","group_id":"g","random":-1}`, "w2"},
	{"type not a string", `{"type":7,"id":"w3"}`, "w3"},
	{"wrong type inside a stream", `{"type":"sync","id":"w4","streams":[{"group_id":"g","after_seq":"x"}]}`, "w4"},
	{"streams not an array", `{"type":"sync","id":"w5","streams":{}}`, "w5"},
	{"id not a string", `{"type":"ping","id":5}`, ""},
	{"truncated after the id", `{"type":"ping","id":"t1","server_ti`, "t1"},
	{"truncated before the id", `{"type":"pi`, ""},
	{"unclosed object", `{"type":"ping","id":"t2"`, "t2"},
	{"array", `[]`, ""},
	{"array of a frame", `[{"type":"ping","id":"a1"}]`, ""},
	{"number", `42`, ""},
	{"string", `"x"`, ""},
	{"null", `null`, ""},
	{"true", `true`, ""},
	{"trailing bytes", `{"type":"ping","id":"tr1"} x`, "tr1"},
	{"a second object", `{"type":"ping","id":"tr2"}{"type":"ping","id":"tr3"}`, "tr2"},
	{"not JSON", `hello`, ""},
	{"empty", ``, ""},
	{"whitespace only", " \r\n\t", ""},
}

// TestMalformedFramesAreAnsweredAndTheSessionGoesOn: every malformed frame
// gets an error frame (60003, its id when it has one) and the session
// still sends and pings afterwards.
func TestMalformedFramesAreAnsweredAndTheSessionGoesOn(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	gid, topicA, _ := community(t, s, "", "mal")
	ws := rawLogin(t, s, "mal")
	for i, c := range malformed {
		t.Run(c.name, func(t *testing.T) {
			writeText(t, ws, c.frame)
			f := readAnswer(t, ws)
			if f.Type != client.TypeError || f.Code != apierr.BadJSON || f.ID != c.id || f.Info == "" {
				t.Fatalf("%q answered %+v, want an error frame %d with id %q", c.frame, f, apierr.BadJSON, c.id)
			}
			t.Logf("%s → %s", c.frame, f.Info)
			// The session goes on: the next request is answered, nothing
			// else came first (the second object of a frame is not run).
			writeText(t, ws, `{"type":"ping","id":"after"}`)
			if f := readAnswer(t, ws); f.Type != client.TypePong || f.ID != "after" {
				t.Fatalf("ping after %q answered %+v", c.frame, f)
			}
			writeText(t, ws, fmt.Sprintf(`{"type":"send","id":"s%d","group_id":%q,"topic_id":%q,"random":%d,"msg_body":%s}`, i, gid, topicA, i+1, text("still here")))
			if ack := answers(t, ws, fmt.Sprint("s", i))[fmt.Sprint("s", i)]; ack.Type != client.TypeAck || ack.Seq == 0 {
				t.Fatalf("send after %q answered %+v", c.frame, ack)
			}
		})
	}
}

// TestMalformedFramesBeforeLoginAreAnswered: before its login a
// connection's malformed or non-login frames are answered with an error
// frame and the server waits for the login.
func TestMalformedFramesBeforeLoginAreAnswered(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	ws := rawDial(t, s)
	for _, c := range append(malformed, struct{ name, frame, id string }{"a ping before login", `{"type":"ping","id":"p1"}`, "p1"}) {
		writeText(t, ws, c.frame)
		if f := readFrame(t, ws); f.Type != client.TypeError || f.Code != apierr.BadJSON || f.ID != c.id {
			t.Fatalf("%s: %q answered %+v, want an error frame %d with id %q", c.name, c.frame, f, apierr.BadJSON, c.id)
		}
	}
	writeText(t, ws, `{"type":"login","id":"l","sdkappid":`+jsonOf(uint64(apitest.SDKAppID))+`,"identifier":"late","usersig":`+jsonOf(apitest.Sig(t, "late"))+`}`)
	if f := readFrame(t, ws); f.Type != client.TypeLoginOK || f.ID != "l" {
		t.Fatalf("login after malformed frames: %+v", f)
	}
	// A login frame with a field of the wrong type is malformed too.
	ws2 := rawDial(t, s)
	writeText(t, ws2, `{"type":"login","id":"l2","sdkappid":"1400000001","identifier":"late"}`)
	if f := readFrame(t, ws2); f.Type != client.TypeError || f.Code != apierr.BadJSON || f.ID != "l2" {
		t.Fatalf("login with a string sdkappid: %+v", f)
	}
	// A well-formed login that fails still ends the connection, with 1008.
	writeText(t, ws2, `{"type":"login","id":"l3","sdkappid":`+jsonOf(uint64(apitest.SDKAppID))+`,"identifier":"late","usersig":"x"}`)
	if f := readFrame(t, ws2); f.Code != apierr.SigUndecodable || f.ID != "l3" {
		t.Fatalf("login with a bad UserSig: %+v", f)
	}
	if code := closeCode(t, ws2); code != websocket.ClosePolicyViolation {
		t.Fatalf("close code %d after a failed login, want 1008", code)
	}
}

// TestWebSocketFaultsCloseWithASendableCode: what breaks the WebSocket
// framing itself ends the session, with a close code RFC 6455 allows a
// close frame to carry (never 1006), before or after login.
func TestWebSocketFaultsCloseWithASendableCode(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	cases := []struct {
		name string
		kind int
		data []byte
		want int
	}{
		{"binary frame", websocket.BinaryMessage, []byte(`{"type":"ping","id":"b"}`), websocket.CloseUnsupportedData},
		{"text frame not UTF-8", websocket.TextMessage, []byte("{\"type\":\"ping\",\"id\":\"\xff\xfe\"}"), websocket.CloseInvalidFramePayloadData},
		{"frame over the limit", websocket.TextMessage, []byte(`{"type":"ping","id":"` + strings.Repeat("x", gateway.MaxFrameBytes) + `"}`), websocket.CloseMessageTooBig},
	}
	for i, c := range cases {
		for _, loggedIn := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/logged in %v", c.name, loggedIn), func(t *testing.T) {
				var ws *websocket.Conn
				if loggedIn {
					ws = rawLogin(t, s, fmt.Sprint("fault", i))
				} else {
					ws = rawDial(t, s)
				}
				if err := ws.WriteMessage(c.kind, c.data); err != nil {
					t.Fatal(err)
				}
				if code := closeCode(t, ws); code != c.want {
					t.Fatalf("close code %d, want %d", code, c.want)
				}
			})
		}
	}
}

// TestIdlePeerIsClosedWith4002: a peer silent past the idle timeout gets a
// close frame with 4002, not the 1006 it used to.
func TestIdlePeerIsClosedWith4002(t *testing.T) {
	s := startStack(t, func(d *gateway.Deps) { d.PingInterval, d.IdleTimeout = time.Hour, 300*time.Millisecond })
	ws := rawLogin(t, s, "idle")
	if code := closeCode(t, ws); code != gateway.CloseIdle {
		t.Fatalf("close code %d, want %d", code, gateway.CloseIdle)
	}
}
