package server

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
)

// TestEncodeEventIsMarshal: encodeEvent writes the bytes encoding/json
// writes for the wire event, for every kind of details interpreter.Event
// has (each set in turn, zero and with its string fields filled), and for
// a timestamp-less event.
func TestEncodeEventIsMarshal(t *testing.T) {
	l := newEventLayout()
	if !l.known {
		t.Fatal("interpreter.Event has fields encodeEvent does not know; it falls back to encoding/json for every event")
	}
	ts := time.UnixMilli(1795993681904)
	typ := reflect.TypeFor[interpreter.Event]()
	check := func(ev *interpreter.Event) {
		t.Helper()
		got, err := l.encodeEvent(ev, 7, 6)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(wireEvent{Event: ev, ID: 7, PreviousEventID: 6, Timestamp: ep(ev.Timestamp)})
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("encodeEvent\n%s\nencoding/json\n%s", got, want)
		}
	}
	check(&interpreter.Event{ID: 1, Type: "ExecutionStarted"})
	check(&interpreter.Event{ID: 1, Type: "Odd \"type\" <&>", Timestamp: ts})
	for _, f := range l.details {
		ev := &interpreter.Event{ID: 3, PreviousEventID: 2, Timestamp: ts, Type: "SomeEvent"}
		fv := reflect.ValueOf(ev).Elem().Field(f.index)
		fv.Set(reflect.New(typ.Field(f.index).Type.Elem()))
		check(ev)
		d := fv.Elem()
		for i := range d.NumField() {
			if d.Field(i).Kind() == reflect.String {
				d.Field(i).SetString(`{"a":"<b>&\u2028é"}`)
			}
		}
		check(ev)
	}
}

func BenchmarkEncodeEvent(b *testing.B) {
	l := newEventLayout()
	ev := &interpreter.Event{ID: 3, PreviousEventID: 2, Timestamp: time.Now(), Type: "PassStateExited",
		StateExitedEventDetails: &interpreter.StateExitedDetails{Name: "S1", Output: `{"n":1,"s0":0,"s1":1}`}}
	b.Run("encodeEvent", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			l.encodeEvent(ev, 5, 4)
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			json.Marshal(wireEvent{Event: ev, ID: 5, PreviousEventID: 4, Timestamp: ep(ev.Timestamp)})
		}
	})
}
