package gateway_test

import (
	"compress/zlib"
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/gateway"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/store/sqlite"
	"github.com/hearth-chat/hearth/internal/topic"
	"github.com/hearth-chat/hearth/internal/usersig"
)

// serveSQLiteGateway serves a gateway alone, for app with key, on a fresh
// SQLite database, publishing on bus, pinging every ping and closing
// sessions silent for idle; it returns its WebSocket URL. The server and
// the database close when t ends.
func serveSQLiteGateway(t *testing.T, app uint64, key string, bus event.Bus, ping, idle time.Duration) string {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	accounts := account.NewService(db, []string{"admin"}, nil)
	groups := group.NewService(db, db, bus, nil)
	topics := topic.NewService(db, groups, bus, nil)
	gw := gateway.NewServer(gateway.Deps{SDKAppID: app, Verifier: usersig.NewVerifier(app, key), Accounts: accounts, Groups: groups,
		Messages: message.NewService(db, groups, topics, bus, nil), C2C: message.NewC2C(db, db, bus, nil), Bus: bus,
		PingInterval: ping, IdleTimeout: idle})
	hs := httptest.NewServer(gw)
	t.Cleanup(func() { hs.Close(); gw.Close(); db.Close() })
	return "ws" + strings.TrimPrefix(hs.URL, "http")
}

// TestHeartbeatClosesADeadPeer: a peer that answers no ping and sends
// nothing is closed after the idle timeout; a live client (whose library
// answers pings while it reads) stays.
func TestHeartbeatClosesADeadPeer(t *testing.T) {
	ctx := context.Background()
	const app, key = 1400000003, "k"
	url := serveSQLiteGateway(t, app, key, event.NewLocal(), 100*time.Millisecond, 400*time.Millisecond)
	sig := func(id string) string {
		s, _ := usersig.Sign(app, key, id, time.Now(), time.Hour, zlib.BestSpeed)
		return s
	}

	live, err := client.Dial(ctx, url, app, "live", sig("live"))
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()

	dead, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	dead.WriteJSON(client.Frame{Type: client.TypeLogin, SDKAppID: app, Identifier: "dead", UserSig: sig("dead")})
	var ok client.Frame
	if err := dead.ReadJSON(&ok); err != nil || ok.Type != client.TypeLoginOK {
		t.Fatalf("login: %+v %v", ok, err)
	}
	// Stop answering: read nothing (so no pong goes back) for a while.
	time.Sleep(time.Second)
	// The server must have closed the dead peer: reading now drains what was
	// queued and ends with an error well before our own deadline.
	_ = dead.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := dead.ReadMessage()
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the server kept a peer that answered no ping open")
		}
		break
	}
	if err := live.Ping(ctx); err != nil {
		t.Fatalf("a live client was closed too: %v", err)
	}
}
