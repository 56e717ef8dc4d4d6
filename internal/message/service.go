package message

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"time"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/hook"
	"github.com/hearth-chat/hearth/internal/permission"
	"github.com/hearth-chat/hearth/internal/text"
	"github.com/hearth-chat/hearth/internal/topic"
)

// Limits of group messages.
const (
	DedupeWindow    = 5 * time.Minute // a retried send with the same Random and content within it is the first one
	MaxHistoryPage  = 20              // group_msg_get_simple ReqMsgNumber
	MaxRecallSeqs   = 10              // group_msg_recall MsgSeqList
	MaxRecallReason = 100             // bytes
	MaxCustomData   = 12 * 1024
	PriorityNormal  = "Normal"
)

var priorities = map[string]int{"High": 1, "Normal": 2, "Low": 3, "Lowest": 4}

// PriorityNumber is the numeric MsgPriority of history answers (1 High …
// 4 Lowest).
func PriorityNumber(p string) int {
	if n, ok := priorities[p]; ok {
		return n
	}
	return 2
}

// Service applies the message rules over a Store.
type Service struct {
	store  Store
	groups *group.Service
	topics *topic.Service
	bus    event.Publisher
	now    func() time.Time

	restrict Restrictions // nil: none (WithRestrictions)
}

// NewService returns a Service; bus may be nil, now nil means time.Now.
func NewService(store Store, groups *group.Service, topics *topic.Service, bus event.Publisher, now func() time.Time, opts ...Option) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{store: store, groups: groups, topics: topics, bus: bus, now: now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Option is a collaborator of the Service beyond the required ones.
type Option func(*Service)

// WithRestrictions asks r before every send by a member (the app admin's
// own sends are not restricted).
func WithRestrictions(r Restrictions) Option { return func(s *Service) { s.restrict = r } }

func badParam(format string, args ...any) error {
	return apierr.New(apierr.GroupBadParam, format, args...)
}

// SendRequest is send_group_msg after decoding.
type SendRequest struct {
	GroupID         string
	TopicID         string
	From            string // the sending member; "" sends as Admin
	Admin           string // the app admin who called
	Random          *uint32
	Body            []byte
	Priority        string
	CloudCustomData string
	OnlineOnly      bool // deliver to the online members only; not stored, no seq
	AtAll           bool // GroupAtInfo holds GroupAtAllFlag 1: needs the AtAll permission
	NoBeforeHook    bool // ForbidBeforeSendMsgCallback
	NoAfterHook     bool // ForbidAfterSendMsgCallback
	Extensible      bool // SupportMessageExtension 1: the message takes extensions
}

// stream resolves the group (and topic) a message goes to.
func (s *Service) stream(ctx context.Context, groupID, topicID string) (group.Group, *topic.Topic, error) {
	if topicID == "" {
		g, err := s.groups.Get(ctx, groupID)
		return g, nil, err
	}
	g, err := s.topics.Community(ctx, groupID)
	if err != nil {
		return g, nil, err
	}
	t, err := s.topics.Get(ctx, g, topicID)
	if err != nil {
		return g, nil, err
	}
	return g, &t, nil
}

// Send stores a message in a group or topic (send_group_msg) after the
// sender passed the permission engine and the mute rules; it answers the
// first message for a retried send (same sender, Random and content within
// DedupeWindow). An OK answer means the message is committed.
func (s *Service) Send(ctx context.Context, req SendRequest) (Message, error) {
	g, t, err := s.stream(ctx, req.GroupID, req.TopicID)
	if err != nil {
		return Message{}, err
	}
	if req.Random == nil {
		return Message{}, badParam("Random is required")
	}
	body, err := CheckBody(req.Body, apierr.GroupBadParam, apierr.MessageTooLong)
	if err != nil {
		return Message{}, err
	}
	if req.Priority == "" {
		req.Priority = PriorityNormal
	}
	if _, ok := priorities[req.Priority]; !ok {
		return Message{}, badParam("MsgPriority must be High, Normal, Low or Lowest")
	}
	if len(req.CloudCustomData) > MaxCustomData {
		return Message{}, apierr.New(apierr.MessageTooLong, "CloudCustomData is longer than %d bytes", MaxCustomData)
	}
	if p := text.Problem(req.CloudCustomData); p != "" {
		return Message{}, badParam("CloudCustomData %s", p)
	}
	actor, err := s.groups.Operator(ctx, g.ID, req.From)
	if err != nil {
		return Message{}, err
	}
	if t != nil {
		err = s.topics.CheckPost(ctx, g, *t, actor)
	} else {
		err = s.groups.CheckPost(ctx, g, actor)
	}
	if err != nil {
		return Message{}, err
	}
	if actor.UserID != "" && s.restrict != nil { // the global group mute, before the callback
		if err := s.restrict.CheckGroup(ctx, actor.UserID); err != nil {
			return Message{}, err
		}
	}
	if req.AtAll && actor.UserID != "" {
		topicID := ""
		if t != nil {
			topicID = t.ID
		}
		if err := s.groups.Authorize(ctx, g, actor, permission.AtAll, "", topicID); err != nil {
			return Message{}, err
		}
	}
	if req.OnlineOnly && g.Type == group.AVChatRoom {
		return Message{}, badParam("OnlineOnlyFlag does not apply to AVChatRoom groups")
	}
	from := req.From
	if from == "" {
		from = req.Admin
	}
	now := s.now()
	if !req.NoBeforeHook {
		if b := s.groups.Before(); hook.On(b, hook.BeforeSendGroupMsg) {
			reply, err := b.Ask(ctx, SendQuestion{GroupID: g.ID, GroupType: g.Type, TopicID: req.TopicID, From: from,
				Random: *req.Random, OnlineOnly: req.OnlineOnly, Body: body, CloudCustomData: req.CloudCustomData})
			if err != nil {
				return Message{}, err
			}
			if reply.Drop { // the app dropped it silently: the sender sees success
				return Message{GroupID: g.ID, TopicID: req.TopicID, From: from, Random: *req.Random, Time: now.Unix(), Priority: req.Priority}, nil
			}
			body, req.CloudCustomData = replaced(reply, body, req.CloudCustomData)
		}
	}
	if req.OnlineOnly {
		m := Message{GroupID: g.ID, TopicID: req.TopicID, From: from, Random: *req.Random, Time: now.Unix(), Priority: req.Priority, Body: body, CloudCustomData: req.CloudCustomData}
		if s.bus != nil {
			s.bus.Publish(event.Of(ctx, Sent{Message: m, GroupType: g.Type, Quiet: req.NoAfterHook}, now))
		}
		return m, nil
	}
	m := Message{GroupID: g.ID, TopicID: req.TopicID, From: from, Random: *req.Random, Time: now.Unix(),
		Priority: req.Priority, Body: body, CloudCustomData: req.CloudCustomData}
	stored, dup, err := s.store.AppendGroupMessage(ctx, m, dedupeKey(from, *req.Random, body), now.Add(-DedupeWindow).Unix())
	if errors.Is(err, ErrNoStream) {
		return Message{}, apierr.New(apierr.GroupNotFound, "group or topic was destroyed while the message was sent")
	}
	if err != nil {
		return Message{}, err
	}
	if req.Extensible { // also for a retry: the first try may have stopped before it
		if err := s.store.EnableExtension(ctx, ExtRef{GroupID: stored.GroupID, TopicID: stored.TopicID, Seq: stored.Seq}); err != nil {
			return Message{}, err
		}
	}
	if !dup && s.bus != nil {
		s.bus.Publish(event.Of(ctx, Sent{Message: stored, GroupType: g.Type, Quiet: req.NoAfterHook}, now))
	}
	return stored, nil
}

// replaced applies a send callback's replacements of MsgBody and
// CloudCustomData; a replacement body that is not a valid MsgBody is
// ignored (the callback fails open).
func replaced(r hook.Reply, body []byte, custom string) ([]byte, string) {
	if r.MsgBody != nil {
		if b, err := CheckBody(r.MsgBody, apierr.GroupBadParam, apierr.MessageTooLong); err == nil {
			body = b
		}
	}
	if r.CloudCustomData != nil && len(*r.CloudCustomData) <= MaxCustomData && text.Problem(*r.CloudCustomData) == "" {
		custom = *r.CloudCustomData
	}
	return body, custom
}

// dedupeKey identifies a send for de-duplication: sender, Random and content.
func dedupeKey(from string, random uint32, body []byte) string {
	h := sha256.New()
	h.Write([]byte(from))
	h.Write([]byte{0})
	var r [4]byte
	binary.BigEndian.PutUint32(r[:], random)
	h.Write(r[:])
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// History returns up to n messages of a stream with Seq <= maxSeq (0,
// sent or not: the newest), newest first (group_msg_get_simple); recalled
// ones only with withRecalled. finished reports that nothing older remains.
// n is required; more than MaxHistoryPage asks for MaxHistoryPage.
func (s *Service) History(ctx context.Context, groupID, topicID string, maxSeq uint64, n int, withRecalled bool) ([]Message, bool, error) {
	if _, _, err := s.stream(ctx, groupID, topicID); err != nil {
		return nil, false, err
	}
	if n < 1 {
		return nil, false, badParam("ReqMsgNumber is required: 1..%d", MaxHistoryPage)
	}
	n = min(n, MaxHistoryPage)
	var out []Message
	for {
		page, err := s.store.GroupMessages(ctx, groupID, topicID, maxSeq, n)
		if err != nil {
			return nil, false, err
		}
		for _, m := range page {
			if m.Recalled && !withRecalled {
				continue
			}
			out = append(out, m)
			if len(out) == n {
				return out, m.Seq <= 1, nil
			}
		}
		if len(page) < n || page[len(page)-1].Seq <= 1 {
			return out, true, nil
		}
		maxSeq = page[len(page)-1].Seq - 1
	}
}

// RecallResult is the outcome for one sequence of group_msg_recall.
type RecallResult struct {
	Seq  uint64
	Code int
}

// Recall recalls messages of a stream (group_msg_recall): per sequence 0 or
// 10030 for a message that does not exist or was recalled already.
func (s *Service) Recall(ctx context.Context, groupID, topicID string, seqs []uint64, reason string) ([]RecallResult, error) {
	g, _, err := s.stream(ctx, groupID, topicID)
	if err != nil {
		return nil, err
	}
	if len(seqs) == 0 {
		return nil, badParam("MsgSeqList is empty")
	}
	if len(seqs) > MaxRecallSeqs {
		return nil, badParam("at most %d sequences in MsgSeqList", MaxRecallSeqs)
	}
	if len(reason) > MaxRecallReason {
		return nil, badParam("Reason is longer than %d bytes", MaxRecallReason)
	}
	if p := text.Problem(reason); p != "" {
		return nil, badParam("Reason %s", p)
	}
	st, err := s.store.RecallGroupMessages(ctx, g.ID, topicID, seqs)
	if err != nil {
		return nil, err
	}
	out := make([]RecallResult, len(seqs))
	var done []uint64
	for i, x := range st {
		out[i].Seq = seqs[i]
		if x == Recalled {
			done = append(done, seqs[i])
		} else {
			out[i].Code = apierr.GroupMsgNotFound
		}
	}
	if len(done) > 0 && s.bus != nil {
		s.bus.Publish(event.Of(ctx, GroupRecalled{GroupID: g.ID, GroupType: g.Type, TopicID: topicID, Seqs: done}, s.now()))
	}
	return out, nil
}

// Since returns the messages of a stream after afterSeq, oldest first, at
// most limit, for user's resume: user must be a member of the group (the
// app admin's streams are not synced). Recalled messages are included
// (their recall event may have been missed too).
func (s *Service) Since(ctx context.Context, user, groupID, topicID string, afterSeq uint64, limit int) ([]Message, error) {
	g, _, err := s.stream(ctx, groupID, topicID)
	if err != nil {
		return nil, err
	}
	if _, err := s.groups.Member(ctx, g.ID, user); err != nil {
		if errors.Is(err, group.ErrNoMember) {
			return nil, apierr.New(apierr.GroupNoPermission, "%s is not a member of %s", user, g.ID)
		}
		return nil, err
	}
	var newest []Message // newest first
	maxSeq := uint64(0)
	for len(newest) < limit {
		page, err := s.store.GroupMessages(ctx, g.ID, topicID, maxSeq, min(limit-len(newest), 200))
		if err != nil {
			return nil, err
		}
		done := false
		for _, m := range page {
			if m.Seq <= afterSeq {
				done = true
				break
			}
			newest = append(newest, m)
		}
		if done || len(page) == 0 || page[len(page)-1].Seq <= 1 {
			break
		}
		maxSeq = page[len(page)-1].Seq - 1
	}
	out := make([]Message, len(newest))
	for i, m := range newest {
		out[len(newest)-1-i] = m
	}
	return out, nil
}
