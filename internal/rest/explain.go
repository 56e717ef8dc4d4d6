package rest

import (
	"context"
)

// Hearth's own admin service: APIs no peer offers. Documented in
// docs/api-extensions.md.
const hsvc = "hearth_open_http_svc"

type explainReq struct {
	GroupID       string `json:"GroupId"`
	MemberAccount UserID `json:"Member_Account"`
	Action        string `json:"Action"`
	TopicID       string `json:"TopicId"`
	TargetAccount UserID `json:"Target_Account"`
}

type explainGrant struct {
	Source    string `json:"Source"`
	Community uint64 `json:"Community"`
	Topic     uint64 `json:"Topic"`
}

type explainResp struct {
	Allowed        bool           `json:"Allowed"`
	Reason         string         `json:"Reason"`
	Sources        []string       `json:"Sources"`
	CommunityBit   uint64         `json:"CommunityBit"`
	TopicBit       uint64         `json:"TopicBit"`
	Role           string         `json:"Role"`
	PermissionMode bool           `json:"PermissionMode"`
	Grants         []explainGrant `json:"Grants"`
}

// explainPermission answers, for a member, an action and optionally a topic
// and a target member, the engine's decision and what produced it.
func (s *Server) explainPermission(ctx context.Context, _ *Call, req *explainReq) (*explainResp, error) {
	e, err := s.deps.PermGroups.Explain(ctx, req.GroupID, string(req.MemberAccount), req.Action, req.TopicID, string(req.TargetAccount))
	if err != nil {
		return nil, err
	}
	out := &explainResp{
		Allowed: e.Decision.Allowed, Reason: e.Decision.Reason, Sources: e.Decision.Sources,
		CommunityBit: e.Decision.CommunityBit, TopicBit: e.Decision.TopicBit,
		Role: e.Subject.Role.String(), PermissionMode: e.Subject.PermissionMode, Grants: []explainGrant{},
	}
	if out.Sources == nil {
		out.Sources = []string{}
	}
	for _, g := range e.Subject.Grants {
		out.Grants = append(out.Grants, explainGrant{Source: g.Source, Community: g.Community, Topic: g.Topic})
	}
	return out, nil
}
