package conversation

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
)

// Limits of the conversation list.
const (
	// PageSize is the most conversations one get_list page holds (pinned
	// ones on a first page without FlagPinnedPages come on top of it).
	PageSize = 100
	// MaxPinned is the most conversations a user may have pinned, as the
	// hosted clients allow.
	MaxPinned = 50
	// MaxTopItems is the most conversations one recentcontact/top call
	// names.
	MaxTopItems = MaxPinned
)

// AssistFlags bits of get_list.
const (
	FlagPinned      = 1 << 0 // pinned conversations first, each flagged
	FlagEmpty       = 1 << 1 // conversations without a message too
	FlagPinnedPages = 1 << 2 // pinned conversations paged by their own cursor
)

// Accounts is what the rules need to know about accounts.
type Accounts interface {
	ExistingAccounts(ctx context.Context, ids []string) (map[string]bool, error)
}

// Members is what the rules need to know about groups: whether a user is a
// member of one (group.ErrNoMember when not).
type Members interface {
	Member(ctx context.Context, groupID, userID string) (group.Member, error)
}

// Service applies the conversation-list rules over a Store.
type Service struct {
	store    Store
	accounts Accounts
	members  Members
	unread   UnreadCounter // nil: Unread is left nil
	bus      event.Publisher
	now      func() time.Time
}

// NewService returns a Service. unread and bus may be nil; now nil means
// time.Now.
func NewService(store Store, accounts Accounts, members Members, unread UnreadCounter, bus event.Publisher, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, accounts: accounts, members: members, unread: unread, bus: bus, now: now}
}

func badParam(format string, args ...any) error {
	return apierr.New(apierr.RecentBadParam, format, args...)
}

// Cursor is where a page of one part of the list (the pinned or the other
// conversations) starts: after Index conversations with Time == Time of
// those with Time <= Time; the zero Cursor is the first page.
type Cursor struct {
	Time  int64 // TimeStamp, TopTimeStamp
	Index int   // StartIndex, TopStartIndex
}

func (c Cursor) start() bool { return c.Time == 0 && c.Index == 0 }

// maxTime is the latest Time the page starting at c holds.
func (c Cursor) maxTime() int64 {
	if c.start() {
		return math.MaxInt64
	}
	return c.Time
}

// after returns the cursor of the page after items, which started at c.
func (c Cursor) after(items []Conversation) Cursor {
	if len(items) == 0 {
		return c
	}
	last := items[len(items)-1].Time
	n := 0
	for i := len(items) - 1; i >= 0 && items[i].Time == last; i-- {
		n++
	}
	if !c.start() && c.Time == last { // the whole page had the cursor's time
		n += c.Index
	}
	return Cursor{Time: last, Index: n}
}

// ListRequest is get_list after decoding.
type ListRequest struct {
	User   string
	Normal Cursor // TimeStamp, StartIndex
	Pinned Cursor // TopTimeStamp, TopStartIndex
	Flags  int    // AssistFlags
	Limit  int    // at most this many (up to PageSize); 0: PageSize
}

// Page is one page of a user's list and the cursors of the next.
type Page struct {
	Items    []Conversation
	Complete bool // nothing after this page
	Normal   Cursor
	Pinned   Cursor
}

// checkUser refuses a malformed or unknown UserID.
func (s *Service) checkUser(ctx context.Context, field, id string) error {
	if err := account.CheckUserID(field, id, apierr.RecentBadParam); err != nil {
		return err
	}
	exist, err := s.accounts.ExistingAccounts(ctx, []string{id})
	if err != nil {
		return err
	}
	if !exist[id] {
		return apierr.New(apierr.RecentNoAccount, "%s %s is not imported", field, id)
	}
	return nil
}

func checkCursor(c Cursor, timeField, indexField string) error {
	if c.Time < 0 {
		return badParam("%s must not be negative", timeField)
	}
	if c.Index < 0 {
		return badParam("%s must not be negative", indexField)
	}
	return nil
}

// List returns a page of req.User's conversations (recentcontact/get_list),
// newest message first. With FlagPinned the pinned ones come first: all of
// them on the first page, or, with FlagPinnedPages too, paged by the Pinned
// cursor and counted in the page; the others follow, paged by the Normal
// cursor. Without FlagPinned the list is one order and Pinned still says
// which are pinned. Without FlagEmpty conversations with no message are
// left out. A conversation whose last message moves on while the client
// pages shows at the top of a fresh first page.
func (s *Service) List(ctx context.Context, req ListRequest) (Page, error) {
	if err := checkCursor(req.Normal, "TimeStamp", "StartIndex"); err != nil {
		return Page{}, err
	}
	if err := checkCursor(req.Pinned, "TopTimeStamp", "TopStartIndex"); err != nil {
		return Page{}, err
	}
	if req.Flags < 0 {
		return Page{}, badParam("AssistFlags must not be negative")
	}
	if err := s.checkUser(ctx, "From_Account", req.User); err != nil {
		return Page{}, err
	}
	limit := req.Limit
	if limit <= 0 || limit > PageSize {
		limit = PageSize
	}
	empty := req.Flags&FlagEmpty != 0
	page := Page{Normal: req.Normal, Pinned: req.Pinned}
	var pinnedOnly *bool // Query.Pinned of the other conversations
	room := limit
	if req.Flags&FlagPinned != 0 {
		pinnedOnly = new(false)
		pinLimit, fetch := MaxPinned, req.Normal.start()
		if req.Flags&FlagPinnedPages != 0 {
			pinLimit, fetch = limit, true
		}
		if fetch {
			got, err := s.store.Conversations(ctx, req.User, Query{Pinned: new(true), MaxTime: req.Pinned.maxTime(),
				Offset: req.Pinned.Index, Limit: pinLimit + 1, Empty: empty})
			if err != nil {
				return Page{}, err
			}
			more := len(got) > pinLimit
			got = got[:min(len(got), pinLimit)]
			page.Items, page.Pinned = got, req.Pinned.after(got)
			if req.Flags&FlagPinnedPages != 0 {
				if more {
					return s.filled(ctx, req.User, page)
				}
				room -= len(got)
			}
		}
	}
	// One more than there is room for says whether anything follows.
	got, err := s.store.Conversations(ctx, req.User, Query{Pinned: pinnedOnly, MaxTime: req.Normal.maxTime(),
		Offset: req.Normal.Index, Limit: room + 1, Empty: empty})
	if err != nil {
		return Page{}, err
	}
	page.Complete = len(got) <= room
	got = got[:min(len(got), room)]
	page.Items, page.Normal = append(page.Items, got...), req.Normal.after(got)
	return s.filled(ctx, req.User, page)
}

// filled fills the page's unread counts when the service has a counter.
func (s *Service) filled(ctx context.Context, user string, p Page) (Page, error) {
	if s.unread != nil && len(p.Items) > 0 {
		if err := s.unread.FillUnread(ctx, user, p.Items); err != nil {
			return Page{}, err
		}
	}
	return p, nil
}

// checkRef refuses a ref of an unknown type or with a malformed ID; field
// names its ID in the error (To_Account, GroupId or ToGroupid).
func checkRef(r Ref, groupField string) error {
	switch r.Type {
	case C2C:
		return account.CheckUserID("To_Account", r.ID, apierr.RecentBadParam)
	case Group:
		if r.ID == "" {
			return badParam("%s is required for Type %d", groupField, Group)
		}
		if !group.ValidID(r.ID) {
			return badParam("%s %q is not a group ID", groupField, r.ID)
		}
		return nil
	default:
		return badParam("Type must be %d (one-to-one) or %d (group), not %d", C2C, Group, r.Type)
	}
}

// OperationType values of recentcontact/top.
const (
	OpPin   = 1
	OpUnpin = 2
)

// PinRequest is recentcontact/top after decoding.
type PinRequest struct {
	User      string
	Operation int // OpPin or OpUnpin
	Refs      []Ref
}

// Pin pins or unpins conversations of req.User (recentcontact/top): at
// most MaxTopItems at once and MaxPinned pinned in all. A conversation is
// pinned even before it has a message (it is then an empty one); pinning
// needs the peer's account, or req.User's membership of the group.
func (s *Service) Pin(ctx context.Context, req PinRequest) error {
	if req.Operation != OpPin && req.Operation != OpUnpin {
		return badParam("OperationType must be %d (pin) or %d (unpin)", OpPin, OpUnpin)
	}
	pin := req.Operation == OpPin
	if len(req.Refs) == 0 {
		return badParam("RecentContactItem is required")
	}
	if len(req.Refs) > MaxTopItems {
		return badParam("at most %d conversations in RecentContactItem", MaxTopItems)
	}
	for i, r := range req.Refs {
		if err := checkRef(r, "GroupId"); err != nil {
			e, _ := apierr.As(err)
			return apierr.New(e.Code, "RecentContactItem[%d]: %s", i, e.Info)
		}
	}
	if err := s.checkUser(ctx, "From_Account", req.User); err != nil {
		return err
	}
	at := int64(0)
	if pin {
		at = max(s.now().Unix(), 1)
		if err := s.checkPinnable(ctx, req.User, req.Refs); err != nil {
			return err
		}
	}
	err := s.store.Pin(ctx, req.User, req.Refs, at, MaxPinned)
	if errors.Is(err, ErrTooManyPinned) {
		return badParam("at most %d conversations can be pinned", MaxPinned)
	}
	if err != nil {
		return fmt.Errorf("pin conversations of %s: %w", req.User, err)
	}
	if s.bus != nil {
		s.bus.Publish(event.Of(ctx, Pinned{User: req.User, Refs: req.Refs, Pinned: pin}, s.now()))
	}
	return nil
}

// checkPinnable refuses a peer that is not an account, and a group that
// user is not a member of.
func (s *Service) checkPinnable(ctx context.Context, user string, refs []Ref) error {
	var peers []string
	for _, r := range refs {
		if r.Type == C2C {
			peers = append(peers, r.ID)
			continue
		}
		_, err := s.members.Member(ctx, r.ID, user)
		if errors.Is(err, group.ErrNoMember) || errors.Is(err, group.ErrNotFound) {
			return badParam("%s is not a member of group %s", user, r.ID)
		}
		if err != nil {
			return err
		}
	}
	if len(peers) == 0 {
		return nil
	}
	exist, err := s.accounts.ExistingAccounts(ctx, peers)
	if err != nil {
		return err
	}
	for _, p := range peers {
		if !exist[p] {
			return apierr.New(apierr.RecentNoAccount, "To_Account %s is not imported", p)
		}
	}
	return nil
}

// DeleteRequest is recentcontact/delete after decoding.
type DeleteRequest struct {
	User        string
	Ref         Ref
	ClearRamble int // 0 or 1
}

// Delete removes a conversation from req.User's list (recentcontact/delete)
// until a newer message arrives in it; it is unpinned too. The messages
// stay: ClearRamble 1 is accepted, but the history is shared by both
// sides and is not cleared for one of them.
func (s *Service) Delete(ctx context.Context, req DeleteRequest) error {
	if err := checkRef(req.Ref, "ToGroupid"); err != nil {
		return err
	}
	if req.ClearRamble != 0 && req.ClearRamble != 1 {
		return badParam("ClearRamble must be 0 or 1")
	}
	if err := s.checkUser(ctx, "From_Account", req.User); err != nil {
		return err
	}
	if err := s.store.Delete(ctx, req.User, req.Ref); err != nil {
		return fmt.Errorf("delete conversation of %s: %w", req.User, err)
	}
	if s.bus != nil {
		s.bus.Publish(event.Of(ctx, Deleted{User: req.User, Ref: req.Ref}, s.now()))
	}
	return nil
}
