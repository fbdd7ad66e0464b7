package interpreter

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"math/big"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
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
		{parquet.DefaultEncodingFor(parquet.Int64, &parquet.DeltaBinaryPacked), parquet.DefaultEncodingFor(parquet.ByteArray, &parquet.DeltaByteArray)},
		{parquet.Compression(&parquet.Snappy), parquet.DefaultEncodingFor(parquet.ByteArray, &parquet.DeltaLengthByteArray)},
		{parquet.DataPageVersion(1), parquet.DefaultEncodingFor(parquet.ByteArray, &parquet.DeltaByteArray), parquet.Compression(&parquet.Gzip)},
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
	if err := checkParquetPage(h, format.Uncompressed, make([]byte, 10), &pqNode{}); err == nil || !strings.Contains(err.Error(), "more than the 16777216 hsc reads") {
		t.Errorf("many values: %v", err)
	}
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write(make([]byte, 10<<20))
	zw.Close()
	if _, err := decompressBounded(format.Gzip, bomb.Bytes(), 1000, false); !errors.Is(err, errParquetCorrupt) {
		t.Errorf("a gzip bomb: %v", err)
	}
	if b, err := decompressBounded(format.Gzip, bomb.Bytes(), 10<<20, true); err != nil || len(b) != 10<<20 {
		t.Errorf("the same page declared at its size: %d bytes, %v", len(b), err)
	}
	// A snappy block whose header says 1 GiB.
	if _, err := decompressBounded(format.Snappy, binary.AppendUvarint(nil, 1<<30), 1000, false); !errors.Is(err, errParquetCorrupt) {
		t.Errorf("a snappy length: %v", err)
	}
	// DELTA_BINARY_PACKED runs: block size 128, 4 miniblocks, then the
	// value count and the first value (zigzag).
	run := func(count uint64, first int64) []byte {
		b := binary.AppendUvarint(nil, 128)
		b = binary.AppendUvarint(b, 4)
		b = binary.AppendUvarint(b, count)
		return binary.AppendVarint(b, first)
	}
	if err := checkDeltaValues(format.DeltaBinaryPacked, run(1<<31-1, 0), 10); err == nil || !strings.Contains(err.Error(), "declares 2147483647 values in a page of 10") {
		t.Errorf("a run of more values than its page: %v", err)
	}
	// Lengths: 3 values, 5 then deltas of +1 (min delta 1, width 0): 5+6+7.
	lengths := append(run(3, 5), binary.AppendVarint(nil, 1)...)
	lengths = append(lengths, 0, 0, 0, 0)
	if sum, rest, err := deltaRun(lengths, 3, true); err != nil || sum != 18 || len(rest) != 0 {
		t.Errorf("a run of lengths: %d %d %v", sum, len(rest), err)
	}
	// A suffix run declaring lengths of 2^30 each.
	huge := append(run(3, 1<<30), binary.AppendVarint(nil, 0)...)
	huge = append(huge, 0, 0, 0, 0)
	if err := checkDeltaValues(format.DeltaLengthByteArray, huge, 3); err == nil || !strings.Contains(err.Error(), "more than a 256 MB row group holds") {
		t.Errorf("huge lengths: %v", err)
	}
	if err := checkDeltaValues(format.DeltaLengthByteArray, append(run(2, -1), 0, 0, 0, 0, 0), 2); !errors.Is(err, errParquetCorrupt) {
		t.Errorf("a negative length: %v", err)
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

// TestParquetDeltaEncodings: files whose pages use the DELTA encodings
// (whose runs the guard decodes to check their counts and lengths) give
// the same items as a plain file.
func TestParquetDeltaEncodings(t *testing.T) {
	plain, err := parquetItems(context.Background(), "s3://b/k", guardFile(t), 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := string(appendJSON(nil, plain))
	for _, tc := range []struct {
		enc  format.Encoding
		opts []parquet.WriterOption
	}{
		{format.DeltaBinaryPacked, []parquet.WriterOption{parquet.DefaultEncodingFor(parquet.Int64, &parquet.DeltaBinaryPacked)}},
		{format.DeltaByteArray, []parquet.WriterOption{parquet.DefaultEncodingFor(parquet.ByteArray, &parquet.DeltaByteArray), parquet.Compression(&parquet.Gzip)}},
		{format.DeltaLengthByteArray, []parquet.WriterOption{parquet.DefaultEncodingFor(parquet.ByteArray, &parquet.DeltaLengthByteArray), parquet.DataPageVersion(1)}},
	} {
		data := guardFile(t, tc.opts...)
		used := false
		forge(t, data, func(md *format.FileMetaData) {
			for _, c := range md.RowGroups[0].Columns {
				for _, e := range c.MetaData.Encoding {
					used = used || e == tc.enc
				}
			}
		})
		if !used {
			t.Errorf("%s: the file does not use the encoding", tc.enc)
		}
		items, err := parquetItems(context.Background(), "s3://b/k", data, 1000)
		if err != nil || string(appendJSON(nil, items)) != want {
			t.Errorf("%s: %s %v\nwant %s", tc.enc, appendJSON(nil, items), err, want)
		}
	}
}

// TestParquetLeafValues: how each physical and logical type's values
// become JSON (hsc's mapping; AWS documents none), for the cases the
// written files do not reach.
func TestParquetLeafValues(t *testing.T) {
	el := func(phys format.Type, lt format.LogicalTypeValue) *format.SchemaElement {
		e := &format.SchemaElement{Name: "c"}
		e.Type.Valid, e.Type.V = true, phys
		e.LogicalType.Value = lt
		return e
	}
	conv := func(ct deprecated.ConvertedType, phys format.Type) *format.SchemaElement {
		e := el(phys, nil)
		e.ConvertedType.Valid, e.ConvertedType.V = true, ct
		return e
	}
	julian := func(day uint32, nanos uint64) deprecated.Int96 {
		return deprecated.Int96{uint32(nanos), uint32(nanos >> 32), day}
	}
	for _, tc := range []struct {
		el   *format.SchemaElement
		v    parquet.Value
		want string
	}{
		{el(format.Double, nil), parquet.DoubleValue(math.NaN()), `"NaN"`},
		{el(format.Double, nil), parquet.DoubleValue(math.Inf(-1)), `"-Infinity"`},
		{el(format.Float, nil), parquet.FloatValue(float32(math.Inf(1))), `"Infinity"`},
		{el(format.Float, nil), parquet.FloatValue(0.1), `0.1`},
		{el(format.Int64, &format.IntType{BitWidth: 64}), parquet.Int64Value(-1), `"18446744073709551615"`},
		{el(format.Int32, &format.IntType{BitWidth: 32}), parquet.Int32Value(-1), `4294967295`},
		{conv(deprecated.Uint64, format.Int64), parquet.Int64Value(7), `7`},
		{el(format.Int96, nil), parquet.Int96Value(julian(2440588+1, 3_600_000_000_123)), `"1970-01-02T01:00:00.000000123Z"`},
		{el(format.Int64, &format.TimestampType{IsAdjustedToUTC: true, Unit: format.TimeUnit{Value: &format.NanoSeconds{}}}), parquet.Int64Value(1), `"1970-01-01T00:00:00.000000001Z"`},
		{conv(deprecated.TimestampMicros, format.Int64), parquet.Int64Value(1), `"1970-01-01T00:00:00.000001Z"`},
		{el(format.Int64, &format.TimeType{Unit: format.TimeUnit{Value: &format.MicroSeconds{}}}), parquet.Int64Value(45_296_000_007), `"12:34:56.000007"`},
		{el(format.Int64, &format.TimeType{Unit: format.TimeUnit{Value: &format.NanoSeconds{}}}), parquet.Int64Value(1), `"00:00:00.000000001"`},
		{conv(deprecated.Date, format.Int32), parquet.Int32Value(19849), `"2024-05-06"`},
		{el(format.FixedLenByteArray, &format.Float16Type{}), parquet.FixedLenByteArrayValue([]byte{0x00, 0x3c}), `1.0`},
		{el(format.FixedLenByteArray, &format.Float16Type{}), parquet.FixedLenByteArrayValue([]byte{0x00, 0xc0}), `-2.0`},
		{el(format.FixedLenByteArray, &format.Float16Type{}), parquet.FixedLenByteArrayValue([]byte{0x00, 0x7c}), `"Infinity"`},
		{el(format.FixedLenByteArray, &format.DecimalType{Scale: 2, Precision: 20}), parquet.FixedLenByteArrayValue([]byte{0xff, 0xfe}), `-0.02`},
		{el(format.ByteArray, &format.DecimalType{Scale: 2, Precision: 38}), parquet.ByteArrayValue(big.NewInt(0).Lsh(big.NewInt(1), 70).Bytes()), `"11805916207174113034.24"`},
		{conv(deprecated.Decimal, format.Int64), parquet.Int64Value(42), `42`},
		{el(format.ByteArray, &format.JsonType{}), parquet.ByteArrayValue([]byte(`{"a":1}`)), `"{\"a\":1}"`},
		{el(format.ByteArray, &format.BsonType{}), parquet.ByteArrayValue([]byte{1, 2}), `"AQI="`},
		{conv(deprecated.UTF8, format.ByteArray), parquet.ByteArrayValue([]byte("é")), `"é"`},
		{el(format.FixedLenByteArray, nil), parquet.FixedLenByteArrayValue([]byte("ab")), `"YWI="`},
		{el(format.Boolean, nil), parquet.BooleanValue(true), `true`},
	} {
		f, err := leafConverter(tc.el)
		if err != nil {
			t.Fatalf("%v", err)
		}
		v, err := f(tc.v)
		if got := string(appendJSON(nil, v)); err != nil || got != tc.want {
			t.Errorf("%s %v: %s %v, want %s", tc.el.Type.V, tc.el.LogicalType.Value, got, err, tc.want)
		}
	}
	for _, lt := range []format.LogicalTypeValue{&format.VariantType{}, &format.GeometryType{}, &format.GeographyType{}} {
		if _, err := leafConverter(el(format.ByteArray, lt)); err == nil || !strings.Contains(err.Error(), "is not supported") {
			t.Errorf("%s: %v", lt, err)
		}
	}
}

// A VARIANT column (a group annotated VARIANT) is refused, naming it.
func TestParquetVariantRefused(t *testing.T) {
	type row struct {
		V any `parquet:"v,variant"`
	}
	var b bytes.Buffer
	w := parquet.NewGenericWriter[row](&b)
	if _, err := w.Write([]row{{V: map[string]any{"a": 1}}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := parquetItems(context.Background(), "s3://b/k", b.Bytes(), 10)
	if err == nil || err.Cause != `The Parquet object s3://b/k cannot be read: column "v": the Parquet type VARIANT is not supported` {
		t.Errorf("%v", err)
	}
}

// BenchmarkParquetItems: reading 10,000 rows of six columns (a list, a
// map, a timestamp, a decimal) as items, the guard included.
func BenchmarkParquetItems(b *testing.B) {
	s := "name"
	rows := make([]guardRow, 10_000)
	for i := range rows {
		rows[i] = guardRow{ID: int64(i), Name: &s, Tags: []string{"a", "b"}, M: map[string]string{"k": "v"}, When: time.Unix(int64(i), 0), Dec: int64(i)}
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[guardRow](&buf, parquet.Compression(&parquet.Snappy))
	if _, err := w.Write(rows); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		items, err := parquetItems(context.Background(), "s3://b/k", buf.Bytes(), maxReaderItems)
		if err != nil || len(items) != len(rows) {
			b.Fatal(len(items), err)
		}
	}
}
