package event

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
)

// Version is the version of the change encoding: an envelope
// {"v":1,"kind":"topic.modified","time":…,"change":{…}} whose change is the
// JSON of the registered Go type of the kind. A node that reads an envelope
// of another version or an unknown kind drops it (and logs): clients
// resume from the store.
const Version = 1

// Envelope is the encoding of one change.
type Envelope struct {
	V      int             `json:"v"`
	Kind   string          `json:"kind"`
	Time   int64           `json:"time,omitempty"`
	Change json.RawMessage `json:"change"`
}

var (
	kindsMu sync.RWMutex
	kinds   = map[string]func([]byte) (Change, error){}
	zeros   = map[string]Change{}
)

// Register makes T's kind decodable; each domain registers its changes
// once, beside their declarations. Registering one kind twice panics.
func Register[T Change]() {
	var zero T
	kind := zero.Kind()
	kindsMu.Lock()
	defer kindsMu.Unlock()
	if _, dup := kinds[kind]; dup {
		panic("event: kind " + kind + " registered twice")
	}
	kinds[kind] = func(b []byte) (Change, error) {
		var v T
		err := json.Unmarshal(b, &v)
		return v, err
	}
	zeros[kind] = zero
}

// Registered returns the zero value of every registered kind, ordered by
// kind (for tests that check every kind's encoding).
func Registered() []Change {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	out := make([]Change, 0, len(zeros))
	for _, k := range slices.Sorted(maps.Keys(zeros)) {
		out = append(out, zeros[k])
	}
	return out
}

// Encode returns the envelope of e (json.Marshal it, or embed it in a
// larger message).
func Encode(e Event) (Envelope, error) {
	b, err := json.Marshal(e.Change)
	if err != nil {
		return Envelope{}, fmt.Errorf("encode %s: %w", e.Type, err)
	}
	return Envelope{V: Version, Kind: e.Type, Time: e.Time, Change: b}, nil
}

// Decode returns the event of an envelope, its header read from the change.
func Decode(env Envelope) (Event, error) {
	if env.V != Version {
		return Event{}, fmt.Errorf("change encoding version %d, this node reads %d", env.V, Version)
	}
	kindsMu.RLock()
	dec := kinds[env.Kind]
	kindsMu.RUnlock()
	if dec == nil {
		return Event{}, fmt.Errorf("unknown change kind %q", env.Kind)
	}
	c, err := dec(env.Change)
	if err != nil {
		return Event{}, fmt.Errorf("decode %s: %w", env.Kind, err)
	}
	e := header(c)
	e.Time = env.Time
	return e, nil
}
