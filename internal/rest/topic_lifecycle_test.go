package rest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/apitest"
	"github.com/hearth-chat/hearth/internal/event"
)

func TestDestroyTopic(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o")
		gid := topicCommunity(t, s, "")
		var ids []string
		for i := 0; i < 4; i++ {
			ids = append(ids, topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": fmt.Sprintf("t%d", i)}))
		}
		results := func(r apitest.Resp) string {
			var out []string
			for _, it := range r.List("DestroyResultItem") {
				m := it.(map[string]any)
				if _, ok := m["ErrorInfo"].(string); !ok {
					t.Errorf("DestroyResultItem without ErrorInfo: %v", m)
				}
				out = append(out, fmt.Sprintf("%v:%v", m["TopicId"], m["ErrorCode"]))
			}
			return strings.Join(out, " ")
		}
		missing := gid + "@TOPIC#_missing"
		r := s.Must(t, topicSvc+"destroy_topic", map[string]any{"GroupId": gid, "TopicIdList": []string{ids[2], missing, ids[0]}})
		if got, want := results(r), ids[2]+":0 "+missing+":110003 "+ids[0]+":0"; got != want {
			t.Fatalf("DestroyResultItem %s, want %s", got, want)
		}
		if got := topicIDs(topicItems(t, s, map[string]any{"GroupId": gid})); !reflect.DeepEqual(got, []string{ids[1], ids[3]}) {
			t.Fatalf("topics left %v, want %v", got, []string{ids[1], ids[3]})
		}
		items := topicItems(t, s, map[string]any{"GroupId": gid, "TopicIdList": []string{ids[0]}})
		if items[0]["ErrorCode"] != 10010.0 {
			t.Fatalf("get_topic of a destroyed topic: %v, want item ErrorCode 10010", items[0])
		}
		r = s.Must(t, topicSvc+"destroy_topic", map[string]any{"GroupId": gid, "TopicIdList": []string{ids[0], ids[1]}})
		if got, want := results(r), ids[0]+":110003 "+ids[1]+":0"; got != want {
			t.Fatalf("destroying again: %s, want %s", got, want)
		}
		hundred := make([]string, 100)
		for i := range hundred {
			hundred[i] = fmt.Sprintf("%s@TOPIC#_n%d", gid, i)
		}
		if r := s.Must(t, topicSvc+"destroy_topic", map[string]any{"GroupId": gid, "TopicIdList": hundred}); len(r.List("DestroyResultItem")) != 100 {
			t.Fatalf("100 IDs answered %d items", len(r.List("DestroyResultItem")))
		}
		for _, c := range []struct {
			name string
			body map[string]any
		}{
			{"missing TopicIdList", map[string]any{"GroupId": gid}},
			{"empty TopicIdList", map[string]any{"GroupId": gid, "TopicIdList": []string{}}},
			{"101 IDs", map[string]any{"GroupId": gid, "TopicIdList": append(hundred, ids[3])}},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, topicSvc+"destroy_topic", c.body); r.Code() != 10004 {
					t.Fatalf("got %v, want 10004", r)
				}
			})
		}
		if got := topicIDs(topicItems(t, s, map[string]any{"GroupId": gid})); !reflect.DeepEqual(got, []string{ids[3]}) {
			t.Fatalf("a refused destroy removed topics: left %v", got)
		}
	})
}

func TestImportTopic(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o")
		gid := topicCommunity(t, s, "")
		pub := mustCreate(t, s, `{"Type":"Public","Name":"p"}`)
		generated := "^" + regexp.QuoteMeta(gid+"@TOPIC#_") + `@TOPIC#c[A-Z0-9]{11}$`
		for _, svc := range []string{topicSvc, gs} {
			t.Run(svc, func(t *testing.T) {
				id, _ := s.Must(t, svc+"import_topic", map[string]any{"Type": "Community", "GroupId": gid, "TopicName": "old", "From_Account": "o",
					"CustomString": "cs", "FaceUrl": "http://f", "Notification": "n", "Introduction": "i", "CreateTime": 1500000000})["TopicId"].(string)
				if !regexp.MustCompile(generated).MatchString(id) {
					t.Fatalf("TopicId %q does not match %s", id, generated)
				}
				topicCheckInfo(t, topicInfoOf(t, s, gid, id), map[string]any{"TopicId": id, "GroupID": gid, "TopicName": "old", "CustomString": "cs",
					"FaceUrl": "http://f", "Notification": "n", "Introduction": "i", "CreateTime": 1500000000.0})
			})
		}
		custom := gid + "@TOPIC#_imported"
		r := s.Must(t, topicSvc+"import_topic", map[string]any{"GroupId": gid, "TopicId": custom, "TopicName": "x", "CreateTime": 1400000000})
		if r["TopicId"] != custom {
			t.Fatalf("custom import answered TopicId %v", r["TopicId"])
		}
		if ct := topicInfoOf(t, s, gid, custom)["CreateTime"]; ct != 1400000000.0 {
			t.Fatalf("CreateTime %v, want 1400000000", ct)
		}
		for _, c := range []struct {
			name string
			body map[string]any
			want int
		}{
			{"taken custom ID", map[string]any{"GroupId": gid, "TopicId": custom, "TopicName": "x"}, 10021},
			{"custom ID without the group prefix", map[string]any{"GroupId": gid, "TopicId": "mine", "TopicName": "x"}, 10004},
			{"custom part of 49 bytes", map[string]any{"GroupId": gid, "TopicId": gid + "@TOPIC#_" + strings.Repeat("p", 49), "TopicName": "x"}, 10004},
			{"missing TopicName", map[string]any{"GroupId": gid, "CreateTime": 1500000000}, 10004},
			{"TopicName of 31 bytes", map[string]any{"GroupId": gid, "TopicName": topicFill(31, "话")}, 10004},
			{"CustomString of 3001 bytes", map[string]any{"GroupId": gid, "TopicName": "x", "CustomString": topicFill(3001, "é")}, 10004},
			{"FaceUrl of 101 bytes", map[string]any{"GroupId": gid, "TopicName": "x", "FaceUrl": topicFill(101, "f")}, 10004},
			{"Notification of 301 bytes", map[string]any{"GroupId": gid, "TopicName": "x", "Notification": topicFill(301, "n")}, 10004},
			{"Introduction of 241 bytes", map[string]any{"GroupId": gid, "TopicName": "x", "Introduction": topicFill(241, "话")}, 10004},
			{"unknown From_Account", map[string]any{"GroupId": gid, "TopicName": "x", "From_Account": "ghost"}, 10012},
			{"Public group", map[string]any{"GroupId": pub, "TopicName": "x"}, 11000},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := len(topicItems(t, s, map[string]any{"GroupId": gid}))
				if r := s.Call(t, topicSvc+"import_topic", c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
				if after := len(topicItems(t, s, map[string]any{"GroupId": gid})); after != before {
					t.Fatalf("a refused import changed the topic count %d -> %d", before, after)
				}
			})
		}
	})
}

func TestTopicCountLimit(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o")
		gid := topicCommunity(t, s, "")
		ids := make([]string, 0, 1000)
		for i := 0; i < 1000; i++ {
			r := s.Call(t, topicSvc+"create_topic", map[string]any{"GroupId": gid, "TopicName": fmt.Sprintf("t%d", i)})
			if r.Code() != 0 {
				t.Fatalf("topic %d: %v, want 0", i+1, r)
			}
			ids = append(ids, r["TopicId"].(string))
		}
		for _, c := range []struct{ name, api string }{
			{"create the 1001st", topicSvc + "create_topic"},
			{"import the 1001st", topicSvc + "import_topic"},
			{"import the 1001st on group_open_http_svc", gs + "import_topic"},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, c.api, map[string]any{"GroupId": gid, "TopicName": "over", "TopicId": gid + "@TOPIC#_over"}); r.Code() != 10004 {
					t.Fatalf("got %v, want 10004", r)
				}
			})
		}
		if got := topicIDs(topicItems(t, s, map[string]any{"GroupId": gid})); !reflect.DeepEqual(got, ids) {
			t.Fatalf("get_topic lists %d topics, want the 1000 in creation order", len(got))
		}
		// Another community has its own allowance.
		topicCreate(t, s, map[string]any{"GroupId": topicCommunity(t, s, ""), "TopicName": "t"})
		// Destroying one makes room for one.
		s.Must(t, topicSvc+"destroy_topic", map[string]any{"GroupId": gid, "TopicIdList": []string{ids[0]}})
		topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "again"})
		if r := s.Call(t, topicSvc+"create_topic", map[string]any{"GroupId": gid, "TopicName": "over"}); r.Code() != 10004 {
			t.Fatalf("1001st after refill: %v, want 10004", r)
		}
	})
}

func TestTopicPermissionMode(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o", "adm", "mem")
		gid := topicCommunity(t, s, `,"EnablePermission":1,"DefaultPermission":0,"MemberList":[{"Member_Account":"adm","Role":"Admin"},{"Member_Account":"mem"}]`)
		managed := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "managed", "DefaultPermission": 1})
		plain := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "plain"})
		if p := topicInfoOf(t, s, gid, managed)["DefaultPermission"]; p != 1.0 {
			t.Fatalf("DefaultPermission of the managed topic %v, want 1", p)
		}
		modify := func(who, tid string) int {
			t.Helper()
			return s.Call(t, topicSvc+"modify_topic", map[string]any{"GroupId": gid, "TopicId": tid, "From_Account": who, "Notification": "by " + who}).Code()
		}
		create := func(who string) int {
			t.Helper()
			return s.Call(t, topicSvc+"create_topic", map[string]any{"GroupId": gid, "From_Account": who, "TopicName": "by " + who}).Code()
		}
		setDefault := func(p int) {
			t.Helper()
			s.Must(t, gs+"modify_group_base_info", map[string]any{"GroupId": gid, "DefaultPermission": p})
		}
		steps := []struct {
			name string
			do   func() int
			want int
		}{
			{"owner modifies the plain topic", func() int { return modify("o", plain) }, 0},
			{"member modifies the plain topic", func() int { return modify("mem", plain) }, 10007},
			{"admin is an ordinary member", func() int { return modify("adm", plain) }, 10007},
			{"member modifies the topic whose default grants MANAGE_TOPIC", func() int { return modify("mem", managed) }, 0},
			{"admin modifies the topic whose default grants MANAGE_TOPIC", func() int { return modify("adm", managed) }, 0},
			{"member creates a topic without MANAGE_TOPIC_IN_COMMUNITY", func() int { return create("mem") }, 10007},
			{"admin creates a topic without MANAGE_TOPIC_IN_COMMUNITY", func() int { return create("adm") }, 10007},
			{"owner creates a topic", func() int { return create("o") }, 0},
			{"community default 16", func() int { setDefault(16); return 0 }, 0},
			{"member modifies the plain topic with 16", func() int { return modify("mem", plain) }, 0},
			{"admin modifies the plain topic with 16", func() int { return modify("adm", plain) }, 0},
			{"member creates a topic with 16", func() int { return create("mem") }, 0},
			{"community default back to 0", func() int { setDefault(0); return 0 }, 0},
			{"member modifies the plain topic again", func() int { return modify("mem", plain) }, 10007},
			{"app admin takes MANAGE_TOPIC away", func() int {
				return s.Call(t, topicSvc+"modify_topic", map[string]any{"GroupId": gid, "TopicId": managed, "DefaultPermission": 0}).Code()
			}, 0},
			{"member modifies the managed topic without it", func() int { return modify("mem", managed) }, 10007},
			{"member gives the plain topic MANAGE_TOPIC", func() int {
				return s.Call(t, topicSvc+"modify_topic", map[string]any{"GroupId": gid, "TopicId": plain, "From_Account": "mem", "DefaultPermission": 1}).Code()
			}, 10007},
			{"owner gives the plain topic MANAGE_TOPIC", func() int {
				return s.Call(t, topicSvc+"modify_topic", map[string]any{"GroupId": gid, "TopicId": plain, "From_Account": "o", "DefaultPermission": 1}).Code()
			}, 0},
			{"member modifies the plain topic with its MANAGE_TOPIC", func() int { return modify("mem", plain) }, 0},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				if got := st.do(); got != st.want {
					t.Fatalf("ErrorCode %d, want %d", got, st.want)
				}
			})
		}
	})
}

func TestTopicMutes(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o", "a", "b")
		gid := topicCommunity(t, s, `,"MemberList":[{"Member_Account":"a"},{"Member_Account":"b"}]`)
		t1 := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "one"})
		t2 := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "two"})
		pub := mustCreate(t, s, `{"Type":"Public","Name":"p","Owner_Account":"o","MemberList":[{"Member_Account":"a"}]}`)
		muted := func(body map[string]any) map[string]float64 {
			t.Helper()
			out := map[string]float64{}
			for _, m := range s.Must(t, gs+"get_group_muted_account", body).List("MutedAccountList") {
				item := m.(map[string]any)
				out[item["Member_Account"].(string)], _ = item["MutedUntil"].(float64)
			}
			return out
		}
		shutUp := func(who, tid string) float64 {
			t.Helper()
			items := topicItems(t, s, map[string]any{"GroupId": gid, "From_Account": who, "TopicIdList": []string{tid}})
			self, _ := items[0]["SelfInfo"].(map[string]any)
			v, ok := self["ShutUpTime"].(float64)
			if !ok {
				t.Fatalf("no SelfInfo.ShutUpTime for %s: %v", who, items[0])
			}
			return v
		}
		now := float64(time.Now().Unix())
		s.Must(t, gs+"forbid_send_msg", map[string]any{"GroupId": gid, "TopicId": t1, "Members_Account": []string{"a"}, "MuteTime": 3600})
		list := muted(map[string]any{"GroupId": gid, "TopicId": t1})
		if len(list) != 1 || list["a"] < now+3590 || list["a"] > now+3610 {
			t.Fatalf("muted in the topic %v, want a until about %v", list, now+3600)
		}
		if list := muted(map[string]any{"GroupId": gid}); len(list) != 0 {
			t.Fatalf("a topic mute is listed as a community mute: %v", list)
		}
		if list := muted(map[string]any{"GroupId": gid, "TopicId": t2}); len(list) != 0 {
			t.Fatalf("a mute in one topic is listed in another: %v", list)
		}
		if v := shutUp("a", t1); v < now+3590 || v > now+3610 {
			t.Fatalf("ShutUpTime of a in the topic %v, want about %v", v, now+3600)
		}
		for who, tid := range map[string]string{"a": t2, "b": t1} {
			if v := shutUp(who, tid); v != 0 {
				t.Fatalf("ShutUpTime of %s in %s %v, want 0", who, tid, v)
			}
		}
		s.Must(t, gs+"forbid_send_msg", map[string]any{"GroupId": gid, "TopicId": t1, "Members_Account": []string{"a"}, "MuteTime": 0})
		if list := muted(map[string]any{"GroupId": gid, "TopicId": t1}); len(list) != 0 {
			t.Fatalf("after unmuting: %v", list)
		}
		if v := shutUp("a", t1); v != 0 {
			t.Fatalf("ShutUpTime after unmuting %v, want 0", v)
		}
		for _, c := range []struct {
			name, api string
			body      map[string]any
			want      int
		}{
			{"mute with TopicId in a Public group", "forbid_send_msg", map[string]any{"GroupId": pub, "TopicId": pub + "@TOPIC#_x", "Members_Account": []string{"a"}, "MuteTime": 60}, 11000},
			{"mute in an unknown topic", "forbid_send_msg", map[string]any{"GroupId": gid, "TopicId": gid + "@TOPIC#_nope", "Members_Account": []string{"a"}, "MuteTime": 60}, 10010},
			{"list with TopicId in a Public group", "get_group_muted_account", map[string]any{"GroupId": pub, "TopicId": pub + "@TOPIC#_x"}, 11000},
			{"list in an unknown topic", "get_group_muted_account", map[string]any{"GroupId": gid, "TopicId": gid + "@TOPIC#_nope"}, 10010},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, gs+c.api, c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
	})
}

func TestTopicChangesAreEvents(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	s.ImportAccounts(t, "o")
	gid := topicCommunity(t, s, "")
	events := make(chan event.Event, 64)
	cancel := s.Bus.Subscribe(func(e event.Event) { events <- e })
	defer cancel()
	s.Must(t, topicSvc+"import_topic", map[string]any{"GroupId": gid, "TopicName": "imported", "CreateTime": 1500000000})
	tid := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "t"})
	s.Must(t, topicSvc+"modify_topic", map[string]any{"GroupId": gid, "TopicId": tid, "TopicName": "u"})
	s.Must(t, topicSvc+"destroy_topic", map[string]any{"GroupId": gid, "TopicIdList": []string{tid, gid + "@TOPIC#_missing"}})
	s.Must(t, gs+"import_topic", map[string]any{"GroupId": gid, "TopicName": "imported too", "CreateTime": 1500000000})
	// A group change closes the sequence: nothing may come between.
	s.Must(t, gs+"modify_group_base_info", map[string]any{"GroupId": gid, "Name": "renamed"})
	// Imports send no notifications, only the cache invalidation that other
	// nodes of a cluster need.
	want := []struct{ typ, topic string }{{"topic.created", tid}, {"topic.modified", tid}, {"topic.destroyed", tid}, {"group.modified", ""}}
	invalidations := 0
	for _, w := range want {
		select {
		case e := <-events:
			for e.Type == event.CacheInvalidate && invalidations < 2 {
				invalidations++
				e = <-events
			}
			if e.Type != w.typ || e.GroupID != gid || e.TopicID != w.topic {
				t.Fatalf("event %s on %s/%s, want %s on %s/%s", e.Type, e.GroupID, e.TopicID, w.typ, gid, w.topic)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no event %s", w.typ)
		}
	}
	if invalidations != 2 {
		t.Errorf("%d cache invalidations for the 2 imports", invalidations)
	}
}

func TestTopicsSurviveRestart(t *testing.T) {
	for _, store := range apitest.Stores() {
		t.Run(store, func(t *testing.T) {
			opts := apitest.Options{DataDir: t.TempDir()}
			if store == "postgres" {
				opts.Postgres = apitest.PostgresSchema(t)
			}
			var gid, custom string
			var before []map[string]any
			t.Run("before restart", func(t *testing.T) {
				s := apitest.Start(t, opts)
				s.ImportAccounts(t, "o", "m")
				gid = topicCommunity(t, s, `,"MemberList":[{"Member_Account":"m"}]`)
				custom = gid + "@TOPIC#_kept"
				topicCreate(t, s, map[string]any{"GroupId": gid, "TopicId": custom, "TopicName": "kept", "FaceUrl": "http://f", "Introduction": "话题",
					"Notification": "n", "CustomString": "cs", "DefaultPermission": 5})
				s.Must(t, topicSvc+"modify_topic", map[string]any{"GroupId": gid, "TopicId": custom, "TopicName": "renamed", "MuteAllMember": "On", "DefaultPermission": 3})
				gone := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "gone"})
				s.Must(t, topicSvc+"destroy_topic", map[string]any{"GroupId": gid, "TopicIdList": []string{gone}})
				s.Must(t, topicSvc+"import_topic", map[string]any{"GroupId": gid, "TopicName": "old", "CreateTime": 1500000000})
				s.Must(t, gs+"forbid_send_msg", map[string]any{"GroupId": gid, "TopicId": custom, "Members_Account": []string{"m"}, "MuteTime": 3600})
				before = topicItems(t, s, map[string]any{"GroupId": gid, "From_Account": "m"})
				if len(before) != 2 {
					t.Fatalf("%d topics before restart, want 2", len(before))
				}
			})
			if t.Failed() {
				return
			}
			s := apitest.Start(t, opts)
			after := topicItems(t, s, map[string]any{"GroupId": gid, "From_Account": "m"})
			if !reflect.DeepEqual(after, before) {
				t.Fatalf("after restart\n got %s\nwant %s", topicJS(after), topicJS(before))
			}
			topicCheckInfo(t, after[0]["TopicInfo"].(map[string]any), map[string]any{"TopicName": "renamed", "MuteAllMember": "On", "ShutUpAllFlag": 1.0, "DefaultPermission": 3.0, "Introduction": "话题"})
			if r := s.Call(t, topicSvc+"create_topic", map[string]any{"GroupId": gid, "TopicId": custom, "TopicName": "x"}); r.Code() != 10021 {
				t.Fatalf("custom ID after restart: %v, want 10021", r)
			}
			fresh := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "new"})
			for _, id := range topicIDs(before) {
				if id == fresh {
					t.Fatalf("a generated ID after restart repeats %s", id)
				}
			}
		})
	}
}

// TestTopicRateLimit sends 400 modify_topic calls at once: the documented
// 200 calls/s must turn some away with 10006 and let the rest through.
func TestTopicRateLimit(t *testing.T) {
	s := apitest.Start(t, apitest.Options{RateLimit: true})
	s.ImportAccounts(t, "o")
	gid := topicCommunity(t, s, "")
	tid := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "t"})
	const n = 400
	urls := make([]string, n)
	for i := range urls {
		urls[i] = s.AdminURL(t, topicSvc+"modify_topic")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	codes := make([]int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			body := fmt.Sprintf(`{"GroupId":%s,"TopicId":%s,"Notification":"n%d"}`, topicJS(gid), topicJS(tid), i)
			res, err := client.Post(urls[i], "application/json", strings.NewReader(body))
			if err != nil {
				codes[i] = -1
				return
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			var r struct{ ErrorCode int }
			if res.StatusCode != http.StatusOK || json.Unmarshal(raw, &r) != nil {
				codes[i] = -2
				return
			}
			codes[i] = r.ErrorCode
		}()
	}
	close(start)
	wg.Wait()
	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	if count[10006] == 0 || count[0]+count[10006] != n {
		t.Fatalf("answers by ErrorCode %v: want some 10006 and all others 0", count)
	}
}
