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
)

// Stream names one message stream: a group's own, a topic's, or a
// one-to-one conversation with Peer.
type Stream struct {
	GroupID  string `json:"group_id,omitempty"`
	TopicID  string `json:"topic_id,omitempty"`
	AfterSeq uint64 `json:"after_seq,omitempty"` // sync: the last seq the client has

	Peer      string `json:"peer,omitempty"`       // a one-to-one conversation
	AfterTime int64  `json:"after_time,omitempty"` // sync: the time of the last message the client has (unix s)
}

// Frame is every message of the protocol; Type says which fields apply.
type Frame struct {
	Type string `json:"type"`
	ID   string `json:"id,omitempty"` // request ID, echoed in the answer

	SDKAppID   uint64 `json:"sdkappid,omitempty"`
	Identifier string `json:"identifier,omitempty"`
	UserSig    string `json:"usersig,omitempty"`
	ServerTime int64  `json:"server_time,omitempty"`

	GroupID string          `json:"group_id,omitempty"`
	TopicID string          `json:"topic_id,omitempty"`
	Random  uint32          `json:"random,omitempty"`
	MsgBody json.RawMessage `json:"msg_body,omitempty"`
	Seq     uint64          `json:"seq,omitempty"`
	From    string          `json:"from,omitempty"`
	To      string          `json:"to,omitempty"`      // one-to-one messages
	MsgKey  string          `json:"msg_key,omitempty"` // one-to-one messages
	Time    int64           `json:"time,omitempty"`

	Streams []Stream `json:"streams,omitempty"`

	Event string          `json:"event,omitempty"`
	Data  json.RawMessage `json:"data,omitempty"`

	Code int    `json:"code,omitempty"`
	Info string `json:"info,omitempty"`
}
