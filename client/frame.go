// Package client is the Go client of Hearth's WebSocket protocol
// (docs/protocol.md): log in with a UserSig, send into groups and topics,
// receive pushed messages and events, and resume after a reconnect.
package client

import "encoding/json"

// Frame types.
const (
	TypeLogin    = "login"     // client: sdkappid, identifier, usersig
	TypeLoginOK  = "login_ok"  // server: the session is ready
	TypeSend     = "send"      // client: group_id, topic_id, random, msg_body
	TypeAck      = "ack"       // server: seq and time of a sent message
	TypeSync     = "sync"      // client: streams with their last seen seq
	TypeSyncDone = "sync_done" // server: every missed message was pushed
	TypeMessage  = "message"   // server: a message of a group or topic
	TypeEvent    = "event"     // server: a change that concerns the user
	TypePing     = "ping"      // client
	TypePong     = "pong"      // server
	TypeError    = "error"     // server: code and info (id names the request)
	TypeKicked   = "kicked"    // server: the session ends (kick, account deleted)

	TypeTyping   = "typing"    // client: group_id (topic_id), or to: the user is typing there (never stored)
	TypeTypingOK = "typing_ok" // server: the typing frame was relayed

	TypeRead   = "read"    // client: group_id (topic_id) and seq, or to and time: read up to there
	TypeReadOK = "read_ok" // server: the stream's read state after a read
	TypeUnread = "unread"  // client: ask; server: the read state of every stream with reads

	TypePresence          = "presence"           // client: group_id (cursor): which of its members are online
	TypePresenceList      = "presence_list"      // server: statuses (and cursor) answering presence or presence_subscribe
	TypePresenceSubscribe = "presence_subscribe" // client: users and/or group_id to follow; neither: stop
	TypePresenceUpdate    = "presence_update"    // server: statuses of followed users that changed, coalesced

	TypeConversations = "conversations" // client: ask for a page of the conversation list (cursor); server: the page

	TypeEdit   = "edit"   // client: group_id (topic_id) and seq, or to and msg_key, with the new msg_body: edit one's own message; server answers ack
	TypeRecall = "recall" // client: group_id (topic_id) and seq, or to and msg_key: recall a message (another member's where the permission engine allows); server answers ack

	TypeExtSet    = "ext_set"    // client: a message (group_id, topic_id, seq, or to and msg_key), key, value and ext_seq: set a key of its extension (a reaction)
	TypeExtRemove = "ext_remove" // client: a message, key and ext_seq: remove a key of its extension
	TypeExtOK     = "ext_ok"     // server: the key as stored (key, value, ext_seq) after ext_set or ext_remove
)

// Presence is one user's online status: Status is "Online" or "Offline";
// Platforms are those of its sessions (login's platform), each once.
type Presence struct {
	User      string   `json:"user"`
	Status    string   `json:"status"`
	Platforms []string `json:"platforms,omitempty"`
}

// Stream names one message stream: a group's own, a topic's, or a
// one-to-one conversation with Peer.
type Stream struct {
	GroupID  string `json:"group_id,omitempty"`
	TopicID  string `json:"topic_id,omitempty"`
	AfterSeq uint64 `json:"after_seq,omitempty"` // sync: the last seq the client has

	Peer      string `json:"peer,omitempty"`       // a one-to-one conversation
	AfterTime int64  `json:"after_time,omitempty"` // sync: the time of the last message the client has (unix s)
}

// ReadState is where the user stands in one stream: a group's own or a
// topic's (group_id, topic_id) with its read and newest seq, or a
// one-to-one conversation (peer) with the time read up to. Unread is the
// count of messages after the read position (the user's own not counted).
type ReadState struct {
	GroupID  string `json:"group_id,omitempty"`
	TopicID  string `json:"topic_id,omitempty"`
	ReadSeq  uint64 `json:"read_seq"`
	LastSeq  uint64 `json:"last_seq"`
	Peer     string `json:"peer,omitempty"`
	ReadTime int64  `json:"read_time,omitempty"`
	Unread   uint64 `json:"unread"`
}

// Conversation is one entry of the user's conversation list: a group
// (GroupID; a community is one conversation over all its topics) or a
// one-to-one conversation (Peer), the time of its last message (0: none
// yet), whether it is pinned, and its last message as the message frame it
// was pushed as (absent when there is none). In the event frames of a pin
// or a deletion only GroupID or Peer is set.
type Conversation struct {
	GroupID string `json:"group_id,omitempty"`
	Peer    string `json:"peer,omitempty"`
	Time    int64  `json:"time,omitempty"`
	Pinned  bool   `json:"pinned,omitempty"`
	// Unread is the count of unread messages (a community's: the sum over
	// its own stream and its topics); absent in pin and deletion events.
	Unread   *uint64 `json:"unread,omitempty"`
	Last     *Frame  `json:"last,omitempty"`
	Recalled bool    `json:"recalled,omitempty"` // the last message was recalled
}

// Frame is every message of the protocol; Type says which fields apply.
type Frame struct {
	Type string `json:"type"`
	ID   string `json:"id,omitempty"` // request ID, echoed in the answer

	SDKAppID   uint64 `json:"sdkappid,omitempty"`
	Identifier string `json:"identifier,omitempty"`
	UserSig    string `json:"usersig,omitempty"`
	Platform   string `json:"platform,omitempty"` // login: iPhone, iPad, Android, Web, Windows, Mac, Linux or Unknown
	ServerTime int64  `json:"server_time,omitempty"`
	Version    int    `json:"version,omitempty"` // login: the protocol version the client speaks; login_ok: the server's

	GroupID string          `json:"group_id,omitempty"`
	TopicID string          `json:"topic_id,omitempty"`
	Random  uint32          `json:"random,omitempty"`
	MsgBody json.RawMessage `json:"msg_body,omitempty"`
	Seq     uint64          `json:"seq,omitempty"`
	From    string          `json:"from,omitempty"`
	To      string          `json:"to,omitempty"`      // one-to-one messages
	MsgKey  string          `json:"msg_key,omitempty"` // one-to-one messages
	Time    int64           `json:"time,omitempty"`

	// Edited marks a message (message frames, sync, the data of a
	// message.*_edited event) whose body was edited; EditTime is when (unix
	// seconds), also in the ack of an edit.
	Edited   bool  `json:"edited,omitempty"`
	EditTime int64 `json:"edit_time,omitempty"`

	// Recalled marks a group message (message frames of a sync) that was
	// recalled or wiped by delete_group_msg_by_sender; its msg_body is then
	// empty or "[]". Its seq stays taken: streams keep no gaps.
	Recalled bool `json:"recalled,omitempty"`

	// Extensible on send: the message takes extensions (SupportMessageExtension 1).
	// Key, Value and ExtSeq are one key of a message's extension: ext_set,
	// ext_remove (ExtSeq the key's Seq the client last saw, 0 for a new
	// key) and ext_ok (ExtSeq the key's Seq now).
	Extensible bool   `json:"extensible,omitempty"`
	Key        string `json:"key,omitempty"`
	Value      string `json:"value,omitempty"`
	ExtSeq     uint64 `json:"ext_seq,omitempty"`

	Streams []Stream `json:"streams,omitempty"`

	// Reads is the read state of streams: read_ok, unread and sync_done.
	Reads []ReadState `json:"reads,omitempty"`

	Event string          `json:"event,omitempty"`
	Data  json.RawMessage `json:"data,omitempty"`

	Code int    `json:"code,omitempty"`
	Info string `json:"info,omitempty"`

	Users    []string   `json:"users,omitempty"`    // presence_subscribe
	Statuses []Presence `json:"statuses,omitempty"` // presence_list, presence_update
	Cursor   string     `json:"cursor,omitempty"`   // presence, conversations: the page to read; presence_list, conversations: the next ("" at the end)

	Conversations []Conversation `json:"conversations,omitempty"` // conversations; conversation.* events
}
