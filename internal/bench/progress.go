package bench

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progressEvery is how often the progress bar is redrawn.
const progressEvery = 250 * time.Millisecond

// progress reports what the bench is doing on stderr: on a terminal, a bar
// redrawn about four times a second; otherwise a line when a phase starts
// and one when it ends.
type progress struct {
	w   io.Writer
	tty bool
	mu  sync.Mutex
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, tty: isTerminal(w)}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// note prints one line.
func (p *progress) note(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, "hearth bench: "+format+"\n", args...)
}

// bar is one phase's progress: either against time (a duration) or against
// a count (of connections).
type bar struct {
	p       *progress
	label   string
	about   string // the line that starts the phase, without a terminal
	unit    string
	start   time.Time
	length  time.Duration // time-based: the phase's length
	total   int64         // count-based: the count to reach
	count   func() int64
	stop    chan struct{}
	stopped sync.WaitGroup
}

// timeBar starts a bar for a phase of length d; count reads the operations
// done so far.
func (p *progress) timeBar(label, about, unit string, d time.Duration, count func() int64) *bar {
	return p.start(&bar{label: label, about: about, unit: unit, length: d, count: count})
}

// countBar starts a bar for a phase that ends at total.
func (p *progress) countBar(label, unit string, total int64, count func() int64) *bar {
	return p.start(&bar{label: label, about: fmt.Sprintf("%s: %d %s to go", label, total, unit), unit: unit, total: total, count: count})
}

func (p *progress) start(b *bar) *bar {
	b.p, b.start, b.stop = p, time.Now(), make(chan struct{})
	if !p.tty {
		p.note("%s", b.about)
		return b
	}
	b.stopped.Add(1)
	go func() {
		defer b.stopped.Done()
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			b.draw()
			select {
			case <-t.C:
			case <-b.stop:
				return
			}
		}
	}()
	return b
}

// draw redraws the bar in place.
func (b *bar) draw() {
	const width = 30
	elapsed := time.Since(b.start)
	n := b.count()
	frac := 0.0
	var where string
	if b.length > 0 {
		frac = elapsed.Seconds() / b.length.Seconds()
		where = fmt.Sprintf("%5.1fs/%s", elapsed.Seconds(), b.length)
	} else if b.total > 0 {
		frac = float64(n) / float64(b.total)
		where = fmt.Sprintf("%s/%s", thousands(n), thousands(b.total))
	}
	frac = min(max(frac, 0), 1)
	filled := int(frac * width)
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(n) / s
	}
	b.p.mu.Lock()
	defer b.p.mu.Unlock()
	fmt.Fprintf(b.p.w, "\r\033[K%-24s [%s%s] %s  %s %s  %s %s/s", b.label,
		strings.Repeat("#", filled), strings.Repeat("-", width-filled), where,
		thousands(n), b.unit, thousands(int64(rate)), b.unit)
}

// end stops the bar.
func (b *bar) end() {
	close(b.stop)
	b.stopped.Wait()
}

// done ends the bar with a closing line.
func (b *bar) done() {
	b.end()
	elapsed := time.Since(b.start)
	n := b.count()
	b.p.note("%s: %s %s in %.1fs (%s %s/s)", b.label, thousands(n), b.unit, elapsed.Seconds(),
		thousands(int64(float64(n)/max(elapsed.Seconds(), 1e-9))), b.unit)
}
