package webhook

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the callbacks' Prometheus metrics.
type Metrics struct {
	before        *prometheus.CounterVec   // command, result: allowed, vetoed, dropped, failed_open
	beforeSeconds *prometheus.HistogramVec // command
	deliveries    *prometheus.CounterVec   // command, result: delivered, retry, given_up
	enqueueErrors prometheus.Counter
	queued        prometheus.Counter
	depth         prometheus.Gauge
	inFlight      prometheus.Gauge
}

// NewMetrics registers the metrics with reg (nil: unregistered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		before: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hearth_webhook_before_total", Help: "Before-callbacks asked, by command and result (allowed, vetoed, dropped, failed_open).",
		}, []string{"command", "result"}),
		beforeSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hearth_webhook_before_seconds", Help: "Time a before-callback took, by command.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 5},
		}, []string{"command"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hearth_webhook_deliveries_total", Help: "After-callback delivery attempts, by command and result (delivered, retry, given_up).",
		}, []string{"command", "result"}),
		enqueueErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hearth_webhook_enqueue_errors_total", Help: "After-callbacks that could not be written to the outbox.",
		}),
		queued: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hearth_webhook_queued_total", Help: "After-callbacks written to the outbox.",
		}),
		depth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hearth_webhook_queue_depth", Help: "After-callbacks waiting in the outbox (as of the last poll).",
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hearth_webhook_in_flight", Help: "After-callback deliveries in progress on this node.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.before, m.beforeSeconds, m.deliveries, m.enqueueErrors, m.queued, m.depth, m.inFlight)
	}
	return m
}
