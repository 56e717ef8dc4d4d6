package client

import "context"

// DialPlatform is Dial for a client that names its platform (iPhone, iPad,
// Android, Web, Windows, Mac, Linux; "" is Unknown): it is what online
// status queries answer and the app's State.StateChange callback carries.
func DialPlatform(ctx context.Context, url string, sdkAppID uint64, identifier, userSig, platform string) (*Conn, error) {
	return dial(ctx, url, Frame{Type: TypeLogin, SDKAppID: sdkAppID, Identifier: identifier, UserSig: userSig, Platform: platform})
}

// GroupPresence asks which members of a group are online, one page of
// members at a time: cursor "" reads the first page; the answer's Cursor is
// the next page's ("" after the last). A page may list no one while the
// cursor goes on.
func (c *Conn) GroupPresence(ctx context.Context, groupID, cursor string) ([]Presence, string, error) {
	f, err := c.request(ctx, Frame{Type: TypePresence, GroupID: groupID, Cursor: cursor})
	return f.Statuses, f.Cursor, err
}

// SubscribePresence follows the online status of users and of the members
// of groupID ("" for none), replacing what the connection followed before
// (nothing: stop following). It answers their statuses now; changes arrive
// on Frames as presence_update frames.
func (c *Conn) SubscribePresence(ctx context.Context, users []string, groupID string) ([]Presence, error) {
	f, err := c.request(ctx, Frame{Type: TypePresenceSubscribe, Users: users, GroupID: groupID})
	return f.Statuses, err
}
