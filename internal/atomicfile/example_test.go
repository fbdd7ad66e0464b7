package atomicfile_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/hsc-dev/hsc/internal/atomicfile"
)

// An output is opened before the work that produces it (so a path that
// cannot be written fails first), written, then put in place by Commit;
// the deferred Abort discards it if anything failed on the way.
func ExampleCreate() {
	dir, err := os.MkdirTemp("", "atomicfile")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "out.json")

	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		log.Fatal(err) // e.g. the folder does not exist
	}
	defer f.Abort()
	fmt.Fprint(f, `{"done": true}`)
	if err := f.Commit(); err != nil {
		log.Fatal(err) // e.g. the disk is full: the old file is untouched
	}
	b, _ := os.ReadFile(path)
	fmt.Println(string(b))
	// Output: {"done": true}
}
