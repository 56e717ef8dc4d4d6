package rest_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/apitest"
)

func c2cText(s string) string {
	return `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"` + s + `"}}]`
}

func TestSendMsg(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "ann", "ben")
		r := s.Must(t, "openim/sendmsg", `{"From_Account":"ann","To_Account":"ben","MsgSeq":7,"MsgRandom":99,"MsgBody":`+c2cText("hi")+`}`)
		key, _ := r["MsgKey"].(string)
		if !regexp.MustCompile(`^7_99_\d+$`).MatchString(key) || r["MsgTime"].(float64) < float64(time.Now().Unix()-5) {
			t.Fatalf("answer %v", r)
		}
		if id, _ := r["MsgId"].(string); !regexp.MustCompile(`^\d+-\d+-99$`).MatchString(id) {
			t.Fatalf("MsgId %q", id)
		}
		// A resend within 120 s answers the first message.
		if r2 := s.Must(t, "openim/sendmsg", `{"From_Account":"ann","To_Account":"ben","MsgSeq":7,"MsgRandom":99,"MsgBody":`+c2cText("hi")+`}`); r2["MsgKey"] != key {
			t.Fatalf("resend got %v, want %s", r2["MsgKey"], key)
		}
		cases := []struct {
			name, body string
			want       int
		}{
			{"admin as sender", `{"To_Account":"ben","MsgRandom":1,"MsgBody":` + c2cText("a") + `}`, 0},
			{"online only is not stored", `{"From_Account":"ann","To_Account":"ben","MsgRandom":2,"MsgLifeTime":0,"MsgBody":` + c2cText("gone") + `}`, 0},
			{"no To_Account", `{"From_Account":"ann","MsgRandom":1,"MsgBody":` + c2cText("a") + `}`, 90003},
			{"To_Account not imported", `{"From_Account":"ann","To_Account":"ghost","MsgRandom":1,"MsgBody":` + c2cText("a") + `}`, 90012},
			{"From_Account not imported", `{"From_Account":"ghost","To_Account":"ben","MsgRandom":1,"MsgBody":` + c2cText("a") + `}`, 90048},
			{"no MsgRandom", `{"From_Account":"ann","To_Account":"ben","MsgBody":` + c2cText("a") + `}`, 90005},
			{"bad body", `{"From_Account":"ann","To_Account":"ben","MsgRandom":1,"MsgBody":[{"MsgType":"TIMNope","MsgContent":{}}]}`, 90002},
			{"body over 12 KB", `{"From_Account":"ann","To_Account":"ben","MsgRandom":1,"MsgBody":` + c2cText(strings.Repeat("x", 12300)) + `}`, 93000},
			{"MsgLifeTime over 7 days", `{"From_Account":"ann","To_Account":"ben","MsgRandom":1,"MsgLifeTime":604801,"MsgBody":` + c2cText("a") + `}`, 90026},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, "openim/sendmsg", c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
		r = s.Must(t, "openim/admin_getroammsg", `{"Operator_Account":"ben","Peer_Account":"ann","MaxCnt":10}`)
		if r["MsgCnt"].(float64) != 1 || r["Complete"].(float64) != 1 {
			t.Fatalf("roam %v: want the one stored message (the resend and the online-only one are not stored)", r)
		}
		// Withdraw marks it recalled.
		s.Must(t, "openim/admin_msgwithdraw", `{"From_Account":"ann","To_Account":"ben","MsgKey":"`+key+`"}`)
		r = s.Must(t, "openim/admin_getroammsg", `{"Operator_Account":"ann","Peer_Account":"ben"}`)
		if flags := r.List("MsgList")[0].(map[string]any)["MsgFlagBits"]; flags != 8.0 {
			t.Fatalf("MsgFlagBits after withdraw %v, want 8", flags)
		}
	})
}

func TestBatchSendImportAndRoamPaging(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "a", "b", "c")
		r := s.Must(t, "openim/batchsendmsg", `{"From_Account":"a","To_Account":["b","c","ghost"],"MsgRandom":5,"MsgBody":`+c2cText("all")+`}`)
		if fmt.Sprint(r["ErrorList"]) != "[map[ErrorCode:90012 To_Account:ghost]]" {
			t.Fatalf("ErrorList %v", r["ErrorList"])
		}
		if r := s.Call(t, "openim/batchsendmsg", `{"To_Account":[`+strings.TrimSuffix(strings.Repeat(`"b",`, 501), ",")+`],"MsgRandom":1,"MsgBody":`+c2cText("x")+`}`); r.Code() != 90011 {
			t.Fatalf("501 recipients: %v", r)
		}
		// importmsg: history with old times; the same (seq, random, time) in either direction imports once.
		for i := 1; i <= 12; i++ {
			s.Must(t, "openim/importmsg", fmt.Sprintf(`{"SyncFromOldSystem":2,"From_Account":"b","To_Account":"c","MsgSeq":%d,"MsgRandom":%d,"MsgTimeStamp":%d,"MsgBody":%s}`, i, i, 1600000000+i, c2cText(fmt.Sprint("old", i))))
		}
		s.Must(t, "openim/importmsg", `{"SyncFromOldSystem":2,"From_Account":"c","To_Account":"b","MsgSeq":3,"MsgRandom":3,"MsgTimeStamp":1600000003,"MsgBody":`+c2cText("dup")+`}`)
		if r := s.Call(t, "openim/importmsg", `{"SyncFromOldSystem":2,"From_Account":"b","To_Account":"c","MsgSeq":1,"MsgRandom":1,"MsgBody":`+c2cText("x")+`}`); r.Code() != 90006 {
			t.Fatalf("import without MsgTimeStamp: %v", r)
		}
		var keys []string
		last := ""
		for page := 0; page < 5; page++ {
			r := s.Must(t, "openim/admin_getroammsg", fmt.Sprintf(`{"Operator_Account":"c","Peer_Account":"b","MaxCnt":5,"MinTime":1600000000,"MaxTime":1700000000,"LastMsgKey":%q}`, last))
			for _, m := range r.List("MsgList") {
				keys = append(keys, m.(map[string]any)["MsgKey"].(string))
			}
			last = r["LastMsgKey"].(string)
			if r["Complete"].(float64) == 1 {
				break
			}
		}
		if len(keys) != 12 || keys[0] != "12_12_1600000012" || keys[11] != "1_1_1600000001" {
			t.Fatalf("roam pages: %v (want 12, newest first, the duplicate import absent)", keys)
		}
	})
}
