package interpreter

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// The guard of the PARQUET reader (itemreader_parquet_guard.go): a
// corrupt, truncated or hostile object fails the reader with
// States.ItemReaderFailed; it never panics and never allocates what it
// merely declares.

type guardRow struct {
	ID   int64             `parquet:"id"`
	Name *string           `parquet:"name,optional"`
	Tags []string          `parquet:"tags,list"`
	M    map[string]string `parquet:"m"`
	When time.Time         `parquet:"when,timestamp(microsecond)"`
	Dec  int64             `parquet:"dec,decimal(3:18)"`
}

func guardFile(t testing.TB, opts ...parquet.WriterOption) []byte {
	t.Helper()
	s := "x"
	rows := []guardRow{
		{ID: 1, Name: &s, Tags: []string{"a", "b"}, M: map[string]string{"k": "v"}, When: time.Unix(5, 0), Dec: 1234},
		{ID: 2, Tags: nil, When: time.Unix(6, 0), Dec: -1},
		{ID: 3, Name: &s, Tags: []string{"c"}, M: map[string]string{"a": "b", "c": "d"}, When: time.Unix(7, 0)},
	}
	var b bytes.Buffer
	w := parquet.NewGenericWriter[guardRow](&b, opts...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// readGuarded reads data and checks that the reader either gives items
// or fails with States.ItemReaderFailed, allocating at most 64 MiB.
func readGuarded(t testing.TB, data []byte) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	items, err := parquetItems(context.Background(), "s3://b/k", data, 1000)
	runtime.ReadMemStats(&after)
	if err != nil && (err.Name != "States.ItemReaderFailed" || !strings.HasPrefix(err.Cause, "The Parquet object s3://b/k cannot be read: ")) {
		t.Fatalf("error %s: %s", err.Name, err.Cause)
	}
	if err == nil && len(items) > 1000 {
		t.Fatalf("%d items", len(items))
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 64<<20 {
		t.Fatalf("reading %d bytes allocated %d bytes", len(data), d)
	}
}

// TestParquetCorruptFiles: every truncation of a file, and the file with
// each byte inverted in turn, is read or refused, without a panic and
// without a large allocation.
func TestParquetCorruptFiles(t *testing.T) {
	for _, opts := range [][]parquet.WriterOption{
		nil,
		{parquet.Compression(&parquet.Snappy)},
		{parquet.Compression(&parquet.Gzip), parquet.DataPageVersion(2)},
		{parquet.Compression(&parquet.Zstd)},
	} {
		good := guardFile(t, opts...)
		if items, err := parquetItems(context.Background(), "s3://b/k", good, 1000); err != nil || len(items) != 3 {
			t.Fatalf("the good file: %d items, %v", len(items), err)
		}
		for n := range len(good) {
			readGuarded(t, good[:n])
		}
		bad := bytes.Clone(good)
		for i := range bad {
			bad[i] ^= 0xff
			readGuarded(t, bad)
			bad[i] ^= 0xff
		}
	}
}

// forge rewrites a file's footer with change applied to its metadata.
func forge(t *testing.T, data []byte, change func(*format.FileMetaData)) []byte {
	t.Helper()
	n := int(binary.LittleEndian.Uint32(data[len(data)-8:]))
	var md format.FileMetaData
	var proto thrift.CompactProtocol
	if err := thrift.Unmarshal(&proto, data[len(data)-8-n:len(data)-8], &md); err != nil {
		t.Fatal(err)
	}
	change(&md)
	footer, err := thrift.Marshal(&proto, &md)
	if err != nil {
		t.Fatal(err)
	}
	out := append(bytes.Clone(data[:len(data)-8-n]), footer...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(footer)))
	return append(out, "PAR1"...)
}

// TestParquetDeclaredSizes: a row group over AWS's 256 MB, a column
// chunk outside the file and a codec AWS does not read are refused from
// the footer, before any page is read.
func TestParquetDeclaredSizes(t *testing.T) {
	good := guardFile(t)
	for _, tc := range []struct {
		change func(*format.FileMetaData)
		want   string
	}{
		{func(md *format.FileMetaData) { md.RowGroups[0].TotalByteSize = 300 << 20 },
			"row group 0 is 314572800 bytes, more than the 256 MB Step Functions reads"},
		{func(md *format.FileMetaData) { md.RowGroups[0].Columns[0].MetaData.TotalCompressedSize = 1 << 40 },
			"column chunk 0 of row group 0 lies outside the file: the file is corrupt"},
		{func(md *format.FileMetaData) {
			for i := range md.RowGroups[0].Columns {
				md.RowGroups[0].Columns[i].MetaData.Codec = format.Lz4Raw
			}
		}, `column "id" uses LZ4_RAW compression; Step Functions reads GZIP, SNAPPY and ZSTD`},
	} {
		_, err := parquetItems(context.Background(), "s3://b/k", forge(t, good, tc.change), 1000)
		if want := "The Parquet object s3://b/k cannot be read: " + tc.want; err == nil || err.Cause != want {
			t.Errorf("got %v\nwant %s", err, want)
		}
	}
}

// TestParquetGuardPieces: what the walk of the footer and page headers
// refuses: a thrift list or string longer than the bytes left, a page of
// more values than hsc reads, a page that decompresses to more than it
// declares (a gzip bomb, a snappy block).
func TestParquetGuardPieces(t *testing.T) {
	// A struct whose field 1 is a list of 2^31-1 structs, in 8 bytes.
	if _, err := checkThriftStruct([]byte{0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00}); !errors.Is(err, errParquetCorrupt) {
		t.Errorf("a huge list: %v", err)
	}
	// Field 1 a binary of 2^31-1 bytes.
	if _, err := checkThriftStruct([]byte{0x18, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00}); !errors.Is(err, errParquetCorrupt) {
		t.Errorf("a huge binary: %v", err)
	}
	// Nesting past the limit.
	deep := bytes.Repeat([]byte{0x1c}, 100)
	if _, err := checkThriftStruct(deep); !errors.Is(err, errParquetCorrupt) {
		t.Errorf("deep nesting: %v", err)
	}
	if n, err := checkThriftStruct([]byte{0x15, 0x02, 0x00, 0xff}); err != nil || n != 3 {
		t.Errorf("a small struct: %d %v", n, err)
	}
	h := &format.PageHeader{Type: format.DataPage, UncompressedPageSize: 10}
	h.DataPageHeader.Valid = true
	h.DataPageHeader.V.NumValues = maxParquetPageValues + 1
	if err := checkParquetPage(h, format.Uncompressed, make([]byte, 10)); err == nil || !strings.Contains(err.Error(), "more than the 16777216 hsc reads") {
		t.Errorf("many values: %v", err)
	}
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write(make([]byte, 10<<20))
	zw.Close()
	if err := checkDecompressed(format.Gzip, bomb.Bytes(), 1000); !errors.Is(err, errParquetCorrupt) {
		t.Errorf("a gzip bomb: %v", err)
	}
	if err := checkDecompressed(format.Gzip, bomb.Bytes(), 10<<20); err != nil {
		t.Errorf("the same page declared at its size: %v", err)
	}
	// A snappy block whose header says 1 GiB.
	if err := checkDecompressed(format.Snappy, binary.AppendUvarint(nil, 1<<30), 1000); !errors.Is(err, errParquetCorrupt) {
		t.Errorf("a snappy length: %v", err)
	}
}

// FuzzParquetItems: no input makes the reader panic or fail with another
// error than States.ItemReaderFailed.
func FuzzParquetItems(f *testing.F) {
	f.Add(guardFile(f))
	f.Add(guardFile(f, parquet.Compression(&parquet.Snappy), parquet.DataPageVersion(2)))
	f.Add([]byte("PAR1\x00\x00\x00\x00PAR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		readGuarded(t, data)
	})
}
