package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hearth-chat/hearth/client"
)

// deliveryTimeout is how long a sender waits for its message to reach
// every member before it counts a timeout and sends the next.
const deliveryTimeout = 10 * time.Second

// fanoutScenario connects --members members of a topic to Hearth and as
// many to the bare broadcaster, and has --senders of them post into it on
// each, each sender waiting for its message to reach every member before
// it sends the next; Hearth and the baseline take turns.
func (r *runner) fanoutScenario(ctx context.Context) (ScenarioResult, error) {
	res := ScenarioResult{Name: "fanout"}
	members := userIDs("bench-m", r.members())
	senders := userIDs("bench-s", r.opts.Senders)
	r.prog.note("fanout: signing %d UserSigs", len(members)+len(senders))
	msigs, err := r.signAll(members)
	if err != nil {
		return res, err
	}
	ssigs, err := r.signAll(senders)
	if err != nil {
		return res, err
	}
	hearth, base, err := r.startBoth(ctx)
	if err != nil {
		return res, err
	}
	defer base.stop()
	defer hearth.stop()
	api, err := newAPIClient(hearth.URL, r.creds)
	if err != nil {
		return res, err
	}
	r.prog.note("fanout: creating a community of %d members with a topic", len(members)+len(senders))
	gid, tid, err := api.community(ctx, senders[0], append(append([]string{}, senders[1:]...), members...))
	if err != nil {
		return res, fmt.Errorf("fixtures: %w", err)
	}
	setup := fanoutSetup{gid: gid, tid: tid, members: members, msigs: msigs, senders: senders, ssigs: ssigs}
	h, err := r.fanoutConnect(ctx, hearth, "hearth", setup)
	defer h.close()
	if err != nil {
		return res, err
	}
	b, err := r.fanoutConnect(ctx, base, "baseline", setup)
	defer b.close()
	if err != nil {
		return res, err
	}
	res.Hearth, res.Baseline = r.measurePair(ctx, "fanout", "deliveries",
		&side{who: "hearth", srv: hearth, w: h.work(setup, r.opts.MsgSize)},
		&side{who: "baseline", srv: base, w: b.work(setup, r.opts.MsgSize)})
	for _, p := range []struct {
		m *Measurement
		f *fanout
	}{{&res.Hearth, h}, {&res.Baseline, b}} {
		p.m.Connections = int(p.f.want)
		for code, n := range p.f.connectErrs {
			p.m.Errors["connect "+code] += n
		}
	}
	res.Ratio = ratios(res.Hearth, res.Baseline)
	return res, ctx.Err()
}

// members is --members, lowered to what the open-file limit lets this
// process hold: every member is connected to both servers at once.
func (r *runner) members() int {
	n := r.opts.Members
	if r.fdLimit == 0 {
		return n
	}
	room := (int(r.fdLimit) - 512) / 2
	if r.opts.Mode == ModeInProcess && r.opts.Target == "" {
		room /= 2 // both ends of every connection are in this process
	}
	if n > room {
		r.notef("fanout: %d members lowered to %d, what the open-file limit (%d) allows", n, max(room, r.opts.Senders), r.fdLimit)
		n = max(room, r.opts.Senders)
	}
	return n
}

// fanoutSetup is who takes part in a fan-out run, and where.
type fanoutSetup struct {
	gid, tid       string
	members, msigs []string
	senders, ssigs []string
}

// fanout is one server's side of the scenario: the members' and senders'
// connections, and per sender the deliveries of its messages.
type fanout struct {
	rec         atomic.Pointer[recorder] // where deliveries are recorded now
	delivered   []atomic.Int64
	notify      []chan struct{} // a delivery to sender i's message happened
	random      atomic.Uint32
	conns       []*websocket.Conn // members
	senders     []*client.Conn
	want        int64 // deliveries per message: the members connected
	connectErrs map[string]int64
}

// read records each stamped message a member receives.
func (f *fanout) read(_ int, ws *websocket.Conn) {
	var buf bytes.Buffer
	for {
		_, rd, err := ws.NextReader()
		if err != nil {
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(rd); err != nil {
			return
		}
		s, sent, ok := parseStamp(buf.Bytes())
		if !ok || s >= len(f.delivered) {
			continue
		}
		f.rec.Load().ok(time.Since(sent))
		f.delivered[s].Add(1)
		select {
		case f.notify[s] <- struct{}{}:
		default:
		}
	}
}

// fanoutConnect connects the members and the senders to srv. The fanout it
// returns must be closed, also with an error.
func (r *runner) fanoutConnect(ctx context.Context, srv *server, who string, s fanoutSetup) (*fanout, error) {
	f := &fanout{delivered: make([]atomic.Int64, len(s.senders)), notify: make([]chan struct{}, len(s.senders))}
	for i := range f.notify {
		f.notify[i] = make(chan struct{}, 1)
	}
	f.rec.Store(newRecorder())
	url := wsURL(srv.URL)
	setup := newRecorder()
	b := r.prog.countBar("fanout "+who+": connecting", "conn", int64(len(s.members)), setup.ops.Load)
	f.conns = dialAll(ctx, url, r.creds.SDKAppID, s.members, s.msigs, r.opts.Concurrency, setup, f.read)
	b.done()
	f.connectErrs = setup.errors()
	if f.want = int64(openCount(f.conns)); f.want == 0 {
		return f, fmt.Errorf("fanout %s: no member could connect (%v)", who, f.connectErrs)
	}
	for i, id := range s.senders {
		c, err := client.Dial(ctx, url, r.creds.SDKAppID, id, s.ssigs[i])
		if err != nil {
			return f, fmt.Errorf("fanout %s: sender %s: %w", who, id, err)
		}
		f.senders = append(f.senders, c)
		go func() {
			for range c.Frames() { // the sender's own copies
			}
		}()
	}
	return f, nil
}

// close closes every connection.
func (f *fanout) close() {
	closeAll(f.conns)
	for _, c := range f.senders {
		c.Close()
	}
}

// work is the senders' load, recording deliveries into rec.
func (f *fanout) work(s fanoutSetup, size int) work {
	return func(ctx context.Context, until time.Time, rec *recorder) {
		f.rec.Store(rec)
		var wg sync.WaitGroup
		for i, c := range f.senders {
			wg.Go(func() { f.send(ctx, i, c, s, until, rec, f.want, size) })
		}
		wg.Wait()
	}
}

// send is sender i's loop: post a stamped message, wait until every one of
// the want members got it, repeat until the time is up.
func (f *fanout) send(ctx context.Context, i int, c *client.Conn, s fanoutSetup, until time.Time, rec *recorder, want int64, size int) {
	var body []byte
	timer := time.NewTimer(deliveryTimeout)
	defer timer.Stop()
	for time.Now().Before(until) && ctx.Err() == nil {
		base := f.delivered[i].Load()
		body = append(body[:0], `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"`...)
		body = appendStamp(body, i, time.Now(), size)
		body = append(body, `"}}]`...)
		sctx, cancel := context.WithTimeout(ctx, deliveryTimeout)
		_, err := c.Send(sctx, s.gid, s.tid, f.random.Add(1), json.RawMessage(body))
		cancel()
		if err != nil {
			var ce *client.Error
			if errors.As(err, &ce) {
				rec.fail(strconv.Itoa(ce.Code))
			} else if ctx.Err() == nil {
				rec.fail("ws")
			}
			if c.Err() != nil {
				return
			}
			continue
		}
		timer.Reset(deliveryTimeout)
	wait:
		for f.delivered[i].Load() < base+want {
			select {
			case <-f.notify[i]:
			case <-timer.C:
				rec.fail("timeout")
				break wait
			case <-ctx.Done():
				return
			}
		}
		timer.Stop()
	}
}

// signAll signs a UserSig for each of ids.
func (r *runner) signAll(ids []string) ([]string, error) {
	sigs := make([]string, len(ids))
	for i, id := range ids {
		var err error
		if sigs[i], err = r.creds.sign(id); err != nil {
			return nil, err
		}
	}
	return sigs, nil
}
