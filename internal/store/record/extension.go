package record

import "github.com/hearth-chat/hearth/internal/message"

// The rules both stores run inside SetExtension's transaction and over
// Extensions' rows, so that the compare-and-set and the paging cannot
// drift apart between them; each store does its own SQL around them.

// ExtKeyColumns are the columns of message_extension_keys read back, in
// ExtKeyRow's order.
var ExtKeyColumns = []string{"key", "value", "seq", "deleted"}

// ExtKeyRow scans a row of ExtKeyColumns.
type ExtKeyRow struct {
	kv  message.KV
	seq int64
}

// Dest returns the Scan destinations of ExtKeyColumns.
func (r *ExtKeyRow) Dest() []any { return []any{&r.kv.Key, &r.kv.Value, &r.seq, &r.kv.Deleted} }

// KV returns the key scanned into r.
func (r *ExtKeyRow) KV() message.KV {
	kv := r.kv
	kv.Seq = uint64(r.seq)
	return kv
}

// ExtPlan is what one SetExtension writes: Clear deletes every key first,
// Upserts are the keys to store (Seq the new sequence), Latest and
// ClearSeq the head's sequences after it. Nothing is written when
// Result.Changed is false.
type ExtPlan struct {
	Result   message.ExtResult
	Clear    bool
	Upserts  []message.KV
	Latest   uint64
	ClearSeq uint64
}

// PlanExtension applies op to the stored keys cur (every key row of the
// extension, tombstones included) of an extension at sequence latest with
// clear sequence clearSeq: a key is written when the Seq the writer names
// is the stored key's (0 or the tombstone's for a key that is not live),
// else it conflicts and comes back as stored. It fails with
// message.ErrTooManyKeys when more than maxKeys would be live.
func PlanExtension(cur map[string]message.KV, latest, clearSeq uint64, op message.ExtOp, maxKeys int) (ExtPlan, error) {
	p := ExtPlan{Latest: latest, ClearSeq: clearSeq}
	next := latest + 1
	if op.Op == message.ExtClear {
		p.Clear, p.Latest, p.ClearSeq = true, next, next
		p.Result = message.ExtResult{Seq: next, Changed: true}
		return p, nil
	}
	live := 0
	for _, kv := range cur {
		if !kv.Deleted {
			live++
		}
	}
	p.Result.Keys = make([]message.KV, len(op.Keys))
	p.Result.Conflict = make([]bool, len(op.Keys))
	for i, want := range op.Keys {
		have, found := cur[want.Key]
		if !found {
			have = message.KV{Key: want.Key, Deleted: true}
		}
		matches := want.Seq == have.Seq || (have.Deleted && want.Seq == 0)
		if !matches {
			p.Result.Keys[i], p.Result.Conflict[i] = have, true
			continue
		}
		if op.Op == message.ExtDelete && have.Deleted {
			p.Result.Keys[i] = have // nothing to delete
			continue
		}
		kv := message.KV{Key: want.Key, Value: want.Value, Seq: next, Deleted: op.Op == message.ExtDelete}
		switch {
		case kv.Deleted:
			live--
		case have.Deleted:
			live++
		}
		p.Upserts = append(p.Upserts, kv)
		p.Result.Keys[i] = kv
	}
	if live > maxKeys {
		return ExtPlan{}, message.ErrTooManyKeys
	}
	if len(p.Upserts) > 0 {
		p.Latest = next
		p.Result.Changed = true
	}
	p.Result.Seq = p.Latest
	return p, nil
}

// ExtPageOf makes the page of keys read in (seq, key) order, at most
// limit+message.MaxExtPerCall+1 of them: at most limit keys, cut before a
// sequence whose keys do not all fit, Complete when none were left.
func ExtPageOf(rows []message.KV, limit int, latest, clearSeq uint64) message.ExtPage {
	p := message.ExtPage{Keys: rows, LatestSeq: latest, ClearSeq: clearSeq, Complete: true}
	if len(rows) > limit {
		cut := limit
		for cut > 0 && rows[cut-1].Seq == rows[limit].Seq {
			cut--
		}
		if cut == 0 { // one sequence holds more than a page: never, as a write holds at most MaxExtPerCall
			cut = limit
		}
		p.Keys, p.Complete = rows[:cut], false
	}
	if p.Keys == nil {
		p.Keys = []message.KV{}
	}
	return p
}
