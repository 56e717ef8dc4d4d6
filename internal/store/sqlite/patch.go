package sqlite

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hearth-chat/hearth/internal/group"
)

// This file holds the group rules that are the store's to apply: custom
// field merging, patches, and the normalisation of new members. The
// PostgreSQL store has the same functions; keep them alike.

// mergeKV returns base with patch applied in order, sorted by key: an entry
// with an empty Value deletes its key, any other sets it (a later entry for a
// key wins). It returns nil when no key is left.
func mergeKV(base, patch []group.KV) []group.KV {
	m := make(map[string]string, len(base)+len(patch))
	for _, kv := range base {
		m[kv.Key] = kv.Value
	}
	for _, kv := range patch {
		if kv.Value == "" {
			delete(m, kv.Key)
		} else {
			m[kv.Key] = kv.Value
		}
	}
	if len(m) == 0 {
		return nil
	}
	out := make([]group.KV, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, group.KV{Key: k, Value: m[k]})
	}
	return out
}

// encodeKV returns the JSON text stored for kvs: "[]" when there are none.
func encodeKV(kvs []group.KV) string {
	if len(kvs) == 0 {
		return "[]"
	}
	b, err := json.Marshal(kvs)
	if err != nil { // a []struct{string, string} always marshals
		panic(fmt.Sprintf("sqlite: encode custom fields: %v", err))
	}
	return string(b)
}

// decodeKV parses JSON text written by encodeKV; nil when it holds none.
func decodeKV(text string) ([]group.KV, error) {
	var kvs []group.KV
	if err := json.Unmarshal([]byte(text), &kvs); err != nil {
		return nil, fmt.Errorf("decode custom fields: %w", err)
	}
	if len(kvs) == 0 {
		return nil, nil
	}
	return kvs, nil
}

// set stores *v in *dst when v is not nil.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// applyGroupPatch applies p to g, bumps InfoSeq and sets LastInfoTime.
func applyGroupPatch(g *group.Group, p group.GroupPatch) {
	set(&g.Name, p.Name)
	set(&g.Introduction, p.Introduction)
	set(&g.Notification, p.Notification)
	set(&g.FaceURL, p.FaceURL)
	set(&g.MaxMemberNum, p.MaxMemberNum)
	set(&g.ApplyJoinOption, p.ApplyJoinOption)
	set(&g.InviteJoinOption, p.InviteJoinOption)
	set(&g.MuteAllMember, p.MuteAllMember)
	set(&g.HistoryMsgBeforeJoin, p.HistoryMsgBeforeJoin)
	set(&g.EnablePermission, p.EnablePermission)
	set(&g.DefaultPermission, p.DefaultPermission)
	if len(p.AppDefinedData) > 0 {
		g.AppDefinedData = mergeKV(g.AppDefinedData, p.AppDefinedData)
	}
	g.InfoSeq++
	g.LastInfoTime = p.InfoTime
}

// applyMemberPatch applies p to m.
func applyMemberPatch(m *group.Member, p group.MemberPatch) {
	set(&m.Role, p.Role)
	set(&m.MsgFlag, p.MsgFlag)
	set(&m.NameCard, p.NameCard)
	set(&m.MuteUntil, p.MuteUntil)
	if len(p.AppDefinedData) > 0 {
		m.AppDefinedData = mergeKV(m.AppDefinedData, p.AppDefinedData)
	}
}

// newMembers returns members as they are stored in group groupID: each
// UserID once (the first occurrence wins), with GroupID set and
// AppDefinedData normalised by mergeKV.
func newMembers(groupID string, members []group.Member) []group.Member {
	seen := make(map[string]bool, len(members))
	out := make([]group.Member, 0, len(members))
	for _, m := range members {
		if seen[m.UserID] {
			continue
		}
		seen[m.UserID] = true
		m.GroupID = groupID
		m.AppDefinedData = mergeKV(nil, m.AppDefinedData)
		out = append(out, m)
	}
	return out
}

// hasMember reports whether members has one with userID.
func hasMember(members []group.Member, userID string) bool {
	return slices.ContainsFunc(members, func(m group.Member) bool { return m.UserID == userID })
}

// userIDsOf returns the UserIDs of members, in order.
func userIDsOf(members []group.Member) []string {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.UserID
	}
	return ids
}

// inOrder returns the IDs of ids that are in got, in the order of ids.
// ids must not repeat.
func inOrder(ids []string, got map[string]bool) []string {
	var out []string
	for _, id := range ids {
		if got[id] {
			out = append(out, id)
		}
	}
	return out
}

// isConstraint reports whether err is an SQLite constraint failure with the
// extended result code.
func isConstraint(err error, code int) bool {
	e, ok := errors.AsType[*sqlite.Error](err)
	return ok && e.Code() == code
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	return isConstraint(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE) || isConstraint(err, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// isForeignKey reports whether err is a FOREIGN KEY violation.
func isForeignKey(err error) bool {
	return isConstraint(err, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY)
}
