package rest

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the gateway's Prometheus metrics: requests by API and answered
// ErrorCode, and latency by API.
type Metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// NewMetrics registers the gateway metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hearth_rest_requests_total",
			Help: "REST requests by API (service/command) and the ErrorCode answered (0 = OK).",
		}, []string{"api", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hearth_rest_request_duration_seconds",
			Help:    "REST request latency by API, from the first byte read to the response written.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"api"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

type routeMetrics struct {
	api     string
	ok      prometheus.Counter
	latency prometheus.Observer
	all     *prometheus.CounterVec
}

func (m *Metrics) forRoute(api string) *routeMetrics {
	return &routeMetrics{api: api, ok: m.requests.WithLabelValues(api, "0"), latency: m.latency.WithLabelValues(api), all: m.requests}
}

func (r *routeMetrics) observe(code int, d time.Duration) {
	if code == 0 {
		r.ok.Inc()
	} else {
		r.all.WithLabelValues(r.api, strconv.Itoa(code)).Inc()
	}
	r.latency.Observe(d.Seconds())
}

// observeUnrouted counts a request that matched no route (bad URL or
// unknown command) under the api label "unknown".
func (m *Metrics) observeUnrouted(code int) {
	m.requests.WithLabelValues("unknown", strconv.Itoa(code)).Inc()
}
