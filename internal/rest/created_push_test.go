package rest_test

import (
	"testing"
	"time"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apitest"
)

// TestNewGroupReachesOnlineMembers: the owner and the members a
// create_group names, online when it is created, receive the group's
// messages on the connection they had and on one opened after.
func TestNewGroupReachesOnlineMembers(t *testing.T) {
	apitest.ForEachStore(t, apitest.Options{}, func(t *testing.T, s *apitest.Server) {
		s.ImportAccounts(t, "owner", "member", "sender")
		before := map[string]*client.Conn{"owner": dialReader(t, s, "owner"), "member": dialReader(t, s, "member")}
		gid := mustCreate(t, s, `{"Type":"Public","Name":"g","Owner_Account":"owner","MemberList":[{"Member_Account":"member"},{"Member_Account":"sender"}]}`)
		after := map[string]*client.Conn{"owner": dialReader(t, s, "owner"), "member": dialReader(t, s, "member")}
		seq := gmSend(t, s, gmMsg(gid, "", "sender", gmText("hello")), 0)["MsgSeq"].(float64)
		for _, c := range []struct {
			name string
			conn *client.Conn
		}{
			{"owner, connected before", before["owner"]}, {"member, connected before", before["member"]},
			{"owner, connected after", after["owner"]}, {"member, connected after", after["member"]},
		} {
			f := apitest.NextFrame(t, c.conn, 10*time.Second, "the new group's message", func(f client.Frame) bool { return f.Type == client.TypeMessage })
			if f.GroupID != gid || float64(f.Seq) != seq {
				t.Errorf("%s got %+v, want seq %v of %s", c.name, f, seq, gid)
			}
		}
	})
}
