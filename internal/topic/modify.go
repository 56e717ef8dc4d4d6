package topic

import (
	"context"
	"errors"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/group"
	"github.com/hearth-chat/hearth/internal/hook"
	"github.com/hearth-chat/hearth/internal/permission"
)

// ModifyRequest is modify_topic after decoding.
type ModifyRequest struct {
	GroupID           string
	TopicID           string
	From              string
	Name              *string
	FaceURL           *string
	Notification      *string
	Introduction      *string
	CustomString      *string
	MuteAllMember     *string
	DefaultPermission *uint64
}

// Modify changes a topic's profile (modify_topic): a partial update, every
// field checked before anything is written. From, when set, must be a
// member allowed to manage the topic.
func (s *Service) Modify(ctx context.Context, req ModifyRequest) (Topic, error) {
	g, err := s.Community(ctx, req.GroupID)
	if err != nil {
		return Topic{}, err
	}
	t, err := s.Get(ctx, g, req.TopicID)
	if err != nil {
		return Topic{}, err
	}
	if err := checkText(req.Name, req.FaceURL, req.Notification, req.Introduction, req.CustomString); err != nil {
		return Topic{}, err
	}
	if err := checkTopicBits(req.DefaultPermission); err != nil {
		return Topic{}, err
	}
	mute, err := group.OnOff("MuteAllMember", req.MuteAllMember)
	if err != nil {
		return Topic{}, err
	}
	actor, err := s.groups.Operator(ctx, g.ID, req.From)
	if err != nil {
		return Topic{}, err
	}
	if err := s.groups.Authorize(ctx, g, actor, permission.ManageTopic, "", t.ID); err != nil {
		return Topic{}, err
	}
	p := Patch{Name: req.Name, FaceURL: req.FaceURL, Notification: req.Notification, Introduction: req.Introduction,
		CustomString: req.CustomString, MuteAllMember: mute, DefaultPermission: req.DefaultPermission}
	if b := s.groups.Before(); hook.On(b, hook.BeforeModifyTopic) {
		if _, err := b.Ask(ctx, ModifyQuestion{GroupID: g.ID, TopicID: t.ID, Request: req}); err != nil {
			return Topic{}, err
		}
	}
	after, err := s.store.ModifyTopic(ctx, g.ID, t.ID, p)
	if errors.Is(err, ErrNotFound) {
		return Topic{}, apierr.New(apierr.GroupNotFound, "topic %s does not exist or was destroyed", t.ID)
	}
	if err != nil {
		return Topic{}, err
	}
	s.publish(ctx, Modified{GroupID: after.GroupID, TopicID: after.ID, Operator: req.From, Patch: p})
	return after, nil
}

// DestroyResult is the outcome for one topic of destroy_topic.
type DestroyResult struct {
	TopicID string
	Code    int
	Info    string
}

// Destroy deletes topics (destroy_topic); a topic that does not exist gets
// 110003 while the others are destroyed.
func (s *Service) Destroy(ctx context.Context, groupID string, ids []string) ([]DestroyResult, error) {
	g, err := s.Community(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, badParam("TopicIdList is empty")
	}
	if len(ids) > MaxTopicIDs {
		return nil, badParam("at most %d IDs in TopicIdList", MaxTopicIDs)
	}
	if err := checkIDs(g.ID, ids); err != nil {
		return nil, err
	}
	deleted, err := s.store.DeleteTopics(ctx, g.ID, ids)
	if err != nil {
		return nil, err
	}
	gone := make(map[string]bool, len(deleted))
	for _, id := range deleted {
		gone[id] = true
	}
	out := make([]DestroyResult, len(ids))
	for i, id := range ids {
		out[i] = DestroyResult{TopicID: id}
		if !gone[id] {
			out[i].Code, out[i].Info = apierr.TopicAlreadyDeleted, "topic does not exist or was already destroyed"
		}
	}
	for _, id := range deleted {
		s.publish(ctx, Destroyed{GroupID: g.ID, TopicID: id})
	}
	return out, nil
}

// Result is one topic of get_topic: the topic, or why it is missing, and
// the asking member's own state in it.
type Result struct {
	TopicID string
	Topic   Topic
	Code    int
	Info    string
	Self    *SelfInfo // when a member asked
}

// SelfInfo is a member's own state in a topic.
type SelfInfo struct {
	MsgFlag   string
	MuteUntil int64
	MsgSeq    uint64
}

// List returns the topics of a community (get_topic): those in ids, or all
// of them when ids is nil; from, when a member, gets its SelfInfo.
func (s *Service) List(ctx context.Context, groupID string, ids []string, from string) ([]Result, error) {
	g, err := s.Community(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if len(ids) > MaxTopicIDs {
		return nil, badParam("at most %d IDs in TopicIdList", MaxTopicIDs)
	}
	if len(ids) == 0 {
		ids = nil // absent or empty: every topic
	}
	if err := checkIDs(g.ID, ids); err != nil {
		return nil, err
	}
	var member *group.Member
	if from != "" {
		if _, err := s.groups.Operator(ctx, g.ID, from); err != nil {
			return nil, err
		}
		m, err := s.groups.Member(ctx, g.ID, from)
		switch {
		case err == nil:
			member = &m
		case !errors.Is(err, group.ErrNoMember):
			return nil, err
		}
	}
	topics, err := s.store.GetTopics(ctx, g.ID, ids)
	if err != nil {
		return nil, err
	}
	found := make(map[string]Topic, len(topics))
	for _, t := range topics {
		found[t.ID] = t
	}
	if ids == nil {
		for _, t := range topics {
			ids = append(ids, t.ID)
		}
	}
	out := make([]Result, len(ids))
	for i, id := range ids {
		t, ok := found[id]
		if !ok {
			out[i] = Result{TopicID: id, Code: apierr.GroupNotFound, Info: "topic does not exist or was destroyed"}
			continue
		}
		out[i] = Result{TopicID: id, Topic: t}
		if member != nil {
			until, err := s.store.TopicMute(ctx, g.ID, id, from)
			if err != nil {
				return nil, err
			}
			out[i].Self = &SelfInfo{MsgFlag: member.MsgFlag, MuteUntil: until, MsgSeq: member.MsgSeq}
		}
	}
	return out, nil
}
