package decompile

import (
	"os"
	"testing"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/asl"
)

func TestDbg(t *testing.T) {
	f := os.Getenv("DBG")
	if f == "" {
		t.Skip()
	}
	src, _ := os.ReadFile(f)
	res, err := hsc.Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := asl.Parse(res.Definition)
	d := &decompiler{}
	err = d.machine(m.Source)
	t.Logf("%v\n%s", err, d.out.String())
}
