// Package rest is the v4 REST gateway: it parses /v4/{service}/{command}
// requests, runs the gateway checks (app, UserSig, admin, rate limit) in the
// documented order, decodes the body into the command's request type, calls
// the domain, and writes the ActionStatus/ErrorCode/ErrorInfo envelope. It
// holds no business rule of its own.
package rest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/conversation"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/hook"
	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/presence"
	"github.com/hearth-chat/hearth/internal/restrict"
	"github.com/hearth-chat/hearth/internal/topic"
	"github.com/hearth-chat/hearth/internal/usersig"
)

// MaxBodyBytes is the largest request body accepted.
const MaxBodyBytes = 1 << 20

// Deps are the services the gateway translates to.
type Deps struct {
	SDKAppID      uint64
	Verifier      *usersig.Verifier
	Accounts      *account.Service
	Groups        *group.Service
	Topics        *topic.Service
	PermGroups    *permgroup.Service
	Messages      *message.Service
	C2C           *message.C2C
	Extensions    *message.Extensions
	Senders       *restrict.Service // global mutes and blocklists (restrict.go)
	Reads         *message.Reads
	Presence      *presence.Service
	Conversations *conversation.Service
	RateLimit     bool
	Logger        *slog.Logger
	Metrics       *Metrics         // nil: no metrics
	Now           func() time.Time // the clock rate limits use; nil: time.Now
}

// Server serves the v4 REST API.
type Server struct {
	deps   Deps
	appID  string
	routes map[string]*route // key: service + "/" + command
	log    *slog.Logger
	reqID  atomic.Uint64
}

// ShareRateLimits divides every frequency limit by the number of live
// nodes of a cluster (1 restores the full limits). Routes are fixed after
// NewServer, and the limiters are safe for concurrent use.
func (s *Server) ShareRateLimits(nodes int) {
	for _, r := range s.routes {
		r.share(nodes)
	}
}

// NewServer returns the gateway with every route of the route table.
func NewServer(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Server{deps: d, appID: strconv.FormatUint(d.SDKAppID, 10), log: d.Logger}
	s.routes = s.routeTable()
	for _, r := range s.routes {
		r.init(d.RateLimit, d.Metrics)
	}
	return s
}

// Call is what a handler knows about the request beyond its body.
type Call struct {
	Identifier string // the App admin who called
	ClientIP   string
	RequestID  uint64
}

// ServeHTTP handles POST /v4/{service}/{command}; GET with the same JSON
// body is served the same way, as the hosted service does for SDKs that send it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := s.reqID.Add(1)
	rt, code, err := s.serve(w, r, id)
	if rt != nil {
		rt.observe(code, time.Since(start))
	} else if s.deps.Metrics != nil {
		s.deps.Metrics.observeUnrouted(code)
	}
	if err != nil {
		s.log.Error("rest request failed", "request_id", id, "path", r.URL.Path, "err", err)
	}
}

// serve runs one request and returns the route (nil when none matched), the
// code answered and an internal error worth logging.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, id uint64) (*route, int, error) {
	fail := func(rt *route, code int, info string) (*route, int, error) {
		return rt, code, writeFail(w, code, info)
	}
	// 60002: the URL itself.
	rest, ok := strings.CutPrefix(r.URL.Path, "/v4/")
	service, command, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || service == "" || command == "" || strings.Contains(command, "/") {
		return fail(nil, apierr.BadURL, "URL must be /v4/{service}/{command}")
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return fail(nil, apierr.BadURL, "use POST (or GET with a JSON body)")
	}
	q, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return fail(nil, apierr.BadURL, "cannot parse the query string: "+err.Error())
	}
	rt := s.routes[service+"/"+command]

	// App and UserSig checks, then the admin check.
	call := &Call{RequestID: id, ClientIP: clientIP(r)}
	if e := s.authenticate(r.Context(), q, call); e != nil {
		return fail(rt, e.Code, e.Info)
	}
	if rt == nil {
		return fail(nil, apierr.UnknownCommand, "unknown service or command: "+service+"/"+command)
	}
	if rt.limiter != nil && !rt.limiter.AllowN(s.deps.Now(), 1) {
		return fail(rt, rt.defaults.rateLimited, "the call frequency of "+rt.key+" exceeds its limit")
	}

	body, err := readBody(r)
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			return fail(rt, apierr.BadJSON, "request body is larger than "+strconv.Itoa(MaxBodyBytes)+" bytes")
		}
		return fail(rt, apierr.ServiceTimeout, "cannot read the request body")
	}
	ctx := hook.WithOrigin(r.Context(), hook.Origin{ClientIP: clientIP(r), Platform: hook.PlatformREST, Admin: call.Identifier})
	resp, err := rt.handle(ctx, call, body)
	if err != nil {
		code, info, internal := rt.defaults.errorCode(err)
		_, _, werr := fail(rt, code, info)
		if internal {
			return rt, code, errors.Join(err, werr)
		}
		return rt, code, werr
	}
	if err := writeOK(w, resp, rt.defaults.internal); err != nil {
		return rt, rt.defaults.internal, err
	}
	return rt, 0, nil
}

var errBodyTooLarge = errors.New("body too large")

func readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > MaxBodyBytes {
		return nil, errBodyTooLarge
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxBodyBytes {
		return nil, errBodyTooLarge
	}
	return b, nil
}

// query holds the parameters the gateway reads.
type query struct {
	sdkappid, identifier, usersig string
	hasAppID                      bool
}

// parseQuery reads the gateway's parameters; names and values are
// case-sensitive.
func parseQuery(raw string) (query, error) {
	var q query
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if strings.ContainsAny(v, "%+") {
			var err error
			if v, err = url.QueryUnescape(v); err != nil {
				return q, err
			}
		}
		switch k {
		case "sdkappid":
			q.sdkappid, q.hasAppID = v, true
		case "identifier":
			q.identifier = v
		case "usersig":
			q.usersig = v
		}
	}
	return q, nil
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// authenticate runs the gateway checks in the hosted order (docs/decisions.md,
// 13) up to the admin check: sdkappid present and known, identifier
// present, UserSig valid and not revoked, identifier an App admin.
func (s *Server) authenticate(ctx context.Context, q query, call *Call) *apierr.Error {
	if !q.hasAppID || q.sdkappid == "" {
		return apierr.New(apierr.NoSDKAppID, "sdkappid is missing from the URL")
	}
	if q.sdkappid != s.appID {
		return apierr.New(apierr.UnknownApp, "sdkappid %s is not an app of this server", q.sdkappid)
	}
	if q.identifier == "" {
		return apierr.New(apierr.BadIdentity, "identifier is missing from the URL")
	}
	claims, err := s.deps.Verifier.Verify(q.identifier, q.usersig)
	if err != nil {
		return apierr.UserSig(err)
	}
	revoked, err2 := s.deps.Accounts.Revoked(ctx, q.identifier, claims.Issued)
	if err2 != nil {
		s.log.Error("kick lookup failed", "request_id", call.RequestID, "err", err2)
		return apierr.New(apierr.AccountInternal, "internal error, retry later")
	}
	if revoked {
		return apierr.Revoked()
	}
	if !s.deps.Accounts.IsAdmin(q.identifier) {
		return apierr.New(apierr.AdminRequired, "identifier %s is not an App admin", q.identifier)
	}
	call.Identifier = q.identifier
	return nil
}
