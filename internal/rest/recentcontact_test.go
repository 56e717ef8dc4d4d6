package rest_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/apitest"
)

const rc = "recentcontact/"

// sessions returns get_list's SessionItem as "c2c:peer@time" or
// "group:id@time", "*" after a pinned one: time relative to base, "now"
// for a time within a few seconds of now (a live message), 0 for none.
func sessions(t *testing.T, r apitest.Resp, base int64) []string {
	t.Helper()
	var out []string
	for _, it := range r.List("SessionItem") {
		m := it.(map[string]any)
		at := int64(m["MsgTime"].(float64))
		when := "0"
		if d := time.Now().Unix() - at; d >= 0 && d < 5 {
			when = "now"
		} else if at != 0 {
			when = fmt.Sprint(at - base)
		}
		var k string
		switch m["Type"] {
		case 1.0:
			k = fmt.Sprintf("c2c:%s@%s", m["To_Account"], when)
			if _, ok := m["GroupId"]; ok {
				t.Errorf("C2C item with GroupId: %v", m)
			}
		case 2.0:
			k = fmt.Sprintf("group:%s@%s", m["GroupId"], when)
			if _, ok := m["To_Account"]; ok {
				t.Errorf("group item with To_Account: %v", m)
			}
		default:
			t.Fatalf("item of Type %v: %v", m["Type"], m)
		}
		switch m["TopFlag"] {
		case 1.0:
			k += "*"
		case 0.0:
		default:
			t.Fatalf("TopFlag %v", m["TopFlag"])
		}
		out = append(out, k)
	}
	return out
}

// wantList calls get_list for user with flags (first page) and checks its
// items (times relative to base), answering the response.
func wantList(t *testing.T, s *apitest.Server, user string, flags int, base int64, want ...string) apitest.Resp {
	t.Helper()
	r := s.Must(t, rc+"get_list", fmt.Sprintf(`{"From_Account":%q,"TimeStamp":0,"StartIndex":0,"TopTimeStamp":0,"TopStartIndex":0,"AssistFlags":%d}`, user, flags))
	if got := sessions(t, r, base); !slices.Equal(got, want) {
		t.Fatalf("get_list %s flags %d\n got %q\nwant %q", user, flags, got, want)
	}
	return r
}

// nextSecond waits until the clock's second changes, so that the next
// message is newer than the last.
func nextSecond() {
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 10*time.Millisecond)))
}

func TestRecentContactOrderPinDelete(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "alice", "bob", "carol", "dave", "erin")
		const base = 1600000000
		s.Must(t, gs+"import_group", `{"Type":"Public","GroupId":"g1","Name":"g1","CreateTime":1500000000,"MemberList":[{"Member_Account":"alice"},{"Member_Account":"bob"}]}`)
		s.Must(t, gs+"import_group", `{"Type":"Community","GroupId":"@TGS#_c1","Name":"c1","SupportTopic":1,"CreateTime":1500000000,"MemberList":[{"Member_Account":"alice"}]}`)
		s.Must(t, gs+"create_group", `{"Type":"Private","GroupId":"quiet","Name":"q","Owner_Account":"alice"}`)
		importGroup := func(gid string, at int64) {
			s.Must(t, gs+"import_group_msg", fmt.Sprintf(`{"GroupId":%q,"MsgList":[{"From_Account":"bob","SendTime":%d,"Random":%d,"MsgBody":%s}]}`, gid, at, at, c2cText("old")))
		}
		importC2C := func(from, to string, at int64) {
			s.Must(t, "openim/importmsg", fmt.Sprintf(`{"SyncFromOldSystem":2,"From_Account":%q,"To_Account":%q,"MsgSeq":1,"MsgRandom":%d,"MsgTimeStamp":%d,"MsgBody":%s}`, from, to, at, at, c2cText("old")))
		}
		importGroup("g1", base+200)
		importGroup("@TGS#_c1", base+100)
		importC2C("bob", "alice", base+300)
		importC2C("carol", "alice", base+50)
		importC2C("alice", "dave", base+400)
		importC2C("dave", "alice", base+10) // older: dave stays at 400

		wantList(t, s, "alice", 0, base, "c2c:dave@400", "c2c:bob@300", "group:g1@200", "group:@TGS#_c1@100", "c2c:carol@50")
		wantList(t, s, "alice", 2, base, "c2c:dave@400", "c2c:bob@300", "group:g1@200", "group:@TGS#_c1@100", "c2c:carol@50", "group:quiet@0")
		r := wantList(t, s, "bob", 0, base, "c2c:alice@300", "group:g1@200")
		if r["CompleteFlag"] != 1.0 || r["TimeStamp"] != float64(base+200) || r["StartIndex"] != 1.0 || r["TopTimeStamp"] != 0.0 || r["TopStartIndex"] != 0.0 {
			t.Fatalf("bob's page: %v", r)
		}

		// Pinned first with bit 0, in time order; flagged without it too.
		s.Must(t, rc+"top", `{"From_Account":"alice","OperationType":1,"RecentContactItem":[{"Type":1,"To_Account":"carol"},{"Type":2,"GroupId":"@TGS#_c1"}]}`)
		wantList(t, s, "alice", 1, base, "group:@TGS#_c1@100*", "c2c:carol@50*", "c2c:dave@400", "c2c:bob@300", "group:g1@200")
		wantList(t, s, "alice", 0, base, "c2c:dave@400", "c2c:bob@300", "group:g1@200", "group:@TGS#_c1@100*", "c2c:carol@50*")
		s.Must(t, rc+"top", `{"From_Account":"alice","OperationType":2,"RecentContactItem":[{"Type":1,"To_Account":"carol"}]}`)
		wantList(t, s, "alice", 1, base, "group:@TGS#_c1@100*", "c2c:dave@400", "c2c:bob@300", "group:g1@200", "c2c:carol@50")

		// A live message in a topic moves the community to the top (and
		// sendmsg, batchsendmsg a one-to-one conversation).
		topicID := s.Must(t, "million_group_open_http_svc/create_topic", `{"GroupId":"@TGS#_c1","TopicName":"t"}`)["TopicId"].(string)
		s.Must(t, gs+"send_group_msg", `{"GroupId":"@TGS#_c1","TopicId":"`+topicID+`","From_Account":"alice","Random":1,"MsgBody":`+c2cText("live")+`}`)
		wantList(t, s, "alice", 0, base, "group:@TGS#_c1@now*", "c2c:dave@400", "c2c:bob@300", "group:g1@200", "c2c:carol@50")
		s.Must(t, "openim/batchsendmsg", `{"From_Account":"erin","To_Account":["alice","bob"],"MsgRandom":2,"MsgBody":`+c2cText("hi all")+`}`)
		wantList(t, s, "bob", 0, base, "c2c:erin@now", "c2c:alice@300", "group:g1@200")
		nextSecond()
		s.Must(t, "openim/sendmsg", `{"From_Account":"dave","To_Account":"alice","MsgRandom":3,"MsgBody":`+c2cText("hi")+`}`)
		wantList(t, s, "alice", 0, base, "c2c:dave@now", "c2c:erin@now", "group:@TGS#_c1@now*", "c2c:bob@300", "group:g1@200", "c2c:carol@50")

		// Deleted conversations leave until a newer message arrives, and
		// lose their pin; the other side's list keeps them.
		s.Must(t, rc+"delete", `{"From_Account":"alice","Type":1,"To_Account":"bob","ClearRamble":1}`)
		s.Must(t, rc+"delete", `{"From_Account":"alice","Type":2,"ToGroupid":"g1","ClearRamble":0}`)
		s.Must(t, rc+"delete", `{"From_Account":"alice","Type":2,"ToGroupid":"@TGS#_c1"}`)
		wantList(t, s, "alice", 7, base, "c2c:dave@now", "c2c:erin@now", "c2c:carol@50", "group:quiet@0")
		wantList(t, s, "bob", 0, base, "c2c:erin@now", "c2c:alice@300", "group:g1@200")
		importC2C("bob", "alice", base+250) // older than its last (300): bob stays deleted
		wantList(t, s, "alice", 0, base, "c2c:dave@now", "c2c:erin@now", "c2c:carol@50")
		nextSecond()
		s.Must(t, "openim/sendmsg", `{"From_Account":"bob","To_Account":"alice","MsgRandom":4,"MsgBody":`+c2cText("back")+`}`)
		nextSecond()
		s.Must(t, gs+"send_group_msg", `{"GroupId":"g1","From_Account":"bob","Random":5,"MsgBody":`+c2cText("back")+`}`)
		wantList(t, s, "alice", 1, base, "group:g1@now", "c2c:bob@now", "c2c:dave@now", "c2c:erin@now", "c2c:carol@50")

		// A recall keeps the conversation where it is.
		key := s.Must(t, "openim/sendmsg", `{"From_Account":"carol","To_Account":"alice","MsgRandom":5,"MsgBody":`+c2cText("oops")+`}`)["MsgKey"].(string)
		before := sessions(t, s.Must(t, rc+"get_list", `{"From_Account":"alice"}`), 0)
		s.Must(t, "openim/admin_msgwithdraw", `{"From_Account":"carol","To_Account":"alice","MsgKey":"`+key+`"}`)
		if after := sessions(t, s.Must(t, rc+"get_list", `{"From_Account":"alice"}`), 0); !slices.Equal(before, after) {
			t.Fatalf("recall changed the list\n%q\n%q", before, after)
		}
	})
}

func TestRecentContactPaging(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		peers := make([]string, 105)
		quoted := make([]string, len(peers))
		for i := range peers {
			peers[i] = fmt.Sprintf("peer%03d", i)
			quoted[i] = `"` + peers[i] + `"`
		}
		s.ImportAccounts(t, append([]string{"hub"}, peers...)...)
		// One batch: 105 conversations with the same MsgTime, so that the
		// page boundary falls among equal times (StartIndex counts them).
		s.Must(t, "openim/batchsendmsg", `{"From_Account":"hub","To_Account":[`+strings.Join(quoted, ",")+`],"MsgRandom":1,"MsgBody":`+c2cText("x")+`}`)
		s.Must(t, rc+"top", `{"From_Account":"hub","OperationType":1,"RecentContactItem":[{"Type":1,"To_Account":"peer104"},{"Type":1,"To_Account":"peer050"}]}`)
		for _, c := range []struct {
			name     string
			flags    int
			pages    []int // items per page
			topFirst bool
		}{
			{"no pinning: one order", 0, []int{100, 5}, false},
			{"pinned first, all on the first page", 1, []int{102, 3}, true},
			{"pinned first and paged with the others", 5, []int{100, 5}, true},
		} {
			t.Run(c.name, func(t *testing.T) {
				var all []string
				cur := `"TimeStamp":0,"StartIndex":0,"TopTimeStamp":0,"TopStartIndex":0`
				for i, n := range c.pages {
					r := s.Must(t, rc+"get_list", fmt.Sprintf(`{"From_Account":"hub",%s,"AssistFlags":%d}`, cur, c.flags))
					items := sessions(t, r, 0)
					if len(items) != n {
						t.Fatalf("page %d: %d items, want %d", i, len(items), n)
					}
					if complete := r["CompleteFlag"] == 1.0; complete != (i == len(c.pages)-1) {
						t.Fatalf("page %d: CompleteFlag %v", i, r["CompleteFlag"])
					}
					all = append(all, items...)
					cur = fmt.Sprintf(`"TimeStamp":%d,"StartIndex":%d,"TopTimeStamp":%d,"TopStartIndex":%d`,
						int64(r["TimeStamp"].(float64)), int(r["StartIndex"].(float64)), int64(r["TopTimeStamp"].(float64)), int(r["TopStartIndex"].(float64)))
				}
				seen := map[string]bool{}
				for _, k := range all {
					id := strings.TrimSuffix(k[:strings.Index(k, "@")], "")
					if seen[id] {
						t.Fatalf("%s listed twice", id)
					}
					seen[id] = true
				}
				if len(seen) != len(peers) {
					t.Fatalf("%d conversations over the pages, want %d", len(seen), len(peers))
				}
				if first := all[0]; c.topFirst != (strings.HasPrefix(first, "c2c:peer050@") && strings.HasSuffix(first, "*")) {
					t.Fatalf("first item %q (pinned first: %v)", first, c.topFirst)
				}
			})
		}
	})
}

func TestRecentContactRefusesBadInput(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "alice", "bob")
		s.Must(t, gs+"create_group", `{"Type":"Public","GroupId":"g1","Name":"g1","Owner_Account":"bob"}`)
		many := make([]string, 51)
		for i := range many {
			many[i] = `{"Type":1,"To_Account":"bob"}`
		}
		cases := []struct {
			name, api, body string
			want            int
		}{
			{"get_list: no From_Account", "get_list", `{"AssistFlags":7}`, 50002},
			{"get_list: From_Account not imported", "get_list", `{"From_Account":"ghost"}`, 50001},
			{"get_list: From_Account of the wrong type", "get_list", `{"From_Account":["alice"]}`, 50002},
			{"get_list: negative TimeStamp", "get_list", `{"From_Account":"alice","TimeStamp":-1}`, 50002},
			{"get_list: negative TopStartIndex", "get_list", `{"From_Account":"alice","TopStartIndex":-1}`, 50002},
			{"get_list: TimeStamp not an integer", "get_list", `{"From_Account":"alice","TimeStamp":"0"}`, 50002},
			{"delete: no Type", "delete", `{"From_Account":"alice","To_Account":"bob"}`, 50002},
			{"delete: Type 3", "delete", `{"From_Account":"alice","Type":3,"To_Account":"bob"}`, 50002},
			{"delete: C2C without To_Account", "delete", `{"From_Account":"alice","Type":1}`, 50002},
			{"delete: group without ToGroupid", "delete", `{"From_Account":"alice","Type":2,"To_Account":"bob"}`, 50002},
			{"delete: ClearRamble 2", "delete", `{"From_Account":"alice","Type":1,"To_Account":"bob","ClearRamble":2}`, 50002},
			{"delete: From_Account not imported", "delete", `{"From_Account":"ghost","Type":1,"To_Account":"bob"}`, 50001},
			{"delete: nothing to delete is fine", "delete", `{"From_Account":"alice","Type":1,"To_Account":"bob"}`, 0},
			{"top: OperationType 3", "top", `{"From_Account":"alice","OperationType":3,"RecentContactItem":[{"Type":1,"To_Account":"bob"}]}`, 50002},
			{"top: no items", "top", `{"From_Account":"alice","OperationType":1,"RecentContactItem":[]}`, 50002},
			{"top: 51 items", "top", `{"From_Account":"alice","OperationType":1,"RecentContactItem":[` + strings.Join(many, ",") + `]}`, 50002},
			{"top: Type 0", "top", `{"From_Account":"alice","OperationType":1,"RecentContactItem":[{"To_Account":"bob"}]}`, 50002},
			{"top: peer not imported", "top", `{"From_Account":"alice","OperationType":1,"RecentContactItem":[{"Type":1,"To_Account":"ghost"}]}`, 50001},
			{"top: group not joined", "top", `{"From_Account":"alice","OperationType":1,"RecentContactItem":[{"Type":2,"GroupId":"g1"}]}`, 50002},
			{"top: unknown group", "top", `{"From_Account":"alice","OperationType":1,"RecentContactItem":[{"Type":2,"GroupId":"nope"}]}`, 50002},
			{"top: From_Account not imported", "top", `{"From_Account":"ghost","OperationType":2,"RecentContactItem":[{"Type":1,"To_Account":"bob"}]}`, 50001},
			{"top: unpin of one not pinned is fine", "top", `{"From_Account":"alice","OperationType":2,"RecentContactItem":[{"Type":1,"To_Account":"bob"}]}`, 0},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, rc+c.api, c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
		// At most 50 pinned: the 51st is refused and changes nothing.
		names := make([]string, 51)
		items := make([]string, 51)
		for i := range names {
			names[i] = fmt.Sprintf("p%02d", i)
			items[i] = `{"Type":1,"To_Account":"` + names[i] + `"}`
		}
		s.ImportAccounts(t, names...)
		s.Must(t, rc+"top", `{"From_Account":"alice","OperationType":1,"RecentContactItem":[`+strings.Join(items[:50], ",")+`]}`)
		if r := s.Call(t, rc+"top", `{"From_Account":"alice","OperationType":1,"RecentContactItem":[`+items[50]+`]}`); r.Code() != 50002 {
			t.Fatalf("51st pin: %v, want 50002", r)
		}
		// Pinned peers without messages are empty conversations (bit 1).
		if n := len(s.Must(t, rc+"get_list", `{"From_Account":"alice","AssistFlags":3}`).List("SessionItem")); n != 50 {
			t.Fatalf("%d empty pinned conversations listed, want 50", n)
		}
		if n := len(s.Must(t, rc+"get_list", `{"From_Account":"alice","AssistFlags":1}`).List("SessionItem")); n != 0 {
			t.Fatalf("%d conversations without bit 1, want none (all are empty)", n)
		}
	})
}
