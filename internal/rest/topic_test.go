package rest_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/apitest"
)

// End-to-end tests of the community topic APIs (million_group_open_http_svc),
// written from the modify_topic seed, shared/spec/groups-topics-permissions.md
// §2, §5 and the decisions in shared/spec/README.md.

const topicSvc = "million_group_open_http_svc/"

// topicInfoKeys are the TopicInfo keys get_topic answers (decision 3).
var topicInfoKeys = []string{"TopicId", "TopicName", "GroupID", "FaceUrl", "Notification", "Introduction", "CustomString",
	"CreateTime", "LastMsgTime", "NextMsgSeq", "ShutUpAllFlag", "MuteAllMember", "DefaultPermission"}

// topicJS is v as JSON, for splicing values into request bodies.
func topicJS(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// topicFill is exactly n bytes of UTF-8 text: unit repeated while it fits,
// padded with "x".
func topicFill(n int, unit string) string {
	var b strings.Builder
	for b.Len()+len(unit) <= n {
		b.WriteString(unit)
	}
	for b.Len() < n {
		b.WriteByte('x')
	}
	return b.String()
}

// topicCommunity creates a topic-enabled community owned by "o"; extra is
// spliced into the create_group body (e.g. `,"MemberList":[…]`).
func topicCommunity(t *testing.T, s *apitest.Server, extra string) string {
	t.Helper()
	return mustCreate(t, s, `{"Type":"Community","Name":"c","SupportTopic":1,"Owner_Account":"o"`+extra+`}`)
}

// topicCreate calls create_topic with body and returns the new TopicId.
func topicCreate(t *testing.T, s *apitest.Server, body any) string {
	t.Helper()
	id, _ := s.Must(t, topicSvc+"create_topic", body)["TopicId"].(string)
	if id == "" {
		t.Fatalf("create_topic answered no TopicId")
	}
	return id
}

// topicItems calls get_topic and returns its TopicAndSelfInfo items.
func topicItems(t *testing.T, s *apitest.Server, body any) []map[string]any {
	t.Helper()
	r := s.Must(t, topicSvc+"get_topic", body)
	var out []map[string]any
	for _, it := range r.List("TopicAndSelfInfo") {
		m, ok := it.(map[string]any)
		if !ok {
			t.Fatalf("TopicAndSelfInfo item %v is not an object", it)
		}
		out = append(out, m)
	}
	return out
}

// topicInfoOf is the TopicInfo get_topic answers for one existing topic.
func topicInfoOf(t *testing.T, s *apitest.Server, gid, tid string) map[string]any {
	t.Helper()
	items := topicItems(t, s, map[string]any{"GroupId": gid, "TopicIdList": []string{tid}})
	if len(items) != 1 {
		t.Fatalf("get_topic of one topic answered %d items", len(items))
	}
	if code := items[0]["ErrorCode"]; code != 0.0 {
		t.Fatalf("get_topic item of %s: ErrorCode %v (%v)", tid, code, items[0]["ErrorInfo"])
	}
	info, _ := items[0]["TopicInfo"].(map[string]any)
	if info == nil {
		t.Fatalf("get_topic item without TopicInfo: %v", items[0])
	}
	return info
}

// topicIDs lists the TopicIds of get_topic's items, in answer order.
func topicIDs(items []map[string]any) []string {
	var ids []string
	for _, it := range items {
		info, _ := it["TopicInfo"].(map[string]any)
		id, _ := info["TopicId"].(string)
		ids = append(ids, id)
	}
	return ids
}

// topicCheckInfo fails t unless info holds every key of want with its value.
func topicCheckInfo(t *testing.T, info map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got, ok := info[k]; !ok || !reflect.DeepEqual(got, v) {
			t.Errorf("TopicInfo.%s = %s, want %s", k, topicJS(got), topicJS(v))
		}
	}
}

func TestTopicAPIsNeedATopicCommunity(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o")
		groups := []struct {
			name, id string
			want     int
		}{
			{"Public", mustCreate(t, s, `{"Type":"Public","Name":"p","Owner_Account":"o"}`), 11000},
			{"Private", mustCreate(t, s, `{"Type":"Private","Name":"p","Owner_Account":"o"}`), 11000},
			{"ChatRoom", mustCreate(t, s, `{"Type":"ChatRoom","Name":"p","Owner_Account":"o"}`), 11000},
			{"AVChatRoom", mustCreate(t, s, `{"Type":"AVChatRoom","Name":"p","Owner_Account":"o"}`), 11000},
			{"Community without SupportTopic", mustCreate(t, s, `{"Type":"Community","Name":"c","Owner_Account":"o"}`), 11000},
			{"Community with SupportTopic 0", mustCreate(t, s, `{"Type":"Community","Name":"c","SupportTopic":0,"Owner_Account":"o"}`), 11000},
			{"missing custom group", "nope", 10010},
			{"missing community", "@TGS#_nope", 10010},
			{"group ID with a control character", "bad\u0001id", 10015},
			{"bare community prefix", "@TGS#_", 10015},
		}
		gone := topicCommunity(t, s, "")
		topicCreate(t, s, map[string]any{"GroupId": gone, "TopicName": "t"})
		s.Must(t, gs+"destroy_group", map[string]any{"GroupId": gone})
		groups = append(groups, struct {
			name, id string
			want     int
		}{"destroyed community", gone, 10010})

		apis := []struct {
			api  string
			body func(gid string) map[string]any
		}{
			{topicSvc + "create_topic", func(g string) map[string]any { return map[string]any{"GroupId": g, "TopicName": "t"} }},
			{topicSvc + "get_topic", func(g string) map[string]any { return map[string]any{"GroupId": g} }},
			{topicSvc + "modify_topic", func(g string) map[string]any {
				return map[string]any{"GroupId": g, "TopicId": g + "@TOPIC#_x", "TopicName": "t"}
			}},
			{topicSvc + "destroy_topic", func(g string) map[string]any {
				return map[string]any{"GroupId": g, "TopicIdList": []string{g + "@TOPIC#_x"}}
			}},
			{topicSvc + "import_topic", func(g string) map[string]any {
				return map[string]any{"GroupId": g, "TopicName": "t", "CreateTime": 1500000000}
			}},
			{gs + "import_topic", func(g string) map[string]any {
				return map[string]any{"GroupId": g, "TopicName": "t", "CreateTime": 1500000000}
			}},
		}
		for _, a := range apis {
			for _, g := range groups {
				t.Run(a.api+" on "+g.name, func(t *testing.T) {
					if r := s.Call(t, a.api, a.body(g.id)); r.Code() != g.want {
						t.Fatalf("got %v, want %d", r, g.want)
					}
				})
			}
			t.Run(a.api+" without GroupId", func(t *testing.T) {
				body := a.body("@TGS#_x")
				delete(body, "GroupId")
				if r := s.Call(t, a.api, body); r.Code() != 10004 {
					t.Fatalf("got %v, want 10004", r)
				}
			})
		}
	})
}

func TestCreateTopic(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o", "adm", "mem", "outsider", "10086")
		gid := topicCommunity(t, s, `,"MemberList":[{"Member_Account":"adm","Role":"Admin"},{"Member_Account":"mem"},{"Member_Account":"10086","Role":"Admin"}]`)
		other := topicCommunity(t, s, "")
		prefix := gid + "@TOPIC#_"
		generated := "^" + regexp.QuoteMeta(prefix) + `@TOPIC#c[A-Z0-9]{11}$`
		with := func(kv ...any) map[string]any {
			m := map[string]any{"GroupId": gid, "TopicName": "t"}
			for i := 0; i < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		}
		cases := []struct {
			name string
			body map[string]any
			want int
			id   string // regexp the answered TopicId must match
		}{
			{"generated ID", with(), 0, generated},
			{"custom ID", with("TopicId", prefix+"mine"), 0, "^" + regexp.QuoteMeta(prefix+"mine") + "$"},
			{"custom ID with the same part in another community", map[string]any{"GroupId": other, "TopicName": "t", "TopicId": other + "@TOPIC#_mine"}, 0, "@TOPIC#_mine$"},
			{"custom part of 48 bytes", with("TopicId", prefix+strings.Repeat("p", 48)), 0, "p{48}$"},
			{"custom part of 1 byte", with("TopicId", prefix+"1"), 0, "_1$"},
			{"custom part with space and tilde", with("TopicId", prefix+" a~b "), 0, " a~b $"},
			{"custom part of 49 bytes", with("TopicId", prefix+strings.Repeat("p", 49)), 10004, ""},
			{"empty custom part", with("TopicId", prefix), 10004, ""},
			{"custom part with a tab", with("TopicId", prefix+"a\tb"), 10004, ""},
			{"custom part with DEL", with("TopicId", prefix+"a\u007fb"), 10004, ""},
			{"custom part with non-ASCII", with("TopicId", prefix+"é"), 10004, ""},
			{"custom ID without the group prefix", with("TopicId", "mine"), 10004, ""},
			{"custom ID of another community", with("TopicId", other+"@TOPIC#_theirs"), 10004, ""},
			{"custom ID with a wrong separator", with("TopicId", gid+"@TOPIC_mine"), 10004, ""},
			{"custom ID of the wrong type", with("TopicId", 5), 10004, ""},
			{"taken custom ID", with("TopicId", prefix+"mine"), 10021, ""},
			{"missing TopicName", map[string]any{"GroupId": gid}, 10004, ""},
			{"empty TopicName", with("TopicName", ""), 10004, ""},
			{"TopicName of the wrong type", with("TopicName", 5), 10004, ""},
			{"TopicName of 30 ASCII bytes", with("TopicName", topicFill(30, "n")), 0, generated},
			{"TopicName of 31 ASCII bytes", with("TopicName", topicFill(31, "n")), 10004, ""},
			{"TopicName of 10 Chinese characters", with("TopicName", topicFill(30, "话")), 0, generated},
			{"TopicName of 11 Chinese characters", with("TopicName", strings.Repeat("话", 11)), 10004, ""},
			{"TopicName of 15 é", with("TopicName", topicFill(30, "é")), 0, generated},
			{"TopicName of 15 é and one byte", with("TopicName", topicFill(31, "é")), 10004, ""},
			{"CustomString of 3000 bytes", with("CustomString", topicFill(3000, "话")), 0, generated},
			{"CustomString of 3001 bytes", with("CustomString", topicFill(3001, "s")), 10004, ""},
			{"FaceUrl of 100 bytes", with("FaceUrl", topicFill(100, "f")), 0, generated},
			{"FaceUrl of 101 bytes", with("FaceUrl", topicFill(101, "é")), 10004, ""},
			{"Notification of 300 bytes", with("Notification", topicFill(300, "é")), 0, generated},
			{"Notification of 301 bytes", with("Notification", topicFill(301, "话")), 10004, ""},
			{"Introduction of 240 bytes", with("Introduction", topicFill(240, "i")), 0, generated},
			{"Introduction of 241 bytes", with("Introduction", topicFill(241, "话")), 10004, ""},
			{"DefaultPermission 0", with("DefaultPermission", 0), 0, generated},
			{"DefaultPermission 127", with("DefaultPermission", 127), 0, generated},
			{"DefaultPermission 128", with("DefaultPermission", 128), 10004, ""},
			{"DefaultPermission -1", with("DefaultPermission", -1), 10004, ""},
			{"by the owner", with("From_Account", "o"), 0, generated},
			{"by an admin", with("From_Account", "adm"), 0, generated},
			{"by an admin named by a JSON number", with("From_Account", 10086), 0, generated},
			{"by an ordinary member", with("From_Account", "mem"), 10007, ""},
			{"by a non-member", with("From_Account", "outsider"), 10007, ""},
			{"by an unknown account", with("From_Account", "ghost"), 10012, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				g, _ := c.body["GroupId"].(string)
				before := len(topicItems(t, s, map[string]any{"GroupId": g}))
				r := s.Call(t, topicSvc+"create_topic", c.body)
				if r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
				after := len(topicItems(t, s, map[string]any{"GroupId": g}))
				if c.want != 0 {
					if after != before {
						t.Fatalf("a refused create changed the topic count %d -> %d", before, after)
					}
					return
				}
				if after != before+1 {
					t.Fatalf("topic count %d -> %d, want one more", before, after)
				}
				id, _ := r["TopicId"].(string)
				if !regexp.MustCompile(c.id).MatchString(id) {
					t.Fatalf("TopicId %q does not match %s", id, c.id)
				}
				if !strings.HasPrefix(id, g+"@TOPIC#_") {
					t.Fatalf("TopicId %q is not in its community %s", id, g)
				}
			})
		}

		// What get_topic answers for a new topic is what create_topic set.
		body := with("TopicName", "新话题", "FaceUrl", "http://face", "Notification", "notice", "Introduction", "intro",
			"CustomString", "custom", "DefaultPermission", 9)
		now := time.Now().Unix()
		id := topicCreate(t, s, body)
		info := topicInfoOf(t, s, gid, id)
		for _, k := range topicInfoKeys {
			if _, ok := info[k]; !ok {
				t.Errorf("TopicInfo has no %s: %v", k, info)
			}
		}
		topicCheckInfo(t, info, map[string]any{"TopicId": id, "TopicName": "新话题", "GroupID": gid, "FaceUrl": "http://face",
			"Notification": "notice", "Introduction": "intro", "CustomString": "custom", "NextMsgSeq": 1.0,
			"ShutUpAllFlag": 0.0, "MuteAllMember": "Off", "DefaultPermission": 9.0})
		if ct, _ := info["CreateTime"].(float64); ct < float64(now-5) || ct > float64(now+5) {
			t.Errorf("CreateTime %v, want about %d", info["CreateTime"], now)
		}
		// Unset optional fields read back empty; the default permission is 0.
		plain := topicInfoOf(t, s, gid, topicCreate(t, s, with()))
		topicCheckInfo(t, plain, map[string]any{"FaceUrl": "", "Notification": "", "Introduction": "", "CustomString": "", "DefaultPermission": 0.0})
		// Generated IDs are distinct.
		seen := map[string]bool{}
		for i := 0; i < 20; i++ {
			id := topicCreate(t, s, with())
			if seen[id] {
				t.Fatalf("generated TopicId %s twice", id)
			}
			seen[id] = true
		}
	})
}

func TestGetTopic(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o", "mem", "outsider")
		gid := topicCommunity(t, s, `,"MemberList":[{"Member_Account":"mem"}]`)
		var ids []string
		for i := 0; i < 5; i++ {
			ids = append(ids, topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": fmt.Sprintf("t%d", i)}))
		}
		ids = append(ids, topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "custom", "TopicId": gid + "@TOPIC#_a"}))
		// Another community's topics are not listed.
		other := topicCommunity(t, s, "")
		topicCreate(t, s, map[string]any{"GroupId": other, "TopicName": "elsewhere"})

		t.Run("all topics in creation order", func(t *testing.T) {
			items := topicItems(t, s, map[string]any{"GroupId": gid})
			if got := topicIDs(items); !reflect.DeepEqual(got, ids) {
				t.Fatalf("topics %v, want %v", got, ids)
			}
			for _, it := range items {
				if it["ErrorCode"] != 0.0 {
					t.Fatalf("item ErrorCode %v", it["ErrorCode"])
				}
				if _, ok := it["ErrorInfo"].(string); !ok {
					t.Fatalf("item without ErrorInfo: %v", it)
				}
			}
		})
		t.Run("a community without topics answers an empty list", func(t *testing.T) {
			empty := topicCommunity(t, s, "")
			if items := topicItems(t, s, map[string]any{"GroupId": empty}); len(items) != 0 {
				t.Fatalf("items %v", items)
			}
		})
		t.Run("listed topics with a missing one", func(t *testing.T) {
			missing := gid + "@TOPIC#_missing"
			items := topicItems(t, s, map[string]any{"GroupId": gid, "TopicIdList": []string{ids[2], missing, ids[0]}})
			if len(items) != 3 {
				t.Fatalf("%d items, want 3", len(items))
			}
			if got := topicIDs(items); !reflect.DeepEqual(got, []string{ids[2], missing, ids[0]}) {
				t.Fatalf("items for %v, want request order", got)
			}
			var codes []any
			for _, it := range items {
				codes = append(codes, it["ErrorCode"])
			}
			if fmt.Sprint(codes) != "[0 10010 0]" {
				t.Fatalf("item codes %v, want [0 10010 0]", codes)
			}
			if items[0]["TopicInfo"].(map[string]any)["TopicName"] != "t2" {
				t.Fatalf("first item %v", items[0])
			}
		})
		t.Run("100 IDs", func(t *testing.T) {
			list := make([]string, 100)
			for i := range list {
				list[i] = fmt.Sprintf("%s@TOPIC#_n%d", gid, i)
			}
			list[99] = ids[1]
			items := topicItems(t, s, map[string]any{"GroupId": gid, "TopicIdList": list})
			if len(items) != 100 || items[0]["ErrorCode"] != 10010.0 || items[99]["ErrorCode"] != 0.0 {
				t.Fatalf("%d items; first %v; last %v", len(items), items[0], items[len(items)-1])
			}
		})
		t.Run("101 IDs", func(t *testing.T) {
			list := make([]string, 101)
			for i := range list {
				list[i] = ids[0]
			}
			if r := s.Call(t, topicSvc+"get_topic", map[string]any{"GroupId": gid, "TopicIdList": list}); r.Code() != 10004 {
				t.Fatalf("got %v, want 10004", r)
			}
		})
		t.Run("ResponseFilter", func(t *testing.T) {
			for _, filter := range [][]string{{"TopicName"}, {"Notification", "NextMsgSeq", "GroupID"}, {"TopicId", "CreateTime"}} {
				items := topicItems(t, s, map[string]any{"GroupId": gid, "TopicIdList": []string{ids[0]}, "ResponseFilter": filter})
				info := items[0]["TopicInfo"].(map[string]any)
				var keys []string
				for k := range info {
					keys = append(keys, k)
				}
				want := append([]string{"TopicId"}, filter...)
				sort.Strings(keys)
				sort.Strings(want)
				want = compactStrings(want)
				if !reflect.DeepEqual(keys, want) {
					t.Errorf("filter %v answered keys %v, want %v", filter, keys, want)
				}
			}
		})
		t.Run("SelfInfo of a member", func(t *testing.T) {
			for _, who := range []string{"mem", "o"} {
				items := topicItems(t, s, map[string]any{"GroupId": gid, "From_Account": who, "TopicIdList": []string{ids[0]}})
				self, _ := items[0]["SelfInfo"].(map[string]any)
				for _, k := range []string{"MsgFlag", "ShutUpTime", "MsgSeq"} {
					if _, ok := self[k]; !ok {
						t.Errorf("SelfInfo of %s has no %s: %v", who, k, items[0])
					}
				}
				if self["ShutUpTime"] != 0.0 {
					t.Errorf("ShutUpTime of %s %v, want 0", who, self["ShutUpTime"])
				}
			}
		})
		t.Run("no SelfInfo without a member", func(t *testing.T) {
			for _, body := range []map[string]any{
				{"GroupId": gid, "TopicIdList": []string{ids[0]}},
				{"GroupId": gid, "TopicIdList": []string{ids[0]}, "From_Account": "outsider"},
			} {
				items := topicItems(t, s, body)
				if self, has := items[0]["SelfInfo"]; has && !reflect.DeepEqual(self, map[string]any{}) {
					t.Errorf("%v answered SelfInfo %v", body, self)
				}
			}
		})
	})
}

// compactStrings drops adjacent duplicates from a sorted slice.
func compactStrings(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func TestModifyTopic(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o", "adm", "mem", "outsider", "1400187352")
		gid := topicCommunity(t, s, `,"MemberList":[{"Member_Account":"adm","Role":"Admin"},{"Member_Account":"mem"},{"Member_Account":"1400187352","Role":"Admin"}]`)
		tid := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "first"})
		other := topicCommunity(t, s, "")
		otherTopic := topicCreate(t, s, map[string]any{"GroupId": other, "TopicName": "theirs"})
		// state is what get_topic must answer after each case.
		state := topicInfoOf(t, s, gid, tid)
		long := func(field string, n int, unit string) map[string]any {
			return map[string]any{field: topicFill(n, unit)}
		}
		cases := []struct {
			name   string
			fields map[string]any // besides GroupId and TopicId
			want   int
		}{
			// The seed's samples.
			{"name and notification (seed sample)", map[string]any{"TopicName": "TestTopicName", "Notification": "Notification"}, 0},
			{"all in one (seed sample)", map[string]any{"From_Account": "1400187352", "TopicName": "TestTopicName", "FaceUrl": "http://this.is.new.face.url",
				"Notification": "Notification", "Introduction": "Introduction", "MuteAllMember": "On", "CustomString": "This is a customs string."}, 0},
			{"From_Account as a JSON number (seed's uint64)", map[string]any{"From_Account": 1400187352, "Introduction": "by number"}, 0},
			// Partial updates.
			{"name only", map[string]any{"TopicName": "renamed"}, 0},
			{"face only", map[string]any{"FaceUrl": "http://f"}, 0},
			{"custom string only", map[string]any{"CustomString": "c2"}, 0},
			{"nothing but the IDs", map[string]any{}, 0},
			{"clear the notification", map[string]any{"Notification": ""}, 0},
			{"MuteAllMember Off", map[string]any{"MuteAllMember": "Off"}, 0},
			{"MuteAllMember On", map[string]any{"MuteAllMember": "On"}, 0},
			{"DefaultPermission 127", map[string]any{"DefaultPermission": 127}, 0},
			{"DefaultPermission 0", map[string]any{"DefaultPermission": 0}, 0},
			// Limits in UTF-8 bytes: at the limit, one byte over.
			{"TopicName of 30 ASCII bytes", long("TopicName", 30, "n"), 0},
			{"TopicName of 10 Chinese characters", long("TopicName", 30, "话"), 0},
			{"TopicName of 15 é", long("TopicName", 30, "é"), 0},
			{"FaceUrl of 100 ASCII bytes", long("FaceUrl", 100, "f"), 0},
			{"FaceUrl of 100 bytes of Chinese", long("FaceUrl", 100, "话"), 0},
			{"FaceUrl of 50 é", long("FaceUrl", 100, "é"), 0},
			{"Notification of 300 ASCII bytes", long("Notification", 300, "n"), 0},
			{"Notification of 100 Chinese characters", long("Notification", 300, "话"), 0},
			{"Notification of 150 é", long("Notification", 300, "é"), 0},
			{"Introduction of 240 ASCII bytes", long("Introduction", 240, "i"), 0},
			{"Introduction of 80 Chinese characters", long("Introduction", 240, "话"), 0},
			{"Introduction of 120 é", long("Introduction", 240, "é"), 0},
			{"CustomString of 3000 ASCII bytes", long("CustomString", 3000, "c"), 0},
			{"CustomString of 1000 Chinese characters", long("CustomString", 3000, "话"), 0},
			{"CustomString of 1500 é", long("CustomString", 3000, "é"), 0},
			// Every refused request carries a valid change too, which must not be applied.
			{"TopicName of 31 ASCII bytes", map[string]any{"TopicName": topicFill(31, "n"), "Notification": "not applied"}, 10004},
			{"TopicName of 11 Chinese characters", map[string]any{"TopicName": strings.Repeat("话", 11), "Notification": "not applied"}, 10004},
			{"TopicName of 10 Chinese characters and a byte", map[string]any{"TopicName": topicFill(31, "话"), "Notification": "not applied"}, 10004},
			{"TopicName of 15 é and a byte", map[string]any{"TopicName": topicFill(31, "é"), "Notification": "not applied"}, 10004},
			{"TopicName of 30 Chinese characters", map[string]any{"TopicName": strings.Repeat("话", 30), "Notification": "not applied"}, 10004},
			{"empty TopicName", map[string]any{"TopicName": "", "Notification": "not applied"}, 10004},
			{"TopicName of the wrong type", map[string]any{"TopicName": 5, "Notification": "not applied"}, 10004},
			{"FaceUrl of 101 ASCII bytes", map[string]any{"FaceUrl": topicFill(101, "f"), "TopicName": "not applied"}, 10004},
			{"FaceUrl of 101 bytes of Chinese", map[string]any{"FaceUrl": topicFill(101, "话"), "TopicName": "not applied"}, 10004},
			{"FaceUrl of 50 é and a byte", map[string]any{"FaceUrl": topicFill(101, "é"), "TopicName": "not applied"}, 10004},
			{"Notification of 301 ASCII bytes", map[string]any{"Notification": topicFill(301, "n"), "TopicName": "not applied"}, 10004},
			{"Notification of 100 Chinese characters and a byte", map[string]any{"Notification": topicFill(301, "话"), "TopicName": "not applied"}, 10004},
			{"Notification of 150 é and a byte", map[string]any{"Notification": topicFill(301, "é"), "TopicName": "not applied"}, 10004},
			{"Introduction of 241 ASCII bytes", map[string]any{"Introduction": topicFill(241, "i"), "TopicName": "not applied"}, 10004},
			{"Introduction of 80 Chinese characters and a byte", map[string]any{"Introduction": topicFill(241, "话"), "TopicName": "not applied"}, 10004},
			{"Introduction of 120 é and a byte", map[string]any{"Introduction": topicFill(241, "é"), "TopicName": "not applied"}, 10004},
			{"CustomString of 3001 ASCII bytes", map[string]any{"CustomString": topicFill(3001, "c"), "TopicName": "not applied"}, 10004},
			{"CustomString of 1000 Chinese characters and a byte", map[string]any{"CustomString": topicFill(3001, "话"), "TopicName": "not applied"}, 10004},
			{"CustomString of 1500 é and a byte", map[string]any{"CustomString": topicFill(3001, "é"), "TopicName": "not applied"}, 10004},
			{"MuteAllMember on (lower case)", map[string]any{"MuteAllMember": "on", "TopicName": "not applied"}, 10004},
			{"MuteAllMember Yes", map[string]any{"MuteAllMember": "Yes", "TopicName": "not applied"}, 10004},
			{"MuteAllMember empty", map[string]any{"MuteAllMember": "", "TopicName": "not applied"}, 10004},
			{"MuteAllMember as a number", map[string]any{"MuteAllMember": 1, "TopicName": "not applied"}, 10004},
			{"DefaultPermission 128", map[string]any{"DefaultPermission": 128, "TopicName": "not applied"}, 10004},
			{"DefaultPermission -1", map[string]any{"DefaultPermission": -1, "TopicName": "not applied"}, 10004},
			// Who may modify.
			{"by the owner", map[string]any{"From_Account": "o", "TopicName": "by owner"}, 0},
			{"by an admin", map[string]any{"From_Account": "adm", "TopicName": "by admin"}, 0},
			{"by an ordinary member", map[string]any{"From_Account": "mem", "TopicName": "not applied"}, 10007},
			{"by a non-member", map[string]any{"From_Account": "outsider", "TopicName": "not applied"}, 10007},
			{"by an unknown account", map[string]any{"From_Account": "ghost", "TopicName": "not applied"}, 10012},
			{"by an unknown account named by a JSON number", map[string]any{"From_Account": 99999, "TopicName": "not applied"}, 10012},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				body := map[string]any{"GroupId": gid, "TopicId": tid}
				for k, v := range c.fields {
					body[k] = v
				}
				r := s.Call(t, topicSvc+"modify_topic", body)
				if r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
				if c.want == 0 {
					if r["ActionStatus"] != "OK" {
						t.Fatalf("ActionStatus %v", r["ActionStatus"])
					}
					for k, v := range c.fields {
						switch k {
						case "From_Account":
						case "DefaultPermission":
							state[k] = float64(v.(int))
						case "MuteAllMember":
							state[k] = v
							state["ShutUpAllFlag"] = map[any]float64{"On": 1, "Off": 0}[v]
						default:
							state[k] = v
						}
					}
				}
				got := topicInfoOf(t, s, gid, tid)
				for _, k := range topicInfoKeys {
					if !reflect.DeepEqual(got[k], state[k]) {
						t.Errorf("after this request TopicInfo.%s = %.80s, want %.80s", k, topicJS(got[k]), topicJS(state[k]))
					}
				}
			})
		}

		bad := []struct {
			name string
			body map[string]any
			want int
		}{
			{"missing TopicId", map[string]any{"GroupId": gid, "TopicName": "x"}, 10004},
			{"TopicId of the wrong type", map[string]any{"GroupId": gid, "TopicId": 7, "TopicName": "x"}, 10004},
			{"TopicId without the group prefix", map[string]any{"GroupId": gid, "TopicId": "x", "TopicName": "x"}, 10004},
			{"TopicId of the group itself", map[string]any{"GroupId": gid, "TopicId": gid, "TopicName": "x"}, 10004},
			{"TopicId of another community's topic", map[string]any{"GroupId": gid, "TopicId": otherTopic, "TopicName": "x"}, 10004},
			{"unknown topic", map[string]any{"GroupId": gid, "TopicId": gid + "@TOPIC#_nope", "TopicName": "x"}, 10010},
			{"unknown generated-looking topic", map[string]any{"GroupId": gid, "TopicId": gid + "@TOPIC#_@TOPIC#cAAAAAAAAAAA", "TopicName": "x"}, 10010},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, topicSvc+"modify_topic", c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
		if got := topicInfoOf(t, s, other, otherTopic)["TopicName"]; got != "theirs" {
			t.Fatalf("the other community's topic was renamed to %v", got)
		}
		// A destroyed topic cannot be modified.
		s.Must(t, topicSvc+"destroy_topic", map[string]any{"GroupId": gid, "TopicIdList": []string{tid}})
		if r := s.Call(t, topicSvc+"modify_topic", map[string]any{"GroupId": gid, "TopicId": tid, "TopicName": "x"}); r.Code() != 10010 {
			t.Fatalf("modify a destroyed topic: %v, want 10010", r)
		}
	})
}
