package topic

import (
	"crypto/rand"
	"strings"
)

// Limits of topics, lengths in UTF-8 bytes: modify_topic's field limits, and
// Hearth's own counts where the pages give none (docs/decisions.md, 6).
const (
	MaxTopicsPerCommunity = 1000
	MaxTopicIDs           = 100 // TopicIdList of get_topic and destroy_topic
	MaxCustomIDBytes      = 48  // the part after <GroupId>@TOPIC#_
	MaxNameBytes          = 30
	MaxFaceURLBytes       = 100
	MaxNotificationBytes  = 300
	MaxIntroductionBytes  = 240
	MaxCustomStringBytes  = 3000
)

// Separator joins a community's ID and a topic's own part in a topic ID.
const Separator = "@TOPIC#_"

const generated = "@TOPIC#c"

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// NewID generates a topic ID of groupID: <GroupId>@TOPIC#_@TOPIC#c<11 chars>.
func NewID(groupID string) string {
	b := make([]byte, 11)
	rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return groupID + Separator + generated + string(b)
}

// ownPart returns the part of topicID after <groupID>@TOPIC#_, and whether
// topicID has that form with a part of 1–MaxCustomIDBytes printable ASCII.
func ownPart(groupID, topicID string) (string, bool) {
	part, ok := strings.CutPrefix(topicID, groupID+Separator)
	if !ok || part == "" || len(part) > MaxCustomIDBytes {
		return "", false
	}
	for i := 0; i < len(part); i++ {
		if part[i] < 0x20 || part[i] > 0x7e {
			return "", false
		}
	}
	return part, true
}
