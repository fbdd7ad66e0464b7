package server

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/hsc-dev/hsc/interpreter"
)

// eventField is one details member of interpreter.Event: its field index
// and JSON key.
type eventField struct {
	index int
	key   string
}

// eventLayout is what encodeEvent knows of interpreter.Event: its details
// members, and whether every other field is one it writes itself (when
// not, events are encoded by encoding/json alone).
type eventLayout struct {
	details []eventField
	known   bool
}

func newEventLayout() eventLayout {
	t := reflect.TypeFor[interpreter.Event]()
	l := eventLayout{known: true}
	for i := range t.NumField() {
		f := t.Field(i)
		key, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Name == "ID" || f.Name == "PreviousEventID" || f.Name == "Timestamp" || f.Name == "Type" || f.Name == "Key":
		case f.Type.Kind() == reflect.Pointer && opts == "omitempty" && key != "" && key != "-":
			l.details = append(l.details, eventField{i, key})
		default:
			l.known = false
		}
	}
	return l
}

// encodeEvent writes a history event in GetExecutionHistory's wire form,
// with the stored id and previous event id: the same JSON as
// json.Marshal(wireEvent{...}), in less time: the details are written by
// the interpreter's Event.AppendDetailsJSON, without reflection.
func (l *eventLayout) encodeEvent(ev *interpreter.Event, id, prev int64) ([]byte, error) {
	return l.appendEvent(make([]byte, 0, 384), ev, id, prev)
}

// appendEvent appends encodeEvent's JSON of ev to buf.
func (l *eventLayout) appendEvent(buf []byte, ev *interpreter.Event, id, prev int64) ([]byte, error) {
	if !l.known || !plainName(ev.Type) {
		data, err := json.Marshal(wireEvent{Event: ev, ID: id, PreviousEventID: prev, Timestamp: ep(ev.Timestamp), Key: ev.Key})
		return append(buf, data...), err
	}
	buf = append(buf, `{"type":"`...)
	buf = append(buf, ev.Type...)
	buf = append(buf, '"')
	buf = ev.AppendDetailsJSON(buf)
	buf = append(buf, `,"id":`...)
	buf = strconv.AppendInt(buf, id, 10)
	buf = append(buf, `,"previousEventId":`...)
	buf = strconv.AppendInt(buf, prev, 10)
	buf = append(buf, `,"timestamp":`...)
	if ev.Timestamp.IsZero() {
		buf = append(buf, "null"...)
	} else {
		buf = appendEpoch(buf, ev.Timestamp.UnixMilli())
	}
	if ev.Key != "" {
		// The hidden key (resume.go), last; keys need no escaping.
		buf = append(buf, keyMember...)
		buf = strconv.AppendQuote(buf, ev.Key)
	}
	return append(buf, '}'), nil
}

// plainName reports whether s needs no escaping in JSON (an event type).
func plainName(s string) bool {
	for i := range len(s) {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}
