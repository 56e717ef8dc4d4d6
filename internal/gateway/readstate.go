package gateway

import (
	"context"
	"maps"
	"slices"

	"github.com/hearth-chat/hearth/client"
	"github.com/hearth-chat/hearth/internal/message"
)

// MaxUnreadGroups bounds the groups one unread request reports (the user's
// most recently joined first); older ones are read with REST.
const MaxUnreadGroups = 1000

func readState(st message.StreamState) client.ReadState {
	return client.ReadState{GroupID: st.GroupID, TopicID: st.TopicID, ReadSeq: st.ReadSeq, LastSeq: st.LastSeq, Unread: st.Unread}
}

// read marks a stream read up to f.Seq (0: its newest message) for the
// session's user, or a one-to-one conversation with f.To up to f.Time
// (0: now), and answers the state after. The user's other sessions hear of
// it as an event.
func (s *Server) read(ctx context.Context, ss *session, f client.Frame) {
	if f.To != "" {
		unread, err := s.deps.Reads.MarkC2CRead(ctx, ss.user, f.To, f.Time)
		if err != nil {
			s.fail(ss, f.ID, err)
			return
		}
		s.reply(ss, client.Frame{Type: client.TypeReadOK, ID: f.ID, Reads: []client.ReadState{{Peer: f.To, Unread: unread}}})
		return
	}
	st, err := s.deps.Reads.MarkRead(ctx, ss.user, f.GroupID, f.TopicID, f.Seq)
	if err != nil {
		s.fail(ss, f.ID, err)
		return
	}
	s.reply(ss, client.Frame{Type: client.TypeReadOK, ID: f.ID, Reads: []client.ReadState{readState(st)}})
}

// unread answers the read state of every stream of the user's groups (at
// most MaxUnreadGroups of them) and of every one-to-one conversation with
// unread messages.
func (s *Server) unread(ctx context.Context, ss *session, f client.Frame) {
	joined, err := s.joined(ctx, ss.user) // newest join first
	if err != nil {
		s.fail(ss, f.ID, err)
		return
	}
	joined = joined[:min(len(joined), MaxUnreadGroups)]
	streams, err := s.deps.Reads.Groups(ctx, ss.user, joined)
	if err != nil {
		s.fail(ss, f.ID, err)
		return
	}
	out := make([]client.ReadState, 0, len(streams))
	for _, st := range streams {
		out = append(out, readState(st))
	}
	peers, _, _, err := s.deps.Reads.C2CUnread(ctx, ss.user, nil)
	if err != nil {
		s.fail(ss, f.ID, err)
		return
	}
	for _, p := range slices.Sorted(maps.Keys(peers)) {
		out = append(out, client.ReadState{Peer: p, Unread: peers[p]})
	}
	s.reply(ss, client.Frame{Type: client.TypeUnread, ID: f.ID, Reads: out})
}

// syncReads is the read state of the group streams of a sync, for its
// sync_done.
func (s *Server) syncReads(ctx context.Context, user string, streams []client.Stream) ([]client.ReadState, error) {
	var out []client.ReadState
	for _, st := range streams {
		if st.Peer != "" {
			continue
		}
		rs, err := s.deps.Reads.Stream(ctx, user, st.GroupID, st.TopicID)
		if err != nil {
			return nil, err
		}
		out = append(out, readState(rs))
	}
	return out, nil
}
