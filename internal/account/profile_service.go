package account

import (
	"context"
	"errors"

	"github.com/hearth-chat/hearth/internal/apierr"
)

// MaxProfileItems bounds the items of one portrait_set and the tags of one
// portrait_get.
const MaxProfileItems = 50

// SetProfile sets profile items of an existing account (portrait_set).
// Every item is checked before anything is written.
func (s *Service) SetProfile(ctx context.Context, id string, items []ProfileItem) error {
	if id == "" {
		return apierr.New(apierr.ProfileNoAccount, "From_Account is required")
	}
	if err := CheckUserID("From_Account", id, apierr.ProfileBadParam); err != nil {
		return err
	}
	if len(items) == 0 {
		return apierr.New(apierr.ProfileBadParam, "ProfileItem is empty")
	}
	if len(items) > MaxProfileItems {
		return apierr.New(apierr.ProfileBadParam, "at most %d items in ProfileItem", MaxProfileItems)
	}
	clean := make([]ProfileItem, 0, len(items))
	for _, it := range items {
		c, err := CheckProfileItem(it)
		if err != nil {
			return err
		}
		clean = append(clean, c)
	}
	if err := s.store.SetProfile(ctx, id, clean); err != nil {
		if errors.Is(err, ErrNotFound) {
			return apierr.New(apierr.ProfileUserNotFound, "From_Account %s is not imported", id)
		}
		return err
	}
	return nil
}

// UserProfile is one account's answer in portrait_get.
type UserProfile struct {
	UserID     string
	Items      []ProfileItem
	ResultCode int
	ResultInfo string
}

// GetProfiles returns the requested tags of up to MaxBatch accounts
// (portrait_get), in request order, and the UserIDs that do not exist.
func (s *Service) GetProfiles(ctx context.Context, ids, tags []string) ([]UserProfile, []string, error) {
	if len(ids) == 0 {
		return nil, nil, apierr.New(apierr.ProfileNoAccount, "To_Account is empty")
	}
	if len(ids) > MaxBatch {
		return nil, nil, apierr.New(apierr.ProfileBadParam, "at most %d accounts in To_Account", MaxBatch)
	}
	if len(tags) == 0 {
		return nil, nil, apierr.New(apierr.ProfileBadParam, "TagList is empty")
	}
	if len(tags) > MaxProfileItems {
		return nil, nil, apierr.New(apierr.ProfileBadParam, "at most %d tags in TagList", MaxProfileItems)
	}
	if err := CheckUserIDs("To_Account", ids, apierr.ProfileBadParam); err != nil {
		return nil, nil, err
	}
	for _, t := range tags {
		if !validTag(t) {
			return nil, nil, apierr.New(apierr.ProfileTagNotFound, "unknown profile tag %q", t)
		}
	}
	found, err := s.store.GetProfiles(ctx, ids, tags)
	if err != nil {
		return nil, nil, err
	}
	out := make([]UserProfile, 0, len(ids))
	failed := []string{}
	for _, id := range ids {
		p, ok := found[id]
		if !ok {
			failed = append(failed, id)
			out = append(out, UserProfile{UserID: id, Items: []ProfileItem{}, ResultCode: apierr.ProfileUserNotFound, ResultInfo: "account not found"})
			continue
		}
		items := p.Items
		if items == nil {
			items = []ProfileItem{}
		}
		out = append(out, UserProfile{UserID: id, Items: items})
	}
	return out, failed, nil
}
