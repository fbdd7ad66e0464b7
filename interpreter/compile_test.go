package interpreter_test

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
)

// wideMachine is n states of several kinds (Pass with Result and
// ResultPath, Choice, Task with Retry and Catch), each going to the next.
func wideMachine(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"StartAt":"S0","States":{`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		next := fmt.Sprintf("S%d", i+1)
		if i == n-1 {
			fmt.Fprintf(&b, `"S%d":{"Type":"Succeed"}`, i)
			break
		}
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Result":{"step":%d},"ResultPath":"$.r","Next":%q}`, i, i, next)
		case 1:
			fmt.Fprintf(&b, `"S%d":{"Type":"Choice","Choices":[{"Variable":"$.r.step","NumericGreaterThan":%d,"Next":%q}],"Default":%q}`, i, i, next, next)
		default:
			fmt.Fprintf(&b, `"S%d":{"Type":"Task","Resource":"r","Retry":[{"ErrorEquals":["E"]}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":%q}],"Next":%q}`, i, next, next)
		}
	}
	b.WriteString("}}")
	return []byte(b.String())
}

// Compile is linear in the number of states (issue 10 item 10: 100,000
// states took 13 s): doubling the states doubles the allocations, where
// quadratic work would quadruple them.
func TestCompileLinear(t *testing.T) {
	allocs := func(n int) float64 {
		def := wideMachine(n)
		return testing.AllocsPerRun(3, func() {
			if _, err := interpreter.Compile(def); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(4000), allocs(16000)
	if ratio := large / small; ratio > 4.5 {
		t.Errorf("4x the states cost %.1fx the allocations (%.0f → %.0f), want about 4x", ratio, small, large)
	}
}

// cpuTime is the CPU time this process has used.
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Skipf("SKIP: getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// The CPU time of Compile grows linearly too: 4x the states take about
// 4x the CPU time, where the quadratic compiler this replaced took 16x
// (its key lookups allocate nothing, so only time shows them). CPU time,
// the best of three, is far less sensitive to other processes than wall
// time, and the threshold halves the quadratic ratio.
func TestCompileLinearTime(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIP: measures CPU time")
	}
	cost := func(n int) time.Duration {
		def := wideMachine(n)
		best := time.Duration(1 << 62)
		for range 3 {
			start := cpuTime(t)
			if _, err := interpreter.Compile(def); err != nil {
				t.Fatal(err)
			}
			best = min(best, cpuTime(t)-start)
		}
		return best
	}
	cost(2000) // warm up
	small, large := cost(5000), cost(20000)
	ratio := float64(large) / float64(max(small, time.Millisecond))
	t.Logf("%v → %v: %.1fx", small, large, ratio)
	if ratio > 8 {
		t.Errorf("4x the states took %.1fx the CPU time (%v → %v), want about 4x", ratio, small, large)
	}
}

func BenchmarkCompile100000(b *testing.B) {
	def := wideMachine(100000)
	b.SetBytes(int64(len(def)))
	for b.Loop() {
		if _, err := interpreter.Compile(def); err != nil {
			b.Fatal(err)
		}
	}
}
