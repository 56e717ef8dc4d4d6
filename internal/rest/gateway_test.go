package rest_test

import (
	"compress/zlib"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/apitest"
	"github.com/hearth-chat/hearth/internal/usersig"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

func sign(t *testing.T, appID uint64, key, id string, issued time.Time, expire time.Duration) string {
	t.Helper()
	s, err := usersig.Sign(appID, key, id, issued, expire, zlib.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestGatewayChecksAnswerDocumentedCodes(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	s.ImportAccounts(t, "alice")
	now := time.Now()
	good := apitest.Sig(t, apitest.Admin)
	q := func(appID, id, sig string) string {
		return fmt.Sprintf("?sdkappid=%s&identifier=%s&usersig=%s&random=1&contenttype=json", appID, id, sig)
	}
	app := fmt.Sprint(apitest.SDKAppID)
	const okBody = `{"CheckItem":[{"UserID":"alice"}]}`
	const check = "/v4/im_open_login_svc/account_check"
	cases := []struct {
		name, method, path, query, body string
		want                            int
	}{
		{"ok", "POST", check, q(app, apitest.Admin, good), okBody, 0},
		{"GET with a JSON body is served like POST", "GET", check, q(app, apitest.Admin, good), okBody, 0},
		{"PUT is not served", "PUT", check, q(app, apitest.Admin, good), okBody, 60002},
		{"path without command", "POST", "/v4/im_open_login_svc", q(app, apitest.Admin, good), okBody, 60002},
		{"path with extra segment", "POST", check + "/x", q(app, apitest.Admin, good), okBody, 60002},
		{"undecodable query", "POST", check, "?sdkappid=%zz", okBody, 60002},
		{"no sdkappid", "POST", check, "?identifier=administrator&usersig=" + good, okBody, 60012},
		{"empty sdkappid", "POST", check, q("", apitest.Admin, good), okBody, 60012},
		{"unknown sdkappid", "POST", check, q("1400000002", apitest.Admin, good), okBody, 60006},
		{"sdkappid is case-sensitive name", "POST", check, "?SDKAppID=" + app + "&identifier=administrator&usersig=" + good, okBody, 60012},
		{"no identifier", "POST", check, q(app, "", good), okBody, 60004},
		{"empty usersig", "POST", check, q(app, apitest.Admin, ""), okBody, 70002},
		{"undecodable usersig", "POST", check, q(app, apitest.Admin, "not-a-sig"), okBody, 70003},
		{"usersig of another app", "POST", check, q(app, apitest.Admin, sign(t, 1400000002, apitest.SecretKey, apitest.Admin, now, time.Hour)), okBody, 70014},
		{"usersig of another identifier", "POST", check, q(app, apitest.Admin, apitest.Sig(t, "alice")), okBody, 70013},
		{"usersig with a wrong key", "POST", check, q(app, apitest.Admin, sign(t, apitest.SDKAppID, strings.Repeat("0", 64), apitest.Admin, now, time.Hour)), okBody, 70009},
		{"expired usersig", "POST", check, q(app, apitest.Admin, sign(t, apitest.SDKAppID, apitest.SecretKey, apitest.Admin, now.Add(-2*time.Hour), time.Hour)), okBody, 70001},
		{"not an app admin", "POST", check, q(app, "alice", apitest.Sig(t, "alice")), okBody, 60010},
		{"unknown command", "POST", "/v4/im_open_login_svc/no_such", q(app, apitest.Admin, good), okBody, 60009},
		{"unknown service", "POST", "/v4/nope/account_check", q(app, apitest.Admin, good), okBody, 60009},
		{"bad signature before unknown command", "POST", "/v4/nope/x", q(app, apitest.Admin, "garbage"), okBody, 70003},
		{"unknown command before bad JSON", "POST", "/v4/nope/x", q(app, apitest.Admin, good), "{", 60009},
		{"truncated JSON", "POST", check, q(app, apitest.Admin, good), `{"CheckItem":[`, 60003},
		{"empty body", "POST", check, q(app, apitest.Admin, good), "", 60003},
		{"JSON array body", "POST", check, q(app, apitest.Admin, good), `[]`, 60003},
		{"oversized body", "POST", check, q(app, apitest.Admin, good), `{"CheckItem":[],"Pad":"` + strings.Repeat("x", 1<<20) + `"}`, 60003},
		{"field of the wrong type", "POST", check, q(app, apitest.Admin, good), `{"CheckItem":"alice"}`, 70402},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, s.URL+c.path+c.query, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != 200 {
				t.Fatalf("HTTP %d, want 200: %s", res.StatusCode, body)
			}
			want := fmt.Sprintf(`"ErrorCode":%d,`, c.want)
			if !strings.Contains(string(body), want) {
				t.Fatalf("got %s, want ErrorCode %d", body, c.want)
			}
			status := `"ActionStatus":"FAIL"`
			if c.want == 0 {
				status = `"ActionStatus":"OK"`
			}
			if !strings.HasPrefix(string(body), "{"+status) {
				t.Fatalf("got %s, want it to start with %s", body, status)
			}
		})
	}
}

func TestOfficialLibraryUserSigIsAccepted(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	for _, level := range []int{zlib.NoCompression, zlib.BestCompression} {
		t.Run(fmt.Sprint("zlib level ", level), func(t *testing.T) {
			old := tencentyun.DefaultCompressionLevel
			tencentyun.DefaultCompressionLevel = level
			sig, err := tencentyun.GenUserSig(apitest.SDKAppID, apitest.SecretKey, apitest.Admin, 3600)
			tencentyun.DefaultCompressionLevel = old
			if err != nil {
				t.Fatal(err)
			}
			u := fmt.Sprintf("%s/v4/im_open_login_svc/account_check?sdkappid=%d&identifier=%s&usersig=%s&random=7&contenttype=json", s.URL, apitest.SDKAppID, apitest.Admin, sig)
			if r := s.Post(t, u, `{"CheckItem":[{"UserID":"x"}]}`); r.Code() != 0 {
				t.Fatalf("official token refused: %v", r)
			}
			wrong, err := tencentyun.GenUserSig(apitest.SDKAppID, strings.Repeat("a", 64), apitest.Admin, 3600)
			if err != nil {
				t.Fatal(err)
			}
			u = strings.Replace(u, sig, wrong, 1)
			if r := s.Post(t, u, `{"CheckItem":[{"UserID":"x"}]}`); r.Code() != 70009 {
				t.Fatalf("token with a wrong key: got %v, want 70009", r)
			}
		})
	}
}

func TestKickRevokesEarlierUserSigs(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	old := sign(t, apitest.SDKAppID, apitest.SecretKey, apitest.Admin, time.Now().Add(-time.Minute), time.Hour)
	u := func(sig string) string {
		return fmt.Sprintf("%s/v4/im_open_login_svc/account_check?sdkappid=%d&identifier=%s&usersig=%s", s.URL, apitest.SDKAppID, apitest.Admin, sig)
	}
	body := `{"CheckItem":[{"UserID":"x"}]}`
	if r := s.Post(t, u(old), body); r.Code() != 0 {
		t.Fatalf("before kick: %v", r)
	}
	kick := fmt.Sprintf("%s/v4/im_open_login_svc/kick?sdkappid=%d&identifier=%s&usersig=%s", s.URL, apitest.SDKAppID, apitest.Admin, old)
	if r := s.Post(t, kick, `{"UserID":"`+apitest.Admin+`"}`); r.Code() != 0 {
		t.Fatalf("kick: %v", r)
	}
	if r := s.Post(t, u(old), body); r.Code() != 70052 {
		t.Fatalf("old UserSig after kick: got %v, want 70052", r)
	}
	fresh := sign(t, apitest.SDKAppID, apitest.SecretKey, apitest.Admin, time.Now().Add(time.Second), time.Hour)
	if r := s.Post(t, u(fresh), body); r.Code() != 0 {
		t.Fatalf("UserSig issued after kick: %v", r)
	}
	// The legacy Identifier field works too, and an unknown user is 70107.
	kick = strings.Replace(kick, old, fresh, 1)
	if r := s.Post(t, kick, `{"Identifier":"ghost"}`); r.Code() != 70107 {
		t.Fatalf("kick unknown: %v", r)
	}
}

// TestRateLimitFlag checks the wiring of --rate-limit: on, a burst far over
// 200/s meets 60007; off, it never does. The exact counts are checked with a
// frozen clock in TestRateLimitCounts.
func TestRateLimitFlag(t *testing.T) {
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprint("rate limit ", on), func(t *testing.T) {
			s := apitest.Start(t, apitest.Options{RateLimit: on})
			u := s.AdminURL(t, "im_open_login_svc/account_check")
			const n, workers = 1000, 8
			var mu sync.Mutex
			codes := map[int]int{}
			var wg sync.WaitGroup
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < n/workers; i++ {
						c := s.Post(t, u, `{"CheckItem":[{"UserID":"x"}]}`).Code()
						mu.Lock()
						codes[c]++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if on && (codes[60007] == 0 || codes[0]+codes[60007] != n) {
				t.Fatalf("codes %v: want OK and 60007 only, some 60007", codes)
			}
			if !on && codes[0] != n {
				t.Fatalf("codes %v: want all %d OK", codes, n)
			}
		})
	}
}

func TestHealthAndMetrics(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	s.Must(t, "im_open_login_svc/account_check", `{"CheckItem":[{"UserID":"x"}]}`)
	s.Call(t, "im_open_login_svc/account_check", `{`)
	res, err := http.Get(s.URL + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", res, err)
	}
	res.Body.Close()
	res, err = http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{
		`hearth_rest_requests_total{api="im_open_login_svc/account_check",code="0"} 1`,
		`hearth_rest_requests_total{api="im_open_login_svc/account_check",code="60003"} 1`,
		`hearth_rest_request_duration_seconds_count{api="im_open_login_svc/account_check"} 2`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
