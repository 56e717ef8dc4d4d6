package bench

import (
	"bytes"
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hearth-chat/hearth/client"
)

// rampTimeout bounds how long opening a scenario's connections may take.
const rampTimeout = 2 * time.Minute

// wsDialer is the bench's WebSocket client: the same library as the
// servers, small buffers to keep the load generator's memory low.
var wsDialer = &websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 1024, HandshakeTimeout: 10 * time.Second}

// dialAll opens a logged-in WebSocket connection for each of ids (whose
// UserSigs are sigs), conc at a time, and starts read(i, ws) on each in a
// goroutine of its own. It records each dial-and-login time in rec, and a
// failure by its code. conns[i] is nil where the connection failed.
func dialAll(ctx context.Context, url string, sdkAppID uint64, ids, sigs []string, conc int, rec *recorder,
	read func(i int, ws *websocket.Conn)) (conns []*websocket.Conn) {
	ctx, cancel := context.WithTimeout(ctx, rampTimeout)
	defer cancel()
	conns = make([]*websocket.Conn, len(ids))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(conc, len(ids)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ids) || ctx.Err() != nil {
					return
				}
				t := time.Now()
				ws, code := login(ctx, url, sdkAppID, ids[i], sigs[i])
				if ws == nil {
					rec.fail(code)
					continue
				}
				rec.ok(time.Since(t))
				conns[i] = ws
				go read(i, ws)
			}
		})
	}
	wg.Wait()
	return conns
}

// login dials url and logs in; on failure it returns a nil conn and the
// failure's code.
func login(ctx context.Context, url string, sdkAppID uint64, id, sig string) (*websocket.Conn, string) {
	ws, _, err := wsDialer.DialContext(ctx, url, nil)
	if err != nil {
		return nil, "dial"
	}
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := ws.WriteJSON(client.Frame{Type: client.TypeLogin, ID: "1", SDKAppID: sdkAppID, Identifier: id, UserSig: sig}); err != nil {
		ws.Close()
		return nil, "net"
	}
	var ans client.Frame
	if err := ws.ReadJSON(&ans); err != nil {
		ws.Close()
		return nil, "net"
	}
	if ans.Type != client.TypeLoginOK {
		ws.Close()
		if ans.Code != 0 {
			return nil, strconv.Itoa(ans.Code)
		}
		return nil, "login"
	}
	ws.SetReadDeadline(time.Time{})
	return ws, ""
}

// discard reads and drops every frame until the connection ends; reading
// is what answers the server's pings.
func discard(_ int, ws *websocket.Conn) {
	for {
		if _, _, err := ws.NextReader(); err != nil {
			return
		}
	}
}

// closeAll closes every open connection.
func closeAll(conns []*websocket.Conn) {
	for _, ws := range conns {
		if ws != nil {
			ws.Close()
		}
	}
}

// openCount is how many of conns are open.
func openCount(conns []*websocket.Conn) int {
	n := 0
	for _, ws := range conns {
		if ws != nil {
			n++
		}
	}
	return n
}

// A fan-out message's text starts with a stamp: "hb:<sender>:<unix ns>:".
var stampMark = []byte("hb:")

// appendStamp appends the stamp of sender at t, padded with x to size
// bytes.
func appendStamp(dst []byte, sender int, t time.Time, size int) []byte {
	start := len(dst)
	dst = append(dst, stampMark...)
	dst = strconv.AppendInt(dst, int64(sender), 10)
	dst = append(dst, ':')
	dst = strconv.AppendInt(dst, t.UnixNano(), 10)
	dst = append(dst, ':')
	for len(dst)-start < size {
		dst = append(dst, 'x')
	}
	return dst
}

// parseStamp finds a stamp in a frame.
func parseStamp(frame []byte) (sender int, sent time.Time, ok bool) {
	i := bytes.Index(frame, stampMark)
	if i < 0 {
		return 0, time.Time{}, false
	}
	rest := frame[i+len(stampMark):]
	a := bytes.IndexByte(rest, ':')
	if a < 0 {
		return 0, time.Time{}, false
	}
	b := bytes.IndexByte(rest[a+1:], ':')
	if b < 0 {
		return 0, time.Time{}, false
	}
	s, err1 := strconv.Atoi(string(rest[:a]))
	ns, err2 := strconv.ParseInt(string(rest[a+1:a+1+b]), 10, 64)
	if err1 != nil || err2 != nil || s < 0 {
		return 0, time.Time{}, false
	}
	return s, time.Unix(0, ns), true
}
