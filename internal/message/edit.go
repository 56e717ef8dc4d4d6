package message

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/permission"
	"github.com/hearth-chat/hearth/internal/text"
)

// Edit is what an edit writes over a stored message: a new MsgBody and/or
// CloudCustomData (nil keeps the stored one) and the edit's time (unix
// seconds), which becomes the message's EditTime.
type Edit struct {
	Body            json.RawMessage
	CloudCustomData *string
	Time            int64
}

// EditStatus is what an edit found in the store.
type EditStatus int

// Edit statuses.
const (
	Edited       EditStatus = iota // changed in place
	EditNotFound                   // no such message
	EditRecalled                   // the message was recalled: left as it is
)

// GroupEditStore is the storage group-message edits need (part of Store).
type GroupEditStore interface {
	// EditGroupMessage writes e over the message seq of a stream in one
	// statement, unless it is recalled, and returns the message as stored
	// afterwards (Seq, sender and time unchanged).
	EditGroupMessage(ctx context.Context, groupID, topicID string, seq uint64, e Edit) (Message, EditStatus, error)
}

// C2CEditStore is the storage one-to-one edits need (part of C2CStore).
type C2CEditStore interface {
	// C2CByKey returns the message with key sent by from to to.
	C2CByKey(ctx context.Context, from, to, key string) (C2CMessage, bool, error)
	// EditC2C writes e over the message with key sent by from to to,
	// unless it is recalled, and returns it as stored afterwards (MsgKey
	// unchanged).
	EditC2C(ctx context.Context, from, to, key string, e Edit) (C2CMessage, EditStatus, error)
}

// GroupEdited: a group or topic message was edited in place (Message as
// stored after the edit). Operator is the member who edited it, "" for the
// app admin.
type GroupEdited struct {
	Message   Message
	GroupType group.Type
	Operator  string `json:",omitempty"`
}

// C2CEdited: a one-to-one message was edited in place. Operator is the
// sender who edited it, or the app admin who called modify_c2c_msg.
type C2CEdited struct {
	Message  C2CMessage
	Operator string
}

func (GroupEdited) Kind() string { return "message.group_edited" }
func (C2CEdited) Kind() string   { return "message.c2c_edited" }

func (c GroupEdited) Scope() event.Scope {
	return event.Scope{GroupID: c.Message.GroupID, TopicID: c.Message.TopicID}
}
func (c C2CEdited) Scope() event.Scope {
	return event.Scope{Users: []string{c.Message.From, c.Message.To}}
}

func (GroupEdited) Routed() {}
func (C2CEdited) Routed()   {}

func init() {
	event.Register[GroupEdited]()
	event.Register[C2CEdited]()
}

// editCodes are the API codes of one edit path: a malformed request, a
// malformed MsgBody, an oversized one.
type editCodes struct{ bad, badBody, tooLong int }

var (
	// openimCodes: modify_group_msg and modify_c2c_msg are openim
	// commands and answer with its codes.
	openimCodes = editCodes{apierr.MsgBadJSON, apierr.MsgBadBody, apierr.MsgTooLong}
	// socketCodes: a member's edit over the socket answers as its send does.
	socketCodes = editCodes{apierr.GroupBadParam, apierr.GroupBadParam, apierr.MessageTooLong}
)

// checkEdit validates what an edit writes: at least one of body and custom,
// a valid MsgBody, CloudCustomData of at most MaxCustomData bytes.
func checkEdit(body json.RawMessage, custom *string, codes editCodes, now int64) (Edit, error) {
	e := Edit{CloudCustomData: custom, Time: now}
	if body == nil && custom == nil {
		return e, apierr.New(codes.bad, "nothing to modify: give MsgBody, CloudCustomData or both")
	}
	if body != nil {
		b, err := CheckBody(body, codes.badBody, codes.tooLong)
		if err != nil {
			return e, err
		}
		e.Body = b
	}
	if custom != nil {
		if len(*custom) > MaxCustomData {
			return e, apierr.New(codes.tooLong, "CloudCustomData is longer than %d bytes", MaxCustomData)
		}
		if p := text.Problem(*custom); p != "" {
			return e, apierr.New(codes.bad, "CloudCustomData %s", p)
		}
	}
	return e, nil
}

// ModifyRequest is modify_group_msg after decoding: Body and
// CloudCustomData nil when absent.
type ModifyRequest struct {
	GroupID         string
	TopicID         string
	Seq             uint64
	Body            json.RawMessage
	CloudCustomData *string
}

// Modify overwrites the MsgBody and/or CloudCustomData of a stored message
// of a group or topic in place (modify_group_msg, by the app admin): its
// sequence, sender and time stay; history and sync return it with its edit
// time. Not in an AVChatRoom (no history); a message that does not exist
// or was recalled answers 10030.
func (s *Service) Modify(ctx context.Context, req ModifyRequest) (Message, error) {
	g, _, err := s.stream(ctx, req.GroupID, req.TopicID)
	if err != nil {
		return Message{}, err
	}
	if g.Type == group.AVChatRoom {
		return Message{}, apierr.New(apierr.GroupNoPermission, "AVChatRoom groups keep no history to modify")
	}
	if req.Seq == 0 {
		return Message{}, apierr.New(apierr.MsgBadJSON, "MsgSeq is required (a positive integer)")
	}
	e, err := checkEdit(req.Body, req.CloudCustomData, openimCodes, s.now().Unix())
	if err != nil {
		return Message{}, err
	}
	if _, err := s.stored(ctx, g.ID, req.TopicID, req.Seq); err != nil {
		return Message{}, err
	}
	return s.edit(ctx, g, req.TopicID, req.Seq, e, "")
}

// EditOwn overwrites the MsgBody of one's own message of a group or topic
// (a member over the socket), under the stream's rules for sending
// (membership, the permission engine's SendMessage, mutes) and its
// EditOwnMessage permission.
func (s *Service) EditOwn(ctx context.Context, user, groupID, topicID string, seq uint64, body json.RawMessage) (Message, error) {
	g, t, err := s.stream(ctx, groupID, topicID)
	if err != nil {
		return Message{}, err
	}
	if seq == 0 {
		return Message{}, badParam("seq is required")
	}
	if body == nil {
		return Message{}, badParam("msg_body is required")
	}
	e, err := checkEdit(body, nil, socketCodes, s.now().Unix())
	if err != nil {
		return Message{}, err
	}
	actor := group.Actor{UserID: user}
	if t != nil {
		err = s.topics.CheckPost(ctx, g, *t, actor)
	} else {
		err = s.groups.CheckPost(ctx, g, actor)
	}
	if err != nil {
		return Message{}, err
	}
	if err := s.groups.Authorize(ctx, g, actor, permission.EditOwnMessage, "", topicID); err != nil {
		return Message{}, err
	}
	m, err := s.stored(ctx, g.ID, topicID, seq)
	if err != nil {
		return Message{}, err
	}
	if m.From != user {
		return Message{}, apierr.New(apierr.GroupNoPermission, "%s may edit only its own messages; message %d is %s's", user, seq, m.From)
	}
	return s.edit(ctx, g, topicID, seq, e, user)
}

// RecallAs recalls one message of a group or topic for a member over the
// socket: its own under EditOwnMessage, another member's under
// RecallOthers (an admin, or a permission group's RevokeOthers bits). A
// muted member may still take its own message back.
func (s *Service) RecallAs(ctx context.Context, user, groupID, topicID string, seq uint64) error {
	g, _, err := s.stream(ctx, groupID, topicID)
	if err != nil {
		return err
	}
	if seq == 0 {
		return badParam("seq is required")
	}
	if _, err := s.groups.Member(ctx, g.ID, user); err != nil {
		if errors.Is(err, group.ErrNoMember) {
			return apierr.New(apierr.GroupNoPermission, "%s is not a member of %s", user, g.ID)
		}
		return err
	}
	m, err := s.stored(ctx, g.ID, topicID, seq)
	if err != nil {
		return err
	}
	action := permission.EditOwnMessage
	if m.From != user {
		action = permission.RecallOthers
	}
	if err := s.groups.Authorize(ctx, g, group.Actor{UserID: user}, action, "", topicID); err != nil {
		return err
	}
	st, err := s.store.RecallGroupMessages(ctx, g.ID, topicID, []uint64{seq})
	if err != nil {
		return err
	}
	if st[0] != Recalled {
		return apierr.New(apierr.GroupMsgNotFound, "message %d was recalled already", seq)
	}
	if s.bus != nil {
		s.bus.Publish(event.Of(ctx, GroupRecalled{GroupID: g.ID, GroupType: g.Type, TopicID: topicID, Seqs: []uint64{seq}, Operator: user}, s.now()))
	}
	return nil
}

// stored returns the message seq of a stream: 10030 when there is none or
// it was recalled.
func (s *Service) stored(ctx context.Context, groupID, topicID string, seq uint64) (Message, error) {
	list, err := s.store.GroupMessages(ctx, groupID, topicID, seq, 1)
	if err != nil {
		return Message{}, err
	}
	if len(list) == 0 || list[0].Seq != seq {
		return Message{}, apierr.New(apierr.GroupMsgNotFound, "no message %d in this stream", seq)
	}
	if list[0].Recalled {
		return Message{}, apierr.New(apierr.GroupMsgNotFound, "message %d was recalled", seq)
	}
	return list[0], nil
}

// edit writes e and publishes the change; a message recalled or gone
// since it was read answers 10030.
func (s *Service) edit(ctx context.Context, g group.Group, topicID string, seq uint64, e Edit, operator string) (Message, error) {
	m, st, err := s.store.EditGroupMessage(ctx, g.ID, topicID, seq, e)
	if err != nil {
		return Message{}, err
	}
	switch st {
	case EditNotFound:
		return Message{}, apierr.New(apierr.GroupMsgNotFound, "no message %d in this stream", seq)
	case EditRecalled:
		return Message{}, apierr.New(apierr.GroupMsgNotFound, "message %d was recalled", seq)
	}
	if s.bus != nil {
		s.bus.Publish(event.Of(ctx, GroupEdited{Message: m, GroupType: g.Type, Operator: operator}, s.now()))
	}
	return m, nil
}

// Modify overwrites the MsgBody and/or CloudCustomData of a stored
// one-to-one message in place (modify_c2c_msg, by the app admin): its
// MsgKey, sequence and time stay.
func (c *C2C) Modify(ctx context.Context, admin, from, to, key string, body json.RawMessage, custom *string) (C2CMessage, error) {
	if from == "" || to == "" || key == "" {
		return C2CMessage{}, c2cBad(apierr.MsgBadJSON, "From_Account, To_Account and MsgKey are required")
	}
	if err := account.CheckUserIDs("From_Account and To_Account", []string{from, to}, apierr.MsgBadJSON); err != nil {
		return C2CMessage{}, err
	}
	return c.editC2C(ctx, admin, from, to, key, body, custom)
}

// EditOwn overwrites the MsgBody of a one-to-one message user sent to peer
// (over the socket): only the sender edits, so a key of a message peer sent
// is not found.
func (c *C2C) EditOwn(ctx context.Context, user, peer, key string, body json.RawMessage) (C2CMessage, error) {
	if peer == "" || key == "" {
		return C2CMessage{}, c2cBad(apierr.MsgBadJSON, "to and msg_key are required")
	}
	if err := account.CheckUserIDs("to", []string{peer}, apierr.MsgBadTo); err != nil {
		return C2CMessage{}, err
	}
	if body == nil {
		return C2CMessage{}, c2cBad(apierr.MsgBadBody, "msg_body is required")
	}
	return c.editC2C(ctx, user, user, peer, key, body, nil)
}

// RecallOwn recalls a one-to-one message user sent to peer (over the
// socket), as admin_msgwithdraw does.
func (c *C2C) RecallOwn(ctx context.Context, user, peer, key string) error {
	return c.Withdraw(ctx, user, peer, key)
}

func (c *C2C) editC2C(ctx context.Context, operator, from, to, key string, body json.RawMessage, custom *string) (C2CMessage, error) {
	if !validMsgKey(key) {
		return C2CMessage{}, c2cBad(apierr.MsgBadJSON, "MsgKey must be 1–%d bytes of printable ASCII", MaxMsgKeyBytes)
	}
	e, err := checkEdit(body, custom, openimCodes, c.now().Unix())
	if err != nil {
		return C2CMessage{}, err
	}
	old, found, err := c.store.C2CByKey(ctx, from, to, key)
	if err != nil {
		return C2CMessage{}, err
	}
	if !found {
		return C2CMessage{}, c2cBad(apierr.MsgBadJSON, "no message %s from %s to %s", key, from, to)
	}
	if old.Recalled {
		return C2CMessage{}, c2cBad(apierr.MsgBadJSON, "message %s was recalled", key)
	}
	m, st, err := c.store.EditC2C(ctx, from, to, key, e)
	if err != nil {
		return C2CMessage{}, err
	}
	switch st {
	case EditNotFound:
		return C2CMessage{}, c2cBad(apierr.MsgBadJSON, "no message %s from %s to %s", key, from, to)
	case EditRecalled:
		return C2CMessage{}, c2cBad(apierr.MsgBadJSON, "message %s was recalled", key)
	}
	if c.bus != nil {
		c.bus.Publish(event.Of(ctx, C2CEdited{Message: m, Operator: operator}, c.now()))
	}
	return m, nil
}
