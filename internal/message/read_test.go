package message_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/event"
	"github.com/hearth-chat/hearth/internal/message"
)

func TestReadPositionSetDispatchAndEncoding(t *testing.T) {
	c := message.ReadPositionSet{User: "alice", GroupID: "@TGS#_c", TopicID: "@TGS#_c@TOPIC#_t", Seq: 42, Unread: 3}
	var consumed []event.Event
	bus := event.NewLocal()
	got := make(chan event.Event, 1)
	defer bus.Subscribe(func(e event.Event) { got <- e })()
	d := event.NewDispatcher(bus, func(e event.Event) { consumed = append(consumed, e) })
	d.Publish(event.Of(context.Background(), c, time.UnixMilli(1700000000123)))

	if len(consumed) != 1 || consumed[0].Change != c {
		t.Fatalf("consumer got %+v, want the change once", consumed)
	}
	e := <-got
	if e.Type != "message.read_position_set" || e.GroupID != "" || !reflect.DeepEqual(e.Users, []string{"alice"}) {
		t.Fatalf("header %q %q %v: want the kind, no group (only alice's sessions), users [alice]", e.Type, e.GroupID, e.Users)
	}
	if _, routed := e.Change.(event.Routed); !routed {
		t.Fatal("a read position is broadcast to every node; want it routed to the user")
	}

	env, err := event.Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"v":1,"kind":"message.read_position_set","time":1700000000123,"change":{"User":"alice","GroupID":"@TGS#_c","TopicID":"@TGS#_c@TOPIC#_t","Seq":42,"Unread":3}}`
	if string(b) != want {
		t.Fatalf("encoding\n %s\nwant\n %s", b, want)
	}
	var back event.Envelope
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	r, err := event.Decode(back)
	if err != nil {
		t.Fatal(err)
	}
	if r.Change != c || r.Type != e.Type || r.Time != e.Time || !reflect.DeepEqual(r.Users, e.Users) {
		t.Fatalf("round trip %+v, want %+v", r, e)
	}
}
