package rest_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/hearth-chat/hearth/internal/apitest"
)

func TestDestroyPermissionGroup(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o")
		gid := topicCommunity(t, s, "")
		var ids []string
		for i := 0; i < 4; i++ {
			ids = append(ids, pgCreate(t, s, gid))
		}
		destroy := func(list []string) apitest.Resp {
			return s.Must(t, gs+"destroy_permission_group", pgBody(gid, "PermissionGroupIdList", list))
		}
		r := destroy([]string{ids[2], "@PMG#_missing", "bad", ids[0]})
		if got, want := pgCodes(t, r, "PermissionGroupResultList", "PermissionGroupId"),
			ids[2]+":0 @PMG#_missing:110006 bad:110008 "+ids[0]+":0"; got != want {
			t.Fatalf("PermissionGroupResultList %s, want %s", got, want)
		}
		left := []string{ids[1], ids[3]}
		slices.Sort(left)
		if got := pgIDs(pgList(t, s, gid, 20)); !reflect.DeepEqual(got, left) {
			t.Fatalf("left %v, want %v", got, left)
		}
		r = destroy([]string{ids[0], ids[1]})
		if got, want := pgCodes(t, r, "PermissionGroupResultList", "PermissionGroupId"), ids[0]+":110006 "+ids[1]+":0"; got != want {
			t.Fatalf("destroying again: %s, want %s", got, want)
		}
		twenty := make([]string, 20)
		for i := range twenty {
			twenty[i] = fmt.Sprintf("@PMG#_n%d", i)
		}
		if r := destroy(twenty); len(r.List("PermissionGroupResultList")) != 20 {
			t.Fatalf("20 IDs answered %d items", len(r.List("PermissionGroupResultList")))
		}
		for _, c := range []struct {
			name string
			body map[string]any
		}{
			{"missing PermissionGroupIdList", pgBody(gid)},
			{"empty PermissionGroupIdList", pgBody(gid, "PermissionGroupIdList", []string{})},
			{"21 IDs", pgBody(gid, "PermissionGroupIdList", append(twenty, ids[3]))},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, gs+"destroy_permission_group", c.body); r.Code() != 10004 {
					t.Fatalf("got %v, want 10004", r)
				}
				if got := pgIDs(pgList(t, s, gid, 20)); !reflect.DeepEqual(got, []string{ids[3]}) {
					t.Fatalf("a refused destroy left %v, want %v", got, []string{ids[3]})
				}
			})
		}
	})
}

func TestModifyPermissionGroup(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o")
		gid := topicCommunity(t, s, "")
		pid := pgCreate(t, s, gid, "PermissionGroupName", "first", "Permission", 1, "CustomString", "cs")
		other := pgCreate(t, s, gid, "PermissionGroupName", "other", "Permission", 2, "CustomString", "theirs")
		keys := []string{"PermissionGroupName", "Permission", "CustomString"}
		state := map[string]any{"PermissionGroupName": "first", "Permission": 1.0, "CustomString": "cs"}
		// Every refused request carries a valid change too, which must not be applied.
		bad := func(k string, v any) map[string]any {
			m := map[string]any{"Permission": 1024, "CustomString": "not applied", k: v}
			if k == "CustomString" {
				m["PermissionGroupName"] = "not applied"
			}
			return m
		}
		cases := []struct {
			name   string
			fields map[string]any // besides GroupId and PermissionGroupId
			want   int
		}{
			{"name only", map[string]any{"PermissionGroupName": "renamed"}, 0},
			{"Permission only", map[string]any{"Permission": 16}, 0},
			{"CustomString only", map[string]any{"CustomString": "c2"}, 0},
			{"all three", map[string]any{"PermissionGroupName": "all", "Permission": 2047, "CustomString": "c3"}, 0},
			{"nothing but the IDs", map[string]any{}, 0},
			{"clear CustomString", map[string]any{"CustomString": ""}, 0},
			{"Permission 0", map[string]any{"Permission": 0}, 0},
			{"name of 150 ASCII bytes", map[string]any{"PermissionGroupName": topicFill(150, "n")}, 0},
			{"name of 50 Chinese characters", map[string]any{"PermissionGroupName": topicFill(150, "话")}, 0},
			{"name of 75 é", map[string]any{"PermissionGroupName": topicFill(150, "é")}, 0},
			{"name of one byte", map[string]any{"PermissionGroupName": "x"}, 0},
			{"CustomString of 3000 ASCII bytes", map[string]any{"CustomString": topicFill(3000, "c")}, 0},
			{"CustomString of 1000 Chinese characters", map[string]any{"CustomString": topicFill(3000, "话")}, 0},
			{"CustomString of 1500 é", map[string]any{"CustomString": topicFill(3000, "é")}, 0},
			{"name of 151 ASCII bytes", bad("PermissionGroupName", topicFill(151, "n")), 10004},
			{"name of 50 Chinese characters and a byte", bad("PermissionGroupName", topicFill(151, "话")), 10004},
			{"name of 75 é and a byte", bad("PermissionGroupName", topicFill(151, "é")), 10004},
			{"empty name", bad("PermissionGroupName", ""), 10004},
			{"name of the wrong type", bad("PermissionGroupName", 7), 10004},
			{"Permission as a string", bad("Permission", "16"), 10004},
			{"CustomString of 3001 ASCII bytes", bad("CustomString", topicFill(3001, "c")), 10004},
			{"CustomString of 1000 Chinese characters and a byte", bad("CustomString", topicFill(3001, "话")), 10004},
			{"CustomString of 1500 é and a byte", bad("CustomString", topicFill(3001, "é")), 10004},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				body := pgBody(gid, "PermissionGroupId", pid)
				for k, v := range c.fields {
					body[k] = v
				}
				if r := s.Call(t, gs+"modify_permission_group", body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
				if c.want == 0 {
					for k, v := range c.fields {
						if n, ok := v.(int); ok {
							v = float64(n)
						}
						state[k] = v
					}
				}
				info := pgInfo(t, s, gid, pid)
				for _, k := range keys {
					if !reflect.DeepEqual(info[k], state[k]) {
						t.Errorf("after this request %s = %.60s, want %.60s", k, topicJS(info[k]), topicJS(state[k]))
					}
				}
			})
		}
		info := pgInfo(t, s, gid, other)
		if info["PermissionGroupName"] != "other" || info["Permission"] != 2.0 || info["CustomString"] != "theirs" {
			t.Fatalf("modifying one permission group changed another: %v", info)
		}
	})
}

func TestGetPermissionGroup(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "o")
		gid := topicCommunity(t, s, "")
		var all []string
		for _, id := range []string{"@PMG#_~", "@PMG#_b", "@PMG#_Z", "@PMG#_ A", "@PMG#_a"} {
			all = append(all, pgCreate(t, s, gid, "PermissionGroupId", id, "PermissionGroupName", "name "+id, "Permission", len(all)))
		}
		for i := 0; i < 20; i++ {
			all = append(all, pgCreate(t, s, gid))
		}
		slices.Sort(all) // ID byte order
		get := func(body map[string]any) apitest.Resp { t.Helper(); return s.Must(t, gs+"get_permission_group", body) }
		page := func(t *testing.T, r apitest.Resp, want []string, more bool) string {
			t.Helper()
			if got := pgIDs(pgObjects(t, r, "PermissionGroupInfoList")); !reflect.DeepEqual(got, want) {
				t.Fatalf("page %v, want %v", got, want)
			}
			next, ok := r["Next"].(string)
			if !ok || (next != "") != more {
				t.Fatalf("Next %#v; more pages: %v", r["Next"], more)
			}
			return next
		}
		t.Run("absent Limit and Next: pages of 20 in ID byte order", func(t *testing.T) {
			next := page(t, get(pgBody(gid)), all[:20], true)
			page(t, get(pgBody(gid, "Next", next)), all[20:], false)
		})
		t.Run("Limit 0 and Next as the number 0", func(t *testing.T) {
			page(t, get(pgBody(gid, "Limit", 0, "Next", 0)), all[:20], true)
		})
		t.Run("Limit 20 and empty Next", func(t *testing.T) {
			page(t, get(pgBody(gid, "Limit", 20, "Next", "")), all[:20], true)
		})
		for _, limit := range []int{1, 7, 20} {
			t.Run(fmt.Sprintf("paging by %d", limit), func(t *testing.T) {
				if got := pgIDs(pgList(t, s, gid, limit)); !reflect.DeepEqual(got, all) {
					t.Fatalf("paged %v, want %v", got, all)
				}
			})
		}
		t.Run("items", func(t *testing.T) {
			info := pgInfo(t, s, gid, "@PMG#_Z")
			want := map[string]any{"PermissionGroupName": "name @PMG#_Z", "Permission": 2.0, "CustomString": "", "MemberCount": 0.0}
			for k, v := range want {
				if info[k] != v {
					t.Errorf("%s = %v, want %v", k, info[k], v)
				}
			}
		})
		t.Run("listed IDs in request order", func(t *testing.T) {
			r := get(pgBody(gid, "PermissionGroupIdList", []string{all[3], "@PMG#_missing", "bad", all[0]}))
			if got, want := pgCodes(t, r, "PermissionGroupInfoList", "PermissionGroupId"),
				all[3]+":0 @PMG#_missing:110006 bad:110008 "+all[0]+":0"; got != want {
				t.Fatalf("items %s, want %s", got, want)
			}
		})
		t.Run("20 listed IDs", func(t *testing.T) {
			r := get(pgBody(gid, "PermissionGroupIdList", all[5:25]))
			if got := pgIDs(pgObjects(t, r, "PermissionGroupInfoList")); !reflect.DeepEqual(got, all[5:25]) {
				t.Fatalf("items %v, want %v", got, all[5:25])
			}
		})
		t.Run("an empty list is all", func(t *testing.T) {
			page(t, get(pgBody(gid, "PermissionGroupIdList", []string{})), all[:20], true)
		})
		t.Run("a community without permission groups", func(t *testing.T) {
			page(t, get(pgBody(topicCommunity(t, s, ""))), []string{}, false)
		})
		for _, c := range []struct {
			name string
			body map[string]any
		}{
			{"Limit 21", pgBody(gid, "Limit", 21)},
			{"Limit -1", pgBody(gid, "Limit", -1)},
			{"21 listed IDs", pgBody(gid, "PermissionGroupIdList", all[:21])},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, gs+"get_permission_group", c.body); r.Code() != 10004 {
					t.Fatalf("got %v, want 10004", r)
				}
			})
		}
	})
}
