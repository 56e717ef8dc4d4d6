// Package apitest starts real Hearth servers for end-to-end tests: the
// whole HTTP surface over httptest, on a fresh SQLite database in a temp dir
// or, when HEARTH_TEST_POSTGRES is set, on a fresh PostgreSQL schema.
package apitest

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/app"
	"github.com/hearth-chat/hearth/internal/config"
	"github.com/hearth-chat/hearth/internal/usersig"
	"github.com/jackc/pgx/v5"
)

// Test credentials.
const (
	SDKAppID  = 1400000001
	SecretKey = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
	Admin     = "administrator"
)

// PostgresEnv names the variable holding a PostgreSQL URL for tests.
const PostgresEnv = "HEARTH_TEST_POSTGRES"

// Server is a running test server.
type Server struct {
	*app.Server
	URL  string
	http *httptest.Server
}

// Options change a test server.
type Options struct {
	RateLimit bool   // off unless set
	DataDir   string // reuse a data directory (restart tests); "" = new temp dir
	Postgres  string // a PostgreSQL URL (with search_path) instead of SQLite
	// Configure, when set, changes the configuration before the server
	// starts (callbacks, tuning).
	Configure func(*config.Config)
}

// Stores lists the stores end-to-end tests run on: "sqlite" always,
// "postgres" when HEARTH_TEST_POSTGRES is set.
func Stores() []string {
	if os.Getenv(PostgresEnv) != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// ForEachStore runs fn as a subtest per store, each with a fresh server.
func ForEachStore(t *testing.T, opts Options, fn func(t *testing.T, s *Server)) {
	for _, name := range Stores() {
		t.Run(name, func(t *testing.T) {
			o := opts
			if name == "postgres" {
				o.Postgres = PostgresSchema(t)
			}
			fn(t, Start(t, o))
		})
	}
}

// PostgresSchema creates a fresh schema in the HEARTH_TEST_POSTGRES
// database, dropped when t ends, and returns a URL whose connections use it.
func PostgresSchema(t testing.TB) string {
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skip(PostgresEnv + " is not set")
	}
	ctx := context.Background()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "hearth_t_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect %s: %v", PostgresEnv, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Config returns the configuration a test server runs with.
func Config(t testing.TB, opts Options) config.Config {
	dir := opts.DataDir
	if dir == "" {
		dir = t.TempDir()
	}
	c := config.Config{
		DataDir:   dir,
		SDKAppID:  SDKAppID,
		SecretKey: SecretKey,
		Admins:    []string{Admin},
		Store:     opts.Postgres,
		RateLimit: opts.RateLimit,
	}
	if opts.Configure != nil {
		opts.Configure(&c)
	}
	return c
}

// Start starts a server and stops it when t ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	srv, err := app.NewServer(context.Background(), Config(t, opts), log)
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return &Server{Server: srv, URL: hs.URL, http: hs}
}

// Sig signs a UserSig for id with the test key, valid for a day.
func Sig(t testing.TB, id string) string {
	t.Helper()
	s, err := usersig.Sign(SDKAppID, SecretKey, id, time.Now(), 24*time.Hour, zlib.DefaultCompression)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// AdminURL is the full URL of service/command called as the test admin.
func (s *Server) AdminURL(t testing.TB, api string) string {
	return fmt.Sprintf("%s/v4/%s?sdkappid=%d&identifier=%s&usersig=%s&random=%d&contenttype=json",
		s.URL, api, SDKAppID, Admin, Sig(t, Admin), time.Now().UnixNano()%4294967296)
}

// Resp is a decoded response body.
type Resp map[string]any

// Code is the response's ErrorCode.
func (r Resp) Code() int {
	f, _ := r["ErrorCode"].(float64)
	return int(f)
}

// List returns the array field key.
func (r Resp) List(key string) []any {
	l, _ := r[key].([]any)
	return l
}

// Call posts body (a string, []byte or a value to marshal) to service/command
// as the admin and decodes the answer. Any HTTP status but 200 fails t.
func (s *Server) Call(t testing.TB, api string, body any) Resp {
	t.Helper()
	return s.Post(t, s.AdminURL(t, api), body)
}

// Post posts body to a full URL and decodes the answer, checking the
// envelope's shape.
func (s *Server) Post(t testing.TB, fullURL string, body any) Resp {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	res, err := http.Post(fullURL, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("POST %s: %v", fullURL, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: HTTP %d, want 200 (%s)", fullURL, res.StatusCode, out)
	}
	var r Resp
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("POST %s: response is not JSON: %s", fullURL, out)
	}
	status, _ := r["ActionStatus"].(string)
	_, hasInfo := r["ErrorInfo"].(string)
	if !hasInfo || (status == "OK") != (r.Code() == 0) || (status != "OK" && status != "FAIL") {
		t.Fatalf("POST %s: bad envelope: %s", fullURL, out)
	}
	return r
}

// Must calls api and fails t unless it answers OK.
func (s *Server) Must(t testing.TB, api string, body any) Resp {
	t.Helper()
	r := s.Call(t, api, body)
	if r.Code() != 0 {
		t.Fatalf("%s: ErrorCode %d (%v), want 0", api, r.Code(), r["ErrorInfo"])
	}
	return r
}

// ImportAccounts imports the given UserIDs.
func (s *Server) ImportAccounts(t testing.TB, ids ...string) {
	t.Helper()
	for len(ids) > 0 {
		n := min(len(ids), 100)
		s.Must(t, "im_open_login_svc/multiaccount_import", map[string]any{"Accounts": ids[:n]})
		ids = ids[n:]
	}
}

// Contains reports whether s contains sub, for ErrorInfo checks.
func Contains(s any, sub string) bool {
	str, _ := s.(string)
	return strings.Contains(str, sub)
}

// NextFrame waits up to d for the next frame pushed on c that match
// accepts, skipping the others. It fails t, naming what it waited for, when
// the connection closes or d passes first.
func NextFrame(t testing.TB, c *client.Conn, d time.Duration, what string, match func(client.Frame) bool) client.Frame {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case f, ok := <-c.Frames():
			if !ok {
				t.Fatalf("connection closed waiting for %s: %v", what, c.Err())
			}
			if match(f) {
				return f
			}
		case <-timeout:
			t.Fatalf("no %s in %v", what, d)
		}
	}
}
