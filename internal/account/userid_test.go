package account_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
)

// userIDCases are UserIDs on both sides of the rule: 1–32 bytes of
// printable ASCII (0x20–0x7E).
var userIDCases = []struct {
	name  string
	id    string
	valid bool
}{
	{"one letter", "a", true},
	{"exactly the byte limit", strings.Repeat("x", account.MaxUserIDBytes), true},
	{"one byte over the limit", strings.Repeat("x", account.MaxUserIDBytes+1), false},
	{"empty", "", false},
	{"space is printable (0x20)", "a b", true},
	{"tilde is printable (0x7E)", "a~", true},
	{"punctuation", "@user_1-2.3#", true},
	{"DEL (0x7F)", "a\x7f", false},
	{"control character 0x1F", "a\x1f", false},
	{"tab", "a\tb", false},
	{"newline", "a\n", false},
	{"NUL", "a\x00b", false},
	{"non-ASCII letter", "jos\u00e9", false},
	{"emoji", "\U0001F600", false},
	{"invalid UTF-8 byte", "a\xff", false},
}

func TestValidUserID(t *testing.T) {
	for _, c := range userIDCases {
		t.Run(c.name, func(t *testing.T) {
			if got := account.ValidUserID(c.id); got != c.valid {
				t.Errorf("ValidUserID(%q) = %v, want %v", c.id, got, c.valid)
			}
		})
	}
}

func TestCheckUserID(t *testing.T) {
	for _, c := range userIDCases {
		t.Run(c.name, func(t *testing.T) {
			err := account.CheckUserID("Some_Field", c.id, apierr.ProfileBadParam)
			if c.valid {
				wantCode(t, "CheckUserID", err, 0)
				return
			}
			wantCode(t, "CheckUserID", err, apierr.ProfileBadParam)
			if !strings.Contains(err.Error(), "Some_Field") {
				t.Errorf("CheckUserID error %q does not name the field", err)
			}
		})
	}
}

// TestUserIDRuleInService checks that every Service entry point that takes
// one UserID applies the rule with its own error code, and that a refused
// ID never reaches the store.
func TestUserIDRuleInService(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	nick := []account.ProfileItem{{Tag: account.TagNick, Value: []byte(`"n"`)}}
	for _, c := range userIDCases {
		t.Run(c.name, func(t *testing.T) {
			importErr := e.svc.Import(ctx, account.NewAccount{UserID: c.id})
			if !c.valid {
				wantCode(t, "Import", importErr, apierr.AccountBadParam)
				wantCode(t, "Kick", e.svc.Kick(ctx, c.id), apierr.AccountBadParam)
				code := apierr.ProfileBadParam
				if c.id == "" {
					code = apierr.ProfileNoAccount // From_Account missing
				}
				wantCode(t, "SetProfile", e.svc.SetProfile(ctx, c.id, nick), code)
				failed, err := e.svc.ImportMany(ctx, []account.NewAccount{{UserID: c.id}, {UserID: "fine"}})
				wantCode(t, "ImportMany", err, 0)
				if len(failed) != 1 || failed[0] != c.id {
					t.Errorf("ImportMany failed = %q, want [%q]", failed, c.id)
				}
				return
			}
			wantCode(t, "Import", importErr, 0)
			wantCode(t, "Kick", e.svc.Kick(ctx, c.id), 0)
			wantCode(t, "SetProfile", e.svc.SetProfile(ctx, c.id, nick), 0)
			if !e.imported(t, c.id)[c.id] {
				t.Errorf("account_check says %q is not imported after Import", c.id)
			}
		})
	}
}
