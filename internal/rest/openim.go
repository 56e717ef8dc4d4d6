package rest

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/hearth-chat/hearth/internal/message"
)

// forbidList is ForbidCallbackControl: the callbacks a send skips.
type forbidList []string

func (f forbidList) has(name string) bool { return slices.Contains(f, name) }

type sendMsgReq struct {
	FromAccount           UserID          `json:"From_Account"`
	ToAccount             json.RawMessage `json:"To_Account"`
	MsgSeq                *uint32         `json:"MsgSeq"`
	MsgRandom             *uint32         `json:"MsgRandom"`
	MsgTimeStamp          *int64          `json:"MsgTimeStamp"`
	MsgLifeTime           *int64          `json:"MsgLifeTime"`
	OnlineOnlyFlag        int             `json:"OnlineOnlyFlag"`
	SyncOtherMachine      int             `json:"SyncOtherMachine"`
	MsgBody               json.RawMessage `json:"MsgBody"`
	CloudCustomData       string          `json:"CloudCustomData"`
	ForbidCallbackControl forbidList      `json:"ForbidCallbackControl"`
	SyncFromOldSystem     int             `json:"SyncFromOldSystem"` // importmsg

	// SupportMessageExtension 1: the message takes extensions (set_key_values).
	SupportMessageExtension int `json:"SupportMessageExtension"`
}

// to reads To_Account: a string for sendmsg/importmsg, an array for
// batchsendmsg.
func (r *sendMsgReq) to(batch bool) ([]string, error) {
	if len(r.ToAccount) == 0 {
		return nil, nil
	}
	if batch {
		var list []UserID
		if json.Unmarshal(r.ToAccount, &list) != nil {
			return nil, &fieldError{msg: "To_Account must be an array of UserIDs"}
		}
		return userList(list), nil
	}
	var id UserID
	if json.Unmarshal(r.ToAccount, &id) != nil {
		return nil, &fieldError{msg: "To_Account must be a UserID string"}
	}
	return []string{string(id)}, nil
}

func (r *sendMsgReq) domain(c *Call, to []string) message.C2CSend {
	return message.C2CSend{From: string(r.FromAccount), Admin: c.Identifier, To: to, Seq: r.MsgSeq, Random: r.MsgRandom,
		TimeStamp: r.MsgTimeStamp, LifeTime: r.MsgLifeTime, OnlineOnly: r.OnlineOnlyFlag == 1, Body: r.MsgBody,
		CloudCustomData: r.CloudCustomData, NoBeforeHook: r.ForbidCallbackControl.has("ForbidBeforeSendMsgCallback"),
		NoAfterHook: r.ForbidCallbackControl.has("ForbidAfterSendMsgCallback"), Extensible: r.SupportMessageExtension == 1}
}

type sendMsgResp struct {
	MsgTime int64  `json:"MsgTime"`
	MsgKey  string `json:"MsgKey"`
	MsgID   string `json:"MsgId"`
}

func (s *Server) sendMsg(ctx context.Context, c *Call, req *sendMsgReq) (*sendMsgResp, error) {
	to, err := req.to(false)
	if err != nil {
		return nil, &decodeError{msg: err.Error()}
	}
	res, err := s.deps.C2C.Send(ctx, req.domain(c, to), false)
	if err != nil {
		return nil, err
	}
	return &sendMsgResp{MsgTime: res.Message.Time, MsgKey: res.Message.Key, MsgID: res.Message.ID}, nil
}

type batchErr struct {
	ToAccount string `json:"To_Account"`
	ErrorCode int    `json:"ErrorCode"`
}

type batchSendResp struct {
	MsgKey    string     `json:"MsgKey"`
	MsgID     string     `json:"MsgId"`
	ErrorList []batchErr `json:"ErrorList"`
}

func (s *Server) batchSendMsg(ctx context.Context, c *Call, req *sendMsgReq) (*batchSendResp, error) {
	to, err := req.to(true)
	if err != nil {
		return nil, &decodeError{msg: err.Error()}
	}
	res, err := s.deps.C2C.Send(ctx, req.domain(c, to), true)
	if err != nil {
		return nil, err
	}
	out := &batchSendResp{MsgKey: res.Message.Key, MsgID: res.Message.ID, ErrorList: []batchErr{}}
	for _, id := range to {
		if code, failed := res.Failed[id]; failed {
			out.ErrorList = append(out.ErrorList, batchErr{ToAccount: id, ErrorCode: code})
		}
	}
	return out, nil
}

func (s *Server) importMsg(ctx context.Context, c *Call, req *sendMsgReq) (*empty, error) {
	to, err := req.to(false)
	if err != nil {
		return nil, &decodeError{msg: err.Error()}
	}
	d := req.domain(c, to)
	d.Sync = req.SyncFromOldSystem
	return nil, s.deps.C2C.Import(ctx, d)
}

type roamReq struct {
	OperatorAccount UserID `json:"Operator_Account"`
	PeerAccount     UserID `json:"Peer_Account"`
	FromAccount     UserID `json:"From_Account"`
	ToAccount       UserID `json:"To_Account"`
	MaxCnt          int    `json:"MaxCnt"`
	MinTime         int64  `json:"MinTime"`
	MaxTime         int64  `json:"MaxTime"`
	LastMsgKey      string `json:"LastMsgKey"`
}

type roamMsg struct {
	FromAccount     string          `json:"From_Account"`
	ToAccount       string          `json:"To_Account"`
	MsgSeq          uint32          `json:"MsgSeq"`
	MsgRandom       uint32          `json:"MsgRandom"`
	MsgTimeStamp    int64           `json:"MsgTimeStamp"`
	MsgFlagBits     int             `json:"MsgFlagBits"`
	IsPeerRead      int             `json:"IsPeerRead"`
	MsgKey          string          `json:"MsgKey"`
	MsgID           string          `json:"MsgId"`
	MsgBody         json.RawMessage `json:"MsgBody"`
	CloudCustomData string          `json:"CloudCustomData"`
	editMarks
}

type roamResp struct {
	Complete    int       `json:"Complete"`
	MsgCnt      int       `json:"MsgCnt"`
	LastMsgTime int64     `json:"LastMsgTime"`
	LastMsgKey  string    `json:"LastMsgKey"`
	MsgList     []roamMsg `json:"MsgList"`
}

func (s *Server) adminGetRoamMsg(ctx context.Context, _ *Call, req *roamReq) (*roamResp, error) {
	op, peer := req.OperatorAccount, req.PeerAccount
	if op == "" && peer == "" { // the older field names
		op, peer = req.FromAccount, req.ToAccount
	}
	list, complete, err := s.deps.C2C.Roam(ctx, string(op), string(peer), req.MaxCnt, req.MinTime, req.MaxTime, req.LastMsgKey)
	if err != nil {
		return nil, err
	}
	out := &roamResp{Complete: b2i(complete), MsgCnt: len(list), MsgList: make([]roamMsg, len(list))}
	for i, m := range list {
		flags := 0
		if m.Recalled {
			flags = 8
		}
		out.MsgList[i] = roamMsg{FromAccount: m.From, ToAccount: m.To, MsgSeq: m.Seq, MsgRandom: m.Random, MsgTimeStamp: m.Time,
			MsgFlagBits: flags, MsgKey: m.Key, MsgID: m.ID, MsgBody: m.Body, CloudCustomData: m.CloudCustomData,
			editMarks: editMarksOf(m.EditTime)}
	}
	if n := len(list); n > 0 {
		out.LastMsgTime, out.LastMsgKey = list[n-1].Time, list[n-1].Key
	}
	return out, nil
}

type withdrawReq struct {
	FromAccount UserID `json:"From_Account"`
	ToAccount   UserID `json:"To_Account"`
	MsgKey      string `json:"MsgKey"`
}

func (s *Server) adminMsgWithdraw(ctx context.Context, _ *Call, req *withdrawReq) (*empty, error) {
	return nil, s.deps.C2C.Withdraw(ctx, string(req.FromAccount), string(req.ToAccount), req.MsgKey)
}
