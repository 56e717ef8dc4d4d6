package rest

import (
	"context"

	"github.com/hearth-chat/hearth/internal/message"
	"github.com/hearth-chat/hearth/internal/topic"
)

type createTopicReq struct {
	Type              string  `json:"Type"`
	GroupID           string  `json:"GroupId"`
	TopicID           string  `json:"TopicId"`
	TopicName         string  `json:"TopicName"`
	FromAccount       UserID  `json:"From_Account"`
	CustomString      *string `json:"CustomString"`
	FaceURL           *string `json:"FaceUrl"`
	Notification      *string `json:"Notification"`
	Introduction      *string `json:"Introduction"`
	DefaultPermission *uint64 `json:"DefaultPermission"`
	CreateTime        int64   `json:"CreateTime"`
}

func (r *createTopicReq) domain() topic.CreateRequest {
	return topic.CreateRequest{
		GroupID: r.GroupID, TopicID: r.TopicID, Name: r.TopicName, From: string(r.FromAccount),
		FaceURL: r.FaceURL, Notification: r.Notification, Introduction: r.Introduction,
		CustomString: r.CustomString, DefaultPermission: r.DefaultPermission, CreateTime: r.CreateTime,
	}
}

type topicIDResp struct {
	TopicID string `json:"TopicId"`
}

func (s *Server) createTopic(ctx context.Context, _ *Call, req *createTopicReq) (*topicIDResp, error) {
	id, err := s.deps.Topics.Create(ctx, req.domain())
	if err != nil {
		return nil, err
	}
	return &topicIDResp{TopicID: id}, nil
}

func (s *Server) importTopic(ctx context.Context, _ *Call, req *createTopicReq) (*topicIDResp, error) {
	d := req.domain()
	d.Type = req.Type
	id, err := s.deps.Topics.Import(ctx, d)
	if err != nil {
		return nil, err
	}
	return &topicIDResp{TopicID: id}, nil
}

type modifyTopicReq struct {
	GroupID           string  `json:"GroupId"`
	TopicID           string  `json:"TopicId"`
	FromAccount       UserID  `json:"From_Account"`
	TopicName         *string `json:"TopicName"`
	CustomString      *string `json:"CustomString"`
	FaceURL           *string `json:"FaceUrl"`
	Notification      *string `json:"Notification"`
	Introduction      *string `json:"Introduction"`
	MuteAllMember     *string `json:"MuteAllMember"`
	DefaultPermission *uint64 `json:"DefaultPermission"`
}

func (s *Server) modifyTopic(ctx context.Context, _ *Call, req *modifyTopicReq) (*empty, error) {
	_, err := s.deps.Topics.Modify(ctx, topic.ModifyRequest{
		GroupID: req.GroupID, TopicID: req.TopicID, From: string(req.FromAccount), Name: req.TopicName,
		FaceURL: req.FaceURL, Notification: req.Notification, Introduction: req.Introduction,
		CustomString: req.CustomString, MuteAllMember: req.MuteAllMember, DefaultPermission: req.DefaultPermission,
	})
	return nil, err
}

type destroyTopicReq struct {
	GroupID     string   `json:"GroupId"`
	TopicIDList []string `json:"TopicIdList"`
}

type destroyItem struct {
	ErrorCode int    `json:"ErrorCode"`
	ErrorInfo string `json:"ErrorInfo"`
	TopicID   string `json:"TopicId"`
}

type destroyTopicResp struct {
	DestroyResultItem []destroyItem `json:"DestroyResultItem"`
}

func (s *Server) destroyTopic(ctx context.Context, _ *Call, req *destroyTopicReq) (*destroyTopicResp, error) {
	res, err := s.deps.Topics.Destroy(ctx, req.GroupID, req.TopicIDList)
	if err != nil {
		return nil, err
	}
	out := &destroyTopicResp{DestroyResultItem: make([]destroyItem, len(res))}
	for i, r := range res {
		out.DestroyResultItem[i] = destroyItem{ErrorCode: r.Code, ErrorInfo: r.Info, TopicID: r.TopicID}
	}
	return out, nil
}

type getTopicReq struct {
	GroupID        string   `json:"GroupId"`
	FromAccount    UserID   `json:"From_Account"`
	TopicIDList    []string `json:"TopicIdList"`
	ResponseFilter []string `json:"ResponseFilter"`
}

type topicItem struct {
	ErrorCode int            `json:"ErrorCode"`
	ErrorInfo string         `json:"ErrorInfo"`
	TopicInfo map[string]any `json:"TopicInfo"`
	SelfInfo  map[string]any `json:"SelfInfo,omitempty"`
}

type getTopicResp struct {
	TopicAndSelfInfo []topicItem `json:"TopicAndSelfInfo"`
}

// topicInfo renders a topic's fields (decision 3), all or those in filter;
// TopicId always.
func topicInfo(t topic.Topic, filter []string) map[string]any {
	mute, flag := "Off", 0
	if t.MuteAllMember {
		mute, flag = "On", 1
	}
	all := map[string]any{
		"TopicId": t.ID, "TopicName": t.Name, "GroupID": t.GroupID, "FaceUrl": t.FaceURL,
		"Notification": t.Notification, "Introduction": t.Introduction, "CustomString": t.CustomString,
		"CreateTime": t.CreateTime, "LastMsgTime": t.LastMsgTime, "NextMsgSeq": t.NextMsgSeq,
		"ShutUpAllFlag": flag, "MuteAllMember": mute, "DefaultPermission": t.DefaultPermission,
	}
	if filter == nil {
		return all
	}
	out := map[string]any{"TopicId": t.ID}
	for _, f := range filter {
		if v, ok := all[f]; ok {
			out[f] = v
		}
	}
	return out
}

func (s *Server) getTopic(ctx context.Context, _ *Call, req *getTopicReq) (*getTopicResp, error) {
	res, err := s.deps.Topics.List(ctx, req.GroupID, req.TopicIDList, string(req.FromAccount))
	if err != nil {
		return nil, err
	}
	out := &getTopicResp{TopicAndSelfInfo: make([]topicItem, len(res))}
	var reads map[string]message.StreamState // the member's, by topic
	for i, r := range res {
		if r.Code != 0 {
			out.TopicAndSelfInfo[i] = topicItem{ErrorCode: r.Code, ErrorInfo: r.Info, TopicInfo: map[string]any{"TopicId": r.TopicID}}
			continue
		}
		item := topicItem{TopicInfo: topicInfo(r.Topic, req.ResponseFilter)}
		if r.Self != nil {
			if reads == nil { // MsgSeq is the member's read position in the topic: one read for all
				all, err := s.deps.Reads.Group(ctx, string(req.FromAccount), req.GroupID)
				if err != nil {
					return nil, err
				}
				reads = make(map[string]message.StreamState, len(all))
				for _, st := range all {
					reads[st.TopicID] = st
				}
			}
			st := reads[r.Topic.ID]
			item.SelfInfo = map[string]any{"MsgFlag": r.Self.MsgFlag, "ShutUpTime": r.Self.MuteUntil, "MsgSeq": st.ReadSeq,
				"UnreadMsgNum": st.Unread}
		}
		out.TopicAndSelfInfo[i] = item
	}
	return out, nil
}
