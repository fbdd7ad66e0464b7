package interpreter_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/interpreter"
)

// BenchmarkJSONataMap1000 runs a Map of 1,000 items whose processor
// evaluates a JSONata Output with an object constructor, a concatenation
// and a function call per item.
func BenchmarkJSONataMap1000(b *testing.B) {
	def := `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":"{% $states.input.items %}","MaxConcurrency":1,
	  "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% {'id': $states.input.id, 'name': $uppercase($states.input.name) & '-' & $string($states.input.id), 'tags': $states.input.tags} %}","End":true}}},"End":true}}}`
	items := make([]string, 1000)
	for i := range items {
		items[i] = fmt.Sprintf(`{"id":%d,"name":"item%d","tags":["a","b"]}`, i, i)
	}
	input := []byte(`{"items":[` + strings.Join(items, ",") + `]}`)
	m, err := interpreter.Compile([]byte(def))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Run(context.Background(), input, interpreter.WithClock(interpreter.NewVirtualClock(t0))); err != nil {
			b.Fatal(err)
		}
	}
}
