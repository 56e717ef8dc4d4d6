package group_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/group"
)

// TestNewID checks the generated ID format of every type:
// @TGS#<type digit><8 of A-Z0-9>, and @TGS#_@TGS#c<11 of A-Z0-9> for a
// community.
func TestNewID(t *testing.T) {
	for _, c := range []struct {
		typ  group.Type
		want string
	}{
		{group.Public, `^@TGS#1[A-Z0-9]{8}$`},
		{group.Private, `^@TGS#2[A-Z0-9]{8}$`},
		{group.ChatRoom, `^@TGS#3[A-Z0-9]{8}$`},
		{group.AVChatRoom, `^@TGS#a[A-Z0-9]{8}$`},
		{group.Community, `^@TGS#_@TGS#c[A-Z0-9]{11}$`},
	} {
		t.Run(string(c.typ), func(t *testing.T) {
			re := regexp.MustCompile(c.want)
			seen := map[string]bool{}
			for range 20 {
				id := group.NewID(c.typ)
				if !re.MatchString(id) {
					t.Fatalf("NewID(%s) = %q, want %s", c.typ, id, c.want)
				}
				if !group.ValidID(id) {
					t.Fatalf("ValidID(NewID(%s) = %q) = false", c.typ, id)
				}
				seen[id] = true
			}
			if len(seen) < 2 {
				t.Errorf("NewID(%s) returned the same ID 20 times", c.typ)
			}
		})
	}
}

func TestValidID(t *testing.T) {
	for _, c := range []struct {
		name string
		id   string
		want bool
	}{
		{"empty", "", false},
		{"plain ASCII", "my-group", true},
		{"at the byte limit", strings.Repeat("g", group.MaxGroupIDBytes), true},
		{"one byte over", strings.Repeat("g", group.MaxGroupIDBytes+1), false},
		{"community prefix does not count toward the limit", group.CommunityPrefix + strings.Repeat("g", group.MaxGroupIDBytes), true},
		{"community over the limit after the prefix", group.CommunityPrefix + strings.Repeat("g", group.MaxGroupIDBytes+1), false},
		{"community prefix alone", group.CommunityPrefix, false},
		{"space is printable", "a b", true},
		{"control character", "a\x01", false},
		{"DEL", "a\x7f", false},
		{"non-ASCII", "gr\u00fcppe", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := group.ValidID(c.id); got != c.want {
				t.Errorf("ValidID(%q) = %v, want %v", c.id, got, c.want)
			}
		})
	}
}

// TestParseType checks the type names the API takes, Work and Meeting
// being the new names of Private and ChatRoom.
func TestParseType(t *testing.T) {
	for _, c := range []struct {
		name string
		want group.Type
		ok   bool
	}{
		{"Private", group.Private, true},
		{"Work", group.Private, true},
		{"Public", group.Public, true},
		{"ChatRoom", group.ChatRoom, true},
		{"Meeting", group.ChatRoom, true},
		{"AVChatRoom", group.AVChatRoom, true},
		{"Community", group.Community, true},
		{"private", "", false},
		{"BChatRoom", "", false},
		{"", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := group.ParseType(c.name)
			if got != c.want || ok != c.ok {
				t.Errorf("ParseType(%q) = %q, %v; want %q, %v", c.name, got, ok, c.want, c.ok)
			}
		})
	}
}
