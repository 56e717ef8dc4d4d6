// Package invalidate holds every cache of a node and the one list of rules
// that says, for each change, what is dropped: "X changed, drop Y". It runs
// as the dispatcher's first consumer for the changes made on this node, and
// as the cluster's Invalidate for those made on other nodes, so that every
// node drops the same entries before the change is answered.
package invalidate

import (
	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/cache"
	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/permgroup"
	"github.com/hearth-chat/hearth/internal/restrict"
	"github.com/hearth-chat/hearth/internal/topic"
)

// Caches are the caches of one node, each given to the service that reads
// through it.
type Caches struct {
	Groups  group.Cache                   // profiles and memberships
	Topics  *cache.Map[topic.Topic]       // topics
	Grants  *cache.Map[[]permgroup.Grant] // permission-group grants
	Revoked *cache.Map[int64]             // UserSig revocation times
	Senders restrict.Cache                // global mutes and blocklist answers
}

// New returns empty caches.
func New() *Caches {
	return &Caches{Groups: group.NewCache(), Topics: topic.NewCache(), Grants: permgroup.NewCache(), Revoked: account.NewCache(), Senders: restrict.NewCache()}
}

// Apply drops what e's change made stale. Messages change nothing cached.
func (c *Caches) Apply(e event.Event) {
	profiles, members := c.Groups.Profiles, c.Groups.Members
	switch x := e.Change.(type) {
	case group.Created:
		profiles.Drop(x.Group.ID, "")
		members.DropPart(x.Group.ID) // non-memberships of an earlier group of that ID
	case group.Imported: // rows written without notifications: drop all of the group
		profiles.Drop(x.GroupID, "")
		members.DropPart(x.GroupID)
		c.Topics.DropPart(x.GroupID)
		c.Grants.DropPart(x.GroupID)
	case group.MembersAdded:
		profiles.Drop(x.GroupID, "") // MemberNum
		members.Drop(x.GroupID, x.Members...)
	case group.MembersRemoved:
		profiles.Drop(x.GroupID, "") // MemberNum
		members.Drop(x.GroupID, x.Members...)
		c.Grants.Drop(x.GroupID, x.Members...)
	case group.MemberModified:
		members.Drop(x.GroupID, x.Member.UserID)
	case group.MembersMuted:
		members.Drop(x.GroupID, x.Members...)
	case group.Modified:
		profiles.Drop(x.GroupID, "")
	case group.OwnerChanged:
		profiles.Drop(x.GroupID, "")
		members.Drop(x.GroupID, x.NewOwner, x.OldOwner)
	case group.Destroyed:
		profiles.Drop(x.Group.ID, "")
		members.DropPart(x.Group.ID)
		c.Topics.DropPart(x.Group.ID)
		c.Grants.DropPart(x.Group.ID)
	case topic.Created:
		c.Topics.Drop(x.Topic.GroupID, x.Topic.ID)
	case topic.Modified:
		c.Topics.Drop(x.GroupID, x.TopicID) // its default permission is a grant
	case topic.Destroyed:
		c.Topics.Drop(x.GroupID, x.TopicID)
		c.Grants.DropPart(x.GroupID) // the grants in that topic
	case permgroup.Changed:
		if x.Members == nil {
			c.Grants.DropPart(x.GroupID)
		} else {
			c.Grants.Drop(x.GroupID, x.Members...)
		}
	case account.Kicked:
		c.Revoked.DropPart(x.User)
	case restrict.MuteSet:
		c.Senders.Mutes.Drop(x.User, "")
	case restrict.Blocked:
		c.Senders.Blocks.Drop(x.Owner, x.Users...)
	case restrict.Unblocked:
		c.Senders.Blocks.Drop(x.Owner, x.Users...)
	case account.Deleted:
		for _, u := range x.Users {
			c.Revoked.DropPart(u)
			c.Senders.Mutes.DropPart(u)
			c.Senders.Blocks.DropPart(u)
		}
		c.Senders.Blocks.DropKeys(x.Users) // the deleted accounts in others' blocklists
		profiles.Clear()                   // member counts and owners changed
		members.DropKeys(x.Users)
		c.Grants.DropKeys(x.Users)
	}
}
