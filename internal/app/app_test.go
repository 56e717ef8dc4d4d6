package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/app"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// The test binary doubles as the hearth binary: with HEARTH_TEST_MAIN set it
// runs app.Run on its arguments, so tests can kill a real server process.
func TestMain(m *testing.M) {
	if os.Getenv("HEARTH_TEST_MAIN") == "1" {
		ctx, stop := signalContext()
		err := app.Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "hearth:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// proc is a hearth serve child process.
type proc struct {
	cmd  *exec.Cmd
	addr string
	out  *bytes.Buffer
	mu   *sync.Mutex
}

var listenRE = regexp.MustCompile(`listening on http://(\S+)`)

func startProc(t *testing.T, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "HEARTH_TEST_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, out: &bytes.Buffer{}, mu: &sync.Mutex{}}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case p.addr = <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start in 30s")
	}
	return p
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func post(t *testing.T, url, body string) map[string]any {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer res.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("response %q: %v", b, err)
	}
	return out
}

const testKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func adminURL(t *testing.T, addr, api string) string {
	sig, err := tencentyun.GenUserSig(1400000009, testKey, "administrator", 3600)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("http://%s/v4/%s?sdkappid=1400000009&identifier=administrator&usersig=%s&random=1&contenttype=json", addr, api, sig)
}

func TestKill9AfterOKLosesNothing(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--data", dir, "--sdkappid", "1400000009", "--secret-key", testKey}
	p := startProc(t, args...)
	// Many concurrent imports, each answered OK, then SIGKILL at once.
	const n = 40
	var wg sync.WaitGroup
	okIDs := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := fmt.Sprintf("k9-%02d", i)
			if r := post(t, adminURL(t, p.addr, "im_open_login_svc/account_import"), `{"UserID":"`+id+`"}`); r["ErrorCode"] == 0.0 {
				okIDs <- id
			}
		}(i)
	}
	wg.Wait()
	p2 := kill9AndRestart(t, p, args)
	close(okIDs)

	var items []string
	var want []string
	for id := range okIDs {
		items = append(items, `{"UserID":"`+id+`"}`)
		want = append(want, id)
	}
	if len(want) != n {
		t.Fatalf("only %d of %d imports answered OK", len(want), n)
	}
	r := post(t, adminURL(t, p2.addr, "im_open_login_svc/account_check"), `{"CheckItem":[`+strings.Join(items, ",")+`]}`)
	for _, it := range r["ResultItem"].([]any) {
		m := it.(map[string]any)
		if m["AccountStatus"] != "Imported" {
			t.Errorf("%v was answered OK but is %v after kill -9", m["UserID"], m["AccountStatus"])
		}
	}
}

func TestFirstStartGeneratesCredentialsAndCurlWorks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	p := startProc(t, "--data", dir)
	// The banner is printed before the server accepts; give the scanner a moment.
	var banner string
	for i := 0; i < 50 && !strings.Contains(banner, "-d '"); i++ {
		time.Sleep(20 * time.Millisecond)
		banner = p.output()
	}
	st, err := os.Stat(filepath.Join(dir, "credentials.json"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials mode %v, want 0600", st.Mode().Perm())
	}
	m := regexp.MustCompile(`curl -s -X POST '([^']+)' \\\s+-d '([^']+)'`).FindStringSubmatch(banner)
	if m == nil {
		t.Fatalf("no curl example in the banner:\n%s", banner)
	}
	if r := post(t, m[1], m[2]); r["ErrorCode"] != 0.0 {
		t.Fatalf("the printed curl example answered %v", r)
	}
	appID := regexp.MustCompile(`SDKAppID:\s+(\d+)`).FindStringSubmatch(banner)[1]
	// The export line for the README walkthrough works as printed.
	ex := regexp.MustCompile(`(?m)^  export H=(\S+) APP=(\d+) SIG='([^']+)'$`).FindStringSubmatch(banner)
	if ex == nil || ex[2] != appID {
		t.Fatalf("no export line for the walkthrough in the banner:\n%s", banner)
	}
	walk := fmt.Sprintf("%s/v4/im_open_login_svc/account_check?sdkappid=%s&identifier=administrator&usersig=%s&random=7&contenttype=json", ex[1], ex[2], ex[3])
	if r := post(t, walk, `{"CheckItem":[{"UserID":"alice"}]}`); r["ErrorCode"] != 0.0 {
		t.Fatalf("a call made from the export line answered %v", r)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("SIGTERM: exit %v, want a clean exit", err)
	}
	// A later start reuses the credentials and prints no new secret.
	p2 := startProc(t, "--data", dir)
	time.Sleep(50 * time.Millisecond)
	if out := p2.output(); !strings.Contains(out, "sdkappid "+appID) || strings.Contains(out, "Secret key") {
		t.Fatalf("second start did not reuse the credentials:\n%s", out)
	}
	// ... and tells how to get the walkthrough's variables.
	for i := 0; i < 50 && !strings.Contains(p2.output(), "export H="); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if out := p2.output(); !strings.Contains(out, "export H=http://"+p2.addr+" APP="+appID+" SIG=$(") ||
		!strings.Contains(out, " usersig --data "+dir+" --identifier administrator)") {
		t.Fatalf("second start prints no usable export line:\n%s", out)
	}
}

func TestUserSigCommand(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	err := app.Run(context.Background(), []string{"usersig", "--data", dir, "--identifier", "bob"}, func(string) string { return "" }, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "hearth serve") {
		t.Fatalf("usersig without credentials: %v, want an error naming the fix", err)
	}
	env := map[string]string{"HEARTH_SDKAPPID": "1400000009", "HEARTH_SECRET_KEY": testKey}
	if err := app.Run(context.Background(), []string{"usersig", "--identifier", "bob", "--expire", "60"}, func(k string) string { return env[k] }, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	sig := strings.TrimSpace(out.String())
	if err := tencentyun.VerifyUserSig(1400000009, testKey, "bob", sig, time.Now()); err != nil {
		t.Fatalf("official library rejects the printed UserSig: %v", err)
	}
	if err := tencentyun.VerifyUserSig(1400000009, testKey, "bob", sig, time.Now().Add(61*time.Second)); err == nil {
		t.Fatal("--expire 60 not honoured")
	}
}

// `hearth usersig -h` lists only its own flags and exits 0; `hearth
// version` prints the version, commit and Go version.
func TestHelpAndVersion(t *testing.T) {
	run := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := app.Run(context.Background(), args, func(string) string { return "" }, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	out, err := run("usersig", "-h")
	if err != nil {
		t.Fatalf("usersig -h: %v, want no error (exit 0)", err)
	}
	for _, f := range []string{"-identifier", "-expire", "-data", "-sdkappid", "-secret-key"} {
		if !strings.Contains(out, f) {
			t.Errorf("usersig -h does not list %s:\n%s", f, out)
		}
	}
	for _, f := range []string{"-addr", "-store", "-nats", "-callback-url", "-rate-limit", "-admin"} {
		if strings.Contains(out, f+" ") {
			t.Errorf("usersig -h lists serve's %s:\n%s", f, out)
		}
	}
	if _, err := run("serve", "-h"); err != nil {
		t.Errorf("serve -h: %v, want no error", err)
	}
	out, err = run("version")
	if err != nil || !strings.HasPrefix(out, "hearth ") || !strings.Contains(out, "commit ") || !strings.Contains(out, runtime.Version()) {
		t.Fatalf("version: %q, %v", out, err)
	}
}
