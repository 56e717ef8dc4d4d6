package permgroup

import (
	"context"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/topic"
)

// TopicItem is one TopicPermissionList entry after decoding.
type TopicItem struct {
	TopicID    string
	Permission *uint64 // nil when absent (delete and get take none)
}

// topicOp is one of the topic-permission writes.
type topicOp int

const (
	opAdd topicOp = iota
	opSet
	opDelete
)

// api is the name of the API that runs op.
func (op topicOp) api() string {
	switch op {
	case opAdd:
		return "add_topic_permission_group"
	case opSet:
		return "set_topic_permission_group"
	}
	return "delete_topic_permission_group"
}

// TopicPerms runs add_topic_permission_group (op add),
// set_topic_permission_group (set) or delete_topic_permission_group
// (delete). The whole request is checked first (the group, the permission
// group, at most 50 items); then each item succeeds or fails on its own:
// 10004 for a malformed topic ID or a missing Permission, 10010 for a topic
// that does not exist, 110011 when set or delete meets no permission there,
// 10021 when add meets one already.
func (s *Service) topicPerms(ctx context.Context, op topicOp, groupID, id string, items []TopicItem) ([]ItemResult, error) {
	g, err := s.community(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if err := permGroupID(id); err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, badParam("the topic list is empty")
	}
	if len(items) > MaxTopicPerms {
		return nil, badParam("at most %d topics in one request", MaxTopicPerms)
	}
	out := make([]ItemResult, len(items))
	var idx []int
	var tp []TopicPerm
	for i, it := range items {
		out[i].ID = it.TopicID
		switch {
		case !topic.ValidID(g.ID, it.TopicID):
			out[i].Code, out[i].Info = apierr.GroupBadParam, "TopicId is not a topic ID of this community"
		case op != opDelete && it.Permission == nil:
			out[i].Code, out[i].Info = apierr.GroupBadParam, "Permission is required"
		default:
			idx = append(idx, i)
			p := TopicPerm{TopicID: it.TopicID}
			if it.Permission != nil {
				p.Permission = *it.Permission
			}
			tp = append(tp, p)
		}
	}
	if len(tp) > 0 {
		var st []ItemStatus
		switch op {
		case opAdd:
			st, err = s.store.AddTopicPerms(ctx, g.ID, id, tp)
		case opSet:
			st, err = s.store.SetTopicPerms(ctx, g.ID, id, tp)
		default:
			ids := make([]string, len(tp))
			for i, p := range tp {
				ids[i] = p.TopicID
			}
			st, err = s.store.DeleteTopicPerms(ctx, g.ID, id, ids)
		}
		if err != nil {
			return nil, notFound(id, err)
		}
		var changedTopics []string
		for j, x := range st {
			r := &out[idx[j]]
			switch x {
			case ItemOK:
				changedTopics = append(changedTopics, r.ID)
			case ItemExists:
				r.Code, r.Info = apierr.GroupIDTaken, "the permission group already holds permissions in this topic: use set_topic_permission_group"
			case ItemMissing:
				r.Code, r.Info = apierr.TopicPermissionMissing, "topic permissions do not exist"
			case ItemNoTopic:
				r.Code, r.Info = apierr.GroupNotFound, "topic does not exist or was destroyed"
			}
		}
		if len(changedTopics) > 0 {
			s.changed(ctx, g.ID, nil, Changed{Operation: op.api(), PermissionGroupIDs: []string{id}, TopicIDs: changedTopics})
		}
	} else if _, err := s.store.GetTopicPerms(ctx, g.ID, id, []string{}); err != nil {
		return nil, notFound(id, err) // every item failed: still answer 110006 for a missing group
	}
	return out, nil
}

// AddTopicPerms is add_topic_permission_group.
func (s *Service) AddTopicPerms(ctx context.Context, groupID, id string, items []TopicItem) ([]ItemResult, error) {
	return s.topicPerms(ctx, opAdd, groupID, id, items)
}

// SetTopicPerms is set_topic_permission_group: it replaces the topic bits a
// permission group holds in each listed topic.
func (s *Service) SetTopicPerms(ctx context.Context, groupID, id string, items []TopicItem) ([]ItemResult, error) {
	return s.topicPerms(ctx, opSet, groupID, id, items)
}

// DeleteTopicPerms is delete_topic_permission_group.
func (s *Service) DeleteTopicPerms(ctx context.Context, groupID, id string, topicIDs []string) ([]ItemResult, error) {
	items := make([]TopicItem, len(topicIDs))
	for i, t := range topicIDs {
		items[i] = TopicItem{TopicID: t}
	}
	return s.topicPerms(ctx, opDelete, groupID, id, items)
}

// TopicPermResult is one topic of get_topic_permission_group.
type TopicPermResult struct {
	ItemResult
	Permission uint64
}

// GetTopicPerms returns a permission group's topic permissions
// (get_topic_permission_group): those of topicIDs (110011 for topics where
// it holds none), or all when topicIDs is empty.
func (s *Service) GetTopicPerms(ctx context.Context, groupID, id string, topicIDs []string) ([]TopicPermResult, error) {
	g, err := s.community(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if err := permGroupID(id); err != nil {
		return nil, err
	}
	if len(topicIDs) > MaxTopicPerms {
		return nil, badParam("at most %d topics in TopicIdList", MaxTopicPerms)
	}
	var want []string // nil: all; a malformed ID is answered 10004 below
	for _, t := range topicIDs {
		if topic.ValidID(g.ID, t) {
			want = append(want, t)
		}
	}
	if len(topicIDs) > 0 && want == nil {
		want = []string{}
	}
	perms, err := s.store.GetTopicPerms(ctx, g.ID, id, want)
	if err != nil {
		return nil, notFound(id, err)
	}
	if want == nil {
		out := make([]TopicPermResult, len(perms))
		for i, p := range perms {
			out[i] = TopicPermResult{ItemResult: ItemResult{ID: p.TopicID}, Permission: p.Permission}
		}
		return out, nil
	}
	found := make(map[string]uint64, len(perms))
	for _, p := range perms {
		found[p.TopicID] = p.Permission
	}
	out := make([]TopicPermResult, len(topicIDs))
	for i, t := range topicIDs {
		out[i].ID = t
		if p, ok := found[t]; ok {
			out[i].Permission = p
		} else if !topic.ValidID(g.ID, t) {
			out[i].Code, out[i].Info = apierr.GroupBadParam, "TopicId is not a topic ID of this community"
		} else {
			out[i].Code, out[i].Info = apierr.TopicPermissionMissing, "topic permissions do not exist"
		}
	}
	return out, nil
}

var _ group.GrantSource = (*Grants)(nil)
