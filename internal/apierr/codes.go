package apierr

// Gateway (public) codes, 60000–60021, answered before a command runs.
const (
	BadURL          = 60002 // malformed request URL or query
	BadJSON         = 60003 // request body is not parsable JSON
	BadIdentity     = 60004 // identifier or UserSig missing or wrong in the URL
	ServiceTimeout  = 60008 // service timeout or malformed HTTP request
	UnknownApp      = 60006 // SDKAppID unknown
	APIRateLimited  = 60007 // this REST API's call rate exceeded
	UnknownCommand  = 60009 // no such service or command
	AdminRequired   = 60010 // identifier is not an App admin
	NoSDKAppID      = 60012 // sdkappid missing from the URL
	AccountNotAStr  = 60015 // account field has the wrong type
	MessageTooLong  = 80002 // message body too long
	ContentRejected = 80001 // content security check failed
)

// UserSig and account codes, 70000–79999.
const (
	SigExpired          = 70001
	SigEmpty            = 70002
	SigUndecodable      = 70003
	SigBadSignature     = 70009
	SigIdentifierDiffer = 70013
	SigAppIDDiffer      = 70014
	SigRevoked          = 70052 // issued before a kick
	AccountNotFound     = 70107
	AccountBadCount     = 70206
	AccountBadParam     = 70402
	AccountAdminOnly    = 70403
	AccountInternal     = 70500
)

// Profile codes, 40000–40999.
const (
	ProfileBadParam      = 40001
	ProfileNoAccount     = 40002
	ProfileUserNotFound  = 40003
	ProfileAdminOnly     = 40004
	ProfileInternal      = 40006
	ProfileTagNotFound   = 40009
	ProfileValueTooLong  = 40601
	ProfileBadValue      = 40605
	ProfileValueTypeDiff = 40610
)

// Group, topic and permission-group codes.
const (
	GroupInternal          = 10002
	GroupBadCommand        = 10003
	GroupBadParam          = 10004
	GroupTooManyAccounts   = 10005
	GroupRateLimited       = 10006
	GroupNoPermission      = 10007
	GroupBadRequest        = 10008
	GroupOwnerCannotQuit   = 10009
	GroupNotFound          = 10010 // also: topic deleted (modify_topic seed)
	GroupBadJSON           = 10011
	GroupBadOperator       = 10012
	GroupAlreadyMember     = 10013
	GroupFull              = 10014
	GroupBadID             = 10015
	GroupCallbackVeto      = 10016
	GroupSenderMuted       = 10017
	GroupAccountNotFound   = 10019
	GroupIDTaken           = 10021
	GroupIDTakenByYou      = 10025
	GroupMsgNotFound       = 10030
	GroupNoTopicSupport    = 11000
	TopicDeleteFailed      = 110002
	TopicAlreadyDeleted    = 110003
	PermGroupNotFound      = 110006
	PermGroupBadID         = 110008
	TopicPermissionMissing = 110011
)

// C2C message codes.
const (
	MsgCallbackVeto = 20006
	MsgSenderMuted  = 20012
	MsgBadJSON      = 90001
	MsgBadBody      = 90002
	MsgBadTo        = 90003
	MsgBadRandom    = 90005
	MsgBadTimeStamp = 90006
	MsgNotArray     = 90007
	MsgAdminOnly    = 90009
	MsgTooMany      = 90011
	MsgToNotFound   = 90012
	MsgBadLifeTime  = 90026
	MsgBadSync      = 90031
	MsgNoAccount    = 90048
	MsgTooLong      = 93000
	MsgInternal     = 91000 // internal error of the openim service
)

// The ranges of codes an app's before-callback may answer with to refuse an
// operation with its own code and ErrorInfo (passed through to the caller).
const (
	AppGroupCodeMin = 10100 // group callbacks
	AppGroupCodeMax = 10200
	AppC2CCodeMin   = 120001 // one-to-one callbacks
	AppC2CCodeMax   = 130000
)
