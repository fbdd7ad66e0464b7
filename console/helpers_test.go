package console_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/console"
	"github.com/hsc-dev/hsc/server"
)

const roleARN = "arn:aws:iam::123456789012:role/test"

// startConsole runs a server with the console mounted on a free loopback
// port, as hsc serve does.
func startConsole(t testing.TB, cfg server.Config, opts console.Options) *server.Server {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	s, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := console.New(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	s.Mount(c)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// invoke runs an operation through the server's API, decoding the answer.
func invoke(t testing.TB, s *server.Server, op string, in any, out any) {
	t.Helper()
	body, _ := json.Marshal(in)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	data, err := s.Invoke(ctx, op, body)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s answer %s: %v", op, data, err)
		}
	}
}

func createMachine(t testing.TB, s *server.Server, name, def string) string {
	t.Helper()
	var out struct{ StateMachineArn string }
	invoke(t, s, "CreateStateMachine", map[string]any{"name": name, "definition": def, "roleArn": roleARN}, &out)
	return out.StateMachineArn
}

func startExecution(t testing.TB, s *server.Server, arn, input string) string {
	t.Helper()
	var out struct{ ExecutionArn string }
	invoke(t, s, "StartExecution", map[string]any{"stateMachineArn": arn, "input": input}, &out)
	return out.ExecutionArn
}

type execDesc struct {
	Status, Output, Error, Cause string
	RedriveCount                 int
}

func describe(t testing.TB, s *server.Server, arn string) execDesc {
	t.Helper()
	var d execDesc
	invoke(t, s, "DescribeExecution", map[string]any{"executionArn": arn}, &d)
	return d
}

func waitStatus(t testing.TB, s *server.Server, arn string) execDesc {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		d := describe(t, s, arn)
		if d.Status != "RUNNING" {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s still RUNNING", arn)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func listExecutions(t testing.TB, s *server.Server, machine string) int {
	t.Helper()
	var out struct{ Executions []json.RawMessage }
	invoke(t, s, "ListExecutions", map[string]any{"stateMachineArn": machine}, &out)
	return len(out.Executions)
}
