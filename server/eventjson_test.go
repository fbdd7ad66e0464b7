package server

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
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

// TestRecorderArena: events the recorder writes into its arena are
// encodeEvent's bytes and stay so while later events (small, larger than
// a chunk's room, larger than a chunk) are written after them.
func TestRecorderArena(t *testing.T) {
	s := &Server{events: newEventLayout()}
	r := &recorder{s: s}
	var got, want [][]byte
	for i, size := range []int{10, 100, 700, 400, 20000, 5, 3000, 600, 600, 600, 600, 50, 1 << 16, 1} {
		ev := &interpreter.Event{ID: int64(i + 1), Type: "PassStateExited", Timestamp: time.UnixMilli(int64(i)),
			StateExitedEventDetails: &interpreter.StateExitedDetails{Name: "S", Output: strings.Repeat("x", size)}}
		data, err := r.encode(ev, int64(i+1), int64(i))
		if err != nil {
			t.Fatal(err)
		}
		if len(data) != cap(data) {
			t.Fatalf("event %d: capacity %d beyond its length %d", i, cap(data), len(data))
		}
		w, _ := s.events.encodeEvent(ev, int64(i+1), int64(i))
		got, want = append(got, data), append(want, w)
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("event %d changed or differs:\n%.200s\n%.200s", i, got[i], want[i])
		}
	}
}
