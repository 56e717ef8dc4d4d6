package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apitest"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/message"
)

// TestSlowReaderIsClosedNotBuffered: a client that stops reading fills its
// bounded send queue and is closed with 4008 instead of growing the
// server's memory.
func TestSlowReaderIsClosedNotBuffered(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	gid, topicA, _ := community(t, s, "", "slow")
	ws, _, err := websocket.DefaultDialer.DialContext(context.Background(), wsURL(s), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.WriteJSON(client.Frame{Type: client.TypeLogin, SDKAppID: apitest.SDKAppID, Identifier: "slow", UserSig: apitest.Sig(t, "slow")}); err != nil {
		t.Fatal(err)
	}
	var ok client.Frame
	if err := ws.ReadJSON(&ok); err != nil || ok.Type != client.TypeLoginOK {
		t.Fatalf("login: %+v %v", ok, err)
	}
	// Far more than the queue and the socket buffers hold, without reading.
	body := json.RawMessage(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"` + strings.Repeat("x", 4000) + `"}}]`)
	for i := 1; i <= 6000; i++ {
		s.Bus.Publish(event.Of(context.Background(), message.Sent{
			Message: message.Message{GroupID: gid, TopicID: topicA, Seq: uint64(i), From: "x", Body: body}}, time.Now()))
	}
	time.Sleep(time.Second)
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	read := 0
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			read++
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4008 {
			t.Fatalf("after %d frames: %v, want close 4008", read, err)
		}
		break
	}
	if read >= 6000 {
		t.Fatalf("all %d frames arrived: nothing was bounded", read)
	}
	t.Logf("closed with 4008 after %d of 6000 frames", read)
}
