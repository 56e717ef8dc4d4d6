package group

import (
	"crypto/rand"
	"strings"

	"github.com/hearth-chat/hearth/internal/text"
)

// Group ID prefixes.
const (
	GeneratedPrefix = "@TGS#"        // every generated ID; custom non-community IDs may not use it
	CommunityPrefix = "@TGS#_"       // every community ID, generated or custom
	communityGen    = "@TGS#_@TGS#c" // generated community IDs
)

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randomChars returns n characters of idAlphabet.
func randomChars(n int) string {
	b := make([]byte, n)
	rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// typeDigit is the character after @TGS# in generated non-community IDs.
var typeDigit = map[Type]string{Public: "1", Private: "2", ChatRoom: "3", AVChatRoom: "a"}

// NewID generates a group ID for type t: @TGS#<digit><8 chars> or, for a
// community, @TGS#_@TGS#c<11 chars>.
func NewID(t Type) string {
	if t == Community {
		return communityGen + randomChars(11)
	}
	return GeneratedPrefix + typeDigit[t] + randomChars(8)
}

// ValidID reports whether id could name a group: printable ASCII (0x20–0x7E),
// at most MaxGroupIDBytes after the community prefix.
func ValidID(id string) bool {
	rest := strings.TrimPrefix(id, CommunityPrefix)
	return text.PrintableASCII(rest) && len(rest) <= MaxGroupIDBytes
}

// validCustomID checks a custom GroupId for a group of type t: communities
// must start with @TGS#_, other types must not start with @TGS#.
func validCustomID(id string, t Type) bool {
	if !ValidID(id) {
		return false
	}
	if t == Community {
		return strings.HasPrefix(id, CommunityPrefix) && len(id) > len(CommunityPrefix)
	}
	return !strings.HasPrefix(id, GeneratedPrefix)
}
