package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

func TestEnvelopeCode(t *testing.T) {
	cases := []struct {
		body string
		want int
	}{
		{`{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}`, 0},
		{`{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","MsgSeq":3}`, 0},
		{`{"ActionStatus":"FAIL","ErrorCode":10006,"ErrorInfo":"too fast"}`, 10006},
		{`{"ActionStatus":"FAIL","ErrorInfo":"x","ErrorCode":60003}`, 60003},
		{`not json`, -1},
		{``, -1},
		{`{"ErrorCode":x}`, -1},
	}
	for _, c := range cases {
		if got := envelopeCode([]byte(c.body)); got != c.want {
			t.Errorf("envelopeCode(%s) = %d, want %d", c.body, got, c.want)
		}
	}
}

func TestStamp(t *testing.T) {
	now := time.Unix(1763900000, 123456789)
	for _, size := range []int{1, 40, 300} {
		text := appendStamp(nil, 7, now, size)
		if len(text) < size {
			t.Errorf("size %d: stamp %q is shorter", size, text)
		}
		frame := []byte(`{"type":"message","msg_body":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"` + string(text) + `"}}],"seq":3}`)
		s, sent, ok := parseStamp(frame)
		if !ok || s != 7 || !sent.Equal(now) {
			t.Errorf("size %d: parseStamp = %d, %v, %v; want 7, %v, true", size, s, sent, ok, now)
		}
	}
	for _, frame := range []string{`{"type":"event"}`, `{"Text":"hb:x:1:"}`, `{"Text":"hb:1:"}`, `{"Text":"hb:-1:5:"}`} {
		if _, _, ok := parseStamp([]byte(frame)); ok {
			t.Errorf("parseStamp(%s) found a stamp", frame)
		}
	}
}

func TestRESTBodiesAreJSON(t *testing.T) {
	for name, mk := range restLoads {
		load := mk("@TGS#_g", "@TGS#_g@TOPIC#_t", "owner", 100)
		for _, n := range []uint64{1, 1 << 33} {
			b := load.body(nil, n)
			if !jsonValid(b) {
				t.Errorf("%s: body %s is not JSON", name, b)
			}
		}
	}
}

func TestFormats(t *testing.T) {
	cases := []struct{ got, want string }{
		{thousands(0), "0"},
		{thousands(999), "999"},
		{thousands(1000), "1,000"},
		{thousands(1234567), "1,234,567"},
		{thousands(-12345), "-12,345"},
		{ms(0), "-"},
		{ms(1234 * time.Microsecond), "1.23ms"},
		{ms(45600 * time.Microsecond), "45.6ms"},
		{ms(1500 * time.Millisecond), "1500ms"},
		{bytesIEC(0), "n/a"},
		{bytesIEC(2048), "2.0 KiB"},
		{bytesIEC(-3 << 20), "-3.0 MiB"},
		{bytesIEC(5 << 30), "5.00 GiB"},
		{ratio(0), "-"},
		{ratio(0.456), "0.46x"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestRatios(t *testing.T) {
	h := Measurement{Throughput: 500, Latency: Summary{P50: 4 * time.Millisecond, P99: 9 * time.Millisecond}}
	b := Measurement{Throughput: 1000, Latency: Summary{P50: 2 * time.Millisecond, P99: 3 * time.Millisecond}}
	if got := ratios(h, b); got != (Ratio{Throughput: 0.5, P50: 2, P99: 3}) {
		t.Fatalf("ratios = %+v", got)
	}
	if got := ratios(h, Measurement{}); got != (Ratio{}) {
		t.Fatalf("ratios against nothing = %+v, want zero", got)
	}
}

func TestWriteTable(t *testing.T) {
	rep := &Report{
		Machine:  Machine{CPUs: 2, OS: "linux/amd64", GoVersion: "go1.26"},
		Settings: Settings{Server: ModeChild, Duration: 10, Warmup: 1, Concurrency: 16, Members: 1000, Senders: 2, Connections: 10000, MsgSize: 64},
		Scenarios: []ScenarioResult{
			{
				Name:     "rest-read",
				Hearth:   Measurement{Server: "hearth", Unit: "req/s", Throughput: 5000, Latency: Summary{P50: time.Millisecond}, Errors: map[string]int64{"10006": 3, "net": 1}, StatsScope: scopeServer, ServerCPUPercent: 95, PeakRSS: 30 << 20},
				Baseline: Measurement{Server: "baseline", Unit: "req/s", Throughput: 10000, Latency: Summary{P50: time.Millisecond / 2}, Errors: map[string]int64{}},
				Ratio:    Ratio{Throughput: 0.5, P50: 2},
			},
			{
				Name:     "connect",
				Hearth:   Measurement{Server: "hearth", Unit: "conn/s", Throughput: 1000},
				Baseline: Measurement{Server: "baseline", Unit: "conn/s", Throughput: 2000},
				Ratio:    Ratio{Throughput: 0.5, MemoryPerConn: 1.5},
				Memory: &MemoryResult{Connections: 10000,
					Hearth:   ConnMemory{Open: 10000, Scope: scopeServer, PerConn: 60 << 10, PeakPerConn: 70 << 10},
					Baseline: ConnMemory{Open: 10000, Scope: scopeServer, PerConn: 40 << 10, PeakPerConn: 45 << 10}},
			},
			{Name: "fanout", Error: "boom"},
		},
		Notes: []string{"a note"},
	}
	var out bytes.Buffer
	rep.WriteTable(&out)
	got := out.String()
	for _, want := range []string{
		"rest-read  hearth     5,000 req/s  1.00ms",
		"rest-read  ratio            0.50x   2.00x",
		"95%",
		"30.0 MiB",
		"memory per idle WebSocket connection (10,000 connections, server process)",
		"60.0 KiB",
		"1.50x",
		"rest-read hearth: 10006 x3, net x1",
		"FAILED: fanout: boom",
		"note: a note",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}

func TestOptionsCheck(t *testing.T) {
	ok := DefaultOptions()
	cases := []struct {
		name    string
		change  func(*Options)
		want    []string
		wantErr string
	}{
		{"all", func(*Options) {}, []string{"rest-write", "rest-read", "send", "fanout", "connect"}, ""},
		{"list", func(o *Options) { o.Scenarios = []string{"send, connect"} }, []string{"send", "connect"}, ""},
		{"unknown", func(o *Options) { o.Scenarios = []string{"rest-write,nope"} }, nil, `"nope"`},
		{"none", func(o *Options) { o.Scenarios = []string{" , "} }, nil, "--scenario"},
		{"short duration", func(o *Options) { o.Duration = time.Millisecond }, nil, "--duration"},
		{"long duration", func(o *Options) { o.Duration = time.Hour }, nil, "--duration"},
		{"no concurrency", func(o *Options) { o.Concurrency = 0 }, nil, "--concurrency"},
		{"too many connections", func(o *Options) { o.Connections = MaxConnections + 1 }, nil, "--connections"},
		{"more senders than members", func(o *Options) { o.Members, o.Senders = 2, 3 }, nil, "--senders"},
		{"big message", func(o *Options) { o.MsgSize = MaxMsgSize + 1 }, nil, "--msg-size"},
		{"bad mode", func(o *Options) { o.Mode = "thread" }, nil, "--server"},
		{"target without key", func(o *Options) { o.Target = "http://127.0.0.1:8080" }, nil, "--secret-key"},
		{"target not http", func(o *Options) { o.Target = "ws://x" }, nil, "--target"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := ok
			c.change(&o)
			names, err := o.check()
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want one mentioning %s", err, c.wantErr)
				}
				return
			}
			if err != nil || strings.Join(names, ",") != strings.Join(c.want, ",") {
				t.Fatalf("check = %v, %v; want %v", names, err, c.want)
			}
		})
	}
}

func TestMainFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--rate-limit", "maybe"},
		{"--scenario", "nope"},
		{"extra"},
		{"--duration", "1h"},
	} {
		var stdout bytes.Buffer
		err := Main(context.Background(), args, Env{Stdout: &stdout, Stderr: io.Discard})
		if err == nil || stdout.Len() > 0 {
			t.Errorf("Main(%q) = %v with output %q; want an error and no output", args, err, stdout.String())
		}
	}
}

func jsonValid(b []byte) bool { return json.Valid(b) }
