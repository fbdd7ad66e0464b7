package interpreter

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// The PARQUET item reader (ReaderConfig.InputType PARQUET, for one
// object read with s3:getObject, each object of a LOAD_AND_FLATTEN
// listing, and the data files of an ATHENA_DATA manifest).
//
// From the AWS docs (Step Functions developer guide, ItemReader):
// each row is one item; a row group may hold at most 256 MB and the
// footer at most 5 MB, larger ones fail the run; GZIP, ZSTD and Snappy
// compression are read; VersionId is not supported with PARQUET.
//
// The docs do not say how a row's values become JSON. hsc's choice, the
// one a user would expect (README, "Distributed Map"):
//   - a row is a JSON object keyed by the column names, in schema order;
//     a null value is a member with null;
//   - BOOLEAN is a boolean; INT32, INT64 and the INT(n) annotations are
//     integers (an unsigned 64-bit value above 2^63-1 is a string of its
//     digits); FLOAT and DOUBLE are numbers (FLOAT by its shortest
//     decimal form, so 0.1f is 0.1), NaN and the infinities, which JSON
//     lacks, the strings "NaN", "Infinity" and "-Infinity"; FLOAT16 a
//     number;
//   - STRING, ENUM and JSON are strings (a JSON column keeps its text);
//     UUID is its canonical 8-4-4-4-12 form; a BYTE_ARRAY or
//     FIXED_LEN_BYTE_ARRAY without a string annotation, and BSON, is the
//     base64 of its bytes;
//   - DECIMAL is a number when its unscaled value has at most 15 digits
//     (exact in a double), otherwise a string of its exact digits;
//   - DATE is "YYYY-MM-DD"; TIME is "HH:MM:SS" with 3, 6 or 9 fraction
//     digits by its unit; TIMESTAMP is ISO 8601 with 3, 6 or 9 fraction
//     digits, ending in Z when adjusted to UTC; the legacy INT96
//     timestamp is read as UTC with 9 digits;
//   - a LIST (and a bare repeated field) is an array, a MAP an object
//     (keys as strings: a non-string key by its JSON text), a group an
//     object;
//   - INTERVAL, VARIANT, GEOMETRY and GEOGRAPHY are not supported: a
//     file with such a column fails the run, naming the column.

// maxParquetDecoded bounds what one Parquet object's items may hold once
// decoded (about the bytes of their strings plus 16 a value; hsc's own
// limit, the same 1 GiB as a gzip data file): dictionary and run-length
// encoding let a small file stand for far more.
const maxParquetDecoded = 1 << 30

// parquetBytes gives a Parquet object's bytes: the content as a --task
// command prints it, or, as a mock file's JSON cannot hold raw bytes,
// the base64 of the file (in "Body" or as a JSON string).
func parquetBytes(body []byte) []byte {
	if bytes.HasPrefix(body, []byte("PAR1")) {
		return body
	}
	if d, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(body))); err == nil && bytes.HasPrefix(d, []byte("PAR1")) {
		return d
	}
	return body
}

// parquetItems reads the rows of a Parquet object as items, at most
// limit. name (s3://bucket/key) is for the error's cause.
func parquetItems(ctx context.Context, name string, body []byte, limit int) (items []any, xerr *ExecutionError) {
	fail := func(err error) *ExecutionError {
		return newError("States.ItemReaderFailed", "The Parquet object %s cannot be read: %v", name, err)
	}
	// parquet-go panics on some malformed schemas and pages; what the
	// guard below does not catch fails the reader, not the process.
	defer func() {
		if p := recover(); p != nil {
			items, xerr = nil, fail(fmt.Errorf("%w (%v)", errParquetCorrupt, p))
		}
	}()
	data := parquetBytes(body)
	footer, err := parquetFooter(data)
	if err != nil {
		return nil, fail(err)
	}
	if _, err := checkThriftStruct(footer); err != nil {
		return nil, fail(fmt.Errorf("the footer: %w", err))
	}
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, fail(fmt.Errorf("%v: %w", err, errParquetCorrupt))
	}
	md := f.Metadata()
	if md.EncryptionAlgorithm.Value != nil {
		return nil, fail(errors.New("the file is encrypted, which is not supported"))
	}
	root, leaves, err := parquetSchema(md.Schema)
	if err != nil {
		return nil, fail(err)
	}
	if err := checkParquetPages(data, md, leaves); err != nil {
		return nil, fail(err)
	}
	a := &pqAssembler{budget: maxParquetDecoded}
	out := []any{}
	buf := make([]parquet.Row, 64)
	cols := make([][]parquet.Value, len(leaves))
	for _, rg := range f.RowGroups() {
		if len(out) >= limit {
			break
		}
		rows := rg.Rows()
		for len(out) < limit {
			if ctx.Err() != nil {
				rows.Close()
				return nil, fail(ctx.Err())
			}
			n, rerr := rows.ReadRows(buf[:min(len(buf), limit-len(out))])
			for _, row := range buf[:n] {
				clear(cols)
				row.Range(func(c int, vs []parquet.Value) bool {
					if c < len(cols) {
						cols[c] = vs
					}
					return true
				})
				item, err := a.group(root, cols)
				if err != nil {
					rows.Close()
					return nil, fail(err)
				}
				out = append(out, item)
			}
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				rows.Close()
				return nil, fail(fmt.Errorf("%v: %w", rerr, errParquetCorrupt))
			}
		}
		rows.Close()
	}
	return out, nil
}

// pqNode is a node of a Parquet schema, with what reading its values
// needs.
type pqNode struct {
	name     string
	path     string
	repeated bool
	optional bool
	def, rep int // the levels of a present (non-null) value of this node
	leaf     bool
	first    int // its leaf columns are [first, end)
	end      int
	children []*pqNode
	kind     int // pqGroup, pqList, pqMap (groups only)
	conv     func(parquet.Value) (any, error)
}

const (
	pqGroup = iota
	pqList
	pqMap
)

// parquetSchema builds the tree of a file's flattened schema and returns
// its root and its leaf columns in order.
func parquetSchema(els []format.SchemaElement) (*pqNode, []*pqNode, error) {
	if len(els) == 0 {
		return nil, nil, fmt.Errorf("the schema is empty: %w", errParquetCorrupt)
	}
	b := &pqSchemaBuilder{els: els}
	root, err := b.node(0, nil)
	if err != nil {
		return nil, nil, err
	}
	if b.next != len(els) {
		return nil, nil, fmt.Errorf("the schema has %d elements outside its tree: %w", len(els)-b.next, errParquetCorrupt)
	}
	return root, b.leafNodes, nil
}

type pqSchemaBuilder struct {
	els       []format.SchemaElement
	next      int
	leaves    int
	leafNodes []*pqNode
}

func (b *pqSchemaBuilder) node(depth int, parent *pqNode) (*pqNode, error) {
	if b.next >= len(b.els) || depth > maxThriftDepth {
		return nil, fmt.Errorf("the schema's tree is malformed: %w", errParquetCorrupt)
	}
	e := &b.els[b.next]
	b.next++
	n := &pqNode{name: e.Name, first: b.leaves}
	if parent != nil {
		n.def, n.rep = parent.def, parent.rep
		n.path = e.Name
		if parent.path != "" {
			n.path = parent.path + "." + e.Name
		}
		switch rt := e.RepetitionType; {
		case rt.Valid && rt.V == format.Optional:
			n.optional = true
			n.def++
		case rt.Valid && rt.V == format.Repeated:
			n.repeated = true
			n.def++
			n.rep++
		}
	}
	if e.Type.Valid {
		if parent == nil {
			return nil, fmt.Errorf("the schema's root is a column: %w", errParquetCorrupt)
		}
		n.leaf = true
		b.leaves++
		b.leafNodes = append(b.leafNodes, n)
		n.end = b.leaves
		conv, err := leafConverter(e)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", n.path, err)
		}
		n.conv = conv
		return n, nil
	}
	count := int(e.NumChildren.V)
	if count < 0 || count > len(b.els)-b.next {
		return nil, fmt.Errorf("group %q declares %d children: %w", n.path, count, errParquetCorrupt)
	}
	seen := make(map[string]bool, count)
	for range count {
		c, err := b.node(depth+1, n)
		if err != nil {
			return nil, err
		}
		if seen[c.name] {
			return nil, fmt.Errorf("group %q has two fields named %q", n.path, c.name)
		}
		seen[c.name] = true
		n.children = append(n.children, c)
	}
	n.end = b.leaves
	if n.end == n.first {
		return nil, fmt.Errorf("group %q has no columns: %w", n.path, errParquetCorrupt)
	}
	if parent == nil {
		return n, nil
	}
	lt := e.LogicalType.Value
	ct := e.ConvertedType
	if _, ok := lt.(*format.VariantType); ok {
		return nil, fmt.Errorf("column %q: the Parquet type VARIANT is not supported", n.path)
	}
	_, isList := lt.(*format.ListType)
	_, isMap := lt.(*format.MapType)
	if lt == nil && ct.Valid {
		isList = ct.V == deprecated.List
		isMap = ct.V == deprecated.Map || ct.V == deprecated.MapKeyValue
	}
	switch {
	case isList && len(n.children) == 1 && n.children[0].repeated:
		n.kind = pqList
	case isMap && len(n.children) == 1 && n.children[0].repeated && !n.children[0].leaf &&
		len(n.children[0].children) >= 1 && len(n.children[0].children) <= 2:
		n.kind = pqMap
	}
	return n, nil
}

// listElement gives the node whose value is one element of a LIST whose
// repeated child is rep, per the backward-compatibility rules of the
// Parquet format's LogicalTypes.md: a repeated leaf, a repeated group of
// several fields, or one named "array" or "<list>_tuple" is the element
// itself (nil here); otherwise its single field is.
func listElement(list, rep *pqNode) *pqNode {
	if rep.leaf || len(rep.children) != 1 || rep.name == "array" || rep.name == list.name+"_tuple" {
		return nil
	}
	return rep.children[0]
}

// pqAssembler turns the values of one row into JSON values (the record
// assembly of the Dremel paper, on repetition and definition levels).
type pqAssembler struct {
	budget int
}

// value gives n's value from vals, n's leaf columns' values for one
// instance of n's parent.
func (a *pqAssembler) value(n *pqNode, vals [][]parquet.Value) (any, error) {
	if len(vals) == 0 || len(vals[0]) == 0 {
		return nil, fmt.Errorf("column %q has no value in a row: %w", n.path, errParquetCorrupt)
	}
	first := vals[0][0]
	if n.repeated {
		if first.DefinitionLevel() < n.def {
			return []any{}, nil
		}
		parts, err := split(n, vals)
		if err != nil {
			return nil, err
		}
		out := make([]any, 0, len(parts))
		for _, p := range parts {
			v, err := a.required(n, p)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	if n.optional && first.DefinitionLevel() < n.def {
		a.budget -= 16
		return nil, nil
	}
	return a.required(n, vals)
}

// required gives the value of one present instance of n.
func (a *pqAssembler) required(n *pqNode, vals [][]parquet.Value) (any, error) {
	if n.leaf {
		v := vals[0][0]
		if v.IsNull() {
			return nil, nil
		}
		x, err := n.conv(v)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", n.path, err)
		}
		a.budget -= 16
		if s, ok := x.(string); ok {
			a.budget -= len(s)
		}
		if a.budget < 0 {
			return nil, fmt.Errorf("its items hold more than %d bytes, the most hsc reads from one object", maxParquetDecoded)
		}
		return x, nil
	}
	switch n.kind {
	case pqList:
		rep := n.children[0]
		if vals[0][0].DefinitionLevel() < rep.def {
			return []any{}, nil
		}
		parts, err := split(rep, vals)
		if err != nil {
			return nil, err
		}
		elem := listElement(n, rep)
		out := make([]any, 0, len(parts))
		for _, p := range parts {
			var v any
			if elem != nil {
				v, err = a.value(elem, p)
			} else {
				v, err = a.required(rep, p)
			}
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case pqMap:
		kv := n.children[0]
		if vals[0][0].DefinitionLevel() < kv.def {
			return newObject(0), nil
		}
		parts, err := split(kv, vals)
		if err != nil {
			return nil, err
		}
		o := newObject(len(parts))
		index := make(map[string]int, len(parts))
		key := kv.children[0]
		for _, p := range parts {
			k, err := a.value(key, p[:key.end-key.first])
			if err != nil {
				return nil, err
			}
			var v any
			if len(kv.children) == 2 {
				val := kv.children[1]
				if v, err = a.value(val, p[val.first-kv.first:val.end-kv.first]); err != nil {
					return nil, err
				}
			}
			ks, ok := k.(string)
			if !ok {
				ks = string(appendJSON(nil, k))
			}
			if i, dup := index[ks]; dup {
				o.m[i].v = v // a repeated key: the last one counts
				continue
			}
			index[ks] = o.Len()
			o.add(ks, v)
		}
		return o, nil
	}
	return a.group(n, vals)
}

// group gives a group's object: each field by name, in schema order.
func (a *pqAssembler) group(n *pqNode, vals [][]parquet.Value) (*Object, error) {
	o := newObject(len(n.children))
	for _, c := range n.children {
		v, err := a.value(c, vals[c.first-n.first:c.end-n.first])
		if err != nil {
			return nil, err
		}
		o.add(c.name, v)
	}
	return o, nil
}

// split cuts the values of a repeated node's leaf columns into its
// elements: each element starts with a value whose repetition level is
// at most the node's.
func split(n *pqNode, vals [][]parquet.Value) ([][][]parquet.Value, error) {
	var parts [][][]parquet.Value
	for j, col := range vals {
		k := 0
		start := 0
		for i := 1; i <= len(col); i++ {
			if i < len(col) && col[i].RepetitionLevel() > n.rep {
				continue
			}
			if j == 0 {
				parts = append(parts, make([][]parquet.Value, len(vals)))
			} else if k >= len(parts) {
				return nil, fmt.Errorf("the columns of %q disagree on its element count: %w", n.path, errParquetCorrupt)
			}
			parts[k][j] = col[start:i]
			k++
			start = i
		}
		if k != len(parts) || len(col) == 0 {
			return nil, fmt.Errorf("the columns of %q disagree on its element count: %w", n.path, errParquetCorrupt)
		}
	}
	return parts, nil
}

// leafConverter gives the function that turns a column's values into
// JSON values (see the comment at the top of this file).
func leafConverter(e *format.SchemaElement) (func(parquet.Value) (any, error), error) {
	phys := e.Type.V
	switch lt := e.LogicalType.Value.(type) {
	case nil:
	case *format.StringType, *format.EnumType, *format.JsonType:
		return convString, nil
	case *format.UUIDType:
		return convUUID, nil
	case *format.DecimalType:
		return decimalConverter(phys, lt.Scale), nil
	case *format.DateType:
		return convDate, nil
	case *format.TimeType:
		return timeConverter(phys, unitDigits(lt.Unit)), nil
	case *format.TimestampType:
		return timestampConverter(phys, unitDigits(lt.Unit), lt.IsAdjustedToUTC), nil
	case *format.IntType:
		if !lt.IsSigned {
			return unsignedConverter(phys), nil
		}
		return physicalConverter(phys), nil
	case *format.NullType:
		return func(parquet.Value) (any, error) { return nil, nil }, nil
	case *format.BsonType:
		return convBytes, nil
	case *format.Float16Type:
		return convFloat16, nil
	default:
		return nil, fmt.Errorf("the Parquet type %s is not supported", lt)
	}
	if e.ConvertedType.Valid {
		switch e.ConvertedType.V {
		case deprecated.UTF8, deprecated.Enum, deprecated.Json:
			return convString, nil
		case deprecated.Decimal:
			return decimalConverter(phys, e.Scale.V), nil
		case deprecated.Date:
			return convDate, nil
		case deprecated.TimeMillis:
			return timeConverter(phys, 3), nil
		case deprecated.TimeMicros:
			return timeConverter(phys, 6), nil
		case deprecated.TimestampMillis:
			return timestampConverter(phys, 3, true), nil
		case deprecated.TimestampMicros:
			return timestampConverter(phys, 6, true), nil
		case deprecated.Uint8, deprecated.Uint16, deprecated.Uint32, deprecated.Uint64:
			return unsignedConverter(phys), nil
		case deprecated.Bson:
			return convBytes, nil
		case deprecated.Interval:
			return nil, errors.New("the Parquet type INTERVAL is not supported")
		}
	}
	return physicalConverter(phys), nil
}

func physicalConverter(phys format.Type) func(parquet.Value) (any, error) {
	switch phys {
	case format.Boolean:
		return func(v parquet.Value) (any, error) { return v.Boolean(), nil }
	case format.Int32:
		return func(v parquet.Value) (any, error) { return int64(v.Int32()), nil }
	case format.Int64:
		return func(v parquet.Value) (any, error) { return v.Int64(), nil }
	case format.Int96:
		return convInt96
	case format.Float:
		return func(v parquet.Value) (any, error) {
			f := v.Float()
			d, _ := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
			return jsonFloat(d), nil
		}
	case format.Double:
		return func(v parquet.Value) (any, error) { return jsonFloat(v.Double()), nil }
	}
	return convBytes
}

// jsonFloat gives a float as a JSON value: NaN and the infinities, which
// JSON cannot hold, as the strings Java's Double.toString gives.
func jsonFloat(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return f
}

func convString(v parquet.Value) (any, error) {
	return string(v.ByteArray()), nil
}

func convBytes(v parquet.Value) (any, error) {
	return base64.StdEncoding.EncodeToString(v.ByteArray()), nil
}

func convUUID(v parquet.Value) (any, error) {
	b := v.ByteArray()
	if len(b) != 16 {
		return nil, fmt.Errorf("a UUID of %d bytes: %w", len(b), errParquetCorrupt)
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

func convFloat16(v parquet.Value) (any, error) {
	b := v.ByteArray()
	if len(b) != 2 {
		return nil, fmt.Errorf("a FLOAT16 of %d bytes: %w", len(b), errParquetCorrupt)
	}
	h := binary.LittleEndian.Uint16(b)
	sign, exp, frac := h>>15, int(h>>10&0x1f), float64(h&0x3ff)
	var f float64
	switch exp {
	case 0:
		f = frac / 1024 * math.Pow(2, -14)
	case 0x1f:
		f = math.Inf(1)
		if frac != 0 {
			f = math.NaN()
		}
	default:
		f = (1 + frac/1024) * math.Pow(2, float64(exp-15))
	}
	if sign == 1 {
		f = -f
	}
	return jsonFloat(f), nil
}

func unsignedConverter(phys format.Type) func(parquet.Value) (any, error) {
	if phys == format.Int32 {
		return func(v parquet.Value) (any, error) { return int64(uint32(v.Int32())), nil }
	}
	return func(v parquet.Value) (any, error) {
		u := uint64(v.Int64())
		if u > math.MaxInt64 {
			return strconv.FormatUint(u, 10), nil
		}
		return int64(u), nil
	}
}

func convDate(v parquet.Value) (any, error) {
	return time.Unix(int64(v.Int32())*86400, 0).UTC().Format("2006-01-02"), nil
}

// unitDigits gives the fraction digits of a TIME or TIMESTAMP unit.
func unitDigits(u format.TimeUnit) int {
	switch u.Value.(type) {
	case *format.MilliSeconds:
		return 3
	case *format.MicroSeconds:
		return 6
	}
	return 9
}

// int64Of gives a value of an INT32 or INT64 column as an int64.
func int64Of(phys format.Type, v parquet.Value) int64 {
	if phys == format.Int32 {
		return int64(v.Int32())
	}
	return v.Int64()
}

func timeConverter(phys format.Type, digits int) func(parquet.Value) (any, error) {
	per := int64(math.Pow10(digits))
	return func(v parquet.Value) (any, error) {
		t := int64Of(phys, v)
		if t < 0 || t >= 86400*per {
			return nil, fmt.Errorf("a TIME of %d is not within a day: %w", t, errParquetCorrupt)
		}
		s := t / per
		return fmt.Sprintf("%02d:%02d:%02d.%0*d", s/3600, s/60%60, s%60, digits, t%per), nil
	}
}

func timestampConverter(phys format.Type, digits int, utc bool) func(parquet.Value) (any, error) {
	layout := "2006-01-02T15:04:05." + strings.Repeat("0", digits)
	if utc {
		layout += "Z"
	}
	return func(v parquet.Value) (any, error) {
		var t time.Time
		if phys == format.Int96 {
			return convInt96(v)
		}
		n := int64Of(phys, v)
		switch digits {
		case 3:
			t = time.UnixMilli(n)
		case 6:
			t = time.UnixMicro(n)
		default:
			t = time.Unix(0, n)
		}
		return t.UTC().Format(layout), nil
	}
}

// convInt96 reads a legacy INT96 timestamp (Hive, Impala, Spark, Athena):
// nanoseconds of the day in the first 8 bytes, the Julian day in the
// last 4.
func convInt96(v parquet.Value) (any, error) {
	i := v.Int96()
	nanos := int64(uint64(i[1])<<32 | uint64(i[0]))
	days := int64(i[2]) - 2440588 // the Julian day of 1970-01-01
	return time.Unix(days*86400, 0).Add(time.Duration(nanos)).UTC().Format("2006-01-02T15:04:05.000000000Z"), nil
}

// decimalConverter reads a DECIMAL of the given scale from an INT32,
// INT64 or (fixed-length) byte array holding its unscaled value in
// big-endian two's complement.
func decimalConverter(phys format.Type, scale int32) func(parquet.Value) (any, error) {
	return func(v parquet.Value) (any, error) {
		var u big.Int
		switch phys {
		case format.Int32, format.Int64:
			u.SetInt64(int64Of(phys, v))
		default:
			b := v.ByteArray()
			u.SetBytes(b)
			if len(b) > 0 && b[0]&0x80 != 0 {
				u.Sub(&u, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
			}
		}
		return decimalValue(&u, scale), nil
	}
}

// decimalValue gives unscaled × 10^-scale as a JSON value: an integer or
// a double when exact (at most 15 digits), otherwise the exact digits as
// a string.
func decimalValue(u *big.Int, scale int32) any {
	if scale < 0 { // not allowed by the format; read as it says
		u = new(big.Int).Mul(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(min(-scale, 1000))), nil))
		scale = 0
	}
	if scale == 0 && u.IsInt64() {
		return u.Int64()
	}
	digits := u.String()
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	text := digits
	if scale > 0 {
		if len(text) <= int(scale) {
			text = strings.Repeat("0", int(scale)-len(text)+1) + text
		}
		text = text[:len(text)-int(scale)] + "." + text[len(text)-int(scale):]
	}
	if neg {
		text = "-" + text
	}
	if len(strings.TrimLeft(digits, "0")) <= 15 {
		if f, err := strconv.ParseFloat(text, 64); err == nil {
			return f
		}
	}
	return text
}
