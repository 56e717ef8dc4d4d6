// Package config holds Hearth's configuration: one struct, filled from
// command-line flags and environment variables (a flag wins over its
// variable, a variable over the default).
package config

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
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
}

// Register defines the serve flags on fs and returns a function that, after
// fs.Parse, builds the Config from the flags, getenv and the defaults.
func Register(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	vals := make(map[string]*string, len(options))
	for _, o := range options {
		vals[o.flag] = fs.String(o.flag, o.def, fmt.Sprintf("%s (env %s)", o.usage, o.env))
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
	if (c.SDKAppID == 0) != (c.SecretKey == "") {
		return c, errors.New("--sdkappid and --secret-key go together: give both, or neither to generate them")
	}
	return c, nil
}
