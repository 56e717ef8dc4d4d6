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

// exact are limits whose buckets refill over an hour: a burst in a test
// meets them exactly. Each case lowers one of them.
var exact = gateway.Limits{ConnRequests: 100, UserRequests: 100, ConversationSends: 100, Pings: 100, Window: time.Hour}

// burst writes frames without waiting, then reads the answer to each:
// the answers by id.
func burst(t *testing.T, ws *websocket.Conn, frames []string) map[string]client.Frame {
	t.Helper()
	ids := make([]string, len(frames))
	for i, f := range frames {
		ids[i] = fmt.Sprint("r", i)
		writeText(t, ws, fmt.Sprintf(f, ids[i], i+1))
	}
	return answers(t, ws, ids...)
}

// TestRateLimitsAnswerEveryRefusedFrame: N+1 frames in a burst against a
// limit of N: the first N are served, the extra one is answered with the
// service's rate-limit code and its id; nothing is dropped, the session
// stays open.
func TestRateLimitsAnswerEveryRefusedFrame(t *testing.T) {
	const n = 4
	group := `{"type":"send","id":"%s","group_id":"GID","topic_id":"TOPIC","random":%d,"msg_body":` + string(text("x")) + `}`
	cases := []struct {
		name   string
		limit  func(*gateway.Limits)
		frame  string // %s id, %d a random
		served string // the answer type of a served frame
		code   int    // the answer's code to a refused one
	}{
		{"sends into one topic", func(l *gateway.Limits) { l.ConversationSends = n }, group, client.TypeAck, apierr.GroupRateLimited},
		{"one-to-one sends", func(l *gateway.Limits) { l.ConversationSends = n },
			`{"type":"send","id":"%s","to":"peer","random":%d,"msg_body":` + string(text("x")) + `}`, client.TypeAck, apierr.APIRateLimited},
		{"syncs on one connection", func(l *gateway.Limits) { l.ConnRequests = n },
			`{"type":"sync","id":"%s","streams":[{"peer":"peer","after_time":%d}]}`, client.TypeSyncDone, apierr.APIRateLimited},
		{"sends on one connection", func(l *gateway.Limits) { l.ConnRequests = n }, group, client.TypeAck, apierr.GroupRateLimited},
		{"unknown frames on one connection", func(l *gateway.Limits) { l.ConnRequests = n },
			`{"type":"shout","id":"%s","random":%d}`, client.TypeError, apierr.APIRateLimited},
		{"pings", func(l *gateway.Limits) { l.Pings = n }, `{"type":"ping","id":"%s","random":%d}`, client.TypePong, apierr.APIRateLimited},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			limits := exact
			c.limit(&limits)
			s := startStack(t, func(d *gateway.Deps) { d.RateLimit, d.Limits = true, limits })
			gid, topicA, topicB := community(t, s, "", "sender", "peer")
			ws := rawLogin(t, s, "sender")
			frames := make([]string, n+1)
			for i := range frames {
				frames[i] = fillIDs(c.frame, gid, topicA)
			}
			got := burst(t, ws, frames)
			for i := range n {
				if f := got[fmt.Sprint("r", i)]; f.Type != c.served || (f.Type == client.TypeError && f.Code == c.code) {
					t.Fatalf("frame %d of the burst answered %+v, want %s", i, f, c.served)
				}
			}
			if f := got[fmt.Sprint("r", n)]; f.Type != client.TypeError || f.Code != c.code {
				t.Fatalf("the extra frame answered %+v, want error %d", f, c.code)
			} else {
				t.Logf("refused: %d %s", f.Code, f.Info)
			}
			// The session stays open; a send into another conversation
			// passes a per-conversation limit.
			if c.name == "sends into one topic" {
				other := burst(t, ws, []string{fillIDs(group, gid, topicB)})
				if f := other["r0"]; f.Type != client.TypeAck {
					t.Fatalf("a send into another topic answered %+v", f)
				}
			}
			if c.name != "pings" {
				writeText(t, ws, `{"type":"ping","id":"still"}`)
				if f := readAnswer(t, ws); f.Type != client.TypePong || f.ID != "still" {
					t.Fatalf("after the burst a ping answered %+v", f)
				}
			}
		})
	}
}

func fillIDs(frame, gid, topicID string) string {
	return strings.NewReplacer("GID", gid, "TOPIC", topicID).Replace(frame)
}

// TestUserRateLimitSpansConnections: a user's connections on a node share
// one request budget; another user's is their own.
func TestUserRateLimitSpansConnections(t *testing.T) {
	limits := exact
	limits.UserRequests = 5
	s := startStack(t, func(d *gateway.Deps) { d.RateLimit, d.Limits = true, limits })
	s.ImportAccounts(t, "multi", "other")
	sync := `{"type":"sync","id":"%s","streams":[{"peer":"other","after_time":%d}]}`
	a, b := rawLogin(t, s, "multi"), rawLogin(t, s, "multi")
	for id, f := range burst(t, a, []string{sync, sync, sync}) {
		if f.Type != client.TypeSyncDone {
			t.Fatalf("first connection: %s answered %+v", id, f)
		}
	}
	got := burst(t, b, []string{sync, sync, sync})
	if got["r0"].Type != client.TypeSyncDone || got["r1"].Type != client.TypeSyncDone {
		t.Fatalf("second connection, within the user's budget: %+v", got)
	}
	if f := got["r2"]; f.Type != client.TypeError || f.Code != apierr.APIRateLimited {
		t.Fatalf("second connection, over the user's budget: %+v, want error %d", f, apierr.APIRateLimited)
	}
	// A new connection of the same user does not get a fresh budget.
	c := rawLogin(t, s, "multi")
	if f := burst(t, c, []string{sync})["r0"]; f.Code != apierr.APIRateLimited {
		t.Fatalf("third connection: %+v, want error %d", f, apierr.APIRateLimited)
	}
	o := rawLogin(t, s, "other")
	if f := burst(t, o, []string{sync})["r0"]; f.Type != client.TypeSyncDone {
		t.Fatalf("another user: %+v", f)
	}
}

// TestDefaultRateLimitsAreOnWithRateLimit: a server started with
// --rate-limit on limits sockets with the default numbers: a burst of three
// times DefaultPings pings has refusals, each answered with 60007 and its
// id.
func TestDefaultRateLimitsAreOnWithRateLimit(t *testing.T) {
	s := apitest.Start(t, apitest.Options{RateLimit: true})
	ws := rawLogin(t, s, "pinger")
	frames := make([]string, 3*gateway.DefaultPings)
	for i := range frames {
		frames[i] = `{"type":"ping","id":"%s","random":%d}`
	}
	pongs, refused := 0, 0
	for id, f := range burst(t, ws, frames) {
		switch {
		case f.Type == client.TypePong:
			pongs++
		case f.Type == client.TypeError && f.Code == apierr.APIRateLimited:
			refused++
		default:
			t.Fatalf("%s answered %+v", id, f)
		}
	}
	if pongs < gateway.DefaultPings || refused == 0 {
		t.Fatalf("%d pongs and %d refusals for %d pings, want at least %d pongs and a refusal", pongs, refused, len(frames), gateway.DefaultPings)
	}
}
