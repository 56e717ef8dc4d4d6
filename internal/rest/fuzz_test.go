package rest

import (
	"context"
	"errors"
	"sort"
	"testing"

	"github.com/hearth-chat/hearth/internal/apierr"
)

// FuzzRequestBodies feeds arbitrary bodies to every route's decoder and
// handler: none may panic, and every failure must be an API error with a
// code (never an internal error, which would mean bad input reached the store
// unchecked).
func FuzzRequestBodies(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"UserID":"a"}`, `{"Identifier":5}`, `{"Accounts":["a",""]}`, `{"AccountList":[{"UserID":"b","Nick":"x"}]}`,
		`{"CheckItem":[{"UserID":"a"}]}`, `{"DeleteItem":[{"UserID":null}]}`, `{"From_Account":"a","ProfileItem":[{"Tag":"Tag_Profile_IM_Level","Value":1e3}]}`,
		`{"To_Account":["a"],"TagList":["Tag_Profile_IM_Nick"]}`, `[`, `{"UserID":"\u0000"}`, `null`,
		`{"Type":"Community","Name":"c","SupportTopic":1,"MemberList":[{"Member_Account":"administrator"}]}`,
		`{"GroupId":"@TGS#_x","MemberList":[{"Member_Account":"a"}],"Limit":-1,"Next":"!"}`,
		`{"GroupIdList":["a","@TGS#_"],"ResponseFilter":{"MemberInfoFilter":[]}}`,
		`{"GroupId":"g","Members_Account":["a"],"MuteTime":4294967296}`,
	} {
		for i := range 23 {
			f.Add(uint8(i), []byte(seed))
		}
	}
	s := NewServer(testDeps(f, 1400000001, "k"))
	keys := make([]string, 0, len(s.routes))
	for k := range s.routes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		rt := s.routes[keys[int(which)%len(keys)]]
		_, err := rt.handle(context.Background(), &Call{Identifier: "administrator"}, body)
		if err == nil {
			return
		}
		var de *decodeError
		if _, ok := apierr.As(err); !ok && !errors.As(err, &de) {
			t.Fatalf("%s: body %q gave an internal error: %v", rt.key, body, err)
		}
	})
}
