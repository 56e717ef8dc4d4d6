package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"

	"github.com/hearth-chat/hearth/internal/bench"
	"github.com/hearth-chat/hearth/internal/config"
)

// runBench runs `hearth bench`: the load tool starts this same executable
// as the server under test (`hearth serve`) and as the baseline, or builds
// the server in-process with NewServer.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	exe, _ := os.Executable() // "" only disables --server child, which then says so
	return bench.Main(ctx, args, bench.Env{
		Stdout: stdout, Stderr: stderr, Executable: exe,
		NewServer: func(ctx context.Context, cfg config.Config) (http.Handler, func(), error) {
			s, err := NewServer(ctx, cfg, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
			if err != nil {
				return nil, nil, err
			}
			return s.Handler(), s.Close, nil
		},
	})
}
