package rest

import (
	"context"

	"github.com/hearth-chat/hearth/internal/restrict"
)

// openconfigsvr setnospeaking / getnospeaking: an account's global mute.

type setNoSpeakingReq struct {
	SetAccount UserID `json:"Set_Account"`
	C2C        *int64 `json:"C2CmsgNospeakingTime"`
	Group      *int64 `json:"GroupmsgNospeakingTime"`
}

func (s *Server) setNoSpeaking(ctx context.Context, _ *Call, req *setNoSpeakingReq) (*empty, error) {
	return &empty{}, s.deps.Senders.SetMute(ctx, string(req.SetAccount), req.C2C, req.Group)
}

type getNoSpeakingReq struct {
	GetAccount UserID `json:"Get_Account"`
}

type getNoSpeakingResp struct {
	C2C   int64 `json:"C2CmsgNospeakingTime"`
	Group int64 `json:"GroupmsgNospeakingTime"`
}

func (s *Server) getNoSpeaking(ctx context.Context, _ *Call, req *getNoSpeakingReq) (*getNoSpeakingResp, error) {
	c2c, group, err := s.deps.Senders.MuteLeft(ctx, string(req.GetAccount))
	if err != nil {
		return nil, err
	}
	return &getNoSpeakingResp{C2C: c2c, Group: group}, nil
}

// sns black_list_add / black_list_delete / black_list_get / black_list_check.

type blackListReq struct {
	FromAccount UserID   `json:"From_Account"`
	ToAccount   []UserID `json:"To_Account"`
	CheckType   string   `json:"CheckType"` // black_list_check
}

type blackListItem struct {
	ToAccount  string `json:"To_Account"`
	ResultCode int    `json:"ResultCode"`
	ResultInfo string `json:"ResultInfo"`
}

type blackListResp struct {
	ResultItem   []blackListItem `json:"ResultItem"`
	FailAccount  []string        `json:"Fail_Account,omitempty"`
	ErrorDisplay string          `json:"ErrorDisplay"`
}

func blackListAnswer(items []restrict.Item) *blackListResp {
	r := &blackListResp{ResultItem: make([]blackListItem, len(items))}
	for i, it := range items {
		r.ResultItem[i] = blackListItem{ToAccount: it.User, ResultCode: it.Code, ResultInfo: it.Info}
		if it.Code != 0 {
			r.FailAccount = append(r.FailAccount, it.User)
		}
	}
	return r
}

func (s *Server) blackListAdd(ctx context.Context, _ *Call, req *blackListReq) (*blackListResp, error) {
	items, err := s.deps.Senders.Add(ctx, string(req.FromAccount), userList(req.ToAccount))
	if err != nil {
		return nil, err
	}
	return blackListAnswer(items), nil
}

func (s *Server) blackListDelete(ctx context.Context, _ *Call, req *blackListReq) (*blackListResp, error) {
	items, err := s.deps.Senders.Delete(ctx, string(req.FromAccount), userList(req.ToAccount))
	if err != nil {
		return nil, err
	}
	return blackListAnswer(items), nil
}

type blackListCheckItem struct {
	ToAccount  string `json:"To_Account"`
	Relation   string `json:"Relation"`
	ResultCode int    `json:"ResultCode"`
	ResultInfo string `json:"ResultInfo"`
}

type blackListCheckResp struct {
	BlackListCheckItem []blackListCheckItem `json:"BlackListCheckItem"`
	FailAccount        []string             `json:"Fail_Account,omitempty"`
	ErrorDisplay       string               `json:"ErrorDisplay"`
}

func (s *Server) blackListCheck(ctx context.Context, _ *Call, req *blackListReq) (*blackListCheckResp, error) {
	items, err := s.deps.Senders.Check(ctx, string(req.FromAccount), userList(req.ToAccount), req.CheckType)
	if err != nil {
		return nil, err
	}
	r := &blackListCheckResp{BlackListCheckItem: make([]blackListCheckItem, len(items))}
	for i, it := range items {
		r.BlackListCheckItem[i] = blackListCheckItem{ToAccount: it.User, Relation: it.Relation, ResultCode: it.Code, ResultInfo: it.Info}
		if it.Code != 0 {
			r.FailAccount = append(r.FailAccount, it.User)
		}
	}
	return r, nil
}

type blackListGetReq struct {
	FromAccount  UserID `json:"From_Account"`
	StartIndex   int    `json:"StartIndex"`
	MaxLimited   int    `json:"MaxLimited"`
	LastSequence int64  `json:"LastSequence"` // the sequence of the previous page; REST callers send 0 (not compared)
}

type blackListEntry struct {
	ToAccount         string `json:"To_Account"`
	AddBlackTimeStamp int64  `json:"AddBlackTimeStamp"`
}

type blackListGetResp struct {
	BlackListItem []blackListEntry `json:"BlackListItem"`
	StartIndex    int              `json:"StartIndex"`
	// CurruentSequence is spelled as the hosted page spells it.
	CurruentSequence int64  `json:"CurruentSequence"`
	ErrorDisplay     string `json:"ErrorDisplay"`
}

func (s *Server) blackListGet(ctx context.Context, _ *Call, req *blackListGetReq) (*blackListGetResp, error) {
	p, err := s.deps.Senders.Get(ctx, string(req.FromAccount), req.StartIndex, req.MaxLimited)
	if err != nil {
		return nil, err
	}
	r := &blackListGetResp{BlackListItem: make([]blackListEntry, len(p.Entries)), StartIndex: p.Next, CurruentSequence: p.Seq}
	for i, e := range p.Entries {
		r.BlackListItem[i] = blackListEntry{ToAccount: e.User, AddBlackTimeStamp: e.AddedAt}
	}
	return r, nil
}
