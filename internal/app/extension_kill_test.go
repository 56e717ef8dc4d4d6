package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/client"
)

// TestKill9KeepsReactions: a reaction (a key of a message's extension)
// answered over the WebSocket survives a SIGKILL of the server; after the
// restart the key and the extension's sequence are what they were, and the
// next write compares against them.
func TestKill9KeepsReactions(t *testing.T) {
	p, args, must, gid, tid := startCommunity(t)
	seq := uint64(must(p.addr, "group_open_http_svc/send_group_msg", fmt.Sprintf(`{"GroupId":%q,"TopicId":%q,"Random":7,"From_Account":"owner","SupportMessageExtension":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"poll"}}]}`, gid, tid))["MsgSeq"].(float64))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := dialAs(ctx, t, p.addr, "reader")
	if ok, err := c.SetKey(ctx, client.Frame{GroupID: gid, TopicID: tid, Seq: seq}, "🎉", "reader", 0); err != nil || ok.ExtSeq != 1 {
		t.Fatalf("ext_set = %+v, %v", ok, err)
	}
	c.Close()
	p2 := kill9AndRestart(t, p, args)
	get := fmt.Sprintf(`{"GroupId":%q,"TopicId":%q,"MsgSeq":%d}`, gid, tid, seq)
	r := must(p2.addr, "openim_msg_ext_http_svc/group_get_key_values", get)
	list, _ := r["ExtensionList"].([]any)
	if len(list) != 1 || r["LatestSeq"] != 1.0 {
		t.Fatalf("after kill -9 the extension is %v; want the one key at LatestSeq 1", r)
	}
	if kv := list[0].(map[string]any); kv["Key"] != "🎉" || kv["Value"] != "reader" || kv["Seq"] != 1.0 {
		t.Errorf("after kill -9 the key is %v", kv)
	}
	// The stored Seq still guards the key: a writer that saw none conflicts.
	r = must(p2.addr, "openim_msg_ext_http_svc/group_set_key_values", fmt.Sprintf(`{"GroupId":%q,"TopicId":%q,"MsgSeq":%d,"OperateType":1,"ExtensionList":[{"Key":"🎉","Value":"x","Seq":0}]}`, gid, tid, seq))
	if code := r["ExtensionList"].([]any)[0].(map[string]any)["ErrorCode"]; code != 23001.0 {
		t.Errorf("a stale write after the restart answered %v, want 23001", code)
	}
}
