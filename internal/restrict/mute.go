package restrict

import (
	"context"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
)

// until is the end of a mute of secs seconds from now: 0 lifts it,
// MaxMuteSeconds is for ever.
func until(now int64, secs int64) int64 {
	switch secs {
	case 0:
		return 0
	case MaxMuteSeconds:
		return Forever
	}
	return now + secs
}

// remaining is what getnospeaking answers for a mute ending at u.
func remaining(now, u int64) int64 {
	switch {
	case u == Forever:
		return MaxMuteSeconds
	case u <= now:
		return 0
	}
	return min(u-now, MaxMuteSeconds-1)
}

func checkSeconds(field string, v *int64) error {
	if v != nil && (*v < 0 || *v > MaxMuteSeconds) {
		return apierr.New(apierr.MsgBadJSON, "%s must be 0..%d seconds (0 lifts the mute, %d is for ever)", field, int64(MaxMuteSeconds), int64(MaxMuteSeconds))
	}
	return nil
}

func (s *Service) existing(ctx context.Context, field, user string, code, missing int) error {
	if err := account.CheckUserID(field, user, code); err != nil {
		return err
	}
	ok, err := s.accounts.ExistingAccounts(ctx, []string{user})
	if err != nil {
		return err
	}
	if !ok[user] {
		return apierr.New(missing, "%s %s is not imported", field, user)
	}
	return nil
}

// SetMute is setnospeaking: mute user's one-to-one and/or group messages
// for the given seconds from now (nil: left as it is; at least one given;
// 0 lifts; MaxMuteSeconds is for ever).
func (s *Service) SetMute(ctx context.Context, user string, c2cSecs, groupSecs *int64) error {
	if c2cSecs == nil && groupSecs == nil {
		return apierr.New(apierr.MsgBadJSON, "C2CmsgNospeakingTime or GroupmsgNospeakingTime is required")
	}
	if err := checkSeconds("C2CmsgNospeakingTime", c2cSecs); err != nil {
		return err
	}
	if err := checkSeconds("GroupmsgNospeakingTime", groupSecs); err != nil {
		return err
	}
	if err := s.existing(ctx, "Set_Account", user, apierr.MsgBadJSON, apierr.MsgNoAccount); err != nil {
		return err
	}
	now := s.now().Unix()
	var c2c, grp *int64
	if c2cSecs != nil {
		u := until(now, *c2cSecs)
		c2c = &u
	}
	if groupSecs != nil {
		u := until(now, *groupSecs)
		grp = &u
	}
	if err := s.store.SetGlobalMute(ctx, user, c2c, grp); err != nil {
		return err
	}
	s.publish(ctx, MuteSet{User: user, C2CUntil: c2c, GroupUntil: grp})
	return nil
}

// MuteLeft is getnospeaking: the seconds left of user's one-to-one and
// group mutes (0: not muted; MaxMuteSeconds: for ever).
func (s *Service) MuteLeft(ctx context.Context, user string) (c2c, group int64, err error) {
	if err := s.existing(ctx, "Get_Account", user, apierr.MsgBadJSON, apierr.MsgNoAccount); err != nil {
		return 0, 0, err
	}
	m, err := s.mute(ctx, user)
	if err != nil {
		return 0, 0, err
	}
	now := s.now().Unix()
	return remaining(now, m.C2CUntil), remaining(now, m.GroupUntil), nil
}

// mute reads user's mute through the cache.
func (s *Service) mute(ctx context.Context, user string) (Mute, error) {
	if m, ok := s.cache.Mutes.Get(user, ""); ok {
		return m, nil
	}
	epoch := s.cache.Mutes.Begin()
	m, err := s.store.GlobalMute(ctx, user)
	if err != nil {
		return Mute{}, err
	}
	s.cache.Mutes.Put(epoch, user, "", m)
	return m, nil
}

// CheckC2C answers whether from may send to to a one-to-one message it
// sends itself (a client's send; REST sendmsg checks neither, as hosted):
// 20012 while from is muted for one-to-one messages, 20007 when from is
// in to's blocklist.
func (s *Service) CheckC2C(ctx context.Context, from, to string) error {
	m, err := s.mute(ctx, from)
	if err != nil {
		return err
	}
	if m.C2CUntil > s.now().Unix() {
		return apierr.New(apierr.MsgSenderMuted, "%s is muted for one-to-one messages", from)
	}
	blocked, err := s.blocked(ctx, to, from)
	if err != nil {
		return err
	}
	if blocked {
		return apierr.New(apierr.MsgSenderBlocked, "%s is in the blocklist of %s", from, to)
	}
	return nil
}

// CheckGroup answers whether from may post in groups and topics: 10017
// while it is muted for group messages.
func (s *Service) CheckGroup(ctx context.Context, from string) error {
	m, err := s.mute(ctx, from)
	if err != nil {
		return err
	}
	if m.GroupUntil > s.now().Unix() {
		return apierr.New(apierr.GroupSenderMuted, "%s is muted for group messages", from)
	}
	return nil
}
