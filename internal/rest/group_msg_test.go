package rest_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/apitest"
)

// End-to-end tests of send_group_msg, group_msg_get_simple and
// group_msg_recall, written from shared/spec/groups-topics-permissions.md §3
// and §8, core.md §5.2 and decisions 7 and 8 — not from the implementation.

var gmRandom atomic.Uint32

// gmR is a fresh Random for a message.
func gmR() int { return int(gmRandom.Add(1)) }

// gmText is a MsgBody of one text element.
func gmText(text string) []any {
	return []any{gmElem("TIMTextElem", map[string]any{"Text": text})}
}

func gmElem(typ string, content any) map[string]any {
	return map[string]any{"MsgType": typ, "MsgContent": content}
}

// gmMsg is a send_group_msg body; tid and from may be "".
func gmMsg(gid, tid, from string, body any) map[string]any {
	m := map[string]any{"GroupId": gid, "Random": gmR(), "MsgBody": body}
	if tid != "" {
		m["TopicId"] = tid
	}
	if from != "" {
		m["From_Account"] = from
	}
	return m
}

// gmNext is NextMsgSeq of a group (tid "") or of a topic.
func gmNext(t *testing.T, s *apitest.Server, gid, tid string) int {
	t.Helper()
	if tid == "" {
		n, _ := groupInfo(t, s, gid, "")["NextMsgSeq"].(float64)
		return int(n)
	}
	n, _ := topicInfoOf(t, s, gid, tid)["NextMsgSeq"].(float64)
	return int(n)
}

// gmSend sends body and wants code; a success must take exactly the next
// sequence, a refusal must store nothing.
func gmSend(t *testing.T, s *apitest.Server, body map[string]any, want int) apitest.Resp {
	t.Helper()
	gid, _ := body["GroupId"].(string)
	tid, _ := body["TopicId"].(string)
	before := gmNext(t, s, gid, tid)
	r := s.Call(t, gs+"send_group_msg", body)
	if r.Code() != want {
		t.Fatalf("send_group_msg %s: got %v, want %d", topicJS(body), r, want)
	}
	after := gmNext(t, s, gid, tid)
	if want != 0 {
		if after != before {
			t.Fatalf("a refused send moved NextMsgSeq %d -> %d", before, after)
		}
		return r
	}
	if seq, _ := r["MsgSeq"].(float64); int(seq) != before || after != before+1 {
		t.Fatalf("send answered MsgSeq %v with NextMsgSeq %d -> %d", r["MsgSeq"], before, after)
	}
	if mt, _ := r["MsgTime"].(float64); int64(mt) < time.Now().Unix()-5 || int64(mt) > time.Now().Unix()+5 {
		t.Fatalf("MsgTime %v is not about now", r["MsgTime"])
	}
	return r
}

// gmHistory calls group_msg_get_simple and returns RspMsgList and IsFinished.
func gmHistory(t *testing.T, s *apitest.Server, body map[string]any) ([]map[string]any, int) {
	t.Helper()
	r := s.Must(t, gs+"group_msg_get_simple", body)
	if r["GroupId"] != body["GroupId"] {
		t.Fatalf("get_simple answered GroupId %v, want %v", r["GroupId"], body["GroupId"])
	}
	var out []map[string]any
	for _, it := range r.List("RspMsgList") {
		out = append(out, it.(map[string]any))
	}
	fin, _ := r["IsFinished"].(float64)
	return out, int(fin)
}

// gmCase is an api call answering want.
type gmCase struct {
	name string
	body map[string]any
	want int
}

func gmCodes(t *testing.T, s *apitest.Server, api string, cases []gmCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if r := s.Call(t, api, c.body); r.Code() != c.want {
				t.Fatalf("%s %.300s: got %d (%v), want %d", api, topicJS(c.body), r.Code(), r["ErrorInfo"], c.want)
			}
		})
	}
}

// gmHist is the MsgSeqs group_msg_get_simple answers for body.
func gmHist(t *testing.T, s *apitest.Server, body map[string]any) []int {
	t.Helper()
	list, _ := gmHistory(t, s, body)
	return gmSeqs(list)
}

func gmSeqs(list []map[string]any) []int {
	var seqs []int
	for _, m := range list {
		n, _ := m["MsgSeq"].(float64)
		seqs = append(seqs, int(n))
	}
	return seqs
}

// gmSeqRange is hi, hi-1, …, lo.
func gmSeqRange(hi, lo int) []int {
	var out []int
	for i := hi; i >= lo; i-- {
		out = append(out, i)
	}
	return out
}

// gmDecoded is v after a JSON round trip, for comparing with answers.
func gmDecoded(v any) any {
	var out any
	json.Unmarshal([]byte(topicJS(v)), &out)
	return out
}

func TestSendGroupMsgValidation(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o", "mem", "outsider")
		pub := mustCreate(t, s, `{"Type":"Public","Name":"p","Owner_Account":"o","MemberList":[{"Member_Account":"mem"}]}`)
		plainCommunity := mustCreate(t, s, `{"Type":"Community","Name":"c","Owner_Account":"o"}`)
		drop := struct{}{}
		bodyOf := func(n int) []any { // compact JSON of exactly n bytes
			return gmText(strings.Repeat("x", n-len(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":""}}]`)))
		}
		custom := gmElem("TIMCustomElem", map[string]any{"Data": "d", "Desc": "push", "Ext": "e", "Sound": "s.mp3"})
		cases := []struct {
			name string
			mod  map[string]any // a value of drop deletes the key
			want int
		}{
			{"text", nil, 0},
			{"from a member", map[string]any{"From_Account": "mem"}, 0},
			{"from the owner", map[string]any{"From_Account": "o"}, 0},
			{"location", map[string]any{"MsgBody": []any{gmElem("TIMLocationElem", map[string]any{"Desc": "d", "Latitude": 22.5, "Longitude": 113.9})}}, 0},
			{"face", map[string]any{"MsgBody": []any{gmElem("TIMFaceElem", map[string]any{"Index": 1, "Data": "f"})}}, 0},
			{"custom", map[string]any{"MsgBody": []any{custom}}, 0},
			{"sound", map[string]any{"MsgBody": []any{gmElem("TIMSoundElem", map[string]any{"Url": "http://s", "UUID": "u", "Size": 100, "Second": 2, "Download_Flag": 2})}}, 0},
			{"image", map[string]any{"MsgBody": []any{gmElem("TIMImageElem", map[string]any{"UUID": "i", "ImageFormat": 1,
				"ImageInfoArray": []any{map[string]any{"Type": 1, "Size": 10, "Width": 2, "Height": 3, "URL": "http://i"}}})}}, 0},
			{"file", map[string]any{"MsgBody": []any{gmElem("TIMFileElem", map[string]any{"Url": "http://f", "UUID": "f", "FileSize": 10, "FileName": "a.txt", "Download_Flag": 2})}}, 0},
			{"video", map[string]any{"MsgBody": []any{gmElem("TIMVideoFileElem", map[string]any{"VideoUrl": "http://v", "VideoUUID": "v", "VideoSize": 1, "VideoSecond": 2,
				"VideoFormat": "mp4", "VideoDownloadFlag": 2, "ThumbUrl": "http://t", "ThumbUUID": "t", "ThumbSize": 1, "ThumbWidth": 2, "ThumbHeight": 3, "ThumbFormat": "JPG", "ThumbDownloadFlag": 2})}}, 0},
			{"text, face and one custom", map[string]any{"MsgBody": append(gmText("a"), gmElem("TIMFaceElem", map[string]any{"Index": 2}), custom)}, 0},
			{"priority High", map[string]any{"MsgPriority": "High"}, 0},
			{"priority Normal", map[string]any{"MsgPriority": "Normal"}, 0},
			{"priority Low", map[string]any{"MsgPriority": "Low"}, 0},
			{"priority Lowest", map[string]any{"MsgPriority": "Lowest"}, 0},
			{"CloudCustomData", map[string]any{"CloudCustomData": "ccd"}, 0},
			{"Random 4294967295", map[string]any{"Random": 4294967295}, 0},
			{"MsgBody of 12288 bytes", map[string]any{"MsgBody": bodyOf(12288)}, 0},
			{"community without topics", map[string]any{"GroupId": plainCommunity}, 0},
			{"MsgBody of 12289 bytes", map[string]any{"MsgBody": bodyOf(12289)}, 80002},
			{"MsgBody of 4200 Chinese characters", map[string]any{"MsgBody": gmText(strings.Repeat("话", 4200))}, 80002},
			{"missing GroupId", map[string]any{"GroupId": drop}, 10004},
			{"unknown group", map[string]any{"GroupId": "nope"}, 10010},
			{"missing Random", map[string]any{"Random": drop}, 10004},
			{"Random as a string", map[string]any{"Random": "12"}, 10004},
			{"negative Random", map[string]any{"Random": -1}, 10004},
			{"Random over uint32", map[string]any{"Random": 4294967296}, 10004},
			{"missing MsgBody", map[string]any{"MsgBody": drop}, 10004},
			{"empty MsgBody", map[string]any{"MsgBody": []any{}}, 10004},
			{"MsgBody an object", map[string]any{"MsgBody": gmText("a")[0]}, 10004},
			{"MsgBody a string", map[string]any{"MsgBody": "hi"}, 10004},
			{"unknown MsgType", map[string]any{"MsgBody": []any{gmElem("TIMMagicElem", map[string]any{"Text": "a"})}}, 10004},
			{"element without MsgContent", map[string]any{"MsgBody": []any{map[string]any{"MsgType": "TIMTextElem"}}}, 10004},
			{"text without Text", map[string]any{"MsgBody": []any{gmElem("TIMTextElem", map[string]any{})}}, 10004},
			{"Text a number", map[string]any{"MsgBody": []any{gmElem("TIMTextElem", map[string]any{"Text": 5})}}, 10004},
			{"Latitude a string", map[string]any{"MsgBody": []any{gmElem("TIMLocationElem", map[string]any{"Desc": "d", "Latitude": "22.5", "Longitude": 113.9})}}, 10004},
			{"location without Longitude", map[string]any{"MsgBody": []any{gmElem("TIMLocationElem", map[string]any{"Desc": "d", "Latitude": 22.5})}}, 10004},
			{"face Index a string", map[string]any{"MsgBody": []any{gmElem("TIMFaceElem", map[string]any{"Index": "1"})}}, 10004},
			{"face without Index", map[string]any{"MsgBody": []any{gmElem("TIMFaceElem", map[string]any{"Data": "d"})}}, 10004},
			{"custom Data a number", map[string]any{"MsgBody": []any{gmElem("TIMCustomElem", map[string]any{"Data": 1})}}, 10004},
			{"two custom elements", map[string]any{"MsgBody": []any{custom, custom}}, 10004},
			{"bad MsgPriority", map[string]any{"MsgPriority": "Urgent"}, 10004},
			{"TopicId on a Public group", map[string]any{"TopicId": pub + "@TOPIC#_x"}, 11000},
			{"TopicId on a community without topics", map[string]any{"GroupId": plainCommunity, "TopicId": plainCommunity + "@TOPIC#_x"}, 11000},
			{"unknown From_Account", map[string]any{"From_Account": "ghost"}, 10012},
			{"non-member From_Account", map[string]any{"From_Account": "outsider"}, 10007},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				body := gmMsg(pub, "", "", gmText("hello"))
				for k, v := range c.mod {
					if v == drop {
						delete(body, k)
					} else {
						body[k] = v
					}
				}
				g, _ := body["GroupId"].(string)
				if g == "" || g == "nope" {
					if r := s.Call(t, gs+"send_group_msg", body); r.Code() != c.want {
						t.Fatalf("got %v, want %d", r, c.want)
					}
					return
				}
				if _, topic := body["TopicId"]; !topic {
					gmSend(t, s, body, c.want)
					return
				}
				// A TopicId on a group without topics: its own stream must not move.
				before := gmNext(t, s, g, "")
				if r := s.Call(t, gs+"send_group_msg", body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
				if after := gmNext(t, s, g, ""); after != before {
					t.Fatalf("a refused send moved the group's NextMsgSeq %d -> %d", before, after)
				}
			})
		}
		t.Run("unknown topic", func(t *testing.T) {
			cid := topicCommunity(t, s, "")
			if r := s.Call(t, gs+"send_group_msg", gmMsg(cid, cid+"@TOPIC#_nope", "", gmText("a"))); r.Code() != 10010 {
				t.Fatalf("got %v, want 10010", r)
			}
		})
	})
}

func TestSendGroupMsgSequencesPerGroupAndTopic(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o")
		pub := mustCreate(t, s, `{"Type":"Public","Name":"p","Owner_Account":"o"}`)
		other := mustCreate(t, s, `{"Type":"Public","Name":"p2","Owner_Account":"o"}`)
		cid := topicCommunity(t, s, "")
		a := topicCreate(t, s, map[string]any{"GroupId": cid, "TopicName": "a"})
		b := topicCreate(t, s, map[string]any{"GroupId": cid, "TopicName": "b"})
		if n := gmNext(t, s, cid, a); n != 1 {
			t.Fatalf("new topic NextMsgSeq %d, want 1", n)
		}
		// Interleaved streams, each counting 1, 2, 3, … on its own.
		steps := []struct{ gid, tid string }{{pub, ""}, {cid, a}, {pub, ""}, {cid, b}, {cid, ""}, {cid, a}, {other, ""}, {pub, ""}, {cid, a}, {cid, ""}}
		want := map[string]int{}
		for i, st := range steps {
			key := st.gid + "|" + st.tid
			want[key]++
			r := gmSend(t, s, gmMsg(st.gid, st.tid, "o", gmText(fmt.Sprint("m", i))), 0)
			if seq := int(r["MsgSeq"].(float64)); seq != want[key] {
				t.Fatalf("step %d in %s: MsgSeq %d, want %d", i, key, seq, want[key])
			}
		}
		for key, n := range want {
			gid, tid, _ := strings.Cut(key, "|")
			if got := gmNext(t, s, gid, tid); got != n+1 {
				t.Errorf("%s: NextMsgSeq %d, want %d", key, got, n+1)
			}
		}
		info := topicInfoOf(t, s, cid, a)
		if lt, _ := info["LastMsgTime"].(float64); int64(lt) < time.Now().Unix()-5 || int64(lt) > time.Now().Unix()+5 {
			t.Errorf("topic LastMsgTime %v is not about now", info["LastMsgTime"])
		}
		if seqs := gmHist(t, s, map[string]any{"GroupId": cid, "TopicId": a, "ReqMsgNumber": 20}); !reflect.DeepEqual(seqs, []int{3, 2, 1}) {
			t.Errorf("topic a history %v, want [3 2 1]", seqs)
		}
		if seqs := gmHist(t, s, map[string]any{"GroupId": cid, "ReqMsgNumber": 20}); !reflect.DeepEqual(seqs, []int{2, 1}) {
			t.Errorf("community's own history %v, want [2 1]", seqs)
		}
	})
}

func TestSendGroupMsgDeduplicatesRetries(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o", "m")
		gid := mustCreate(t, s, `{"Type":"Public","Name":"p","Owner_Account":"o","MemberList":[{"Member_Account":"m"}]}`)
		msg := gmMsg(gid, "", "m", gmText("once"))
		r1 := gmSend(t, s, msg, 0)
		time.Sleep(1100 * time.Millisecond) // a retry's own time would differ
		r2 := s.Must(t, gs+"send_group_msg", msg)
		if r2["MsgSeq"] != r1["MsgSeq"] || r2["MsgTime"] != r1["MsgTime"] {
			t.Fatalf("retry answered %v/%v, want the first message's %v/%v", r2["MsgSeq"], r2["MsgTime"], r1["MsgSeq"], r1["MsgTime"])
		}
		if n := gmNext(t, s, gid, ""); n != 2 {
			t.Fatalf("NextMsgSeq %d after a retry, want 2", n)
		}
		if list, _ := gmHistory(t, s, map[string]any{"GroupId": gid, "ReqMsgNumber": 20}); len(list) != 1 {
			t.Fatalf("history has %d messages after a retry, want 1", len(list))
		}
		// Not duplicates: another Random, another body, another sender.
		newRandom := map[string]any{"GroupId": gid, "From_Account": "m", "Random": msg["Random"].(int) + 1000000, "MsgBody": gmText("once")}
		newBody := map[string]any{"GroupId": gid, "From_Account": "m", "Random": msg["Random"], "MsgBody": gmText("twice")}
		newSender := map[string]any{"GroupId": gid, "From_Account": "o", "Random": msg["Random"], "MsgBody": gmText("once")}
		for i, body := range []map[string]any{newRandom, newBody, newSender} {
			if seq := gmSend(t, s, body, 0)["MsgSeq"]; seq != float64(i+2) {
				t.Fatalf("message %d: MsgSeq %v, want %d", i, seq, i+2)
			}
		}
	})
}

func TestSendGroupMsgWhoMaySend(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o", "adm", "mem", "muted", "tm", "outsider")
		members := `,"MemberList":[{"Member_Account":"adm","Role":"Admin"},{"Member_Account":"mem"},{"Member_Account":"muted"},{"Member_Account":"tm"}]`
		pub := mustCreate(t, s, `{"Type":"Public","Name":"p","Owner_Account":"o"`+members+`}`)
		s.Must(t, gs+"forbid_send_msg", map[string]any{"GroupId": pub, "Members_Account": []string{"muted"}, "MuteTime": 3600})
		cid := topicCommunity(t, s, members)
		a := topicCreate(t, s, map[string]any{"GroupId": cid, "TopicName": "a"})
		b := topicCreate(t, s, map[string]any{"GroupId": cid, "TopicName": "b"})
		s.Must(t, gs+"forbid_send_msg", map[string]any{"GroupId": cid, "TopicId": a, "Members_Account": []string{"tm"}, "MuteTime": 3600})
		type step struct {
			name, gid, tid, from string
			want                 int
		}
		run := func(steps []step) {
			for _, c := range steps {
				t.Run(c.name, func(t *testing.T) { gmSend(t, s, gmMsg(c.gid, c.tid, c.from, gmText(c.name)), c.want) })
			}
		}
		run([]step{
			{"owner", pub, "", "o", 0},
			{"admin", pub, "", "adm", 0},
			{"member", pub, "", "mem", 0},
			{"app admin", pub, "", "", 0},
			{"muted member", pub, "", "muted", 10017},
			{"non-member", pub, "", "outsider", 10007},
			{"unknown account", pub, "", "ghost", 10012},
			{"member muted in topic a, in a", cid, a, "tm", 10017},
			{"member muted in topic a, in b", cid, b, "tm", 0},
			{"member muted in topic a, in the community", cid, "", "tm", 0},
			{"non-member in a topic", cid, a, "outsider", 10007},
		})
		s.Must(t, gs+"modify_group_base_info", map[string]any{"GroupId": pub, "MuteAllMember": "On"})
		s.Must(t, topicSvc+"modify_topic", map[string]any{"GroupId": cid, "TopicId": a, "MuteAllMember": "On"})
		run([]step{
			{"all muted: member", pub, "", "mem", 10017},
			{"all muted: owner", pub, "", "o", 0},
			{"all muted: admin", pub, "", "adm", 0},
			{"all muted: app admin", pub, "", "", 0},
			{"topic a all muted: member in a", cid, a, "mem", 10017},
			{"topic a all muted: member in b", cid, b, "mem", 0},
			{"topic a all muted: owner in a", cid, a, "o", 0},
			{"topic a all muted: admin in a", cid, a, "adm", 0},
			{"topic a all muted: app admin in a", cid, a, "", 0},
		})
		s.Must(t, gs+"modify_group_base_info", map[string]any{"GroupId": pub, "MuteAllMember": "Off"})
		s.Must(t, topicSvc+"modify_topic", map[string]any{"GroupId": cid, "TopicId": a, "MuteAllMember": "Off"})
		run([]step{{"unmuted all: member", pub, "", "mem", 0}, {"topic a unmuted: member in a", cid, a, "mem", 0}})
	})
}

// The acceptance point: a member whose permission group lacks the send bit
// in a topic is refused there and allowed in another topic; granting the bit
// takes effect on the next request, without restart.
func TestTopicSendBitFromPermissionGroupTakesEffectOnNextRequest(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o", "m", "n", "adm")
		gid := mustCreate(t, s, `{"Type":"Community","Name":"c","SupportTopic":1,"EnablePermission":1,"DefaultPermission":0,"Owner_Account":"o",`+
			`"MemberList":[{"Member_Account":"m"},{"Member_Account":"n"},{"Member_Account":"adm","Role":"Admin"}]}`)
		a := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "a"})
		b := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "b"})
		send := func(name, tid, from string, want int) {
			t.Helper()
			t.Run(name, func(t *testing.T) { gmSend(t, s, gmMsg(gid, tid, from, gmText(name)), want) })
		}
		send("no bits: member in a", a, "m", 10007)
		send("no bits: member in b", b, "m", 10007)
		send("no bits: admin is an ordinary member", a, "adm", 10007)
		send("no bits: owner", a, "o", 0)
		send("no bits: app admin", a, "", 0)

		with := func(kv ...any) map[string]any {
			return pgBody(gid, append([]any{"PermissionGroupId", "@PMG#_senders"}, kv...)...)
		}
		s.Must(t, gs+"create_permission_group", with("PermissionGroupName", "senders", "Permission", 0))
		s.Must(t, gs+"add_permission_group_member", with("MemberList", []any{map[string]any{"Member_Account": "m"}}))
		s.Must(t, gs+"add_topic_permission_group", with("TopicPermissionList", []any{
			map[string]any{"TopicId": a, "Permission": 8}, map[string]any{"TopicId": b, "Permission": 0}}))
		send("group grants a: member in a", a, "m", 0)
		send("group grants a: member refused in b", b, "m", 10007)
		send("group grants a: non-member of the group in a", a, "n", 10007)

		r := s.Must(t, gs+"set_topic_permission_group", with("TopicPermissionList", []any{map[string]any{"TopicId": b, "Permission": 8}}))
		if items := r.List("TopicPermissionResultList"); len(items) != 1 || items[0].(map[string]any)["ErrorCode"] != 0.0 {
			t.Fatalf("set_topic_permission_group answered %v", r)
		}
		send("bit granted in b: member in b on the next request", b, "m", 0)

		s.Must(t, gs+"delete_permission_group_member", with("MemberList", []any{map[string]any{"Member_Account": "m"}}))
		send("removed from the group: member in a", a, "m", 10007)
		send("removed from the group: member in b", b, "m", 10007)

		s.Must(t, gs+"modify_group_base_info", map[string]any{"GroupId": gid, "DefaultPermission": 64})
		send("community default 64: member in a", a, "m", 0)
		send("community default 64: other member in b", b, "n", 0)
		s.Must(t, gs+"modify_group_base_info", map[string]any{"GroupId": gid, "DefaultPermission": 0})
		send("community default back to 0: member in a", a, "n", 10007)
	})
}
