// Package restrict owns the app-wide rules on who may send: the global mute
// of an account (openconfigsvr setnospeaking/getnospeaking), for one-to-one
// and for group messages, and each account's blocklist (sns black_list_*).
// The message domain asks it on every send a user makes; both answers are
// cached per node and dropped by internal/invalidate on the changes here.
package restrict

import (
	"context"
	"math"
	"time"

	"github.com/hearth-chat/hearth/internal/cache"
	"github.com/hearth-chat/hearth/internal/event"
)

// Limits, as the hosted pages give them.
const (
	MaxMuteSeconds   = math.MaxUint32 // 4294967295: muted for ever
	MaxBlocklist     = 1000           // entries in one account's blocklist
	MaxBlockAccounts = 1000           // To_Account of one black_list_add/delete/check
	MaxBlockPage     = 1000           // MaxLimited of black_list_get
)

// Forever is the Until of a mute that never ends.
const Forever int64 = math.MaxInt64

// Mute is an account's global mute: until when (unix seconds; 0 or past:
// not muted; Forever) it may not send one-to-one and group messages.
type Mute struct {
	C2CUntil   int64
	GroupUntil int64
}

// Entry is one account in a blocklist and when it was added (unix seconds).
type Entry struct {
	User    string
	AddedAt int64
}

// AddResult is what adding one account to a blocklist did.
type AddResult int

const (
	Added   AddResult = iota // it is in the list now
	Already                  // it was in the list (kept, with its first time)
	Full                     // the list holds MaxBlocklist accounts: not added
)

// Store is the storage the rules need.
type Store interface {
	// SetGlobalMute sets the given untils of user (nil: left as it is).
	SetGlobalMute(ctx context.Context, user string, c2cUntil, groupUntil *int64) error
	// GlobalMute returns user's mute (zero when none was set).
	GlobalMute(ctx context.Context, user string) (Mute, error)
	// AddBlocks adds users to owner's blocklist at time at, in order, while
	// it holds fewer than max; it reports each user's result and the list's
	// sequence after the call (raised when something was added).
	AddBlocks(ctx context.Context, owner string, users []string, at int64, max int) (map[string]AddResult, int64, error)
	// DeleteBlocks removes users from owner's blocklist and returns those
	// that were in it; the sequence is raised when one was.
	DeleteBlocks(ctx context.Context, owner string, users []string) ([]string, error)
	// Blocks returns owner's blocklist from offset, at most limit entries,
	// oldest first (ties by UserID), with the list's size and sequence.
	Blocks(ctx context.Context, owner string, offset, limit int) (page []Entry, total int, seq int64, err error)
	// Blocking returns which of users are in owner's blocklist.
	Blocking(ctx context.Context, owner string, users []string) (map[string]bool, error)
	// BlockedBy returns which of owners have user in their blocklist.
	BlockedBy(ctx context.Context, user string, owners []string) (map[string]bool, error)
}

// Accounts is what the rules need to know about accounts.
type Accounts interface {
	ExistingAccounts(ctx context.Context, ids []string) (map[string]bool, error)
}

// Cache is a node's cache of the answers every send asks.
type Cache struct {
	Mutes  *cache.Map[Mute] // part: UserID, key ""
	Blocks *cache.Map[bool] // part: the blocklist's owner, key: the UserID asked about
}

// DefaultCacheSize bounds each of the caches.
const DefaultCacheSize = 1 << 20

// NewCache returns a node's empty caches.
func NewCache() Cache {
	return Cache{Mutes: cache.New[Mute](DefaultCacheSize), Blocks: cache.New[bool](DefaultCacheSize)}
}

// Service applies the mute and blocklist rules over a Store.
type Service struct {
	store    Store
	accounts Accounts
	bus      event.Publisher
	now      func() time.Time
	cache    Cache
}

// Option is a collaborator of the Service beyond the required ones.
type Option func(*Service)

// WithCache keeps mutes and blocklist answers in c (the store every time
// without it).
func WithCache(c Cache) Option { return func(s *Service) { s.cache = c } }

// NewService returns the Service; bus may be nil, now nil means time.Now.
func NewService(store Store, accounts Accounts, bus event.Publisher, now func() time.Time, opts ...Option) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{store: store, accounts: accounts, bus: bus, now: now}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Service) publish(ctx context.Context, c event.Change) {
	if s.bus != nil {
		s.bus.Publish(event.Of(ctx, c, s.now()))
	}
}
