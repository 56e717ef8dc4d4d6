package rest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/apitest"
)

func TestPermissionGroupEnforcement(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o", "a", "b", "adm")
		members := `,"MemberList":[{"Member_Account":"a"},{"Member_Account":"b"},{"Member_Account":"adm","Role":"Admin"}]`
		gid := topicCommunity(t, s, `,"EnablePermission":1,"DefaultPermission":0`+members)
		A := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "a"})
		B := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "b"})
		classic := topicCommunity(t, s, members)
		cA := topicCreate(t, s, map[string]any{"GroupId": classic, "TopicName": "a"})
		cB := topicCreate(t, s, map[string]any{"GroupId": classic, "TopicName": "b"})
		pc := pgCreate(t, s, gid, "Permission", 16)
		pt := pgCreate(t, s, gid)
		modify := func(g, who, tid string) int {
			t.Helper()
			return s.Call(t, topicSvc+"modify_topic", map[string]any{"GroupId": g, "TopicId": tid, "From_Account": who, "Notification": "by " + who}).Code()
		}
		do := func(api string, kv ...any) func() int {
			return func() int { t.Helper(); return s.Call(t, gs+api, pgBody(gid, kv...)).Code() }
		}
		perm := func(api string, p int) func() int {
			return do(api, "PermissionGroupId", pt, "TopicPermissionList", []map[string]any{pgPerm(A, p)})
		}
		try := func(who, tid string) func() int { return func() int { return modify(gid, who, tid) } }
		steps := []struct {
			name string
			do   func() int
			want int
		}{
			{"a without a permission group modifies A", try("a", A), 10007},
			{"add a to the group holding MANAGE_TOPIC_IN_COMMUNITY", do("add_permission_group_member", "PermissionGroupId", pc, "MemberList", pgAccounts("a")), 0},
			{"a modifies A", try("a", A), 0},
			{"a modifies B", try("a", B), 0},
			{"b modifies A", try("b", A), 10007},
			{"the admin is an ordinary member", try("adm", A), 10007},
			{"the group's Permission becomes 0", do("modify_permission_group", "PermissionGroupId", pc, "Permission", 0), 0},
			{"a modifies A after that", try("a", A), 10007},
			{"the group's Permission becomes 16 again", do("modify_permission_group", "PermissionGroupId", pc, "Permission", 16), 0},
			{"a modifies B again", try("a", B), 0},
			{"remove a from the group", do("delete_permission_group_member", "PermissionGroupId", pc, "MemberList", pgAccounts("a")), 0},
			{"a modifies B after removal", try("a", B), 10007},
			{"add b to the topic group", do("add_permission_group_member", "PermissionGroupId", pt, "MemberList", pgAccounts("b")), 0},
			{"b modifies A before the topic permission", try("b", A), 10007},
			{"give the topic group MANAGE_TOPIC in A", perm("add_topic_permission_group", 1), 0},
			{"b modifies A with MANAGE_TOPIC", try("b", A), 0},
			{"b modifies B without it", try("b", B), 10007},
			{"set A to MANAGE_TOPIC_PERMISSION only", perm("set_topic_permission_group", 2), 0},
			{"b modifies A without MANAGE_TOPIC", try("b", A), 10007},
			{"set A to MANAGE_TOPIC again", perm("set_topic_permission_group", 1), 0},
			{"b modifies A again", try("b", A), 0},
			{"delete the topic permission", do("delete_topic_permission_group", "PermissionGroupId", pt, "TopicIdList", []string{A}), 0},
			{"b modifies A after the delete", try("b", A), 10007},
			{"give it back", perm("add_topic_permission_group", 1), 0},
			{"b modifies A once more", try("b", A), 0},
			{"destroy the topic group", do("destroy_permission_group", "PermissionGroupIdList", []string{pt}), 0},
			{"b modifies A after the destroy", try("b", A), 10007},
			// EnablePermission 0: the same permission groups are stored but grant nothing.
			{"classic: groups like pc and pt with a and b", func() int {
				p := pgCreate(t, s, classic, "Permission", 2047)
				q := pgCreate(t, s, classic)
				s.Must(t, gs+"add_permission_group_member", pgBody(classic, "PermissionGroupId", p, "MemberList", pgAccounts("a")))
				s.Must(t, gs+"add_permission_group_member", pgBody(classic, "PermissionGroupId", q, "MemberList", pgAccounts("b")))
				r := s.Must(t, gs+"add_topic_permission_group", pgBody(classic, "PermissionGroupId", q, "TopicPermissionList", []map[string]any{pgPerm(cA, 127)}))
				return int(pgObjects(t, r, "TopicPermissionResultList")[0]["ErrorCode"].(float64))
			}, 0},
			{"classic: a modifies A", func() int { return modify(classic, "a", cA) }, 10007},
			{"classic: b modifies A", func() int { return modify(classic, "b", cA) }, 10007},
			{"classic: the admin modifies B", func() int { return modify(classic, "adm", cB) }, 0},
			{"classic: the owner modifies B", func() int { return modify(classic, "o", cB) }, 0},
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

// explainActions are every Action explain_permission knows.
var explainActions = []string{"SendMessage", "ModifyGroupInfo", "ManageTopic", "CreateTopic", "MuteMember", "KickMember", "AtAll",
	"ReadHistory", "RecallOthers", "ManageTopicPermission", "ManagePermissionGroups", "ManagePermissionGroupMembers", "BanMember",
	"PostWhileMutedAll", "InviteMember", "ModifyMemberInfo", "SetMemberRole", "ChangeOwner", "DestroyGroup", "EditOwnMessage", "ReactToMessage"}

func TestExplainPermission(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		var users []string
		for i := 0; i < 40; i++ {
			users = append(users, fmt.Sprintf("u%02d", i))
		}
		s.ImportAccounts(t, append(users, "o", "a", "b", "c", "d")...)
		gid := topicCommunity(t, s, `,"EnablePermission":1,"DefaultPermission":0,"MemberList":`+memberList(append(users, "a", "b", "c", "d")...))
		A := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "a"})
		B := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "b"})
		explain := func(t *testing.T, g, who, action, tid string) apitest.Resp {
			t.Helper()
			body := map[string]any{"GroupId": g, "Member_Account": who, "Action": action, "Target_Account": "d"}
			if tid != "" {
				body["TopicId"] = tid
			}
			r := s.Must(t, explainAPI, body)
			for k, kind := range map[string]string{"Allowed": "bool", "Reason": "string", "Sources": "[]interface {}",
				"CommunityBit": "float64", "TopicBit": "float64", "Role": "string", "PermissionMode": "bool", "Grants": "[]interface {}"} {
				if got := fmt.Sprintf("%T", r[k]); got != kind && !(got == "<nil>" && kind[0] == '[') {
					t.Errorf("%s is %s, want %s: %v", k, got, kind, r)
				}
			}
			return r
		}
		allowed := func(t *testing.T, r apitest.Resp, want bool, source string) {
			t.Helper()
			if r["Allowed"] != want {
				t.Fatalf("Allowed %v, want %v: %v", r["Allowed"], want, r)
			}
			if source != "" && !slices.Contains(r.List("Sources"), any(source)) {
				t.Fatalf("Sources %v do not name %s", r["Sources"], source)
			}
		}
		send := pgCreate(t, s, gid, "PermissionGroupId", "@PMG#_send")
		s.Must(t, gs+"add_permission_group_member", pgBody(gid, "PermissionGroupId", send, "MemberList", pgAccounts("a")))
		s.Must(t, gs+"add_topic_permission_group", pgBody(gid, "PermissionGroupId", send, "TopicPermissionList", []map[string]any{pgPerm(A, 8), pgPerm(B, 16)}))
		t.Run("topic SEND_MESSAGE in A only", func(t *testing.T) {
			r := explain(t, gid, "a", "SendMessage", A)
			allowed(t, r, true, send)
			if r["PermissionMode"] != true || r["TopicBit"] != 8.0 || r["CommunityBit"] != 64.0 {
				t.Fatalf("PermissionMode %v TopicBit %v CommunityBit %v, want true 8 64", r["PermissionMode"], r["TopicBit"], r["CommunityBit"])
			}
			if !slices.ContainsFunc(pgObjects(t, r, "Grants"), func(g map[string]any) bool {
				p, _ := g["Topic"].(float64)
				return g["Source"] == send && int(p)&8 != 0
			}) {
				t.Fatalf("Grants %v have no topic bit 8 from %s", r["Grants"], send)
			}
			allowed(t, explain(t, gid, "a", "SendMessage", B), false, "")
			allowed(t, explain(t, gid, "b", "SendMessage", A), false, "")
		})
		t.Run("set_topic_permission_group grants B on the next request", func(t *testing.T) {
			s.Must(t, gs+"set_topic_permission_group", pgBody(gid, "PermissionGroupId", send, "TopicPermissionList", []map[string]any{pgPerm(B, 24)}))
			allowed(t, explain(t, gid, "a", "SendMessage", B), true, send)
		})
		t.Run("community SEND_MESSAGE allows every topic", func(t *testing.T) {
			all := pgCreate(t, s, gid, "Permission", 64)
			s.Must(t, gs+"add_permission_group_member", pgBody(gid, "PermissionGroupId", all, "MemberList", pgAccounts("b")))
			allowed(t, explain(t, gid, "b", "SendMessage", A), true, all)
			allowed(t, explain(t, gid, "b", "SendMessage", B), true, all)
		})
		t.Run("community and topic defaults", func(t *testing.T) {
			allowed(t, explain(t, gid, "c", "SendMessage", A), false, "")
			s.Must(t, gs+"modify_group_base_info", map[string]any{"GroupId": gid, "DefaultPermission": 64})
			allowed(t, explain(t, gid, "c", "SendMessage", A), true, "default")
			s.Must(t, gs+"modify_group_base_info", map[string]any{"GroupId": gid, "DefaultPermission": 0})
			s.Must(t, topicSvc+"modify_topic", map[string]any{"GroupId": gid, "TopicId": A, "DefaultPermission": 8})
			allowed(t, explain(t, gid, "c", "SendMessage", A), true, "topic-default")
			allowed(t, explain(t, gid, "c", "SendMessage", B), false, "")
			s.Must(t, topicSvc+"modify_topic", map[string]any{"GroupId": gid, "TopicId": A, "DefaultPermission": 0})
		})
		t.Run("the owner may do everything", func(t *testing.T) {
			for _, action := range explainActions {
				if r := explain(t, gid, "o", action, ""); r["Allowed"] != true {
					t.Errorf("%s: %v", action, r)
				}
			}
		})
		// Each action's bits: a member holding exactly the bit may, one
		// holding every other bit may not.
		bits := []struct {
			action string
			c, t   int // the community bit; the topic bit (0: not a topic action)
		}{
			{"ModifyGroupInfo", 1, 0}, {"KickMember", 2, 0}, {"ManagePermissionGroups", 4, 0}, {"ManagePermissionGroupMembers", 8, 0},
			{"CreateTopic", 16, 0}, {"BanMember", 1024, 0},
			{"ManageTopic", 16, 1}, {"ManageTopicPermission", 4, 2}, {"MuteMember", 32, 4}, {"SendMessage", 64, 8},
			{"ReadHistory", 256, 16}, {"RecallOthers", 512, 32}, {"AtAll", 128, 64},
		}
		next := 0
		holder := func(community, topic int) (who, pid string) {
			who = users[next]
			next++
			pid = pgCreate(t, s, gid, "Permission", community)
			s.Must(t, gs+"add_permission_group_member", pgBody(gid, "PermissionGroupId", pid, "MemberList", pgAccounts(who)))
			if topic >= 0 {
				s.Must(t, gs+"add_topic_permission_group", pgBody(gid, "PermissionGroupId", pid, "TopicPermissionList", []map[string]any{pgPerm(A, topic)}))
			}
			return who, pid
		}
		for _, b := range bits {
			t.Run(fmt.Sprintf("%s community bit %d", b.action, b.c), func(t *testing.T) {
				tid := map[bool]string{true: A, false: ""}[b.t != 0]
				who, pid := holder(b.c, -1)
				r := explain(t, gid, who, b.action, tid)
				allowed(t, r, true, pid)
				if r["CommunityBit"] != float64(b.c) {
					t.Fatalf("CommunityBit %v, want %d", r["CommunityBit"], b.c)
				}
				rest := 127
				if b.t != 0 {
					rest &^= b.t
				}
				who, _ = holder(2047&^b.c, rest)
				allowed(t, explain(t, gid, who, b.action, tid), false, "")
			})
			if b.t != 0 {
				t.Run(fmt.Sprintf("%s topic bit %d", b.action, b.t), func(t *testing.T) {
					who, pid := holder(0, b.t)
					r := explain(t, gid, who, b.action, A)
					allowed(t, r, true, pid)
					if r["TopicBit"] != float64(b.t) {
						t.Fatalf("TopicBit %v, want %d", r["TopicBit"], b.t)
					}
					allowed(t, explain(t, gid, who, b.action, B), false, "")
				})
			}
		}
		t.Run("EnablePermission 0", func(t *testing.T) {
			classic := topicCommunity(t, s, `,"MemberList":`+memberList("a"))
			ctid := topicCreate(t, s, map[string]any{"GroupId": classic, "TopicName": "a"})
			p := pgCreate(t, s, classic, "Permission", 2047)
			s.Must(t, gs+"add_permission_group_member", pgBody(classic, "PermissionGroupId", p, "MemberList", pgAccounts("a")))
			s.Must(t, gs+"add_topic_permission_group", pgBody(classic, "PermissionGroupId", p, "TopicPermissionList", []map[string]any{pgPerm(ctid, 127)}))
			r := explain(t, classic, "a", "ManageTopic", ctid)
			allowed(t, r, false, "")
			if r["PermissionMode"] != false {
				t.Fatalf("PermissionMode %v, want false", r["PermissionMode"])
			}
		})
		for _, c := range []struct {
			name string
			body map[string]any
			want int
		}{
			{"unknown Action", map[string]any{"GroupId": gid, "Member_Account": "a", "Action": "Fly"}, 10004},
			{"unknown TopicId", map[string]any{"GroupId": gid, "Member_Account": "a", "Action": "SendMessage", "TopicId": gid + "@TOPIC#_nope"}, 10010},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, explainAPI, c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
	})
}

// TestPermissionGroupRateLimit sends 400 set_topic_permission_group calls at
// once: the documented 200 calls/s must turn some away with 10006.
func TestPermissionGroupRateLimit(t *testing.T) {
	s := apitest.Start(t, apitest.Options{RateLimit: true})
	s.ImportAccounts(t, "o")
	gid := topicCommunity(t, s, "")
	tid := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "t"})
	pid := pgCreate(t, s, gid)
	s.Must(t, gs+"add_topic_permission_group", pgBody(gid, "PermissionGroupId", pid, "TopicPermissionList", []map[string]any{pgPerm(tid, 1)}))
	const n = 400
	urls := make([]string, n)
	for i := range urls {
		urls[i] = s.AdminURL(t, gs+"set_topic_permission_group")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	codes := make([]int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			body := topicJS(pgBody(gid, "PermissionGroupId", pid, "TopicPermissionList", []map[string]any{pgPerm(tid, i%128)}))
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
		})
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
