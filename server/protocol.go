package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/hsc-dev/hsc/server/internal/apimodel"
	"github.com/hsc-dev/hsc/store"
)

const (
	targetPrefix = "AWSStepFunctions."
	contentType  = "application/x-amz-json-1.0"
)

// operation is one API operation: its model entry and its handler, which
// decodes the validated request itself.
type operation struct {
	model   *apimodel.Operation
	handler func(ctx context.Context, req *request) (any, error)
}

// handle adapts a typed handler: the request is decoded into In.
func handle[In any](f func(ctx context.Context, in *In) (any, error)) func(context.Context, *request) (any, error) {
	d := newFlatDecoder(reflect.TypeFor[In]())
	return func(ctx context.Context, req *request) (any, error) {
		in := new(In)
		if err := decodeInput(req, d, in); err != nil {
			return nil, serialization("%s", err.Error())
		}
		return f(ctx, in)
	}
}

// ServeHTTP answers one API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.pages != nil && !apiRequest(r) {
		s.pages.ServeHTTP(w, r)
		return
	}
	reqID := newRequestID()
	w.Header()["X-Amzn-Requestid"] = []string{reqID} // x-amzn-RequestId, canonical

	began := time.Now()
	out, err := s.serve(r)
	if err != nil {
		var ae *APIError
		if !errors.As(err, &ae) && errors.Is(err, store.ErrUnavailable) {
			// The store cannot write now (disk full, read-only, I/O):
			// nothing was kept, and the SDKs retry a 503.
			s.log.Error("store unavailable", "op", r.Header.Get("X-Amz-Target"), "err", err, "request", reqID)
			ae = &APIError{Code: "ServiceUnavailable", Message: "The service is unavailable: its store cannot be written. Try again later.", Status: http.StatusServiceUnavailable}
		} else if ae == nil {
			s.log.Error("internal failure", "op", r.Header.Get("X-Amz-Target"), "err", err, "request", reqID)
			ae = &APIError{Code: "InternalFailure", Message: "The request processing has failed because of an unknown error, exception or failure.", Status: http.StatusInternalServerError}
		}
		if s.log.Enabled(r.Context(), slog.LevelDebug) {
			s.log.Debug("request", "op", r.Header.Get("X-Amz-Target"), "status", ae.Status, "error", ae.Code, "message", ae.Message, "duration", time.Since(began), "request", reqID)
		}
		writeError(w, ae)
		return
	}
	if s.log.Enabled(r.Context(), slog.LevelDebug) { // the arguments cost allocations
		s.log.Debug("request", "op", r.Header.Get("X-Amz-Target"), "status", 200, "duration", time.Since(began), "request", reqID)
	}
	data, merr := encodeAnswer(out)
	if merr != nil {
		s.log.Error("encode answer", "err", merr, "request", reqID)
		writeError(w, &APIError{Code: "InternalFailure", Message: "The answer could not be encoded.", Status: http.StatusInternalServerError})
		return
	}
	h := w.Header()
	h["Content-Type"] = s.contentType
	if len(data) > smallAnswer {
		h["Content-Length"] = []string{strconv.Itoa(len(data))}
	}
	w.Write(data)
}

// smallAnswer is the size up to which net/http sets an answer's
// Content-Length itself (it holds that much before it would start
// chunking), so that ServeHTTP need not.
const smallAnswer = 2048

func writeError(w http.ResponseWriter, e *APIError) {
	data, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.typeName(), e.Message})
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(e.Status)
	w.Write(data)
}

func (s *Server) serve(r *http.Request) (any, error) {
	if r.Method != http.MethodPost {
		return nil, &APIError{Code: "UnknownOperationException", Message: "Only POST requests are served.", Status: http.StatusBadRequest}
	}
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, targetPrefix)
	op, known := s.ops[name]
	if !ok || !known {
		if target == "" {
			return nil, &APIError{Code: "UnknownOperationException", Message: "Missing X-Amz-Target header.", Status: http.StatusBadRequest}
		}
		return nil, &APIError{Code: "UnknownOperationException", Message: "Unknown operation " + strconv.Quote(target) + ".", Status: http.StatusBadRequest}
	}
	body, err := s.readBody(r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &APIError{Code: "RequestEntityTooLargeException", Message: "Request body larger than " + strconv.FormatInt(s.cfg.MaxBodyBytes, 10) + " bytes.", Status: http.StatusRequestEntityTooLarge}
		}
		return nil, serialization("Could not read the request body: %s", err.Error())
	}
	return s.call(r.Context(), op, body)
}

// readBody reads a request's body, at most Config.MaxBodyBytes of it
// (an *http.MaxBytesError beyond). A body of a declared length (what the
// SDKs send) is read into a slice of that length at once.
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	n := r.ContentLength
	switch {
	case n == 0:
		return nil, nil
	case n < 0:
		return io.ReadAll(http.MaxBytesReader(nil, r.Body, s.cfg.MaxBodyBytes))
	case n > s.cfg.MaxBodyBytes:
		return nil, &http.MaxBytesError{Limit: s.cfg.MaxBodyBytes}
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r.Body, body); err != nil {
		return nil, err
	}
	return body, nil
}

// call validates a request body against the operation's input shape and
// runs its handler: what every API request and Invoke go through.
func (s *Server) call(ctx context.Context, op operation, body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	req := &request{body: body}
	var obj map[string]any
	if req.members, req.flat = scanFlat(body, nil); req.flat {
		// The document encoding/json would decode, from the scan.
		obj = make(map[string]any, len(req.members))
		for i := range req.members {
			obj[req.members[i].key] = req.members[i].value()
		}
	} else {
		var doc any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			return nil, serialization("The request body is not valid JSON: %s", err.Error())
		}
		if dec.More() {
			return nil, serialization("The request body has data after its JSON document.")
		}
		var isObj bool
		if obj, isObj = doc.(map[string]any); !isObj {
			return nil, serialization("The request body must be a JSON object.")
		}
	}
	if op.model.Input != "" {
		if verr := s.val.check(op.model.Input, obj); verr != nil {
			return nil, verr
		}
	}
	return op.handler(ctx, req)
}

// newRequestID returns a random request id in the form AWS uses: a
// version 4 UUID, as every other id the server makes up (newUUID).
func newRequestID() string { return newUUID() }

// random16 returns 16 random bytes from the runtime's fast generator:
// what request ids, execution names and revision ids are made of. They
// name things and guard nothing (task tokens do not come from here).
func random16() [16]byte {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	return b
}

// formatUUID writes 16 bytes in the UUID form (8-4-4-4-12 hex digits).
func formatUUID(b [16]byte) string {
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// epoch is a timestamp as the JSON protocol writes it: seconds since the
// epoch, with milliseconds.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	return appendEpoch(nil, time.Time(t).UnixMilli()), nil
}

// appendEpoch appends a time in milliseconds as seconds with milliseconds:
// the shortest decimal that reads back as float64(ms)/1000, which is
// ms/1000 written out (without trailing zeros) while it has at most 15
// significant digits (distinct such decimals are distinct float64s), so
// that is written with integer arithmetic (TestAppendEpochIsFloat).
func appendEpoch(b []byte, ms int64) []byte {
	if ms < 0 || ms >= 1e15 {
		return strconv.AppendFloat(b, float64(ms)/1000, 'f', -1, 64)
	}
	b = strconv.AppendInt(b, ms/1000, 10)
	frac := ms % 1000
	if frac == 0 {
		return b
	}
	b = append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	for b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	return b
}

func ep(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}
