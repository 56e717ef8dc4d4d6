// Package permgroup owns a community's permission groups: their community
// permission bits, their members, the topic permissions they hold, the
// limits and IDs of the REST API, and the grants they give the permission
// engine (cached per member, invalidated on every change).
package permgroup

import (
	"context"
	"errors"
)

// PermGroup is one permission group of a community.
type PermGroup struct {
	ID           string
	GroupID      string
	Name         string
	Permission   uint64 // community permission bits
	CustomString string
	CreateTime   int64
	MemberCount  int
}

// Patch lists the fields to change; nil leaves a field as it is.
type Patch struct {
	Name         *string
	Permission   *uint64
	CustomString *string
}

// TopicPerm is the topic permission bits a permission group holds in one
// topic.
type TopicPerm struct {
	TopicID    string
	Permission uint64
}

// ItemStatus is what a batch write did with one item.
type ItemStatus int

// Item statuses.
const (
	ItemOK        ItemStatus = iota // done
	ItemExists                      // add: the permission group already holds permissions in that topic
	ItemMissing                     // set/delete: it holds none there
	ItemNoTopic                     // the topic does not exist
	ItemNotMember                   // add member: the user is not a member of the community
	ItemAlready                     // add member: already in the permission group
)

// Grant is the bits one permission group gives its members: in the
// community, and per topic.
type Grant struct {
	PermGroupID string
	Permission  uint64
	Topics      map[string]uint64 // topic ID -> topic bits
}

// Errors a Store returns.
var (
	ErrNotFound = errors.New("permission group not found")
	ErrExists   = errors.New("permission group ID is taken")
	ErrTooMany  = errors.New("too many permission groups")
	ErrNoGroup  = errors.New("community not found")
)

// Store is the storage the permission-group domain needs. Each method is one
// transaction: it commits all or nothing.
type Store interface {
	// CreatePermGroup stores pg unless its community has maxGroups already
	// (ErrTooMany), the ID is taken in that community (ErrExists) or the
	// community does not exist (ErrNoGroup).
	CreatePermGroup(ctx context.Context, pg PermGroup, maxGroups int) error
	// DeletePermGroups deletes permission groups with their members and
	// topic permissions and returns the IDs that existed, in input order.
	DeletePermGroups(ctx context.Context, groupID string, ids []string) ([]string, error)
	// ModifyPermGroup applies p and returns the permission group after it;
	// ErrNotFound when it does not exist.
	ModifyPermGroup(ctx context.Context, groupID, id string, p Patch) (PermGroup, error)
	// GetPermGroups returns the permission groups in ids (in that order,
	// missing ones absent) or, when ids is nil, up to limit of them in ID
	// byte order after the ID after ("" from the start).
	GetPermGroups(ctx context.Context, groupID string, ids []string, after string, limit int) ([]PermGroup, error)

	// AddPermGroupMembers adds community members to a permission group and
	// reports per user ItemOK, ItemAlready or ItemNotMember. ErrNotFound
	// when the permission group does not exist.
	AddPermGroupMembers(ctx context.Context, groupID, id string, userIDs []string) ([]ItemStatus, error)
	// DeletePermGroupMembers removes users from a permission group and
	// returns those that were in it. ErrNotFound when it does not exist.
	DeletePermGroupMembers(ctx context.Context, groupID, id string, userIDs []string) ([]string, error)
	// ListPermGroupMembers returns up to limit member UserIDs in byte order
	// after the UserID after. ErrNotFound when it does not exist.
	ListPermGroupMembers(ctx context.Context, groupID, id, after string, limit int) ([]string, error)

	// AddTopicPerms adds topic permissions: per item ItemOK, ItemExists or
	// ItemNoTopic. SetTopicPerms changes existing ones: ItemOK, ItemMissing
	// or ItemNoTopic. DeleteTopicPerms removes them: ItemOK or ItemMissing.
	// All return ErrNotFound when the permission group does not exist.
	AddTopicPerms(ctx context.Context, groupID, id string, perms []TopicPerm) ([]ItemStatus, error)
	SetTopicPerms(ctx context.Context, groupID, id string, perms []TopicPerm) ([]ItemStatus, error)
	DeleteTopicPerms(ctx context.Context, groupID, id string, topicIDs []string) ([]ItemStatus, error)
	// GetTopicPerms returns the topic permissions of a permission group in
	// topicIDs (missing ones absent) or all of them in topic ID order when
	// topicIDs is nil. ErrNotFound when it does not exist.
	GetTopicPerms(ctx context.Context, groupID, id string, topicIDs []string) ([]TopicPerm, error)

	// UserGrants returns the permission groups userID belongs to in
	// groupID with their community bits and all their topic permissions:
	// everything the permission engine needs about the user, in one read.
	UserGrants(ctx context.Context, groupID, userID string) ([]Grant, error)
}
