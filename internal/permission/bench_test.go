package permission

import (
	"strconv"
	"testing"
)

var sinkDecision Decision

// benchSubject is a member of 10 permission groups (11 grants with the
// community default) acting in a topic; only the last group's topic bits
// allow sending there.
func benchSubject() Subject {
	grants := []Grant{{Source: "default", Community: GetHistoryInAllTopics}}
	for i := 0; i < 10; i++ {
		grants = append(grants, Grant{Source: "@PMG#_" + strconv.Itoa(i), Community: ManageGroupInfo, Topic: TopicGetHistory})
	}
	grants[10].Topic |= TopicSendMessage
	return Subject{Role: RoleMember, Kind: KindCommunity, PermissionMode: true, Grants: grants, InTopic: true}
}

func BenchmarkDecide(b *testing.B) {
	s := benchSubject()
	b.ReportAllocs()
	for b.Loop() {
		sinkDecision = Decide(s, SendMessage, RoleNone)
	}
	if !sinkDecision.Allowed {
		b.Fatal("send denied")
	}
}

func BenchmarkDecideClassic(b *testing.B) {
	s := classic(RoleMember, KindPublic)
	b.ReportAllocs()
	for b.Loop() {
		sinkDecision = Decide(s, SendMessage, RoleNone)
	}
}

func BenchmarkExplain(b *testing.B) {
	s := benchSubject()
	b.ReportAllocs()
	for b.Loop() {
		sinkDecision = Explain(s, SendMessage, RoleNone)
	}
}
