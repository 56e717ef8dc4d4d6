package message

import (
	"context"
	"errors"
	"time"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/topic"
)

// Read state: how far each member has read each stream, and the unread
// count that follows from it. A group stream's messages are numbered 1, 2,
// 3, … without gaps, so the unread count is the stream's last sequence less
// the member's read position: nothing is counted by reading messages.
//
// A member who never marked a stream read has read what it held when they
// joined (the last message sent before their join time); a sender has read
// its own messages (the store moves the sender's position in the
// transaction of the message). A position only moves forward, whichever
// device reports it; set_unread_msg_num alone may move it back.

// ReadStore keeps the read positions.
type ReadStore interface {
	// StreamReads returns, for user in group groupID, the group's own
	// stream and (topicID "") every topic's, or only topicID's: each
	// stream's last sequence and last message time with the position
	// stored for user, if any. ErrNoStream when the group (or the topic)
	// does not exist.
	StreamReads(ctx context.Context, user, groupID, topicID string) ([]StoredRead, error)
	// SeqBefore returns the sequence of the stream's newest message sent
	// before unix time t (0 when there is none).
	SeqBefore(ctx context.Context, groupID, topicID string, t int64) (uint64, error)
	// RaiseRead stores seq as user's position in the stream at unix time
	// at when it is higher than the stored one or the stored one was set
	// before since (an earlier membership's); it returns the position
	// stored afterwards and when it was set.
	RaiseRead(ctx context.Context, user, groupID, topicID string, seq uint64, at, since int64) (StoredRead, error)
	// SetRead stores seq as user's position in the stream, higher or lower.
	SetRead(ctx context.Context, user, groupID, topicID string, seq uint64, at int64) error
	// RaiseC2CRead records that user has read what peer sent it up to unix
	// time t, unless a later time is recorded; it returns the time
	// recorded afterwards.
	RaiseC2CRead(ctx context.Context, user, peer string, t int64) (int64, error)
	// C2CUnread counts the messages, not recalled, that each peer sent user
	// after user's read time of that peer (all of them without one); peers
	// nil counts every peer that has sent user anything, leaving out those
	// with nothing unread.
	C2CUnread(ctx context.Context, user string, peers []string) (map[string]uint64, error)
}

// StoredRead is a stream's state as stored.
type StoredRead struct {
	TopicID     string
	LastSeq     uint64 // the newest message's sequence (0: none yet)
	LastMsgTime int64
	ReadSeq     uint64 // the stored position, when HasRead
	ReadTime    int64  // when it was set
	HasRead     bool
}

// StreamState is where a member stands in one stream.
type StreamState struct {
	GroupID string
	TopicID string // "" for the group's own stream
	ReadSeq uint64 // read up to and including this sequence
	LastSeq uint64 // the stream's newest sequence
	Unread  uint64 // LastSeq - ReadSeq
}

// ReadPositionSet: User has read a stream (a group, or one of its topics)
// up to Seq, leaving Unread. It concerns only User's own sessions, wherever
// they are: the cluster routes it to User's subject, and the hub pushes it
// to User's sessions alone. Nothing is cached of it and no callback is sent.
type ReadPositionSet struct {
	User    string
	GroupID string
	TopicID string `json:",omitempty"`
	Seq     uint64
	Unread  uint64
}

// C2CReadSet: User has read what Peer sent it up to Time (unix seconds),
// leaving Unread of Peer's messages. Only User's sessions hear it.
type C2CReadSet struct {
	User   string
	Peer   string
	Time   int64
	Unread uint64
}

func (ReadPositionSet) Kind() string         { return "message.read_position_set" }
func (c ReadPositionSet) Scope() event.Scope { return event.Scope{Users: []string{c.User}} }
func (ReadPositionSet) Routed()              {}
func (C2CReadSet) Kind() string              { return "message.c2c_read_set" }
func (c C2CReadSet) Scope() event.Scope      { return event.Scope{Users: []string{c.User}} }
func (C2CReadSet) Routed()                   {}

func init() {
	event.Register[ReadPositionSet]()
	event.Register[C2CReadSet]()
}

// MaxUnreadGroups bounds the groups of one unread summary request.
const MaxUnreadGroups = 1000

// MaxC2CUnreadPeers bounds Peer_Account of get_c2c_unread_msg_num.
const MaxC2CUnreadPeers = 10

// Reads applies the read-state rules.
type Reads struct {
	store    ReadStore
	groups   *group.Service
	topics   *topic.Service
	accounts Accounts
	bus      event.Publisher
	now      func() time.Time
}

// NewReads returns the read-state service; bus may be nil, now nil means
// time.Now.
func NewReads(store ReadStore, groups *group.Service, topics *topic.Service, accounts Accounts, bus event.Publisher, now func() time.Time) *Reads {
	if now == nil {
		now = time.Now
	}
	return &Reads{store: store, groups: groups, topics: topics, accounts: accounts, bus: bus, now: now}
}

func (r *Reads) publish(ctx context.Context, c event.Change) {
	if r.bus != nil {
		r.bus.Publish(event.Of(ctx, c, r.now()))
	}
}

// member resolves the stream and user's membership: 10010 for a missing
// group or topic, 10007 when user is not a member.
func (r *Reads) member(ctx context.Context, user, groupID, topicID string) (group.Group, group.Member, error) {
	if err := account.CheckUserID("Member_Account", user, apierr.GroupBadParam); err != nil {
		return group.Group{}, group.Member{}, err
	}
	var g group.Group
	var err error
	if topicID == "" {
		g, err = r.groups.Get(ctx, groupID)
	} else if g, err = r.topics.Community(ctx, groupID); err == nil {
		_, err = r.topics.Get(ctx, g, topicID)
	}
	if err != nil {
		return g, group.Member{}, err
	}
	m, err := r.groups.Member(ctx, g.ID, user)
	if errors.Is(err, group.ErrNoMember) {
		return g, m, apierr.New(apierr.GroupNoPermission, "%s is not a member of %s", user, g.ID)
	}
	return g, m, err
}

// state turns a stored stream into user's state, reading where the stream
// stood at the join when no position of this membership is stored.
func (r *Reads) state(ctx context.Context, groupID string, joined int64, s StoredRead) (StreamState, error) {
	st := StreamState{GroupID: groupID, TopicID: s.TopicID, LastSeq: s.LastSeq}
	switch {
	case s.HasRead && s.ReadTime >= joined:
		st.ReadSeq = s.ReadSeq
	case s.LastSeq == 0 || s.LastMsgTime < joined:
		st.ReadSeq = s.LastSeq // nothing was sent since the join
	default:
		seq, err := r.store.SeqBefore(ctx, groupID, s.TopicID, joined)
		if err != nil {
			return st, err
		}
		st.ReadSeq = seq
	}
	st.ReadSeq = min(st.ReadSeq, st.LastSeq)
	st.Unread = st.LastSeq - st.ReadSeq
	return st, nil
}

func noStream(groupID string, err error) error {
	if errors.Is(err, ErrNoStream) {
		return apierr.New(apierr.GroupNotFound, "group %s or its topic does not exist", groupID)
	}
	return err
}

// MarkRead moves user's position in a stream up to seq (0: its newest
// message) and tells user's sessions. A seq above the stream's newest is
// 10004; a position already higher stays. The answer is the state after.
func (r *Reads) MarkRead(ctx context.Context, user, groupID, topicID string, seq uint64) (StreamState, error) {
	g, m, err := r.member(ctx, user, groupID, topicID)
	if err != nil {
		return StreamState{}, err
	}
	cur, err := r.streams(ctx, g.ID, m, topicID)
	if err != nil {
		return StreamState{}, err
	}
	st := cur[0]
	if seq == 0 {
		seq = st.LastSeq
	}
	if seq > st.LastSeq {
		return st, badParam("seq %d is above the newest message %d of the stream", seq, st.LastSeq)
	}
	if seq <= st.ReadSeq {
		return st, nil // already read that far
	}
	stored, err := r.store.RaiseRead(ctx, user, g.ID, topicID, seq, r.now().Unix(), m.JoinTime)
	if err != nil {
		return st, noStream(g.ID, err)
	}
	st.ReadSeq = max(min(stored.ReadSeq, st.LastSeq), st.ReadSeq)
	st.Unread = st.LastSeq - st.ReadSeq
	r.publish(ctx, ReadPositionSet{User: user, GroupID: g.ID, TopicID: topicID, Seq: st.ReadSeq, Unread: st.Unread})
	return st, nil
}

// SetUnread sets user's unread count of a group's own stream to n
// (set_unread_msg_num): its position becomes the newest sequence less n,
// and n above the stream's message count means all of them. ChatRoom and
// AVChatRoom keep no unread counts: the call succeeds and changes nothing,
// as the hosted service does.
func (r *Reads) SetUnread(ctx context.Context, groupID, user string, n uint64) error {
	if user == "" {
		return badParam("Member_Account is required")
	}
	g, m, err := r.member(ctx, user, groupID, "")
	if err != nil {
		return err
	}
	if g.Type == group.ChatRoom || g.Type == group.AVChatRoom {
		return nil
	}
	cur, err := r.streams(ctx, g.ID, m, "")
	if err != nil {
		return err
	}
	last := cur[0].LastSeq
	seq := last - min(n, last)
	if err := r.store.SetRead(ctx, user, g.ID, "", seq, max(r.now().Unix(), m.JoinTime)); err != nil {
		return noStream(g.ID, err)
	}
	r.publish(ctx, ReadPositionSet{User: user, GroupID: g.ID, Seq: seq, Unread: last - seq})
	return nil
}

// streams returns m's state in the group's own stream and every topic
// (topicID ""), or in topicID alone; the group's own stream comes first.
func (r *Reads) streams(ctx context.Context, groupID string, m group.Member, topicID string) ([]StreamState, error) {
	stored, err := r.store.StreamReads(ctx, m.UserID, groupID, topicID)
	if err != nil {
		return nil, noStream(groupID, err)
	}
	out := make([]StreamState, 0, len(stored))
	for _, s := range stored {
		st, err := r.state(ctx, groupID, m.JoinTime, s)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	if len(out) == 0 {
		return nil, noStream(groupID, ErrNoStream)
	}
	return out, nil
}

// Group returns user's state in a group's own stream and, in a community,
// in each of its topics (the group's own first, then the topics in
// creation order): one indexed read, and one more per stream that has
// messages since the join and was never marked read.
func (r *Reads) Group(ctx context.Context, user, groupID string) ([]StreamState, error) {
	g, m, err := r.member(ctx, user, groupID, "")
	if err != nil {
		return nil, err
	}
	return r.streams(ctx, g.ID, m, "")
}

// Stream returns user's state in one stream.
func (r *Reads) Stream(ctx context.Context, user, groupID, topicID string) (StreamState, error) {
	g, m, err := r.member(ctx, user, groupID, topicID)
	if err != nil {
		return StreamState{}, err
	}
	s, err := r.streams(ctx, g.ID, m, topicID)
	if err != nil {
		return StreamState{}, err
	}
	return s[0], nil
}

// Groups returns user's state in every stream of each of groupIDs (at most
// MaxUnreadGroups) that user is a member of; the others are left out.
func (r *Reads) Groups(ctx context.Context, user string, groupIDs []string) ([]StreamState, error) {
	if len(groupIDs) > MaxUnreadGroups {
		return nil, apierr.New(apierr.GroupTooManyAccounts, "at most %d groups at once", MaxUnreadGroups)
	}
	var out []StreamState
	for _, id := range groupIDs {
		s, err := r.Group(ctx, user, id)
		var ae *apierr.Error
		if errors.As(err, &ae) {
			continue // not a member, or gone meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, s...)
	}
	return out, nil
}

func c2cReadBad(format string, args ...any) error {
	return apierr.New(apierr.MsgBadJSON, format, args...)
}

// checkPair checks a one-to-one pair of accounts: malformed or missing
// IDs are 90001, an account that was never imported 90012.
func (r *Reads) checkPair(ctx context.Context, user, peer string) error {
	if user == "" || peer == "" {
		return c2cReadBad("both accounts of the conversation are required")
	}
	if err := account.CheckUserIDs("the accounts of the conversation", []string{user, peer}, apierr.MsgBadJSON); err != nil {
		return err
	}
	exist, err := r.accounts.ExistingAccounts(ctx, []string{user, peer})
	if err != nil {
		return err
	}
	for _, id := range []string{user, peer} {
		if !exist[id] {
			return apierr.New(apierr.MsgToNotFound, "account %s is not imported", id)
		}
	}
	return nil
}

// MarkC2CRead records that user has read every message peer sent it up to
// unix time t (0: now; admin_set_msg_read) and tells user's sessions. A
// time in the future is now; an earlier time than the one recorded changes
// nothing.
func (r *Reads) MarkC2CRead(ctx context.Context, user, peer string, t int64) (uint64, error) {
	if err := r.checkPair(ctx, user, peer); err != nil {
		return 0, err
	}
	now := r.now().Unix()
	if t < 0 {
		return 0, apierr.New(apierr.MsgBadTimeStamp, "MsgReadTime %d is not a unix time", t)
	}
	if t == 0 || t > now {
		t = now
	}
	got, err := r.store.RaiseC2CRead(ctx, user, peer, t)
	if err != nil {
		return 0, err
	}
	n, err := r.store.C2CUnread(ctx, user, []string{peer})
	if err != nil {
		return 0, err
	}
	r.publish(ctx, C2CReadSet{User: user, Peer: peer, Time: got, Unread: n[peer]})
	return n[peer], nil
}

// C2CUnread returns user's unread one-to-one counts from each of peers (at
// most MaxC2CUnreadPeers; none: every peer with unread messages) and their
// sum over every peer. Peers that are not imported are answered in missing
// with 90012 rather than failing the call.
func (r *Reads) C2CUnread(ctx context.Context, user string, peers []string) (counts map[string]uint64, total uint64, missing []string, err error) {
	if user == "" {
		return nil, 0, nil, c2cReadBad("To_Account is required")
	}
	if len(peers) > MaxC2CUnreadPeers {
		return nil, 0, nil, apierr.New(apierr.MsgTooMany, "Peer_Account holds at most %d accounts", MaxC2CUnreadPeers)
	}
	ids := append([]string{user}, peers...)
	if err := account.CheckUserIDs("To_Account and Peer_Account", ids, apierr.MsgBadJSON); err != nil {
		return nil, 0, nil, err
	}
	exist, err := r.accounts.ExistingAccounts(ctx, ids)
	if err != nil {
		return nil, 0, nil, err
	}
	if !exist[user] {
		return nil, 0, nil, apierr.New(apierr.MsgToNotFound, "account %s is not imported", user)
	}
	all, err := r.store.C2CUnread(ctx, user, nil)
	if err != nil {
		return nil, 0, nil, err
	}
	for _, n := range all {
		total += n
	}
	if len(peers) == 0 {
		return all, total, nil, nil
	}
	counts = make(map[string]uint64, len(peers))
	for _, p := range peers {
		if !exist[p] {
			missing = append(missing, p)
			continue
		}
		counts[p] = all[p]
	}
	return counts, total, missing, nil
}
