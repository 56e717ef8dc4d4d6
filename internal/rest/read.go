package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/hearth-chat/hearth/internal/apierr"
)

// Read state: set_unread_msg_num (groups), admin_set_msg_read and
// get_c2c_unread_msg_num (one-to-one).

type setUnreadReq struct {
	GroupID       string  `json:"GroupId"`
	MemberAccount UserID  `json:"Member_Account"`
	UnreadMsgNum  *uint64 `json:"UnreadMsgNum"`
}

func (s *Server) setUnreadMsgNum(ctx context.Context, _ *Call, req *setUnreadReq) (*empty, error) {
	if req.UnreadMsgNum == nil {
		return nil, &decodeError{msg: "UnreadMsgNum is required"}
	}
	return nil, s.deps.Reads.SetUnread(ctx, req.GroupID, string(req.MemberAccount), *req.UnreadMsgNum)
}

// unixTime is a unix time in seconds sent as a JSON number or, as the
// hosted page types MsgReadTime, as a string of digits.
type unixTime int64

func (u *unixTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
		if len(b) == 0 {
			return nil // "": not given
		}
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < 0 {
		return &fieldError{msg: "MsgReadTime must be a unix time in seconds, not " + string(b)}
	}
	*u = unixTime(n)
	return nil
}

type setMsgReadReq struct {
	ReportAccount UserID   `json:"Report_Account"`
	PeerAccount   UserID   `json:"Peer_Account"`
	MsgReadTime   unixTime `json:"MsgReadTime"`
}

func (s *Server) adminSetMsgRead(ctx context.Context, _ *Call, req *setMsgReadReq) (*empty, error) {
	_, err := s.deps.Reads.MarkC2CRead(ctx, string(req.ReportAccount), string(req.PeerAccount), int64(req.MsgReadTime))
	return nil, err
}

type c2cUnreadReq struct {
	ToAccount   UserID   `json:"To_Account"`
	PeerAccount []UserID `json:"Peer_Account"`
}

type c2cUnreadItem struct {
	PeerAccount     string `json:"Peer_Account"`
	C2CUnreadMsgNum uint64 `json:"C2CUnreadMsgNum"`
}

type c2cUnreadErr struct {
	PeerAccount string `json:"Peer_Account"`
	ErrorCode   int    `json:"ErrorCode"`
}

type c2cUnreadResp struct {
	AllC2CUnreadMsgNum  uint64          `json:"AllC2CUnreadMsgNum"`
	C2CUnreadMsgNumList []c2cUnreadItem `json:"C2CUnreadMsgNumList,omitempty"`
	ErrorList           []c2cUnreadErr  `json:"ErrorList,omitempty"`
}

func (s *Server) getC2CUnreadMsgNum(ctx context.Context, _ *Call, req *c2cUnreadReq) (*c2cUnreadResp, error) {
	peers := userList(req.PeerAccount)
	counts, total, missing, err := s.deps.Reads.C2CUnread(ctx, string(req.ToAccount), peers)
	if err != nil {
		return nil, err
	}
	out := &c2cUnreadResp{AllC2CUnreadMsgNum: total}
	if len(peers) == 0 {
		return out, nil
	}
	for _, p := range peers {
		if slices.Contains(missing, p) {
			out.ErrorList = append(out.ErrorList, c2cUnreadErr{PeerAccount: p, ErrorCode: apierr.MsgToNotFound})
			continue
		}
		out.C2CUnreadMsgNumList = append(out.C2CUnreadMsgNumList, c2cUnreadItem{PeerAccount: p, C2CUnreadMsgNum: counts[p]})
	}
	return out, nil
}
