package message

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/hook"
	"github.com/hearth-chat/hearth/internal/text"
)

// Limits of one-to-one messages, as the hosted sendmsg, batchsendmsg and
// importmsg pages give them.
const (
	C2CDedupeWindow = 120 * time.Second // a resent message (same sender, MsgSeq, MsgRandom, content) within it is the first
	MaxBatchTo      = 500               // batchsendmsg To_Account
	MaxLifeTime     = 604800            // MsgLifeTime, seconds
	MaxRoamCount    = 100               // admin_getroammsg MaxCnt
	MaxMsgKeyBytes  = 50                // a MsgKey: printable ASCII, "<MsgSeq>_<MsgRandom>_<MsgTime>" when Hearth made it
	// importmsg SyncFromOldSystem: the only two values it takes.
	ImportHistory  = 2 // an old message: stored, not pushed, not unread
	ImportRealtime = 5 // a live message during the move: stored and pushed to the peers
)

// Accounts is what one-to-one messages need to know about accounts.
type Accounts interface {
	ExistingAccounts(ctx context.Context, ids []string) (map[string]bool, error)
}

// C2C applies the one-to-one message rules over a C2CStore.
type C2C struct {
	store    C2CStore
	accounts Accounts
	bus      event.Publisher
	now      func() time.Time
	before   hook.Before
	restrict Restrictions // nil: none (WithC2CRestrictions)
}

// C2COption is a collaborator of the C2C service beyond the required ones.
type C2COption func(*C2C)

// WithBefore asks b the before-callbacks of sends (none without it, or
// when b is nil).
func WithBefore(b hook.Before) C2COption { return func(c *C2C) { c.before = b } }

// WithC2CRestrictions asks r before every send a user makes itself
// (C2CSend.Client): REST sendmsg and batchsendmsg check neither the mute
// nor the blocklist, as the hosted pages say.
func WithC2CRestrictions(r Restrictions) C2COption { return func(c *C2C) { c.restrict = r } }

// NewC2C returns the one-to-one message service; bus may be nil, now nil
// means time.Now.
func NewC2C(store C2CStore, accounts Accounts, bus event.Publisher, now func() time.Time, opts ...C2COption) *C2C {
	if now == nil {
		now = time.Now
	}
	c := &C2C{store: store, accounts: accounts, bus: bus, now: now}
	for _, o := range opts {
		o(c)
	}
	return c
}

func c2cBad(code int, format string, args ...any) error { return apierr.New(code, format, args...) }

// C2CSend is sendmsg, batchsendmsg or importmsg after decoding.
type C2CSend struct {
	From            string // "" sends as Admin
	Admin           string
	To              []string
	Seq             *uint32
	Random          *uint32
	TimeStamp       *int64 // importmsg: the message's time
	LifeTime        *int64 // 0: online only, not stored
	OnlineOnly      bool
	Body            []byte
	CloudCustomData string
	NoBeforeHook    bool // ForbidBeforeSendMsgCallback
	NoAfterHook     bool // ForbidAfterSendMsgCallback
	Sync            int  // importmsg SyncFromOldSystem: ImportHistory or ImportRealtime
	Client          bool // From sends it itself (WebSocket): its global mute and the receiver's blocklist apply
	Extensible      bool // SupportMessageExtension 1: the message takes extensions
}

// SendResult is the answer of a send: the stored (or first) message and,
// for a batch, the recipients that failed.
type SendResult struct {
	Message C2CMessage
	Failed  map[string]int // To_Account -> ErrorCode
}

func (c *C2C) check(ctx context.Context, req *C2CSend, batch bool) (json []byte, err error) {
	if len(req.To) == 0 || req.To[0] == "" {
		return nil, c2cBad(apierr.MsgBadTo, "To_Account is required")
	}
	if batch && len(req.To) > MaxBatchTo {
		return nil, c2cBad(apierr.MsgTooMany, "at most %d accounts in To_Account", MaxBatchTo)
	}
	if err := account.CheckUserIDs("To_Account", req.To, apierr.MsgBadTo); err != nil {
		return nil, err
	}
	if req.Random == nil {
		return nil, c2cBad(apierr.MsgBadRandom, "MsgRandom is required (a 32-bit unsigned integer)")
	}
	if req.LifeTime != nil && (*req.LifeTime < 0 || *req.LifeTime > MaxLifeTime) {
		return nil, c2cBad(apierr.MsgBadLifeTime, "MsgLifeTime must be 0..%d seconds", MaxLifeTime)
	}
	body, err := CheckBody(req.Body, apierr.MsgBadBody, apierr.MsgTooLong)
	if err != nil {
		return nil, err
	}
	if len(req.CloudCustomData) > MaxCustomData {
		return nil, c2cBad(apierr.MsgTooLong, "CloudCustomData is longer than %d bytes", MaxCustomData)
	}
	if p := text.Problem(req.CloudCustomData); p != "" {
		return nil, c2cBad(apierr.MsgBadJSON, "CloudCustomData %s", p)
	}
	if req.From == "" {
		req.From = req.Admin
	} else {
		if err := account.CheckUserID("From_Account", req.From, apierr.MsgBadJSON); err != nil {
			return nil, err
		}
		exist, err := c.accounts.ExistingAccounts(ctx, []string{req.From})
		if err != nil {
			return nil, err
		}
		if !exist[req.From] {
			return nil, c2cBad(apierr.MsgNoAccount, "From_Account %s is not imported", req.From)
		}
	}
	return body, nil
}

// Send sends one message (sendmsg) or one message to many (batchsendmsg:
// no de-duplication, failed recipients listed).
func (c *C2C) Send(ctx context.Context, req C2CSend, batch bool) (SendResult, error) {
	body, err := c.check(ctx, &req, batch)
	if err != nil {
		return SendResult{}, err
	}
	exist, err := c.accounts.ExistingAccounts(ctx, req.To)
	if err != nil {
		return SendResult{}, err
	}
	res := SendResult{Failed: map[string]int{}}
	if !batch && !exist[req.To[0]] {
		return SendResult{}, c2cBad(apierr.MsgToNotFound, "To_Account %s is not imported", req.To[0])
	}
	if req.Client && c.restrict != nil { // before the callback: a refused send asks none
		for _, to := range req.To {
			if err := c.restrict.CheckC2C(ctx, req.From, to); err != nil {
				return SendResult{}, err
			}
		}
	}
	now := c.now()
	seq := randomSeq()
	if req.Seq != nil {
		seq = *req.Seq
	}
	m := C2CMessage{From: req.From, Seq: seq, Random: *req.Random, Time: now.Unix(), Body: body, CloudCustomData: req.CloudCustomData}
	m.Key = fmt.Sprintf("%d_%d_%d", m.Seq, m.Random, m.Time)
	m.ID = fmt.Sprintf("%d-%d-%d", tinyID(m.From), m.Time, m.Random)
	if !batch && !req.NoBeforeHook { // batchsendmsg calls no callbacks (as hosted)
		var reply hook.Reply
		if hook.On(c.before, hook.BeforeSendC2CMsg) {
			q := C2CSendQuestion{Message: m, OnlineOnly: req.OnlineOnly}
			q.Message.To = req.To[0]
			reply, err = c.before.Ask(ctx, q)
		}
		if err != nil {
			return SendResult{}, err
		}
		if reply.Drop {
			res.Message = m
			return res, nil
		}
		m.Body, m.CloudCustomData = replaced(reply, m.Body, m.CloudCustomData)
		body = m.Body
	}
	store := !req.OnlineOnly && (req.LifeTime == nil || *req.LifeTime > 0)
	for _, to := range req.To {
		if !exist[to] {
			res.Failed[to] = apierr.MsgToNotFound
			continue
		}
		mm := m
		mm.To = to
		dup := false
		if store {
			key := ""
			if !batch {
				key = c2cKey(mm.From, mm.Seq, mm.Random, body)
			}
			if mm, dup, err = c.store.AppendC2C(ctx, mm, key, now.Add(-C2CDedupeWindow).Unix()); err != nil {
				return SendResult{}, err
			}
			if req.Extensible { // also for a retry: the first try may have stopped before it
				if err := c.store.EnableExtension(ctx, ExtRef{From: mm.From, To: mm.To, Key: mm.Key}); err != nil {
					return SendResult{}, err
				}
			}
		}
		if !dup && c.bus != nil {
			c.bus.Publish(event.Of(ctx, C2CSent{Message: mm, Quiet: batch || req.NoAfterHook}, now))
		}
		res.Message = mm
	}
	res.Message.To = ""
	return res, nil
}

// Import stores a message from the old system (importmsg) with its own
// time; the same (MsgSeq, MsgRandom, MsgTimeStamp) in a conversation, in
// either direction, is imported once.
func (c *C2C) Import(ctx context.Context, req C2CSend) error {
	if req.Sync != ImportHistory && req.Sync != ImportRealtime {
		return c2cBad(apierr.MsgBadJSON, "SyncFromOldSystem is required and must be %d (history) or %d (real-time)", ImportHistory, ImportRealtime)
	}
	body, err := c.check(ctx, &req, false)
	if err != nil {
		return err
	}
	if req.From == req.Admin {
		return c2cBad(apierr.MsgNoAccount, "From_Account is required")
	}
	if req.TimeStamp == nil || *req.TimeStamp <= 0 {
		return c2cBad(apierr.MsgBadTimeStamp, "MsgTimeStamp is required (unix seconds)")
	}
	if req.Seq == nil {
		return c2cBad(apierr.MsgBadJSON, "MsgSeq is required")
	}
	exist, err := c.accounts.ExistingAccounts(ctx, req.To)
	if err != nil {
		return err
	}
	if !exist[req.To[0]] {
		return c2cBad(apierr.MsgToNotFound, "To_Account %s is not imported", req.To[0])
	}
	m := C2CMessage{From: req.From, To: req.To[0], Seq: *req.Seq, Random: *req.Random, Time: *req.TimeStamp, Body: body, CloudCustomData: req.CloudCustomData}
	m.Key = fmt.Sprintf("%d_%d_%d", m.Seq, m.Random, m.Time)
	m.ID = fmt.Sprintf("%d-%d-%d", tinyID(m.From), m.Time, m.Random)
	lo, hi := m.From, m.To
	if hi < lo {
		lo, hi = hi, lo
	}
	key := fmt.Sprintf("import:%s\x00%s\x00%d\x00%d\x00%d", lo, hi, m.Seq, m.Random, m.Time)
	stored, dup, err := c.store.AppendC2C(ctx, m, hashKey(key), 0)
	if err != nil {
		return err
	}
	if req.Sync == ImportRealtime && !dup && c.bus != nil {
		c.bus.Publish(event.Of(ctx, C2CSent{Message: stored, Quiet: true}, c.now()))
	}
	return nil
}

// Roam returns the messages between op and peer (admin_getroammsg),
// newest first, at most maxCnt, older than lastKey when set; complete
// reports that nothing older remains in the time range.
func (c *C2C) Roam(ctx context.Context, op, peer string, maxCnt int, minTime, maxTime int64, lastKey string) ([]C2CMessage, bool, error) {
	if op == "" || peer == "" {
		return nil, false, c2cBad(apierr.MsgBadTo, "Operator_Account and Peer_Account are required")
	}
	if err := account.CheckUserIDs("Operator_Account and Peer_Account", []string{op, peer}, apierr.MsgBadTo); err != nil {
		return nil, false, err
	}
	if lastKey != "" && !validMsgKey(lastKey) {
		return nil, false, c2cBad(apierr.MsgBadJSON, "LastMsgKey must be a MsgKey: 1–%d bytes of printable ASCII", MaxMsgKeyBytes)
	}
	if maxCnt <= 0 || maxCnt > MaxRoamCount {
		maxCnt = MaxRoamCount
	}
	if minTime < 0 || (maxTime != 0 && maxTime < minTime) {
		return nil, false, c2cBad(apierr.MsgBadJSON, "MinTime and MaxTime must be a time range")
	}
	list, err := c.store.C2CMessages(ctx, op, peer, minTime, maxTime, lastKey, maxCnt+1)
	if err != nil {
		return nil, false, err
	}
	if len(list) > maxCnt {
		return list[:maxCnt], false, nil
	}
	return list, true, nil
}

// Withdraw recalls a message by its MsgKey (admin_msgwithdraw).
func (c *C2C) Withdraw(ctx context.Context, from, to, key string) error {
	if from == "" || to == "" || key == "" {
		return c2cBad(apierr.MsgBadJSON, "From_Account, To_Account and MsgKey are required")
	}
	if err := account.CheckUserIDs("From_Account and To_Account", []string{from, to}, apierr.MsgBadJSON); err != nil {
		return err
	}
	if !validMsgKey(key) {
		return c2cBad(apierr.MsgBadJSON, "MsgKey must be 1–%d bytes of printable ASCII", MaxMsgKeyBytes)
	}
	ok, err := c.store.RecallC2C(ctx, from, to, key)
	if err != nil {
		return err
	}
	if !ok {
		return c2cBad(apierr.MsgBadJSON, "no message %s from %s to %s", key, from, to)
	}
	if c.bus != nil {
		c.bus.Publish(event.Of(ctx, C2CRecalled{From: from, To: to, Key: key}, c.now()))
	}
	return nil
}

// validMsgKey reports whether key could be a MsgKey this server made.
func validMsgKey(key string) bool { return len(key) <= MaxMsgKeyBytes && text.PrintableASCII(key) }

func randomSeq() uint32 {
	var b [4]byte
	rand.Read(b[:]) // crypto/rand.Read never fails
	return binary.BigEndian.Uint32(b[:])
}

// tinyID is a stable number for a UserID, the first part of a MsgId.
func tinyID(user string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(user))
	return h.Sum64() >> 1
}

func c2cKey(from string, seq, random uint32, body []byte) string {
	return hashKey(fmt.Sprintf("send:%s\x00%d\x00%d\x00%s", from, seq, random, body))
}

func hashKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}
