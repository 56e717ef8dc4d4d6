package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/app"
	"github.com/hearth-chat/hearth/internal/bench"
	"github.com/hearth-chat/hearth/internal/config"
)

// childEnv makes this test binary act as the hearth executable, so that the
// bench's child servers (`hearth serve`, `hearth bench --baseline-server`)
// are this binary re-executed.
const childEnv = "HEARTH_BENCH_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := app.Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "hearth:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// small are options that run every scenario in a few seconds.
func small(mode string) bench.Options {
	o := bench.DefaultOptions()
	o.Duration = 300 * time.Millisecond
	o.Concurrency = 4
	o.Members = 20
	o.Senders = 2
	o.Connections = 50
	o.MsgSize = 32
	o.Mode = mode
	return o
}

func progressOutput() io.Writer {
	if testing.Verbose() {
		return os.Stderr
	}
	return io.Discard
}

func env(t *testing.T) bench.Env {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(childEnv, "1") // for the children only: this process is past TestMain
	return bench.Env{
		Stdout: io.Discard, Stderr: progressOutput(), Executable: exe,
		NewServer: func(ctx context.Context, cfg config.Config) (http.Handler, func(), error) {
			s, err := app.NewServer(ctx, cfg, slog.New(slog.DiscardHandler))
			if err != nil {
				return nil, nil, err
			}
			return s.Handler(), s.Close, nil
		},
	}
}

// TestEveryScenario runs every scenario briefly with both server modes and
// checks the report's shape: throughput on both sides, no errors, ratios,
// and the server's resources where they are measured. It asserts nothing
// about speed.
func TestEveryScenario(t *testing.T) {
	for _, mode := range []string{bench.ModeChild, bench.ModeInProcess} {
		t.Run(mode, func(t *testing.T) {
			opts := small(mode)
			rep, err := bench.Run(context.Background(), opts, env(t))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, sc := range rep.Scenarios {
				names = append(names, sc.Name)
				checkScenario(t, mode, opts, sc)
			}
			if got := strings.Join(names, ","); got != "rest-write,rest-read,send,fanout,connect" {
				t.Fatalf("scenarios %s", got)
			}
			if rep.Machine.CPUs < 1 || rep.Settings.Duration != opts.Duration.Seconds() {
				t.Errorf("machine %+v, settings %+v", rep.Machine, rep.Settings)
			}
		})
	}
}

func checkScenario(t *testing.T, mode string, opts bench.Options, sc bench.ScenarioResult) {
	t.Helper()
	if sc.Error != "" {
		t.Errorf("%s: %s", sc.Name, sc.Error)
		return
	}
	for _, run := range []bench.Measurement{sc.Hearth, sc.Baseline} {
		if run.Throughput <= 0 || run.Ops <= 0 || run.Latency.P50 <= 0 || run.Latency.Max < run.Latency.P99 {
			t.Errorf("%s %s: %+v: want throughput and latencies", sc.Name, run.Server, run)
		}
		if n := run.ErrorCount(); n != 0 {
			t.Errorf("%s %s: errors %v", sc.Name, run.Server, run.Errors)
		}
		if runtime.GOOS == "linux" && (run.StatsScope == "" || run.PeakRSS <= 0) {
			t.Errorf("%s %s: server stats %q, peak RSS %d: want them measured", sc.Name, run.Server, run.StatsScope, run.PeakRSS)
		}
		if mode == bench.ModeChild && run.StatsScope != "" && run.StatsScope != "server process" {
			t.Errorf("%s %s: stats scope %q in child mode", sc.Name, run.Server, run.StatsScope)
		}
	}
	if sc.Hearth.Server != "hearth" || sc.Baseline.Server != "baseline" {
		t.Errorf("%s: servers %q and %q", sc.Name, sc.Hearth.Server, sc.Baseline.Server)
	}
	if sc.Ratio.Throughput <= 0 || sc.Ratio.P50 <= 0 || sc.Ratio.P99 <= 0 {
		t.Errorf("%s: ratio %+v", sc.Name, sc.Ratio)
	}
	switch sc.Name {
	case "connect":
		m := sc.Memory
		if m == nil || m.Hearth.Open != opts.Connections || m.Baseline.Open != opts.Connections {
			t.Fatalf("connect: memory %+v, want %d connections open on each", m, opts.Connections)
		}
		if runtime.GOOS == "linux" && (m.Hearth.PeakPerConn <= 0 || m.Baseline.PeakPerConn <= 0 || m.Hearth.RSSAfter <= 0) {
			t.Errorf("connect: memory %+v: want RSS measured", m)
		}
	case "fanout":
		if sc.Hearth.Connections != opts.Members || sc.Baseline.Connections != opts.Members {
			t.Errorf("fanout: %d and %d members connected, want %d", sc.Hearth.Connections, sc.Baseline.Connections, opts.Members)
		}
		if sc.Hearth.Ops%int64(opts.Members) != 0 {
			t.Errorf("fanout: %d deliveries: not whole messages to %d members", sc.Hearth.Ops, opts.Members)
		}
	}
}

// TestHearthBenchCommand runs `hearth bench` as the command line does,
// once printing the table and once JSON.
func TestHearthBenchCommand(t *testing.T) {
	env(t) // children act as hearth
	args := []string{"bench", "--scenario", "rest-read,send", "--duration", "200ms", "--concurrency", "2"}

	var out, errOut bytes.Buffer
	if err := app.Run(context.Background(), args, os.Getenv, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	table := out.String()
	for _, want := range []string{"scenario", "rest-read  hearth", "rest-read  baseline", "rest-read  ratio", "send       ratio", "ratio: Hearth / baseline"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if !strings.Contains(errOut.String(), "rest-read: measuring Hearth and the baseline for 200ms each") {
		t.Errorf("progress without a terminal: want a line per phase, got:\n%s", errOut.String())
	}

	out.Reset()
	if err := app.Run(context.Background(), append(args, "--json", "--scenario", "rest-write"), os.Getenv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var rep bench.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("--json: %v\n%s", err, out.String())
	}
	if len(rep.Scenarios) != 1 || rep.Scenarios[0].Name != "rest-write" || rep.Scenarios[0].Ratio.Throughput <= 0 {
		t.Fatalf("--json report %+v", rep.Scenarios)
	}
}
