package server

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strconv"
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

// TestAppendEpochIsFloat: appendEpoch writes what
// strconv.AppendFloat(float64(ms)/1000, 'f', -1, 64) writes, for every
// millisecond of a few seconds across the range and for edge values.
func TestAppendEpochIsFloat(t *testing.T) {
	check := func(ms int64) {
		t.Helper()
		got := string(appendEpoch(nil, ms))
		want := strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)
		if got != want {
			t.Fatalf("%d ms: %s, want %s", ms, got, want)
		}
	}
	for _, sec := range []int64{0, 1, 59, 1795993681, 4102444800, 99999999999, 999999999999} {
		for frac := range int64(1000) {
			check(sec*1000 + frac)
		}
	}
	for _, ms := range []int64{-1, -1500, 1e15 - 1, 1e15, 1e15 + 1, 1 << 62} {
		check(ms)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		check(r.Int64N(1e15))
	}
}
