package format_test

import (
	"os"
	"testing"

	"github.com/hsc-dev/hsc/format"
	"github.com/hsc-dev/hsc/internal/testenv"
)

// BenchmarkFormatLarge formats ../shared/bench/large.hsd (20,000 lines),
// without and with WithNameStates (the layout must stay near-linear).
func BenchmarkFormatLarge(b *testing.B) {
	src, err := os.ReadFile(testenv.Shared(b, "bench", "large.hsd"))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		opts []format.Option
	}{{"plain", nil}, {"name-states", []format.Option{format.WithNameStates()}}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := format.Source(src, bc.opts...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
