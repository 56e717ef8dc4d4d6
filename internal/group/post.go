package group

import (
	"context"
	"errors"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/permission"
)

// CheckPost answers whether actor may post in g's own stream now: 10007
// for a non-member or a member without the send permission, 10017 for a
// muted member or while the group mutes all and the member may not post
// through it. The app admin posts anywhere.
func (s *Service) CheckPost(ctx context.Context, g Group, actor Actor) error {
	if actor.UserID == "" {
		return nil
	}
	m, err := s.Member(ctx, g.ID, actor.UserID)
	if errors.Is(err, ErrNoMember) {
		return apierr.New(apierr.GroupNoPermission, "%s is not a member of %s", actor.UserID, g.ID)
	}
	if err != nil {
		return err
	}
	sub, err := s.Subject(ctx, g, actor, "")
	if err != nil {
		return err
	}
	if d := permission.Decide(sub, permission.SendMessage, permission.RoleNone); !d.Allowed {
		return apierr.New(apierr.GroupNoPermission, "%s may not send in %s: %s", actor.UserID, g.ID, d.Reason)
	}
	if m.MuteUntil > s.now().Unix() {
		return apierr.New(apierr.GroupSenderMuted, "%s is muted in %s until %d", actor.UserID, g.ID, m.MuteUntil)
	}
	if g.MuteAllMember {
		if d := permission.Decide(sub, permission.PostWhileMutedAll, permission.RoleNone); !d.Allowed {
			return apierr.New(apierr.GroupSenderMuted, "group %s mutes all members: only the owner, admins and the app admin may post", g.ID)
		}
	}
	return nil
}
