package group

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// MergeAppData returns base with patch applied in order, sorted by key: an
// entry with an empty Value deletes its key, any other sets it (a later
// entry for a key wins). It returns nil when no key is left.
func MergeAppData(base, patch []KV) []KV {
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
	out := make([]KV, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, KV{Key: k, Value: m[k]})
	}
	return out
}

// EncodeAppData returns the JSON text stores keep for kvs: "[]" when there
// are none.
func EncodeAppData(kvs []KV) string {
	if len(kvs) == 0 {
		return "[]"
	}
	b, err := json.Marshal(kvs)
	if err != nil { // a []struct{string, string} always marshals
		panic(fmt.Sprintf("group: encode custom fields: %v", err))
	}
	return string(b)
}

// DecodeAppData parses JSON text written by EncodeAppData; nil when it
// holds none.
func DecodeAppData(text string) ([]KV, error) {
	var kvs []KV
	if err := json.Unmarshal([]byte(text), &kvs); err != nil {
		return nil, fmt.Errorf("decode custom fields: %w", err)
	}
	if len(kvs) == 0 {
		return nil, nil
	}
	return kvs, nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Apply applies p to g, bumps InfoSeq and sets LastInfoTime: what a Store's
// ModifyGroup does.
func (g *Group) Apply(p GroupPatch) {
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
		g.AppDefinedData = MergeAppData(g.AppDefinedData, p.AppDefinedData)
	}
	g.InfoSeq++
	g.LastInfoTime = p.InfoTime
}

// Apply applies p to m: what a Store's ModifyMember does.
func (m *Member) Apply(p MemberPatch) {
	set(&m.Role, p.Role)
	set(&m.MsgFlag, p.MsgFlag)
	set(&m.NameCard, p.NameCard)
	set(&m.MuteUntil, p.MuteUntil)
	if len(p.AppDefinedData) > 0 {
		m.AppDefinedData = MergeAppData(m.AppDefinedData, p.AppDefinedData)
	}
}

// NormalizeMembers returns members as a Store keeps them in group groupID:
// each UserID once (the first occurrence wins), with GroupID set and
// AppDefinedData normalised by MergeAppData.
func NormalizeMembers(groupID string, members []Member) []Member {
	seen := make(map[string]bool, len(members))
	out := make([]Member, 0, len(members))
	for _, m := range members {
		if seen[m.UserID] {
			continue
		}
		seen[m.UserID] = true
		m.GroupID = groupID
		m.AppDefinedData = MergeAppData(nil, m.AppDefinedData)
		out = append(out, m)
	}
	return out
}
