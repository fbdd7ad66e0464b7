package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// hsc run reads a Parquet object (ReaderConfig.InputType PARQUET) that a
// --task command prints as it is: its bytes come through the command's
// standard output unchanged, one item a row; a truncated file fails the
// execution with States.ItemReaderFailed naming the object.
func TestRunParquetItemReader(t *testing.T) {
	type row struct {
		Name  string  `parquet:"name"`
		Qty   int32   `parquet:"qty"`
		Price float64 `parquet:"price"`
	}
	var b bytes.Buffer
	w := parquet.NewGenericWriter[row](&b, parquet.Compression(&parquet.Zstd))
	if _, err := w.Write([]row{{"pen", 2, 1.5}, {"ink", 5, 0.25}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "rows.parquet")
	os.WriteFile(file, b.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "cut.parquet"), b.Bytes()[:b.Len()/2], 0o644)
	def := filepath.Join(dir, "pq.json")
	os.WriteFile(def, []byte(`{"StartAt":"Rows","States":{"Rows":{"Type":"Map",
		"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"PARQUET"},"Parameters":{"Bucket":"in","Key":"rows.parquet"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"item.$":"$.name","total.$":"States.MathAdd($.qty, 1)"},"End":true}}},"End":true}}}`), 0o644)
	code, out, errOut := hscRun(t, "", "run", def, "--task", "Rows/ItemReader=cat "+file)
	if code != 0 || strings.TrimSpace(out) != `[{"item":"pen","total":3},{"item":"ink","total":6}]` {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	code, _, errOut = hscRun(t, "", "run", def, "--task", "Rows/ItemReader=cat "+filepath.Join(dir, "cut.parquet"))
	if code == 0 || !strings.Contains(errOut, "States.ItemReaderFailed") ||
		!strings.Contains(errOut, "The Parquet object s3://in/rows.parquet cannot be read: the object is not a Parquet file, or is truncated") {
		t.Errorf("a truncated file: exit %d: %s", code, errOut)
	}
}
