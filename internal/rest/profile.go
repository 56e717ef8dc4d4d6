package rest

import (
	"context"

	"github.com/hearth-chat/hearth/internal/account"
)

type portraitSetReq struct {
	FromAccount UserID                `json:"From_Account"`
	ProfileItem []account.ProfileItem `json:"ProfileItem"`
}

type profileResp struct {
	ErrorDisplay string `json:"ErrorDisplay"`
}

func (s *Server) portraitSet(ctx context.Context, _ *Call, req *portraitSetReq) (*profileResp, error) {
	if err := s.deps.Accounts.SetProfile(ctx, string(req.FromAccount), req.ProfileItem); err != nil {
		return nil, err
	}
	return &profileResp{}, nil
}

type portraitGetReq struct {
	ToAccount []UserID `json:"To_Account"`
	TagList   []string `json:"TagList"`
}

type userProfileItem struct {
	ToAccount   string                `json:"To_Account"`
	ProfileItem []account.ProfileItem `json:"ProfileItem"`
	ResultCode  int                   `json:"ResultCode"`
	ResultInfo  string                `json:"ResultInfo"`
}

type portraitGetResp struct {
	UserProfileItem []userProfileItem `json:"UserProfileItem"`
	FailAccount     []string          `json:"Fail_Account"`
	ErrorDisplay    string            `json:"ErrorDisplay"`
}

func (s *Server) portraitGet(ctx context.Context, _ *Call, req *portraitGetReq) (*portraitGetResp, error) {
	ids := make([]string, len(req.ToAccount))
	for i, id := range req.ToAccount {
		ids[i] = string(id)
	}
	profiles, failed, err := s.deps.Accounts.GetProfiles(ctx, ids, req.TagList)
	if err != nil {
		return nil, err
	}
	out := &portraitGetResp{UserProfileItem: make([]userProfileItem, len(profiles)), FailAccount: failed}
	for i, p := range profiles {
		out.UserProfileItem[i] = userProfileItem{ToAccount: p.UserID, ProfileItem: p.Items, ResultCode: p.ResultCode, ResultInfo: p.ResultInfo}
	}
	return out, nil
}
