package interpreter_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hsc-dev/hsc/interpreter"
)

// servePassChain is the machine of the server's throughput benchmark
// (server/bench_test.go passChain): n Pass states, each with a number
// Result and its own ResultPath.
func servePassChain(n int) string {
	return passChainOf(n, func(i int) string { return fmt.Sprintf(`"Result":%d,"ResultPath":"$.s%d"`, i, i) })
}

// BenchmarkServeExecution runs one execution of the server's 10-state
// Pass machine with the options hsc serve gives a Standard execution
// (server/executions.go launchRun): resumable keys, a seed, a streaming
// event hook, names, ARN parts, token sources, a map run hook and the
// real clock. The hook keeps what the server's recorder reads of each
// event, so that the events reach it as they reach the server.
func BenchmarkServeExecution(b *testing.B) {
	m, err := interpreter.Compile([]byte(servePassChain(10)))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	input := []byte(`{"n":1}`)
	const arn = "arn:aws:states:us-east-1:123456789012:execution:bench:x"
	var events, bytes int
	hook := func(e interpreter.Event) {
		events++
		bytes += len(e.Key) + len(e.Type)
	}
	tasks := interpreter.TaskFunc(func(context.Context, *interpreter.TaskRequest) ([]byte, error) { return []byte("{}"), nil })
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := m.Run(ctx, input,
			interpreter.WithResumable(), interpreter.WithSeed(42),
			interpreter.WithTaskResolver(tasks),
			interpreter.WithEventHook(hook),
			interpreter.WithExecutionName("x"),
			interpreter.WithStateMachineName("bench"),
			interpreter.WithRegion("us-east-1"),
			interpreter.WithAccountID("123456789012"),
			interpreter.WithRoleArn("arn:aws:iam::123456789012:role/bench"),
			interpreter.WithMapRunHook(func(*interpreter.MapRun) {}),
			interpreter.WithTaskTokens(func() string { return arn + "-t" }),
			interpreter.WithKeyedTaskTokens(func(key string) string { return arn + key }),
			interpreter.WithClock(interpreter.RealClock{}))
		if err != nil || res.Status != interpreter.StatusSucceeded {
			b.Fatal(err)
		}
	}
	if events != 22*b.N {
		b.Fatalf("%d events in %d executions, want 22 each", events, b.N)
	}
}
