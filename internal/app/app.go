// Package app wires Hearth together: configuration, credentials, stores,
// domain services and the HTTP surface, and implements the hearth
// subcommands (serve, usersig, bench).
package app

import (
	"compress/zlib"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/hearth-chat/hearth/internal/config"
	"github.com/hearth-chat/hearth/internal/usersig"
)

// DefaultSigExpire is the validity of a UserSig printed by Hearth, as the
// hosted service's default (180 days).
const DefaultSigExpire = 180 * 24 * time.Hour

const usage = `usage: hearth <command> [flags]

commands:
  serve     run the server
  usersig   print a UserSig for the configured app
  bench     measure Hearth against a bare baseline (load tool)
  version   print the version, commit and Go version

Run "hearth <command> -h" for the flags of a command.
`

// Run runs the hearth command line. It is all that main calls, so tests can
// run the real program in-process.
// A command's -h prints its flags and is not an error.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	err := run(ctx, args, getenv, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 1 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, stderr)
	case "usersig":
		return printUserSig(args[1:], getenv, stdout, stderr)
	case "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, versionLine())
		return nil
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

// parseConfig parses a command's flags: the config options named in only
// (all of them when only is nil) and those extra defines.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer, only []string, extra func(*flag.FlagSet)) (config.Config, error) {
	fs := flag.NewFlagSet("hearth "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	build := config.RegisterSome(fs, getenv, only...)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return config.Config{}, err
	}
	if fs.NArg() > 0 {
		return config.Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return build()
}

// resolveCredentials fills cfg's SDKAppID and secret key from the data
// directory, generating them when generate is set and none exist.
func resolveCredentials(cfg *config.Config, generate bool) (generated bool, err error) {
	if cfg.SDKAppID != 0 {
		return false, nil
	}
	c, ok, err := loadCredentials(cfg.DataDir)
	if err != nil {
		return false, err
	}
	if !ok {
		if !generate {
			return false, fmt.Errorf("no credentials in the data directory %s (--data, HEARTH_DATA): run `%s serve` once to generate them, point --data at the directory it uses, or pass --sdkappid and --secret-key", cfg.DataDir, selfCommand())
		}
		if c, err = generateCredentials(cfg.DataDir); err != nil {
			return false, err
		}
		generated = true
	}
	cfg.SDKAppID, cfg.SecretKey = c.SDKAppID, c.SecretKey
	return generated, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig("serve", args, getenv, stderr, nil, nil)
	if err != nil {
		return err
	}
	// The data directory holds the SQLite database and generated
	// credentials; check it first so that its errors name the fix.
	if cfg.Store == "" || cfg.SDKAppID == 0 {
		if err := prepareDataDir(cfg.DataDir); err != nil {
			return err
		}
	}
	generated, err := resolveCredentials(&cfg, true)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := NewServer(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (choose another with --addr): %w", cfg.Addr, err)
	}
	printBanner(stdout, srv, ln.Addr().String(), generated)
	return srv.Serve(ctx, ln)
}

func printUserSig(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var identifier string
	var expire int64
	cfg, err := parseConfig("usersig", args, getenv, stderr, []string{"data", "sdkappid", "secret-key"}, func(fs *flag.FlagSet) {
		fs.StringVar(&identifier, "identifier", "", "UserID to sign for (required)")
		fs.Int64Var(&expire, "expire", int64(DefaultSigExpire/time.Second), "validity in seconds")
	})
	if err != nil {
		return err
	}
	if identifier == "" {
		return errors.New("--identifier is required: the UserID the UserSig is for")
	}
	if expire <= 0 {
		return errors.New("--expire must be a positive number of seconds")
	}
	if _, err := resolveCredentials(&cfg, false); err != nil {
		return err
	}
	sig, err := usersig.Sign(cfg.SDKAppID, cfg.SecretKey, identifier, time.Now(), time.Duration(expire)*time.Second, zlib.DefaultCompression)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, sig)
	return nil
}
