package hsc_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/internal/testenv"
)

var largePath = filepath.Join("..", "shared", "bench", "large.hsd")

func loadLarge(b *testing.B) []byte {
	src, err := os.ReadFile(largePath)
	if err != nil {
		testenv.Skip(b, "benchmark input missing: "+err.Error())
	}
	return src
}

func benchCompile(b *testing.B, src []byte) {
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := hsc.Compile(src, hsc.WithIndent(3)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileLarge compiles the 20,000-line benchmark program.
func BenchmarkCompileLarge(b *testing.B) { benchCompile(b, loadLarge(b)) }

var docName = regexp.MustCompile(`"""(\w+)"""`)

// BenchmarkCompileLargeDoubled compiles the program followed by a renamed
// copy of its states: twice the input, to show the time grows linearly.
func BenchmarkCompileLargeDoubled(b *testing.B) {
	src := loadLarge(b)
	benchCompile(b, doubled(src))
}

func doubled(src []byte) []byte {
	body := src
	// drop the machine docstring, version and timeout lines from the copy
	for i, n := 0, 0; i < len(body); i++ {
		if body[i] == '\n' {
			n++
			if n == 3 {
				body = body[i+1:]
				break
			}
		}
	}
	copy2 := docName.ReplaceAll(body, []byte(`"""${1}_b"""`))
	out := append([]byte{}, src...)
	return append(out, copy2...)
}

func TestDoubledLargeCompiles(t *testing.T) {
	src, err := os.ReadFile(largePath)
	if err != nil {
		testenv.Skip(t, "benchmark input missing: "+err.Error())
	}
	if _, err := hsc.Compile(doubled(src)); err != nil {
		t.Fatalf("doubled benchmark input does not compile: %v", err)
	}
}
