package interpreter_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/interpreter"
)

// growthCase is a definition that builds ever bigger values; run, it must
// stop with States.DataLimitExceeded once a value would pass the payload
// limit, without building it first.
type growthCase struct {
	name, def, input string
	want             string // the error name, when not States.DataLimitExceeded
}

// chain is a JSONPath machine of n Pass states, each setting $.s to expr.
func chain(n int, expr string) string {
	var b strings.Builder
	b.WriteString(`{"StartAt":"S0","States":{`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		next := fmt.Sprintf(`"Next":"S%d"`, i+1)
		if i == n-1 {
			next = `"End":true`
		}
		fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Parameters":{"s.$":%q},%s}`, i, expr, next)
	}
	b.WriteString("}}")
	return b.String()
}

// nest wraps arg in n calls of f, f containing %s where the argument goes.
func nest(n int, f, arg string) string {
	for range n {
		arg = fmt.Sprintf(f, arg)
	}
	return arg
}

func jsonataPass(expr string) string {
	return `{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Pass","Output":{"v":"{% ` + expr + ` %}"},"End":true}}}`
}

// doubling is a JSONata block that doubles $a n times with op.
func doubling(n int, op string) string {
	var b strings.Builder
	b.WriteString(`($a := $states.input.s; `)
	for range n {
		b.WriteString(`$a := ` + op + `; `)
	}
	b.WriteString(`$a)`)
	return b.String()
}

var growthCases = []growthCase{
	// Issue 10 item 7: doubling a string with States.Format 30 times used 3.3 GB.
	{"Format doubling across states", chain(30, "States.Format('{}{}', $.s, $.s)"), `{"s":"xxxxxxxxxxxxxxxx"}`, ""},
	{"Format doubling nested in one field", chain(3, nest(9, "States.Format('{}{}', %[1]s, %[1]s)", "$.s")), `{"s":"` + strings.Repeat("x", 1000) + `"}`, ""},
	{"JsonToString doubling", chain(30, "States.JsonToString(States.Array($.s, $.s))"), `{"s":"xx"}`, ""},
	{"Array of big strings", chain(1, "States.Array("+strings.Repeat("$.s, ", 40)+"$.s)"), `{"s":"` + strings.Repeat("x", 200000) + `"}`, ""},
	{"StringSplit into many pieces", chain(1, "States.StringSplit($.s, ',')"), `{"s":"` + strings.Repeat("a,", 120000) + `"}`, ""},
	{"ArrayPartition into single items", chain(1, "States.ArrayPartition($.a, 1)"), `{"a":[` + strings.Repeat("1,", 100000) + `1]}`, ""},
	// JSONata $pad('x', 2000000000) used 3.9 GB.
	{"JSONata $pad", jsonataPass(`$pad('x', 2000000000)`), `{}`, ""},
	{"JSONata $pad left", jsonataPass(`$pad('x', -2000000000, 'ab')`), `{}`, ""},
	{"JSONata & doubling", jsonataPass(doubling(40, "$a & $a")), `{"s":"xxxxxxxx"}`, ""},
	{"JSONata $join doubling", jsonataPass(doubling(40, "$join([$a, $a])")), `{"s":"xxxxxxxx"}`, ""},
	{"JSONata $append doubling", jsonataPass(doubling(40, "$append($a, $a)")), `{"s":["xxxxxxxx"]}`, ""},
	{"JSONata $string of a big array", jsonataPass(`$string([1..100000])`), `{}`, ""},
	{"JSONata range", jsonataPass(`$count([1..10000000])`), `{}`, ""},
	{"JSONata nested ranges", jsonataPass(`$count([1..100000].[1..100000])`), `{}`, ""},
	// $range is States.ArrayRange, which has at most 1,000 items.
	{"JSONata $range", jsonataPass(`$range(1, 1000000000, 1)`), `{}`, "States.QueryEvaluationError"},
	{"JSONata $partition doubling", jsonataPass(doubling(40, "$partition($append($a, $a), 1)")), `{"s":["x"]}`, ""},
}

// allocated runs f and returns the bytes it allocated.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Issue 10 item 7: intrinsic and JSONata evaluation stop at the payload
// limit instead of building the value first.
func TestGrowthStopsAtPayloadLimit(t *testing.T) {
	const bound = 64 << 20
	for _, tc := range growthCases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := interpreter.Compile([]byte(tc.def))
			if err != nil {
				t.Fatal(err)
			}
			var res *interpreter.Result
			n := allocated(func() {
				res, err = m.Run(context.Background(), []byte(tc.input), interpreter.WithClock(interpreter.NewVirtualClock(t0)))
			})
			want := interpreter.ErrDataLimitExceeded
			if tc.want != "" {
				want = tc.want
			}
			var ee *interpreter.ExecutionError
			if !errors.As(err, &ee) || ee.Name != want {
				t.Fatalf("err = %.300v, want %s", err, want)
			}
			if n > bound {
				t.Errorf("allocated %d MB, more than %d MB", n>>20, bound>>20)
			}
			if len(res.Cause) > 1000 {
				t.Errorf("cause of %d bytes", len(res.Cause))
			}
		})
	}
}

func BenchmarkGrowthStopsAtPayloadLimit(b *testing.B) {
	for _, tc := range growthCases {
		b.Run(tc.name, func(b *testing.B) {
			m, err := interpreter.Compile([]byte(tc.def))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var total uint64
			for b.Loop() {
				total += allocated(func() {
					_, _ = m.Run(context.Background(), []byte(tc.input), interpreter.WithClock(interpreter.NewVirtualClock(t0)))
				})
			}
			b.ReportMetric(float64(total)/float64(b.N), "alloc-bytes/run")
		})
	}
}
