package interpreter

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
)

// The ItemReader: the S3 calls (answered by the task resolver) and the
// reading of what they return: a JSON array, JSON Lines, CSV, Parquet
// (itemreader_parquet.go), an S3 inventory manifest, an Athena manifest,
// or the objects of a listing.

// maxListPages bounds the listObjectsV2 pages one reader asks for.
const maxListPages = 100_000

// readItems reads the items of a distributed Map's ItemReader. maxItems
// is ReaderConfig's MaxItems (0: all; -1: a negative MaxItemsPath value,
// which fails the run as on AWS).
func (x *execution) readItems(ctx context.Context, sc *scope, state string, r *itemReader, params any, maxItems int) ([]any, *ExecutionError) {
	if maxItems < 0 {
		return nil, newError("States.ItemReaderFailed", "field MaxItems must be positive")
	}
	if r.configErr != "" {
		return nil, newError("States.ItemReaderFailed", "%s", r.configErr)
	}
	limit := maxItems
	if limit == 0 {
		limit = maxReaderItems
	}
	if r.op == "listObjectsV2" && r.loadAndFlatten {
		return x.loadAndFlatten(ctx, sc, state, r, params, limit)
	}
	if r.op == "listObjectsV2" {
		return x.listItems(ctx, sc, state, r, params, limit)
	}
	name := objectName(params)
	if r.inputType == "PARQUET" && r.manifestType == "" {
		// AWS docs (ItemReader): "The VersionId field is not supported
		// for InputType=Parquet."
		if po, ok := params.(*Object); ok {
			if _, ok := po.Get("VersionId"); ok {
				return nil, newError("States.ItemReaderFailed", "The VersionId field is not supported for InputType PARQUET (%s)", name)
			}
		}
	}
	body, err := x.getObject(ctx, sc, state, r.resource, params)
	if err != nil {
		return nil, err
	}
	return x.parseObject(ctx, sc, state, r, name, body, limit)
}

// objectName gives the s3://BUCKET/KEY an S3 call's parameters name, for
// error causes.
func objectName(params any) string {
	var bucket, key string
	if po, ok := params.(*Object); ok {
		b, _ := po.Get("Bucket")
		k, _ := po.Get("Key")
		bucket, _ = b.(string)
		key, _ = k.(string)
	}
	return "s3://" + bucket + "/" + key
}

// loadAndFlatten lists the objects, reads each with getObject and gives
// the items of all of them.
func (x *execution) loadAndFlatten(ctx context.Context, sc *scope, state string, r *itemReader, params any, limit int) ([]any, *ExecutionError) {
	objs, err := x.listItems(ctx, sc, state, r, params, maxReaderItems)
	if err != nil {
		return nil, err
	}
	bucket := ""
	if po, ok := params.(*Object); ok {
		if v, ok := po.Get("Bucket"); ok {
			bucket, _ = v.(string)
		}
	}
	get := strings.Replace(r.resource, "listObjectsV2", "getObject", 1)
	out := []any{}
	for _, o := range objs {
		key, _ := o.(*Object).Get("Key")
		p := newObject(2)
		p.add("Bucket", bucket)
		p.add("Key", key)
		body, err := x.getObject(ctx, sc, state, get, p)
		if err != nil {
			return nil, err
		}
		items, err := x.parseObject(ctx, sc, state, r, objectName(p), body, limit-len(out))
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}

// parseObject reads the items of one object (name is its s3:// URI) as
// ReaderConfig.InputType says.
func (x *execution) parseObject(ctx context.Context, sc *scope, state string, r *itemReader, name string, body []byte, limit int) ([]any, *ExecutionError) {
	if r.inputType != "PARQUET" || r.manifestType != "" {
		// A Parquet object compresses its pages itself.
		var err *ExecutionError
		if body, err = decompress(name, body); err != nil {
			return nil, err
		}
	}
	if r.manifestType == "ATHENA_DATA" {
		return x.athenaItems(ctx, sc, state, r, body, limit)
	}
	switch r.inputType {
	case "JSONL", "CSV", "PARQUET":
		return dataItems(ctx, r, name, body, limit)
	case "MANIFEST":
		return x.manifestItems(ctx, sc, state, r, body, limit)
	}
	return jsonItems(body, r.itemsPointer, limit)
}

// dataItems reads the rows of a data file (name is its s3:// URI) as
// ReaderConfig.InputType says: JSONL, PARQUET, or otherwise CSV. An
// object read directly and each file an Athena manifest lists are read
// by it alike.
func dataItems(ctx context.Context, r *itemReader, name string, data []byte, limit int) ([]any, *ExecutionError) {
	switch r.inputType {
	case "JSONL":
		return jsonLinesItems(data, limit)
	case "PARQUET":
		return parquetItems(ctx, name, data, limit)
	}
	return csvItems(data, r.headerFirst, r.headers, r.delimiter, limit)
}

// getObject asks for an S3 object and returns its content. The answer is
// a GetObject response as the S3 integration returns it ({"Body": "..."}),
// a JSON string holding the content, or the content itself.
func (x *execution) getObject(ctx context.Context, sc *scope, state, resource string, params any) ([]byte, *ExecutionError) {
	out, err := x.callS3(ctx, sc, state, PartItemReader, resource, params)
	if err != nil {
		return nil, err
	}
	return objectBody(out), nil
}

func objectBody(out []byte) []byte {
	t := bytes.TrimSpace(out)
	if len(t) > 0 && (t[0] == '{' || t[0] == '"') {
		if v, err := parseJSON(t); err == nil {
			switch v := v.(type) {
			case string:
				return []byte(v)
			case *Object:
				if b, ok := v.Get("Body"); ok {
					if s, ok := b.(string); ok {
						return []byte(s)
					}
				}
			}
		}
	}
	return out
}

func jsonItems(body []byte, pointer string, limit int) ([]any, *ExecutionError) {
	v, err := parseJSON(body)
	if err != nil {
		return nil, newError("States.ItemReaderFailed", "The JSON file is not valid: %v", err)
	}
	if pointer != "" {
		p, ok := jsonPointer(v, pointer)
		if !ok {
			return nil, newError("States.ItemReaderFailed", "The ItemsPointer %s does not point to a value of the JSON file", pointer)
		}
		v = p
	}
	a, ok := v.([]any)
	if !ok {
		// Recorded on AWS (test_map_item_reader_json_no_json_list_object).
		return nil, newError("States.ItemReaderFailed", "Attempting to map over non-iterable node.")
	}
	if len(a) > limit {
		a = a[:limit]
	}
	return a, nil
}

func jsonLinesItems(body []byte, limit int) ([]any, *ExecutionError) {
	var out []any
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, len(body)+1)
	line := 0
	for sc.Scan() && len(out) < limit {
		line++
		t := bytes.TrimSpace(sc.Bytes())
		if len(t) == 0 {
			continue
		}
		v, err := parseJSON(t)
		if err != nil {
			return nil, newError("States.ItemReaderFailed", "line %d of the JSON Lines file is not valid JSON: %v", line, err)
		}
		out = append(out, v)
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// csvItems reads CSV rows as objects of strings keyed by the headers (the
// first row, or the given ones). As recorded on AWS
// (test_map_item_reader_csv_*): a row with more fields than headers drops
// the extra ones, one with fewer gives "" for the missing ones, empty
// lines are skipped, duplicate headers fail the run, and each item's keys
// come in the order of a Java HashMap.
func csvItems(body []byte, headerFirst bool, headers []string, delim rune, limit int) ([]any, *ExecutionError) {
	cr := csv.NewReader(bytes.NewReader(body))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	var out []any
	if headerFirst {
		rec, err := cr.Read()
		if err == io.EOF {
			return []any{}, nil
		}
		if err != nil {
			return nil, newError("States.ItemReaderFailed", "The CSV file is not valid: %v", err)
		}
		headers = rec
	}
	seen := make(map[string]bool, len(headers))
	for _, h := range headers {
		if seen[h] {
			return nil, newError("States.ItemReaderFailed", "CSV headers cannot contain duplicates.")
		}
		seen[h] = true
	}
	for len(out) < limit {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, newError("States.ItemReaderFailed", "The CSV file is not valid: line %d: %v", pe.Line, pe.Err)
			}
			return nil, newError("States.ItemReaderFailed", "The CSV file is not valid: %v", err)
		}
		o := newObject(len(headers))
		for i, h := range headers {
			v := ""
			if i < len(rec) {
				v = rec[i]
			}
			o.add(h, v)
		}
		javaHashOrder(o)
		out = append(out, o)
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// listItems pages through listObjectsV2 and gives each object as AWS's
// reader does: {"Etag", "LastModified", "Key", "Size", "StorageClass"}
// (recorded on AWS: test_map_item_reader_base_list_objects_v2), one item
// per object the listing gives.
func (x *execution) listItems(ctx context.Context, sc *scope, state string, r *itemReader, params any, limit int) ([]any, *ExecutionError) {
	base, _ := params.(*Object)
	var out []any
	token := ""
	for page := 0; page < maxListPages && len(out) < limit; page++ {
		p := newObject(4)
		if base != nil {
			for _, m := range base.m {
				if m.k != "ContinuationToken" {
					p.add(m.k, m.v)
				}
			}
		}
		if token != "" {
			p.add("ContinuationToken", token)
		}
		raw, err := x.callS3(ctx, sc, state, PartItemReader, r.resource, p)
		if err != nil {
			return nil, err
		}
		v, perr := parseJSON(raw)
		resp, ok := v.(*Object)
		if perr != nil || !ok {
			return nil, newError("States.ItemReaderFailed", "the listObjectsV2 answer must be a JSON object with Contents, got %s", truncate(string(raw)))
		}
		contents, _ := resp.Get("Contents")
		list, _ := contents.([]any)
		for _, c := range list {
			co, ok := c.(*Object)
			if !ok {
				continue
			}
			key, _ := co.Get("Key")
			item := newObject(5)
			etag, ok := co.Get("ETag")
			if !ok {
				etag, _ = co.Get("Etag")
			}
			item.add("Etag", etag)
			lm, _ := co.Get("LastModified")
			item.add("LastModified", epochSeconds(lm))
			item.add("Key", key)
			size, _ := co.Get("Size")
			item.add("Size", size)
			class, ok := co.Get("StorageClass")
			if !ok {
				class = "STANDARD"
			}
			item.add("StorageClass", class)
			out = append(out, item)
			if len(out) >= limit {
				break
			}
		}
		more, _ := resp.Get("IsTruncated")
		next, _ := resp.Get("NextContinuationToken")
		nt, _ := next.(string)
		if more != true || nt == "" {
			break
		}
		token = nt
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// epochSeconds gives a LastModified date as the seconds since 1970, as
// the ItemReader's items show it (AWS docs: "LastModified": 1668699881);
// a number is kept.
func epochSeconds(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z", time.RFC1123} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Unix()
		}
	}
	return s
}

// manifestItems reads an S3 inventory manifest: each data file it lists
// (CSV, gzip-compressed or not) is fetched from the destination bucket
// and its rows become items keyed by the manifest's fileSchema.
func (x *execution) manifestItems(ctx context.Context, sc *scope, state string, r *itemReader, body []byte, limit int) ([]any, *ExecutionError) {
	v, err := parseJSON(body)
	m, ok := v.(*Object)
	if err != nil || !ok {
		return nil, newError("States.ItemReaderFailed", "The manifest is not a JSON object")
	}
	str := func(k string) string {
		v, _ := m.Get(k)
		s, _ := v.(string)
		return s
	}
	if f := str("fileFormat"); f != "" && f != "CSV" {
		return nil, newError("States.ItemReaderFailed", "The manifest's fileFormat %s is not supported; only CSV is", f)
	}
	var schema []string
	for _, h := range strings.Split(str("fileSchema"), ",") {
		schema = append(schema, strings.TrimSpace(h))
	}
	bucket := str("destinationBucket")
	if i := strings.LastIndexByte(bucket, ':'); i >= 0 {
		bucket = bucket[i+1:]
	}
	fv, _ := m.Get("files")
	files, _ := fv.([]any)
	out := []any{}
	for _, f := range files {
		fo, ok := f.(*Object)
		if !ok {
			continue
		}
		kv, _ := fo.Get("key")
		key, _ := kv.(string)
		p := newObject(2)
		p.add("Bucket", bucket)
		p.add("Key", key)
		data, rerr := x.getObject(ctx, sc, state, r.resource, p)
		if rerr != nil {
			return nil, rerr
		}
		if data, rerr = decompress("s3://"+bucket+"/"+key, data); rerr != nil {
			return nil, rerr
		}
		items, ierr := csvItems(data, false, schema, ',', limit-len(out))
		if ierr != nil {
			return nil, ierr
		}
		out = append(out, items...)
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}

// jsonPointer resolves an RFC 6901 JSON pointer ("/a/0/b~1c") in v.
func jsonPointer(v any, pointer string) (any, bool) {
	if pointer == "" {
		return v, true
	}
	for _, tok := range strings.Split(pointer[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := v.(type) {
		case *Object:
			f, ok := c.Get(tok)
			if !ok {
				return nil, false
			}
			v = f
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) || (len(tok) > 1 && tok[0] == '0') {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// athenaItems reads an Athena UNLOAD manifest (ReaderConfig.ManifestType
// ATHENA_DATA): a text file listing the data files' S3 URIs, one a line.
// Each file is fetched (gzip-compressed or not, as UNLOAD writes them)
// and its rows read as ReaderConfig.InputType says (CSV, JSONL or
// PARQUET).
func (x *execution) athenaItems(ctx context.Context, sc *scope, state string, r *itemReader, body []byte, limit int) ([]any, *ExecutionError) {
	out := []any{}
	for line := range strings.Lines(string(body)) {
		uri := strings.TrimSpace(line)
		if uri == "" {
			continue
		}
		rest, ok := strings.CutPrefix(uri, "s3://")
		bucket, key, ok2 := strings.Cut(rest, "/")
		if !ok || !ok2 || bucket == "" || key == "" {
			return nil, newError("States.ItemReaderFailed", "The Athena manifest lists %q, which is not an s3://BUCKET/KEY URI", truncate(uri))
		}
		p := newObject(2)
		p.add("Bucket", bucket)
		p.add("Key", key)
		data, err := x.getObject(ctx, sc, state, r.resource, p)
		if err != nil {
			return nil, err
		}
		data, err = decompress(uri, data)
		if err != nil {
			return nil, err
		}
		items, err := dataItems(ctx, r, uri, data, limit-len(out))
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}

// maxDecompressedBytes bounds what one compressed object or data file
// may hold once decompressed (hsc's own bound on memory; AWS reads up to
// 10 GB): a larger one fails the run rather than being cut short.
const maxDecompressedBytes = 1 << 30

// decompress gives an object's content, decompressed when it is GZIP or
// ZSTD ("Input files support the following external compression types:
// GZIP, ZSTD": AWS docs, "ItemReader (Map)", ReaderConfig.InputType).
// The format is told by the content's magic number, not by the key's
// extension; name (the object's s3:// URI) goes in the error.
func decompress(name string, data []byte) ([]byte, *ExecutionError) {
	var (
		r     io.Reader
		close func()
	)
	switch {
	case len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b:
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, newError("States.ItemReaderFailed", "The GZIP object %s cannot be read: %v", name, err)
		}
		r, close = zr, func() { zr.Close() }
	case len(data) >= 4 && data[0] == 0x28 && data[1] == 0xb5 && data[2] == 0x2f && data[3] == 0xfd:
		zr, err := zstd.NewReader(bytes.NewReader(data), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxDecompressedBytes+1<<20))
		if err != nil {
			return nil, newError("States.ItemReaderFailed", "The ZSTD object %s cannot be read: %v", name, err)
		}
		r, close = zr, zr.Close
	default:
		return data, nil
	}
	defer close()
	out, err := io.ReadAll(io.LimitReader(r, maxDecompressedBytes+1))
	if err != nil {
		return nil, newError("States.ItemReaderFailed", "The compressed object %s cannot be read: %v", name, err)
	}
	if len(out) > maxDecompressedBytes {
		return nil, newError("States.ItemReaderFailed", "The compressed object %s holds more than %d bytes once decompressed", name, maxDecompressedBytes)
	}
	return out, nil
}
