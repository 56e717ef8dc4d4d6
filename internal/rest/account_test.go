package rest_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/apitest"
)

// status returns UserID -> AccountStatus from account_check.
func status(t *testing.T, s *apitest.Server, ids ...string) map[string]string {
	t.Helper()
	items := make([]map[string]string, len(ids))
	for i, id := range ids {
		items[i] = map[string]string{"UserID": id}
	}
	r := s.Must(t, "im_open_login_svc/account_check", map[string]any{"CheckItem": items})
	out := map[string]string{}
	for _, it := range r.List("ResultItem") {
		m := it.(map[string]any)
		out[m["UserID"].(string)] = m["AccountStatus"].(string)
	}
	return out
}

func TestAccountImport(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		cases := []struct {
			name string
			body string
			want int
			id   string // imported when want is 0
		}{
			{"UserID", `{"UserID":"alice","Nick":"Alice","FaceUrl":"http://x/a.png"}`, 0, "alice"},
			{"legacy Identifier", `{"Identifier":"bob"}`, 0, "bob"},
			{"re-import is idempotent", `{"UserID":"alice","Nick":"Alice 2"}`, 0, "alice"},
			{"32 bytes", `{"UserID":"` + strings.Repeat("u", 32) + `"}`, 0, strings.Repeat("u", 32)},
			{"printable ASCII with space", `{"UserID":"a b~!"}`, 0, "a b~!"},
			{"33 bytes", `{"UserID":"` + strings.Repeat("u", 33) + `"}`, 70402, ""},
			{"missing", `{}`, 70402, ""},
			{"non-ASCII", `{"UserID":"ünï"}`, 70402, ""},
			{"control character", `{"UserID":"a\tb"}`, 70402, ""},
			{"number UserID is read as its decimal text", `{"UserID":1400187352}`, 0, "1400187352"},
			{"UserID of the wrong type", `{"UserID":["x"]}`, 70402, ""},
			{"Nick 500 bytes multi-byte", `{"UserID":"n1","Nick":"` + strings.Repeat("é", 250) + `"}`, 0, "n1"},
			{"Nick 501 bytes", `{"UserID":"n2","Nick":"` + strings.Repeat("é", 250) + `x"}`, 40601, ""},
			{"FaceUrl 501 bytes", `{"UserID":"n3","FaceUrl":"` + strings.Repeat("x", 501) + `"}`, 40601, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := s.Call(t, "im_open_login_svc/account_import", c.body)
				if r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
				if c.want == 0 {
					if st := status(t, s, c.id)[c.id]; st != "Imported" {
						t.Fatalf("%s is %s after import", c.id, st)
					}
				}
			})
		}
		// Refused imports changed nothing.
		if st := status(t, s, "n2", "n3"); st["n2"] != "NotImported" || st["n3"] != "NotImported" {
			t.Fatalf("a refused import wrote: %v", st)
		}
		// Re-import kept one account and updated the nickname.
		r := s.Must(t, "profile/portrait_get", `{"To_Account":["alice"],"TagList":["Tag_Profile_IM_Nick","Tag_Profile_IM_Image"]}`)
		got, _ := json.Marshal(r.List("UserProfileItem")[0].(map[string]any)["ProfileItem"])
		if string(got) != `[{"Tag":"Tag_Profile_IM_Image","Value":"http://x/a.png"},{"Tag":"Tag_Profile_IM_Nick","Value":"Alice 2"}]` {
			t.Fatalf("profile after re-import: %s", got)
		}
	})
}

func TestMultiAccountImport(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		hundred := make([]string, 100)
		for i := range hundred {
			hundred[i] = fmt.Sprintf("m%03d", i)
		}
		list, _ := json.Marshal(hundred)
		cases := []struct {
			name     string
			body     string
			want     int
			failed   []string
			imported []string
		}{
			{"Accounts form", `{"Accounts":["a1","a2"]}`, 0, nil, []string{"a1", "a2"}},
			{"AccountList form", `{"AccountList":[{"UserID":"b1","Nick":"B"},{"UserID":"b2"}]}`, 0, nil, []string{"b1", "b2"}},
			{"invalid IDs fail, others import", `{"Accounts":["c1","` + strings.Repeat("x", 33) + `",""]}`, 0, []string{strings.Repeat("x", 33), ""}, []string{"c1"}},
			{"100 accounts", `{"Accounts":` + string(list) + `}`, 0, nil, hundred},
			{"101 accounts", `{"Accounts":` + strings.Replace(string(list), "[", `["extra",`, 1) + `}`, 70402, nil, nil},
			{"empty", `{"Accounts":[]}`, 70402, nil, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := s.Call(t, "im_open_login_svc/multiaccount_import", c.body)
				if r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
				if c.want != 0 {
					if st := status(t, s, "extra"); st["extra"] != "NotImported" {
						t.Fatal("a refused batch imported some accounts")
					}
					return
				}
				failed := fmt.Sprint(r.List("FailAccounts"))
				if failed != fmt.Sprint(toAny(c.failed)) {
					t.Fatalf("FailAccounts %s, want %v", failed, c.failed)
				}
				st := status(t, s, c.imported...)
				for _, id := range c.imported {
					if st[id] != "Imported" {
						t.Fatalf("%s not imported", id)
					}
				}
			})
		}
	})
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func TestAccountDeleteAndCheck(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "d1", "d2")
		s.Must(t, "profile/portrait_set", `{"From_Account":"d1","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"D"}]}`)
		r := s.Must(t, "im_open_login_svc/account_delete", `{"DeleteItem":[{"UserID":"d1"},{"UserID":"ghost"},{"UserID":"administrator"}]}`)
		got, _ := json.Marshal(r["ResultItem"])
		want := `[{"ResultCode":0,"ResultInfo":"","UserID":"d1"},{"ResultCode":70107,"ResultInfo":"Err_TLS_PT_Open_Login_Account_Not_Exist","UserID":"ghost"},{"ResultCode":70402,"ResultInfo":"an App admin account cannot be deleted","UserID":"administrator"}]`
		if string(got) != want {
			t.Fatalf("ResultItem %s\nwant %s", got, want)
		}
		if st := status(t, s, "d1", "d2", "administrator"); st["d1"] != "NotImported" || st["d2"] != "Imported" || st["administrator"] != "Imported" {
			t.Fatalf("after delete: %v", st)
		}
		// The deleted account's profile went with it.
		s.ImportAccounts(t, "d1")
		r = s.Must(t, "profile/portrait_get", `{"To_Account":["d1"],"TagList":["Tag_Profile_IM_Nick"]}`)
		if items := r.List("UserProfileItem")[0].(map[string]any)["ProfileItem"].([]any); len(items) != 0 {
			t.Fatalf("profile survived delete: %v", items)
		}
		for _, c := range []struct{ name, api, body string }{
			{"delete empty", "im_open_login_svc/account_delete", `{"DeleteItem":[]}`},
			{"check empty", "im_open_login_svc/account_check", `{"CheckItem":[]}`},
			{"check 101", "im_open_login_svc/account_check", `{"CheckItem":[` + strings.Repeat(`{"UserID":"x"},`, 100) + `{"UserID":"x"}]}`},
			{"delete 101", "im_open_login_svc/account_delete", `{"DeleteItem":[` + strings.Repeat(`{"UserID":"d2"},`, 100) + `{"UserID":"d2"}]}`},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, c.api, c.body); r.Code() != 70402 {
					t.Fatalf("got %v, want 70402", r)
				}
			})
		}
		if st := status(t, s, "d2"); st["d2"] != "Imported" {
			t.Fatal("a refused delete deleted")
		}
	})
}

func TestPortrait(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "p1", "p2")
		set := func(items string) string {
			return `{"From_Account":"p1","ProfileItem":[` + items + `]}`
		}
		cases := []struct {
			name, body string
			want       int
		}{
			{"nick and gender", set(`{"Tag":"Tag_Profile_IM_Nick","Value":"昵称"},{"Tag":"Tag_Profile_IM_Gender","Value":"Gender_Type_Female"}`), 0},
			{"integer tags", set(`{"Tag":"Tag_Profile_IM_BirthDay","Value":20190419},{"Tag":"Tag_Profile_IM_Level","Value":4294967295}`), 0},
			{"custom tag", set(`{"Tag":"Tag_Profile_Custom_Hobby","Value":"go"}`), 0},
			{"value of 500 bytes", set(`{"Tag":"Tag_Profile_IM_SelfSignature","Value":"` + strings.Repeat("字", 166) + `ab"}`), 0},
			{"value of 501 bytes", set(`{"Tag":"Tag_Profile_IM_SelfSignature","Value":"` + strings.Repeat("字", 167) + `"}`), 40601},
			{"unknown standard value", set(`{"Tag":"Tag_Profile_IM_Gender","Value":"Gender_Type_Other"}`), 40605},
			{"string for an integer tag", set(`{"Tag":"Tag_Profile_IM_Level","Value":"4"}`), 40610},
			{"integer over uint32", set(`{"Tag":"Tag_Profile_IM_Level","Value":4294967296}`), 40610},
			{"number for a string tag", set(`{"Tag":"Tag_Profile_IM_Nick","Value":5}`), 40610},
			{"unknown tag", set(`{"Tag":"Tag_Profile_IM_Nope","Value":"x"}`), 40009},
			{"custom key too long", set(`{"Tag":"Tag_Profile_Custom_Ninechars","Value":"x"}`), 40009},
			{"no items", set(``), 40001},
			{"no account", `{"ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"x"}]}`, 40002},
			{"unknown account", `{"From_Account":"ghost","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"x"}]}`, 40003},
			{"one bad item refuses all", set(`{"Tag":"Tag_Profile_IM_Nick","Value":"changed"},{"Tag":"Tag_Profile_IM_Nope","Value":"x"}`), 40009},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if r := s.Call(t, "profile/portrait_set", c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
		r := s.Must(t, "profile/portrait_get", `{"To_Account":["p1","ghost","p2"],"TagList":["Tag_Profile_IM_Nick","Tag_Profile_IM_Gender","Tag_Profile_IM_Level","Tag_Profile_Custom_Hobby"]}`)
		got, _ := json.Marshal(map[string]any{"u": r["UserProfileItem"], "f": r["Fail_Account"]})
		want := `{"f":["ghost"],"u":[{"ProfileItem":[{"Tag":"Tag_Profile_Custom_Hobby","Value":"go"},{"Tag":"Tag_Profile_IM_Gender","Value":"Gender_Type_Female"},{"Tag":"Tag_Profile_IM_Level","Value":4294967295},{"Tag":"Tag_Profile_IM_Nick","Value":"昵称"}],"ResultCode":0,"ResultInfo":"","To_Account":"p1"},{"ProfileItem":[],"ResultCode":40003,"ResultInfo":"account not found","To_Account":"ghost"},{"ProfileItem":[],"ResultCode":0,"ResultInfo":"","To_Account":"p2"}]}`
		if string(got) != want {
			t.Fatalf("portrait_get\n got %s\nwant %s", got, want)
		}
		for _, c := range []struct {
			name, body string
			want       int
		}{
			{"no accounts", `{"To_Account":[],"TagList":["Tag_Profile_IM_Nick"]}`, 40002},
			{"no tags", `{"To_Account":["p1"],"TagList":[]}`, 40001},
			{"unknown tag", `{"To_Account":["p1"],"TagList":["Tag_X"]}`, 40009},
			{"101 accounts", `{"To_Account":[` + strings.Repeat(`"p1",`, 100) + `"p1"],"TagList":["Tag_Profile_IM_Nick"]}`, 40001},
		} {
			t.Run("get "+c.name, func(t *testing.T) {
				if r := s.Call(t, "profile/portrait_get", c.body); r.Code() != c.want {
					t.Fatalf("got %v, want %d", r, c.want)
				}
			})
		}
	})
}
