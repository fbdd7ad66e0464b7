package interpreter

import (
	"reflect"
	"strconv"
	"testing"
)

// TestTopKey checks the top level's precomputed event keys against the
// general form "<scope>.<seq>".
func TestTopKey(t *testing.T) {
	for seq := range 130 {
		sc := &scope{path: "r", seq: seq}
		if got, want := sc.peekKey(), "r."+strconv.Itoa(seq); got != want {
			t.Errorf("key %d = %q, want %q", seq, got, want)
		}
	}
	sc := &scope{path: "r.4/2", seq: 7}
	if got := sc.peekKey(); got != "r.4/2.7" {
		t.Errorf("branch key = %q, want r.4/2.7", got)
	}
}

// TestClearDetails checks that clearDetails unsets every details field of
// Event: emitFrom reuses one Event for a scope's events.
func TestClearDetails(t *testing.T) {
	var e Event
	v := reflect.ValueOf(&e).Elem()
	n := 0
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Pointer {
			f.Set(reflect.New(f.Type().Elem()))
			n++
		}
	}
	if n < 20 {
		t.Fatalf("only %d details fields", n)
	}
	e.clearDetails()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Pointer && !f.IsNil() {
			t.Errorf("%s is still set", v.Type().Field(i).Name)
		}
	}
}

// TestNewObjectLen checks the objects allocated with their members: n
// zero members, room for c, and members added in place stay the object's.
func TestNewObjectLen(t *testing.T) {
	for c := range 12 {
		for n := range c + 1 {
			o := newObjectLen(n, c)
			if len(o.m) != n || cap(o.m) < c {
				t.Fatalf("newObjectLen(%d, %d): len %d cap %d", n, c, len(o.m), cap(o.m))
			}
			for i, m := range o.m {
				if m.k != "" || m.v != nil {
					t.Fatalf("newObjectLen(%d, %d): member %d is %v", n, c, i, m)
				}
			}
			a := newObjectLen(0, c)
			b := newObjectLen(0, c)
			for i := range c {
				a.add(strconv.Itoa(i), int64(i))
				b.add(strconv.Itoa(i), int64(-i))
			}
			for i := range c {
				if v, _ := a.Get(strconv.Itoa(i)); v != int64(i) {
					t.Fatalf("capacity %d: member %d of a is %v", c, i, v)
				}
			}
		}
	}
}
