package client

import "context"

// Typing tells the members of a group (topicID "") or topic that the user
// is typing; they get a message.typing event. Nothing is stored.
func (c *Conn) Typing(ctx context.Context, groupID, topicID string) error {
	_, err := c.request(ctx, Frame{Type: TypeTyping, GroupID: groupID, TopicID: topicID})
	return err
}

// TypingC2C tells peer that the user is typing to it.
func (c *Conn) TypingC2C(ctx context.Context, peer string) error {
	_, err := c.request(ctx, Frame{Type: TypeTyping, To: peer})
	return err
}
