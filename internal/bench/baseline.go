package bench

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hearth-chat/hearth/client"
)

// The baseline server is what Hearth is measured against: the least a
// server must do to answer the same requests over the same transports.
// REST: a bare net/http handler that reads the body, decodes the same
// request JSON and writes the same envelope, with no checks, no store and no
// rules. WebSocket: a bare broadcaster on the same library (gorilla), with
// the same buffer sizes, a write goroutine and a 1,024-frame queue per
// connection like Hearth's sessions, that answers a login without checking
// it and writes every sent message to every connection.

// maxBody is the REST body limit, as Hearth's.
const maxBody = 1 << 20

// baselineSendQueue is the baseline's per-connection queue, as Hearth's
// gateway.SendQueue.
const baselineSendQueue = 1024

// newBaseline returns the baseline's whole HTTP surface: /v4/ (REST),
// /v1/ws (WebSocket) and /metrics (Go runtime metrics, as Hearth serves).
func newBaseline() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector())
	b := &bareWS{upgrader: websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096,
		CheckOrigin: func(*http.Request) bool { return true }}}
	mux := http.NewServeMux()
	mux.Handle("POST /v4/million_group_open_http_svc/modify_topic", bareREST(func(req *bareModifyTopicReq) any { return nil }))
	mux.Handle("POST /v4/million_group_open_http_svc/get_topic", bareREST(bareGetTopic))
	var seq atomic.Uint64
	mux.Handle("POST /v4/group_open_http_svc/send_group_msg", bareREST(func(req *bareSendReq) any {
		return &bareSendResp{MsgTime: time.Now().Unix(), MsgSeq: seq.Add(1)}
	}))
	mux.Handle("GET /v1/ws", b)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

// okEnvelope is the envelope of every OK answer, as Hearth writes it.
type okEnvelope struct {
	ActionStatus string `json:"ActionStatus"`
	ErrorCode    int    `json:"ErrorCode"`
	ErrorInfo    string `json:"ErrorInfo"`
}

// bareREST decodes the body into a Req, calls fn and writes the OK envelope
// merged with fn's answer (an object, or nil for the bare envelope).
func bareREST[Req any](fn func(*Req) any) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			return
		}
		req := new(Req)
		if err := json.Unmarshal(body, req); err != nil {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, `{"ActionStatus":"FAIL","ErrorCode":60003,"ErrorInfo":"bad JSON"}`)
			return
		}
		var buf bytes.Buffer
		env, _ := json.Marshal(okEnvelope{ActionStatus: "OK"})
		buf.Write(env[:len(env)-1])
		if resp := fn(req); resp != nil {
			out, _ := json.Marshal(resp)
			if len(out) > 2 {
				buf.WriteByte(',')
				buf.Write(out[1 : len(out)-1])
			}
		}
		buf.WriteByte('}')
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		w.Write(buf.Bytes())
	})
}

// The request types carry the same fields as Hearth's.
type bareModifyTopicReq struct {
	GroupID           string  `json:"GroupId"`
	TopicID           string  `json:"TopicId"`
	FromAccount       string  `json:"From_Account"`
	TopicName         *string `json:"TopicName"`
	CustomString      *string `json:"CustomString"`
	FaceURL           *string `json:"FaceUrl"`
	Notification      *string `json:"Notification"`
	Introduction      *string `json:"Introduction"`
	MuteAllMember     *string `json:"MuteAllMember"`
	DefaultPermission *uint64 `json:"DefaultPermission"`
}

type bareGetTopicReq struct {
	GroupID        string   `json:"GroupId"`
	FromAccount    string   `json:"From_Account"`
	TopicIDList    []string `json:"TopicIdList"`
	ResponseFilter []string `json:"ResponseFilter"`
}

type bareTopicItem struct {
	ErrorCode int            `json:"ErrorCode"`
	ErrorInfo string         `json:"ErrorInfo"`
	TopicInfo map[string]any `json:"TopicInfo"`
}

type bareGetTopicResp struct {
	TopicAndSelfInfo []bareTopicItem `json:"TopicAndSelfInfo"`
}

// bareGetTopic answers every requested topic with the fields Hearth
// returns, with fixed values.
func bareGetTopic(req *bareGetTopicReq) any {
	out := &bareGetTopicResp{TopicAndSelfInfo: make([]bareTopicItem, len(req.TopicIDList))}
	for i, id := range req.TopicIDList {
		out.TopicAndSelfInfo[i].TopicInfo = map[string]any{
			"TopicId": id, "TopicName": "bench", "GroupID": req.GroupID, "FaceUrl": "",
			"Notification": "n", "Introduction": "", "CustomString": "",
			"CreateTime": int64(1763900000), "LastMsgTime": int64(0), "NextMsgSeq": uint64(1),
			"ShutUpAllFlag": 0, "MuteAllMember": "Off", "DefaultPermission": uint64(0),
		}
	}
	return out
}

type bareSendReq struct {
	GroupID         string          `json:"GroupId"`
	TopicID         string          `json:"TopicId"`
	Random          *uint32         `json:"Random"`
	MsgBody         json.RawMessage `json:"MsgBody"`
	FromAccount     string          `json:"From_Account"`
	MsgPriority     string          `json:"MsgPriority"`
	CloudCustomData string          `json:"CloudCustomData"`
	OnlineOnlyFlag  int             `json:"OnlineOnlyFlag"`
	GroupAtInfo     []struct {
		GroupAtAllFlag int    `json:"GroupAtAllFlag"`
		GroupAtAccount string `json:"GroupAt_Account"`
	} `json:"GroupAtInfo"`
}

type bareSendResp struct {
	MsgTime int64  `json:"MsgTime"`
	MsgSeq  uint64 `json:"MsgSeq"`
}

// bareWS is the bare broadcaster.
type bareWS struct {
	upgrader websocket.Upgrader
	seq      atomic.Uint64
	mu       sync.RWMutex
	conns    map[*bareConn]struct{}
}

type bareConn struct {
	ws   *websocket.Conn
	user string
	send chan []byte
}

func (b *bareWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ws, err := b.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	var login client.Frame
	if err := ws.ReadJSON(&login); err != nil || login.Type != client.TypeLogin {
		return
	}
	c := &bareConn{ws: ws, user: login.Identifier, send: make(chan []byte, baselineSendQueue)}
	ok, _ := json.Marshal(client.Frame{Type: client.TypeLoginOK, ID: login.ID, Identifier: login.Identifier, ServerTime: time.Now().Unix()})
	c.send <- ok
	b.mu.Lock()
	if b.conns == nil {
		b.conns = map[*bareConn]struct{}{}
	}
	b.conns[c] = struct{}{}
	b.mu.Unlock()
	done := make(chan struct{})
	defer func() {
		b.mu.Lock()
		delete(b.conns, c)
		b.mu.Unlock()
		close(done)
	}()
	go c.writePump(done)
	for {
		var f client.Frame
		if err := ws.ReadJSON(&f); err != nil {
			return
		}
		if f.Type == client.TypeSend {
			b.broadcast(c, f)
		}
	}
}

// broadcast acknowledges a send and queues the message for every
// connection, the sender's included (as Hearth pushes to the sender's own
// connections too).
func (b *bareWS) broadcast(from *bareConn, f client.Frame) {
	seq, now := b.seq.Add(1), time.Now().Unix()
	ack, _ := json.Marshal(client.Frame{Type: client.TypeAck, ID: f.ID, GroupID: f.GroupID, TopicID: f.TopicID, Seq: seq, Time: now})
	from.queue(ack)
	msg, _ := json.Marshal(client.Frame{Type: client.TypeMessage, GroupID: f.GroupID, TopicID: f.TopicID, Seq: seq,
		From: from.user, Time: now, Random: f.Random, MsgBody: f.MsgBody})
	b.mu.RLock()
	defer b.mu.RUnlock()
	for c := range b.conns {
		c.queue(msg)
	}
}

// queue queues a frame, dropping it when the connection is that far behind.
func (c *bareConn) queue(frame []byte) {
	select {
	case c.send <- frame:
	default:
	}
}

func (c *bareConn) writePump(done <-chan struct{}) {
	for {
		select {
		case frame := <-c.send:
			if c.ws.WriteMessage(websocket.TextMessage, frame) != nil {
				c.ws.Close()
				return
			}
		case <-done:
			return
		}
	}
}
