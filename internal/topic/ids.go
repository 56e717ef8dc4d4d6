package topic

import (
	"crypto/rand"
	"strings"

	"github.com/hearth-chat/hearth/internal/text"
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
	if !ok || len(part) > MaxCustomIDBytes || !text.PrintableASCII(part) {
		return "", false
	}
	return part, true
}

// ValidID reports whether topicID could name a topic of the community
// groupID: <groupID>@TOPIC#_ followed by 1–MaxCustomIDBytes of printable
// ASCII (generated IDs have that form too).
func ValidID(groupID, topicID string) bool {
	_, ok := ownPart(groupID, topicID)
	return ok
}

// checkIDs answers 10004 for a TopicId of list that is not ValidID in the
// community groupID: no store is asked about it.
func checkIDs(groupID string, list []string) error {
	for _, id := range list {
		if !ValidID(groupID, id) {
			return badParam("TopicId %q is not a topic ID of %s (%s%s followed by 1–%d bytes of printable ASCII)", id, groupID, groupID, Separator, MaxCustomIDBytes)
		}
	}
	return nil
}
