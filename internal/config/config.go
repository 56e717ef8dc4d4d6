// Package config holds Hearth's configuration: one struct, filled from
// command-line flags and environment variables (a flag wins over its
// variable, a variable over the default).
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is everything `hearth serve` can be told.
type Config struct {
	Addr      string   // --addr, HEARTH_ADDR
	DataDir   string   // --data, HEARTH_DATA
	SDKAppID  uint64   // --sdkappid, HEARTH_SDKAPPID (0: generate or reuse from DataDir)
	SecretKey string   // --secret-key, HEARTH_SECRET_KEY ("": generate or reuse)
	Admins    []string // --admin, HEARTH_ADMIN (comma-separated)
	Store     string   // --store, HEARTH_STORE ("": SQLite in DataDir; postgres://…)
	NATS      string   // --nats, HEARTH_NATS
	RateLimit bool     // --rate-limit on|off, HEARTH_RATE_LIMIT

	CallbackURL     string        // --callback-url, HEARTH_CALLBACK_URL ("": no callbacks)
	CallbackToken   string        // --callback-token, HEARTH_CALLBACK_TOKEN ("": unsigned)
	CallbackTimeout time.Duration // --callback-timeout, HEARTH_CALLBACK_TIMEOUT (before-callbacks)
	Callbacks       []string      // --callbacks, HEARTH_CALLBACKS: enabled commands; nil = all

	// Tuning of after-callback delivery, not flags (tests shorten them);
	// zero means the webhook package's default.
	CallbackMinBackoff time.Duration
	CallbackPoll       time.Duration
	CallbackLease      time.Duration
}

// Defaults.
const (
	DefaultAddr    = "127.0.0.1:8080"
	DefaultDataDir = "./hearth-data"
	DefaultAdmin   = "administrator"
)

type option struct {
	flag, env, def, usage string
}

var options = []option{
	{"addr", "HEARTH_ADDR", DefaultAddr, "address to listen on"},
	{"data", "HEARTH_DATA", DefaultDataDir, "data directory (SQLite database, generated credentials)"},
	{"sdkappid", "HEARTH_SDKAPPID", "", "SDKAppID of the app (generated on first start when empty)"},
	{"secret-key", "HEARTH_SECRET_KEY", "", "secret key UserSigs are signed with (generated on first start when empty)"},
	{"admin", "HEARTH_ADMIN", DefaultAdmin, "App admin UserID(s), comma-separated"},
	{"store", "HEARTH_STORE", "", "storage: empty for SQLite in the data directory, or a postgres:// URL"},
	{"nats", "HEARTH_NATS", "", "NATS URL for cluster mode (optional)"},
	{"rate-limit", "HEARTH_RATE_LIMIT", "on", "per-API frequency limits: on or off"},
	{"callback-url", "HEARTH_CALLBACK_URL", "", "the app's third-party callback URL (http:// or https://; empty: no callbacks)"},
	{"callback-token", "HEARTH_CALLBACK_TOKEN", "", "callback signing token, 1-128 characters (adds Sign and RequestTime; empty: unsigned)"},
	{"callback-timeout", "HEARTH_CALLBACK_TIMEOUT", "2s", "how long a before-callback may take; past it the operation proceeds"},
	{"callbacks", "HEARTH_CALLBACKS", "all", "enabled callbacks: all, or a comma-separated list of CallbackCommand names"},
}

// MaxCallbackToken is the longest callback signing token (as the hosted
// console's).
const MaxCallbackToken = 128

// Register defines the serve flags on fs and returns a function that, after
// fs.Parse, builds the Config from the flags, getenv and the defaults.
func Register(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	return RegisterSome(fs, getenv)
}

// RegisterSome is [Register] for a command that needs only some of the
// options: it defines the flags named (all of them when none is named);
// the others come from getenv and the defaults only.
func RegisterSome(fs *flag.FlagSet, getenv func(string) string, names ...string) func() (Config, error) {
	vals := make(map[string]*string, len(options))
	for _, o := range options {
		if len(names) == 0 || slices.Contains(names, o.flag) {
			vals[o.flag] = fs.String(o.flag, o.def, fmt.Sprintf("%s (env %s)", o.usage, o.env))
		}
	}
	return func() (Config, error) {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		get := func(name string) string {
			for _, o := range options {
				if o.flag != name {
					continue
				}
				if !set[name] {
					if v := getenv(o.env); v != "" {
						return v
					}
				}
				if vals[name] == nil {
					return o.def
				}
				return *vals[name]
			}
			panic("config: unknown option " + name)
		}
		return build(get)
	}
}

func build(get func(string) string) (Config, error) {
	c := Config{
		Addr:      get("addr"),
		DataDir:   get("data"),
		SecretKey: get("secret-key"),
		Store:     get("store"),
		NATS:      get("nats"),
	}
	if s := get("sdkappid"); s != "" {
		id, err := strconv.ParseUint(s, 10, 32)
		if err != nil || id == 0 {
			return c, fmt.Errorf("--sdkappid %q: want a decimal number 1..4294967295", s)
		}
		c.SDKAppID = id
	}
	for _, a := range strings.Split(get("admin"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			c.Admins = append(c.Admins, a)
		}
	}
	if len(c.Admins) == 0 {
		return c, errors.New("--admin is empty: name at least one App admin UserID")
	}
	switch rl := get("rate-limit"); rl {
	case "on":
		c.RateLimit = true
	case "off":
	default:
		return c, fmt.Errorf("--rate-limit %q: want on or off", rl)
	}
	if c.Store != "" && !strings.HasPrefix(c.Store, "postgres://") && !strings.HasPrefix(c.Store, "postgresql://") {
		return c, fmt.Errorf("--store %q: leave it empty for SQLite or give a postgres:// URL", c.Store)
	}
	if err := buildCallbacks(&c, get); err != nil {
		return c, err
	}
	if (c.SDKAppID == 0) != (c.SecretKey == "") {
		return c, errors.New("--sdkappid and --secret-key go together: give both, or neither to generate them")
	}
	return c, nil
}

func buildCallbacks(c *Config, get func(string) string) error {
	c.CallbackURL = get("callback-url")
	c.CallbackToken = get("callback-token")
	if c.CallbackURL != "" {
		u, err := url.Parse(c.CallbackURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--callback-url %q: want an http:// or https:// URL", c.CallbackURL)
		}
	}
	if len(c.CallbackToken) > MaxCallbackToken {
		return fmt.Errorf("--callback-token: at most %d characters", MaxCallbackToken)
	}
	d, err := time.ParseDuration(get("callback-timeout"))
	if err != nil || d <= 0 {
		return fmt.Errorf("--callback-timeout %q: want a positive duration such as 2s or 500ms", get("callback-timeout"))
	}
	c.CallbackTimeout = d
	if list := strings.TrimSpace(get("callbacks")); list != "all" && list != "" {
		for _, name := range strings.Split(list, ",") {
			if name = strings.TrimSpace(name); name != "" {
				c.Callbacks = append(c.Callbacks, name)
			}
		}
		if len(c.Callbacks) == 0 {
			return errors.New("--callbacks is empty: give all or a list of CallbackCommand names")
		}
	}
	return nil
}
