// Package bench is `hearth bench`, the load tool: named scenarios driven
// against a Hearth server it starts (or one at --target), each followed by
// the same load against a bare baseline server in the same run, so that the
// ratio Hearth/baseline — what the docs quote — does not depend on the
// machine. It prints a summary table (or --json) with throughput, latency
// percentiles, errors by code, and the server's CPU time and peak RSS.
//
// All load stays on loopback (or goes to --target), bounded in count and
// time: every scenario stops by itself.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hearth-chat/hearth/internal/config"
)

// Limits on the flags: the load stays bounded whatever is asked.
const (
	MaxDuration    = 10 * time.Minute
	MaxConcurrency = 1024
	MaxMembers     = 20_000
	MaxSenders     = 64
	MaxConnections = 50_000
	MaxMsgSize     = 8 << 10 // text bytes; a MsgBody holds at most 12 KB
)

// Env is what the bench needs from the program around it.
type Env struct {
	Stdout, Stderr io.Writer
	// Executable is the hearth binary: with --server child (the default) the
	// bench runs `Executable serve` for Hearth and `Executable bench
	// --baseline-server` for the baseline, each on a loopback port.
	Executable string
	// NewServer builds an in-process Hearth for cfg (--server inprocess):
	// its HTTP handler and the function that releases it.
	NewServer func(ctx context.Context, cfg config.Config) (http.Handler, func(), error)
}

// Options are the flags of `hearth bench`.
type Options struct {
	Scenarios   []string      // names, in order
	Duration    time.Duration // measured load per run (after a warm-up of a tenth of it, at most 1 s)
	Concurrency int           // REST clients in a closed loop; concurrent dials in connection ramps
	Members     int           // fanout: members connected to the topic
	Senders     int           // fanout: members posting into it
	Connections int           // connect: idle connections to open
	MsgSize     int           // send, fanout: bytes of message text
	RateLimit   bool          // Hearth's per-API frequency limits
	Mode        string        // ModeChild or ModeInProcess
	Store       string        // Hearth's --store: "" (SQLite) or a postgres:// URL
	Target      string        // an external Hearth's base URL instead of starting one
	SDKAppID    uint64        // with Target: its app
	SecretKey   string        // with Target
	Admin       string        // with Target: an App admin
	JSON        bool          // print the report as JSON instead of the table
}

// DefaultOptions are the defaults of the flags.
func DefaultOptions() Options {
	return Options{
		Scenarios: []string{"all"}, Duration: 10 * time.Second, Concurrency: 16, Members: 1000, Senders: 2,
		Connections: 10_000, MsgSize: 64, Mode: ModeChild, Admin: config.DefaultAdmin,
	}
}

// scenario is one named load.
type scenario struct {
	name, about string
	run         func(r *runner, ctx context.Context) (ScenarioResult, error)
}

func restRunner(name string) func(r *runner, ctx context.Context) (ScenarioResult, error) {
	return func(r *runner, ctx context.Context) (ScenarioResult, error) { return r.restScenario(ctx, name) }
}

var scenarios = []scenario{
	{"rest-write", "modify_topic over REST, --concurrency clients in a closed loop", restRunner("rest-write")},
	{"rest-read", "get_topic over REST, --concurrency clients in a closed loop", restRunner("rest-read")},
	{"send", "send_group_msg into a topic over REST, --concurrency clients in a closed loop", restRunner("send")},
	{"fanout", "--senders post into a topic whose --members are connected over WebSockets", (*runner).fanoutScenario},
	{"connect", "open --connections idle logged-in WebSockets: rate, latency, memory per connection", (*runner).connectScenario},
}

// runner runs scenarios with one set of options.
type runner struct {
	opts    Options
	env     Env
	creds   creds
	prog    *progress
	fdLimit uint64
	notes   []string
}

// notef adds a note to the report and prints it.
func (r *runner) notef(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.notes = append(r.notes, msg)
	r.prog.note("%s", msg)
}

// Run runs the scenarios of opts and returns their report. A scenario that
// fails is reported with its error and the others still run; the error
// returned names the failed ones.
func Run(ctx context.Context, opts Options, env Env) (*Report, error) {
	names, err := opts.check()
	if err != nil {
		return nil, err
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	r := &runner{opts: opts, env: env, prog: newProgress(env.Stderr)}
	if r.creds, err = opts.credentials(); err != nil {
		return nil, err
	}
	if r.fdLimit, err = raiseFileLimit(); err != nil {
		r.notef("cannot raise the open-file limit: %v", err)
	}
	rep := &Report{Machine: machine(), Settings: opts.settings(r.warmup())}
	switch {
	case opts.Target != "":
		r.notef("Hearth is the server at %s: its CPU and memory are not measured", opts.Target)
	case opts.Mode == ModeInProcess:
		r.notef("servers run inside the bench: CPU and peak RSS include the load generator's")
	}
	var failed []string
	for _, name := range names {
		sc := scenarioNamed(name)
		r.prog.note("%s: %s", sc.name, sc.about)
		res, err := sc.run(r, ctx)
		res.Name = sc.name
		if err != nil {
			res.Error = err.Error()
			failed = append(failed, sc.name)
			r.prog.note("%s failed: %v", sc.name, err)
		}
		rep.Scenarios = append(rep.Scenarios, res)
		if ctx.Err() != nil {
			break
		}
	}
	rep.Notes = r.notes
	if len(failed) > 0 {
		return rep, fmt.Errorf("scenarios failed: %s", strings.Join(failed, ", "))
	}
	return rep, ctx.Err()
}

func scenarioNamed(name string) scenario {
	for _, sc := range scenarios {
		if sc.name == name {
			return sc
		}
	}
	panic("bench: unknown scenario " + name)
}

// check validates the options and returns the scenario names to run.
func (o Options) check() ([]string, error) {
	var names []string
	for _, s := range o.Scenarios {
		for name := range strings.SplitSeq(s, ",") {
			switch name = strings.TrimSpace(name); {
			case name == "":
			case name == "all":
				for _, sc := range scenarios {
					names = append(names, sc.name)
				}
			case !known(name):
				return nil, fmt.Errorf("--scenario %q: want all or some of %s", name, scenarioList())
			default:
				names = append(names, name)
			}
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("--scenario: name one or more of %s, or all", scenarioList())
	}
	bounds := []struct {
		flag      string
		v, lo, hi int64
	}{
		{"duration", int64(o.Duration), int64(100 * time.Millisecond), int64(MaxDuration)},
		{"concurrency", int64(o.Concurrency), 1, MaxConcurrency},
		{"members", int64(o.Members), 1, MaxMembers},
		{"senders", int64(o.Senders), 1, MaxSenders},
		{"connections", int64(o.Connections), 1, MaxConnections},
		{"msg-size", int64(o.MsgSize), 1, MaxMsgSize},
	}
	for _, b := range bounds {
		if b.v < b.lo || b.v > b.hi {
			if b.flag == "duration" {
				return nil, fmt.Errorf("--duration %s: want 100ms to %s", o.Duration, MaxDuration)
			}
			return nil, fmt.Errorf("--%s %d: want %d to %d", b.flag, b.v, b.lo, b.hi)
		}
	}
	if o.Senders > o.Members {
		return nil, fmt.Errorf("--senders %d: at most --members (%d)", o.Senders, o.Members)
	}
	if o.Mode != ModeChild && o.Mode != ModeInProcess {
		return nil, fmt.Errorf("--server %q: want %s or %s", o.Mode, ModeChild, ModeInProcess)
	}
	if o.Target != "" {
		if !strings.HasPrefix(o.Target, "http://") && !strings.HasPrefix(o.Target, "https://") {
			return nil, fmt.Errorf("--target %q: want an http:// URL", o.Target)
		}
		if o.SDKAppID == 0 || o.SecretKey == "" || o.Admin == "" {
			return nil, errors.New("--target needs --sdkappid, --secret-key and --admin: the bench signs its own UserSigs")
		}
	}
	return names, nil
}

func known(name string) bool {
	for _, sc := range scenarios {
		if sc.name == name {
			return true
		}
	}
	return false
}

func scenarioList() string {
	names := make([]string, len(scenarios))
	for i, sc := range scenarios {
		names[i] = sc.name
	}
	return strings.Join(names, ", ")
}

// credentials are the target's app, or a new one for the servers the bench
// starts.
func (o Options) credentials() (creds, error) {
	if o.Target != "" {
		return creds{SDKAppID: o.SDKAppID, SecretKey: o.SecretKey, Admin: o.Admin}, nil
	}
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		return creds{}, err
	}
	key := make([]byte, 32)
	rand.Read(key)
	return creds{SDKAppID: 1_400_000_000 + n.Uint64(), SecretKey: hex.EncodeToString(key), Admin: config.DefaultAdmin}, nil
}

func (o Options) settings(warmup time.Duration) Settings {
	server := o.Mode
	if o.Target != "" {
		server = o.Target
	}
	store := o.Store
	if u, err := url.Parse(store); err == nil && store != "" {
		store = u.Redacted() // no password in reports
	}
	return Settings{
		Server: server, Store: store, RateLimit: o.RateLimit, Duration: o.Duration.Seconds(), Warmup: warmup.Seconds(),
		Concurrency: o.Concurrency, Members: o.Members, Senders: o.Senders, Connections: o.Connections, MsgSize: o.MsgSize,
	}
}

// Main runs the `hearth bench` command line.
func Main(ctx context.Context, args []string, env Env) error {
	opts := DefaultOptions()
	fs := flag.NewFlagSet("hearth bench", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	scenario := fs.String("scenario", "all", "scenarios to run, comma-separated: all, "+scenarioList())
	fs.DurationVar(&opts.Duration, "duration", opts.Duration, "measured load per run, Hearth and baseline each (max 10m)")
	fs.IntVar(&opts.Concurrency, "concurrency", opts.Concurrency, "REST clients in a closed loop; concurrent dials when connecting")
	fs.IntVar(&opts.Members, "members", opts.Members, "fanout: members of the topic, each on a WebSocket")
	fs.IntVar(&opts.Senders, "senders", opts.Senders, "fanout: members posting, each waiting for its message to reach everyone")
	fs.IntVar(&opts.Connections, "connections", opts.Connections, "connect: idle logged-in WebSockets to open")
	fs.IntVar(&opts.MsgSize, "msg-size", opts.MsgSize, "send, fanout: bytes of message text")
	rateLimit := fs.String("rate-limit", "off", "Hearth's per-API frequency limits: on or off")
	fs.StringVar(&opts.Mode, "server", opts.Mode, "where the servers run: child (own processes, measured alone) or inprocess")
	fs.StringVar(&opts.Store, "store", "", "Hearth's store: empty for SQLite in a temp dir, or a postgres:// URL")
	fs.StringVar(&opts.Target, "target", "", "bench the Hearth at this URL instead of starting one (give its --sdkappid, --secret-key, --admin)")
	fs.Uint64Var(&opts.SDKAppID, "sdkappid", 0, "with --target: its SDKAppID")
	fs.StringVar(&opts.SecretKey, "secret-key", "", "with --target: its secret key")
	fs.StringVar(&opts.Admin, "admin", opts.Admin, "with --target: an App admin UserID")
	fs.BoolVar(&opts.JSON, "json", false, "print the report as one JSON document instead of the table")
	baseline := fs.Bool("baseline-server", false, "internal: serve the bare baseline on --addr (the bench starts it itself)")
	addr := fs.String("addr", "127.0.0.1:0", "internal: with --baseline-server, the address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *baseline {
		return serveBaseline(ctx, *addr, env.Stdout)
	}
	switch *rateLimit {
	case "on":
		opts.RateLimit = true
	case "off":
	default:
		return fmt.Errorf("--rate-limit %q: want on or off", *rateLimit)
	}
	opts.Scenarios = []string{*scenario}
	rep, err := Run(ctx, opts, env)
	if rep == nil {
		return err
	}
	if opts.JSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(rep); jerr != nil {
			return jerr
		}
	} else {
		rep.WriteTable(env.Stdout)
	}
	return err
}
