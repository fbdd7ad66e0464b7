package interpreter_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/hsc-dev/hsc/interpreter"
)

// The PARQUET item reader. AWS documents (Step Functions developer
// guide, ItemReader) that each row of a Parquet object is an item, that
// a row group holds at most 256 MB and a footer at most 5 MB, that GZIP,
// ZSTD and Snappy are read, and that VersionId is not supported; how
// values become JSON is not documented and is hsc's choice, described in
// itemreader_parquet.go and the README. No AWS recording of a Parquet
// reader exists to compare with.

type pqAddress struct {
	City string `parquet:"city"`
	Zip  *int32 `parquet:"zip,optional"`
}

// pqRow has a column of each kind the reader maps: integers, floats,
// booleans, strings with nulls, bytes, a UUID, a decimal, a date,
// timestamps (UTC and local), a time of day, a list, a map and a group.
type pqRow struct {
	ID      int64            `parquet:"id"`
	Name    *string          `parquet:"name,optional"`
	Score   float64          `parquet:"score"`
	Ratio   float32          `parquet:"ratio"`
	Active  bool             `parquet:"active"`
	Small   int8             `parquet:"small,int(8)"`
	Raw     []byte           `parquet:"raw"`
	UID     [16]byte         `parquet:"uid,uuid"`
	Price   int64            `parquet:"price,decimal(2:12)"`
	Day     int32            `parquet:"day,date"`
	When    time.Time        `parquet:"when,timestamp(millisecond)"`
	Local   int64            `parquet:"local,timestamp(microsecond:local)"`
	Clock   int32            `parquet:"clock,time(millisecond)"`
	Tags    []string         `parquet:"tags,list"`
	Counts  map[string]int32 `parquet:"counts"`
	Address *pqAddress       `parquet:"address,optional"`
}

func str(s string) *string { return &s }
func i32(i int32) *int32   { return &i }

func pqRows() []pqRow {
	return []pqRow{
		{ID: 1, Name: str("pen"), Score: 2.5, Ratio: 0.1, Active: true, Small: -3, Raw: []byte{0, 1, 0xff},
			UID: [16]byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 1, 2, 3, 4, 5, 6, 7, 8}, Price: 12345, Day: 19000,
			When: time.Date(2024, 5, 6, 7, 8, 9, 123e6, time.UTC), Local: 1_700_000_000_123_456, Clock: 3723004,
			Tags: []string{"a", "b"}, Counts: map[string]int32{"x": 1}, Address: &pqAddress{City: "Oslo", Zip: i32(150)}},
		{ID: 2, Name: nil, Score: -1e10, Ratio: 3, Active: false, Small: 7, Raw: []byte{},
			Price: -5, Day: 0, When: time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC), Local: 0, Clock: 0,
			Tags: []string{}, Counts: map[string]int32{}, Address: &pqAddress{City: "Bergen"}},
		{ID: 3, Name: str("ink"), Score: 0, Ratio: -0.5, Active: true, Small: 0, Raw: []byte("hi"),
			Price: 100, Day: -1, When: time.Unix(0, 0).UTC(), Local: -1, Clock: 86399999,
			Tags: []string{"c"}, Counts: nil, Address: nil},
	}
}

// The items the three rows give, in schema order.
var pqItems = []string{
	`{"id":1,"name":"pen","score":2.5,"ratio":0.1,"active":true,"small":-3,"raw":"AAH/","uid":"12345678-9abc-def0-0102-030405060708","price":123.45,"day":"2022-01-08","when":"2024-05-06T07:08:09.123Z","local":"2023-11-14T22:13:20.123456","clock":"01:02:03.004","tags":["a","b"],"counts":{"x":1},"address":{"city":"Oslo","zip":150}}`,
	`{"id":2,"name":null,"score":-1.0E10,"ratio":3.0,"active":false,"small":7,"raw":"","uid":"00000000-0000-0000-0000-000000000000","price":-0.05,"day":"1970-01-01","when":"1999-12-31T23:59:59.000Z","local":"1970-01-01T00:00:00.000000","clock":"00:00:00.000","tags":[],"counts":{},"address":{"city":"Bergen","zip":null}}`,
	`{"id":3,"name":"ink","score":0.0,"ratio":-0.5,"active":true,"small":0,"raw":"aGk=","uid":"00000000-0000-0000-0000-000000000000","price":1.0,"day":"1969-12-31","when":"1970-01-01T00:00:00.000Z","local":"1969-12-31T23:59:59.999999","clock":"23:59:59.999","tags":["c"],"counts":{},"address":null}`,
}

func writeParquet[T any](t testing.TB, rows []T, opts ...parquet.WriterOption) []byte {
	t.Helper()
	var b bytes.Buffer
	w := parquet.NewGenericWriter[T](&b, opts...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pqS3 answers getObject with the object's bytes as they are (as a
// --task command that cats a file does), or, for keys in b64, as a
// GetObject response whose Body is the base64 of the bytes (as a mock
// file gives them); listObjectsV2 lists the keys under a prefix.
type pqS3 struct {
	mu      sync.Mutex
	objects map[string][]byte
	b64     map[string]bool
	asked   []string
}

func (f *pqS3) ResolveTask(_ context.Context, r *interpreter.TaskRequest) ([]byte, error) {
	var p struct{ Bucket, Key, Prefix string }
	if err := json.Unmarshal(r.Input, &p); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, string(r.Input))
	if strings.HasSuffix(r.Resource, "listObjectsV2") {
		var contents []map[string]any
		for _, k := range sortedKeys(f.objects) {
			if b, key, _ := strings.Cut(k, "/"); b == p.Bucket && strings.HasPrefix(key, p.Prefix) {
				contents = append(contents, map[string]any{"Key": key, "Size": len(f.objects[k]), "ETag": `"e"`, "LastModified": "2024-05-06T07:08:09Z"})
			}
		}
		return json.Marshal(map[string]any{"Contents": contents, "IsTruncated": false})
	}
	body, ok := f.objects[p.Bucket+"/"+p.Key]
	if !ok {
		return nil, &interpreter.ExecutionError{Name: "S3.NoSuchKeyException", Cause: "no such key " + p.Key}
	}
	if f.b64[p.Bucket+"/"+p.Key] {
		return json.Marshal(map[string]string{"Body": base64.StdEncoding.EncodeToString(body)})
	}
	return body, nil
}

func sortedKeys(m map[string][]byte) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}

// parquetMap is a distributed Map over s3://b/KEY read as PARQUET, with
// the given extra ReaderConfig members and state fields, whose children
// (Pass) return what they receive.
func parquetMap(key, readerConfig, fields string) string {
	return `{"StartAt":"M","States":{"M":{"Type":"Map",` + fields + `
		"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"PARQUET"` + readerConfig + `},"Parameters":{"Bucket":"b","Key":"` + key + `"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
}

// TestParquetItems: each row is one item, its values mapped as the
// reader's doc comment says (nulls, nested groups, lists, maps, dates,
// timestamps, decimals, UUIDs, bytes); the children receive the items in
// row order, across row groups, from the bytes as they are and from a
// base64 Body, whatever the compression.
func TestParquetItems(t *testing.T) {
	want := "[" + strings.Join(pqItems, ",") + "]"
	for _, tc := range []struct {
		name string
		opts []parquet.WriterOption
		b64  bool
	}{
		{"plain", nil, false},
		{"base64 Body", nil, true},
		{"snappy, a row group a row", []parquet.WriterOption{parquet.Compression(&parquet.Snappy), parquet.MaxRowsPerRowGroup(1)}, false},
		{"gzip", []parquet.WriterOption{parquet.Compression(&parquet.Gzip)}, false},
		{"zstd, data page v2", []parquet.WriterOption{parquet.Compression(&parquet.Zstd), parquet.DataPageVersion(2)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s3 := &pqS3{objects: map[string][]byte{"b/rows.parquet": writeParquet(t, pqRows(), tc.opts...)}, b64: map[string]bool{"b/rows.parquet": tc.b64}}
			res, err := runDist(t, parquetMap("rows.parquet", "", ""), `{}`, interpreter.WithTaskResolver(s3))
			if err != nil {
				t.Fatalf("%v (%s: %s)", err, res.Error, res.Cause)
			}
			if string(res.Output) != want {
				t.Errorf("items:\n got %s\nwant %s", res.Output, want)
			}
		})
	}
}

// TestParquetMaxItemsSelectorBatcher: MaxItems, ItemSelector and
// ItemBatcher apply to Parquet rows as to CSV rows.
func TestParquetMaxItemsSelectorBatcher(t *testing.T) {
	s3 := &pqS3{objects: map[string][]byte{"b/rows.parquet": writeParquet(t, pqRows(), parquet.MaxRowsPerRowGroup(2))}}
	for _, tc := range []struct{ config, fields, want string }{
		{`,"MaxItems":2`, ``, "[" + pqItems[0] + "," + pqItems[1] + "]"},
		{`,"MaxItems":1`, ``, "[" + pqItems[0] + "]"},
		{``, `"ItemSelector":{"who.$":"$$.Map.Item.Value.name","at.$":"$$.Map.Item.Value.address","i.$":"$$.Map.Item.Index"},`,
			`[{"at":{"city":"Oslo","zip":150},"i":0,"who":"pen"},{"at":{"city":"Bergen","zip":null},"i":1,"who":null},{"at":null,"i":2,"who":"ink"}]`},
		{`,"MaxItems":3`, `"ItemSelector":{"id.$":"$$.Map.Item.Value.id"},"ItemBatcher":{"MaxItemsPerBatch":2,"BatchInput":{"from":"pq"}},`,
			`[{"BatchInput":{"from":"pq"},"Items":[{"id":1},{"id":2}]},{"BatchInput":{"from":"pq"},"Items":[{"id":3}]}]`},
	} {
		res, err := runDist(t, parquetMap("rows.parquet", tc.config, tc.fields), `{}`, interpreter.WithTaskResolver(s3))
		got := string(res.Output)
		if err != nil {
			got = res.Error + ": " + res.Cause
		}
		if got != tc.want {
			t.Errorf("%s %s:\n got %s\nwant %s", tc.config, tc.fields, got, tc.want)
		}
	}
}

// TestParquetCSVAgree: the same rows as CSV and as Parquet (string
// columns) give the same items under MaxItems and ItemBatcher (the CSV
// reader's keys come in Java HashMap order, Parquet's in schema order,
// so one-column rows are compared).
func TestParquetCSVAgree(t *testing.T) {
	type row struct {
		Word string `parquet:"word"`
	}
	var rows []row
	csv := "word\n"
	for i := range 7 {
		rows = append(rows, row{fmt.Sprint("w", i)})
		csv += fmt.Sprint("w", i, "\n")
	}
	s3 := &pqS3{objects: map[string][]byte{"b/w.parquet": writeParquet(t, rows, parquet.MaxRowsPerRowGroup(3)), "b/w.csv": []byte(csv)}}
	for _, extra := range []string{`,"MaxItems":5`, ``} {
		def := parquetMap("w.parquet", extra, `"ItemBatcher":{"MaxItemsPerBatch":2},`)
		pq, err := runDist(t, def, `{}`, interpreter.WithTaskResolver(s3))
		if err != nil {
			t.Fatal(err)
		}
		def = strings.Replace(strings.Replace(def, `"PARQUET"`, `"CSV","CSVHeaderLocation":"FIRST_ROW"`, 1), "w.parquet", "w.csv", 1)
		cs, err := runDist(t, def, `{}`, interpreter.WithTaskResolver(s3))
		if err != nil {
			t.Fatal(err)
		}
		if string(pq.Output) != string(cs.Output) || !strings.Contains(string(pq.Output), `"w4"`) {
			t.Errorf("%s: parquet %s, csv %s", extra, pq.Output, cs.Output)
		}
	}
}

// TestParquetManifestAndListing: ATHENA_DATA manifests list Parquet data
// files (AWS docs: ManifestType ATHENA_DATA with InputType CSV, JSONL or
// PARQUET) and LOAD_AND_FLATTEN reads every listed Parquet object; data
// files from a mock arrive as base64.
func TestParquetManifestAndListing(t *testing.T) {
	type row struct {
		N int32 `parquet:"n"`
	}
	s3 := &pqS3{
		objects: map[string][]byte{
			"b/manifest.csv":       []byte("s3://res/q/1.parquet\ns3://res/q/2.parquet\n"),
			"res/q/1.parquet":      writeParquet(t, []row{{1}, {2}}),
			"res/q/2.parquet":      writeParquet(t, []row{{3}}),
			"b/logs/a.parquet":     writeParquet(t, []row{{4}}),
			"b/logs/b.parquet":     writeParquet(t, []row{{5}, {6}}),
			"b/bad/manifest.csv":   []byte("s3://res/q/1.parquet\ns3://res/q/not.parquet\n"),
			"res/q/not.parquet":    []byte("n\n7\n"),
			"b/other/z.notparquet": []byte("x"),
		},
		b64: map[string]bool{"res/q/2.parquet": true},
	}
	athena := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"ManifestType":"ATHENA_DATA","InputType":"PARQUET"%s},"Parameters":{"Bucket":"b","Key":"%s"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	listing := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2","Parameters":{"Bucket":"b","Prefix":"logs/"},
		"ReaderConfig":{"InputType":"PARQUET","Transformation":"LOAD_AND_FLATTEN"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	for _, tc := range []struct{ def, want string }{
		{fmt.Sprintf(athena, "", "manifest.csv"), `[{"n":1},{"n":2},{"n":3}]`},
		{fmt.Sprintf(athena, `,"MaxItems":2`, "manifest.csv"), `[{"n":1},{"n":2}]`},
		{fmt.Sprintf(athena, "", "bad/manifest.csv"), `States.ItemReaderFailed: The Parquet object s3://res/q/not.parquet cannot be read: the object is not a Parquet file (it does not start with PAR1)`},
		{listing, `[{"n":4},{"n":5},{"n":6}]`},
	} {
		res, err := runDist(t, tc.def, `{}`, interpreter.WithTaskResolver(s3))
		got := string(res.Output)
		if err != nil {
			got = res.Error + ": " + res.Cause
		}
		if got != tc.want {
			t.Errorf("got %s\nwant %s", got, tc.want)
		}
	}
}

// TestParquetReaderFails: an object that is not Parquet, is truncated or
// corrupt, declares a footer over AWS's 5 MB, has a column of a type not
// read, or is asked for by VersionId fails the map run with
// States.ItemReaderFailed and a cause naming the object and the problem
// (AWS docs: "If you provide input files that exceed either limit, your
// state machine will return a runtime error"; the wording is hsc's).
func TestParquetReaderFails(t *testing.T) {
	good := writeParquet(t, pqRows())
	type interval struct {
		Span [12]byte `parquet:"span,interval"`
	}
	hugeFooter := append([]byte("PAR1xxxxxxxx"), 0, 0, 0x60, 0, 'P', 'A', 'R', '1') // 6 MiB
	s3 := &pqS3{objects: map[string][]byte{
		"b/rows.csv":    []byte("a,b\n1,2\n"),
		"b/truncated":   good[:len(good)-100],
		"b/no-tail":     good[:len(good)-1],
		"b/huge-footer": hugeFooter,
		"b/interval":    writeParquet(t, []interval{{}}),
		"b/empty":       {},
		"b/rows":        good,
	}}
	for _, tc := range []struct{ key, params, want string }{
		{"rows.csv", ``, `The Parquet object s3://b/rows.csv cannot be read: the object is not a Parquet file (it does not start with PAR1)`},
		{"empty", ``, `The Parquet object s3://b/empty cannot be read: the object is not a Parquet file (it does not start with PAR1)`},
		{"truncated", ``, `The Parquet object s3://b/truncated cannot be read: the object is not a Parquet file, or is truncated (it does not end with PAR1)`},
		{"no-tail", ``, `The Parquet object s3://b/no-tail cannot be read: the object is not a Parquet file, or is truncated (it does not end with PAR1)`},
		{"huge-footer", ``, `The Parquet object s3://b/huge-footer cannot be read: the footer is 6291456 bytes, more than the 5 MB Step Functions reads`},
		{"interval", ``, `The Parquet object s3://b/interval cannot be read: column "span": the Parquet type INTERVAL is not supported`},
		{"rows", `,"VersionId":"v1"`, `The VersionId field is not supported for InputType PARQUET (s3://b/rows)`},
	} {
		def := strings.Replace(parquetMap(tc.key, "", ""), `"Key":"`+tc.key+`"`, `"Key":"`+tc.key+`"`+tc.params, 1)
		res, err := runDist(t, def, `{}`, interpreter.WithTaskResolver(s3))
		if err == nil || res.Status != interpreter.StatusFailed || res.Error != "States.ItemReaderFailed" || res.Cause != tc.want {
			t.Errorf("%s: %v %s %s: %s\nwant %s", tc.key, err, res.Status, res.Error, res.Cause, tc.want)
		}
	}
}
