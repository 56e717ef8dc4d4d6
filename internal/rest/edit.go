package rest

import (
	"context"
	"encoding/json"

	"github.com/hearth-chat/hearth/internal/message"
)

// editMarks are the fields Hearth adds to a history message that was
// edited (modify_group_msg, modify_c2c_msg, a member's edit over the
// socket): IsEditedMsg 1 and MsgEditTime, the unix seconds of the last
// edit. A message never edited carries neither, as the hosted service
// answers.
type editMarks struct {
	IsEditedMsg int   `json:"IsEditedMsg,omitempty"`
	MsgEditTime int64 `json:"MsgEditTime,omitempty"`
}

func editMarksOf(editTime int64) editMarks {
	if editTime == 0 {
		return editMarks{}
	}
	return editMarks{IsEditedMsg: 1, MsgEditTime: editTime}
}

type modifyGroupMsgReq struct {
	GroupID         string          `json:"GroupId"`
	TopicID         string          `json:"TopicId"`
	MsgSeq          uint64          `json:"MsgSeq"`
	MsgBody         json.RawMessage `json:"MsgBody"`
	CloudCustomData *string         `json:"CloudCustomData"`
}

func (s *Server) modifyGroupMsg(ctx context.Context, _ *Call, req *modifyGroupMsgReq) (*empty, error) {
	_, err := s.deps.Messages.Modify(ctx, message.ModifyRequest{GroupID: req.GroupID, TopicID: req.TopicID,
		Seq: req.MsgSeq, Body: req.MsgBody, CloudCustomData: req.CloudCustomData})
	return nil, err
}

type modifyC2CMsgReq struct {
	FromAccount     UserID          `json:"From_Account"`
	ToAccount       UserID          `json:"To_Account"`
	MsgKey          string          `json:"MsgKey"`
	MsgBody         json.RawMessage `json:"MsgBody"`
	CloudCustomData *string         `json:"CloudCustomData"`
}

func (s *Server) modifyC2CMsg(ctx context.Context, c *Call, req *modifyC2CMsgReq) (*empty, error) {
	_, err := s.deps.C2C.Modify(ctx, c.Identifier, string(req.FromAccount), string(req.ToAccount), req.MsgKey, req.MsgBody, req.CloudCustomData)
	return nil, err
}
