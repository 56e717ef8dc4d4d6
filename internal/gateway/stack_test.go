package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apitest"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/gateway"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/rest"
	"github.com/hearth-chat/hearth/internal/store/sqlite"
	"github.com/hearth-chat/hearth/internal/topic"
	"github.com/hearth-chat/hearth/internal/usersig"
)

// startStack serves the REST API and a gateway whose Deps change sets (rate
// limits, timeouts the app does not expose), wired as internal/app wires
// them, on a fresh SQLite database with the apitest credentials. The
// returned Server has only its URL: its Call and Must work, its app fields
// are nil.
func startStack(t *testing.T, change func(*gateway.Deps)) *apitest.Server {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	bus := event.NewLocal()
	accounts := account.NewService(db, []string{apitest.Admin}, nil, account.WithChanges(bus))
	groups := group.NewService(db, db, bus, nil, group.WithGrants(permgroup.NewGrants(db, topic.NewReader(db, nil), nil)))
	topics := topic.NewService(db, groups, bus, nil)
	messages := message.NewService(db, groups, topics, bus, nil)
	c2c := message.NewC2C(db, db, bus, nil)
	reads := message.NewReads(db, groups, topics, db, bus, nil)
	verifier := usersig.NewVerifier(apitest.SDKAppID, apitest.SecretKey)
	api := rest.NewServer(rest.Deps{SDKAppID: apitest.SDKAppID, Verifier: verifier, Accounts: accounts, Groups: groups,
		Topics: topics, PermGroups: permgroup.NewService(db, groups, topics, bus, nil), Messages: messages, C2C: c2c, Reads: reads})
	d := gateway.Deps{SDKAppID: apitest.SDKAppID, Verifier: verifier, Accounts: accounts, Groups: groups,
		Messages: messages, C2C: c2c, Reads: reads, Bus: bus}
	if change != nil {
		change(&d)
	}
	gw := gateway.NewServer(d)
	mux := http.NewServeMux()
	mux.Handle("/v4/", api)
	mux.Handle("GET /v1/ws", gw)
	hs := httptest.NewServer(mux)
	t.Cleanup(func() { hs.Close(); gw.Close(); db.Close() })
	return &apitest.Server{URL: hs.URL}
}

// rawDial opens a WebSocket to the gateway without logging in.
func rawDial(t *testing.T, s *apitest.Server) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(wsURL(s), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// rawLogin opens a WebSocket and logs in as user.
func rawLogin(t *testing.T, s *apitest.Server, user string) *websocket.Conn {
	t.Helper()
	ws := rawDial(t, s)
	writeText(t, ws, `{"type":"login","id":"login","sdkappid":`+jsonOf(uint64(apitest.SDKAppID))+`,"identifier":`+jsonOf(user)+`,"usersig":`+jsonOf(apitest.Sig(t, user))+`}`)
	if f := readFrame(t, ws); f.Type != client.TypeLoginOK || f.ID != "login" {
		t.Fatalf("login as %s: %+v", user, f)
	}
	return ws
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func writeText(t *testing.T, ws *websocket.Conn, frame string) {
	t.Helper()
	if err := ws.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		t.Fatalf("write %q: %v", frame, err)
	}
}

// readFrame reads the next frame, failing t if none comes in 10 s.
func readFrame(t *testing.T, ws *websocket.Conn) client.Frame {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, data, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var f client.Frame
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("server frame %q: %v", data, err)
	}
	return f
}

// readAnswer reads the next frame that is not a pushed message or event.
func readAnswer(t *testing.T, ws *websocket.Conn) client.Frame {
	t.Helper()
	for {
		if f := readFrame(t, ws); f.Type != client.TypeMessage && f.Type != client.TypeEvent {
			return f
		}
	}
}

// answers reads frames until every one of ids is answered, skipping pushed
// frames (no id), and returns the answers by id; an id answered twice
// fails t.
func answers(t *testing.T, ws *websocket.Conn, ids ...string) map[string]client.Frame {
	t.Helper()
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	got := map[string]client.Frame{}
	for len(got) < len(want) {
		f := readFrame(t, ws)
		if f.ID == "" {
			continue
		}
		if !want[f.ID] {
			t.Fatalf("answer to an id never sent: %+v", f)
		}
		if prev, dup := got[f.ID]; dup {
			t.Fatalf("id %s answered twice: %+v and %+v", f.ID, prev, f)
		}
		got[f.ID] = f
	}
	return got
}

// closeCode reads until the server closes and returns its close code
// (websocket.CloseAbnormalClosure when no close frame came).
func closeCode(t *testing.T, ws *websocket.Conn) int {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			continue
		}
		if ce, ok := err.(*websocket.CloseError); ok {
			return ce.Code
		}
		t.Fatalf("read ended without a close frame: %v", err)
	}
}
