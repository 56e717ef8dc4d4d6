package message

import (
	"context"
	"errors"
	"time"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/permission"
	"github.com/hearth-chat/hearth/internal/text"
)

// Message extensions: per-message key/value pairs (reactions, polls) on a
// message sent with SupportMessageExtension 1. Every write of a message's
// extension takes the message's extension sequence one on and stamps the
// keys it wrote with it; a writer names the Seq of each key it last saw (0
// for a key it has not seen), and a key whose stored Seq differs is not
// written (ExtSeqConflict) while the others of the call are.
const (
	MaxExtKeyBytes   = 100  // a Key, UTF-8 bytes
	MaxExtValueBytes = 1024 // a Value, UTF-8 bytes
	MaxExtPerCall    = 20   // ExtensionList of one set or delete
	MaxExtPerMessage = 300  // keys a message holds at once
	MaxExtPage       = 200  // keys one get_key_values answers
)

// Operations on a message's extension (OperateType).
const (
	ExtSet    = 1 // set the listed keys
	ExtDelete = 2 // delete the listed keys
	ExtClear  = 3 // delete every key
)

// Errors an ExtensionStore returns.
var (
	ErrNoMessage   = errors.New("message not found")                   // no such message, or it was recalled
	ErrNoExtension = errors.New("message does not support extensions") // sent without SupportMessageExtension
	ErrTooManyKeys = errors.New("too many extension keys on a message")
)

// ExtRef names the message an extension belongs to: a group or topic
// message (GroupID, TopicID, Seq) or a one-to-one message (From, To, Key).
type ExtRef struct {
	GroupID string
	TopicID string
	Seq     uint64
	From    string
	To      string
	Key     string
}

// C2C reports whether r names a one-to-one message.
func (r ExtRef) C2C() bool { return r.GroupID == "" }

// KV is one key of an extension: its value and the extension sequence of
// its last write. A deleted key has Deleted set and Value "".
type KV struct {
	Key     string
	Value   string
	Seq     uint64
	Deleted bool `json:",omitempty"`
}

// ExtOp is one write: Op with its keys (Seq: the Seq the writer last saw
// of that key).
type ExtOp struct {
	Op   int
	Keys []KV
}

// ExtResult is what a write did: per key of the op, in order, the key as
// stored now and whether it conflicted; Seq is the extension's sequence
// after the write (unchanged when nothing was written), Changed whether it
// wrote anything.
type ExtResult struct {
	Keys     []KV
	Conflict []bool
	Seq      uint64
	Changed  bool
}

// ExtPage is a page of a message's extension: the keys with Seq >= the
// asked start in Seq order (then by key), the extension's latest sequence,
// its clear sequence (the last ExtClear) and whether no key follows.
type ExtPage struct {
	Keys      []KV
	LatestSeq uint64
	ClearSeq  uint64
	Complete  bool
}

// ExtensionStore is the storage of message extensions. Each method is one
// transaction.
type ExtensionStore interface {
	// EnableExtension marks the message of ref as supporting extensions
	// (again is harmless). ErrNoMessage when there is no such message.
	EnableExtension(ctx context.Context, ref ExtRef) error
	// SetExtension applies op to the extension of the message of ref, the
	// compare of every key's Seq and the write in one transaction; when
	// the message would hold more than maxKeys live keys nothing is
	// written and ErrTooManyKeys is returned. ErrNoMessage, ErrNoExtension.
	SetExtension(ctx context.Context, ref ExtRef, op ExtOp, maxKeys int) (ExtResult, error)
	// Extensions returns up to limit keys with Seq >= startSeq in Seq
	// order (deleted ones only when startSeq > 0), never splitting the keys
	// of one Seq across pages. ErrNoMessage, ErrNoExtension.
	Extensions(ctx context.Context, ref ExtRef, startSeq uint64, limit int) (ExtPage, error)
}

// ExtensionChanged: the extension of a message changed. Operator is the
// user who changed it ("" the app admin); Keys are the keys written (for
// ExtClear none), Seq the extension's sequence after the write.
type ExtensionChanged struct {
	Ref       ExtRef
	GroupType group.Type `json:",omitempty"`
	Operator  string     `json:",omitempty"`
	Op        int
	Keys      []KV
	Seq       uint64
}

func (ExtensionChanged) Kind() string { return "message.extension" }
func (c ExtensionChanged) Scope() event.Scope {
	if c.Ref.C2C() {
		return event.Scope{Users: []string{c.Ref.From, c.Ref.To}}
	}
	return event.Scope{GroupID: c.Ref.GroupID, TopicID: c.Ref.TopicID}
}
func (ExtensionChanged) Routed() {}

func init() { event.Register[ExtensionChanged]() }

// Extensions applies the message extension rules over an ExtensionStore.
type Extensions struct {
	store ExtensionStore
	msgs  *Service
	bus   event.Publisher
	now   func() time.Time
}

// NewExtensions returns the extension service; msgs resolves groups and
// topics and asks the permission engine; bus may be nil, now nil means
// time.Now.
func NewExtensions(store ExtensionStore, msgs *Service, bus event.Publisher, now func() time.Time) *Extensions {
	if now == nil {
		now = time.Now
	}
	return &Extensions{store: store, msgs: msgs, bus: bus, now: now}
}

// ExtWrite is a write of an extension: by User ("" the app admin, who
// may write any message's) on the message of Ref.
type ExtWrite struct {
	Ref  ExtRef
	User string
	ExtOp
}

// codes are the codes of the service a message belongs to.
type extCodes struct{ bad, notFound int }

func codesOf(ref ExtRef) extCodes {
	if ref.C2C() {
		return extCodes{apierr.MsgBadJSON, apierr.MsgBadJSON}
	}
	return extCodes{apierr.GroupBadParam, apierr.GroupMsgNotFound}
}

// checkRef checks ref and the user's right to the message's stream: a
// group member the permission engine lets ReactToMessage (in the topic),
// or one of the two users of a one-to-one message. It returns the group's
// type for a group message.
func (x *Extensions) checkRef(ctx context.Context, ref *ExtRef, user string) (group.Type, error) {
	c := codesOf(*ref)
	if ref.C2C() {
		if ref.From == "" || ref.To == "" || ref.Key == "" {
			return "", apierr.New(c.bad, "From_Account, To_Account and MsgKey are required")
		}
		if p := text.Problem(ref.From + ref.To); p != "" || !validMsgKey(ref.Key) {
			return "", apierr.New(c.bad, "From_Account, To_Account or MsgKey is not valid")
		}
		if user != "" && user != ref.From && user != ref.To {
			return "", apierr.New(apierr.MsgAdminOnly, "%s is not in the conversation of %s and %s", user, ref.From, ref.To)
		}
		return "", nil
	}
	if ref.Seq == 0 {
		return "", apierr.New(c.bad, "MsgSeq is required")
	}
	g, t, err := x.msgs.stream(ctx, ref.GroupID, ref.TopicID)
	if err != nil {
		return "", err
	}
	ref.GroupID = g.ID
	if g.Type == group.AVChatRoom {
		return "", apierr.New(apierr.GroupNoPermission, "AVChatRoom groups keep no messages to extend")
	}
	if user != "" {
		topicID := ""
		if t != nil {
			topicID = t.ID
		}
		if err := x.msgs.groups.Authorize(ctx, g, group.Actor{UserID: user}, permission.ReactToMessage, "", topicID); err != nil {
			return "", err
		}
	}
	return g.Type, nil
}

// storeErr turns the store's errors into the service's codes.
func storeErr(ref ExtRef, err error) error {
	c := codesOf(ref)
	switch {
	case errors.Is(err, ErrNoMessage):
		return apierr.New(c.notFound, "the message does not exist or was recalled")
	case errors.Is(err, ErrNoExtension):
		return apierr.New(c.bad, "the message was not sent with SupportMessageExtension 1")
	case errors.Is(err, ErrTooManyKeys):
		return apierr.New(c.bad, "a message holds at most %d extension keys", MaxExtPerMessage)
	}
	return err
}

// Set writes a message's extension (group_set_key_values, set_key_values,
// the WebSocket's ext_set and ext_remove). Keys whose Seq did not match
// come back with Conflict set and the stored key; the others are written.
func (x *Extensions) Set(ctx context.Context, w ExtWrite) (ExtResult, error) {
	c := codesOf(w.Ref)
	gt, err := x.checkRef(ctx, &w.Ref, w.User)
	if err != nil {
		return ExtResult{}, err
	}
	switch w.Op {
	case ExtSet, ExtDelete:
		if len(w.Keys) == 0 {
			return ExtResult{}, apierr.New(c.bad, "ExtensionList is required for OperateType %d", w.Op)
		}
		if len(w.Keys) > MaxExtPerCall {
			return ExtResult{}, apierr.New(c.bad, "at most %d keys in ExtensionList", MaxExtPerCall)
		}
		seen := make(map[string]bool, len(w.Keys))
		for i, kv := range w.Keys {
			switch {
			case kv.Key == "":
				return ExtResult{}, apierr.New(c.bad, "ExtensionList[%d].Key is required", i)
			case len(kv.Key) > MaxExtKeyBytes:
				return ExtResult{}, apierr.New(c.bad, "ExtensionList[%d].Key is longer than %d bytes", i, MaxExtKeyBytes)
			case text.Problem(kv.Key) != "":
				return ExtResult{}, apierr.New(c.bad, "ExtensionList[%d].Key %s", i, text.Problem(kv.Key))
			case seen[kv.Key]:
				return ExtResult{}, apierr.New(c.bad, "ExtensionList[%d].Key %q is listed twice", i, kv.Key)
			case w.Op == ExtSet && len(kv.Value) > MaxExtValueBytes:
				return ExtResult{}, apierr.New(c.bad, "ExtensionList[%d].Value is longer than %d bytes", i, MaxExtValueBytes)
			case w.Op == ExtSet && text.Problem(kv.Value) != "":
				return ExtResult{}, apierr.New(c.bad, "ExtensionList[%d].Value %s", i, text.Problem(kv.Value))
			}
			seen[kv.Key] = true
			if w.Op == ExtDelete {
				w.Keys[i].Value = ""
			}
		}
	case ExtClear:
		w.Keys = nil
	default:
		return ExtResult{}, apierr.New(c.bad, "OperateType must be 1 (set), 2 (delete) or 3 (clear)")
	}
	res, err := x.store.SetExtension(ctx, w.Ref, w.ExtOp, MaxExtPerMessage)
	if err != nil {
		return ExtResult{}, storeErr(w.Ref, err)
	}
	if res.Changed && x.bus != nil {
		var written []KV
		for i, kv := range res.Keys {
			if !res.Conflict[i] {
				written = append(written, kv)
			}
		}
		x.bus.Publish(event.Of(ctx, ExtensionChanged{Ref: w.Ref, GroupType: gt, Operator: w.User, Op: w.Op, Keys: written, Seq: res.Seq}, x.now()))
	}
	return res, nil
}

// Get returns a page of a message's extension from startSeq on
// (group_get_key_values, get_key_values), for user ("" the app admin).
func (x *Extensions) Get(ctx context.Context, ref ExtRef, user string, startSeq uint64) (ExtPage, error) {
	if _, err := x.checkRef(ctx, &ref, user); err != nil {
		return ExtPage{}, err
	}
	p, err := x.store.Extensions(ctx, ref, startSeq, MaxExtPage)
	if err != nil {
		return ExtPage{}, storeErr(ref, err)
	}
	return p, nil
}
