package rest

import (
	"context"

	"github.com/hearth-chat/hearth/internal/account"
)

// accountImportReq is account_import; older wrappers send Identifier.
type accountImportReq struct {
	UserID     UserID  `json:"UserID"`
	Identifier UserID  `json:"Identifier"`
	Nick       *string `json:"Nick"`
	FaceURL    *string `json:"FaceUrl"`
}

func (s *Server) accountImport(ctx context.Context, _ *Call, req *accountImportReq) (*empty, error) {
	id := req.UserID
	if id == "" {
		id = req.Identifier
	}
	return nil, s.deps.Accounts.Import(ctx, account.NewAccount{UserID: string(id), Nick: req.Nick, FaceURL: req.FaceURL})
}

// multiAccountImportReq is multiaccount_import in its old (Accounts) and
// new (AccountList) forms.
type multiAccountImportReq struct {
	Accounts    []UserID `json:"Accounts"`
	AccountList []struct {
		UserID  UserID  `json:"UserID"`
		Nick    *string `json:"Nick"`
		FaceURL *string `json:"FaceUrl"`
	} `json:"AccountList"`
}

type multiAccountImportResp struct {
	FailAccounts []string `json:"FailAccounts"`
}

func (s *Server) multiAccountImport(ctx context.Context, _ *Call, req *multiAccountImportReq) (*multiAccountImportResp, error) {
	list := make([]account.NewAccount, 0, len(req.Accounts)+len(req.AccountList))
	for _, id := range req.Accounts {
		list = append(list, account.NewAccount{UserID: string(id)})
	}
	for _, a := range req.AccountList {
		list = append(list, account.NewAccount{UserID: string(a.UserID), Nick: a.Nick, FaceURL: a.FaceURL})
	}
	failed, err := s.deps.Accounts.ImportMany(ctx, list)
	if err != nil {
		return nil, err
	}
	return &multiAccountImportResp{FailAccounts: failed}, nil
}

type userItem struct {
	UserID UserID `json:"UserID"`
}

func userIDs(items []userItem) []string {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = string(it.UserID)
	}
	return ids
}

type accountDeleteReq struct {
	DeleteItem []userItem `json:"DeleteItem"`
}

type resultItem struct {
	ResultCode    int    `json:"ResultCode"`
	ResultInfo    string `json:"ResultInfo"`
	UserID        string `json:"UserID"`
	AccountStatus string `json:"AccountStatus,omitempty"`
}

type resultItemsResp struct {
	ResultItem []resultItem `json:"ResultItem"`
}

func (s *Server) accountDelete(ctx context.Context, _ *Call, req *accountDeleteReq) (*resultItemsResp, error) {
	res, err := s.deps.Accounts.Delete(ctx, userIDs(req.DeleteItem))
	if err != nil {
		return nil, err
	}
	out := &resultItemsResp{ResultItem: make([]resultItem, len(res))}
	for i, r := range res {
		out.ResultItem[i] = resultItem{ResultCode: r.ResultCode, ResultInfo: r.ResultInfo, UserID: r.UserID}
	}
	return out, nil
}

type accountCheckReq struct {
	CheckItem []userItem `json:"CheckItem"`
}

func (s *Server) accountCheck(ctx context.Context, _ *Call, req *accountCheckReq) (*resultItemsResp, error) {
	res, err := s.deps.Accounts.Check(ctx, userIDs(req.CheckItem))
	if err != nil {
		return nil, err
	}
	out := &resultItemsResp{ResultItem: make([]resultItem, len(res))}
	for i, r := range res {
		status := "NotImported"
		if r.Imported {
			status = "Imported"
		}
		out.ResultItem[i] = resultItem{ResultCode: r.ResultCode, ResultInfo: r.ResultInfo, UserID: r.UserID, AccountStatus: status}
	}
	return out, nil
}

type kickReq struct {
	UserID     UserID `json:"UserID"`
	Identifier UserID `json:"Identifier"`
}

func (s *Server) kick(ctx context.Context, _ *Call, req *kickReq) (*empty, error) {
	id := req.UserID
	if id == "" {
		id = req.Identifier
	}
	return nil, s.deps.Accounts.Kick(ctx, string(id))
}
