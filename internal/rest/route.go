package rest

import (
	"context"
	"time"

	"github.com/hearth-chat/hearth/internal/apierr"
	"golang.org/x/time/rate"
)

// DefaultRate is the frequency limit of an API whose page gives none
// (calls per second, per app).
const DefaultRate = 200

// serviceDefaults are the codes a service answers for a body field of the
// wrong type, an internal failure and an exceeded frequency limit.
type serviceDefaults struct {
	badParam, internal, rateLimited int
}

var services = map[string]serviceDefaults{
	"im_open_login_svc":           {apierr.AccountBadParam, apierr.AccountInternal, apierr.APIRateLimited},
	"profile":                     {apierr.ProfileBadParam, apierr.ProfileInternal, apierr.APIRateLimited},
	"openim":                      {apierr.MsgBadJSON, apierr.MsgInternal, apierr.APIRateLimited},
	"recentcontact":               {apierr.RecentBadParam, apierr.RecentInternal, apierr.APIRateLimited},
	"openconfigsvr":               {apierr.MsgBadJSON, apierr.MsgInternal, apierr.APIRateLimited},
	"sns":                         {apierr.SNSBadParam, apierr.SNSInternal, apierr.APIRateLimited},
	"group_open_http_svc":         {apierr.GroupBadParam, apierr.GroupInternal, apierr.GroupRateLimited},
	"million_group_open_http_svc": {apierr.GroupBadParam, apierr.GroupInternal, apierr.GroupRateLimited},
	hsvc:                          {apierr.GroupBadParam, apierr.GroupInternal, apierr.APIRateLimited},
	extsvc:                        {apierr.MsgBadJSON, apierr.MsgInternal, apierr.APIRateLimited},
}

// handler runs one command on a raw body and returns the response object.
type handler func(ctx context.Context, c *Call, body []byte) (any, error)

// route is one (service, command) of the route table.
type route struct {
	key      string // service/command, set by routeTable
	command  string
	service  string
	rate     float64 // calls per second; 0 means DefaultRate
	handle   handler
	defaults serviceDefaults
	limiter  *rate.Limiter
	metrics  *routeMetrics
}

func (r *route) init(limit bool, m *Metrics) {
	r.defaults = services[r.service]
	if limit {
		n := r.limit()
		r.limiter = rate.NewLimiter(rate.Limit(n), int(n))
	}
	if m != nil {
		r.metrics = m.forRoute(r.key)
	}
}

// limit is the route's documented rate, per app.
func (r *route) limit() float64 {
	if r.rate == 0 {
		return DefaultRate
	}
	return r.rate
}

// share gives this node 1/nodes of the route's rate (cluster mode: every
// node enforces its share, so the app's total holds across the cluster
// while the load balancer spreads calls evenly).
func (r *route) share(nodes int) {
	if r.limiter == nil || nodes < 1 {
		return
	}
	n := r.limit() / float64(nodes)
	r.limiter.SetLimit(rate.Limit(n))
	r.limiter.SetBurst(max(1, int(n)))
}

func (r *route) observe(code int, d time.Duration) {
	if r.metrics != nil {
		r.metrics.observe(code, d)
	}
}

// endpoint adapts a typed function to a handler: decode the body into Req,
// call fn. Requests are checked by the domain fn calls (the same rules for
// every transport), not here.
func endpoint[Req any, Resp any](fn func(ctx context.Context, c *Call, req *Req) (Resp, error)) handler {
	return func(ctx context.Context, c *Call, body []byte) (any, error) {
		req := new(Req)
		if err := decode(body, req); err != nil {
			return nil, err
		}
		resp, err := fn(ctx, c, req)
		if err != nil {
			return nil, err
		}
		return resp, nil
	}
}

// empty is the response of a command that answers only the envelope.
type empty struct{}
