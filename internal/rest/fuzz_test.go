package rest

import (
	"context"
	"errors"
	"path/filepath"
	"sort"
	"testing"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/store/sqlite"
	"github.com/hearth-chat/hearth/internal/usersig"
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
	} {
		for i := range 7 {
			f.Add(uint8(i), []byte(seed))
		}
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	accounts := account.NewService(db, []string{"administrator"}, nil)
	if err := accounts.EnsureAdmins(context.Background()); err != nil {
		f.Fatal(err)
	}
	s := NewServer(Deps{SDKAppID: 1400000001, Verifier: usersig.NewVerifier(1400000001, "k"), Accounts: accounts})
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
