package webhook

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/hook"
)

// TestSignVector is the documented example (core.md §6.1).
func TestSignVector(t *testing.T) {
	const want = "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"
	if got := Sign("xxxxyyyy", 1669872112); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestRequestURL(t *testing.T) {
	now := time.Unix(1669872112, 0)
	cases := []struct {
		name, base, token string
		o                 hook.Origin
		want              map[string]string
	}{
		{"unsigned", "http://h/cb", "", hook.Origin{ClientIP: "10.0.0.1", Platform: "RESTAPI"},
			map[string]string{"SdkAppid": "1400000001", "CallbackCommand": "C", "contenttype": "json", "ClientIP": "10.0.0.1", "OptPlatform": "RESTAPI"}},
		{"signed, existing query", "https://h/cb?k=v", "xxxxyyyy", hook.Origin{},
			map[string]string{"k": "v", "OptPlatform": "Unknown", "ClientIP": "", "RequestTime": "1669872112",
				"Sign": "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := Config{SDKAppID: 1400000001, URL: c.base, Token: c.token}
			u, err := url.Parse(cfg.requestURL("C", c.o, now))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(u.String(), strings.SplitN(c.base, "?", 2)[0]+"?") {
				t.Errorf("URL %s does not start with the configured one", u)
			}
			q := u.Query()
			for k, v := range c.want {
				if _, ok := q[k]; !ok || q.Get(k) != v {
					t.Errorf("%s = %q (present %v), want %q", k, q.Get(k), ok, v)
				}
			}
			if c.token == "" && (q.Has("Sign") || q.Has("RequestTime")) {
				t.Error("unsigned callback carries Sign/RequestTime")
			}
		})
	}
}

func TestVerdict(t *testing.T) {
	w, err := New(Config{URL: "http://x"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := `[{"MsgType":"TIMTextElem"}]`
	custom := "c"
	cases := []struct {
		command string
		code    int
		info    string
		body    string
		wantErr int
		drop    bool
		rewrite bool
	}{
		{hook.BeforeModifyTopic, 0, "", "", 0, false, false},
		{hook.BeforeModifyTopic, 1, "", "", apierr.GroupCallbackVeto, false, false},
		{hook.BeforeModifyTopic, 2, "", "", apierr.GroupCallbackVeto, false, false}, // 2 drops only messages
		{hook.BeforeModifyTopic, 10100, "x", "", 10100, false, false},
		{hook.BeforeModifyTopic, 10200, "x", "", 10200, false, false},
		{hook.BeforeModifyTopic, 10201, "x", "", apierr.GroupCallbackVeto, false, false},
		{hook.BeforeModifyTopic, 120001, "x", "", apierr.GroupCallbackVeto, false, false}, // a C2C range
		{hook.BeforeSendGroupMsg, 2, "", "", 0, true, false},
		{hook.BeforeSendGroupMsg, 0, "", body, 0, false, true},
		{hook.BeforeSendC2CMsg, 1, "", "", apierr.MsgCallbackVeto, false, false},
		{hook.BeforeSendC2CMsg, 120001, "x", "", 120001, false, false},
		{hook.BeforeSendC2CMsg, 130000, "x", "", 130000, false, false},
		{hook.BeforeSendC2CMsg, 10150, "x", "", apierr.MsgCallbackVeto, false, false}, // a group range
		{hook.BeforeSendC2CMsg, 2, "", "", 0, true, false},
	}
	for _, c := range cases {
		code := c.code
		r := reply{ErrorCode: &code, ErrorInfo: c.info}
		if c.body != "" {
			r.MsgBody, r.CloudCustomData = []byte(c.body), &custom
		}
		got, err := w.verdict(c.command, r)
		if apierr.CodeOf(err) != c.wantErr {
			t.Errorf("%s ErrorCode %d: error %v, want code %d", c.command, c.code, err, c.wantErr)
		}
		if c.info != "" && err != nil && !strings.Contains(err.Error(), c.info) {
			t.Errorf("%s ErrorCode %d: ErrorInfo %q lost: %v", c.command, c.code, c.info, err)
		}
		if got.Drop != c.drop {
			t.Errorf("%s ErrorCode %d: Drop %v", c.command, c.code, got.Drop)
		}
		if c.rewrite != (string(got.MsgBody) == body && got.CloudCustomData != nil) {
			t.Errorf("%s ErrorCode %d: replacement %s %v", c.command, c.code, got.MsgBody, got.CloudCustomData)
		}
	}
}

func TestEnabledSet(t *testing.T) {
	all, err := enabledSet(nil)
	if err != nil || len(all) != len(All) {
		t.Fatalf("nil enables %d of %d (%v)", len(all), len(All), err)
	}
	set, err := enabledSet([]string{hook.AfterGroupInfoChanged, hook.BeforeCreateGroup})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{hook.AfterGroupInfoChanged, hook.AfterTopicInfoChanged, hook.BeforeModifyTopic, hook.BeforeCreateGroup, hook.BeforeCreateTopic} {
		if !set[c] {
			t.Errorf("%s not enabled", c)
		}
	}
	if len(set) != 5 {
		t.Errorf("%d enabled, want 5: %v", len(set), set)
	}
	if _, err := enabledSet([]string{"Group.CallbackNope"}); err == nil || !strings.Contains(err.Error(), hook.AfterCreateGroup) {
		t.Errorf("unknown name: %v (want an error listing the known ones)", err)
	}
	w, _ := New(Config{}, nil, nil)
	if w.Enabled(hook.BeforeModifyTopic) {
		t.Error("a callback is enabled without a URL")
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	w, _ := New(Config{URL: "http://x", MinBackoff: time.Second, MaxBackoff: 8 * time.Second}, nil, nil)
	for attempt, base := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 10: 8 * time.Second, 100: 8 * time.Second} {
		for range 20 {
			d := w.backoff(attempt)
			if d < base*8/10 || d > base*12/10 {
				t.Fatalf("backoff(%d) = %v, want %v ±20%%", attempt, d, base)
			}
		}
	}
}
