package interpreter

import "fmt"

// UnsupportedError reports a valid definition that uses a feature the
// local interpreter does not run (such as JSONata user-defined
// functions). It is distinct from
// DefinitionError, which means the definition itself is wrong: asl.Validate
// accepts a definition that fails with UnsupportedError.
type UnsupportedError struct {
	State   string // the state that uses the feature, or "" for the top level
	Feature string // what is not supported, e.g. "JSONata user-defined functions"
}

func (e *UnsupportedError) Error() string {
	if e.State == "" {
		return e.Feature + " is not supported locally"
	}
	return fmt.Sprintf("state %q: %s is not supported locally", e.State, e.Feature)
}
