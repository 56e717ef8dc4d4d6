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

// Restricted returns the one-to-one service that also asks r before every
// send a user makes itself (C2CSend.Client): REST sendmsg and batchsendmsg
// check neither the mute nor the blocklist, as the hosted pages say.
func (c *C2C) Restricted(r Restrictions) *C2C {
	cp := *c
	cp.restrict = r
	return &cp
}

// Restricted returns the group message service that also asks r before
// every send by a member (the app admin's own sends are not restricted).
func (s *Service) Restricted(r Restrictions) *Service {
	cp := *s
	cp.restrict = r
	return &cp
}
