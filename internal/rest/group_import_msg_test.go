package rest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/apitest"
)

func TestImportGroupMsg(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "old1", "old2")
		gid := s.Must(t, gs+"import_group", `{"Type":"Public","Name":"old","CreateTime":1500000000,"MemberList":[{"Member_Account":"old1"},{"Member_Account":"old2"}]}`)["GroupId"].(string)
		item := func(from string, at int64, random int) string {
			return fmt.Sprintf(`{"From_Account":%q,"SendTime":%d,"Random":%d,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"t%d"}}]}`, from, at, random, at)
		}
		future := time.Now().Unix() + 3600
		r := s.Must(t, gs+"import_group_msg", `{"GroupId":"`+gid+`","MsgList":[`+item("old1", 1600000001, 1)+`,`+item("old2", 1600000002, 2)+`,`+item("old1", future, 3)+`]}`)
		if got := fmt.Sprint(r.List("ImportMsgResult")); got != fmt.Sprintf("[map[MsgSeq:1 MsgTime:1.600000001e+09 Result:0] map[MsgSeq:2 MsgTime:1.600000002e+09 Result:0] map[MsgSeq:0 MsgTime:%g Result:2]]", float64(future)) {
			t.Fatalf("ImportMsgResult %s", got)
		}
		// The same message again is a duplicate; an older time than the latest fails.
		r = s.Must(t, gs+"import_group_msg", `{"GroupId":"`+gid+`","MsgList":[`+item("old2", 1600000002, 2)+`,`+item("old1", 1500000500, 4)+`]}`)
		if got := fmt.Sprint(r.List("ImportMsgResult")); got != "[map[MsgSeq:2 MsgTime:1.600000002e+09 Result:1] map[MsgSeq:0 MsgTime:1.5000005e+09 Result:2]]" {
			t.Fatalf("second import %s", got)
		}
		h := s.Must(t, gs+"group_msg_get_simple", `{"GroupId":"`+gid+`","ReqMsgNumber":20}`)
		if n := len(h.List("RspMsgList")); n != 2 || h.List("RspMsgList")[0].(map[string]any)["MsgTimeStamp"] != 1600000002.0 {
			t.Fatalf("history after import: %v", h)
		}
		av := s.Must(t, gs+"create_group", `{"Type":"AVChatRoom","Name":"live"}`)["GroupId"].(string)
		for _, c := range []struct {
			name, body string
			want       int
		}{
			{"8 messages", `{"GroupId":"` + gid + `","MsgList":[` + item("old1", 1, 1) + `,` + item("old1", 2, 1) + `,` + item("old1", 3, 1) + `,` + item("old1", 4, 1) + `,` + item("old1", 5, 1) + `,` + item("old1", 6, 1) + `,` + item("old1", 7, 1) + `,` + item("old1", 8, 1) + `]}`, 10004},
			{"no messages", `{"GroupId":"` + gid + `","MsgList":[]}`, 10004},
			{"AVChatRoom", `{"GroupId":"` + av + `","MsgList":[` + item("old1", 1600000003, 1) + `]}`, 10007},
			{"missing group", `{"GroupId":"nope","MsgList":[` + item("old1", 1600000003, 1) + `]}`, 10010},
			{"bad body", `{"GroupId":"` + gid + `","MsgList":[{"From_Account":"old1","SendTime":1600000003,"MsgBody":[]}]}`, 10004},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, gs+"import_group_msg", c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
	})
}

func TestSendGroupMsgOnlineOnlyAndAtAll(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "boss", "adm", "mem")
		gid := s.Must(t, gs+"create_group", `{"Type":"Public","Name":"p","Owner_Account":"boss","MemberList":[{"Member_Account":"adm","Role":"Admin"},{"Member_Account":"mem"}]}`)["GroupId"].(string)
		body := `"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"x"}}]`
		r := s.Must(t, gs+"send_group_msg", `{"GroupId":"`+gid+`","Random":1,"OnlineOnlyFlag":1,`+body+`}`)
		if r["MsgSeq"].(float64) != 0 {
			t.Fatalf("an online-only message got seq %v", r["MsgSeq"])
		}
		if h := s.Must(t, gs+"group_msg_get_simple", `{"GroupId":"`+gid+`","ReqMsgNumber":5}`); len(h.List("RspMsgList")) != 0 {
			t.Fatalf("an online-only message was stored: %v", h)
		}
		at := `"GroupAtInfo":[{"GroupAtAllFlag":1}]`
		for _, c := range []struct {
			from string
			want int
		}{{"boss", 0}, {"adm", 0}, {"mem", 10007}} {
			if r := s.Call(t, gs+"send_group_msg", `{"GroupId":"`+gid+`","From_Account":"`+c.from+`","Random":2,`+at+`,`+body+`}`); r.Code() != c.want {
				t.Fatalf("@all from %s: %v, want %d", c.from, r, c.want)
			}
		}
		// @ one member needs no special permission.
		s.Must(t, gs+"send_group_msg", `{"GroupId":"`+gid+`","From_Account":"mem","Random":3,"GroupAtInfo":[{"GroupAtAllFlag":0,"GroupAt_Account":"adm"}],`+body+`}`)
	})
}
