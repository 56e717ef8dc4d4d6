package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/cluster"
	"github.com/hearth-chat/hearth/internal/config"
	"github.com/hearth-chat/hearth/internal/conversation"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/gateway"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/hook"
	"github.com/hearth-chat/hearth/internal/invalidate"
	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/presence"
	"github.com/hearth-chat/hearth/internal/rest"
	"github.com/hearth-chat/hearth/internal/restrict"
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
// NewServer builds it in named steps (open the store, join the cluster,
// build the services, build the HTTP surface, start the workers); Close
// undoes whatever of them was done, in reverse.
type Server struct {
	Config     config.Config
	SDKAppID   uint64
	SecretKey  string
	Accounts   *account.Service
	Groups     *group.Service
	Topics     *topic.Service
	PermGroups *permgroup.Service
	Senders    *restrict.Service // global mutes and blocklists
	Bus        event.Bus         // the dispatcher every service publishes to
	StoreDesc  string

	log        *slog.Logger
	reg        *prometheus.Registry
	store      Store
	closeStore func()
	caches     *invalidate.Caches
	hooks      *webhook.Webhooks
	node       *cluster.Node
	peers      chan int   // live node counts from the cluster, for the rate limits
	peerEvents *peerQueue // nodes joining and dying, for presence
	presence   *presence.Service
	messages   *message.Service
	c2c        *message.C2C
	exts       *message.Extensions
	reads      *message.Reads
	convs      *conversation.Service
	api        *rest.Server
	gateway    *gateway.Server
	handler    http.Handler
	stop       func() // stops the workers and waits for them
	closeOnce  sync.Once
}

// NewServer opens the store and wires every service for cfg. Credentials
// must be resolved (cfg.SDKAppID and cfg.SecretKey set).
func NewServer(ctx context.Context, cfg config.Config, log *slog.Logger) (*Server, error) {
	if cfg.SDKAppID == 0 || cfg.SecretKey == "" {
		return nil, errors.New("app: SDKAppID and secret key must be set")
	}
	if cfg.NATS != "" && cfg.Store == "" {
		return nil, errors.New("--nats (cluster mode) needs --store postgres://…: the nodes share PostgreSQL, not a local SQLite file")
	}
	s := &Server{Config: cfg, SDKAppID: cfg.SDKAppID, SecretKey: cfg.SecretKey, log: log, reg: prometheus.NewRegistry()}
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, step := range []func(context.Context) error{
		s.openStore,
		s.openWebhooks,
		s.joinCluster,
		s.buildServices,
		s.buildHTTP,
		s.startWorkers,
	} {
		if err := step(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// openStore opens the store and imports the App admin accounts.
func (s *Server) openStore(ctx context.Context) error {
	store, closeStore, desc, err := openStore(ctx, s.Config.Store, s.Config.DataDir)
	if err != nil {
		return err
	}
	s.store, s.closeStore, s.StoreDesc = store, closeStore, desc
	if err := account.NewService(store, s.Config.Admins, nil).EnsureAdmins(ctx); err != nil {
		return fmt.Errorf("import the App admin accounts: %w", err)
	}
	return nil
}

// openWebhooks configures the app's callbacks over the store's outbox.
func (s *Server) openWebhooks(context.Context) error {
	cfg := s.Config
	hooks, err := webhook.New(webhook.Config{
		SDKAppID: cfg.SDKAppID, URL: cfg.CallbackURL, Token: cfg.CallbackToken, Enabled: cfg.Callbacks,
		Admin: cfg.Admins[0], Timeout: cfg.CallbackTimeout, MinBackoff: cfg.CallbackMinBackoff,
		Poll: cfg.CallbackPoll, Lease: cfg.CallbackLease, Logger: s.log,
	}, s.store, webhook.NewMetrics(s.reg))
	if err != nil {
		return fmt.Errorf("--callbacks: %w", err)
	}
	s.hooks = hooks
	return nil
}

// joinCluster makes the caches, and in cluster mode joins NATS: changes
// from other nodes run the same invalidation as this node's own.
func (s *Server) joinCluster(context.Context) error {
	s.caches = invalidate.New()
	if s.Config.NATS == "" {
		return nil
	}
	s.peers = make(chan int, 1)
	s.peerEvents = newPeerQueue()
	node, err := cluster.Join(cluster.Options{URL: s.Config.NATS, AppID: s.Config.SDKAppID, Logger: s.log,
		Invalidate: s.caches.Apply, OnPeers: s.latestPeers, OnPeer: s.peerEvents.add})
	if err != nil {
		return err
	}
	s.node = node
	s.StoreDesc += ", NATS " + s.Config.NATS
	s.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hearth_cluster_nodes", Help: "Live nodes of the cluster, this one included."},
			func() float64 { return float64(node.Size()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hearth_cluster_subscriptions", Help: "NATS subjects this node subscribes to for its sessions."},
			func() float64 { return float64(node.Subscriptions()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "hearth_cluster_events_published_total", Help: "Events this node published to the cluster."},
			func() float64 { p, _ := node.Counts(); return float64(p) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "hearth_cluster_events_received_total", Help: "Events this node received from other nodes."},
			func() float64 { _, r := node.Counts(); return float64(r) }),
	)
	return nil
}

// latestPeers keeps the latest live node count for the rate-limit worker.
func (s *Server) latestPeers(n int) {
	for {
		select {
		case s.peers <- n:
			return
		default:
			select {
			case <-s.peers:
			default:
			}
		}
	}
}

// buildServices builds the dispatcher and the domain services over the
// store, each given its collaborators.
func (s *Server) buildServices(context.Context) error {
	var bus event.Bus = event.NewLocal()
	if s.node != nil {
		bus = s.node
	}
	// Every change drops what it made stale, then queues its
	// after-callback, then reaches the subscribers and the other nodes.
	changes := event.NewDispatcher(bus, s.caches.Apply, s.hooks.Record)
	var before hook.Before
	if s.Config.CallbackURL != "" {
		before = s.hooks
	}
	store, c := s.store, s.caches
	grants := permgroup.NewGrants(store, topic.NewReader(store, c.Topics), c.Grants)
	s.Bus = changes
	s.Accounts = account.NewService(store, s.Config.Admins, nil, account.WithChanges(changes), account.WithCache(c.Revoked))
	s.Groups = group.NewService(store, store, changes, nil, group.WithCache(c.Groups), group.WithGrants(grants), group.WithBefore(before))
	s.Topics = topic.NewService(store, s.Groups, changes, nil, topic.WithCache(c.Topics))
	s.PermGroups = permgroup.NewService(store, s.Groups, s.Topics, changes, nil)
	// Every send a user makes asks the global mute and the blocklist.
	s.Senders = restrict.NewService(store, store, changes, nil, restrict.WithCache(c.Senders))
	s.messages = message.NewService(store, s.Groups, s.Topics, changes, nil, message.WithRestrictions(s.Senders))
	s.c2c = message.NewC2C(store, store, changes, nil, message.WithBefore(before), message.WithC2CRestrictions(s.Senders))
	s.exts = message.NewExtensions(store, s.messages, changes, nil)
	s.presence = s.newPresence()
	s.reads = message.NewReads(store, s.Groups, s.Topics, store, changes, nil)
	// The conversation list's unread counts come from the read state.
	s.convs = conversation.NewService(store, store, s.Groups, conversation.Reads{Reads: s.reads}, changes, nil)
	return nil
}

// buildHTTP builds the REST and WebSocket gateways and the node's routes.
func (s *Server) buildHTTP(context.Context) error {
	cfg := s.Config
	verifier := usersig.NewVerifier(cfg.SDKAppID, cfg.SecretKey)
	s.api = rest.NewServer(rest.Deps{
		SDKAppID:      cfg.SDKAppID,
		Verifier:      verifier,
		Accounts:      s.Accounts,
		Groups:        s.Groups,
		Topics:        s.Topics,
		PermGroups:    s.PermGroups,
		Messages:      s.messages,
		C2C:           s.c2c,
		Extensions:    s.exts,
		Senders:       s.Senders,
		Reads:         s.reads,
		Presence:      s.presence,
		Conversations: s.convs,
		RateLimit:     cfg.RateLimit,
		Logger:        s.log,
		Metrics:       rest.NewMetrics(s.reg),
	})
	s.gateway = gateway.NewServer(gateway.Deps{
		SDKAppID: cfg.SDKAppID, Verifier: verifier, Accounts: s.Accounts, Groups: s.Groups,
		Messages: s.messages, C2C: s.c2c, Extensions: s.exts, Reads: s.reads, Bus: s.Bus, Logger: s.log, Interest: interest(s.node),
		RateLimit: cfg.RateLimit, Presence: s.presence, Conversations: s.convs,
	})
	mux := http.NewServeMux()
	mux.Handle("/v4/", s.api)
	mux.Handle("GET /v1/ws", s.gateway)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	s.handler = mux
	return nil
}

// healthz answers ok, or 503 when a cluster node is cut off from NATS (it
// would serve stale caches: take it out of the balancer).
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.node != nil {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		if err := s.node.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "NATS unreachable: "+err.Error()+"\n")
			return
		}
	}
	io.WriteString(w, "ok\n")
}

// startWorkers starts the after-callback delivery and, in cluster mode with
// rate limits, the worker that shares the limits out by the live nodes.
func (s *Server) startWorkers(ctx context.Context) error {
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.hooks.Run(runCtx) }()
	if s.peerEvents != nil {
		wg.Add(1)
		go func() { defer wg.Done(); s.presenceWorker(runCtx) }()
	}
	if s.node != nil && s.Config.RateLimit {
		s.api.ShareRateLimits(s.node.Size())
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-runCtx.Done():
					return
				case n := <-s.peers:
					s.api.ShareRateLimits(n)
				}
			}
		}()
	}
	s.stop = func() { cancel(); wg.Wait() }
	if s.node != nil {
		s.node.SetReady() // the gateway hears other nodes' changes now
	}
	return nil
}

// interest is the gateway's Interest: the cluster node, or none.
func interest(n *cluster.Node) gateway.Interest {
	if n == nil {
		return nil
	}
	return n
}

// Handler is the node's whole HTTP surface.
func (s *Server) Handler() http.Handler { return s.handler }

// Close undoes NewServer's steps, in reverse: the gateway's subscription,
// the workers, the cluster membership, the store.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		if s.gateway != nil {
			s.gateway.Close()
		}
		if s.stop != nil {
			s.stop()
		}
		if s.node != nil {
			s.node.Close()
		}
		if s.closeStore != nil {
			s.closeStore()
		}
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
