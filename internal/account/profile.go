package account

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/hearth-chat/hearth/internal/apierr"
)

// Standard profile tags that account_import also writes.
const (
	TagNick  = "Tag_Profile_IM_Nick"
	TagImage = "Tag_Profile_IM_Image"
)

// CustomTagPrefix starts every app-defined profile tag.
const CustomTagPrefix = "Tag_Profile_Custom_"

type tagKind int

const (
	kindString tagKind = iota // a UTF-8 string of at most MaxProfileValueBytes
	kindUint32                // an integer 0..4294967295
	kindEnum                  // one of a fixed set of strings
)

type tagRule struct {
	kind   tagKind
	values []string // kindEnum only
}

// standardTags are the Tag_Profile_IM_* tags and the values each accepts
// (the standard profile fields of the hosted portrait_set page).
var standardTags = map[string]tagRule{
	TagNick:                          {kind: kindString},
	"Tag_Profile_IM_Gender":          {kind: kindEnum, values: []string{"Gender_Type_Unknown", "Gender_Type_Female", "Gender_Type_Male"}},
	"Tag_Profile_IM_BirthDay":        {kind: kindUint32},
	"Tag_Profile_IM_Location":        {kind: kindString},
	"Tag_Profile_IM_SelfSignature":   {kind: kindString},
	"Tag_Profile_IM_AllowType":       {kind: kindEnum, values: []string{"AllowType_Type_NeedConfirm", "AllowType_Type_AllowAny", "AllowType_Type_DenyAny"}},
	"Tag_Profile_IM_Language":        {kind: kindUint32},
	TagImage:                         {kind: kindString},
	"Tag_Profile_IM_MsgSettings":     {kind: kindUint32},
	"Tag_Profile_IM_AdminForbidType": {kind: kindEnum, values: []string{"AdminForbid_Type_None", "AdminForbid_Type_SendOut"}},
	"Tag_Profile_IM_Level":           {kind: kindUint32},
	"Tag_Profile_IM_Role":            {kind: kindUint32},
}

// validTag reports whether tag is a standard tag or a well-formed custom
// tag (Tag_Profile_Custom_ followed by 1–8 ASCII letters).
func validTag(tag string) bool {
	if _, ok := standardTags[tag]; ok {
		return true
	}
	key, ok := strings.CutPrefix(tag, CustomTagPrefix)
	if !ok || len(key) == 0 || len(key) > MaxCustomTagKeyBytes {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// CheckProfileItem validates one item for portrait_set and returns it with
// its value normalised to compact JSON.
func CheckProfileItem(it ProfileItem) (ProfileItem, error) {
	if !validTag(it.Tag) {
		return it, apierr.New(apierr.ProfileTagNotFound, "unknown profile tag %q", it.Tag)
	}
	v := bytes.TrimSpace(it.Value)
	if len(v) == 0 {
		return it, apierr.New(apierr.ProfileBadParam, "Value of %s is required", it.Tag)
	}
	rule, standard := standardTags[it.Tag]
	if !standard {
		rule = tagRule{kind: kindString}
	}
	switch rule.kind {
	case kindUint32:
		n, err := strconv.ParseUint(string(v), 10, 32)
		if err != nil {
			return it, apierr.New(apierr.ProfileValueTypeDiff, "Value of %s must be an integer 0..4294967295", it.Tag)
		}
		return ProfileItem{Tag: it.Tag, Value: json.RawMessage(strconv.FormatUint(n, 10))}, nil
	default:
		var s string
		if v[0] != '"' || json.Unmarshal(v, &s) != nil {
			return it, apierr.New(apierr.ProfileValueTypeDiff, "Value of %s must be a string", it.Tag)
		}
		if err := checkText("Value of "+it.Tag, &s, MaxProfileValueBytes, apierr.ProfileValueTooLong, apierr.ProfileBadParam); err != nil {
			return it, err
		}
		if rule.kind == kindEnum && !contains(rule.values, s) {
			return it, apierr.New(apierr.ProfileBadValue, "Value of %s must be one of %s", it.Tag, strings.Join(rule.values, ", "))
		}
		return ProfileItem{Tag: it.Tag, Value: stringJSON(s)}, nil
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// stringJSON encodes s as a JSON string.
func stringJSON(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a Go string always marshals
	return b
}
