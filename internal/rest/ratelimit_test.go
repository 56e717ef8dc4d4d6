package rest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/usersig"
)

// rateLimited is a server with rate limits on and its clock at *now, and a
// function that calls an API on it and returns the ErrorCode.
func rateLimited(t *testing.T, now *time.Time) (*Server, func(api, body string) int) {
	t.Helper()
	const app, key = 1400000001, "k"
	d := testDeps(t, app, key)
	d.RateLimit, d.Now = true, func() time.Time { return *now }
	s := NewServer(d)
	sig, err := usersig.Sign(app, key, "administrator", time.Now(), time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	return s, func(api, body string) int {
		r := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/v4/%s?sdkappid=%d&identifier=administrator&usersig=%s", api, app, sig), strings.NewReader(body))
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		var code int
		fmt.Sscanf(w.Body.String()[strings.Index(w.Body.String(), `"ErrorCode":`)+len(`"ErrorCode":`):], "%d", &code)
		return code
	}
}

// TestRateLimitCounts uses a frozen clock: within one instant exactly the
// documented number of calls pass, the next answers the service's code, and
// a second later the budget is back.
func TestRateLimitCounts(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	_, call := rateLimited(t, &now)
	cases := []struct {
		api, body string
		limit     int
		code      int
	}{
		{"im_open_login_svc/account_check", `{"CheckItem":[{"UserID":"x"}]}`, 200, apierr.APIRateLimited},
		{"im_open_login_svc/multiaccount_import", `{"Accounts":["x"]}`, 100, apierr.APIRateLimited},
		{"im_open_login_svc/account_delete", `{"DeleteItem":[{"UserID":"y"}]}`, 100, apierr.APIRateLimited},
		{"profile/portrait_get", `{"To_Account":["x"],"TagList":["Tag_Profile_IM_Nick"]}`, 200, apierr.APIRateLimited},
	}
	for _, c := range cases {
		t.Run(c.api, func(t *testing.T) {
			for i := 0; i < c.limit; i++ {
				if got := call(c.api, c.body); got != 0 && got != apierr.AccountNotFound {
					t.Fatalf("call %d answered %d within the limit", i+1, got)
				}
			}
			if got := call(c.api, c.body); got != c.code {
				t.Fatalf("call %d answered %d, want %d", c.limit+1, got, c.code)
			}
		})
	}
	now = now.Add(time.Second)
	if got := call(cases[0].api, cases[0].body); got != 0 {
		t.Fatalf("a second later: %d, want 0", got)
	}
	// The group services answer 10006 rather than 60007.
	for _, svc := range []string{"group_open_http_svc", "million_group_open_http_svc"} {
		if got := services[svc].rateLimited; got != apierr.GroupRateLimited {
			t.Errorf("%s rate-limit code %d, want 10006", svc, got)
		}
	}
}

// TestRateLimitSharedAcrossNodes: in a cluster of n nodes each enforces
// 1/n of the documented limit (frozen clock: the burst is what passes in
// one instant), and a node left alone gets the whole limit back.
func TestRateLimitSharedAcrossNodes(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s, call := rateLimited(t, &now)
	passing := func() int {
		n := 0
		for range 250 {
			if call("im_open_login_svc/account_check", `{"CheckItem":[{"UserID":"x"}]}`) != apierr.APIRateLimited {
				n++
			}
		}
		return n
	}
	for _, c := range []struct{ nodes, want int }{{1, 200}, {3, 66}, {4, 50}, {250, 1}, {1, 200}} {
		s.ShareRateLimits(c.nodes)
		now = now.Add(time.Hour) // a full bucket
		if got := passing(); got != c.want {
			t.Errorf("%d nodes: %d calls of 250 passed in one instant, want %d", c.nodes, got, c.want)
		}
	}
}
