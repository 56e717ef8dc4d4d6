package gateway_test

import (
	"compress/zlib"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/presence"
	"github.com/hearth-chat/hearth/internal/usersig"
)

// TestPresenceEnds: the gateway announces a user's last session's end with
// why it ended: a normal close, a lost link, silence past the idle
// timeout, a kick.
func TestPresenceEnds(t *testing.T) {
	ctx := context.Background()
	const app, key = 1400000003, "k"
	bus := event.NewLocal()
	ends := make(chan presence.Changed, 16)
	defer bus.Subscribe(func(e event.Event) {
		if c, ok := e.Change.(presence.Changed); ok && c.Edge != presence.NoEdge {
			ends <- c
		}
	})()
	url := serveSQLiteGateway(t, app, key, bus, time.Hour, 300*time.Millisecond)
	rawLogin := func(t *testing.T, user string) *websocket.Conn {
		sig, _ := usersig.Sign(app, key, user, time.Now(), time.Hour, zlib.BestSpeed)
		c, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(client.Frame{Type: client.TypeLogin, SDKAppID: app, Identifier: user, UserSig: sig, Platform: "Web"})
		c.WriteMessage(websocket.TextMessage, b)
		if _, m, err := c.ReadMessage(); err != nil || !strings.Contains(string(m), client.TypeLoginOK) {
			t.Fatalf("login: %s %v", m, err)
		}
		return c
	}
	for _, c := range []struct {
		name string
		end  func(*websocket.Conn, string)
		want presence.End
	}{
		{"normal close", func(c *websocket.Conn, _ string) {
			c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
		}, presence.EndLogout},
		{"going away is no logout", func(c *websocket.Conn, _ string) {
			c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""))
		}, presence.EndLink},
		{"link lost", func(c *websocket.Conn, _ string) { c.NetConn().Close() }, presence.EndLink},
		{"silent past the idle timeout", func(*websocket.Conn, string) {}, presence.EndTimeout},
		{"kicked", func(_ *websocket.Conn, user string) {
			bus.Publish(event.Of(ctx, account.Kicked{User: user}, time.Now()))
		}, presence.EndKicked},
	} {
		t.Run(c.name, func(t *testing.T) {
			user := strings.ReplaceAll(c.name, " ", "_")
			conn := rawLogin(t, user)
			defer conn.Close()
			if got := <-ends; got.Edge != presence.Online || got.User != user || got.Platform != presence.Web {
				t.Fatalf("login announced %+v, want the Online edge of %s on Web", got, user)
			}
			c.end(conn, user)
			select {
			case got := <-ends:
				if got.Edge != presence.Offline || got.End != c.want || got.User != user {
					t.Fatalf("end announced %+v, want the Offline edge of %s, end %q", got, user, c.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no Offline edge in 5 s")
			}
		})
	}
}
