//go:build unix

package taskcmd_test

import (
	"context"
	"testing"

	"github.com/hsc-dev/hsc/internal/taskcmd"
)

// The cost of one task command: process start, pipes, group clean-up.
func BenchmarkRun(b *testing.B) {
	c := taskcmd.Command{Argv: []string{"cat"}}
	input := []byte(`{"a":1}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Run(context.Background(), taskcmd.Task{}, input); err != nil {
			b.Fatal(err)
		}
	}
}

// 100 MB of output over the limit: B/op stays near the 256 KiB kept, not
// the 100 MB read (issue 10.8).
func BenchmarkRunLargeOutput(b *testing.B) {
	c := taskcmd.Command{Argv: []string{"head", "-c", "100000000", "/dev/zero"}}
	b.ReportAllocs()
	b.SetBytes(100000000)
	for b.Loop() {
		c.Run(context.Background(), taskcmd.Task{}, nil)
	}
}
