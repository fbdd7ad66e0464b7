package interpreter_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/interpreter"
)

// passChain is a chain of n Pass states, each with a Result and a ResultPath.
func passChain(n int) string {
	return passChainOf(n, func(i int) string {
		return fmt.Sprintf(`"Result":{"step":%d,"ok":true},"ResultPath":"$.r%d"`, i, i%10)
	})
}

// passChainOf is a chain of n Pass states S0 … S(n-1); members(i) gives
// state i's members besides its type and its Next or End.
func passChainOf(n int, members func(i int) string) string {
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
		fmt.Fprintf(&b, `"S%d":{"Type":"Pass",%s,%s}`, i, members(i), next)
	}
	b.WriteString("}}")
	return b.String()
}

// countLoop is the Choice + States.MathAdd loop of the benchmarks: n
// iterations enter 2n+2 states, making 2n+1 transitions.
func countLoop() string {
	return `{"StartAt":"Check","States":{
 "Check":{"Type":"Choice","Choices":[{"Variable":"$.i","NumericLessThanPath":"$.n","Next":"Inc"}],"Default":"Done"},
 "Inc":{"Type":"Pass","Parameters":{"i.$":"States.MathAdd($.i, 1)","n.$":"$.n"},"Next":"Check"},
 "Done":{"Type":"Succeed"}}}`
}

func mapDef() string {
	return `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","Parameters":{"v.$":"$.v","sq.$":"$.v"},"End":true}}},"End":true}}}`
}

func mapInput(n int) []byte {
	var b strings.Builder
	b.WriteString("[")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"v":%d}`, i)
	}
	b.WriteString("]")
	return []byte(b.String())
}

func BenchmarkPassChain(b *testing.B) {
	m, err := interpreter.Compile([]byte(passChain(100)))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	input := []byte(`{"in":1}`)
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Run(ctx, input, interpreter.WithExecutionName("x"), interpreter.WithMaxEvents(0)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*100/b.Elapsed().Seconds(), "transitions/s")
}

func BenchmarkMap10000(b *testing.B) {
	m, err := interpreter.Compile([]byte(mapDef()))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	input := mapInput(10000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Run(ctx, input, interpreter.WithExecutionName("x"), interpreter.WithMaxEvents(0)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*10000/b.Elapsed().Seconds(), "items/s")
}

func BenchmarkChoiceLoop20000(b *testing.B) {
	m, err := interpreter.Compile([]byte(countLoop()))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	input := []byte(`{"i":0,"n":20000}`)
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Run(ctx, input, interpreter.WithExecutionName("x"), interpreter.WithMaxEvents(0)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*40001/b.Elapsed().Seconds(), "transitions/s")
}

// TestBenchmarkMachines checks that the benchmarks compute what they claim.
func TestBenchmarkMachines(t *testing.T) {
	// 20,000 iterations make 80,004 events: more than AWS's 25,000.
	res, err := run(t, countLoop(), `{"i":0,"n":20000}`, interpreter.WithMaxEvents(0))
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, res.Output, `{"i":20000,"n":20000}`)
	// n iterations make 2n+1 transitions: count them on a shorter run.
	res, err = run(t, countLoop(), `{"i":0,"n":2000}`, interpreter.WithHistory())
	if err != nil {
		t.Fatal(err)
	}
	entered := 0
	for _, e := range res.History {
		if e.StateEnteredEventDetails != nil {
			entered++
		}
	}
	if entered-1 != 4001 { // transitions between the states entered
		t.Errorf("%d transitions, want 4001", entered-1)
	}
	res, err = run(t, passChain(100), `{"in":1}`)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, res.Output, `{"in":1,"r0":{"step":90,"ok":true},"r1":{"step":91,"ok":true},"r2":{"step":92,"ok":true},"r3":{"step":93,"ok":true},"r4":{"step":94,"ok":true},"r5":{"step":95,"ok":true},"r6":{"step":96,"ok":true},"r7":{"step":97,"ok":true},"r8":{"step":98,"ok":true},"r9":{"step":99,"ok":true}}`)
}
