package topic

import (
	"context"
	"errors"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/permission"
)

// Mute mutes (or with 0 unmutes) members in one topic (forbid_send_msg with
// TopicId). Accounts that are not members are ignored.
func (s *Service) Mute(ctx context.Context, groupID, topicID string, ids []string, muteTime *int64) error {
	g, err := s.Community(ctx, groupID)
	if err != nil {
		return err
	}
	t, err := s.Get(ctx, g, topicID)
	if err != nil {
		return err
	}
	until, err := s.groups.CheckMute(g, ids, muteTime)
	if err != nil {
		return err
	}
	muted, err := s.store.SetTopicMute(ctx, g.ID, t.ID, ids, until)
	if errors.Is(err, ErrNotFound) {
		return apierr.New(apierr.GroupNotFound, "topic %s does not exist or was destroyed", t.ID)
	}
	if err != nil {
		return err
	}
	if len(muted) > 0 && s.bus != nil {
		s.publish(ctx, MembersMuted{GroupID: t.GroupID, TopicID: t.ID, Members: muted, Until: until})
	}
	return nil
}

// Muted lists the members muted in one topic now (get_group_muted_account
// with TopicId).
func (s *Service) Muted(ctx context.Context, groupID, topicID string) ([]Mute, error) {
	g, err := s.Community(ctx, groupID)
	if err != nil {
		return nil, err
	}
	t, err := s.Get(ctx, g, topicID)
	if err != nil {
		return nil, err
	}
	return s.store.TopicMutes(ctx, g.ID, t.ID, s.now().Unix())
}

// AppendGrants implements group.GrantSource for a topic's default
// permission: inside a topic, every member holds its DefaultPermission bits.
func (s Reader) AppendGrants(ctx context.Context, dst []permission.Grant, g group.Group, _ string, topicID string) ([]permission.Grant, error) {
	if topicID == "" {
		return dst, nil
	}
	t, err := s.Get(ctx, g, topicID)
	if err != nil {
		return dst, err
	}
	if t.DefaultPermission == 0 {
		return dst, nil
	}
	return append(dst, permission.Grant{Source: "topic-default", Topic: t.DefaultPermission}), nil
}

// CheckPost answers whether actor may post in a topic now: 10007 for a
// non-member or a member without the send permission there, 10017 for a
// member muted in the group or the topic, or while the topic mutes all and
// the member may not post through it (spec/README.md decision 8).
func (s *Service) CheckPost(ctx context.Context, g group.Group, t Topic, actor group.Actor) error {
	if actor.UserID == "" {
		return nil // the app admin posts anywhere
	}
	sub, err := s.groups.Subject(ctx, g, actor, t.ID)
	if err != nil {
		return err
	}
	if d := permission.Decide(sub, permission.SendMessage, permission.RoleNone); !d.Allowed {
		return apierr.New(apierr.GroupNoPermission, "%s may not send in topic %s: %s", actor.UserID, t.ID, d.Reason)
	}
	m, err := s.groups.Member(ctx, g.ID, actor.UserID)
	if err != nil {
		return err
	}
	now := s.now().Unix()
	if m.MuteUntil > now {
		return apierr.New(apierr.GroupSenderMuted, "%s is muted in %s until %d", actor.UserID, g.ID, m.MuteUntil)
	}
	until, err := s.store.TopicMute(ctx, g.ID, t.ID, actor.UserID)
	if err != nil {
		return err
	}
	if until > now {
		return apierr.New(apierr.GroupSenderMuted, "%s is muted in topic %s until %d", actor.UserID, t.ID, until)
	}
	if t.MuteAllMember {
		if d := permission.Decide(sub, permission.PostWhileMutedAll, permission.RoleNone); !d.Allowed {
			return apierr.New(apierr.GroupSenderMuted, "topic %s mutes all members: only the owner, admins and the app admin may post", t.ID)
		}
	}
	return nil
}
