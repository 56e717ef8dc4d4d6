// Package topic owns the topics of Community groups: their profiles, IDs,
// limits, per-topic mutes, the rule of who may post in a topic, and the
// Store interface every storage implementation provides for them.
package topic

import (
	"context"
	"errors"
)

// Topic is one topic of a community.
type Topic struct {
	ID                string
	GroupID           string
	Name              string
	FaceURL           string
	Notification      string
	Introduction      string
	CustomString      string
	MuteAllMember     bool
	DefaultPermission uint64 // topic permission bits everyone in the community holds here
	Creator           string // From_Account of create_topic; "" for the app admin
	CreateTime        int64  // unix seconds
	LastMsgTime       int64
	NextMsgSeq        uint64
}

// Patch lists the fields of a topic to change; nil leaves a field as it is.
type Patch struct {
	Name, FaceURL, Notification, Introduction, CustomString *string
	MuteAllMember                                           *bool
	DefaultPermission                                       *uint64
}

// Mute is one member muted in one topic.
type Mute struct {
	UserID string
	Until  int64 // unix seconds
}

// Errors a Store returns.
var (
	ErrNotFound = errors.New("topic not found")          // no such topic in that group
	ErrExists   = errors.New("topic ID is taken")        // CreateTopic with a used ID
	ErrTooMany  = errors.New("too many topics")          // CreateTopic over the limit
	ErrNoGroup  = errors.New("group of topic not found") // the community does not exist
)

// Store is the storage the topic domain needs. Each method is one
// transaction.
type Store interface {
	// CreateTopic stores t unless its group already has maxTopics topics
	// (ErrTooMany), its ID is taken (ErrExists) or the group does not
	// exist (ErrNoGroup).
	CreateTopic(ctx context.Context, t Topic, maxTopics int) error
	// GetTopics returns the topics of groupID whose IDs are in ids, or all
	// of them in creation order when ids is nil. Missing IDs are absent.
	GetTopics(ctx context.Context, groupID string, ids []string) ([]Topic, error)
	// ModifyTopic applies p and returns the topic after the change;
	// ErrNotFound when it does not exist.
	ModifyTopic(ctx context.Context, groupID, topicID string, p Patch) (Topic, error)
	// DeleteTopics deletes the named topics (with their mutes) and returns
	// the IDs that existed.
	DeleteTopics(ctx context.Context, groupID string, ids []string) ([]string, error)
	// SetTopicMute sets (until > 0) or clears (until = 0) the topic mute of
	// the named users who are members of groupID, and returns them.
	// ErrNotFound when the topic does not exist.
	SetTopicMute(ctx context.Context, groupID, topicID string, userIDs []string, until int64) ([]string, error)
	// TopicMutes returns the members muted in a topic after now, in UserID
	// order.
	TopicMutes(ctx context.Context, groupID, topicID string, now int64) ([]Mute, error)
	// TopicMute returns when userID's mute in the topic ends (0 if none).
	TopicMute(ctx context.Context, groupID, topicID, userID string) (int64, error)
}
