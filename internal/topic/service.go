package topic

import (
	"context"
	"errors"
	"time"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/cache"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/hook"
	"github.com/hearth-chat/hearth/internal/permission"
	"github.com/hearth-chat/hearth/internal/text"
)

// Service applies the topic rules over a Store, with the group domain for
// communities, members and permissions.
type Service struct {
	Reader
	groups *group.Service
	bus    event.Publisher
	now    func() time.Time
}

// Reader reads topics, through a cache when it has one. It is what the
// permission engine needs of topics (their default permissions), so it
// exists before the group Service that asks it.
type Reader struct {
	store Store
	cache *cache.Map[Topic]
}

// NewReader returns a Reader over store through c (nil: the store every
// time).
func NewReader(store Store, c *cache.Map[Topic]) Reader { return Reader{store: store, cache: c} }

// maxCachedTopics bounds the topic cache.
const maxCachedTopics = 1 << 18

// NewCache returns a node's topic cache (part: group ID, key: topic ID):
// the send path asks for the topic (its mute flag and default permission)
// on every message. internal/invalidate drops entries when a change commits.
func NewCache() *cache.Map[Topic] { return cache.New[Topic](maxCachedTopics) }

// Option is a collaborator of the Service beyond the required ones.
type Option func(*Service)

// WithCache reads topics through c (the store every time without it).
func WithCache(c *cache.Map[Topic]) Option { return func(s *Service) { s.cache = c } }

// NewService returns a Service. bus may be nil; now nil means time.Now.
func NewService(store Store, groups *group.Service, bus event.Publisher, now func() time.Time, opts ...Option) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{Reader: Reader{store: store}, groups: groups, bus: bus, now: now}
	for _, o := range opts {
		o(s)
	}
	return s
}

func badParam(format string, args ...any) error {
	return apierr.New(apierr.GroupBadParam, format, args...)
}

// Community returns the group of groupID when it is a Community with
// topics enabled: 10015 malformed ID, 10010 missing, 11000 otherwise.
func (s *Service) Community(ctx context.Context, groupID string) (group.Group, error) {
	g, err := s.groups.Get(ctx, groupID)
	if err != nil {
		return g, err
	}
	if g.Type != group.Community || !g.SupportTopic {
		return g, apierr.New(apierr.GroupNoTopicSupport, "group %s does not support topics: only a Community created with SupportTopic 1 does", g.ID)
	}
	return g, nil
}

// Get returns one topic of a community: 10004 for an ID not of that
// community's form, 10010 when it does not exist.
func (s Reader) Get(ctx context.Context, g group.Group, topicID string) (Topic, error) {
	if topicID == "" {
		return Topic{}, badParam("TopicId is required")
	}
	if err := checkIDs(g.ID, []string{topicID}); err != nil {
		return Topic{}, err
	}
	if t, ok := s.cache.Get(g.ID, topicID); ok {
		return t, nil
	}
	epoch := s.cache.Begin()
	list, err := s.store.GetTopics(ctx, g.ID, []string{topicID})
	if err != nil {
		return Topic{}, err
	}
	if len(list) == 0 {
		return Topic{}, apierr.New(apierr.GroupNotFound, "topic %s does not exist or was destroyed", topicID)
	}
	s.cache.Put(epoch, g.ID, topicID, list[0])
	return list[0], nil
}

// checkText validates the optional profile fields of a topic.
func checkText(name, face, notification, intro, custom *string) error {
	for _, c := range []struct {
		field string
		v     *string
		max   int
	}{
		{"TopicName", name, MaxNameBytes},
		{"FaceUrl", face, MaxFaceURLBytes},
		{"Notification", notification, MaxNotificationBytes},
		{"Introduction", intro, MaxIntroductionBytes},
		{"CustomString", custom, MaxCustomStringBytes},
	} {
		if c.v == nil {
			continue
		}
		if len(*c.v) > c.max {
			return badParam("%s is longer than %d bytes", c.field, c.max)
		}
		if p := text.Problem(*c.v); p != "" {
			return badParam("%s %s", c.field, p)
		}
	}
	if name != nil && *name == "" {
		return badParam("TopicName cannot be empty")
	}
	return nil
}

func checkTopicBits(p *uint64) error {
	if p != nil && *p&^permission.AllTopicBits != 0 {
		return badParam("DefaultPermission has bits outside the topic permission bits (%d)", permission.AllTopicBits)
	}
	return nil
}

// CreateRequest is create_topic / import_topic after decoding.
type CreateRequest struct {
	GroupID           string
	TopicID           string
	Name              string
	From              string
	FaceURL           *string
	Notification      *string
	Introduction      *string
	CustomString      *string
	DefaultPermission *uint64
	CreateTime        int64  // import_topic only
	Type              string // import_topic only: "" or "Community"
}

// Create makes a topic (create_topic) and returns its ID.
func (s *Service) Create(ctx context.Context, req CreateRequest) (string, error) {
	return s.create(ctx, req, false)
}

// Import makes a topic with a given creation time, without events
// (import_topic).
func (s *Service) Import(ctx context.Context, req CreateRequest) (string, error) {
	return s.create(ctx, req, true)
}

func (s *Service) create(ctx context.Context, req CreateRequest, imported bool) (string, error) {
	if req.Type != "" && req.Type != "Community" {
		return "", badParam("Type must be Community")
	}
	g, err := s.Community(ctx, req.GroupID)
	if err != nil {
		return "", err
	}
	if req.Name == "" {
		return "", badParam("TopicName is required")
	}
	if err := checkText(&req.Name, req.FaceURL, req.Notification, req.Introduction, req.CustomString); err != nil {
		return "", err
	}
	if err := checkTopicBits(req.DefaultPermission); err != nil {
		return "", err
	}
	if req.TopicID != "" {
		if _, ok := ownPart(g.ID, req.TopicID); !ok {
			return "", badParam("a custom TopicId must be %s%s followed by 1–%d bytes of printable ASCII", g.ID, Separator, MaxCustomIDBytes)
		}
	}
	actor, err := s.groups.Operator(ctx, g.ID, req.From)
	if err != nil {
		return "", err
	}
	if err := s.groups.Authorize(ctx, g, actor, permission.CreateTopic, "", ""); err != nil {
		return "", err
	}
	if !imported {
		// The documented body has no GroupId; Hearth adds it (and TopicId
		// when the caller chose one), which receivers may ignore.
		if b := s.groups.Before(); hook.On(b, hook.BeforeCreateTopic) {
			if _, err := b.Ask(ctx, CreateQuestion{GroupID: g.ID, TopicID: req.TopicID, Operator: req.From, Name: req.Name}); err != nil {
				return "", err
			}
		}
	}
	now := s.now().Unix()
	t := Topic{ID: req.TopicID, GroupID: g.ID, Name: req.Name, Creator: req.From, CreateTime: now, NextMsgSeq: 1}
	if imported && req.CreateTime > 0 {
		t.CreateTime = req.CreateTime
	}
	set(&t.FaceURL, req.FaceURL)
	set(&t.Notification, req.Notification)
	set(&t.Introduction, req.Introduction)
	set(&t.CustomString, req.CustomString)
	set(&t.DefaultPermission, req.DefaultPermission)
	for attempt := 0; ; attempt++ {
		if req.TopicID == "" {
			t.ID = NewID(g.ID)
		}
		err = s.store.CreateTopic(ctx, t, MaxTopicsPerCommunity)
		if !errors.Is(err, ErrExists) || req.TopicID != "" || attempt == 3 {
			break
		}
	}
	switch {
	case errors.Is(err, ErrExists):
		return "", apierr.New(apierr.GroupIDTaken, "topic ID %s is already used", t.ID)
	case errors.Is(err, ErrTooMany):
		return "", badParam("community %s already has %d topics, the most a community may have", g.ID, MaxTopicsPerCommunity)
	case errors.Is(err, ErrNoGroup):
		return "", apierr.New(apierr.GroupNotFound, "group %s does not exist or was dissolved", g.ID)
	case err != nil:
		return "", err
	}
	if !imported {
		s.publish(ctx, Created{Topic: t, Operator: req.From})
	} else {
		s.publish(ctx, group.Imported{GroupID: t.GroupID, TopicID: t.ID})
	}
	return t.ID, nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
