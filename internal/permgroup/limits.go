package permgroup

import (
	"crypto/rand"
	"strings"

	"github.com/hearth-chat/hearth/internal/text"
)

// Limits of permission groups, lengths in UTF-8 bytes. The hosted pages give
// no count limits; these are Hearth's (docs/decisions.md, 6).
const (
	MaxPerCommunity      = 100
	MaxNameBytes         = 150
	MaxCustomStringBytes = 3000
	MaxCustomIDBytes     = 48 // after the @PMG#_ prefix
	MaxDestroyIDs        = 20 // destroy_permission_group
	MaxGetLimit          = 20 // get_permission_group Limit
	MaxMembersPerCall    = 100
	MaxMemberListLimit   = 50 // get_permission_group_member_list Limit
	MaxTopicPerms        = 50 // topic permissions in one request
)

// Prefix starts every permission group ID.
const Prefix = "@PMG#_"

const generated = "@PMG#c"

// NewID generates a permission group ID: @PMG#_@PMG#c<11 chars>.
func NewID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 11)
	rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return Prefix + generated + string(b)
}

// ValidID reports whether id is @PMG#_ followed by 1–48 bytes of printable
// ASCII.
func ValidID(id string) bool {
	rest, ok := strings.CutPrefix(id, Prefix)
	return ok && len(rest) <= MaxCustomIDBytes && text.PrintableASCII(rest)
}
