package fuzz

import (
	"bytes"
	"errors"
	"testing"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/format"
)

// FuzzFormat: for every program that compiles, format.Source succeeds, is
// meaning-preserving (compile(fmt(P)) == compile(P) byte for byte) and
// idempotent (fmt(fmt(P)) == fmt(P)), with and without WithNameStates
// (issue 14 part 3). A program that does not compile is refused with its
// compile error. The seeds are the golden and parity programs; the
// fuzzer's mutations change their spacing, quotes, comments and lines.
func FuzzFormat(f *testing.F) {
	seeds(f)
	f.Add([]byte("Pass()  # c\n\n\n# d\nWait( seconds = 1 )\n"))
	f.Add([]byte("Pass()\n    data:\n        {  'a' :[1 ,\n  2,],\n   # inner\n 'b': -1}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		want, err := hsc.Compile(src)
		if err != nil {
			if _, ferr := format.Source(src); ferr == nil {
				t.Fatalf("formatted a program that does not compile (%v)", err)
			}
			return
		}
		for _, opts := range [][]format.Option{nil, {format.WithNameStates()}} {
			out, err := format.Source(src, opts...)
			if err != nil {
				var ce *format.ChangedError
				if errors.As(err, &ce) {
					t.Fatalf("%v\n%s", err, src)
				}
				t.Fatalf("cannot format a program that compiles: %v\n%s", err, src)
			}
			got, err := hsc.Compile(out)
			if err != nil {
				t.Fatalf("formatted program does not compile: %v\n%s", err, out)
			}
			if !bytes.Equal(got.Definition, want.Definition) {
				t.Fatalf("formatting changed the definition\n%s", out)
			}
			again, err := format.Source(out, opts...)
			if err != nil || !bytes.Equal(again, out) {
				t.Fatalf("not idempotent (%v)\nfirst:\n%s\nsecond:\n%s", err, out, again)
			}
		}
	})
}
