// Package webhook implements the app's third-party callbacks: the
// before-callbacks that may veto an operation (asked synchronously, failing
// open), and the after-callbacks, queued in the store's durable outbox in
// the request that caused them and delivered in the background with retries
// until the receiver answers HTTP 200. The wire format is the hosted
// service's: a POST of a JSON body to the
// configured URL with SdkAppid, CallbackCommand, contenttype, ClientIP and
// OptPlatform in the query, and Sign and RequestTime when a token is set.
package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-chat/hearth/internal/hook"
)

// Defaults of Config.
const (
	DefaultTimeout         = 2 * time.Second // before-callbacks (the hosted service's, for messages)
	DefaultDeliveryTimeout = 5 * time.Second // one after-callback attempt
	DefaultRetryFor        = 24 * time.Hour  // after-callbacks are dropped when still undelivered after it
	DefaultMinBackoff      = time.Second
	DefaultMaxBackoff      = 5 * time.Minute
	DefaultConcurrency     = 16 // after-callback deliveries in flight per node
	DefaultPoll            = time.Second
	DefaultLease           = time.Minute // a claimed callback is retried by any node after it
	claimBatch             = 64
)

// EventIDHeader carries an after-callback's stable event ID: the same on
// every attempt, so that a receiver can drop repeats.
const EventIDHeader = "X-Hearth-Event-Id"

// Config configures the callbacks of one app.
type Config struct {
	SDKAppID uint64
	URL      string // "": callbacks off
	Token    string // "": unsigned
	Enabled  []string
	// Admin is the Operator_Account of operations the app admin made
	// without naming a member.
	Admin string

	Timeout         time.Duration // before-callbacks
	DeliveryTimeout time.Duration
	RetryFor        time.Duration
	MinBackoff      time.Duration
	MaxBackoff      time.Duration
	Concurrency     int
	Poll            time.Duration
	Lease           time.Duration

	Client *http.Client // nil: a keep-alive client of its own
	Now    func() time.Time
	Logger *slog.Logger
}

// All is every callback Hearth sends.
var All = []string{
	hook.BeforeCreateGroup, hook.BeforeInviteJoinGroup, hook.BeforeSendGroupMsg, hook.BeforeCreateTopic,
	hook.BeforeModifyTopic, hook.BeforeSendC2CMsg,
	hook.AfterCreateGroup, hook.AfterNewMemberJoin, hook.AfterMemberExit, hook.AfterGroupInfoChanged,
	hook.AfterGroupDestroyed, hook.AfterChangeGroupOwner, hook.AfterSendGroupMsg, hook.AfterRecallGroupMsg,
	hook.AfterCreateTopic, hook.AfterTopicDestroyed, hook.AfterTopicInfoChanged, hook.AfterPermissionGroupChanged,
	hook.AfterSendC2CMsg, hook.AfterC2CMsgWithDraw, hook.StateChange,
	hook.AfterModifyGroupMsg, hook.AfterModifyC2CMsg,
	hook.AfterGroupMsgExtension, hook.AfterC2CMsgExtension,
	hook.AfterBlackListAdd, hook.AfterBlackListDelete,
}

// shared are the callbacks that the hosted console switches on together
// with another (the topic callbacks share the group ones' switches; spec
// decision 1 puts BeforeModifyTopic with the group-info-change callback).
var shared = map[string][]string{
	hook.BeforeCreateGroup:     {hook.BeforeCreateTopic},
	hook.AfterCreateGroup:      {hook.AfterCreateTopic},
	hook.AfterGroupDestroyed:   {hook.AfterTopicDestroyed},
	hook.AfterGroupInfoChanged: {hook.AfterTopicInfoChanged, hook.BeforeModifyTopic},
}

// enabledSet resolves Config.Enabled: nil is all; otherwise the names and
// the callbacks that share their switches. An unknown name is an error that
// lists the known ones.
func enabledSet(names []string) (map[string]bool, error) {
	set := map[string]bool{}
	if names == nil {
		for _, c := range All {
			set[c] = true
		}
		return set, nil
	}
	for _, n := range names {
		if !slices.Contains(All, n) {
			return nil, fmt.Errorf("unknown callback %q; known: %s", n, strings.Join(All, ", "))
		}
		set[n] = true
		for _, c := range shared[n] {
			set[c] = true
		}
	}
	return set, nil
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Timeout, DefaultTimeout)
	def(&c.DeliveryTimeout, DefaultDeliveryTimeout)
	def(&c.RetryFor, DefaultRetryFor)
	def(&c.MinBackoff, DefaultMinBackoff)
	def(&c.MaxBackoff, DefaultMaxBackoff)
	def(&c.Poll, DefaultPoll)
	def(&c.Lease, DefaultLease)
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Client == nil {
		c.Client = &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: c.Concurrency + 8, IdleConnTimeout: 90 * time.Second,
			ForceAttemptHTTP2: true,
		}}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Sign is the signature of a signed callback: lowercase hex SHA-256 of the
// token immediately followed by the decimal request time.
func Sign(token string, requestTime int64) string {
	sum := sha256.Sum256([]byte(token + strconv.FormatInt(requestTime, 10)))
	return hex.EncodeToString(sum[:])
}

// requestURL is the callback URL with the query the hosted service appends.
func (c *Config) requestURL(command string, o hook.Origin, now time.Time) string {
	q := url.Values{}
	q.Set("SdkAppid", strconv.FormatUint(c.SDKAppID, 10))
	q.Set("CallbackCommand", command)
	q.Set("contenttype", "json")
	q.Set("ClientIP", o.ClientIP)
	platform := o.Platform
	if platform == "" {
		platform = hook.PlatformUnknown
	}
	q.Set("OptPlatform", platform)
	if c.Token != "" {
		t := now.Unix()
		q.Set("RequestTime", strconv.FormatInt(t, 10))
		q.Set("Sign", Sign(c.Token, t))
	}
	sep := "?"
	if strings.Contains(c.URL, "?") {
		sep = "&"
	}
	return c.URL + sep + q.Encode()
}
