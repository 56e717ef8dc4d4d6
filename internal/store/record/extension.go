package record

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/hearth-chat/hearth/internal/message"
)

// The rules both stores run inside SetExtension's transaction and over
// Extensions' rows, so that the compare-and-set and the paging cannot
// drift apart between them; each store does its own SQL around them.

// ExtHead is a message's extension head as a store reads it: the message
// (MsgID its c2c_messages id, for a one-to-one message; Recalled) and its
// row of message_extensions (ID not Valid when the message was not sent
// with SupportMessageExtension 1; Latest and Cleared its latest_seq and
// clear_seq).
type ExtHead struct {
	MsgID           int64
	Recalled        bool
	ID              sql.NullInt64
	Latest, Cleared int64
}

// Usable checks that a head may be written and read.
func (h ExtHead) Usable() error {
	switch {
	case h.Recalled:
		return message.ErrNoMessage
	case !h.ID.Valid:
		return message.ErrNoExtension
	}
	return nil
}

// ExtMessageArgs returns the arguments of a store's look-up of the message
// of ref: From, To and Key of a one-to-one message, else GroupID, TopicID
// and Seq.
func ExtMessageArgs(ref message.ExtRef) []any {
	if ref.C2C() {
		return []any{ref.From, ref.To, ref.Key}
	}
	return []any{ref.GroupID, ref.TopicID, int64(ref.Seq)}
}

// ExtRowArgs returns the arguments that name the row of message_extensions
// of the message of ref: msgID, its c2c_messages id, for a one-to-one
// message, else GroupID, TopicID and Seq.
func ExtRowArgs(ref message.ExtRef, msgID int64) []any {
	if ref.C2C() {
		return []any{msgID}
	}
	return []any{ref.GroupID, ref.TopicID, int64(ref.Seq)}
}

// ExtKeys reads the key rows of extension id with seq >= from (deleted
// ones too when withDeleted), in (seq, key) order, at most limit (0: all):
// a store's query, in the transaction that read the head.
type ExtKeys func(id, from int64, withDeleted bool, limit int) ([]message.KV, error)

// PlanSet reads every key row of h's extension (tombstones included)
// through keys and plans op over them with PlanExtension.
func (h ExtHead) PlanSet(keys ExtKeys, op message.ExtOp, maxKeys int) (ExtPlan, error) {
	rows, err := keys(h.ID.Int64, 0, true, 0)
	if err != nil {
		return ExtPlan{}, err
	}
	cur := make(map[string]message.KV, len(rows))
	for _, kv := range rows {
		cur[kv.Key] = kv
	}
	return PlanExtension(cur, uint64(h.Latest), uint64(h.Cleared), op, maxKeys)
}

// ReadPage reads through keys the page of h's extension from startSeq
// (deleted keys only when startSeq > 0) of at most limit keys, as
// ExtPageOf makes it.
func (h ExtHead) ReadPage(keys ExtKeys, startSeq uint64, limit int) (message.ExtPage, error) {
	rows, err := keys(h.ID.Int64, int64(startSeq), startSeq > 0, limit+message.MaxExtPerCall+1)
	if err != nil {
		return message.ExtPage{}, err
	}
	return ExtPageOf(rows, limit, uint64(h.Latest), uint64(h.Cleared)), nil
}

// ExtRefString names the message of ref in errors.
func ExtRefString(ref message.ExtRef) string {
	if ref.C2C() {
		return fmt.Sprintf("message %q from %q to %q", ref.Key, ref.From, ref.To)
	}
	return fmt.Sprintf("message %d of %q/%q", ref.Seq, ref.GroupID, ref.TopicID)
}

// ExtError returns err of a write or read of ref's extension as
// message.ExtensionStore answers it: nil for nil; ErrNoMessage,
// ErrNoExtension and ErrTooManyKeys as they are; anything else wrapped as
// "<what> <the message>: <err>".
func ExtError(err error, what string, ref message.ExtRef) error {
	if err == nil || errors.Is(err, message.ErrNoMessage) || errors.Is(err, message.ErrNoExtension) || errors.Is(err, message.ErrTooManyKeys) {
		return err
	}
	return fmt.Errorf("%s %s: %w", what, ExtRefString(ref), err)
}

// ExtKeyColumns are the columns of message_extension_keys read back, in
// ExtKeyRow's order.
var ExtKeyColumns = []string{"key", "value", "seq", "deleted"}

// ExtKeysQuery returns the query of an ExtKeys and its arguments: the
// SELECT of ExtKeyColumns from message_extension_keys, then where (the
// store's WHERE over $1 id, $2 from and $3 withDeleted, and ORDER BY seq,
// key), then when limit > 0 limitClause (the store's LIMIT over $4 limit).
func ExtKeysQuery(where, limitClause string, id, from int64, withDeleted bool, limit int) (string, []any) {
	query := Select("message_extension_keys", "", ExtKeyColumns) + " " + where
	args := []any{id, from, withDeleted}
	if limit > 0 {
		query += " " + limitClause
		args = append(args, limit)
	}
	return query, args
}

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
