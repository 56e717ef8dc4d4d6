// Package gateway is Hearth's WebSocket gateway (docs/protocol.md): it logs
// clients in with their UserSig, pushes the messages and events of every
// group and topic they belong to, takes their sends through the same domain
// services as REST, and replays what they missed on resume. Fan-out is one
// event per message from the event bus to the local sessions of the
// members that are connected here.
package gateway

import (
	"encoding/json"
	"sync"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/conversation"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/topic"
)

// hub indexes the sessions of this node: by user, and by group for the
// users connected here who are members of it (interest-based fan-out).
type hub struct {
	interest Interest // nil: nobody to tell
	mu       sync.RWMutex
	users    map[string]map[*session]struct{}
	groups   map[string]map[string]struct{} // group ID -> connected member UserIDs
	joined   map[string][]string            // UserID -> group IDs indexed for it
}

func newHub(interest Interest) *hub {
	return &hub{interest: interest, users: map[string]map[*session]struct{}{}, groups: map[string]map[string]struct{}{}, joined: map[string][]string{}}
}

// add registers a session whose user belongs to groups.
func (h *hub) add(s *session, groups []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.users[s.user] == nil {
		h.users[s.user] = map[*session]struct{}{}
		h.watch("u", s.user)
	}
	h.users[s.user][s] = struct{}{}
	if _, done := h.joined[s.user]; !done {
		for _, g := range groups {
			h.index(g, s.user)
		}
		h.joined[s.user] = groups
	}
}

func (h *hub) index(groupID, user string) {
	if h.groups[groupID] == nil {
		h.groups[groupID] = map[string]struct{}{}
		h.watch("g", groupID)
	}
	h.groups[groupID][user] = struct{}{}
}

// unindex removes user from a group's index, and the group with its last
// connected member.
func (h *hub) unindex(groupID, user string) {
	m, ok := h.groups[groupID]
	if !ok {
		return
	}
	delete(m, user)
	if len(m) == 0 {
		delete(h.groups, groupID)
		h.unwatch("g", groupID)
	}
}

func (h *hub) watch(kind, id string) {
	if h.interest != nil {
		h.interest.Watch(kind, id)
	}
}

func (h *hub) unwatch(kind, id string) {
	if h.interest != nil {
		h.interest.Unwatch(kind, id)
	}
}

// remove forgets a session, and its user's group index with its last one.
func (h *hub) remove(s *session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.users[s.user], s)
	if len(h.users[s.user]) > 0 {
		return
	}
	delete(h.users, s.user)
	h.unwatch("u", s.user)
	for _, g := range h.joined[s.user] {
		h.unindex(g, s.user)
	}
	delete(h.joined, s.user)
}

// sessions returns the sessions of users.
func (h *hub) sessions(users []string) []*session {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []*session
	for _, u := range users {
		for s := range h.users[u] {
			out = append(out, s)
		}
	}
	return out
}

// members returns the sessions of the connected members of a group.
func (h *hub) members(groupID string) []*session {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []*session
	for u := range h.groups[groupID] {
		for s := range h.users[u] {
			out = append(out, s)
		}
	}
	return out
}

// joinedChanged keeps the group index right as members come and go.
func (h *hub) joinedChanged(groupID string, users []string, joined bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, u := range users {
		if _, online := h.users[u]; !online {
			continue
		}
		if joined {
			h.index(groupID, u)
			h.joined[u] = append(h.joined[u], groupID)
		} else {
			h.unindex(groupID, u)
		}
	}
}

// messageFrame encodes a stored message as the frame pushed to clients.
func messageFrame(m message.Message) []byte {
	f := groupMessage(m)
	f.Recalled = m.Recalled
	b, _ := json.Marshal(f)
	return b
}

// c2cFrame encodes a one-to-one message as the frame pushed to clients.
func c2cFrame(m message.C2CMessage) []byte {
	b, _ := json.Marshal(c2cMessage(m))
	return b
}

// dispatch fans one change out to the sessions it concerns: encoded
// once, queued on each.
func (h *hub) dispatch(e event.Event) {
	switch e.Change.(type) {
	case group.Imported:
		if len(e.Users) > 0 { // imported members who are online here
			h.joinedChanged(e.GroupID, e.Users, true)
		}
		return
	case group.Created, group.MembersAdded: // the new group's owner and members may be online here
		h.joinedChanged(e.GroupID, e.Users, true)
	case group.MembersRemoved:
		h.joinedChanged(e.GroupID, e.Users, false)
	}
	var frame []byte
	var targets []*session
	switch c := e.Change.(type) {
	case message.Sent:
		frame, targets = messageFrame(c.Message), h.members(e.GroupID)
	case message.C2CSent:
		frame, targets = c2cFrame(c.Message), h.sessions(e.Users)
	case conversation.Pinned, conversation.Deleted: // the user's own sessions only
		frame, targets = conversationEvent(e), h.sessions(e.Users)
	case message.ReadPositionSet: // the reader's own sessions only
		data, _ := json.Marshal(struct{ Seq, Unread uint64 }{c.Seq, c.Unread})
		frame, _ = json.Marshal(client.Frame{Type: client.TypeEvent, Event: e.Type, GroupID: c.GroupID, TopicID: c.TopicID, Data: data})
		targets = h.sessions(e.Users)
	default:
		data, _ := json.Marshal(eventData(e.Change))
		frame, _ = json.Marshal(client.Frame{Type: client.TypeEvent, Event: e.Type, GroupID: e.GroupID, TopicID: e.TopicID, Data: data})
		if _, ok := c.(message.Notified); ok && len(e.Users) > 0 {
			targets = h.sessions(e.Users) // addressed to some members only
		} else {
			targets = append(h.members(e.GroupID), h.sessions(e.Users)...)
		}
	}
	seen := make(map[*session]bool, len(targets))
	for _, s := range targets {
		if !seen[s] {
			seen[s] = true
			s.push(frame)
		}
	}
	if _, ok := e.Change.(group.Destroyed); ok {
		h.mu.Lock()
		if _, ok := h.groups[e.GroupID]; ok {
			delete(h.groups, e.GroupID)
			h.unwatch("g", e.GroupID)
		}
		h.mu.Unlock()
	}
}

// eventData is the data of the event frame a change is pushed as
// (docs/protocol.md).
func eventData(c event.Change) any {
	switch c := c.(type) {
	case group.Created:
		return c.Group
	case group.MembersRemoved:
		return c.Reason
	case group.MemberModified:
		return c.Member
	case group.MembersMuted:
		return c.Until
	case group.Modified:
		return c.Group
	case group.Destroyed:
		return c.Group
	case topic.Created:
		return c.Topic
	case topic.Modified:
		return c.Patch
	case topic.MembersMuted:
		return map[string]any{"Users": c.Members, "Until": c.Until}
	case permgroup.Changed:
		return struct {
			Operation          string
			PermissionGroupIDs []string
			TopicIDs           []string
		}{c.Operation, c.PermissionGroupIDs, c.TopicIDs}
	case message.GroupRecalled:
		return c.Seqs
	case group.MembersBanned:
		return struct {
			Users       []string
			Until       int64
			Description string
		}{c.Members, c.Until, c.Description}
	case group.MembersUnbanned:
		return struct{ Users []string }{c.Members}
	case message.SenderDeleted:
		return struct {
			Sender string
			Seqs   []uint64
		}{c.Sender, c.Seqs}
	case message.C2CRecalled:
		return c.Key
	case message.GroupEdited:
		return groupMessage(c.Message)
	case message.C2CEdited:
		return c2cMessage(c.Message)
	case message.Notified:
		return c.Content
	case message.ExtensionChanged:
		return extensionEvent(c)
	case message.Typing:
		return struct{ User string }{c.User}
	case message.C2CReadSet:
		return struct {
			Peer   string
			Time   int64
			Unread uint64
		}{c.Peer, c.Time, c.Unread}
	}
	return nil // group.members_added, group.owner_changed, topic.destroyed
}
