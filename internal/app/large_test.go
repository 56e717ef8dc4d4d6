package app_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLargeCommunity builds a community of 100,000 members by import and
// pages through all of them, against a real server process, and reports the
// times and the server's peak RSS. It takes minutes, so it runs only with
// HEARTH_TEST_LARGE=1 (add HEARTH_TEST_LARGE_STORE=postgres://… for
// PostgreSQL):
//
//	HEARTH_TEST_LARGE=1 go test -run TestLargeCommunity -v -timeout 30m ./internal/app/
func TestLargeCommunity(t *testing.T) {
	if os.Getenv("HEARTH_TEST_LARGE") == "" {
		t.Skip("set HEARTH_TEST_LARGE=1 to build a 100,000-member community")
	}
	const members, batch, page = 100_000, 300, 6000
	args := []string{"--data", t.TempDir(), "--sdkappid", "1400000009", "--secret-key", testKey, "--rate-limit", "off"}
	if url := os.Getenv("HEARTH_TEST_LARGE_STORE"); url != "" {
		args = append(args, "--store", url)
	}
	p := startProc(t, args...)
	call := func(api, body string) map[string]any {
		r := post(t, adminURL(t, p.addr, api), body)
		if r["ErrorCode"] != 0.0 {
			t.Fatalf("%s: %v", api, r)
		}
		return r
	}
	id := func(i int) string { return fmt.Sprintf("user%06d", i) }

	start := time.Now()
	for i := 0; i < members; i += 100 {
		ids := make([]string, 0, 100)
		for j := i; j < i+100 && j < members; j++ {
			ids = append(ids, `"`+id(j)+`"`)
		}
		call("im_open_login_svc/multiaccount_import", `{"Accounts":[`+strings.Join(ids, ",")+`]}`)
	}
	accounts := time.Since(start)

	start = time.Now()
	gid := call("group_open_http_svc/import_group", `{"Type":"Community","Name":"big","SupportTopic":1,"Owner_Account":"`+id(0)+`"}`)["GroupId"].(string)
	for i := 1; i < members; i += batch {
		items := make([]string, 0, batch)
		for j := i; j < i+batch && j < members; j++ {
			items = append(items, `{"Member_Account":"`+id(j)+`","JoinTime":1600000000}`)
		}
		call("group_open_http_svc/import_group_member", `{"GroupId":"`+gid+`","MemberList":[`+strings.Join(items, ",")+`]}`)
		if i%(batch*50) == 1 {
			t.Logf("imported %d members (%s)", i+batch-1, time.Since(start).Round(time.Millisecond))
		}
	}
	imported := time.Since(start)

	start = time.Now()
	seen, next := 0, ""
	for {
		r := call("group_open_http_svc/get_group_member_info", fmt.Sprintf(`{"GroupId":%q,"Limit":%d,"Next":%q}`, gid, page, next))
		if r["MemberNum"].(float64) != members {
			t.Fatalf("MemberNum %v, want %d", r["MemberNum"], members)
		}
		seen += len(r["MemberList"].([]any))
		if next = r["Next"].(string); next == "" {
			break
		}
	}
	paged := time.Since(start)
	if seen != members {
		t.Fatalf("paged through %d members, want %d", seen, members)
	}
	t.Logf("accounts: %d imported in %s (100 per multiaccount_import)", members, accounts.Round(time.Millisecond))
	t.Logf("community: %d members imported in %s (%d per import_group_member)", members, imported.Round(time.Millisecond), batch)
	t.Logf("paging: %d members read in %s (%d per get_group_member_info)", seen, paged.Round(time.Millisecond), page)
	t.Logf("server peak RSS: %s", peakRSS(t, p.cmd.Process.Pid))
}

// peakRSS reads VmHWM of a process from /proc.
func peakRSS(t *testing.T, pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
		}
	}
	return "unknown"
}
