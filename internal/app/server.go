package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/cluster"
	"github.com/hearth-chat/hearth/internal/config"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/gateway"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/rest"
	"github.com/hearth-chat/hearth/internal/topic"
	"github.com/hearth-chat/hearth/internal/usersig"
	"github.com/hearth-chat/hearth/internal/webhook"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ShutdownTimeout bounds how long SIGTERM waits for in-flight requests.
const ShutdownTimeout = 15 * time.Second

// Server is a wired Hearth node: store, domain services, HTTP handler.
type Server struct {
	Config     config.Config
	SDKAppID   uint64
	SecretKey  string
	Accounts   *account.Service
	Groups     *group.Service
	Topics     *topic.Service
	PermGroups *permgroup.Service
	Bus        event.Bus
	StoreDesc  string

	handler    http.Handler
	gateway    *gateway.Server
	closeStore func()
	stopHooks  func()
	node       *cluster.Node
	closeOnce  sync.Once
	log        *slog.Logger
}

// NewServer opens the store and wires every service for cfg. Credentials
// must be resolved (cfg.SDKAppID and cfg.SecretKey set).
func NewServer(ctx context.Context, cfg config.Config, log *slog.Logger) (*Server, error) {
	if cfg.SDKAppID == 0 || cfg.SecretKey == "" {
		return nil, errors.New("app: SDKAppID and secret key must be set")
	}
	store, closeStore, desc, err := openStore(ctx, cfg.Store, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	accounts := account.NewService(store, cfg.Admins, nil)
	if err := accounts.EnsureAdmins(ctx); err != nil {
		closeStore()
		return nil, fmt.Errorf("import the App admin accounts: %w", err)
	}
	hooks, err := webhook.New(webhook.Config{
		SDKAppID: cfg.SDKAppID, URL: cfg.CallbackURL, Token: cfg.CallbackToken, Enabled: cfg.Callbacks,
		Admin: cfg.Admins[0], Timeout: cfg.CallbackTimeout, MinBackoff: cfg.CallbackMinBackoff,
		Poll: cfg.CallbackPoll, Lease: cfg.CallbackLease, Logger: log,
	}, store, webhook.NewMetrics(reg))
	if err != nil {
		closeStore()
		return nil, fmt.Errorf("--callbacks: %w", err)
	}
	var base event.Bus = event.NewLocal()
	var node *cluster.Node
	var onRemote atomic.Pointer[func(event.Event)] // set once the services exist
	var onPeers atomic.Pointer[func(int)]
	if cfg.NATS != "" {
		if cfg.Store == "" {
			closeStore()
			return nil, errors.New("--nats (cluster mode) needs --store postgres://…: the nodes share PostgreSQL, not a local SQLite file")
		}
		node, err = cluster.Join(cluster.Options{URL: cfg.NATS, AppID: cfg.SDKAppID, Logger: log, Decoder: decodeEvent,
			Invalidate: func(e event.Event) {
				if fn := onRemote.Load(); fn != nil {
					(*fn)(e)
				}
			},
			OnPeers: func(n int) {
				if fn := onPeers.Load(); fn != nil {
					(*fn)(n)
				}
			}})
		if err != nil {
			closeStore()
			return nil, err
		}
		base = node
		desc += ", NATS " + cfg.NATS
	}
	var groups *group.Service
	bus := hooks.Wrap(base, func(ctx context.Context, id string) string {
		if g, err := groups.Get(ctx, id); err == nil {
			return string(g.Type)
		}
		return ""
	})
	groups = group.NewService(store, store, bus, nil)
	accounts.OnDelete(groups.ForgetUsers)
	topics := topic.NewService(store, groups, bus, nil)
	pmgs := permgroup.NewService(store, groups, topics, bus, nil)
	accounts.OnDelete(pmgs.ForgetUsers)
	messages := message.NewService(store, groups, topics, bus, nil)
	c2c := message.NewC2C(store, store, bus, nil)
	if cfg.CallbackURL != "" {
		groups.SetBefore(hooks)
		c2c.SetBefore(hooks)
	}
	verifier := usersig.NewVerifier(cfg.SDKAppID, cfg.SecretKey)
	api := rest.NewServer(rest.Deps{
		SDKAppID:   cfg.SDKAppID,
		Verifier:   verifier,
		Accounts:   accounts,
		Groups:     groups,
		Topics:     topics,
		PermGroups: pmgs,
		Messages:   messages,
		C2C:        c2c,
		RateLimit:  cfg.RateLimit,
		Logger:     log,
		Metrics:    rest.NewMetrics(reg),
	})
	ws := gateway.NewServer(gateway.Deps{
		SDKAppID: cfg.SDKAppID, Verifier: verifier, Accounts: accounts, Groups: groups,
		Messages: messages, C2C: c2c, Bus: bus, Logger: log, Interest: interest(node),
		RateLimit: cfg.RateLimit,
	})
	mux := http.NewServeMux()
	mux.Handle("/v4/", api)
	mux.Handle("GET /v1/ws", ws)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if node != nil { // a node cut off from NATS would serve stale caches: take it out of the balancer
			ctx, cancel := context.WithTimeout(r.Context(), time.Second)
			defer cancel()
			if err := node.Ping(ctx); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				io.WriteString(w, "NATS unreachable: "+err.Error()+"\n")
				return
			}
		}
		io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { defer close(done); hooks.Run(runCtx) }()
	if node != nil {
		invalidate := func(e event.Event) {
			switch e.Type {
			case gateway.EventAccountKicked:
				accounts.ForgetRevoked(e.Users)
			case gateway.EventAccountsDeleted:
				accounts.ForgetRevoked(e.Users)
				groups.ForgetUsers(e.Users)
				pmgs.ForgetUsers(e.Users)
			default:
				if e.GroupID != "" {
					groups.Forget(e.GroupID)
					topics.Forget(e.GroupID)
					pmgs.Forget(e.GroupID)
				}
			}
		}
		onRemote.Store(&invalidate)
		reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hearth_cluster_nodes", Help: "Live nodes of the cluster, this one included."},
				func() float64 { return float64(node.Size()) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hearth_cluster_subscriptions", Help: "NATS subjects this node subscribes to for its sessions."},
				func() float64 { return float64(node.Subscriptions()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "hearth_cluster_events_published_total", Help: "Events this node published to the cluster."},
				func() float64 { p, _ := node.Counts(); return float64(p) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "hearth_cluster_events_received_total", Help: "Events this node received from other nodes."},
				func() float64 { _, r := node.Counts(); return float64(r) }),
		)
		share := api.ShareRateLimits
		onPeers.Store(&share)
		if cfg.RateLimit {
			api.ShareRateLimits(node.Size())
		}
		accounts.OnKick(func(id string) {
			node.Publish(event.Event{Type: gateway.EventAccountKicked, Users: []string{id}, Time: time.Now().UnixMilli()})
		})
		accounts.OnDelete(func(ids []string) {
			node.Publish(event.Event{Type: gateway.EventAccountsDeleted, Users: ids, Time: time.Now().UnixMilli()})
		})
	}
	return &Server{
		node:      node,
		stopHooks: func() { stop(); <-done },
		Config:    cfg, SDKAppID: cfg.SDKAppID, SecretKey: cfg.SecretKey, Accounts: accounts, Groups: groups, Topics: topics, PermGroups: pmgs, Bus: bus, StoreDesc: desc,
		handler: mux, gateway: ws, closeStore: closeStore, log: log,
	}, nil
}

// interest is the gateway's Interest: the cluster node, or none.
func interest(n *cluster.Node) gateway.Interest {
	if n == nil {
		return nil
	}
	return n
}

// decodeEvent restores the Data of an event from another node to the type
// the gateway pushes from; other events keep their JSON (sent to clients
// as is).
func decodeEvent(typ string, data json.RawMessage) any {
	var v any
	switch typ {
	case "message.group":
		var m message.Message
		v = &m
	case "message.c2c":
		var m message.C2CMessage
		v = &m
	default:
		return data
	}
	if err := json.Unmarshal(data, v); err != nil {
		return data
	}
	switch m := v.(type) {
	case *message.Message:
		return *m
	case *message.C2CMessage:
		return *m
	}
	return data
}

// Handler is the node's whole HTTP surface.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops the gateway's subscriptions and releases the store.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.gateway.Close()
		s.stopHooks()
		if s.node != nil {
			s.node.Close()
		}
		s.closeStore()
	})
}

// Serve accepts connections on ln until ctx is done, then stops accepting,
// waits up to ShutdownTimeout for in-flight requests, and returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down: draining in-flight requests", "timeout", ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
