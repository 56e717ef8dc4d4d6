package gateway

import (
	"context"
	"encoding/json"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/message"
)

// extension sets (ext_set) or removes (ext_remove) one key of a message's
// extension for the session's user, through the permission engine
// (ReactToMessage) for a group or topic message; a one-to-one message's
// extension is its two users'. It answers ext_ok with the key as stored,
// or an error frame: 23001 with the stored key in data when ext_seq was
// not the key's Seq.
func (s *Server) extension(ctx context.Context, ss *session, f client.Frame) {
	ref := message.ExtRef{GroupID: f.GroupID, TopicID: f.TopicID, Seq: f.Seq}
	if f.GroupID == "" {
		ref = message.ExtRef{From: ss.user, To: f.To, Key: f.MsgKey}
		if f.From != "" { // a message the peer sent
			ref.From, ref.To = f.From, ss.user
		}
	}
	op := message.ExtSet
	if f.Type == client.TypeExtRemove {
		op = message.ExtDelete
	}
	res, err := s.deps.Extensions.Set(ctx, message.ExtWrite{Ref: ref, User: ss.user,
		ExtOp: message.ExtOp{Op: op, Keys: []message.KV{{Key: f.Key, Value: f.Value, Seq: f.ExtSeq}}}})
	if err != nil {
		s.fail(ss, f.ID, err)
		return
	}
	kv := res.Keys[0]
	if res.Conflict[0] {
		data, _ := json.Marshal(extData{Key: kv.Key, Value: kv.Value, Seq: kv.Seq, Deleted: kv.Deleted})
		s.reply(ss, client.Frame{Type: client.TypeError, ID: f.ID, Code: apierr.ExtSeqConflict,
			Info: "another writer changed the key first: its stored Seq is in data; retry with it", Data: data})
		return
	}
	s.reply(ss, client.Frame{Type: client.TypeExtOK, ID: f.ID, GroupID: ref.GroupID, TopicID: ref.TopicID, Seq: ref.Seq,
		From: ref.From, To: ref.To, MsgKey: ref.Key, Key: kv.Key, Value: kv.Value, ExtSeq: kv.Seq})
}

// extData is one key in the data of an extension's frames.
type extData struct {
	Key     string
	Value   string
	Seq     uint64
	Deleted bool `json:",omitempty"`
}

// extensionEvent is the data of a message.extension event: the message
// (Seq of a group or topic message; From, To and MsgKey of a one-to-one
// one), who changed it, the operation (1 set, 2 delete, 3 clear), the keys
// written and the extension's sequence after it.
func extensionEvent(c message.ExtensionChanged) any {
	keys := make([]extData, len(c.Keys))
	for i, kv := range c.Keys {
		keys[i] = extData{Key: kv.Key, Value: kv.Value, Seq: kv.Seq, Deleted: kv.Deleted}
	}
	return struct {
		MsgSeq   uint64 `json:",omitempty"`
		From     string `json:",omitempty"`
		To       string `json:",omitempty"`
		MsgKey   string `json:",omitempty"`
		Operator string `json:",omitempty"`
		Op       int
		Keys     []extData
		Seq      uint64
	}{c.Ref.Seq, c.Ref.From, c.Ref.To, c.Ref.Key, c.Operator, c.Op, keys, c.Seq}
}
