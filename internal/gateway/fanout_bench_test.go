package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apitest"
)

// The fan-out benchmarks measure one sender posting into a topic whose
// members are all connected over loopback WebSockets: deliveries per second
// and send-to-receive latency. BenchmarkFanoutBare is the baseline: the same
// WebSocket library writing the same frames to the same number of
// connections, one writer goroutine per connection, nothing else. Members:
// HEARTH_FANOUT_MEMBERS (default 1000).
//
//	HEARTH_FANOUT_MEMBERS=5000 go test -run '^$' -bench Fanout -benchtime 200x ./internal/gateway/

func fanoutMembers() int {
	if n, err := strconv.Atoi(os.Getenv("HEARTH_FANOUT_MEMBERS")); err == nil && n > 0 {
		return n
	}
	return 1000
}

// latencies collects send-to-receive times and counts deliveries.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
	got chan struct{}
}

func (l *latencies) record(body []byte) {
	var elems []struct {
		MsgContent struct{ Text string }
	}
	if json.Unmarshal(body, &elems) != nil || len(elems) == 0 {
		return
	}
	ns, err := strconv.ParseInt(elems[0].MsgContent.Text, 10, 64)
	if err != nil {
		return
	}
	d := time.Since(time.Unix(0, ns))
	l.mu.Lock()
	l.all = append(l.all, d)
	l.mu.Unlock()
	l.got <- struct{}{}
}

func (l *latencies) report(b *testing.B, members int) {
	b.StopTimer()
	l.mu.Lock()
	defer l.mu.Unlock()
	slices.Sort(l.all)
	if len(l.all) == 0 {
		return
	}
	b.ReportMetric(float64(len(l.all))/b.Elapsed().Seconds(), "deliveries/s")
	b.ReportMetric(float64(l.all[len(l.all)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(l.all[len(l.all)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(members), "members")
}

// readFrames reads message frames from ws until it closes.
func readFrames(ws *websocket.Conn, l *latencies) {
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var f client.Frame
		if json.Unmarshal(data, &f) == nil && f.Type == client.TypeMessage {
			l.record(f.MsgBody)
		}
	}
}

func stamp() json.RawMessage {
	return json.RawMessage(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"` + strconv.FormatInt(time.Now().UnixNano(), 10) + `"}}]`)
}

// waitAll waits for n deliveries.
func waitAll(b *testing.B, l *latencies, n int) {
	timeout := time.After(60 * time.Second)
	for i := 0; i < n; i++ {
		select {
		case <-l.got:
		case <-timeout:
			b.Fatalf("only %d of %d deliveries in 60s", i, n)
		}
	}
}

func BenchmarkFanoutHearth(b *testing.B) {
	n := fanoutMembers()
	s := apitest.Start(b, apitest.Options{})
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("f%05d", i)
	}
	s.ImportAccounts(b, append(ids, "sender")...)
	gid := s.Must(b, "group_open_http_svc/import_group", `{"Type":"Community","Name":"f","SupportTopic":1,"Owner_Account":"sender"}`)["GroupId"].(string)
	for i := 0; i < n; i += 300 {
		items := make([]string, 0, 300)
		for _, id := range ids[i:min(i+300, n)] {
			items = append(items, `{"Member_Account":"`+id+`"}`)
		}
		s.Must(b, "group_open_http_svc/import_group_member", `{"GroupId":"`+gid+`","MemberList":[`+strings.Join(items, ",")+`]}`)
	}
	tid := s.Must(b, "million_group_open_http_svc/create_topic", `{"GroupId":"`+gid+`","TopicName":"t"}`)["TopicId"].(string)
	l := &latencies{got: make(chan struct{}, n)}
	for _, id := range ids {
		ws, _, err := websocket.DefaultDialer.Dial(wsURL(s), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer ws.Close()
		ws.WriteJSON(client.Frame{Type: client.TypeLogin, SDKAppID: apitest.SDKAppID, Identifier: id, UserSig: apitest.Sig(b, id)})
		var ok client.Frame
		if err := ws.ReadJSON(&ok); err != nil || ok.Type != client.TypeLoginOK {
			b.Fatalf("login %s: %+v %v", id, ok, err)
		}
		go readFrames(ws, l)
	}
	sender, err := client.Dial(context.Background(), wsURL(s), apitest.SDKAppID, "sender", apitest.Sig(b, "sender"))
	if err != nil {
		b.Fatal(err)
	}
	defer sender.Close()
	go func() {
		for range sender.Frames() { // the sender's own pushes
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := sender.Send(context.Background(), gid, tid, uint32(i), stamp()); err != nil {
			b.Fatal(err)
		}
		waitAll(b, l, n)
	}
	l.report(b, n)
}

func BenchmarkFanoutBare(b *testing.B) {
	n := fanoutMembers()
	upgrader := websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096}
	var mu sync.Mutex
	var queues []chan []byte
	ready := make(chan struct{}, n)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		q := make(chan []byte, 1024)
		mu.Lock()
		queues = append(queues, q)
		mu.Unlock()
		ready <- struct{}{}
		for frame := range q {
			if ws.WriteMessage(websocket.TextMessage, frame) != nil {
				return
			}
		}
	}))
	defer hs.Close()
	l := &latencies{got: make(chan struct{}, n)}
	url := "ws" + strings.TrimPrefix(hs.URL, "http")
	for i := 0; i < n; i++ {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer ws.Close()
		<-ready
		go readFrames(ws, l)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		frame, _ := json.Marshal(client.Frame{Type: client.TypeMessage, GroupID: "g", TopicID: "t", Seq: uint64(i + 1), From: "sender", Time: time.Now().Unix(), Random: uint32(i), MsgBody: stamp()})
		mu.Lock()
		for _, q := range queues {
			q <- frame
		}
		mu.Unlock()
		waitAll(b, l, n)
	}
	l.report(b, n)
	mu.Lock()
	for _, q := range queues {
		close(q)
	}
	mu.Unlock()
}
