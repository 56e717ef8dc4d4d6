package rest_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/apitest"
)

// End-to-end tests of permission-group members and topic permissions, what
// destroying things removes, enforcement through modify_topic, Hearth's
// explain_permission and the rate limit. Helpers are in permgroup_test.go.

const explainAPI = "hearth_open_http_svc/explain_permission"

// pgAccounts is a MemberList of ids.
func pgAccounts(ids ...string) []map[string]any {
	out := []map[string]any{}
	for _, id := range ids {
		out = append(out, map[string]any{"Member_Account": id})
	}
	return out
}

// pgPerm is a TopicPermissionList item; a nil perm leaves Permission out.
func pgPerm(tid string, perm any) map[string]any {
	m := map[string]any{"TopicId": tid}
	if perm != nil {
		m["Permission"] = perm
	}
	return m
}

// pgTopicPerms calls get_topic_permission_group (list nil: no TopicIdList)
// and renders its items as "TopicId=Permission" or "TopicId:code".
func pgTopicPerms(t *testing.T, s *apitest.Server, gid, pid string, list []string) string {
	t.Helper()
	body := pgBody(gid, "PermissionGroupId", pid)
	if list != nil {
		body["TopicIdList"] = list
	}
	var out []string
	for _, m := range pgObjects(t, s.Must(t, gs+"get_topic_permission_group", body), "TopicPermissionResultList") {
		if _, ok := m["ErrorInfo"].(string); !ok {
			t.Errorf("item without ErrorInfo: %v", m)
		}
		if m["ErrorCode"] == 0.0 {
			out = append(out, fmt.Sprintf("%v=%v", m["TopicId"], m["Permission"]))
		} else {
			out = append(out, fmt.Sprintf("%v:%v", m["TopicId"], m["ErrorCode"]))
		}
	}
	return strings.Join(out, " ")
}

func TestPermissionGroupMembers(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		var users []string
		for i := 0; i < 101; i++ {
			users = append(users, fmt.Sprintf("m%03d", i))
		}
		s.ImportAccounts(t, append(users, "o", "B", "a", "outsider")...)
		gid := topicCommunity(t, s, "")
		s.Must(t, gs+"add_group_member", `{"GroupId":"`+gid+`","MemberList":`+memberList(append(users, "B", "a")...)+`}`)
		pid := pgCreate(t, s, gid)
		other := pgCreate(t, s, gid)
		body := func(ids ...string) map[string]any {
			return pgBody(gid, "PermissionGroupId", pid, "MemberList", pgAccounts(ids...))
		}
		in := map[string]bool{} // who is in pid
		check := func(t *testing.T) {
			t.Helper()
			var want []string
			for id := range in {
				want = append(want, id)
			}
			slices.Sort(want) // UserID order
			if got := pgInfo(t, s, gid, pid)["MemberCount"]; got != float64(len(want)) {
				t.Fatalf("MemberCount %v, want %d", got, len(want))
			}
			for _, limit := range []int{50, 7} {
				if got := pgMembers(t, s, gid, pid, limit); !slices.Equal(got, want) {
					t.Fatalf("member list by %d: %v, want %v", limit, got, want)
				}
			}
		}
		steps := []struct {
			name, api string
			body      map[string]any
			want      int
			items     string // add: "account:Result …"
			added     []string
			removed   []string
		}{
			{"add two, a non-member and an unknown account", "add", body("m000", "m001", "outsider", "ghost"), 0,
				"m000:0 m001:0 outsider:10007 ghost:10007", []string{"m000", "m001"}, nil},
			{"add one already in and a new one", "add", body("m000", "m002"), 0, "m000:10013 m002:0", []string{"m002"}, nil},
			{"add 100", "add", body(users[:100]...), 0, "", users[:100], nil},
			{"add 101", "add", body(users...), 10005, "", nil, nil},
			{"add none", "add", body(), 10004, "", nil, nil},
			{"add an account twice", "add", body("m100", "m100"), 10004, "", nil, nil},
			{"add in mixed case", "add", body("a", "B"), 0, "a:0 B:0", []string{"a", "B"}, nil},
			{"delete two, a non-member and an unknown account", "delete", body("m000", "m001", "outsider", "ghost"), 0, "", nil, []string{"m000", "m001"}},
			{"delete accounts not in the permission group", "delete", body("m100", "m000"), 0, "", nil, nil},
			{"delete 101", "delete", body(users...), 10005, "", nil, nil},
			{"delete none", "delete", body(), 10004, "", nil, nil},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				r := s.Call(t, gs+st.api+"_permission_group_member", st.body)
				if r.Code() != st.want {
					t.Fatalf("got %v, want %d", r, st.want)
				}
				if st.items != "" {
					if got := pgCodes(t, r, "MemberList", "Member_Account"); got != st.items {
						t.Fatalf("MemberList %s, want %s", got, st.items)
					}
				}
				if st.api == "add" && st.want == 0 && len(r.List("MemberList")) != len(st.body["MemberList"].([]map[string]any)) {
					t.Fatalf("MemberList has %d items for %d accounts", len(r.List("MemberList")), len(st.body["MemberList"].([]map[string]any)))
				}
				for _, id := range st.added {
					in[id] = true
				}
				for _, id := range st.removed {
					delete(in, id)
				}
				check(t)
			})
		}
		t.Run("Limit 51", func(t *testing.T) {
			r := s.Call(t, gs+"get_permission_group_member_list", pgBody(gid, "PermissionGroupId", pid, "Limit", 51, "Next", ""))
			if r.Code() != 10004 {
				t.Fatalf("got %v, want 10004", r)
			}
		})
		t.Run("a permission group has its own members", func(t *testing.T) {
			if got := pgMembers(t, s, gid, other, 50); len(got) != 0 {
				t.Fatalf("members %v", got)
			}
		})
		t.Run("leaving the community", func(t *testing.T) {
			s.Must(t, gs+"delete_group_member", `{"GroupId":"`+gid+`","MemberToDel_Account":["m002"]}`)
			delete(in, "m002")
			check(t)
		})
		t.Run("deleting the account", func(t *testing.T) {
			s.Must(t, "im_open_login_svc/account_delete", `{"DeleteItem":[{"UserID":"m003"}]}`)
			delete(in, "m003")
			check(t)
		})
	})
}

func TestTopicPermissionAPIs(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o")
		gid := topicCommunity(t, s, "")
		var tp = map[string]string{}
		for _, n := range []string{"d", "c", "b", "a", "gone"} { // created out of TopicId order
			tp[n] = topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": n, "TopicId": gid + "@TOPIC#_" + n})
		}
		A, B, C, D, gone := tp["a"], tp["b"], tp["c"], tp["d"], tp["gone"]
		s.Must(t, topicSvc+"destroy_topic", map[string]any{"GroupId": gid, "TopicIdList": []string{gone}})
		missing := gid + "@TOPIC#_missing"
		theirs := topicCreate(t, s, map[string]any{"GroupId": topicCommunity(t, s, ""), "TopicName": "theirs"})
		pid := pgCreate(t, s, gid, "PermissionGroupId", "@PMG#_test_permission_group_with_topic")
		bystander := pgCreate(t, s, gid)
		list := func(api string, items ...map[string]any) apitest.Resp {
			t.Helper()
			return s.Call(t, gs+api, pgBody(gid, "PermissionGroupId", pid, "TopicPermissionList", items))
		}
		results := func(t *testing.T, r apitest.Resp, want string) {
			t.Helper()
			if r.Code() != 0 {
				t.Fatalf("got %v, want 0 with per-item codes", r)
			}
			if got := pgCodes(t, r, "TopicPermissionResultList", "TopicId"); got != want {
				t.Fatalf("TopicPermissionResultList\n got %s\nwant %s", got, want)
			}
		}
		state := func(t *testing.T, want string) {
			t.Helper()
			if got := pgTopicPerms(t, s, gid, pid, nil); got != want {
				t.Fatalf("topic permissions\n got %s\nwant %s", got, want)
			}
		}
		t.Run("add with partial failures", func(t *testing.T) {
			r := list("add_topic_permission_group", pgPerm(A, 1), pgPerm(B, 123456), pgPerm(missing, 1), pgPerm(gone, 1),
				pgPerm(theirs, 1), pgPerm("x", 1), pgPerm(C, nil))
			results(t, r, A+":0 "+B+":0 "+missing+":10010 "+gone+":10010 "+theirs+":10004 x:10004 "+C+":10004")
			state(t, A+"=1 "+B+"=123456")
		})
		t.Run("add where permissions exist", func(t *testing.T) {
			results(t, list("add_topic_permission_group", pgPerm(A, 2), pgPerm(C, 4)), A+":10021 "+C+":0")
			state(t, A+"=1 "+B+"=123456 "+C+"=4")
		})
		t.Run("set with partial failures", func(t *testing.T) {
			r := list("set_topic_permission_group", pgPerm(A, 3), pgPerm(D, 1), pgPerm(missing, 1), pgPerm(gone, 1),
				pgPerm(theirs, 1), pgPerm("x", 1), pgPerm(C, nil))
			results(t, r, A+":0 "+D+":110011 "+missing+":10010 "+gone+":10010 "+theirs+":10004 x:10004 "+C+":10004")
			state(t, A+"=3 "+B+"=123456 "+C+"=4")
		})
		t.Run("the seed's sample request", func(t *testing.T) {
			raw := `{"GroupId":` + topicJS(gid) + `,"PermissionGroupId":"@PMG#_test_permission_group_with_topic",` +
				`"TopicPermissionList":[{"Permission":123456,"TopicId":` + topicJS(C) + `}]}`
			r := s.Must(t, gs+"set_topic_permission_group", raw)
			if r["ActionStatus"] != "OK" {
				t.Fatalf("ActionStatus %v", r["ActionStatus"])
			}
			results(t, r, C+":0")
			state(t, A+"=3 "+B+"=123456 "+C+"=123456")
		})
		t.Run("get listed topics in request order", func(t *testing.T) {
			if got, want := pgTopicPerms(t, s, gid, pid, []string{C, D, A}), C+"=123456 "+D+":110011 "+A+"=3"; got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
			for _, it := range pgObjects(t, s.Must(t, gs+"get_topic_permission_group", pgBody(gid, "PermissionGroupId", pid)), "TopicPermissionResultList") {
				for _, k := range []string{"ErrorCode", "ErrorInfo", "TopicId", "Permission"} {
					if _, ok := it[k]; !ok {
						t.Errorf("item has no %s: %v", k, it)
					}
				}
			}
		})
		t.Run("get with an empty list is all", func(t *testing.T) {
			if got, want := pgTopicPerms(t, s, gid, pid, []string{}), A+"=3 "+B+"=123456 "+C+"=123456"; got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
		})
		t.Run("another permission group holds none", func(t *testing.T) {
			if got := pgTopicPerms(t, s, gid, bystander, nil); got != "" {
				t.Fatalf("got %s", got)
			}
		})
		t.Run("delete", func(t *testing.T) {
			r := s.Call(t, gs+"delete_topic_permission_group", pgBody(gid, "PermissionGroupId", pid, "TopicIdList", []string{A, D}))
			results(t, r, A+":0 "+D+":110011")
			state(t, B+"=123456 "+C+"=123456")
			results(t, list("set_topic_permission_group", pgPerm(A, 1)), A+":110011")
		})
		var fifty []string
		for i := 0; i < 50; i++ {
			fifty = append(fifty, topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "n", "TopicId": fmt.Sprintf("%s@TOPIC#_t%02d", gid, i)}))
		}
		perms := func(ids []string, p int) []map[string]any {
			var out []map[string]any
			for _, id := range ids {
				out = append(out, pgPerm(id, p))
			}
			return out
		}
		all := func(p int) string {
			s := B + "=123456 " + C + "=123456"
			for _, id := range fifty {
				s += fmt.Sprintf(" %s=%d", id, p)
			}
			return s
		}
		limits := []struct {
			name, api string
			body      map[string]any
			want      int
			after     string
		}{
			{"add 51", "add_topic_permission_group", pgBody(gid, "PermissionGroupId", pid, "TopicPermissionList", perms(slices.Concat(fifty, []string{A}), 8)), 10004, B + "=123456 " + C + "=123456"},
			{"add none", "add_topic_permission_group", pgBody(gid, "PermissionGroupId", pid, "TopicPermissionList", perms(nil, 8)), 10004, B + "=123456 " + C + "=123456"},
			{"add without a list", "add_topic_permission_group", pgBody(gid, "PermissionGroupId", pid), 10004, B + "=123456 " + C + "=123456"},
			{"add 50", "add_topic_permission_group", pgBody(gid, "PermissionGroupId", pid, "TopicPermissionList", perms(fifty, 8)), 0, all(8)},
			{"set 51", "set_topic_permission_group", pgBody(gid, "PermissionGroupId", pid, "TopicPermissionList", perms(slices.Concat(fifty, []string{B}), 16)), 10004, all(8)},
			{"set none", "set_topic_permission_group", pgBody(gid, "PermissionGroupId", pid, "TopicPermissionList", perms(nil, 16)), 10004, all(8)},
			{"set without a list", "set_topic_permission_group", pgBody(gid, "PermissionGroupId", pid), 10004, all(8)},
			{"set 50", "set_topic_permission_group", pgBody(gid, "PermissionGroupId", pid, "TopicPermissionList", perms(fifty, 16)), 0, all(16)},
			{"delete 51", "delete_topic_permission_group", pgBody(gid, "PermissionGroupId", pid, "TopicIdList", slices.Concat(fifty, []string{B})), 10004, all(16)},
			{"delete none", "delete_topic_permission_group", pgBody(gid, "PermissionGroupId", pid, "TopicIdList", []string{}), 10004, all(16)},
			{"delete 50", "delete_topic_permission_group", pgBody(gid, "PermissionGroupId", pid, "TopicIdList", fifty), 0, B + "=123456 " + C + "=123456"},
		}
		for _, c := range limits {
			t.Run(c.name, func(t *testing.T) {
				r := s.Call(t, gs+c.api, c.body)
				if r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
				if c.want == 0 {
					items := pgObjects(t, r, "TopicPermissionResultList")
					if len(items) != 50 || slices.ContainsFunc(items, func(m map[string]any) bool { return m["ErrorCode"] != 0.0 }) {
						t.Fatalf("%d items: %s", len(items), pgCodes(t, r, "TopicPermissionResultList", "TopicId"))
					}
				}
				state(t, c.after)
			})
		}
	})
}

// TestPermissionGroupCleanup checks what destroying a topic, a permission
// group and the community removes.
func TestPermissionGroupCleanup(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o", "a", "b")
		const gid = "@TGS#_pgcleanup"
		create := `{"Type":"Community","Name":"c","SupportTopic":1,"Owner_Account":"o","GroupId":"` + gid + `","MemberList":` + memberList("a", "b") + `}`
		mustCreate(t, s, create)
		A := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "a", "TopicId": gid + "@TOPIC#_a"})
		B := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "b", "TopicId": gid + "@TOPIC#_b"})
		fill := func() {
			pgCreate(t, s, gid, "PermissionGroupId", "@PMG#_p")
			s.Must(t, gs+"add_permission_group_member", pgBody(gid, "PermissionGroupId", "@PMG#_p", "MemberList", pgAccounts("a", "b")))
			s.Must(t, gs+"add_topic_permission_group", pgBody(gid, "PermissionGroupId", "@PMG#_p", "TopicPermissionList", []map[string]any{pgPerm(A, 1), pgPerm(B, 2)}))
		}
		set := func(tid string) string {
			r := s.Must(t, gs+"set_topic_permission_group", pgBody(gid, "PermissionGroupId", "@PMG#_p", "TopicPermissionList", []map[string]any{pgPerm(tid, 1)}))
			return pgCodes(t, r, "TopicPermissionResultList", "TopicId")
		}
		fill()
		s.Must(t, topicSvc+"destroy_topic", map[string]any{"GroupId": gid, "TopicIdList": []string{B}})
		if got := pgTopicPerms(t, s, gid, "@PMG#_p", nil); got != A+"=1" {
			t.Fatalf("after destroying topic B: %s, want %s=1", got, A)
		}
		if got := set(B); got != B+":10010" {
			t.Fatalf("set in the destroyed topic: %s, want %s:10010", got, B)
		}
		topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "b again", "TopicId": B})
		if got := set(B); got != B+":110011" {
			t.Fatalf("a topic re-created with B's ID inherited its permissions: set answered %s, want %s:110011", got, B)
		}

		s.Must(t, gs+"destroy_permission_group", pgBody(gid, "PermissionGroupIdList", []string{"@PMG#_p"}))
		if r := s.Call(t, gs+"get_topic_permission_group", pgBody(gid, "PermissionGroupId", "@PMG#_p")); r.Code() != 110006 {
			t.Fatalf("topic permissions of a destroyed permission group: %v, want 110006", r)
		}
		pgCreate(t, s, gid, "PermissionGroupId", "@PMG#_p")
		if n := pgInfo(t, s, gid, "@PMG#_p")["MemberCount"]; n != 0.0 || len(pgMembers(t, s, gid, "@PMG#_p", 50)) != 0 {
			t.Fatalf("a re-created permission group has the old members (MemberCount %v)", n)
		}
		if got := pgTopicPerms(t, s, gid, "@PMG#_p", nil); got != "" {
			t.Fatalf("a re-created permission group has the old topic permissions %s", got)
		}

		s.Must(t, gs+"add_permission_group_member", pgBody(gid, "PermissionGroupId", "@PMG#_p", "MemberList", pgAccounts("a")))
		s.Must(t, gs+"add_topic_permission_group", pgBody(gid, "PermissionGroupId", "@PMG#_p", "TopicPermissionList", []map[string]any{pgPerm(A, 1)}))
		s.Must(t, gs+"destroy_group", map[string]any{"GroupId": gid})
		for api, body := range pgAPIBodies(gid, "@PMG#_p", A) {
			if r := s.Call(t, gs+api, body); r.Code() != 10010 {
				t.Errorf("%s after destroy_group: %v, want 10010", api, r)
			}
		}
		if r := s.Call(t, gs+"create_group", create); r.Code() != 0 {
			t.Logf("the destroyed community's ID cannot be used again (%v); what destroy_group left is not visible", r)
			return
		}
		if got := pgIDs(pgList(t, s, gid, 20)); len(got) != 0 {
			t.Fatalf("a re-created community has the old permission groups %v", got)
		}
		pgCreate(t, s, gid, "PermissionGroupId", "@PMG#_p")
		if n := pgInfo(t, s, gid, "@PMG#_p")["MemberCount"]; n != 0.0 {
			t.Fatalf("MemberCount %v after destroy_group and re-creation, want 0", n)
		}
		if got := pgTopicPerms(t, s, gid, "@PMG#_p", nil); got != "" {
			t.Fatalf("topic permissions %s after destroy_group and re-creation, want none", got)
		}
	})
}
