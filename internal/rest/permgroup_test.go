package rest_test

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/apitest"
)

// End-to-end tests of the permission-group APIs (group_open_http_svc),
// written from the set_topic_permission_group seed,
// shared/spec/groups-topics-permissions.md §6 and §7 and decisions 6, 7, 9
// and 10 in shared/spec/README.md. The topic-permission APIs, the cascades,
// enforcement and explain_permission are in permgroup_enforce_test.go.

// pgGenerated is the shape of a generated permission group ID.
var pgGenerated = regexp.MustCompile(`^@PMG#_@PMG#c[A-Z0-9]{11}$`)

// pgInfoKeys are the keys of every get_permission_group item.
var pgInfoKeys = []string{"ErrorCode", "ErrorInfo", "PermissionGroupId", "PermissionGroupName", "CustomString", "Permission", "MemberCount"}

// pgBadID is the wanted code where a malformed custom ID on create may be
// refused either as a bad parameter or as a bad permission group ID (the
// contract names 110008 only where an ID is required).
const pgBadID = -1

// pgCodeIs reports whether code is what want asks for.
func pgCodeIs(code, want int) bool {
	if want == pgBadID {
		return code == 10004 || code == 110008
	}
	return code == want
}

// pgObjects returns the objects of the list key in r.
func pgObjects(t *testing.T, r apitest.Resp, key string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, it := range r.List(key) {
		m, ok := it.(map[string]any)
		if !ok {
			t.Fatalf("%s item %v is not an object", key, it)
		}
		out = append(out, m)
	}
	return out
}

// pgBody is a request body for gid with the key/value pairs kv.
func pgBody(gid string, kv ...any) map[string]any {
	m := map[string]any{"GroupId": gid}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// pgCreate creates a permission group in gid (name "pg", Permission 0 unless
// kv says otherwise) and returns its ID.
func pgCreate(t *testing.T, s *apitest.Server, gid string, kv ...any) string {
	t.Helper()
	body := pgBody(gid, append([]any{"PermissionGroupName", "pg", "Permission", 0}, kv...)...)
	id, _ := s.Must(t, gs+"create_permission_group", body)["PermissionGroupId"].(string)
	if id == "" {
		t.Fatalf("create_permission_group answered no PermissionGroupId")
	}
	return id
}

// pgPages calls api with body and Limit limit, following Next until it is
// "", and returns the objects of listKey from every page.
func pgPages(t *testing.T, s *apitest.Server, api, listKey string, body map[string]any, limit int) []map[string]any {
	t.Helper()
	var out []map[string]any
	next := ""
	for page := 0; ; page++ {
		if page > 500 {
			t.Fatalf("%s paging does not end", api)
		}
		body["Limit"], body["Next"] = limit, next
		r := s.Must(t, gs+api, body)
		items := pgObjects(t, r, listKey)
		if len(items) > limit {
			t.Fatalf("%s Limit %d answered %d items", api, limit, len(items))
		}
		out = append(out, items...)
		n, ok := r["Next"].(string)
		if !ok {
			t.Fatalf("%s Next %v is not a string", api, r["Next"])
		}
		if n == "" {
			return out
		}
		next = n
	}
}

// pgList pages get_permission_group through every permission group of gid.
func pgList(t *testing.T, s *apitest.Server, gid string, limit int) []map[string]any {
	t.Helper()
	return pgPages(t, s, "get_permission_group", "PermissionGroupInfoList", pgBody(gid), limit)
}

// pgIDs lists the PermissionGroupIds of items.
func pgIDs(items []map[string]any) []string {
	ids := []string{}
	for _, it := range items {
		id, _ := it["PermissionGroupId"].(string)
		ids = append(ids, id)
	}
	return ids
}

// pgInfo is get_permission_group's item for one existing permission group.
func pgInfo(t *testing.T, s *apitest.Server, gid, pid string) map[string]any {
	t.Helper()
	r := s.Must(t, gs+"get_permission_group", pgBody(gid, "PermissionGroupIdList", []string{pid}))
	items := pgObjects(t, r, "PermissionGroupInfoList")
	if len(items) != 1 || items[0]["ErrorCode"] != 0.0 {
		t.Fatalf("get_permission_group of %s: %v", pid, items)
	}
	for _, k := range pgInfoKeys {
		if _, ok := items[0][k]; !ok {
			t.Errorf("get_permission_group item has no %s: %v", k, items[0])
		}
	}
	return items[0]
}

// pgMembers pages get_permission_group_member_list with limit.
func pgMembers(t *testing.T, s *apitest.Server, gid, pid string, limit int) []string {
	t.Helper()
	out := []string{}
	for _, m := range pgPages(t, s, "get_permission_group_member_list", "MemberList", pgBody(gid, "PermissionGroupId", pid), limit) {
		id, ok := m["Member_Account"].(string)
		if !ok {
			t.Fatalf("member item without Member_Account: %v", m)
		}
		out = append(out, id)
	}
	return out
}

// pgCodes renders the per-item list key of r as "id:code …".
func pgCodes(t *testing.T, r apitest.Resp, key, idKey string) string {
	t.Helper()
	var out []string
	for _, m := range pgObjects(t, r, key) {
		if _, ok := m["ErrorInfo"].(string); !ok && idKey != "Member_Account" {
			t.Errorf("%s item without ErrorInfo: %v", key, m)
		}
		code := m["ErrorCode"]
		if idKey == "Member_Account" {
			code = m["Result"]
		}
		out = append(out, fmt.Sprintf("%v:%v", m[idKey], code))
	}
	return strings.Join(out, " ")
}

// pgAPIBodies are valid-looking bodies for all 11 APIs in group gid, naming
// permission group pid and topic tid.
func pgAPIBodies(gid, pid, tid string) map[string]map[string]any {
	one := []map[string]any{{"Member_Account": "o"}}
	topics := []map[string]any{{"TopicId": tid, "Permission": 1}}
	return map[string]map[string]any{
		"create_permission_group":          pgBody(gid, "PermissionGroupName", "n", "Permission", 0),
		"destroy_permission_group":         pgBody(gid, "PermissionGroupIdList", []string{pid}),
		"modify_permission_group":          pgBody(gid, "PermissionGroupId", pid, "PermissionGroupName", "n"),
		"get_permission_group":             pgBody(gid),
		"add_permission_group_member":      pgBody(gid, "PermissionGroupId", pid, "MemberList", one),
		"delete_permission_group_member":   pgBody(gid, "PermissionGroupId", pid, "MemberList", one),
		"get_permission_group_member_list": pgBody(gid, "PermissionGroupId", pid, "Limit", 10, "Next", ""),
		"add_topic_permission_group":       pgBody(gid, "PermissionGroupId", pid, "TopicPermissionList", topics),
		"set_topic_permission_group":       pgBody(gid, "PermissionGroupId", pid, "TopicPermissionList", topics),
		"delete_topic_permission_group":    pgBody(gid, "PermissionGroupId", pid, "TopicIdList", []string{tid}),
		"get_topic_permission_group":       pgBody(gid, "PermissionGroupId", pid),
	}
}

func TestPermGroupAPIsNeedACommunity(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o")
		gone := topicCommunity(t, s, "")
		pgCreate(t, s, gone)
		s.Must(t, gs+"destroy_group", map[string]any{"GroupId": gone})
		groups := []struct {
			name, id string
			want     int
		}{
			{"Public", mustCreate(t, s, `{"Type":"Public","Name":"p","Owner_Account":"o"}`), 10007},
			{"Private", mustCreate(t, s, `{"Type":"Private","Name":"p","Owner_Account":"o"}`), 10007},
			{"ChatRoom", mustCreate(t, s, `{"Type":"ChatRoom","Name":"p","Owner_Account":"o"}`), 10007},
			{"AVChatRoom", mustCreate(t, s, `{"Type":"AVChatRoom","Name":"p","Owner_Account":"o"}`), 10007},
			{"missing custom group", "nope", 10010},
			{"missing community", "@TGS#_nope", 10010},
			{"destroyed community", gone, 10010},
			{"group ID with a control character", "bad\u0001id", 10015},
			{"bare community prefix", "@TGS#_", 10015},
		}
		for api, body := range pgAPIBodies("", "@PMG#_x", "") {
			for _, g := range groups {
				t.Run(api+" on "+g.name, func(t *testing.T) {
					b := pgAPIBodies(g.id, "@PMG#_x", g.id+"@TOPIC#_x")[api]
					if r := s.Call(t, gs+api, b); r.Code() != g.want {
						t.Fatalf("got %v, want %d", r, g.want)
					}
				})
			}
			t.Run(api+" without GroupId", func(t *testing.T) {
				delete(body, "GroupId")
				if r := s.Call(t, gs+api, body); r.Code() != 10004 {
					t.Fatalf("got %v, want 10004", r)
				}
			})
		}
	})
}

// TestPermGroupIDs checks every API that names permission groups against
// malformed IDs (110008), well-formed missing ones (110006) and another
// community's permission group (110006).
func TestPermGroupIDs(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o")
		gid := topicCommunity(t, s, "")
		tid := topicCreate(t, s, map[string]any{"GroupId": gid, "TopicName": "t"})
		other := topicCommunity(t, s, "")
		theirs := pgCreate(t, s, other, "PermissionGroupId", "@PMG#_theirs")
		ids := []struct {
			name, id string
			want     int
		}{
			{"no prefix", "mine", 110008},
			{"lower-case prefix", "@pmg#_mine", 110008},
			{"bare prefix", "@PMG#_", 110008},
			{"49 bytes after the prefix", "@PMG#_" + strings.Repeat("p", 49), 110008},
			{"a control character", "@PMG#_a\u0001b", 110008},
			{"a tab", "@PMG#_a\tb", 110008},
			{"DEL", "@PMG#_a\u007fb", 110008},
			{"non-ASCII", "@PMG#_é", 110008},
			{"missing", "@PMG#_missing", 110006},
			{"missing of 48 bytes", "@PMG#_" + strings.Repeat("p", 48), 110006},
			{"missing generated", "@PMG#_@PMG#cAAAAAAAAAAA", 110006},
			{"another community's", theirs, 110006},
		}
		for api := range pgAPIBodies(gid, "", tid) {
			if api == "create_permission_group" || api == "get_permission_group" || api == "destroy_permission_group" {
				continue
			}
			for _, c := range ids {
				t.Run(api+" with "+c.name, func(t *testing.T) {
					if r := s.Call(t, gs+api, pgAPIBodies(gid, c.id, tid)[api]); r.Code() != c.want {
						t.Fatalf("got %v, want %d", r, c.want)
					}
				})
			}
			t.Run(api+" without PermissionGroupId", func(t *testing.T) {
				body := pgAPIBodies(gid, "", tid)[api]
				delete(body, "PermissionGroupId")
				if r := s.Call(t, gs+api, body); r.Code() != 10004 && r.Code() != 110008 {
					t.Fatalf("got %v, want 10004 (or 110008)", r)
				}
			})
		}
		// The batch APIs answer the same codes per item.
		for _, api := range []string{"destroy_permission_group", "get_permission_group"} {
			t.Run(api, func(t *testing.T) {
				var list []string
				var want []string
				for _, c := range ids {
					list = append(list, c.id)
					want = append(want, fmt.Sprintf("%s:%d", c.id, c.want))
				}
				key := "PermissionGroupResultList"
				if api == "get_permission_group" {
					key = "PermissionGroupInfoList"
				}
				r := s.Must(t, gs+api, pgBody(gid, "PermissionGroupIdList", list))
				if got := pgCodes(t, r, key, "PermissionGroupId"); got != strings.Join(want, " ") {
					t.Fatalf("items\n got %s\nwant %s", got, strings.Join(want, " "))
				}
			})
		}
		if got := pgInfo(t, s, other, theirs)["PermissionGroupId"]; got != theirs {
			t.Fatalf("the other community's permission group is gone: %v", got)
		}
	})
}

func TestCreatePermissionGroup(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o")
		gid := topicCommunity(t, s, "")
		other := topicCommunity(t, s, "")
		with := func(kv ...any) map[string]any {
			return pgBody(gid, append([]any{"PermissionGroupName", "n", "Permission", 5}, kv...)...)
		}
		without := func(key string) map[string]any { b := with(); delete(b, key); return b }
		const gen = "generated"
		cases := []struct {
			name string
			body map[string]any
			want int
			id   string // the answered ID: gen or the exact custom one
		}{
			{"generated ID", with(), 0, gen},
			{"custom ID", with("PermissionGroupId", "@PMG#_mine"), 0, "@PMG#_mine"},
			{"the seed's custom ID", with("PermissionGroupId", "@PMG#_test_permission_group_with_topic"), 0, "@PMG#_test_permission_group_with_topic"},
			{"the same custom ID in another community", pgBody(other, "PermissionGroupId", "@PMG#_mine", "PermissionGroupName", "n", "Permission", 0), 0, "@PMG#_mine"},
			{"custom part of 48 bytes", with("PermissionGroupId", "@PMG#_"+strings.Repeat("p", 48)), 0, "@PMG#_" + strings.Repeat("p", 48)},
			{"custom part of 1 byte", with("PermissionGroupId", "@PMG#_1"), 0, "@PMG#_1"},
			{"custom part with space and tilde", with("PermissionGroupId", "@PMG#_ a~b "), 0, "@PMG#_ a~b "},
			{"custom part of 49 bytes", with("PermissionGroupId", "@PMG#_"+strings.Repeat("p", 49)), pgBadID, ""},
			{"empty custom part", with("PermissionGroupId", "@PMG#_"), pgBadID, ""},
			{"custom part with a tab", with("PermissionGroupId", "@PMG#_a\tb"), pgBadID, ""},
			{"custom part with DEL", with("PermissionGroupId", "@PMG#_a\u007fb"), pgBadID, ""},
			{"custom part with non-ASCII", with("PermissionGroupId", "@PMG#_é"), pgBadID, ""},
			{"custom ID without the prefix", with("PermissionGroupId", "mine"), pgBadID, ""},
			{"custom ID with a wrong prefix", with("PermissionGroupId", "@PMG_mine"), pgBadID, ""},
			{"custom ID of the wrong type", with("PermissionGroupId", 5), pgBadID, ""},
			{"taken custom ID", with("PermissionGroupId", "@PMG#_mine"), 10021, ""},
			{"missing PermissionGroupName", without("PermissionGroupName"), 10004, ""},
			{"empty PermissionGroupName", with("PermissionGroupName", ""), 10004, ""},
			{"PermissionGroupName of the wrong type", with("PermissionGroupName", 5), 10004, ""},
			{"PermissionGroupName of 150 ASCII bytes", with("PermissionGroupName", topicFill(150, "n")), 0, gen},
			{"PermissionGroupName of 151 ASCII bytes", with("PermissionGroupName", topicFill(151, "n")), 10004, ""},
			{"PermissionGroupName of 50 Chinese characters", with("PermissionGroupName", topicFill(150, "话")), 0, gen},
			{"PermissionGroupName of 50 Chinese characters and a byte", with("PermissionGroupName", topicFill(151, "话")), 10004, ""},
			{"PermissionGroupName of 51 Chinese characters", with("PermissionGroupName", strings.Repeat("话", 51)), 10004, ""},
			{"PermissionGroupName of 75 é", with("PermissionGroupName", topicFill(150, "é")), 0, gen},
			{"PermissionGroupName of 75 é and a byte", with("PermissionGroupName", topicFill(151, "é")), 10004, ""},
			{"PermissionGroupName of one byte", with("PermissionGroupName", "x"), 0, gen},
			{"missing Permission", without("Permission"), 10004, ""},
			{"Permission as a string", with("Permission", "5"), 10004, ""},
			{"Permission 0", with("Permission", 0), 0, gen},
			{"every community bit", with("Permission", 2047), 0, gen},
			{"CustomString of 3000 ASCII bytes", with("CustomString", topicFill(3000, "c")), 0, gen},
			{"CustomString of 1000 Chinese characters", with("CustomString", topicFill(3000, "话")), 0, gen},
			{"CustomString of 1500 é", with("CustomString", topicFill(3000, "é")), 0, gen},
			{"CustomString of 3001 ASCII bytes", with("CustomString", topicFill(3001, "c")), 10004, ""},
			{"CustomString of 1000 Chinese characters and a byte", with("CustomString", topicFill(3001, "话")), 10004, ""},
			{"CustomString of 1500 é and a byte", with("CustomString", topicFill(3001, "é")), 10004, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				g := c.body["GroupId"].(string)
				before := len(pgList(t, s, g, 20))
				r := s.Call(t, gs+"create_permission_group", c.body)
				if !pgCodeIs(r.Code(), c.want) {
					t.Fatalf("got %v, want %d", r, c.want)
				}
				after := len(pgList(t, s, g, 20))
				if c.want != 0 {
					if after != before {
						t.Fatalf("a refused create changed the count %d -> %d", before, after)
					}
					return
				}
				if after != before+1 {
					t.Fatalf("count %d -> %d, want one more", before, after)
				}
				id, _ := r["PermissionGroupId"].(string)
				if c.id == gen && !pgGenerated.MatchString(id) || c.id != gen && id != c.id {
					t.Fatalf("PermissionGroupId %q, want %s", id, c.id)
				}
				info := pgInfo(t, s, g, id)
				cs, _ := c.body["CustomString"].(string)
				want := map[string]any{"PermissionGroupId": id, "PermissionGroupName": c.body["PermissionGroupName"],
					"Permission": float64(c.body["Permission"].(int)), "CustomString": cs, "MemberCount": 0.0, "ErrorCode": 0.0}
				for k, v := range want {
					if !reflect.DeepEqual(info[k], v) {
						t.Errorf("get_permission_group %s = %.60s, want %.60s", k, topicJS(info[k]), topicJS(v))
					}
				}
			})
		}
	})
}

func TestPermissionGroupCountLimit(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o")
		gid := topicCommunity(t, s, "")
		seen := map[string]bool{}
		var ids []string
		for i := 0; i < 100; i++ {
			r := s.Call(t, gs+"create_permission_group", pgBody(gid, "PermissionGroupName", fmt.Sprint(i), "Permission", 0))
			id, _ := r["PermissionGroupId"].(string)
			if r.Code() != 0 || !pgGenerated.MatchString(id) || seen[id] {
				t.Fatalf("permission group %d: %v (a generated, distinct ID wanted)", i+1, r)
			}
			seen[id] = true
			ids = append(ids, id)
		}
		for _, c := range []struct {
			name string
			body map[string]any
		}{
			{"generated 101st", pgBody(gid, "PermissionGroupName", "n", "Permission", 0)},
			{"custom 101st", pgBody(gid, "PermissionGroupId", "@PMG#_101", "PermissionGroupName", "n", "Permission", 0)},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, gs+"create_permission_group", c.body); r.Code() != 10004 {
					t.Fatalf("got %v, want 10004", r)
				}
				if got := pgIDs(pgList(t, s, gid, 20)); len(got) != 100 || slices.Contains(got, "@PMG#_101") {
					t.Fatalf("after a refused 101st there are %d permission groups", len(got))
				}
			})
		}
		// Another community has its own 100.
		pgCreate(t, s, topicCommunity(t, s, ""))
		// Room made by a destroy can be used again.
		s.Must(t, gs+"destroy_permission_group", pgBody(gid, "PermissionGroupIdList", []string{ids[0]}))
		pgCreate(t, s, gid, "PermissionGroupId", "@PMG#_101")
		if r := s.Call(t, gs+"create_permission_group", pgBody(gid, "PermissionGroupName", "n", "Permission", 0)); r.Code() != 10004 {
			t.Fatalf("the 101st after refilling: %v, want 10004", r)
		}
	})
}
