package client

import (
	"context"
	"encoding/json"
)

// SendExtensible sends a message that takes extensions (reactions, polls)
// into a group or topic; see Send.
func (c *Conn) SendExtensible(ctx context.Context, groupID, topicID string, random uint32, body json.RawMessage) (Frame, error) {
	return c.request(ctx, Frame{Type: TypeSend, GroupID: groupID, TopicID: topicID, Random: random, MsgBody: body, Extensible: true})
}

// SetKey sets key of the extension of message m (GroupID, TopicID and
// Seq; or To and MsgKey of a message the user sent, From and MsgKey of one
// the peer sent) to value, if its Seq is still seq (0 for a new key). It
// answers the ext_ok frame; a stale seq fails with Error code 23001, and
// the frame's Data holds the key as stored.
func (c *Conn) SetKey(ctx context.Context, m Frame, key, value string, seq uint64) (Frame, error) {
	return c.request(ctx, Frame{Type: TypeExtSet, GroupID: m.GroupID, TopicID: m.TopicID, Seq: m.Seq, From: m.From, To: m.To,
		MsgKey: m.MsgKey, Key: key, Value: value, ExtSeq: seq})
}

// RemoveKey removes key of the extension of message m (as SetKey) if its
// Seq is still seq.
func (c *Conn) RemoveKey(ctx context.Context, m Frame, key string, seq uint64) (Frame, error) {
	return c.request(ctx, Frame{Type: TypeExtRemove, GroupID: m.GroupID, TopicID: m.TopicID, Seq: m.Seq, From: m.From, To: m.To,
		MsgKey: m.MsgKey, Key: key, ExtSeq: seq})
}
