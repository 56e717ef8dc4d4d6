package record

import "slices"

// Unique returns ss without repeats, in first-seen order.
func Unique(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Sorted returns a sorted copy of ids: statements over sorted IDs lock rows
// in one order, which keeps them from deadlocking each other.
func Sorted(ids []string) []string {
	return slices.Sorted(slices.Values(ids))
}

// InOrder returns the IDs of ids that are in got, in the order of ids.
// ids must not repeat.
func InOrder(ids []string, got map[string]bool) []string {
	var out []string
	for _, id := range ids {
		if got[id] {
			out = append(out, id)
		}
	}
	return out
}

// OrderedBy returns the items of found whose key is in ids, in the order
// of ids. ids must not repeat.
func OrderedBy[T any](ids []string, found []T, key func(T) string) []T {
	byID := make(map[string]T, len(found))
	for _, it := range found {
		byID[key(it)] = it
	}
	var out []T
	for _, id := range ids {
		if it, ok := byID[id]; ok {
			out = append(out, it)
		}
	}
	return out
}

// Page cuts a page of at most limit IDs from ids, read with one more than
// limit to tell whether another page follows, and returns it with the
// cursor of the next page: the sequence number (seqs[i] is that of ids[i])
// of its last ID, or 0 when there is no next page. limit <= 0 means no
// limit.
func Page(ids []string, seqs []int64, limit int) (page []string, next uint64) {
	if limit > 0 && len(ids) > limit {
		return ids[:limit], uint64(seqs[limit-1])
	}
	return ids, 0
}
