// Package hook is what the domain services see of the app's third-party
// callbacks: the names of the before-callbacks they ask, the origin of a
// request (client IP and platform, for the callback's query string), and
// the Before interface the webhook package implements. It depends on
// nothing else in Hearth, so that every domain can import it.
package hook

import (
	"context"
	"encoding/json"
)

// Before-callbacks: the app backend may veto the operation.
const (
	BeforeCreateGroup     = "Group.CallbackBeforeCreateGroup"
	BeforeInviteJoinGroup = "Group.CallbackBeforeInviteJoinGroup"
	BeforeSendGroupMsg    = "Group.CallbackBeforeSendMsg"
	BeforeCreateTopic     = "Group.CallbackBeforeCreateTopic"
	BeforeModifyTopic     = "Group.CallbackBeforeModifyTopic" // Hearth's own (spec decision 1)
	BeforeSendC2CMsg      = "C2C.CallbackBeforeSendMsg"
)

// After-callbacks: the app backend is told; its answer is ignored.
const (
	AfterCreateGroup            = "Group.CallbackAfterCreateGroup"
	AfterNewMemberJoin          = "Group.CallbackAfterNewMemberJoin"
	AfterMemberExit             = "Group.CallbackAfterMemberExit"
	AfterGroupInfoChanged       = "Group.CallbackAfterGroupInfoChanged"
	AfterGroupDestroyed         = "Group.CallbackAfterGroupDestroyed"
	AfterChangeGroupOwner       = "Group.CallbackAfterChangeGroupOwner"
	AfterSendGroupMsg           = "Group.CallbackAfterSendMsg"
	AfterRecallGroupMsg         = "Group.CallbackAfterRecallMsg"
	AfterCreateTopic            = "Group.CallbackAfterCreateTopic"
	AfterTopicDestroyed         = "Group.CallbackAfterTopicDestroyed"
	AfterTopicInfoChanged       = "Group.CallbackAfterTopicInfoChanged"
	AfterPermissionGroupChanged = "Group.CallbackAfterPermissionGroupChanged" // Hearth's own
	AfterSendC2CMsg             = "C2C.CallbackAfterSendMsg"
	AfterC2CMsgWithDraw         = "C2C.CallbackAfterMsgWithDraw"
	AfterModifyGroupMsg         = "Group.CallbackAfterModifyMsg"
	AfterModifyC2CMsg           = "C2C.CallbackAfterModifyMsg"
	StateChange                 = "State.StateChange" // a user's first connection opened or last one closed
	AfterGroupMsgExtension      = "Group.CallbackAfterGroupMsgExtension"
	AfterC2CMsgExtension        = "C2C.CallbackAfterC2CMsgExtension"
	AfterBlackListAdd           = "Sns.CallbackBlackListAdd"
	AfterBlackListDelete        = "Sns.CallbackBlackListDelete"
)

// Platforms (OptPlatform) a request can come from.
const (
	PlatformREST    = "RESTAPI"
	PlatformUnknown = "Unknown"
)

// Origin is where a request came from: it fills the ClientIP and
// OptPlatform query parameters of the callbacks it causes.
type Origin struct {
	ClientIP string
	Platform string
	Admin    string // the app admin who made a REST request ("" otherwise)
}

type originKey struct{}

// WithOrigin returns ctx carrying o.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// OriginOf returns the Origin in ctx; a request without one is the server's
// own (platform Unknown).
func OriginOf(ctx context.Context) Origin {
	if o, ok := ctx.Value(originKey{}).(Origin); ok {
		return o
	}
	return Origin{Platform: PlatformUnknown}
}

// Reply is an allowed before-callback's answer. For the send-message
// callbacks the app may drop the message silently (ErrorCode 2) or replace
// its MsgBody and CloudCustomData.
type Reply struct {
	Drop            bool
	MsgBody         json.RawMessage // nil: unchanged
	CloudCustomData *string         // nil: unchanged
	// Refused lists the accounts an invite callback refused
	// (RefusedMembers_Account); the others join.
	Refused []string
}

// Question is what a domain asks the app backend before an operation: a
// typed value declared by the domain (topic.ModifyQuestion, …) that the
// webhook package renders as the callback's body.
type Question interface {
	// Callback is the before-callback that asks it (BeforeModifyTopic, …).
	Callback() string
}

// Before asks the app backend about an operation before it happens.
type Before interface {
	// Enabled reports whether command's callback is on, so that a caller
	// builds no question for a disabled one.
	Enabled(command string) bool
	// Ask sends q and returns the app's answer: a *apierr.Error with the
	// veto's code when it refused, else the Reply. A callback that failed
	// or timed out allows the operation.
	Ask(ctx context.Context, q Question) (Reply, error)
}

// On reports whether b asks command: b is set and the callback enabled.
func On(b Before, command string) bool { return b != nil && b.Enabled(command) }
