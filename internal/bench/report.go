package bench

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Report is everything one `hearth bench` run measured; --json prints it.
type Report struct {
	Machine   Machine          `json:"machine"`
	Settings  Settings         `json:"settings"`
	Scenarios []ScenarioResult `json:"scenarios"`
	Notes     []string         `json:"notes,omitempty"`
}

// Machine describes where the bench ran.
type Machine struct {
	CPUs      int    `json:"cpus"`
	CPUModel  string `json:"cpu_model,omitempty"`
	MemoryGiB int64  `json:"memory_gib,omitempty"`
	OS        string `json:"os"`
	Kernel    string `json:"kernel,omitempty"`
	GoVersion string `json:"go_version"`
}

// Settings are the options a report was measured with.
type Settings struct {
	Server      string  `json:"server"` // child, inprocess or the --target URL
	Store       string  `json:"store"`
	RateLimit   bool    `json:"rate_limit"`
	Duration    float64 `json:"duration_s"`
	Warmup      float64 `json:"warmup_s"`
	Concurrency int     `json:"concurrency"`
	Members     int     `json:"members"`
	Senders     int     `json:"senders"`
	Connections int     `json:"connections"`
	MsgSize     int     `json:"msg_size"`
}

// ScenarioResult is one scenario: Hearth, the baseline, and their ratios.
type ScenarioResult struct {
	Name     string        `json:"name"`
	Hearth   Measurement   `json:"hearth"`
	Baseline Measurement   `json:"baseline"`
	Ratio    Ratio         `json:"ratio"`
	Memory   *MemoryResult `json:"memory,omitempty"` // connect only
	Error    string        `json:"error,omitempty"`
}

// Measurement is one measured load against one server.
type Measurement struct {
	Server      string           `json:"server"` // hearth or baseline
	Unit        string           `json:"unit"`   // of Throughput: req/s, deliveries/s, conn/s
	Ops         int64            `json:"ops"`    // successful operations
	Seconds     float64          `json:"seconds"`
	Throughput  float64          `json:"throughput"`
	Latency     Summary          `json:"latency"`
	Errors      map[string]int64 `json:"errors"` // by ErrorCode, or net, timeout, …
	Connections int              `json:"connections,omitempty"`

	// The server's resource use over the run; StatsScope says whose
	// (empty: not measured, as for an external --target).
	StatsScope       string  `json:"stats_scope,omitempty"`
	ServerCPUSeconds float64 `json:"server_cpu_s,omitempty"`
	ServerCPUPercent float64 `json:"server_cpu_percent,omitempty"` // of one core
	PeakRSS          int64   `json:"peak_rss_bytes,omitempty"`
}

// ErrorCount is the total of r's errors.
func (r Measurement) ErrorCount() int64 {
	var n int64
	for _, c := range r.Errors {
		n += c
	}
	return n
}

// Ratio compares Hearth with the baseline: throughput as Hearth/baseline
// (below 1: Hearth does less), latencies and memory as Hearth/baseline
// (above 1: Hearth takes longer or more). 0 means not measured.
type Ratio struct {
	Throughput    float64 `json:"throughput"`
	P50           float64 `json:"p50"`
	P99           float64 `json:"p99"`
	MemoryPerConn float64 `json:"memory_per_conn,omitempty"`
}

// MemoryResult is what idle connections cost each server (connect).
type MemoryResult struct {
	Connections int        `json:"connections"`
	Hearth      ConnMemory `json:"hearth"`
	Baseline    ConnMemory `json:"baseline"`
}

// ConnMemory is one server's memory around the connection ramp.
type ConnMemory struct {
	Open        int    `json:"open"` // connections open when measured
	Scope       string `json:"scope,omitempty"`
	RSSBefore   int64  `json:"rss_before_bytes"`
	RSSAfter    int64  `json:"rss_after_bytes"`
	PeakRSS     int64  `json:"peak_rss_bytes"`
	PerConn     int64  `json:"per_conn_bytes"`      // (RSS after - RSS before) / open
	PeakPerConn int64  `json:"peak_per_conn_bytes"` // peak RSS / open
	HeapPerConn int64  `json:"heap_per_conn_bytes"` // Go heap in use, after - before, / open
}

// ratios compares h with b.
func ratios(h, b Measurement) Ratio {
	div := func(x, y float64) float64 {
		if x == 0 || y == 0 {
			return 0
		}
		return x / y
	}
	return Ratio{
		Throughput: div(h.Throughput, b.Throughput),
		P50:        div(float64(h.Latency.P50), float64(b.Latency.P50)),
		P99:        div(float64(h.Latency.P99), float64(b.Latency.P99)),
	}
}

// machine describes this machine.
func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, GoVersion: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if strings.HasPrefix(line, "MemTotal:") {
				m.MemoryGiB = (kib([]byte(line)) + 1<<29) >> 30
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

// WriteTable writes the report as the summary table.
func (rep *Report) WriteTable(w io.Writer) {
	m, s := rep.Machine, rep.Settings
	fmt.Fprintf(w, "hearth bench: %d CPUs", m.CPUs)
	if m.CPUModel != "" {
		fmt.Fprintf(w, " (%s)", m.CPUModel)
	}
	if m.MemoryGiB > 0 {
		fmt.Fprintf(w, ", %d GiB", m.MemoryGiB)
	}
	fmt.Fprintf(w, ", %s, %s\n", m.OS, m.GoVersion)
	rate := "off"
	if s.RateLimit {
		rate = "on"
	}
	store := s.Store
	switch {
	case strings.HasPrefix(s.Server, "http"):
		store = "the target's"
	case store == "":
		store = "sqlite"
	}
	fmt.Fprintf(w, "server: %s, store %s, rate limits %s; %gs per run after %gs warm-up; concurrency %d, fan-out %d members x %d senders, %d idle connections, %d-byte messages\n\n",
		s.Server, store, rate, s.Duration, s.Warmup, s.Concurrency, s.Members, s.Senders, s.Connections, s.MsgSize)

	rows := [][]string{{"scenario", "server", "throughput", "p50", "p95", "p99", "max", "errors", "server CPU", "peak RSS"}}
	for _, sc := range rep.Scenarios {
		for _, run := range []Measurement{sc.Hearth, sc.Baseline} {
			if run.Server == "" {
				continue
			}
			l := run.Latency
			rows = append(rows, []string{sc.Name, run.Server, thousands(int64(run.Throughput+0.5)) + " " + run.Unit,
				ms(l.P50), ms(l.P95), ms(l.P99), ms(l.Max), thousands(run.ErrorCount()), cpu(run), bytesIEC(run.PeakRSS)})
		}
		if sc.Ratio.Throughput > 0 {
			rows = append(rows, []string{sc.Name, "ratio", ratio(sc.Ratio.Throughput), ratio(sc.Ratio.P50), "", ratio(sc.Ratio.P99), "", "", "", ""})
		}
	}
	writeColumns(w, rows, 2)
	fmt.Fprintln(w, "ratio: Hearth / baseline (throughput below 1 and latency above 1: Hearth is slower)")
	for _, sc := range rep.Scenarios {
		if sc.Error != "" {
			fmt.Fprintf(w, "FAILED: %s: %s\n", sc.Name, sc.Error)
		}
	}

	for _, sc := range rep.Scenarios {
		if mr := sc.Memory; mr != nil && mr.Hearth.Open > 0 {
			scope := mr.Hearth.Scope
			if scope == "" {
				scope = "Hearth's not measured"
			}
			fmt.Fprintf(w, "\nmemory per idle WebSocket connection (%s connections, %s):\n", thousands(int64(mr.Hearth.Open)), scope)
			mrows := [][]string{{"server", "RSS before", "RSS after", "peak RSS", "(after-before)/conn", "peak RSS/conn", "Go heap/conn"}}
			for _, c := range []struct {
				name string
				m    ConnMemory
			}{{"hearth", mr.Hearth}, {"baseline", mr.Baseline}} {
				mrows = append(mrows, []string{c.name, bytesIEC(c.m.RSSBefore), bytesIEC(c.m.RSSAfter), bytesIEC(c.m.PeakRSS),
					bytesIEC(c.m.PerConn), bytesIEC(c.m.PeakPerConn), bytesIEC(c.m.HeapPerConn)})
			}
			if sc.Ratio.MemoryPerConn > 0 {
				mrows = append(mrows, []string{"ratio", "", "", "", ratio(sc.Ratio.MemoryPerConn), "", ""})
			}
			writeColumns(w, mrows, 1)
		}
	}
	var errLines []string
	for _, sc := range rep.Scenarios {
		for _, run := range []Measurement{sc.Hearth, sc.Baseline} {
			if run.ErrorCount() == 0 {
				continue
			}
			codes := make([]string, 0, len(run.Errors))
			for code := range run.Errors {
				codes = append(codes, code)
			}
			slices.Sort(codes)
			parts := make([]string, len(codes))
			for i, code := range codes {
				parts[i] = fmt.Sprintf("%s x%d", code, run.Errors[code])
			}
			errLines = append(errLines, fmt.Sprintf("  %s %s: %s", sc.Name, run.Server, strings.Join(parts, ", ")))
		}
	}
	if len(errLines) > 0 {
		fmt.Fprintf(w, "\nerrors by code:\n%s\n", strings.Join(errLines, "\n"))
	}
	if len(rep.Notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range rep.Notes {
			fmt.Fprintf(w, "note: %s\n", n)
		}
	}
}

// writeColumns writes rows as aligned columns: the first left columns to
// the left, the others to the right.
func writeColumns(w io.Writer, rows [][]string, left int) {
	widths := map[int]int{}
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len(cell))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, cell := range row {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-len(cell))
			if i < left {
				b.WriteString(cell + pad)
			} else {
				b.WriteString(pad + cell)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// thousands formats n with comma separators.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// ms formats a latency in milliseconds; "-" when there is none.
func ms(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v < 10:
		return strconv.FormatFloat(v, 'f', 2, 64) + "ms"
	case v < 100:
		return strconv.FormatFloat(v, 'f', 1, 64) + "ms"
	default:
		return strconv.FormatFloat(v, 'f', 0, 64) + "ms"
	}
}

func ratio(x float64) string {
	if x <= 0 {
		return "-"
	}
	return strconv.FormatFloat(x, 'f', 2, 64) + "x"
}

// cpu is the server's CPU use as a percentage of one core.
func cpu(r Measurement) string {
	if r.StatsScope == "" {
		return "n/a"
	}
	return strconv.FormatFloat(r.ServerCPUPercent, 'f', 0, 64) + "%"
}

// bytesIEC formats a byte count in KiB, MiB or GiB; "n/a" for 0.
func bytesIEC(n int64) string {
	if n == 0 {
		return "n/a"
	}
	neg := ""
	if n < 0 {
		neg, n = "-", -n
	}
	switch {
	case n < 1<<20:
		return neg + strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	case n < 1<<30:
		return neg + strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	default:
		return neg + strconv.FormatFloat(float64(n)/(1<<30), 'f', 2, 64) + " GiB"
	}
}
