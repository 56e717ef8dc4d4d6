package presence

import (
	"context"
	"errors"
	"strconv"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/group"
)

// Limits of the questions about presence.
const (
	MaxQuery = 500 // query_online_status: UserIDs per call (its page: at most 500)
	// GroupPage is how many members of a group one presence request looks
	// at: it answers the online ones among them and a cursor to the next.
	GroupPage = group.MaxMemberPage
	// MaxWatch is how many users one session may subscribe to, whether
	// named or as the members of a group (a group of more members cannot
	// be subscribed to as a whole).
	MaxWatch = 200
)

// Accounts is what the service asks of accounts.
type Accounts interface {
	Existing(ctx context.Context, ids []string) (map[string]bool, error)
}

// Groups is what the service asks of groups.
type Groups interface {
	Get(ctx context.Context, id string) (group.Group, error)
	Member(ctx context.Context, groupID, userID string) (group.Member, error)
	Members(ctx context.Context, req group.MemberPageRequest) (group.MemberPage, error)
}

// Service answers the questions about who is online.
type Service struct {
	tracker  *Tracker
	accounts Accounts
	groups   Groups
}

// NewService returns the service over a node's tracker.
func NewService(t *Tracker, a Accounts, g Groups) *Service {
	return &Service{tracker: t, accounts: a, groups: g}
}

// Tracker is the node's tracker.
func (s *Service) Tracker() *Tracker { return s.tracker }

// ItemError is a UserID a query could not answer, with its code.
type ItemError struct {
	User string
	Code int
}

// Query answers query_online_status: the status of each existing account
// of ids, in their order, and the code of each other one (70107 for an
// account that does not exist, 70402 for a malformed UserID).
func (s *Service) Query(ctx context.Context, ids []string) ([]Status, []ItemError, error) {
	if len(ids) == 0 {
		return nil, nil, apierr.New(apierr.AccountBadParam, "To_Account is required: 1 to %d UserIDs", MaxQuery)
	}
	if len(ids) > MaxQuery {
		return nil, nil, apierr.New(apierr.AccountBadParam, "To_Account holds %d UserIDs; at most %d per call", len(ids), MaxQuery)
	}
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if account.ValidUserID(id) {
			valid = append(valid, id)
		}
	}
	exist, err := s.accounts.Existing(ctx, valid)
	if err != nil {
		return nil, nil, err
	}
	var found []string
	var bad []ItemError
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		switch {
		case seen[id]: // asked twice: answered once
		case !account.ValidUserID(id):
			bad = append(bad, ItemError{User: id, Code: apierr.AccountBadParam})
		case !exist[id]:
			bad = append(bad, ItemError{User: id, Code: apierr.AccountNotFound})
		default:
			found = append(found, id)
		}
		seen[id] = true
	}
	return s.tracker.Status(found...), bad, nil
}

// member checks that user may ask about groupID's members: the group
// exists (10010) and user belongs to it (10007), as for sync.
func (s *Service) member(ctx context.Context, user, groupID string) (group.Group, error) {
	g, err := s.groups.Get(ctx, groupID)
	if err != nil {
		return group.Group{}, err
	}
	if _, err := s.groups.Member(ctx, g.ID, user); err != nil {
		if errors.Is(err, group.ErrNoMember) {
			return group.Group{}, apierr.New(apierr.GroupNoPermission, "%s is not a member of %s", user, g.ID)
		}
		return group.Group{}, err
	}
	return g, nil
}

// GroupOnline answers a member's presence request: the online ones among
// the next GroupPage members of groupID (in UserID order) after cursor
// ("" from the start), and the cursor of the page after ("" at the end).
// A page may hold no online member while the cursor goes on.
func (s *Service) GroupOnline(ctx context.Context, user, groupID, cursor string) ([]Status, string, error) {
	g, err := s.member(ctx, user, groupID)
	if err != nil {
		return nil, "", err
	}
	req := group.MemberPageRequest{GroupID: g.ID, Limit: GroupPage}
	if g.Type == group.Community {
		req.Next = cursor
	} else if cursor != "" {
		off, err := strconv.Atoi(cursor)
		if err != nil || off < 0 {
			return nil, "", apierr.New(apierr.GroupBadParam, "cursor is not one this server returned")
		}
		req.Offset = off
	}
	page, err := s.groups.Members(ctx, req)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, len(page.Members))
	for i, m := range page.Members {
		ids[i] = m.UserID
	}
	var online []Status
	for _, st := range s.tracker.Status(ids...) {
		if st.Online {
			online = append(online, st)
		}
	}
	next := ""
	switch {
	case g.Type == group.Community:
		next = page.Next
	case len(page.Members) == GroupPage:
		next = strconv.Itoa(req.Offset + GroupPage)
	}
	return online, next, nil
}

// Watchable checks a subscription of user to the named users and to the
// members of groupID ("" for none): at most MaxWatch users in all, each
// a valid UserID, and user a member of the group. It returns the users
// to watch, each once.
func (s *Service) Watchable(ctx context.Context, user string, users []string, groupID string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, id := range users {
		if !account.ValidUserID(id) {
			return nil, apierr.New(apierr.AccountBadParam, "users holds %q, which is not a UserID", id)
		}
		add(id)
	}
	if groupID != "" {
		g, err := s.member(ctx, user, groupID)
		if err != nil {
			return nil, err
		}
		if g.MemberNum > MaxWatch {
			return nil, apierr.New(apierr.GroupBadParam, "group %s has %d members: a group of at most %d can be subscribed to; page its presence or name the users", g.ID, g.MemberNum, MaxWatch)
		}
		page, err := s.groups.Members(ctx, group.MemberPageRequest{GroupID: g.ID, Limit: MaxWatch})
		if err != nil {
			return nil, err
		}
		for _, m := range page.Members {
			add(m.UserID)
		}
	}
	if len(out) > MaxWatch {
		return nil, apierr.New(apierr.AccountBadParam, "a session may subscribe to at most %d users, not %d", MaxWatch, len(out))
	}
	return out, nil
}
