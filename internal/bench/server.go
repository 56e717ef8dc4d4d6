package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hearth-chat/hearth/internal/config"
)

// Server modes: where the servers under test run.
const (
	ModeChild     = "child"     // a child process each: their CPU and memory are measured alone
	ModeInProcess = "inprocess" // inside the bench: CPU and memory include the load generator
)

// Stats scopes, as a report states them.
const (
	scopeServer  = "server process"
	scopeProcess = "bench process (server and load together)"
)

// server is a running server under test: Hearth or the baseline.
type server struct {
	URL   string // http://127.0.0.1:port
	pid   int    // the process whose statistics are read; 0: none (an external target)
	scope string // what pid's statistics cover
	stop  func() error
}

// stats reads the server's process statistics; ok is false when there are
// none (an external target, or no /proc).
func (s *server) stats() (procStat, bool) {
	if s.pid == 0 {
		return procStat{}, false
	}
	st, err := readProc(s.pid)
	return st, err == nil
}

// readyLine is the prefix of the line a child server prints once it
// listens, followed by its URL.
const (
	hearthReadyLine   = "hearth: listening on "
	baselineReadyLine = "hearth bench: baseline listening on "
)

// startHearth starts the Hearth server a scenario runs against.
func (r *runner) startHearth(ctx context.Context) (*server, error) {
	if r.opts.Target != "" {
		return &server{URL: strings.TrimSuffix(r.opts.Target, "/"), stop: func() error { return nil }}, nil
	}
	dir, err := os.MkdirTemp("", "hearth-bench-")
	if err != nil {
		return nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	rate := "off"
	if r.opts.RateLimit {
		rate = "on"
	}
	if r.opts.Mode == ModeInProcess {
		cfg := config.Config{
			Addr: "127.0.0.1:0", DataDir: dir, SDKAppID: r.creds.SDKAppID, SecretKey: r.creds.SecretKey,
			Admins: []string{r.creds.Admin}, Store: r.opts.Store, RateLimit: r.opts.RateLimit,
		}
		if r.env.NewServer == nil {
			cleanup()
			return nil, errors.New("no in-process server available: use --server child")
		}
		h, closeServer, err := r.env.NewServer(ctx, cfg)
		if err != nil {
			cleanup()
			return nil, err
		}
		return serveInProcess(h, func() { closeServer(); cleanup() })
	}
	s, err := r.startChild(ctx, hearthReadyLine, "serve", "--addr", "127.0.0.1:0", "--data", dir,
		"--sdkappid", strconv.FormatUint(r.creds.SDKAppID, 10), "--secret-key", r.creds.SecretKey,
		"--admin", r.creds.Admin, "--store", r.opts.Store, "--rate-limit", rate)
	if err != nil {
		cleanup()
		return nil, err
	}
	stop := s.stop
	s.stop = func() error { defer cleanup(); return stop() }
	return s, nil
}

// startBaseline starts the baseline server.
func (r *runner) startBaseline(ctx context.Context) (*server, error) {
	if r.opts.Mode == ModeInProcess {
		return serveInProcess(newBaseline(), func() {})
	}
	return r.startChild(ctx, baselineReadyLine, "bench", "--baseline-server", "--addr", "127.0.0.1:0")
}

// serveInProcess serves h on a loopback port of this process.
func serveInProcess(h http.Handler, done func()) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		done()
		return nil, err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	return &server{URL: "http://" + ln.Addr().String(), pid: os.Getpid(), scope: scopeProcess, stop: func() error {
		err := hs.Close()
		done()
		return err
	}}, nil
}

// startChild runs the hearth executable with args and waits for the line
// that says where it listens.
func (r *runner) startChild(ctx context.Context, ready string, args ...string) (*server, error) {
	if r.env.Executable == "" {
		return nil, errors.New("no hearth executable to start: use --server inprocess")
	}
	cmd := exec.Command(r.env.Executable, args...)
	dieWithParent(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	tail := &tailBuffer{max: 4096}
	cmd.Stderr = tail
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", r.env.Executable, err)
	}
	exited := make(chan error, 1)
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), ready); ok {
				url, _, _ := strings.Cut(line, " ")
				select {
				case urls <- url:
				default:
				}
			}
		}
		io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	var waitErr error
	waited := false
	stop := func() error {
		if waited {
			return waitErr
		}
		waited = true
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case waitErr = <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			waitErr = <-exited
		}
		var ee *exec.ExitError
		if errors.As(waitErr, &ee) && !ee.Exited() {
			waitErr = nil // ended by the signal
		}
		if waitErr != nil {
			waitErr = fmt.Errorf("%s %s: %w: %s", r.env.Executable, args[0], waitErr, tail)
		}
		return waitErr
	}
	timeout := time.NewTimer(60 * time.Second)
	defer timeout.Stop()
	select {
	case url := <-urls:
		return &server{URL: url, pid: cmd.Process.Pid, scope: scopeServer, stop: stop}, nil
	case err := <-exited:
		waited, waitErr = true, err
		return nil, fmt.Errorf("%s %s exited before listening (%v): %s", r.env.Executable, args[0], err, tail)
	case <-timeout.C:
		stop()
		return nil, fmt.Errorf("%s %s: not listening after 60s: %s", r.env.Executable, args[0], tail)
	case <-ctx.Done():
		stop()
		return nil, ctx.Err()
	}
}

// tailBuffer keeps the last max bytes written to it: a child's stderr, for
// the error message when it fails.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.b))
}

// serveBaseline runs the baseline server on addr until ctx ends: the
// hidden `hearth bench --baseline-server` that child mode starts.
func serveBaseline(ctx context.Context, addr string, stdout io.Writer) error {
	raiseFileLimit() // best effort: the limit only bounds how many connections it can hold
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: newBaseline(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "%shttp://%s\n", baselineReadyLine, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return hs.Close()
	}
}

// metric reads one Go runtime gauge (such as go_memstats_heap_inuse_bytes)
// from a server's /metrics; ok is false when it has none.
func metric(ctx context.Context, base, name string) (float64, bool) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0, false
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f, err == nil
		}
	}
	return 0, false
}
