package group

import (
	"github.com/hearth-chat/hearth/internal/account"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/text"
)

// ParseType reads a Type value of the REST API, accepting the new names
// Work (= Private) and Meeting (= ChatRoom).
func ParseType(s string) (Type, bool) {
	switch s {
	case "Private", "Work":
		return Private, true
	case "Public":
		return Public, true
	case "ChatRoom", "Meeting":
		return ChatRoom, true
	case "AVChatRoom":
		return AVChatRoom, true
	case "Community":
		return Community, true
	}
	return "", false
}

// Join and invite options.
const (
	FreeAccess     = "FreeAccess"
	NeedPermission = "NeedPermission"
	DisableApply   = "DisableApply"
	DisableInvite  = "DisableInvite"
)

// Message flags of a member.
const (
	AcceptAndNotify = "AcceptAndNotify"
	AcceptNotNotify = "AcceptNotNotify"
	Discard         = "Discard"
)

func badParam(format string, args ...any) error {
	return apierr.New(apierr.GroupBadParam, format, args...)
}

// checkLen returns 10004 naming field when *v is longer than max bytes or
// is not text both stores keep faithfully (text.Problem).
func checkLen(field string, v *string, max int) error {
	if v == nil {
		return nil
	}
	if len(*v) > max {
		return badParam("%s is longer than %d bytes", field, max)
	}
	if p := text.Problem(*v); p != "" {
		return badParam("%s %s", field, p)
	}
	return nil
}

// CheckUserIDs answers 10004 naming field when one of ids is not a
// well-formed UserID (1–32 bytes of printable ASCII): no such account can
// exist, and no store is asked about it.
func CheckUserIDs(field string, ids ...string) error {
	return account.CheckUserIDs(field, ids, apierr.GroupBadParam)
}

func oneOf(field string, v *string, allowed ...string) error {
	if v == nil {
		return nil
	}
	for _, a := range allowed {
		if *v == a {
			return nil
		}
	}
	return badParam("%s must be one of %v", field, allowed)
}

// OnOff reads an "On"/"Off" field.
func OnOff(field string, v *string) (*bool, error) {
	if v == nil {
		return nil, nil
	}
	switch *v {
	case "On":
		b := true
		return &b, nil
	case "Off":
		b := false
		return &b, nil
	}
	return nil, badParam("%s must be On or Off", field)
}

// checkAppData validates custom fields: key charset and length, value
// length, no duplicate keys, at most maxKeys in the request.
func checkAppData(field string, kvs []KV, maxKeys, maxValue int) error {
	if len(kvs) > maxKeys {
		return badParam("at most %d keys in %s", maxKeys, field)
	}
	seen := make(map[string]bool, len(kvs))
	for _, kv := range kvs {
		if kv.Key == "" || len(kv.Key) > MaxAppDataKeyBytes {
			return badParam("%s key %q must be 1–%d bytes", field, kv.Key, MaxAppDataKeyBytes)
		}
		for i := 0; i < len(kv.Key); i++ {
			c := kv.Key[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
				return badParam("%s key %q may hold only letters, digits and _", field, kv.Key)
			}
		}
		if len(kv.Value) > maxValue {
			return badParam("%s value of %s is longer than %d bytes", field, kv.Key, maxValue)
		}
		if p := text.Problem(kv.Value); p != "" {
			return badParam("%s value of %s %s", field, kv.Key, p)
		}
		if seen[kv.Key] {
			return badParam("%s key %s is repeated", field, kv.Key)
		}
		seen[kv.Key] = true
	}
	return nil
}

// FilterAppData returns the entries of kvs whose key is in keys.
func FilterAppData(kvs []KV, keys []string) []KV {
	out := []KV{}
	for _, kv := range kvs {
		for _, k := range keys {
			if kv.Key == k {
				out = append(out, kv)
				break
			}
		}
	}
	return out
}
