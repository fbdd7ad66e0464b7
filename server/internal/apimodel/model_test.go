package apimodel_test

import (
	"slices"
	"testing"

	"github.com/hsc-dev/hsc/server/internal/apimodel"
)

func TestModelTable(t *testing.T) {
	ops := apimodel.Operations()
	if len(ops) != 37 {
		t.Errorf("%d operations, want the 37 of API version 2016-11-23", len(ops))
	}
	for _, name := range ops {
		op, _ := apimodel.Lookup(name)
		for _, sh := range []string{op.Input, op.Output} {
			if _, ok := apimodel.ShapeOf(sh); !ok {
				t.Errorf("%s: shape %q missing", name, sh)
			}
		}
		for _, e := range op.Errors {
			if s, ok := apimodel.ShapeOf(e); !ok || !s.Exception {
				t.Errorf("%s: error %q is not an exception shape", name, e)
			}
		}
	}
	in, _ := apimodel.ShapeOf("CreateStateMachineInput")
	m, ok := in.MemberOf("name")
	name, _ := apimodel.ShapeOf(m.Shape)
	if !ok || !m.Required || name.Min != 1 || name.Max != 80 || !name.HasMin || !name.HasMax {
		t.Errorf("CreateStateMachineInput.name: %+v %+v", m, name)
	}
	typ, _ := apimodel.ShapeOf("StateMachineType")
	if !slices.Equal(typ.Enum, []string{"STANDARD", "EXPRESS"}) {
		t.Errorf("StateMachineType enum %v", typ.Enum)
	}
}
