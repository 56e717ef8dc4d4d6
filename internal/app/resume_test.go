package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/client"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// startCommunity starts a server process over a new data directory (args
// start it again over the same) with the accounts owner and reader and a
// community of both with one topic; must calls a REST API and fails t on
// an error code.
func startCommunity(t *testing.T) (p *proc, args []string, must func(addr, api, body string) map[string]any, gid, tid string) {
	t.Helper()
	args = []string{"--data", t.TempDir(), "--sdkappid", "1400000009", "--secret-key", testKey}
	p = startProc(t, args...)
	must = func(addr, api, body string) map[string]any {
		t.Helper()
		r := post(t, adminURL(t, addr, api), body)
		if r["ErrorCode"] != 0.0 {
			t.Fatalf("%s: %v", api, r)
		}
		return r
	}
	must(p.addr, "im_open_login_svc/multiaccount_import", `{"Accounts":["owner","reader"]}`)
	gid = must(p.addr, "group_open_http_svc/create_group", `{"Type":"Community","Name":"c","SupportTopic":1,"Owner_Account":"owner","MemberList":[{"Member_Account":"reader"}]}`)["GroupId"].(string)
	tid = must(p.addr, "million_group_open_http_svc/create_topic", fmt.Sprintf(`{"GroupId":%q,"TopicName":"t"}`, gid))["TopicId"].(string)
	return p, args, must, gid, tid
}

// dialAs logs user in over the WebSocket of the server at addr, with a
// user signature of testKey.
func dialAs(ctx context.Context, t *testing.T, addr, user string) *client.Conn {
	t.Helper()
	sig, err := tencentyun.GenUserSig(1400000009, testKey, user, 3600)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(ctx, "ws://"+addr+"/v1/ws", 1400000009, user, sig)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// kill9AndRestart kills p with SIGKILL, waits for it to end and starts the
// server again over args (the same data directory).
func kill9AndRestart(t *testing.T, p *proc, args []string) *proc {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
	return startProc(t, args...)
}

// TestKill9AfterSendThenResume: a message answered OK over REST survives a
// SIGKILL of the server; after the restart it is in history and a client
// that resumes from the sequence before it receives it.
func TestKill9AfterSendThenResume(t *testing.T) {
	p, args, must, gid, tid := startCommunity(t)
	send := func(addr string, i int) uint64 {
		r := must(addr, "group_open_http_svc/send_group_msg", fmt.Sprintf(`{"GroupId":%q,"TopicId":%q,"Random":%d,"From_Account":"owner","MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"m%d"}}]}`, gid, tid, i, i))
		return uint64(r["MsgSeq"].(float64))
	}
	for i := 1; i <= 5; i++ {
		send(p.addr, i)
	}
	last := send(p.addr, 6)
	p2 := kill9AndRestart(t, p, args)
	r := must(p2.addr, "group_open_http_svc/group_msg_get_simple", fmt.Sprintf(`{"GroupId":%q,"TopicId":%q,"ReqMsgNumber":1}`, gid, tid))
	if got := r["RspMsgList"].([]any)[0].(map[string]any)["MsgSeq"].(float64); uint64(got) != last {
		t.Fatalf("newest message after kill -9 has seq %v, want %d", got, last)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dialAs(ctx, t, p2.addr, "reader")
	defer c.Close()
	if err := c.Sync(ctx, []client.Stream{{GroupID: gid, TopicID: tid, AfterSeq: last - 1}}); err != nil {
		t.Fatal(err)
	}
	select {
	case f := <-c.Frames():
		var body []map[string]any
		_ = json.Unmarshal(f.MsgBody, &body)
		if f.Type != client.TypeMessage || f.Seq != last || body[0]["MsgContent"].(map[string]any)["Text"] != "m6" {
			t.Fatalf("resumed frame %+v", f)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the resumed client got nothing")
	}
}
