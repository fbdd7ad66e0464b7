package interpreter

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"

	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// The guard run on a Parquet object before parquet-go decodes it. The
// library trusts the sizes a file declares (a list length in the footer, a
// page's compressed and uncompressed sizes, its value count) and allocates
// them before reading, and it panics on some malformed schemas; a corrupt
// or hostile object must fail the reader, not the process. So the footer
// and every page header are first walked here, with each declared size
// checked against the bytes that are there and against the limits below,
// and each compressed page is decompressed into a bounded sink to check
// that it holds what its header says.

const (
	// maxParquetFooter is AWS's limit on a Parquet file's footer (the
	// ItemReader page of the Step Functions docs: "5MB is the maximum
	// footer size").
	maxParquetFooter = 5 << 20
	// maxParquetRowGroup is AWS's limit on a row group ("256MB is the
	// maximum row-group size"), checked on the uncompressed size the row
	// group declares and on the sum of its pages' uncompressed sizes.
	maxParquetRowGroup = 256 << 20
	// maxParquetPageValues bounds the values one page declares (hsc's
	// own limit: the library allocates per declared value; writers put at
	// most tens of thousands in a page).
	maxParquetPageValues = 1 << 24
	// maxThriftStructs bounds the structs a footer or page header may
	// hold in lists and maps, so that decoding it allocates a bounded
	// amount (each element decodes into a Go struct of up to a few
	// hundred bytes). 500,000 is, say, 1,000 columns in 500 row groups.
	maxThriftStructs = 500_000
	// maxThriftDepth bounds nesting in a footer or page header.
	maxThriftDepth = 64
)

// errParquetCorrupt marks a file whose structure does not hold together.
var errParquetCorrupt = errors.New("the file is corrupt")

// parquetFooter checks a Parquet file's magic numbers and footer size
// and returns the footer's bytes.
func parquetFooter(data []byte) ([]byte, error) {
	if len(data) < 12 || string(data[:4]) != "PAR1" {
		if len(data) >= 4 && string(data[:4]) == "PARE" {
			return nil, errors.New("the file is encrypted, which is not supported")
		}
		return nil, errors.New("the object is not a Parquet file (it does not start with PAR1)")
	}
	tail := data[len(data)-8:]
	switch string(tail[4:]) {
	case "PAR1":
	case "PARE":
		return nil, errors.New("the file is encrypted, which is not supported")
	default:
		return nil, errors.New("the object is not a Parquet file, or is truncated (it does not end with PAR1)")
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n > maxParquetFooter {
		return nil, fmt.Errorf("the footer is %d bytes, more than the 5 MB Step Functions reads", n)
	}
	if n == 0 || n > int64(len(data)-12) {
		return nil, fmt.Errorf("the footer length %d does not fit in the file's %d bytes: %w", n, len(data), errParquetCorrupt)
	}
	return data[int64(len(data))-8-n : len(data)-8], nil
}

// thriftWalker checks a thrift compact-protocol struct without building
// it: every length and count it declares must fit in the bytes left.
type thriftWalker struct {
	b       []byte
	off     int
	structs int
}

// checkThriftStruct checks the struct at the start of b and returns its
// length in bytes.
func checkThriftStruct(b []byte) (int, error) {
	w := &thriftWalker{b: b}
	if err := w.structBody(0); err != nil {
		return 0, err
	}
	return w.off, nil
}

func (w *thriftWalker) fail(what string) error {
	return fmt.Errorf("thrift %s at byte %d: %w", what, w.off, errParquetCorrupt)
}

func (w *thriftWalker) byte1() (byte, error) {
	if w.off >= len(w.b) {
		return 0, w.fail("data ends")
	}
	c := w.b[w.off]
	w.off++
	return c, nil
}

func (w *thriftWalker) uvarint() (uint64, error) {
	v, n := binary.Uvarint(w.b[w.off:])
	if n <= 0 {
		return 0, w.fail("varint")
	}
	w.off += n
	return v, nil
}

func (w *thriftWalker) skip(n uint64) error {
	if n > uint64(len(w.b)-w.off) {
		return w.fail("length beyond the data")
	}
	w.off += int(n)
	return nil
}

func (w *thriftWalker) structBody(depth int) error {
	if depth > maxThriftDepth {
		return w.fail("nesting")
	}
	for {
		h, err := w.byte1()
		if err != nil {
			return err
		}
		if h == 0 { // STOP
			return nil
		}
		if h>>4 == 0 { // long form: the field id follows
			if _, err := w.uvarint(); err != nil {
				return err
			}
		}
		if err := w.value(h&0x0f, depth, true); err != nil {
			return err
		}
	}
}

// value skips one value of compact type t; inField tells a struct field
// (whose booleans are in the type nibble) from a list element.
func (w *thriftWalker) value(t byte, depth int, inField bool) error {
	switch t {
	case 1, 2: // BOOLEAN_TRUE, BOOLEAN_FALSE
		if !inField {
			_, err := w.byte1()
			return err
		}
		return nil
	case 3: // I8
		_, err := w.byte1()
		return err
	case 4, 5, 6: // I16, I32, I64
		_, err := w.uvarint()
		return err
	case 7: // DOUBLE
		return w.skip(8)
	case 8: // BINARY
		n, err := w.uvarint()
		if err != nil {
			return err
		}
		return w.skip(n)
	case 9, 10: // LIST, SET
		h, err := w.byte1()
		if err != nil {
			return err
		}
		n := uint64(h >> 4)
		if n == 15 {
			if n, err = w.uvarint(); err != nil {
				return err
			}
		}
		return w.elements(n, []byte{h & 0x0f}, depth)
	case 11: // MAP
		n, err := w.uvarint()
		if err != nil || n == 0 {
			return err
		}
		kv, err := w.byte1()
		if err != nil {
			return err
		}
		return w.elements(n, []byte{kv >> 4, kv & 0x0f}, depth)
	case 12: // STRUCT
		return w.structBody(depth + 1)
	}
	return w.fail(fmt.Sprintf("type %d", t))
}

// elements skips n elements (or pairs) of the given types. Every
// element takes at least one byte, so n is checked against what is left
// before the walk; structs are counted against maxThriftStructs.
func (w *thriftWalker) elements(n uint64, types []byte, depth int) error {
	if n > uint64(len(w.b)-w.off) {
		return w.fail("count beyond the data")
	}
	for _, t := range types {
		if t == 12 || t == 9 || t == 10 || t == 11 {
			w.structs += int(n)
		}
	}
	if w.structs > maxThriftStructs {
		return w.fail("structure too large")
	}
	for i := uint64(0); i < n; i++ {
		for _, t := range types {
			if err := w.value(t, depth+1, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkParquetPages walks the pages of every column chunk the footer
// lists and checks their headers and sizes (see the package comment
// above).
func checkParquetPages(data []byte, md *format.FileMetaData, leaves []*pqNode) error {
	var proto thrift.CompactProtocol
	for g := range md.RowGroups {
		rg := &md.RowGroups[g]
		if rg.TotalByteSize > maxParquetRowGroup {
			return fmt.Errorf("row group %d is %d bytes, more than the 256 MB Step Functions reads", g, rg.TotalByteSize)
		}
		var groupBytes int64
		if len(rg.Columns) != len(leaves) {
			return fmt.Errorf("row group %d has %d column chunks for %d columns: %w", g, len(rg.Columns), len(leaves), errParquetCorrupt)
		}
		for c := range rg.Columns {
			cc := &rg.Columns[c]
			if cc.FilePath != "" {
				return fmt.Errorf("column chunk %d of row group %d is in another file (%s), which is not supported", c, g, cc.FilePath)
			}
			if len(cc.EncryptedColumnMetadata) > 0 || cc.CryptoMetadata.Value != nil {
				return errors.New("the file is encrypted, which is not supported")
			}
			m := &cc.MetaData
			switch m.Codec {
			case format.Uncompressed, format.Snappy, format.Gzip, format.Zstd:
			default:
				return fmt.Errorf("column %q uses %s compression; Step Functions reads GZIP, SNAPPY and ZSTD", pathString(m.PathInSchema), m.Codec)
			}
			// Where parquet-go starts reading the chunk (FilePages.init).
			start := m.DataPageOffset
			if m.DictionaryPageOffset != 0 {
				start = m.DictionaryPageOffset
			}
			if start < 4 || m.TotalCompressedSize < 0 || start > int64(len(data)) || m.TotalCompressedSize > int64(len(data))-start {
				return fmt.Errorf("column chunk %d of row group %d lies outside the file: %w", c, g, errParquetCorrupt)
			}
			chunk := data[start : start+m.TotalCompressedSize]
			for off := 0; off < len(chunk); {
				n, err := checkThriftStruct(chunk[off:])
				if err != nil {
					return fmt.Errorf("a page header of column %q: %w", pathString(m.PathInSchema), err)
				}
				var h format.PageHeader
				if err := thrift.Unmarshal(&proto, chunk[off:off+n], &h); err != nil {
					return fmt.Errorf("a page header of column %q: %v: %w", pathString(m.PathInSchema), err, errParquetCorrupt)
				}
				off += n
				if h.CompressedPageSize < 0 || h.UncompressedPageSize < 0 || int(h.CompressedPageSize) > len(chunk)-off {
					return fmt.Errorf("a page of column %q declares sizes that do not fit in its column chunk: %w", pathString(m.PathInSchema), errParquetCorrupt)
				}
				page := chunk[off : off+int(h.CompressedPageSize)]
				off += int(h.CompressedPageSize)
				groupBytes += int64(h.UncompressedPageSize)
				if groupBytes > maxParquetRowGroup {
					return fmt.Errorf("row group %d holds more than the 256 MB Step Functions reads", g)
				}
				if err := checkParquetPage(&h, m.Codec, page, leaves[c]); err != nil {
					return fmt.Errorf("a page of column %q: %w", pathString(m.PathInSchema), err)
				}
			}
		}
	}
	return nil
}

func checkParquetPage(h *format.PageHeader, codec format.CompressionCodec, page []byte, leaf *pqNode) error {
	values := int32(0)
	compressed, want := page, int64(h.UncompressedPageSize)
	var enc format.Encoding
	switch h.Type {
	case format.DataPage:
		values = h.DataPageHeader.V.NumValues
		enc = h.DataPageHeader.V.Encoding
	case format.DictionaryPage:
		values = h.DictionaryPageHeader.V.NumValues
		enc = h.DictionaryPageHeader.V.Encoding
	case format.DataPageV2:
		v2 := &h.DataPageHeaderV2.V
		values = v2.NumValues
		enc = v2.Encoding
		n := int64(v2.RepetitionLevelsByteLength) + int64(v2.DefinitionLevelsByteLength)
		if v2.RepetitionLevelsByteLength < 0 || v2.DefinitionLevelsByteLength < 0 || v2.NumNulls < 0 || v2.NumRows < 0 ||
			n > int64(len(page)) || n > want {
			return fmt.Errorf("a data page's level lengths do not fit in it: %w", errParquetCorrupt)
		}
		compressed, want = page[n:], want-n // the levels are never compressed
		if v2.IsCompressed.Valid && !v2.IsCompressed.V {
			codec = format.Uncompressed
		}
	default:
		return nil // index pages and unknown kinds are skipped by the reader
	}
	if err := checkPageValues(values); err != nil {
		return err
	}
	delta := enc == format.DeltaBinaryPacked || enc == format.DeltaLengthByteArray || enc == format.DeltaByteArray
	body, err := decompressBounded(codec, compressed, want, delta)
	if err != nil || !delta {
		return err
	}
	// The DELTA encodings declare value counts and lengths of their own,
	// which parquet-go allocates for: they are checked on the values.
	if h.Type == format.DataPage {
		if body, err = skipLevelsV1(body, h.DataPageHeader.V, int64(values), leaf); err != nil {
			return err
		}
	}
	return checkDeltaValues(enc, body, int64(values))
}

// skipLevelsV1 gives the values of a v1 data page, after its repetition
// and definition levels.
func skipLevelsV1(b []byte, h format.DataPageHeader, n int64, leaf *pqNode) ([]byte, error) {
	for _, l := range []struct {
		max int
		enc format.Encoding
	}{{leaf.rep, h.RepetitionLevelEncoding}, {leaf.def, h.DefinitionLevelEncoding}} {
		if l.max == 0 {
			continue
		}
		var size int64
		if l.enc == format.BitPacked {
			size = (n*int64(bits.Len(uint(l.max))) + 7) / 8
		} else {
			if len(b) < 4 {
				return nil, fmt.Errorf("a data page's levels are cut short: %w", errParquetCorrupt)
			}
			size = 4 + int64(binary.LittleEndian.Uint32(b))
		}
		if size > int64(len(b)) {
			return nil, fmt.Errorf("a data page's levels are cut short: %w", errParquetCorrupt)
		}
		b = b[size:]
	}
	return b, nil
}

// checkDeltaValues checks the DELTA_BINARY_PACKED runs of a page's
// values: each declares at most the page's values, and the lengths of a
// DELTA_LENGTH_BYTE_ARRAY or DELTA_BYTE_ARRAY page (prefix and suffix)
// add up to at most the 256 MB of a row group.
func checkDeltaValues(enc format.Encoding, b []byte, n int64) error {
	runs := 1
	if enc == format.DeltaByteArray {
		runs = 2
	}
	var total int64
	for range runs {
		sum, rest, err := deltaRun(b, n, enc != format.DeltaBinaryPacked)
		if err != nil {
			return err
		}
		total += sum
		b = rest
	}
	if total > maxParquetRowGroup {
		return fmt.Errorf("a page's values declare %d bytes, more than a 256 MB row group holds", total)
	}
	return nil
}

// deltaRun reads one DELTA_BINARY_PACKED run (the Parquet format's
// Encodings.md): a header (block size, miniblocks a block, value count,
// first value), then blocks of a minimum delta, the miniblocks' bit
// widths and the bit-packed miniblocks. It checks the count against n
// and, when lengths is set, gives the values' sum (each must be a length,
// 0 or more); rest is what follows the run.
func deltaRun(b []byte, n int64, lengths bool) (sum int64, rest []byte, err error) {
	bad := func(what string) error {
		return fmt.Errorf("a DELTA_BINARY_PACKED run's %s: %w", what, errParquetCorrupt)
	}
	w := &thriftWalker{b: b}
	blockSize, err1 := w.uvarint()
	miniBlocks, err2 := w.uvarint()
	count, err3 := w.uvarint()
	if err := errors.Join(err1, err2, err3); err != nil {
		return 0, nil, bad("header")
	}
	first, k := binary.Varint(w.b[w.off:])
	if k <= 0 {
		return 0, nil, bad("header")
	}
	w.off += k
	if blockSize == 0 || blockSize%128 != 0 || blockSize > 1<<16 || miniBlocks == 0 || blockSize%miniBlocks != 0 || (blockSize/miniBlocks)%32 != 0 {
		return 0, nil, bad("block size")
	}
	if int64(count) > n {
		return 0, nil, fmt.Errorf("a DELTA_BINARY_PACKED run declares %d values in a page of %d: %w", count, n, errParquetCorrupt)
	}
	if count == 0 {
		return 0, w.b[w.off:], nil
	}
	per := int(blockSize / miniBlocks)
	v := int64(int32(first))
	add := func(x int64) error {
		if lengths {
			if x < 0 {
				return bad("lengths")
			}
			sum += x
		}
		return nil
	}
	if err := add(v); err != nil {
		return 0, nil, err
	}
	left := int64(count) - 1
	for left > 0 {
		minDelta, k := binary.Varint(w.b[w.off:])
		if k <= 0 {
			return 0, nil, bad("block")
		}
		w.off += k
		if uint64(len(w.b)-w.off) < miniBlocks {
			return 0, nil, bad("bit widths")
		}
		widths := w.b[w.off : w.off+int(miniBlocks)]
		w.off += int(miniBlocks)
		for _, width := range widths {
			if left == 0 {
				break
			}
			if width > 64 {
				return 0, nil, bad("bit width")
			}
			size := per * int(width) / 8
			if size > len(w.b)-w.off {
				return 0, nil, bad("miniblock")
			}
			mb := w.b[w.off : w.off+size]
			w.off += size
			for i := 0; i < per && left > 0; i++ {
				d := unpackBits(mb, i, int(width))
				v = int64(int32(v + minDelta + int64(d)))
				if err := add(v); err != nil {
					return 0, nil, err
				}
				left--
			}
			if sum > maxParquetRowGroup {
				return 0, nil, fmt.Errorf("a page's values declare more than a 256 MB row group holds")
			}
		}
	}
	return sum, w.b[w.off:], nil
}

// unpackBits gives the i-th value of width bits packed least significant
// bit first.
func unpackBits(b []byte, i, width int) uint64 {
	var v uint64
	for j := range width {
		bit := i*width + j
		if b[bit/8]>>(bit%8)&1 != 0 {
			v |= 1 << j
		}
	}
	return v
}

func checkPageValues(n int32) error {
	if n < 0 {
		return fmt.Errorf("a page declares %d values: %w", n, errParquetCorrupt)
	}
	if n > maxParquetPageValues {
		return fmt.Errorf("a page declares %d values, more than the %d hsc reads in one page", n, maxParquetPageValues)
	}
	return nil
}

// decompressBounded checks that a compressed page holds no more than
// the uncompressed size its header declares, decompressing it into a
// sink that stops one byte past that size; with keep it returns what it
// decompressed.
func decompressBounded(codec format.CompressionCodec, b []byte, want int64, keep bool) ([]byte, error) {
	var r io.Reader
	switch codec {
	case format.Uncompressed:
		return b, nil
	case format.Snappy:
		n, err := snappy.DecodedLen(b)
		if err != nil {
			return nil, fmt.Errorf("snappy: %v: %w", err, errParquetCorrupt)
		}
		if int64(n) > want {
			return nil, fmt.Errorf("a page decompresses to more than its declared %d bytes: %w", want, errParquetCorrupt)
		}
		if !keep {
			return nil, nil
		}
		out, err := snappy.Decode(nil, b)
		if err != nil {
			return nil, fmt.Errorf("snappy: %v: %w", err, errParquetCorrupt)
		}
		return out, nil
	case format.Gzip:
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("gzip: %v: %w", err, errParquetCorrupt)
		}
		r = zr
	case format.Zstd:
		zr, err := zstd.NewReader(bytes.NewReader(b), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(want)+1<<20))
		if err != nil {
			return nil, fmt.Errorf("zstd: %v: %w", err, errParquetCorrupt)
		}
		defer zr.Close()
		r = zr
	}
	var sink io.Writer = io.Discard
	var buf bytes.Buffer
	if keep {
		sink = &buf
	}
	n, err := io.Copy(sink, io.LimitReader(r, want+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v: %w", codec, err, errParquetCorrupt)
	}
	if n > want {
		return nil, fmt.Errorf("a page decompresses to more than its declared %d bytes: %w", want, errParquetCorrupt)
	}
	return buf.Bytes(), nil
}

func pathString(p thrift.Slice[string]) string {
	var b bytes.Buffer
	for i, s := range p {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}
