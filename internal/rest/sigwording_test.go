package rest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apitest"
)

// wsLogin logs id in over the WebSocket with sig and returns the error
// frame's code and info (0 and "" when the login succeeded).
func wsLogin(t *testing.T, s *apitest.Server, id, sig string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, "ws"+s.URL[len("http"):]+"/v1/ws", apitest.SDKAppID, id, sig)
	if err == nil {
		c.Close()
		return 0, ""
	}
	var ce *client.Error
	if !errors.As(err, &ce) {
		t.Fatalf("dial: %v", err)
	}
	return ce.Code, ce.Info
}

// restCall calls account_check as id with sig and returns code and info.
func restCall(t *testing.T, s *apitest.Server, id, sig string) (int, string) {
	t.Helper()
	r := s.Post(t, s.URL+"/v4/im_open_login_svc/account_check?sdkappid=1400000001&identifier="+id+"&usersig="+sig+"&random=1&contenttype=json",
		`{"CheckItem":[{"UserID":"x"}]}`)
	info, _ := r["ErrorInfo"].(string)
	return r.Code(), info
}

// A UserSig failure answers the same code and the same words on REST and
// on the WebSocket, and the words say where the key comes from.
func TestUserSigFailureSameOnBothTransports(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	now := time.Now()
	cases := []struct {
		name, id, sig string
		code          int
	}{
		{"expired", "alice", sign(t, apitest.SDKAppID, apitest.SecretKey, "alice", now.Add(-2*time.Hour), time.Hour), 70001},
		{"no lifetime", "alice", sign(t, apitest.SDKAppID, apitest.SecretKey, "alice", now, 0), 70001},
		{"undecodable", "alice", "not-a-usersig", 70003},
		{"other key", "alice", sign(t, apitest.SDKAppID, "0123456789abcdef", "alice", now, time.Hour), 70009},
		{"other identifier", "alice", sign(t, apitest.SDKAppID, apitest.SecretKey, "bob", now, time.Hour), 70013},
		{"other app", "alice", sign(t, 1400000002, apitest.SecretKey, "alice", now, time.Hour), 70014},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc, ri := restCall(t, s, tc.id, tc.sig)
			wc, wi := wsLogin(t, s, tc.id, tc.sig)
			if rc != tc.code || wc != tc.code {
				t.Fatalf("REST %d %q, WebSocket %d %q; want %d on both", rc, ri, wc, wi, tc.code)
			}
			if ri != wi {
				t.Fatalf("REST says %q, WebSocket says %q", ri, wi)
			}
			if (tc.code == 70001 || tc.code == 70009) && !apitest.Contains(ri, "HEARTH_SECRET_KEY") {
				t.Fatalf("info %q does not say where the key comes from", ri)
			}
		})
	}
}

// account_delete revokes the account's earlier UserSigs, as kick does: one
// of them can no longer log in over the WebSocket (which would register the
// account again); a UserSig issued after the deletion can.
func TestAccountDeleteRevokesEarlierUserSigs(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "alice")
		old := sign(t, apitest.SDKAppID, apitest.SecretKey, "alice", time.Now().Add(-time.Minute), time.Hour)
		if code, info := wsLogin(t, s, "alice", old); code != 0 {
			t.Fatalf("login before delete: %d %s", code, info)
		}
		s.Must(t, "im_open_login_svc/account_delete", `{"DeleteItem":[{"UserID":"alice"}]}`)
		if code, _ := wsLogin(t, s, "alice", old); code != 70052 {
			t.Fatalf("login with an earlier UserSig after delete: code %d, want 70052", code)
		}
		r := s.Must(t, "im_open_login_svc/account_check", `{"CheckItem":[{"UserID":"alice"}]}`)
		if st := r.List("ResultItem")[0].(map[string]any)["AccountStatus"]; st != "NotImported" {
			t.Fatalf("the refused login registered the account again: %v", st)
		}
		fresh := sign(t, apitest.SDKAppID, apitest.SecretKey, "alice", time.Now().Add(2*time.Second), time.Hour)
		if code, info := wsLogin(t, s, "alice", fresh); code != 0 {
			t.Fatalf("login with a UserSig issued after the delete: %d %s", code, info)
		}
	})
}
