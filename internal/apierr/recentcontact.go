package apierr

// Conversation-list (recentcontact) codes, 50000–50999.
const (
	RecentNoAccount = 50001 // the UserID is not imported
	RecentBadParam  = 50002 // a request field is missing or wrong
	RecentAdminOnly = 50003 // the call needs the App admin
	RecentInternal  = 50004 // internal error: retry
	RecentTimeout   = 50005 // timed out: retry later
)
