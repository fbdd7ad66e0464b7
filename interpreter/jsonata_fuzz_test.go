package interpreter

import (
	"context"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/asl"
)

// FuzzJSONataGuarded runs expressions through the guarded functions and
// operators and the JavaScript-style $string: no input may crash the
// interpreter or pass the payload limit.
func FuzzJSONataGuarded(f *testing.F) {
	for _, s := range []string{
		"$string($states.input)", "'a' & $uppercase", "$string({'f': $uppercase, 'g': [$lowercase]})",
		"[1..3] & 'x'", "$pad('x', $states.input.a)", "$append($states.input.l, [$uppercase])",
		"$join(['a', 'b'], $string(0.1 + 0.2))", "$string(1e300 * 10)", "{'b': 1, 'a': [{'d': 2, 'c': 3}]}",
		"$merge([$states.input, {'z': 1}])", "[$states.input.l[0]..$states.input.a]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		def := `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":` + string(asl.AppendString(nil, "{% "+expr+" %}")) + `,"End":true}}}`
		m, err := Compile([]byte(def))
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		res, _ := m.Run(ctx, []byte(`{"a":3,"l":[1,2],"s":"x"}`), WithClock(NewVirtualClock(time.Unix(0, 0))), WithSeed(1))
		if res != nil && len(res.Output) > MaxPayloadBytes {
			t.Errorf("output of %d bytes", len(res.Output))
		}
	})
}
