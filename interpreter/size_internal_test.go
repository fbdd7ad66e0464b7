package interpreter

import (
	"math"
	"strconv"
	"testing"

	"github.com/hsc-dev/hsc/asl"
)

// jsonSize is the length of what appendJSON writes, and a template's
// bound is never below the size of what it builds.
func TestJSONSizeAndBounds(t *testing.T) {
	inputs := []string{`{}`, `{"a":1,"b":"x\"y\n\u0001é","c":[1.5,2e300,-0.0,true,null],"d":{"e":"\ud83d\ude00"}}`, `[1,2,3]`, `"s"`,
		`{"x":[["deep"]],"é\"":{"y":1}}`, `[[{"a":"é"}]]`}
	templates := []string{
		`{"x.$":"$.a","k":"const","n":[1,{"m.$":"$.c"}]}`,
		`{"all.$":"$","len.$":"States.ArrayLength($.c)","sum.$":"States.MathAdd(1, 2)"}`,
		`{"s":"só\"","arr":[1,2,{"t":true}]}`,
		// Paths of fields and indexes: the bound is the input's less
		// the text around the selected value.
		`{"e.$":"$.d.e","i.$":"$.c[1]","l.$":"$.c[-1]","b.$":"$.b"}`,
		`{"v.$":"$.x[0][0]","w.$":"$['é\"'].y"}`,
		`{"z.$":"$[0][0].a"}`,
	}
	sc := &scope{x: &execution{}}
	for _, in := range inputs {
		v, err := parseJSON([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := jsonSize(v, 0, MaxPayloadBytes), len(appendJSON(nil, v)); got != want {
			t.Errorf("jsonSize(%s) = %d, want %d", in, got, want)
		}
		for _, ts := range templates {
			av, err := asl.ParseValue([]byte(ts))
			if err != nil {
				t.Fatal(err)
			}
			tv, err := valueOf(site{}, av)
			if err != nil {
				t.Fatal(err)
			}
			tm, err := compileTemplate(tv)
			if err != nil {
				t.Fatal(err)
			}
			out, err := tm.eval(sc, v)
			if err != nil {
				continue // a path the input lacks
			}
			size := len(appendJSON(nil, out))
			if b := tm.bound(len(appendJSON(nil, v))); b >= 0 && b < size {
				t.Errorf("template %s on %s: bound %d < size %d", ts, in, b, size)
			}
		}
	}
	// A member selected by a path of fields is bounded exactly by an
	// exactly known input: {"v.$":"$.v"} on {"v":1234} is {"v":1234}.
	tm, err := compileDynamic("$.v")
	if err != nil {
		t.Fatal(err)
	}
	if b := tm.bound(len(`{"v":1234}`)); b != len(`1234`) {
		t.Errorf("bound of $.v on {\"v\":1234} = %d, want %d", b, len(`1234`))
	}
}

func TestIntSize(t *testing.T) {
	ns := []int64{0, 1, 9, 10, -1, -10, 99, 100, 1 << 62, -(1 << 62), math.MaxInt64, math.MinInt64}
	for p := int64(1); p <= math.MaxInt64/10; p *= 10 { // each power of 10, its neighbours and negatives
		ns = append(ns, p-1, p, p+1, -p+1, -p, -p-1)
	}
	for _, n := range ns {
		if got, want := intSize(n), len(strconv.FormatInt(n, 10)); got != want {
			t.Errorf("intSize(%d) = %d, want %d", n, got, want)
		}
	}
}
