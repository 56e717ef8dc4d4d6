package rest

import (
	"bytes"
	"encoding/json"
	"testing"
)

// The envelope benchmarks compare encodeOK (the response's fields spliced
// after the fixed envelope prefix) with the plain way: one struct holding
// the envelope and the fields, marshalled at once.
//
//	go test -run '^$' -bench Envelope -benchmem ./internal/rest/

type envelopeBenchResp struct {
	MsgTime int64  `json:"MsgTime"`
	MsgSeq  uint64 `json:"MsgSeq"`
}

func BenchmarkEnvelopeEncodeOK(b *testing.B) {
	resp := &envelopeBenchResp{MsgTime: 1700000000, MsgSeq: 123456}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := encodeOK(&buf, resp); err != nil {
			b.Fatal(err)
		}
	}
	if !json.Valid(buf.Bytes()) {
		b.Fatalf("invalid JSON: %s", buf.Bytes())
	}
}

func BenchmarkEnvelopeBaselineMarshal(b *testing.B) {
	type full struct {
		ActionStatus string `json:"ActionStatus"`
		ErrorCode    int    `json:"ErrorCode"`
		ErrorInfo    string `json:"ErrorInfo"`
		envelopeBenchResp
	}
	resp := full{ActionStatus: "OK", envelopeBenchResp: envelopeBenchResp{MsgTime: 1700000000, MsgSeq: 123456}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(resp); err != nil {
			b.Fatal(err)
		}
	}
}

func TestEncodeOKMatchesPlainMarshal(t *testing.T) {
	var buf bytes.Buffer
	if err := encodeOK(&buf, &envelopeBenchResp{MsgTime: 1, MsgSeq: 2}); err != nil {
		t.Fatal(err)
	}
	if want := `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","MsgTime":1,"MsgSeq":2}`; buf.String() != want {
		t.Fatalf("encodeOK = %s, want %s", buf.String(), want)
	}
}
