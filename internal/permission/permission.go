// Package permission is Hearth's one permission engine. It owns the
// community and topic permission bits, the classic role table (owner, admin,
// member) and the permission-mode rules of communities with EnablePermission
// on, and answers one question for every REST handler and the WebSocket
// gateway: may this subject do this action (on this member, in this topic)?
//
// It is pure: callers load the subject's role and grants (the community's
// DefaultPermission, the topic's default permission and the subject's
// permission groups) and pass them in as a Subject; the engine does no I/O
// and imports nothing of Hearth. Decide is allocation-free and meant for hot
// paths; Explain adds the grants that decided and a detailed text, for the
// admin "explain" API and for error messages.
package permission

// Grant is one source of permission bits: the community's defaults (Source
// "default"), a topic's defaults ("topic-default"), or a permission group
// (Source is its ID).
type Grant struct {
	Source    string
	Community uint64 // community bits this source gives
	Topic     uint64 // topic bits this source gives for the topic in question (0 when not in a topic)
}

// Subject is who asks, as far as the rules care.
type Subject struct {
	AppAdmin       bool // the REST app admin acting as itself
	Role           Role
	Kind           GroupKind
	PermissionMode bool    // a Community with EnablePermission = 1; ignored for other kinds
	Grants         []Grant // read only in permission mode: "default", "topic-default" and every permission group of the subject
	InTopic        bool    // the action is inside one topic (Grants' Topic bits refer to it)
}

// Decision is the engine's answer.
type Decision struct {
	Allowed bool
	// Reason is a short human-readable why: "owner", "app admin", "role
	// Admin in classic mode", "the owner cannot be kicked", ... Decide keeps
	// it a constant; Explain replaces it with the detailed text.
	Reason string
	// Sources are the grants that gave the deciding bit(s), in grant order
	// (permission mode, allowed). Decide leaves it nil; Explain fills it.
	Sources []string
	// CommunityBit and TopicBit are the bits that were looked at (permission
	// mode); TopicBit is 0 outside a topic.
	CommunityBit, TopicBit uint64
}

// The constant reasons. Those of permission-mode bit decisions are expanded
// by Decision.Explain.
const (
	reasonUnknownAction = "unknown action"
	reasonUnknownTarget = "unknown target role"
	reasonAppAdmin      = "app admin"
	reasonOwner         = "owner"
	reasonNotMember     = "not a member"
	reasonUnknownRole   = "unknown role"
	reasonUnknownKind   = "unknown group kind"

	reasonAdmin          = "role Admin in classic mode"
	reasonAdminDenied    = "role Admin in classic mode: only the owner may do this"
	reasonAdminOnMembers = "role Admin in classic mode acts only on ordinary members"
	reasonAdminAV        = "role Admin in classic mode: nobody but the owner invites into an AVChatRoom"
	reasonMember         = "role Member in classic mode"
	reasonMemberDenied   = "role Member in classic mode may not do this"
	reasonMemberWork     = "role Member of a Work (Private) group may edit its profile"
	reasonMemberNotWork  = "role Member may edit the profile only in a Work (Private) group"
	reasonMemberInvite   = "role Member may not invite in a Public group or an AVChatRoom"

	reasonViaCommunity = "granted by a community bit"
	reasonViaTopic     = "granted by a topic bit"
	reasonViaBoth      = "granted by a community bit and a topic bit"
	reasonNoGrant      = "no grant gives the bit"
	reasonOwnerOnly    = "in permission mode only the owner or the app admin may do this"
)

// Decide answers whether s may do a (on a member whose role is target, for
// the actions that need one; pass RoleNone otherwise). It never allocates
// and never panics: unknown actions, roles and kinds are denied.
func Decide(s Subject, a Action, target Role) Decision {
	if !a.known() {
		return Decision{Reason: reasonUnknownAction}
	}
	r := &rules[a]
	if r.target != "" {
		if target == RoleOwner {
			return Decision{Reason: r.target}
		}
		if target < RoleNone || target > RoleOwner {
			return Decision{Reason: reasonUnknownTarget}
		}
	}
	if s.AppAdmin {
		return Decision{Allowed: true, Reason: reasonAppAdmin}
	}
	switch s.Role {
	case RoleOwner:
		return Decision{Allowed: true, Reason: reasonOwner}
	case RoleNone:
		return Decision{Reason: reasonNotMember}
	case RoleAdmin, RoleMember:
	default:
		return Decision{Reason: reasonUnknownRole}
	}
	if s.Kind < KindPrivate || s.Kind > KindCommunity {
		return Decision{Reason: reasonUnknownKind}
	}
	if s.PermissionMode && s.Kind == KindCommunity {
		// Permission mode: admins are ordinary members and the grants' bits
		// decide. Written inline: this is the message-send hot path.
		d := Decision{CommunityBit: r.community}
		if s.InTopic {
			d.TopicBit = r.topic
		}
		if d.CommunityBit == 0 && d.TopicBit == 0 {
			d.Reason = reasonOwnerOnly
			return d
		}
		community, topic := Bits(s.Grants)
		byCommunity := community&d.CommunityBit != 0
		byTopic := topic&d.TopicBit != 0
		switch {
		case byCommunity && byTopic:
			d.Allowed, d.Reason = true, reasonViaBoth
		case byCommunity:
			d.Allowed, d.Reason = true, reasonViaCommunity
		case byTopic:
			d.Allowed, d.Reason = true, reasonViaTopic
		default:
			d.Reason = reasonNoGrant
		}
		return d
	}
	var d Decision
	if s.Role == RoleAdmin {
		d.Allowed, d.Reason = classicAdmin(s.Kind, r, target)
	} else {
		d.Allowed, d.Reason = classicMember(s.Kind, r)
	}
	return d
}

// classicAdmin applies the classic role table to an admin in a group of
// kind k.
func classicAdmin(k GroupKind, r *rule, target Role) (bool, string) {
	switch r.admin {
	case adminAllow:
		return true, reasonAdmin
	case adminOnMembers:
		if target == RoleMember {
			return true, reasonAdmin
		}
		return false, reasonAdminOnMembers
	case adminNotAV:
		if k != KindAVChatRoom {
			return true, reasonAdmin
		}
		return false, reasonAdminAV
	}
	return false, reasonAdminDenied
}

// classicMember applies the classic role table to an ordinary member in a
// group of kind k.
func classicMember(k GroupKind, r *rule) (bool, string) {
	switch r.member {
	case memberAllow:
		return true, reasonMember
	case memberWork:
		if k == KindPrivate {
			return true, reasonMemberWork
		}
		return false, reasonMemberNotWork
	case memberInvites:
		if k != KindPublic && k != KindAVChatRoom {
			return true, reasonMember
		}
		return false, reasonMemberInvite
	}
	return false, reasonMemberDenied
}
