package account_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
)

func TestCheckProfileItem(t *testing.T) {
	q := func(s string) string { return `"` + s + `"` }
	for _, c := range []struct {
		name  string
		tag   string
		value string
		code  int
		want  string // the normalised value when code is 0
	}{
		// Tags.
		{"unknown standard-looking tag", "Tag_Profile_IM_Shoe", q("x"), apierr.ProfileTagNotFound, ""},
		{"tag with no known prefix", "Nick", q("x"), apierr.ProfileTagNotFound, ""},
		{"custom tag of one letter", "Tag_Profile_Custom_A", q("x"), 0, q("x")},
		{"custom tag key at 8 letters", "Tag_Profile_Custom_abcdEFGH", q("x"), 0, q("x")},
		{"custom tag key of 9 letters", "Tag_Profile_Custom_abcdEFGHi", q("x"), apierr.ProfileTagNotFound, ""},
		{"custom tag key with a digit", "Tag_Profile_Custom_ab1", q("x"), apierr.ProfileTagNotFound, ""},
		{"custom tag key with an underscore", "Tag_Profile_Custom_a_b", q("x"), apierr.ProfileTagNotFound, ""},
		{"custom tag with an empty key", "Tag_Profile_Custom_", q("x"), apierr.ProfileTagNotFound, ""},
		// Values present.
		{"empty value", account.TagNick, "", apierr.ProfileBadParam, ""},
		{"blank value", account.TagNick, "  \n", apierr.ProfileBadParam, ""},
		// String tags.
		{"string tag with a string", account.TagNick, q("Bob"), 0, q("Bob")},
		{"string tag value is trimmed and compacted", account.TagNick, "  \"\\u0041b\"\n", 0, q("Ab")},
		{"string tag with a number", account.TagNick, "5", apierr.ProfileValueTypeDiff, ""},
		{"string tag with an object", account.TagNick, `{"a":1}`, apierr.ProfileValueTypeDiff, ""},
		{"string tag with broken JSON", account.TagNick, `"abc`, apierr.ProfileValueTypeDiff, ""},
		{"string at the byte limit", "Tag_Profile_IM_SelfSignature", q(strings.Repeat("s", account.MaxProfileValueBytes)), 0, q(strings.Repeat("s", account.MaxProfileValueBytes))},
		{"string one byte over the limit", "Tag_Profile_IM_SelfSignature", q(strings.Repeat("s", account.MaxProfileValueBytes+1)), apierr.ProfileValueTooLong, ""},
		{"string limit counts bytes", account.TagImage, q(strings.Repeat("\u00e9", account.MaxProfileValueBytes/2+1)), apierr.ProfileValueTooLong, ""},
		{"custom tag takes a string", "Tag_Profile_Custom_Hobby", q("chess"), 0, q("chess")},
		{"custom tag refuses a number", "Tag_Profile_Custom_Hobby", "7", apierr.ProfileValueTypeDiff, ""},
		{"custom tag string over the limit", "Tag_Profile_Custom_Hobby", q(strings.Repeat("h", account.MaxProfileValueBytes+1)), apierr.ProfileValueTooLong, ""},
		// Integer tags.
		{"integer tag with zero", "Tag_Profile_IM_Level", "0", 0, "0"},
		{"integer tag at uint32 max", "Tag_Profile_IM_BirthDay", "4294967295", 0, "4294967295"},
		{"integer tag over uint32", "Tag_Profile_IM_BirthDay", "4294967296", apierr.ProfileValueTypeDiff, ""},
		{"integer tag negative", "Tag_Profile_IM_Language", "-1", apierr.ProfileValueTypeDiff, ""},
		{"integer tag fraction", "Tag_Profile_IM_Role", "1.5", apierr.ProfileValueTypeDiff, ""},
		{"integer tag with a string", "Tag_Profile_IM_MsgSettings", q("1"), apierr.ProfileValueTypeDiff, ""},
		{"integer tag is trimmed", "Tag_Profile_IM_Level", " 12 ", 0, "12"},
		// Enum tags.
		{"gender enum value", "Tag_Profile_IM_Gender", q("Gender_Type_Female"), 0, q("Gender_Type_Female")},
		{"gender outside the enum", "Tag_Profile_IM_Gender", q("Gender_Type_Other"), apierr.ProfileBadValue, ""},
		{"allow type enum value", "Tag_Profile_IM_AllowType", q("AllowType_Type_DenyAny"), 0, q("AllowType_Type_DenyAny")},
		{"allow type outside the enum", "Tag_Profile_IM_AllowType", q("allowtype_type_denyany"), apierr.ProfileBadValue, ""},
		{"admin forbid type enum value", "Tag_Profile_IM_AdminForbidType", q("AdminForbid_Type_SendOut"), 0, q("AdminForbid_Type_SendOut")},
		{"enum with a number", "Tag_Profile_IM_Gender", "1", apierr.ProfileValueTypeDiff, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := account.CheckProfileItem(account.ProfileItem{Tag: c.tag, Value: []byte(c.value)})
			wantCode(t, "CheckProfileItem", err, c.code)
			if c.code != 0 {
				return
			}
			if got.Tag != c.tag || string(got.Value) != c.want {
				t.Errorf("CheckProfileItem = %s=%s, want %s=%s", got.Tag, got.Value, c.tag, c.want)
			}
		})
	}
}

// customItems returns n profile items on distinct custom tags.
func customItems(n int) []account.ProfileItem {
	out := make([]account.ProfileItem, n)
	for i := range out {
		key := string(rune('A'+i/26)) + string(rune('a'+i%26))
		out[i] = account.ProfileItem{Tag: account.CustomTagPrefix + key, Value: []byte(fmt.Sprintf(`"v%d"`, i))}
	}
	return out
}

func TestSetProfile(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mustImport(t, "u")
	nick := account.ProfileItem{Tag: account.TagNick, Value: []byte(`"n"`)}
	bad := account.ProfileItem{Tag: "Tag_Profile_IM_Gender", Value: []byte(`"nope"`)}
	for _, c := range []struct {
		name  string
		id    string
		items []account.ProfileItem
		code  int
	}{
		{"no From_Account", "", []account.ProfileItem{nick}, apierr.ProfileNoAccount},
		{"malformed From_Account", "u\x01", []account.ProfileItem{nick}, apierr.ProfileBadParam},
		{"account not imported", "ghost", []account.ProfileItem{nick}, apierr.ProfileUserNotFound},
		{"no items", "u", nil, apierr.ProfileBadParam},
		{"one over the item limit", "u", customItems(account.MaxProfileItems + 1), apierr.ProfileBadParam},
		{"exactly the item limit", "u", customItems(account.MaxProfileItems), 0},
		{"a bad item refuses the whole request", "u", []account.ProfileItem{{Tag: account.TagNick, Value: []byte(`"unwritten"`)}, bad}, apierr.ProfileBadValue},
		{"an unknown tag refuses the whole request", "u", []account.ProfileItem{{Tag: account.TagNick, Value: []byte(`"unwritten"`)}, {Tag: "Tag_X", Value: []byte(`"x"`)}}, apierr.ProfileTagNotFound},
		{"one good item", "u", []account.ProfileItem{nick}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, "SetProfile", e.svc.SetProfile(ctx, c.id, c.items), c.code)
			if c.code == 0 || c.id != "u" {
				return
			}
			if nick, _ := nickOf(t, e, "u"); nick == `"unwritten"` {
				t.Error("a refused SetProfile wrote its valid items")
			}
		})
	}
	// The stored values are the normalised ones.
	wantCode(t, "SetProfile", e.svc.SetProfile(ctx, "u", []account.ProfileItem{{Tag: "Tag_Profile_IM_Level", Value: []byte(" 42 ")}}), 0)
	res, _, err := e.svc.GetProfiles(ctx, []string{"u"}, []string{"Tag_Profile_IM_Level"})
	wantCode(t, "GetProfiles", err, 0)
	if len(res[0].Items) != 1 || string(res[0].Items[0].Value) != "42" {
		t.Errorf("stored Level = %+v, want 42", res[0].Items)
	}
}

func TestGetProfiles(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mustImport(t, "a", "b")
	wantCode(t, "SetProfile", e.svc.SetProfile(ctx, "a", []account.ProfileItem{{Tag: account.TagNick, Value: []byte(`"A"`)}}), 0)

	tags := []string{account.TagNick}
	for _, c := range []struct {
		name string
		ids  []string
		tags []string
		code int
	}{
		{"no accounts", nil, tags, apierr.ProfileNoAccount},
		{"one over the account limit", ids("p", account.MaxBatch+1), tags, apierr.ProfileBadParam},
		{"exactly the account limit", ids("p", account.MaxBatch), tags, 0},
		{"no tags", []string{"a"}, nil, apierr.ProfileBadParam},
		{"one over the tag limit", []string{"a"}, slices.Repeat(tags, account.MaxProfileItems+1), apierr.ProfileBadParam},
		{"exactly the tag limit", []string{"a"}, slices.Repeat(tags, account.MaxProfileItems), 0},
		{"an unknown tag", []string{"a"}, []string{account.TagNick, "Tag_Profile_IM_Nope"}, apierr.ProfileTagNotFound},
		{"a custom tag", []string{"a"}, []string{"Tag_Profile_Custom_Hobby"}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := e.svc.GetProfiles(ctx, c.ids, c.tags)
			wantCode(t, "GetProfiles", err, c.code)
		})
	}

	t.Run("answers in request order and names missing accounts", func(t *testing.T) {
		req := []string{"b", "ghost", "a"}
		res, failed, err := e.svc.GetProfiles(ctx, req, tags)
		wantCode(t, "GetProfiles", err, 0)
		if !slices.Equal(failed, []string{"ghost"}) {
			t.Errorf("failed = %q, want [ghost]", failed)
		}
		if len(res) != len(req) {
			t.Fatalf("%d answers for %d accounts", len(res), len(req))
		}
		for i, r := range res {
			if r.UserID != req[i] {
				t.Errorf("answer %d is %q, want %q", i, r.UserID, req[i])
			}
			if r.Items == nil {
				t.Errorf("answer %q has nil Items, want a list", r.UserID)
			}
		}
		if res[1].ResultCode != apierr.ProfileUserNotFound || len(res[1].Items) != 0 {
			t.Errorf("missing account answered %+v, want code %d and no items", res[1], apierr.ProfileUserNotFound)
		}
		if res[0].ResultCode != 0 || len(res[0].Items) != 0 {
			t.Errorf("account without a nick answered %+v, want code 0 and no items", res[0])
		}
		if res[2].ResultCode != 0 || len(res[2].Items) != 1 || string(res[2].Items[0].Value) != `"A"` {
			t.Errorf("account with a nick answered %+v", res[2])
		}
	})
}
