package interpreter_test

import (
	"testing"

	"github.com/hsc-dev/hsc/interpreter"
)

func jsonataMachine(states string) string {
	return `{"QueryLanguage":"JSONata","StartAt":"S","States":` + states + `}`
}

// TestJSONataDefinitionErrors: definitions a JSONata state cannot run.
func TestJSONataDefinitionErrors(t *testing.T) {
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
