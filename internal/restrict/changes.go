package restrict

import "github.com/hearth-chat/hearth/internal/event"

// The changes the rules make, published after the store committed. Each
// goes to every node, which drops what it cached of it.

// MuteSet: setnospeaking set User's global mute (nil: left as it was).
type MuteSet struct {
	User       string
	C2CUntil   *int64
	GroupUntil *int64
}

// Blocked: black_list_add put Users in Owner's blocklist.
type Blocked struct {
	Owner string
	Users []string
	At    int64
}

// Unblocked: black_list_delete took Users out of Owner's blocklist.
type Unblocked struct {
	Owner string
	Users []string
}

func (MuteSet) Kind() string   { return "restrict.mute_set" }
func (Blocked) Kind() string   { return "restrict.blocked" }
func (Unblocked) Kind() string { return "restrict.unblocked" }

// The muted account and the blocklist's owner are told; the blocked
// accounts are not.
func (c MuteSet) Scope() event.Scope   { return event.Scope{Users: []string{c.User}} }
func (c Blocked) Scope() event.Scope   { return event.Scope{Users: []string{c.Owner}} }
func (c Unblocked) Scope() event.Scope { return event.Scope{Users: []string{c.Owner}} }

func init() {
	event.Register[MuteSet]()
	event.Register[Blocked]()
	event.Register[Unblocked]()
}
