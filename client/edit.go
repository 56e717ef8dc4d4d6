package client

import (
	"context"
	"encoding/json"
)

// Edit replaces the body of one of the user's own messages of a group or
// topic and returns the ack (its edit_time set).
func (c *Conn) Edit(ctx context.Context, groupID, topicID string, seq uint64, body json.RawMessage) (Frame, error) {
	return c.request(ctx, Frame{Type: TypeEdit, GroupID: groupID, TopicID: topicID, Seq: seq, MsgBody: body})
}

// EditC2C replaces the body of a one-to-one message the user sent to peer.
func (c *Conn) EditC2C(ctx context.Context, peer, msgKey string, body json.RawMessage) (Frame, error) {
	return c.request(ctx, Frame{Type: TypeEdit, To: peer, MsgKey: msgKey, MsgBody: body})
}

// Recall recalls a message of a group or topic: the user's own, or another
// member's where the permission engine allows it.
func (c *Conn) Recall(ctx context.Context, groupID, topicID string, seq uint64) (Frame, error) {
	return c.request(ctx, Frame{Type: TypeRecall, GroupID: groupID, TopicID: topicID, Seq: seq})
}

// RecallC2C recalls a one-to-one message the user sent to peer.
func (c *Conn) RecallC2C(ctx context.Context, peer, msgKey string) (Frame, error) {
	return c.request(ctx, Frame{Type: TypeRecall, To: peer, MsgKey: msgKey})
}
