package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hsc-dev/hsc/server/internal/apimodel"
)

// modelChecker is an http.RoundTripper that checks every answer against
// the API model: a 200 answer has exactly the members of the operation's
// output shape (no unknown member, every required one, each of its type),
// and an error answer names an error the model lists for the operation
// or one the service's front end gives for any operation. The SDK would
// silently drop a misnamed member; this catches it.
type modelChecker struct {
	next http.RoundTripper
	mu   sync.Mutex
	errs []string
}

// frontEndErrors may answer any operation.
var frontEndErrors = []string{"ValidationException", "SerializationException", "UnknownOperationException",
	"InternalFailure", "ThrottlingException", "ServiceUnavailable", "RequestEntityTooLargeException"}

func (m *modelChecker) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := m.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return resp, nil
	}
	opName := strings.TrimPrefix(req.Header.Get("X-Amz-Target"), "AWSStepFunctions.")
	op, ok := apimodel.Lookup(opName)
	if !ok {
		return resp, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		m.fail("%s: answer is not JSON: %q", opName, body)
		return resp, nil
	}
	if resp.StatusCode != 200 {
		obj, _ := v.(map[string]any)
		typ, _ := obj["__type"].(string)
		_, code, _ := strings.Cut(typ, "#")
		if !slices.Contains(op.Errors, code) && !slices.Contains(frontEndErrors, code) {
			m.fail("%s: error %s (%v) is not one the model lists for it", opName, code, obj["message"])
		}
		return resp, nil
	}
	for _, p := range checkValue(op.Output, v, "") {
		m.fail("%s: %s", opName, p)
	}
	return resp, nil
}

func (m *modelChecker) fail(format string, args ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.errs = append(m.errs, fmt.Sprintf(format, args...))
}

func (m *modelChecker) problems() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.errs)
}

func checkValue(shapeName string, v any, at string) []string {
	sh, ok := apimodel.ShapeOf(shapeName)
	if !ok {
		return []string{"no shape " + shapeName}
	}
	bad := func(want string) []string { return []string{fmt.Sprintf("%s: %T where the model has %s", at, v, want)} }
	switch sh.Kind {
	case apimodel.KindStructure:
		obj, ok := v.(map[string]any)
		if !ok {
			return bad("a structure")
		}
		var ps []string
		for k, mv := range obj {
			mem, ok := sh.MemberOf(k)
			if !ok {
				ps = append(ps, fmt.Sprintf("%s: member %q is not in %s", at, k, shapeName))
				continue
			}
			if mv != nil {
				ps = append(ps, checkValue(mem.Shape, mv, at+"."+k)...)
			}
		}
		for _, mem := range sh.Members {
			if mem.Required && obj[mem.Name] == nil {
				ps = append(ps, fmt.Sprintf("%s: required member %q is missing", at, mem.Name))
			}
		}
		return ps
	case apimodel.KindList:
		l, ok := v.([]any)
		if !ok {
			return bad("a list")
		}
		var ps []string
		for i, e := range l {
			ps = append(ps, checkValue(sh.Elem, e, fmt.Sprintf("%s[%d]", at, i))...)
		}
		return ps
	case apimodel.KindMap:
		obj, ok := v.(map[string]any)
		if !ok {
			return bad("a map")
		}
		var ps []string
		for k, e := range obj {
			ps = append(ps, checkValue(sh.Elem, e, at+"."+k)...)
		}
		return ps
	case apimodel.KindString:
		s, ok := v.(string)
		if !ok {
			return bad("a string")
		}
		if len(sh.Enum) > 0 && !slices.Contains(sh.Enum, s) {
			return []string{fmt.Sprintf("%s: %q is not one of %v", at, s, sh.Enum)}
		}
	case apimodel.KindInteger, apimodel.KindLong:
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			return bad("an integer")
		}
	case apimodel.KindFloat, apimodel.KindTimestamp:
		if _, ok := v.(json.Number); !ok {
			return bad("a number")
		}
	case apimodel.KindBoolean:
		if _, ok := v.(bool); !ok {
			return bad("a boolean")
		}
	}
	return nil
}

// The checker itself finds what it is there to find.
func TestModelCheckerCatches(t *testing.T) {
	dec := func(s string) any {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	ps := checkValue("DescribeExecutionOutput", dec(`{"executionArn":"a","stateMachineArn":"b","status":"DONE","startDate":"2020-01-01","extra":1}`), "")
	want := []string{`member "extra"`, `"DONE" is not one of`, `.startDate: string where the model has a number`}
	for _, w := range want {
		if !slices.ContainsFunc(ps, func(p string) bool { return strings.Contains(p, w) }) {
			t.Errorf("no problem mentions %q: %v", w, ps)
		}
	}
	if ps := checkValue("StartExecutionOutput", dec(`{"executionArn":"a"}`), ""); len(ps) != 1 || !strings.Contains(ps[0], `required member "startDate"`) {
		t.Errorf("missing required member: %v", ps)
	}
	m := &modelChecker{next: roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 400, Body: io.NopCloser(strings.NewReader(`{"__type":"x#TaskTimedOut","message":"m"}`))}, nil
	})}
	req, _ := http.NewRequest("POST", "http://x/", nil)
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.DescribeExecution")
	if _, err := m.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if ps := m.problems(); len(ps) != 1 || !strings.Contains(ps[0], "TaskTimedOut") {
		t.Errorf("an error the model does not list for the operation: %v", ps)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
