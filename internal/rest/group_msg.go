package rest

import (
	"context"
	"encoding/json"

	"github.com/hearth-chat/hearth/internal/message"
)

type sendGroupMsgReq struct {
	GroupID               string          `json:"GroupId"`
	TopicID               string          `json:"TopicId"`
	Random                *uint32         `json:"Random"`
	MsgBody               json.RawMessage `json:"MsgBody"`
	FromAccount           UserID          `json:"From_Account"`
	MsgPriority           string          `json:"MsgPriority"`
	CloudCustomData       string          `json:"CloudCustomData"`
	OnlineOnlyFlag        int             `json:"OnlineOnlyFlag"`
	ForbidCallbackControl forbidList      `json:"ForbidCallbackControl"`
	GroupAtInfo           []struct {
		GroupAtAllFlag int    `json:"GroupAtAllFlag"`
		GroupAtAccount UserID `json:"GroupAt_Account"`
	} `json:"GroupAtInfo"`

	// SupportMessageExtension 1: the message takes extensions (group_set_key_values).
	SupportMessageExtension int `json:"SupportMessageExtension"`
}

// atAll reports whether GroupAtInfo mentions everyone.
func (r *sendGroupMsgReq) atAll() bool {
	for _, a := range r.GroupAtInfo {
		if a.GroupAtAllFlag == 1 {
			return true
		}
	}
	return false
}

type sendGroupMsgResp struct {
	MsgTime int64  `json:"MsgTime"`
	MsgSeq  uint64 `json:"MsgSeq"`
}

func (s *Server) sendGroupMsg(ctx context.Context, c *Call, req *sendGroupMsgReq) (*sendGroupMsgResp, error) {
	m, err := s.deps.Messages.Send(ctx, message.SendRequest{
		GroupID: req.GroupID, TopicID: req.TopicID, From: string(req.FromAccount), Admin: c.Identifier,
		Random: req.Random, Body: req.MsgBody, Priority: req.MsgPriority, CloudCustomData: req.CloudCustomData,
		OnlineOnly: req.OnlineOnlyFlag == 1, AtAll: req.atAll(),
		NoBeforeHook: req.ForbidCallbackControl.has("ForbidBeforeSendMsgCallback"),
		NoAfterHook:  req.ForbidCallbackControl.has("ForbidAfterSendMsgCallback"),
		Extensible:   req.SupportMessageExtension == 1,
	})
	if err != nil {
		return nil, err
	}
	return &sendGroupMsgResp{MsgTime: m.Time, MsgSeq: m.Seq}, nil
}

type historyReq struct {
	GroupID         string `json:"GroupId"`
	TopicID         string `json:"TopicId"`
	ReqMsgSeq       uint64 `json:"ReqMsgSeq"`
	ReqMsgNumber    int    `json:"ReqMsgNumber"`
	WithRecalledMsg int    `json:"WithRecalledMsg"`
}

type historyMsg struct {
	FromAccount     string          `json:"From_Account"`
	IsPlaceMsg      int             `json:"IsPlaceMsg"`
	IsSystemMsg     int             `json:"IsSystemMsg"`
	MsgBody         json.RawMessage `json:"MsgBody"`
	MsgPriority     int             `json:"MsgPriority"`
	MsgRandom       uint32          `json:"MsgRandom"`
	MsgSeq          uint64          `json:"MsgSeq"`
	MsgTimeStamp    int64           `json:"MsgTimeStamp"`
	CloudCustomData string          `json:"CloudCustomData,omitempty"`
	editMarks
}

type historyResp struct {
	GroupID    string       `json:"GroupId"`
	IsFinished int          `json:"IsFinished"`
	RspMsgList []historyMsg `json:"RspMsgList"`
}

func (s *Server) groupMsgGetSimple(ctx context.Context, _ *Call, req *historyReq) (*historyResp, error) {
	list, finished, err := s.deps.Messages.History(ctx, req.GroupID, req.TopicID, req.ReqMsgSeq, req.ReqMsgNumber, req.WithRecalledMsg == 1)
	if err != nil {
		return nil, err
	}
	out := &historyResp{GroupID: req.GroupID, IsFinished: b2i(finished), RspMsgList: make([]historyMsg, len(list))}
	for i, m := range list {
		h := historyMsg{FromAccount: m.From, IsSystemMsg: b2i(m.System), MsgBody: m.Body, MsgPriority: message.PriorityNumber(m.Priority),
			MsgRandom: m.Random, MsgSeq: m.Seq, MsgTimeStamp: m.Time, CloudCustomData: m.CloudCustomData, editMarks: editMarksOf(m.EditTime)}
		if m.Recalled {
			h.IsPlaceMsg, h.MsgBody = 2, json.RawMessage("[]")
		}
		out.RspMsgList[i] = h
	}
	return out, nil
}

type recallReq struct {
	GroupID    string `json:"GroupId"`
	TopicID    string `json:"TopicId"`
	Reason     string `json:"Reason"`
	MsgSeqList []struct {
		MsgSeq uint64 `json:"MsgSeq"`
	} `json:"MsgSeqList"`
}

type recallItem struct {
	MsgSeq  uint64 `json:"MsgSeq"`
	RetCode int    `json:"RetCode"`
}

type recallResp struct {
	RecallRetList []recallItem `json:"RecallRetList"`
}

func (s *Server) groupMsgRecall(ctx context.Context, _ *Call, req *recallReq) (*recallResp, error) {
	seqs := make([]uint64, len(req.MsgSeqList))
	for i, m := range req.MsgSeqList {
		seqs[i] = m.MsgSeq
	}
	res, err := s.deps.Messages.Recall(ctx, req.GroupID, req.TopicID, seqs, req.Reason)
	if err != nil {
		return nil, err
	}
	out := &recallResp{RecallRetList: make([]recallItem, len(res))}
	for i, r := range res {
		out.RecallRetList[i] = recallItem{MsgSeq: r.Seq, RetCode: r.Code}
	}
	return out, nil
}

type importGroupMsgReq struct {
	GroupID           string `json:"GroupId"`
	TopicID           string `json:"TopicId"`
	RecentContactFlag int    `json:"RecentContactFlag"`
	MsgList           []struct {
		FromAccount UserID          `json:"From_Account"`
		SendTime    int64           `json:"SendTime"`
		Random      uint32          `json:"Random"`
		MsgBody     json.RawMessage `json:"MsgBody"`
	} `json:"MsgList"`
}

type importResultItem struct {
	MsgSeq  uint64 `json:"MsgSeq"`
	MsgTime int64  `json:"MsgTime"`
	Result  int    `json:"Result"`
}

type importGroupMsgResp struct {
	ImportMsgResult []importResultItem `json:"ImportMsgResult"`
}

func (s *Server) importGroupMsg(ctx context.Context, _ *Call, req *importGroupMsgReq) (*importGroupMsgResp, error) {
	items := make([]message.ImportItem, len(req.MsgList))
	for i, m := range req.MsgList {
		items[i] = message.ImportItem{From: string(m.FromAccount), SendTime: m.SendTime, Random: m.Random, Body: m.MsgBody}
	}
	res, err := s.deps.Messages.Import(ctx, req.GroupID, req.TopicID, items)
	if err != nil {
		return nil, err
	}
	out := &importGroupMsgResp{ImportMsgResult: make([]importResultItem, len(res))}
	for i, r := range res {
		out.ImportMsgResult[i] = importResultItem{MsgSeq: r.Seq, MsgTime: r.Time, Result: r.Result}
	}
	return out, nil
}

type notifyReq struct {
	GroupID          string   `json:"GroupId"`
	TopicID          string   `json:"TopicId"`
	ToMembersAccount []UserID `json:"ToMembers_Account"`
	Content          string   `json:"Content"`
}

func (s *Server) sendGroupSystemNotification(ctx context.Context, _ *Call, req *notifyReq) (*empty, error) {
	return nil, s.deps.Messages.Notify(ctx, req.GroupID, req.TopicID, userList(req.ToMembersAccount), req.Content)
}
