package rest_test

import (
	"testing"

	"github.com/hearth-chat/hearth/internal/apitest"
)

// TestBanAndCleanupIDCodes: a malformed GroupId is 10015 on every ban and
// clean-up API, and delete_group_msg_by_sender with a topic the community
// does not have answers the topic lookup's code; nothing changes.
func TestBanAndCleanupIDCodes(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "owner", "bob")
		gid := s.Must(t, gs+"create_group", map[string]any{"Type": "Community", "Name": "c", "SupportTopic": 1, "Owner_Account": "owner",
			"MemberList": []any{map[string]any{"Member_Account": "bob"}}})["GroupId"].(string)
		tid := s.Must(t, "million_group_open_http_svc/create_topic", map[string]any{"GroupId": gid, "TopicName": "t"})["TopicId"].(string)
		gmSend(t, s, gmMsg(gid, tid, "bob", gmText("kept")), 0)
		const bad = "bad\x01id"
		gmCodes(t, s, gs+"ban_group_member", []gmCase{{"malformed GroupId", map[string]any{"GroupId": bad, "Members_Account": []string{"bob"}, "Duration": 60}, 10015}})
		gmCodes(t, s, gs+"unban_group_member", []gmCase{{"malformed GroupId", map[string]any{"GroupId": bad, "Members_Account": []string{"bob"}}, 10015}})
		gmCodes(t, s, gs+"get_group_ban_member", []gmCase{{"malformed GroupId", map[string]any{"GroupId": bad}, 10015}})
		gmCodes(t, s, gs+"get_specified_group_member_info", []gmCase{{"malformed GroupId", map[string]any{"GroupId": bad, "Member_List_Account": []string{"bob"}}, 10015}})
		gmCodes(t, s, gs+"delete_group_msg_by_sender", []gmCase{
			{"malformed GroupId", map[string]any{"GroupId": bad, "Sender_Account": "bob"}, 10015},
			{"a topic the community does not have", map[string]any{"GroupId": gid, "TopicId": gid + "@TOPIC#_none", "Sender_Account": "bob"}, 10010},
		})
		if h := gmHist(t, s, map[string]any{"GroupId": gid, "TopicId": tid, "ReqMsgNumber": 20}); len(h) != 1 {
			t.Errorf("the refused calls changed the topic's history: %v", h)
		}
	})
}
