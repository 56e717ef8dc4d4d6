package app

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hearth-chat/hearth/internal/event"
)

// TestEveryChangeKindRoundTrips: every kind a domain registers survives the
// cluster's versioned encoding with every field set, so that a remote node
// invalidates and pushes exactly what the local one does. A field the
// encoding loses (unexported, json:"-", an interface) fails here, for
// every kind added later too.
func TestEveryChangeKindRoundTrips(t *testing.T) {
	kinds := event.Registered()
	if len(kinds) < 22 {
		t.Fatalf("%d kinds registered; the domains register at least 22", len(kinds))
	}
	for _, zero := range kinds {
		t.Run(zero.Kind(), func(t *testing.T) {
			v := reflect.New(reflect.TypeOf(zero)).Elem()
			n := 0
			fill(t, v, &n)
			c := v.Interface().(event.Change)
			e := event.Of(t.Context(), c, time.UnixMilli(1700000000000+int64(n)))
			env, err := event.Encode(e)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(env)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(b), `{"v":1,"kind":"`+zero.Kind()+`",`) {
				t.Fatalf("envelope %s: want version 1 and the kind first", b)
			}
			var back event.Envelope
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			r, err := event.Decode(back)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r.Change, c) {
				t.Fatalf("decoded\n %#v\nwant\n %#v", r.Change, c)
			}
			if r.Type != e.Type || r.GroupID != e.GroupID || r.TopicID != e.TopicID || !reflect.DeepEqual(r.Users, e.Users) || r.Time != e.Time {
				t.Fatalf("header %+v, want %+v", r, e)
			}

			for _, bad := range []event.Envelope{
				{V: event.Version + 1, Kind: back.Kind, Change: back.Change},
				{V: 0, Kind: back.Kind, Change: back.Change},
				{V: event.Version, Kind: back.Kind + ".unknown", Change: back.Change},
				{V: event.Version, Kind: back.Kind, Change: json.RawMessage(`[1,2]`)},
			} {
				if _, err := event.Decode(bad); err == nil {
					t.Errorf("Decode(v %d, kind %q, %s) succeeded; want it refused", bad.V, bad.Kind, bad.Change)
				}
			}
		})
	}
}

// fill sets every field reachable from v to a distinct non-zero value.
func fill(t *testing.T, v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if v.Type() == reflect.TypeFor[time.Duration]() {
			v.SetInt(int64(*n) * int64(time.Second))
			return
		}
		v.SetInt(int64(*n % 100))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(*n % 100))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			v.SetBytes([]byte(fmt.Sprintf(`{"k":%d}`, *n)))
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		fill(t, s.Index(0), n)
		fill(t, s.Index(1), n)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(t, k, n)
		fill(t, e, n)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(t, p.Elem(), n)
		v.Set(p)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Unix(int64(1700000000+*n), 0).UTC()))
			return
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				t.Fatalf("%s.%s is unexported: the cluster encoding drops it", v.Type(), f.Name)
			}
			fill(t, v.Field(i), n)
		}
	default:
		t.Fatalf("%s: a field of kind %s has no stable encoding", v.Type(), v.Kind())
	}
}
