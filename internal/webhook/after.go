package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"time"

	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/hook"
)

// enqueueTimeout bounds the outbox write of one event's callbacks.
const enqueueTimeout = 10 * time.Second

// Record is the dispatcher's consumer of the after-callbacks: it writes
// the callback of each change made on this node to the outbox. The services
// publish after their write committed and before they answer, so a request
// that answered OK has its callbacks queued. A remote change is not
// recorded: the node that made it did.
func (w *Webhooks) Record(e event.Event) {
	if e.Remote || !w.after {
		return
	}
	cmd := afterCommand(e.Change)
	if !w.enabled[cmd] { // no body built for a disabled callback
		return
	}
	body := w.afterBody(e.Change, w.admin(e.Origin))
	if body == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), enqueueTimeout)
	defer cancel()
	w.enqueue(ctx, cmd, callbackOrigin(cmd, e.Origin), body, e.Time)
}

func isAfter(command string) bool { return !before[command] && slices.Contains(All, command) }

// before are the before-callbacks of All.
var before = map[string]bool{hook.BeforeCreateGroup: true, hook.BeforeInviteJoinGroup: true, hook.BeforeSendGroupMsg: true,
	hook.BeforeCreateTopic: true, hook.BeforeModifyTopic: true, hook.BeforeSendC2CMsg: true}

// NewEventID returns a fresh event ID: 32 hex digits.
func NewEventID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// enqueue writes one after-callback to the outbox and wakes the
// dispatcher. A failed write is logged and counted: the operation has
// happened already.
func (w *Webhooks) enqueue(ctx context.Context, command string, o hook.Origin, body map[string]any, eventTime int64) {
	if eventTime != 0 {
		body["EventTime"] = eventTime
	}
	b, err := w.encode(command, body)
	if err == nil {
		err = w.store.EnqueueCallbacks(ctx, []Callback{{ID: NewEventID(), Command: command, Body: b,
			ClientIP: o.ClientIP, Platform: o.Platform, Created: w.cfg.Now().UnixMilli(), Due: w.cfg.Now().UnixMilli()}})
	}
	if err != nil {
		w.metrics.enqueueErrors.Inc()
		w.cfg.Logger.Error("after-callback not queued", "command", command, "err", err)
		return
	}
	w.metrics.queued.Inc()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}
