package runtime_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/ast"
	"github.com/hsc-dev/hsc/runtime"
)

// resources returns each Task state's Resource in a definition.
func resources(t *testing.T, def []byte) map[string]string {
	t.Helper()
	var m struct {
		States map[string]struct{ Type, Resource string }
	}
	if err := json.Unmarshal(def, &m); err != nil {
		t.Fatalf("definition is not JSON: %v\n%s", err, def)
	}
	out := map[string]string{}
	for name, s := range m.States {
		if s.Type == "Task" {
			out[name] = s.Resource
		}
	}
	return out
}

func TestBuild(t *testing.T) {
	src := []byte("Lambda('greet')\n    \"\"\"Greet\"\"\"\nActivity('work')\n    \"\"\"Work\"\"\"\n")
	tests := []struct {
		name     string
		region   string
		account  string
		visitors []ast.Visitor
		want     map[string]string
	}{
		{
			name: "region and account of the client", region: "eu-west-1", account: "210987654321",
			want: map[string]string{
				"Greet": "arn:aws:lambda:eu-west-1:210987654321:function:greet",
				"Work":  "arn:aws:states:eu-west-1:210987654321:activity:work",
			},
		},
		{
			name: "visitor rewrites lambdas", region: "us-east-1", account: "123456789012",
			visitors: []ast.Visitor{ast.VisitorFunc(func(task *ast.Task) {
				if task.Service == "Lambda" {
					task.Resource += ":live"
				}
			})},
			want: map[string]string{
				"Greet": "arn:aws:lambda:us-east-1:123456789012:function:greet:live",
				"Work":  "arn:aws:states:us-east-1:123456789012:activity:work",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := runtime.NewClient(nil, runtime.ClientOptions{Region: tt.region, AccountID: tt.account})
			m := c.NewStateMachine("m", "")
			m.AddVisitor(tt.visitors...)
			def, err := m.Build(t.Context(), src, "two.hsd")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, resources(t, def)); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefinitionFromFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	asl := `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`
	c := runtime.NewClient(nil, runtime.ClientOptions{Region: "us-east-1", AccountID: "123456789012"})
	m := c.NewStateMachine("m", "")

	for _, name := range []string{"m.json", "m.asl.json", "M.JSON"} {
		got, err := m.DefinitionFromFile(t.Context(), write(name, asl))
		if err != nil || string(got) != asl {
			t.Errorf("%s: got %q, %v; want the file as it is", name, got, err)
		}
	}
	if _, err := m.DefinitionFromFile(t.Context(), write("bad.json", `{"StartAt":`)); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("bad JSON: got %v", err)
	}
	def, err := m.DefinitionFromFile(t.Context(), write("ok.hsd", "Pass()\n    \"\"\"P\"\"\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(def) || !strings.Contains(string(def), `"P"`) {
		t.Errorf("compiled definition %s", def)
	}
	_, err = m.DefinitionFromFile(t.Context(), write("bad.hsd", "Pass(\n"))
	var ce *hsc.Error
	var cl hsc.ErrorList
	if !errors.As(err, &ce) && !errors.As(err, &cl) {
		t.Errorf("compile error: got %T %v, want an *hsc.Error or hsc.ErrorList", err, err)
	}
	if _, err := m.DefinitionFromFile(t.Context(), filepath.Join(dir, "missing.hsd")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v", err)
	}
}
