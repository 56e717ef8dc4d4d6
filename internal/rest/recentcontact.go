package rest

import (
	"context"

	"github.com/hearth-chat/hearth/internal/conversation"
)

// recentcontact: the conversation list (get_list, delete, top). The
// cursors and AssistFlags default to 0 (the first page, no flags) when
// absent.

type recentListReq struct {
	FromAccount   UserID `json:"From_Account"`
	TimeStamp     int64  `json:"TimeStamp"`
	StartIndex    int    `json:"StartIndex"`
	TopTimeStamp  int64  `json:"TopTimeStamp"`
	TopStartIndex int    `json:"TopStartIndex"`
	AssistFlags   int    `json:"AssistFlags"`
}

type sessionItem struct {
	Type      int    `json:"Type"`
	ToAccount string `json:"To_Account,omitempty"` // Type 1
	GroupID   string `json:"GroupId,omitempty"`    // Type 2
	MsgTime   int64  `json:"MsgTime"`
	TopFlag   int    `json:"TopFlag"`
}

type recentListResp struct {
	SessionItem   []sessionItem `json:"SessionItem"`
	CompleteFlag  int           `json:"CompleteFlag"`
	TimeStamp     int64         `json:"TimeStamp"`
	StartIndex    int           `json:"StartIndex"`
	TopTimeStamp  int64         `json:"TopTimeStamp"`
	TopStartIndex int           `json:"TopStartIndex"`
}

func (s *Server) recentContactList(ctx context.Context, _ *Call, req *recentListReq) (*recentListResp, error) {
	p, err := s.deps.Conversations.List(ctx, conversation.ListRequest{
		User:   string(req.FromAccount),
		Normal: conversation.Cursor{Time: req.TimeStamp, Index: req.StartIndex},
		Pinned: conversation.Cursor{Time: req.TopTimeStamp, Index: req.TopStartIndex},
		Flags:  req.AssistFlags,
	})
	if err != nil {
		return nil, err
	}
	out := &recentListResp{SessionItem: make([]sessionItem, len(p.Items)), CompleteFlag: b2i(p.Complete),
		TimeStamp: p.Normal.Time, StartIndex: p.Normal.Index, TopTimeStamp: p.Pinned.Time, TopStartIndex: p.Pinned.Index}
	for i, c := range p.Items {
		it := sessionItem{Type: int(c.Type), MsgTime: c.Time, TopFlag: b2i(c.Pinned)}
		if c.Type == conversation.C2C {
			it.ToAccount = c.ID
		} else {
			it.GroupID = c.ID
		}
		out.SessionItem[i] = it
	}
	return out, nil
}

type recentDeleteReq struct {
	FromAccount UserID `json:"From_Account"`
	Type        int    `json:"Type"`
	ToAccount   UserID `json:"To_Account"`
	ToGroupid   string `json:"ToGroupid"`
	ClearRamble int    `json:"ClearRamble"`
}

func (s *Server) recentContactDelete(ctx context.Context, _ *Call, req *recentDeleteReq) (*empty, error) {
	ref := conversation.Ref{Type: conversation.Type(req.Type), ID: string(req.ToAccount)}
	if ref.Type == conversation.Group {
		ref.ID = req.ToGroupid
	}
	return nil, s.deps.Conversations.Delete(ctx, conversation.DeleteRequest{User: string(req.FromAccount), Ref: ref, ClearRamble: req.ClearRamble})
}

type recentContactItem struct {
	Type      int    `json:"Type"`
	ToAccount UserID `json:"To_Account"`
	GroupID   string `json:"GroupId"`
}

type recentTopReq struct {
	FromAccount       UserID              `json:"From_Account"`
	OperationType     int                 `json:"OperationType"`
	RecentContactItem []recentContactItem `json:"RecentContactItem"`
}

func (s *Server) recentContactTop(ctx context.Context, _ *Call, req *recentTopReq) (*empty, error) {
	refs := make([]conversation.Ref, len(req.RecentContactItem))
	for i, it := range req.RecentContactItem {
		refs[i] = conversation.Ref{Type: conversation.Type(it.Type), ID: string(it.ToAccount)}
		if refs[i].Type == conversation.Group {
			refs[i].ID = it.GroupID
		}
	}
	return nil, s.deps.Conversations.Pin(ctx, conversation.PinRequest{User: string(req.FromAccount), Operation: req.OperationType, Refs: refs})
}
