package asl

import (
	"fmt"
	"os"
	"testing"
)

func TestDumpTmp(t *testing.T) {
	for _, f := range paritySFN(t) {
		data, _ := os.ReadFile(f)
		ps, err := Validate(data)
		if err != nil {
			fmt.Println(f, err)
		}
		for _, p := range ps {
			fmt.Printf("%s\t%s\t%s\t%s\t%s\n", f, p.Code, p.State, p.Pointer, p.Msg)
		}
	}
}
