package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/hook"
)

// Webhooks sends one app's callbacks. It implements hook.Before; Record is
// the dispatcher's consumer that fills the after-callback outbox, and Run
// delivers the outbox.
type Webhooks struct {
	cfg     Config
	enabled map[string]bool
	after   bool // some after-callback is enabled
	store   Store
	metrics *Metrics
	wake    chan struct{}
}

// New returns the callbacks of cfg over the outbox store. With cfg.URL
// empty every callback is off (Enabled answers false) and nothing is
// queued.
func New(cfg Config, store Store, metrics *Metrics) (*Webhooks, error) {
	cfg.defaults()
	enabled, err := enabledSet(cfg.Enabled)
	if err != nil {
		return nil, err
	}
	if cfg.URL == "" {
		enabled = map[string]bool{}
	}
	if metrics == nil {
		metrics = NewMetrics(nil)
	}
	w := &Webhooks{cfg: cfg, enabled: enabled, store: store, metrics: metrics, wake: make(chan struct{}, 1)}
	for c := range enabled {
		w.after = w.after || isAfter(c)
	}
	return w, nil
}

// Enabled implements hook.Before (and tells whether an after-callback is
// queued).
func (w *Webhooks) Enabled(command string) bool { return w.enabled[command] }

// admin is the Operator_Account of what the app admin did itself.
func (w *Webhooks) admin(o hook.Origin) string {
	if o.Admin != "" {
		return o.Admin
	}
	return w.cfg.Admin
}

// reply is a callback's answer.
type reply struct {
	ActionStatus    string          `json:"ActionStatus"`
	ErrorCode       *int            `json:"ErrorCode"`
	ErrorInfo       string          `json:"ErrorInfo"`
	MsgBody         json.RawMessage `json:"MsgBody"`
	CloudCustomData *string         `json:"CloudCustomData"`
	Refused         []string        `json:"RefusedMembers_Account"`
}

// maxReply bounds how much of a callback's answer is read.
const maxReply = 1 << 20

// errFailed marks a callback that got no usable answer.
var errFailed = errors.New("callback failed")

// post sends one callback and returns the HTTP status and body.
func (w *Webhooks) post(ctx context.Context, command string, o hook.Origin, body []byte, eventID string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.requestURL(command, o, w.cfg.Now()), bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if eventID != "" {
		req.Header.Set(EventIDHeader, eventID)
	}
	resp, err := w.cfg.Client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, b, nil
}

// encode adds CallbackCommand and EventTime to body and encodes it.
func (w *Webhooks) encode(command string, body map[string]any) ([]byte, error) {
	if body == nil {
		body = map[string]any{}
	}
	body["CallbackCommand"] = command
	if _, ok := body["EventTime"]; !ok {
		body["EventTime"] = w.cfg.Now().UnixMilli()
	}
	return json.Marshal(body)
}

// Ask implements hook.Before: it renders q as its callback's body, asks
// the app and maps its answer. An
// answer of ErrorCode 0 allows (a send-message callback may replace MsgBody
// and CloudCustomData); 2 drops a message silently; a code in the app's own
// range (10100-10200 for group callbacks, 120001-130000 for C2C) is passed
// to the caller with ErrorInfo; any other code vetoes with 10016 (group) or
// 20006 (C2C). A callback that times out, cannot be reached or answers
// something else than HTTP 200 with JSON lets the operation proceed (spec
// decision 11) and is counted.
func (w *Webhooks) Ask(ctx context.Context, q hook.Question) (hook.Reply, error) {
	o := hook.OriginOf(ctx)
	command := q.Callback()
	body := w.beforeBody(q, w.admin(o))
	b, err := w.encode(command, body)
	if err != nil {
		return hook.Reply{}, fmt.Errorf("encode %s: %w", command, err)
	}
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	status, raw, err := w.post(cctx, command, o, b, "")
	w.metrics.beforeSeconds.WithLabelValues(command).Observe(time.Since(start).Seconds())
	var r reply
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("%w: HTTP %d", errFailed, status)
	}
	if err == nil {
		if err = json.Unmarshal(raw, &r); err == nil && r.ErrorCode == nil {
			err = fmt.Errorf("%w: the answer has no ErrorCode", errFailed)
		}
	}
	if err != nil {
		if ctx.Err() != nil { // the caller went away: not the callback's fault
			return hook.Reply{}, ctx.Err()
		}
		w.metrics.before.WithLabelValues(command, "failed_open").Inc()
		w.cfg.Logger.Warn("before-callback failed; the operation proceeds", "command", command, "err", err)
		return hook.Reply{}, nil
	}
	return w.verdict(command, r)
}

func (w *Webhooks) verdict(command string, r reply) (hook.Reply, error) {
	code := *r.ErrorCode
	send := command == hook.BeforeSendGroupMsg || command == hook.BeforeSendC2CMsg
	c2c := strings.HasPrefix(command, "C2C.")
	switch {
	case code == 0:
		w.metrics.before.WithLabelValues(command, "allowed").Inc()
		if !send {
			return hook.Reply{Refused: r.Refused}, nil
		}
		out := hook.Reply{CloudCustomData: r.CloudCustomData}
		if len(r.MsgBody) > 0 && !bytes.Equal(r.MsgBody, []byte("null")) {
			out.MsgBody = r.MsgBody
		}
		return out, nil
	case code == 2 && send:
		w.metrics.before.WithLabelValues(command, "dropped").Inc()
		return hook.Reply{Drop: true}, nil
	}
	w.metrics.before.WithLabelValues(command, "vetoed").Inc()
	info := r.ErrorInfo
	if !c2c && code >= apierr.AppGroupCodeMin && code <= apierr.AppGroupCodeMax || c2c && code >= apierr.AppC2CCodeMin && code <= apierr.AppC2CCodeMax {
		if info == "" {
			info = "rejected by the app backend"
		}
		return hook.Reply{}, apierr.New(code, "%s", info)
	}
	veto := apierr.GroupCallbackVeto
	if c2c {
		veto = apierr.MsgCallbackVeto
	}
	if info == "" {
		info = "the app backend rejected this operation through a third-party callback"
	} else {
		info = "the app backend rejected this operation through a third-party callback: " + info
	}
	return hook.Reply{}, apierr.New(veto, "%s (%s)", info, command)
}
