package presence

import "github.com/hearth-chat/hearth/internal/event"

// Edge says whether a change took a user online or offline as far as the
// node that made it could know (no session anywhere it had heard of before
// the first one opened; none left after the last one closed). Only edges
// call the app's State.StateChange callback.
type Edge string

// Edges of a Changed.
const (
	NoEdge  Edge = ""
	Online  Edge = "online"
	Offline Edge = "offline"
)

// End is why a user's last session on a node ended (Offline edges).
type End string

// Ends of a session.
const (
	EndLogout  End = "logout"  // the client closed the connection with a normal close (1000)
	EndLink    End = "link"    // the connection was lost or closed otherwise, or the node shut down
	EndTimeout End = "timeout" // no frame and no pong for the idle timeout
	EndKicked  End = "kicked"  // kick or account_delete ended it
)

// Changed: the set of platforms User has sessions on, on Node, changed
// (a first session of a platform opened there, or the last one closed).
// Platforms is the whole set after the change (empty: no session left
// there), so a change can be applied again or out of order: Seq, which
// grows with every change a node makes, keeps the newest.
type Changed struct {
	User      string
	Node      string
	Platforms []string
	Seq       uint64
	Edge      Edge
	End       End    // Offline edges: why the last session ended
	Platform  string // the platform of the session that opened or closed
}

// Snapshot is a node's announcement of the users who have sessions on it,
// at most SnapshotUsers of them per Snapshot: sent when the node sees a new
// peer, so that a node that joins learns who is online elsewhere. It only
// adds: users it does not list keep what the receiver knows of them.
type Snapshot struct {
	Node  string
	Users []NodeUser
}

// NodeUser is one user of a Snapshot: its platforms on the node and the
// Seq of its last change there.
type NodeUser struct {
	User      string
	Platforms []string
	Seq       uint64
}

func (Changed) Kind() string         { return "presence.changed" }
func (Snapshot) Kind() string        { return "presence.snapshot" }
func (c Changed) Scope() event.Scope { return event.Scope{Users: []string{c.User}} }
func (Snapshot) Scope() event.Scope  { return event.Scope{} }

func init() {
	event.Register[Changed]()
	event.Register[Snapshot]()
}
