package rest

import (
	"context"
	"slices"
	"strings"
)

// queryOnlineStatusReq is openim/query_online_status. IsReturnInstid and
// IsReturnCustomStatus are accepted and answer nothing: Hearth has no
// device instance IDs and no custom status.
type queryOnlineStatusReq struct {
	ToAccount            []UserID `json:"To_Account"`
	IsNeedDetail         int      `json:"IsNeedDetail"`
	IsReturnInstid       int      `json:"IsReturnInstid"`
	IsReturnCustomStatus int      `json:"IsReturnCustomStatus"`
}

type onlineDetail struct {
	Platform string `json:"Platform"`
	Status   string `json:"Status"`
}

type onlineResult struct {
	ToAccount string         `json:"To_Account"`
	Status    string         `json:"Status"`
	Detail    []onlineDetail `json:"Detail,omitempty"`
}

type queryOnlineStatusResp struct {
	QueryResult []onlineResult `json:"QueryResult"`
	ErrorList   []batchErr     `json:"ErrorList"`
}

// detailPlatform is a platform as query_online_status's Detail names it:
// desktop Windows and Linux sessions are "PC".
func detailPlatform(p string) string {
	if p == "Windows" || p == "Linux" {
		return "PC"
	}
	return p
}

// queryOnlineStatus answers Online or Offline (never PushOnline: Hearth has
// no offline push) per existing account, from the sessions of every node.
func (s *Server) queryOnlineStatus(ctx context.Context, _ *Call, req *queryOnlineStatusReq) (*queryOnlineStatusResp, error) {
	list, bad, err := s.deps.Presence.Query(ctx, userList(req.ToAccount))
	if err != nil {
		return nil, err
	}
	out := &queryOnlineStatusResp{QueryResult: make([]onlineResult, len(list)), ErrorList: make([]batchErr, len(bad))}
	for i, st := range list {
		r := onlineResult{ToAccount: st.User, Status: "Offline"}
		if st.Online {
			r.Status = "Online"
		}
		if req.IsNeedDetail == 1 {
			seen := map[string]bool{}
			for _, p := range st.Platforms {
				if p = detailPlatform(p); !seen[p] {
					seen[p] = true
					r.Detail = append(r.Detail, onlineDetail{Platform: p, Status: "Online"})
				}
			}
			slices.SortFunc(r.Detail, func(a, b onlineDetail) int { return strings.Compare(a.Platform, b.Platform) })
		}
		out.QueryResult[i] = r
	}
	for i, b := range bad {
		out.ErrorList[i] = batchErr{ToAccount: b.User, ErrorCode: b.Code}
	}
	return out, nil
}
