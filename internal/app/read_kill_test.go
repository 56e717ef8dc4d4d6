package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestKill9KeepsReadPositions: a read position answered over the WebSocket
// and a one-to-one read time answered over REST survive a SIGKILL of the
// server; after the restart the unread counts are what they were.
func TestKill9KeepsReadPositions(t *testing.T) {
	p, args, must, gid, tid := startCommunity(t)
	for i := 1; i <= 5; i++ {
		must(p.addr, "group_open_http_svc/send_group_msg", fmt.Sprintf(`{"GroupId":%q,"TopicId":%q,"Random":%d,"From_Account":"owner","MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"m%d"}}]}`, gid, tid, i, i))
		must(p.addr, "openim/sendmsg", fmt.Sprintf(`{"From_Account":"owner","To_Account":"reader","MsgRandom":%d,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"c%d"}}]}`, i, i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := dialAs(ctx, t, p.addr, "reader")
	if st, err := c.Read(ctx, gid, tid, 3); err != nil || st.Unread != 2 {
		t.Fatalf("read to 3 = %+v, %v", st, err)
	}
	must(p.addr, "openim/admin_set_msg_read", `{"Report_Account":"reader","Peer_Account":"owner"}`)
	c.Close()
	p2 := kill9AndRestart(t, p, args)
	r := must(p2.addr, "million_group_open_http_svc/get_topic", fmt.Sprintf(`{"GroupId":%q,"From_Account":"reader"}`, gid))
	self := r["TopicAndSelfInfo"].([]any)[0].(map[string]any)["SelfInfo"].(map[string]any)
	if self["MsgSeq"] != 3.0 || self["UnreadMsgNum"] != 2.0 {
		t.Errorf("after kill -9 the reader's topic SelfInfo is %v; want MsgSeq 3, UnreadMsgNum 2", self)
	}
	if r := must(p2.addr, "openim/get_c2c_unread_msg_num", `{"To_Account":"reader"}`); r["AllC2CUnreadMsgNum"] != 0.0 {
		t.Errorf("after kill -9 the reader's one-to-one unread is %v; want 0", r["AllC2CUnreadMsgNum"])
	}
}
