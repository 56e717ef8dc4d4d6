package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apitest"
)

// TestUserSigIsAcceptedByTheServer: a UserSig from client.UserSig logs in
// over the socket and authenticates REST calls; one signed with another
// key, or for another user, is refused with the server's codes.
func TestUserSigIsAcceptedByTheServer(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	url := "ws" + strings.TrimPrefix(s.URL, "http") + "/v1/ws"
	ctx := context.Background()
	sig := func(key, id string) string {
		t.Helper()
		u, err := client.UserSig(apitest.SDKAppID, key, id, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	c, err := client.Dial(ctx, url, apitest.SDKAppID, "signed", sig(apitest.SecretKey, "signed"))
	if err != nil {
		t.Fatalf("login with client.UserSig: %v", err)
	}
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	c.Close()
	rest := s.URL + "/v4/im_open_login_svc/account_check?sdkappid=1400000001&identifier=" + apitest.Admin +
		"&usersig=" + sig(apitest.SecretKey, apitest.Admin) + "&random=1&contenttype=json"
	if r := s.Post(t, rest, `{"CheckItem":[{"UserID":"signed"}]}`); r.Code() != 0 {
		t.Fatalf("REST with client.UserSig: %v", r)
	}
	for _, c := range []struct {
		name, id, sig string
		want          int
	}{
		{"another key", "signed", sig(strings.Repeat("0", 64), "signed"), 70009},
		{"another user", "signed", sig(apitest.SecretKey, "someone"), 70013},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := client.Dial(ctx, url, apitest.SDKAppID, c.id, c.sig)
			var e *client.Error
			if !errors.As(err, &e) || e.Code != c.want {
				t.Fatalf("got %v, want error %d", err, c.want)
			}
		})
	}
	if _, err := client.UserSig(apitest.SDKAppID, apitest.SecretKey, "x", 0); err == nil {
		t.Fatal("a UserSig without a lifetime was signed")
	}
}
