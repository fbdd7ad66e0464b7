package taskcmd_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The interpreter runs no processes itself (issue 9.6): it must not depend
// on os/exec, which lives here.
func TestInterpreterDoesNotImportExec(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/hsc-dev/hsc/interpreter").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps printed too little:\n%s", out)
	}
	for _, d := range deps {
		if d == "os/exec" {
			t.Error("package interpreter depends on os/exec")
		}
	}
}
