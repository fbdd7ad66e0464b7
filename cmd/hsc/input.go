package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// maxExecutionInput is AWS Step Functions' limit on an execution's input
// (256 KiB of UTF-8; "Quotas related to state throttling / payload size"
// in the Step Functions developer guide).
const maxExecutionInput = 256 * 1024

// utf8BOM is the byte order mark some editors put at the start of a file.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// executionInput returns the JSON input of an execution from --json text,
// or the file (- for standard input) given with --input; nil when neither
// is given. It reads at most the limit and one byte more, skips a UTF-8
// byte order mark, and refuses input over the limit, invalid UTF-8 and
// what is not JSON, naming where the problem is. Input that is only white
// space counts as not given. Errors are usage errors (exit status 2).
func executionInput(stdin io.Reader, file, text string) ([]byte, error) {
	var data []byte
	name := "--json"
	switch {
	case text != "":
		data = []byte(text)
		if len(data) > maxExecutionInput {
			return nil, usageError{tooLarge(name)}
		}
	case file != "":
		name = file
		r := stdin
		if file == "-" {
			name = "standard input"
		} else {
			f, err := os.Open(file)
			if err != nil {
				return nil, usageError{fmt.Errorf("reading input: %w", err)}
			}
			defer f.Close()
			r = f
		}
		var err error
		data, err = io.ReadAll(io.LimitReader(r, maxExecutionInput+1))
		if err != nil {
			return nil, usageError{fmt.Errorf("reading input from %s: %w", name, err)}
		}
		if len(data) > maxExecutionInput {
			return nil, usageError{tooLarge(name)}
		}
	default:
		return nil, nil
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	if err := checkJSONText(data); err != nil {
		return nil, usageError{fmt.Errorf("the input in %s is not valid JSON: %w", name, err)}
	}
	return data, nil
}

func tooLarge(name string) error {
	return fmt.Errorf("the input in %s is larger than AWS's limit on an execution's input (%d bytes, 256 KiB)", name, maxExecutionInput)
}

// checkJSONText reports the first invalid UTF-8 sequence or JSON syntax
// error in data, with its line and column (encoding/json would replace
// invalid UTF-8 with U+FFFD, silently changing the input).
func checkJSONText(data []byte) error {
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		line, col := lineCol(data, off)
		return fmt.Errorf("line %d, column %d: invalid UTF-8 (byte 0x%02X)", line, col, data[off])
	}
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off := int(se.Offset)
			if off > 0 {
				off-- // Offset counts the byte that was read last
			}
			line, col := lineCol(data, off)
			return fmt.Errorf("line %d, column %d: %s", line, col, se.Error())
		}
		return err
	}
	return nil
}

// lineCol gives the 1-based line and column (in characters) of byte off.
func lineCol(data []byte, off int) (line, col int) {
	before := data[:min(off, len(data))]
	line = bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	col = utf8.RuneCount(before[lineStart:]) + 1
	return line, col
}
