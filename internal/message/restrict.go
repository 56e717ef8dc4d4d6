package message

import "context"

// Restrictions are the app-wide sending rules (package restrict: the
// global mute and the blocklist) that the message rules ask before a send.
type Restrictions interface {
	// CheckC2C answers whether from may send to to a one-to-one message of
	// its own (a client's send).
	CheckC2C(ctx context.Context, from, to string) error
	// CheckGroup answers whether from may post in a group or topic.
	CheckGroup(ctx context.Context, from string) error
}
