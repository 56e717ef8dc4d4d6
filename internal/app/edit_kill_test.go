package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/client"
)

// TestKill9AfterEdit: an edit answered OK (by REST and by a member over the
// socket) survives a SIGKILL of the server: after the restart history and
// a resuming client see the edited bodies with their edit marks, at the
// same sequences.
func TestKill9AfterEdit(t *testing.T) {
	p, args, must, gid, tid := startCommunity(t)
	text := func(s string) string { return `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"` + s + `"}}]` }
	send := func(i int) uint64 {
		r := must(p.addr, "group_open_http_svc/send_group_msg", fmt.Sprintf(`{"GroupId":%q,"TopicId":%q,"Random":%d,"From_Account":"reader","MsgBody":%s}`, gid, tid, i, text(fmt.Sprint("m", i))))
		return uint64(r["MsgSeq"].(float64))
	}
	first, second := send(1), send(2)
	must(p.addr, "openim/modify_group_msg", fmt.Sprintf(`{"GroupId":%q,"TopicId":%q,"MsgSeq":%d,"MsgBody":%s,"CloudCustomData":"by admin"}`, gid, tid, first, text("edited by admin")))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := dialAs(ctx, t, p.addr, "reader")
	ack, err := c.Edit(ctx, gid, tid, second, []byte(text("edited by reader")))
	if err != nil || ack.Seq != second || !ack.Edited || ack.EditTime == 0 {
		t.Fatalf("edit ack %+v, %v", ack, err)
	}
	c.Close()
	p2 := kill9AndRestart(t, p, args)
	r := must(p2.addr, "group_open_http_svc/group_msg_get_simple", fmt.Sprintf(`{"GroupId":%q,"TopicId":%q,"ReqMsgNumber":2}`, gid, tid))
	list := r["RspMsgList"].([]any)
	want := map[uint64]string{first: "edited by admin", second: "edited by reader"}
	for _, x := range list {
		m := x.(map[string]any)
		seq := uint64(m["MsgSeq"].(float64))
		body := fmt.Sprint(m["MsgBody"])
		if !strings.Contains(body, want[seq]) || m["IsEditedMsg"] != 1.0 || m["MsgEditTime"] == nil {
			t.Errorf("after kill -9, message %d: %v", seq, m)
		}
		if seq == first && m["CloudCustomData"] != "by admin" {
			t.Errorf("after kill -9, CloudCustomData %v", m["CloudCustomData"])
		}
	}
	if len(list) != 2 {
		t.Fatalf("history %v", list)
	}
	c2 := dialAs(ctx, t, p2.addr, "reader")
	defer c2.Close()
	if err := c2.Sync(ctx, []client.Stream{{GroupID: gid, TopicID: tid, AfterSeq: first - 1}}); err != nil {
		t.Fatal(err)
	}
	for _, seq := range []uint64{first, second} {
		select {
		case f := <-c2.Frames():
			if f.Type != client.TypeMessage || f.Seq != seq || !f.Edited || f.EditTime == 0 || !strings.Contains(string(f.MsgBody), want[seq]) {
				t.Fatalf("resumed frame %+v", f)
			}
		case <-ctx.Done():
			t.Fatal("no resumed frame")
		}
	}
}
