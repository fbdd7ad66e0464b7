package ast

import "testing"

func TestOperator(t *testing.T) {
	tests := []struct {
		op   string
		kind ValueKind
		want string
	}{
		{"==", StringVal, "StringEquals"},
		{"!=", NumberVal, "NumericEquals"},
		{"<", NumberVal, "NumericLessThan"},
		{">", TimestampVal, "TimestampGreaterThan"},
		{"<=", StringVal, "StringLessThanEquals"},
		{">=", TimestampVal, "TimestampGreaterThanEquals"},
		{"==", BoolVal, "BooleanEquals"},
	}
	for _, tt := range tests {
		if got := Operator(&Cond{Op: tt.op, Val: Value{Kind: tt.kind}}); got != tt.want {
			t.Errorf("Operator(%s, %v) = %s, want %s", tt.op, tt.kind, got, tt.want)
		}
	}
}
