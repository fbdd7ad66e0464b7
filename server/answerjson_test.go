package server

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestAnswerJSONIsMarshal: the answers that write their own JSON write
// the bytes encoding/json writes for them: with every field zero, every
// field set (so a field added to the struct and not to appendJSON fails
// here), each field set alone and each left out alone, with strings that
// need escaping (HTML characters, control characters, U+2028, invalid
// UTF-8) and timestamps with and without milliseconds.
func TestAnswerJSONIsMarshal(t *testing.T) {
	texts := []string{"plain", "", "a<b>&c", "line\nbreak\t\"q\"\\ \x00\x1f\x7f", "\u2028\u2029", "bad\xffutf8", "ünïcødé 😀"}
	times := []int64{1795993681904, 1795993681000, 1795993681100, 1}
	answers := []jsonAppender{&describeExecutionOutput{}, &startExecutionOutput{}}
	check := func(a jsonAppender) {
		t.Helper()
		got := a.appendJSON(nil)
		want, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("appendJSON\n%s\nencoding/json\n%s", got, want)
		}
	}
	for _, a := range answers {
		v := reflect.ValueOf(a).Elem()
		check(a) // all zero
		for i, text := range texts {
			ms := times[i%len(times)]
			for f := range v.NumField() {
				fill(t, v.Field(f), text, ms)
			}
			check(a) // all set
			for f := range v.NumField() {
				old := reflect.New(v.Field(f).Type()).Elem()
				old.Set(v.Field(f))
				v.Field(f).SetZero()
				check(a) // all but one
				v.Field(f).Set(old)
			}
			v.SetZero()
			for f := range v.NumField() {
				fill(t, v.Field(f), text, ms)
				check(a) // one alone
				v.Field(f).SetZero()
			}
		}
	}
}

// fill sets a field of an answer to a value that is not its zero.
func fill(t *testing.T, f reflect.Value, text string, ms int64) {
	t.Helper()
	switch f.Interface().(type) {
	case string:
		f.SetString(text)
	case *string:
		f.Set(reflect.ValueOf(&text))
	case int:
		f.SetInt(ms % 1000)
	case *epoch:
		f.Set(reflect.ValueOf(ep(time.UnixMilli(ms))))
	case dataDetails:
		f.Set(reflect.ValueOf(dataDetails{Included: true}))
	case *dataDetails:
		f.Set(reflect.ValueOf(&dataDetails{Included: ms%2 == 0}))
	default:
		t.Fatalf("a field of type %s: teach fill (and appendJSON) about it", f.Type())
	}
}
