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
	"strings"
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

Run "hearth <command> -h" for the flags of a command.
`

// Run runs the hearth command line. It is all that main calls, so tests can
// run the real program in-process.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
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
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (config.Config, error) {
	fs := flag.NewFlagSet("hearth "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	build := config.Register(fs, getenv)
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
			return false, fmt.Errorf("no credentials in %s: run `hearth serve` once to generate them, or pass --sdkappid and --secret-key", cfg.DataDir)
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
	cfg, err := parseConfig("serve", args, getenv, stderr, nil)
	if err != nil {
		return err
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

func printBanner(w io.Writer, s *Server, addr string, generated bool) {
	admin := s.Config.Admins[0]
	fmt.Fprintf(w, "hearth: listening on http://%s (store: %s, sdkappid %d)\n", addr, s.StoreDesc, s.SDKAppID)
	if !generated {
		fmt.Fprintf(w, "hearth: a UserSig for %s: hearth usersig --data %s --identifier %s\n", admin, s.Config.DataDir, admin)
		return
	}
	sig, err := usersig.Sign(s.SDKAppID, s.SecretKey, admin, time.Now(), DefaultSigExpire, zlib.DefaultCompression)
	if err != nil {
		fmt.Fprintf(w, "hearth: cannot sign a UserSig: %v\n", err)
		return
	}
	fmt.Fprintf(w, `
First start: generated new credentials, kept in %s/%s (mode 0600).
  SDKAppID:   %d
  Secret key: %s
  Admin:      %s
  UserSig:    %s   (valid 180 days)

Try it:
  curl -s -X POST 'http://%s/v4/im_open_login_svc/account_import?sdkappid=%d&identifier=%s&usersig=%s&random=%d&contenttype=json' \
    -d '{"UserID":"alice","Nick":"Alice"}'

`, strings.TrimSuffix(s.Config.DataDir, "/"), credentialsFile, s.SDKAppID, s.SecretKey, admin, sig, addr, s.SDKAppID, admin, sig, time.Now().Unix()%1_000_000)
}

func printUserSig(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var identifier string
	var expire int64
	cfg, err := parseConfig("usersig", args, getenv, stderr, func(fs *flag.FlagSet) {
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
