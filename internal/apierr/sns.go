package apierr

// Relationship-chain codes (service sns), 30000–31999, and the one-to-one
// code of a sender in the receiver's blocklist.
const (
	SNSBadParam      = 30001 // request field missing or malformed; per item: already in the list, oneself
	SNSNoAccount     = 30003 // an account of the request does not exist
	SNSInternal      = 30006 // internal error of the sns service
	SNSBlocklistFull = 30013 // the blocklist holds its maximum number of accounts
	MsgSenderBlocked = 20007 // one-to-one: the sender is in the receiver's blocklist
)
