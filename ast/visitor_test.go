package ast_test

import (
	"slices"
	"strings"
	"testing"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/ast"
)

func TestVisitorSeesEveryBranch(t *testing.T) {
	src := []byte(`Lambda('top')
parallel:
    Lambda('left')
parallel:
    Activity('right')
map:
    iterator:
        Lambda('item')
Arn('arn:aws:states:::sqs:sendMessage')
`)
	var seen []string
	v := ast.VisitorFunc(func(task *ast.Task) {
		seen = append(seen, task.Service+":"+task.Function)
		task.Resource = "arn:aws:rewritten:" + task.Function
	})
	res, err := hsc.Compile(src, hsc.WithVisitors(v))
	if err != nil {
		t.Fatal(err)
	}
	// Branches are walked where their Parallel or Map state stands.
	want := []string{"Lambda:top", "Lambda:left", "Activity:right", "Lambda:item", "Arn:arn:aws:states:::sqs:sendMessage"}
	if !slices.Equal(seen, want) {
		t.Errorf("visited %v, want %v", seen, want)
	}
	for _, fn := range []string{"top", "left", "right", "item"} {
		if !strings.Contains(string(res.Definition), `"Resource": "arn:aws:rewritten:`+fn+`"`) {
			t.Errorf("rewritten ARN for %s missing from output:\n%s", fn, res.Definition)
		}
	}
}
