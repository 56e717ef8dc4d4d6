package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// restLoad is what a REST scenario posts: one API, a body per request.
type restLoad struct {
	api  string                            // service/command
	body func(dst []byte, n uint64) []byte // appends the n-th request's body to dst
}

// restLoads builds the REST scenarios' loads for a topic gid/tid whose
// owner is owner.
var restLoads = map[string]func(gid, tid, owner string, msgSize int) restLoad{
	"rest-write": func(gid, tid, _ string, _ int) restLoad {
		head := fmt.Sprintf(`{"GroupId":%q,"TopicId":%q,"TopicName":"name `, gid, tid)
		return restLoad{api: "million_group_open_http_svc/modify_topic", body: func(dst []byte, n uint64) []byte {
			dst = append(dst, head...)
			dst = strconv.AppendUint(dst, n, 10)
			return append(dst, `","Notification":"n"}`...)
		}}
	},
	"rest-read": func(gid, tid, _ string, _ int) restLoad {
		body := fmt.Sprintf(`{"GroupId":%q,"TopicIdList":[%q]}`, gid, tid)
		return restLoad{api: "million_group_open_http_svc/get_topic", body: func(dst []byte, _ uint64) []byte {
			return append(dst, body...)
		}}
	},
	"send": func(gid, tid, owner string, msgSize int) restLoad {
		head := fmt.Sprintf(`{"GroupId":%q,"TopicId":%q,"From_Account":%q,"Random":`, gid, tid, owner)
		return restLoad{api: "group_open_http_svc/send_group_msg", body: func(dst []byte, n uint64) []byte {
			dst = append(dst, head...)
			dst = strconv.AppendUint(dst, n%(1<<32), 10)
			dst = append(dst, `,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"`...)
			dst = appendText(dst, n, msgSize)
			return append(dst, `"}}]}`...)
		}}
	},
}

// appendText appends a message text of size bytes that starts with n.
func appendText(dst []byte, n uint64, size int) []byte {
	start := len(dst)
	dst = strconv.AppendUint(dst, n, 10)
	dst = append(dst, ' ')
	for len(dst)-start < size {
		dst = append(dst, 'x')
	}
	return dst
}

// restClient is the HTTP client of a REST run: one keep-alive connection
// per worker.
func restClient(conc int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: conc, MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc,
			DisableCompression: true, IdleConnTimeout: time.Minute,
		},
	}
}

// restWork posts load to urlPrefix (an API URL ending in "random=") from
// conc workers in a closed loop: each sends its next request when the
// previous one is answered.
func restWork(hc *http.Client, urlPrefix string, conc int, load restLoad) work {
	var n atomic.Uint64
	return func(ctx context.Context, until time.Time, rec *recorder) {
		var wg sync.WaitGroup
		for range conc {
			wg.Go(func() {
				var body, url []byte
				var answer bytes.Buffer
				for time.Now().Before(until) && ctx.Err() == nil {
					i := n.Add(1)
					body = load.body(body[:0], i)
					url = strconv.AppendUint(append(url[:0], urlPrefix...), i%(1<<32), 10)
					req, err := http.NewRequestWithContext(ctx, http.MethodPost, string(url), bytes.NewReader(body))
					if err != nil {
						rec.fail("request")
						return
					}
					req.Header.Set("Content-Type", "application/json")
					t := time.Now()
					res, err := hc.Do(req)
					if err != nil {
						if ctx.Err() == nil {
							rec.fail("net")
							time.Sleep(10 * time.Millisecond)
						}
						continue
					}
					answer.Reset()
					_, err = answer.ReadFrom(res.Body)
					res.Body.Close()
					d := time.Since(t)
					switch code := envelopeCode(answer.Bytes()); {
					case err != nil:
						rec.fail("net")
					case res.StatusCode != http.StatusOK:
						rec.fail("http " + strconv.Itoa(res.StatusCode))
					case code == 0:
						rec.ok(d)
					case code < 0:
						rec.fail("bad answer")
					default:
						rec.fail(strconv.Itoa(code))
					}
				}
			})
		}
		wg.Wait()
	}
}

var (
	okPrefix     = []byte(`{"ActionStatus":"OK","ErrorCode":0,`)
	errCodeField = []byte(`"ErrorCode":`)
)

// envelopeCode is the ErrorCode of a v4 answer, -1 when it has none.
func envelopeCode(b []byte) int {
	if bytes.HasPrefix(b, okPrefix) {
		return 0
	}
	i := bytes.Index(b, errCodeField)
	if i < 0 {
		return -1
	}
	rest := b[i+len(errCodeField):]
	end := bytes.IndexAny(rest, ",}")
	if end < 0 {
		return -1
	}
	code, err := strconv.Atoi(strings.TrimSpace(string(rest[:end])))
	if err != nil {
		return -1
	}
	return code
}

// restScenario runs a REST scenario: the same load against Hearth and the
// baseline, taking turns.
func (r *runner) restScenario(ctx context.Context, name string) (ScenarioResult, error) {
	res := ScenarioResult{Name: name}
	const owner = "bench-owner"
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
	r.prog.note("%s: creating a community with a topic", name)
	gid, tid, err := api.community(ctx, owner, nil)
	if err != nil {
		return res, fmt.Errorf("fixtures: %w", err)
	}
	bapi, err := newAPIClient(base.URL, r.creds)
	if err != nil {
		return res, err
	}
	load := restLoads[name](gid, tid, owner, r.opts.MsgSize)
	hc, bc := restClient(r.opts.Concurrency), restClient(r.opts.Concurrency)
	defer hc.CloseIdleConnections()
	defer bc.CloseIdleConnections()
	res.Hearth, res.Baseline = r.measurePair(ctx, name, "req",
		&side{who: "hearth", srv: hearth, w: restWork(hc, api.urlPrefix(load.api), r.opts.Concurrency, load)},
		&side{who: "baseline", srv: base, w: restWork(bc, bapi.urlPrefix(load.api), r.opts.Concurrency, load)})
	res.Ratio = ratios(res.Hearth, res.Baseline)
	return res, ctx.Err()
}

// startBoth starts Hearth and the baseline.
func (r *runner) startBoth(ctx context.Context) (hearth, base *server, err error) {
	if hearth, err = r.startHearth(ctx); err != nil {
		return nil, nil, fmt.Errorf("start hearth: %w", err)
	}
	if base, err = r.startBaseline(ctx); err != nil {
		hearth.stop()
		return nil, nil, fmt.Errorf("start baseline: %w", err)
	}
	return hearth, base, nil
}
