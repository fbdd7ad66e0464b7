package interpreter_test

import (
	"testing"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
)

func jsonataMachine(states string) string {
	return `{"QueryLanguage":"JSONata","StartAt":"S","States":` + states + `}`
}

func TestJSONata(t *testing.T) {
	// Wait with an expression, under a virtual clock.
	clock := interpreter.NewVirtualClock(t0)
	if _, err := run(t, jsonataMachine(`{"S":{"Type":"Wait","Seconds":"{% $states.input.s + 1 %}","End":true}}`), `{"s":4}`, interpreter.WithClock(clock)); err != nil {
		t.Fatal(err)
	}
	if got := clock.Now().Sub(t0); got != 5*time.Second {
		t.Errorf("waited %v, want 5s", got)
	}
	for _, bad := range []string{
		jsonataMachine(`{"S":{"Type":"Pass","InputPath":"$.a","End":true}}`),
		jsonataMachine(`{"S":{"Type":"Pass","Output":"{% $states.input. %}","End":true}}`),
		jsonataMachine(`{"S":{"Type":"Choice","Choices":[{"Variable":"$.a","IsPresent":true,"Next":"S"}]}}`),
		`{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Pass","QueryLanguage":"JSONPath","End":true}}}`,
		`{"QueryLanguage":"XPath","StartAt":"S","States":{"S":{"Type":"Pass","End":true}}}`,
	} {
		if _, err := interpreter.Compile([]byte(bad)); err == nil {
			t.Errorf("Compile(%s): want an error", bad)
		}
	}
}
