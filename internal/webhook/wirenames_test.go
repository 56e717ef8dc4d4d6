package webhook

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// callbackKeys are the callback body field names the webhook package
// renders. Only internal/webhook (callbacks) and internal/rest (the REST
// wire types, which share Tencent's names) may build a body with them (a
// map key or JSON member "Key": or an index ["Key"]): every other package
// hands typed changes and questions over. The REST clients internal/bench
// and internal/apitest and the outbox fixtures of internal/store/storetest
// speak the wire too. A field named in an error message ("From_Account is
// not imported") is not a body.
var callbackKeys = []string{
	"CallbackCommand", "EventTime", "Operator_Account", "Owner_Account", "Member_Account", "From_Account",
	"To_Account", "NewOwner_Account", "OldOwner_Account", "GroupId", "TopicId", "MsgBody", "MsgSeq", "MsgSeqList",
	"MsgRandom", "MsgKey", "MsgId", "MsgTime", "OnlineOnlyFlag", "CloudCustomData", "MemberList", "NewMemberList",
	"ExitMemberList", "DestinationMembers", "TopicIdList", "PermissionGroupIdList", "UserDefinedDataList",
	"CreateGroupNum", "CreatedGroupNum", "InviteOption", "JoinType", "ExitType", "SendMsgResult", "UnreadMsgNum",
}

func TestOnlyWebhookAndRESTSpellCallbackFields(t *testing.T) {
	root := filepath.Join("..") // internal/
	keys := strings.Join(callbackKeys, "|")
	lit := regexp.MustCompile(`"(` + keys + `)"\s*:|\["(` + keys + `)"\]`)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch filepath.ToSlash(path) {
			case "../webhook", "../rest", "../bench", "../apitest", "../store/storetest":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := lit.FindString(line); m != "" {
				t.Errorf("%s:%d spells the callback field %s: render it in internal/webhook from a typed change or question", path, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
