package restrict

import (
	"context"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
)

// The per-item ResultInfo texts of the blocklist commands.
const (
	InfoAlreadyBlocked = "Err_SNS_BlackListAdd_Already_Exist"
	InfoBlocklistFull  = "Err_SNS_BlackListAdd_Count_Exceed"
	InfoSelf           = "Err_SNS_BlackList_Self"
)

// The Relation values and CheckTypes of black_list_check.
const (
	CheckSingle    = "BlackCheckResult_Type_Single"
	CheckBoth      = "BlackCheckResult_Type_Both"
	RelationBoth   = "BlackCheckResult_Type_BothWay"
	RelationAWithB = "BlackCheckResult_Type_AWithB" // To_Account is in From_Account's blocklist
	RelationBWithA = "BlackCheckResult_Type_BWithA" // From_Account is in To_Account's blocklist
	RelationNone   = "BlackCheckResult_Type_NO"
)

// Item is the result for one To_Account.
type Item struct {
	User     string
	Code     int // 0: done
	Info     string
	Relation string // black_list_check only
}

// Page is one page of black_list_get.
type Page struct {
	Entries []Entry
	Next    int // StartIndex of the next page; 0: the list is complete
	Seq     int64
}

func bad(format string, args ...any) error { return apierr.New(apierr.SNSBadParam, format, args...) }

// request checks From_Account and To_Account and returns To_Account with
// each UserID once (first occurrence kept) and which of them exist.
func (s *Service) request(ctx context.Context, from string, to []string) ([]string, map[string]bool, error) {
	if err := s.existing(ctx, "From_Account", from, apierr.SNSBadParam, apierr.SNSNoAccount); err != nil {
		return nil, nil, err
	}
	if len(to) == 0 {
		return nil, nil, bad("To_Account is required (an array of UserIDs)")
	}
	if len(to) > MaxBlockAccounts {
		return nil, nil, bad("at most %d accounts in To_Account", MaxBlockAccounts)
	}
	if err := account.CheckUserIDs("To_Account", to, apierr.SNSBadParam); err != nil {
		return nil, nil, err
	}
	seen := make(map[string]bool, len(to))
	uniq := make([]string, 0, len(to))
	for _, u := range to {
		if !seen[u] {
			seen[u] = true
			uniq = append(uniq, u)
		}
	}
	exist, err := s.accounts.ExistingAccounts(ctx, uniq)
	if err != nil {
		return nil, nil, err
	}
	return uniq, exist, nil
}

// Add is black_list_add: put each of to in from's blocklist. Per item: 0
// added, 30001 already in it or from itself, 30003 not imported, 30013 the
// list is full.
func (s *Service) Add(ctx context.Context, from string, to []string) ([]Item, error) {
	to, exist, err := s.request(ctx, from, to)
	if err != nil {
		return nil, err
	}
	items := make([]Item, len(to))
	var add []string
	for i, u := range to {
		items[i].User = u
		switch {
		case u == from:
			items[i].Code, items[i].Info = apierr.SNSBadParam, InfoSelf
		case !exist[u]:
			items[i].Code, items[i].Info = apierr.SNSNoAccount, account.ResultInfoNotFound
		default:
			add = append(add, u)
		}
	}
	if len(add) == 0 {
		return items, nil
	}
	at := s.now().Unix()
	res, _, err := s.store.AddBlocks(ctx, from, add, at, MaxBlocklist)
	if err != nil {
		return nil, err
	}
	var added []string
	for i := range items {
		if items[i].Code != 0 {
			continue
		}
		switch res[items[i].User] {
		case Added:
			added = append(added, items[i].User)
		case Already:
			items[i].Code, items[i].Info = apierr.SNSBadParam, InfoAlreadyBlocked
		case Full:
			items[i].Code, items[i].Info = apierr.SNSBlocklistFull, InfoBlocklistFull
		}
	}
	if len(added) > 0 {
		s.publish(ctx, Blocked{Owner: from, Users: added, At: at})
	}
	return items, nil
}

// Delete is black_list_delete: take each of to out of from's blocklist. An
// account that was not in it is done too (nothing to remove); per item
// 30003 for one not imported.
func (s *Service) Delete(ctx context.Context, from string, to []string) ([]Item, error) {
	to, exist, err := s.request(ctx, from, to)
	if err != nil {
		return nil, err
	}
	items := make([]Item, len(to))
	var del []string
	for i, u := range to {
		items[i].User = u
		if !exist[u] && u != from {
			items[i].Code, items[i].Info = apierr.SNSNoAccount, account.ResultInfoNotFound
			continue
		}
		del = append(del, u)
	}
	if len(del) == 0 {
		return items, nil
	}
	removed, err := s.store.DeleteBlocks(ctx, from, del)
	if err != nil {
		return nil, err
	}
	if len(removed) > 0 {
		s.publish(ctx, Unblocked{Owner: from, Users: removed})
	}
	return items, nil
}

// Get is black_list_get: from's blocklist from start, at most limit
// (1..MaxBlockPage) entries, oldest first.
func (s *Service) Get(ctx context.Context, from string, start, limit int) (Page, error) {
	if err := s.existing(ctx, "From_Account", from, apierr.SNSBadParam, apierr.SNSNoAccount); err != nil {
		return Page{}, err
	}
	if start < 0 {
		return Page{}, bad("StartIndex must not be negative")
	}
	if limit < 1 || limit > MaxBlockPage {
		return Page{}, bad("MaxLimited must be 1..%d", MaxBlockPage)
	}
	entries, total, seq, err := s.store.Blocks(ctx, from, start, limit)
	if err != nil {
		return Page{}, err
	}
	p := Page{Entries: entries, Seq: seq}
	if next := start + len(entries); len(entries) > 0 && next < total {
		p.Next = next
	}
	return p, nil
}

// Check is black_list_check: for each of to, CheckSingle asks whether it
// is in from's blocklist (AWithB or NO), CheckBoth also whether from is in
// its blocklist (BothWay, AWithB, BWithA or NO). Per item 30003 (Relation
// NO) for one not imported.
func (s *Service) Check(ctx context.Context, from string, to []string, checkType string) ([]Item, error) {
	if checkType != CheckSingle && checkType != CheckBoth {
		return nil, bad("CheckType must be %s or %s", CheckSingle, CheckBoth)
	}
	to, exist, err := s.request(ctx, from, to)
	if err != nil {
		return nil, err
	}
	mine, err := s.store.Blocking(ctx, from, to)
	if err != nil {
		return nil, err
	}
	theirs := map[string]bool{}
	if checkType == CheckBoth {
		if theirs, err = s.store.BlockedBy(ctx, from, to); err != nil {
			return nil, err
		}
	}
	items := make([]Item, len(to))
	for i, u := range to {
		items[i] = Item{User: u, Relation: RelationNone}
		switch {
		case !exist[u] && u != from:
			items[i].Code, items[i].Info = apierr.SNSNoAccount, account.ResultInfoNotFound
		case mine[u] && theirs[u]:
			items[i].Relation = RelationBoth
		case mine[u]:
			items[i].Relation = RelationAWithB
		case theirs[u]:
			items[i].Relation = RelationBWithA
		}
	}
	return items, nil
}

// blocked answers, through the cache, whether user is in owner's blocklist.
func (s *Service) blocked(ctx context.Context, owner, user string) (bool, error) {
	if b, ok := s.cache.Blocks.Get(owner, user); ok {
		return b, nil
	}
	epoch := s.cache.Blocks.Begin()
	set, err := s.store.Blocking(ctx, owner, []string{user})
	if err != nil {
		return false, err
	}
	s.cache.Blocks.Put(epoch, owner, user, set[user])
	return set[user], nil
}
