// Package group owns the group system: the group types and their rules,
// members and roles, muting, custom fields, and the Store interface every
// storage implementation provides for them.
package group

import (
	"context"
	"errors"
)

// Type is a group type as the REST API names it.
type Type string

// The group types. Work and Meeting are accepted as the new names of Private
// and ChatRoom and stored as those.
const (
	Private    Type = "Private"
	Public     Type = "Public"
	ChatRoom   Type = "ChatRoom"
	AVChatRoom Type = "AVChatRoom"
	Community  Type = "Community"
)

// Role is a member's role in a group.
type Role string

// The roles, as the REST API spells them.
const (
	RoleOwner  Role = "Owner"
	RoleAdmin  Role = "Admin"
	RoleMember Role = "Member"
)

// KV is one custom field (AppDefinedData / AppMemberDefinedData).
type KV struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// Group is a group's stored profile.
type Group struct {
	ID                   string
	Type                 Type
	Name                 string
	Introduction         string
	Notification         string
	FaceURL              string
	Owner                string // "" when the group has no owner (created by the app admin alone)
	CreateTime           int64  // unix seconds
	InfoSeq              uint64 // bumped on every profile change
	LastInfoTime         int64
	LastMsgTime          int64
	NextMsgSeq           uint64
	MemberNum            int
	MaxMemberNum         int
	ApplyJoinOption      string
	InviteJoinOption     string
	MuteAllMember        bool
	SupportTopic         bool
	EnablePermission     bool
	DefaultPermission    uint64
	HistoryMsgBeforeJoin bool
	AppDefinedData       []KV // sorted by key
}

// Member is one member of a group.
type Member struct {
	GroupID         string
	UserID          string
	Role            Role
	JoinTime        int64
	MsgSeq          uint64 // last read sequence
	MsgFlag         string
	LastSendMsgTime int64
	MuteUntil       int64 // unix seconds; 0 not muted
	NameCard        string
	AppDefinedData  []KV // sorted by key
}

// GroupPatch lists the profile fields to change; nil leaves a field as it is.
// In AppDefinedData an empty Value deletes the key.
type GroupPatch struct {
	Name, Introduction, Notification, FaceURL *string
	MaxMemberNum                              *int
	ApplyJoinOption, InviteJoinOption         *string
	MuteAllMember, HistoryMsgBeforeJoin       *bool
	EnablePermission                          *bool
	DefaultPermission                         *uint64
	AppDefinedData                            []KV
	InfoTime                                  int64 // the change's time, for LastInfoTime
}

// MemberPatch lists the member fields to change; nil leaves a field as it is.
// In AppDefinedData an empty Value deletes the key.
type MemberPatch struct {
	Role           *Role
	MsgFlag        *string
	NameCard       *string
	MuteUntil      *int64
	AppDefinedData []KV
}

// MemberQuery selects members for ListMembers.
type MemberQuery struct {
	Role   Role   // "" for every role
	After  string // return members whose UserID sorts after this ("" from the start)
	Offset int    // skip this many (used only when After is "")
	Limit  int    // at most this many; 0 for all
}

// JoinedQuery selects a user's groups for JoinedGroups.
type JoinedQuery struct {
	Type   Type // "" for every type
	Offset int
	Limit  int // 0 for all
}

// Joined is one group a user belongs to, with the user's membership.
type Joined struct {
	Group  Group
	Member Member
}

// Errors a Store returns.
var (
	ErrNotFound = errors.New("group not found")   // the group does not exist
	ErrExists   = errors.New("group ID is taken") // CreateGroup with a used ID
	ErrNoMember = errors.New("not a member")      // the user is not a member
	ErrFull     = errors.New("group is full")     // AddMembers over MaxMemberNum
)

// AddResult is what AddMembers did.
type AddResult struct {
	Added   []string // UserIDs that became members
	Already []string // UserIDs that were members already
}

// Store is the storage the group domain needs. Each method is one
// transaction: it commits everything it was asked to or nothing.
type Store interface {
	BanStore // bans (ban.go)

	// CreateGroup stores g and its initial members (the owner among them
	// when g.Owner is set). ErrExists when g.ID is taken. MemberNum is
	// computed by the store.
	CreateGroup(ctx context.Context, g Group, members []Member) error
	// GetGroup returns a group; ErrNotFound when it does not exist.
	GetGroup(ctx context.Context, id string) (Group, error)
	// GetGroups returns the groups of ids that exist.
	GetGroups(ctx context.Context, ids []string) (map[string]Group, error)
	// ModifyGroup applies p, bumps InfoSeq and returns the group after the
	// change; ErrNotFound when it does not exist.
	ModifyGroup(ctx context.Context, id string, p GroupPatch) (Group, error)
	// DeleteGroup deletes a group with its members; ErrNotFound when it
	// does not exist.
	DeleteGroup(ctx context.Context, id string) error
	// ListGroups returns up to limit group IDs of the given type ("" for
	// all) in creation order after the cursor (0 from the start), the cursor
	// of the next page (0 when done) and the total count of that type.
	ListGroups(ctx context.Context, typ Type, cursor uint64, limit int) (ids []string, next uint64, total int, err error)

	// AddMembers adds members that are not in the group yet. When the
	// group would then have more than maxMembers members (maxMembers > 0),
	// nothing is added and ErrFull is returned. ErrNotFound when the group
	// does not exist.
	AddMembers(ctx context.Context, groupID string, members []Member, maxMembers int) (AddResult, error)
	// DeleteMembers removes the named members and returns those that were
	// members.
	DeleteMembers(ctx context.Context, groupID string, userIDs []string) ([]string, error)
	// GetMember returns one membership; ErrNoMember when the user is not a
	// member (or the group does not exist).
	GetMember(ctx context.Context, groupID, userID string) (Member, error)
	// GetMembers returns the memberships of the named users that exist.
	GetMembers(ctx context.Context, groupID string, userIDs []string) (map[string]Member, error)
	// ModifyMember applies p to one member and returns it after the change;
	// ErrNoMember when the user is not a member.
	ModifyMember(ctx context.Context, groupID, userID string, p MemberPatch) (Member, error)
	// SetMuteUntil sets MuteUntil of the named members that exist and
	// returns them.
	SetMuteUntil(ctx context.Context, groupID string, userIDs []string, until int64) ([]string, error)
	// ListMembers returns members in UserID order per q.
	ListMembers(ctx context.Context, groupID string, q MemberQuery) ([]Member, error)
	// MutedMembers returns members whose MuteUntil is after now.
	MutedMembers(ctx context.Context, groupID string, now int64) ([]Member, error)
	// ChangeOwner makes newOwner (a member) the owner and the old owner, if
	// any, a plain member. ErrNoMember when newOwner is not a member.
	ChangeOwner(ctx context.Context, groupID, newOwner string) error
	// JoinedGroups returns the groups userID belongs to, newest join first,
	// and their total count for q.Type.
	JoinedGroups(ctx context.Context, userID string, q JoinedQuery) ([]Joined, int, error)
}
