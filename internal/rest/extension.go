package rest

import (
	"context"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/message"
)

// extsvc is the service of the message extension APIs, group and
// one-to-one alike.
const extsvc = "openim_msg_ext_http_svc"

// extKV is one key of ExtensionList.
type extKV struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
	Seq   uint64 `json:"Seq"`
}

func extKVs(list []extKV) []message.KV {
	out := make([]message.KV, len(list))
	for i, kv := range list {
		out[i] = message.KV{Key: kv.Key, Value: kv.Value, Seq: kv.Seq}
	}
	return out
}

func wireKVs(list []message.KV) []extKV {
	out := make([]extKV, len(list))
	for i, kv := range list {
		out[i] = extKV{Key: kv.Key, Value: kv.Value, Seq: kv.Seq}
	}
	return out
}

// extResult is one entry of set's ExtensionList: per key its ErrorCode
// (0, or 23001 when its Seq was stale) and the key as stored now.
type extResult struct {
	ErrorCode int   `json:"ErrorCode"`
	Extension extKV `json:"Extension"`
}

type setKeyValuesResp struct {
	ExtensionList []extResult `json:"ExtensionList"`
}

type getKeyValuesResp struct {
	CompleteFlag  int     `json:"CompleteFlag"`
	LatestSeq     uint64  `json:"LatestSeq"`
	ClearSeq      uint64  `json:"ClearSeq"`
	ExtensionList []extKV `json:"ExtensionList"`
}

func setResp(r message.ExtResult) *setKeyValuesResp {
	out := &setKeyValuesResp{ExtensionList: make([]extResult, len(r.Keys))}
	for i, kv := range r.Keys {
		out.ExtensionList[i].Extension = extKV{Key: kv.Key, Value: kv.Value, Seq: kv.Seq}
		if r.Conflict[i] {
			out.ExtensionList[i].ErrorCode = apierr.ExtSeqConflict
		}
	}
	return out
}

func getResp(p message.ExtPage) *getKeyValuesResp {
	return &getKeyValuesResp{CompleteFlag: b2i(p.Complete), LatestSeq: p.LatestSeq, ClearSeq: p.ClearSeq, ExtensionList: wireKVs(p.Keys)}
}

type groupSetKeyValuesReq struct {
	GroupID       string  `json:"GroupId"`
	TopicID       string  `json:"TopicId"` // Hearth's: a topic message of a community
	MsgSeq        uint64  `json:"MsgSeq"`
	OperateType   int     `json:"OperateType"`
	ExtensionList []extKV `json:"ExtensionList"`
}

func (s *Server) groupSetKeyValues(ctx context.Context, c *Call, req *groupSetKeyValuesReq) (*setKeyValuesResp, error) {
	r, err := s.deps.Extensions.Set(ctx, message.ExtWrite{
		Ref:   message.ExtRef{GroupID: req.GroupID, TopicID: req.TopicID, Seq: req.MsgSeq},
		ExtOp: message.ExtOp{Op: req.OperateType, Keys: extKVs(req.ExtensionList)},
	})
	if err != nil {
		return nil, err
	}
	return setResp(r), nil
}

type groupGetKeyValuesReq struct {
	GroupID  string `json:"GroupId"`
	TopicID  string `json:"TopicId"`
	MsgSeq   uint64 `json:"MsgSeq"`
	StartSeq uint64 `json:"StartSeq"`
}

func (s *Server) groupGetKeyValues(ctx context.Context, c *Call, req *groupGetKeyValuesReq) (*getKeyValuesResp, error) {
	p, err := s.deps.Extensions.Get(ctx, message.ExtRef{GroupID: req.GroupID, TopicID: req.TopicID, Seq: req.MsgSeq}, "", req.StartSeq)
	if err != nil {
		return nil, err
	}
	return getResp(p), nil
}

type setKeyValuesReq struct {
	FromAccount   UserID  `json:"From_Account"`
	ToAccount     UserID  `json:"To_Account"`
	MsgKey        string  `json:"MsgKey"`
	OperateType   int     `json:"OperateType"`
	ExtensionList []extKV `json:"ExtensionList"`
}

func (s *Server) setKeyValues(ctx context.Context, c *Call, req *setKeyValuesReq) (*setKeyValuesResp, error) {
	r, err := s.deps.Extensions.Set(ctx, message.ExtWrite{
		Ref:   message.ExtRef{From: string(req.FromAccount), To: string(req.ToAccount), Key: req.MsgKey},
		ExtOp: message.ExtOp{Op: req.OperateType, Keys: extKVs(req.ExtensionList)},
	})
	if err != nil {
		return nil, err
	}
	return setResp(r), nil
}

type getKeyValuesReq struct {
	FromAccount UserID `json:"From_Account"`
	ToAccount   UserID `json:"To_Account"`
	MsgKey      string `json:"MsgKey"`
	StartSeq    uint64 `json:"StartSeq"`
}

func (s *Server) getKeyValues(ctx context.Context, c *Call, req *getKeyValuesReq) (*getKeyValuesResp, error) {
	p, err := s.deps.Extensions.Get(ctx, message.ExtRef{From: string(req.FromAccount), To: string(req.ToAccount), Key: req.MsgKey}, "", req.StartSeq)
	if err != nil {
		return nil, err
	}
	return getResp(p), nil
}
