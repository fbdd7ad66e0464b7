package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/server"
	"github.com/hsc-dev/hsc/server/internal/apimodel"
)

// post sends one raw request to the handler and decodes the answer.
func post(t testing.TB, h http.Handler, method, target, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req := httptest.NewRequest(method, "/", strings.NewReader(body))
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	data, _ := io.ReadAll(rec.Body)
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %q", data)
	}
	return rec.Code, m, rec.Header()
}

func newHandler(t testing.TB, cfg server.Config) *server.Server {
	t.Helper()
	s, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// The protocol errors have the service's shape: HTTP 400 (413 for a body
// too large), a __type naming the code after '#', and a message.
func TestMalformedRequests(t *testing.T) {
	s := newHandler(t, server.Config{MaxBodyBytes: 1 << 10})
	tests := []struct {
		name, method, target, body string
		status                     int
		code                       string
	}{
		{"missing target", "POST", "", `{}`, 400, "UnknownOperationException"},
		{"unknown operation", "POST", "AWSStepFunctions.LaunchRocket", `{}`, 400, "UnknownOperationException"},
		{"other service", "POST", "AmazonSQS.ListQueues", `{}`, 400, "UnknownOperationException"},
		{"GET", "GET", "AWSStepFunctions.ListStateMachines", ``, 400, "UnknownOperationException"},
		{"bad JSON", "POST", "AWSStepFunctions.ListStateMachines", `{"maxResults":`, 400, "SerializationException"},
		{"trailing data", "POST", "AWSStepFunctions.ListStateMachines", `{} {}`, 400, "SerializationException"},
		{"array body", "POST", "AWSStepFunctions.ListStateMachines", `[1]`, 400, "SerializationException"},
		{"string for integer", "POST", "AWSStepFunctions.ListStateMachines", `{"maxResults":"10"}`, 400, "SerializationException"},
		{"fraction for integer", "POST", "AWSStepFunctions.ListStateMachines", `{"maxResults":1.5}`, 400, "SerializationException"},
		{"number for string", "POST", "AWSStepFunctions.CreateActivity", `{"name":5}`, 400, "SerializationException"},
		{"object for list", "POST", "AWSStepFunctions.CreateActivity", `{"name":"a","tags":{}}`, 400, "SerializationException"},
		{"string for boolean", "POST", "AWSStepFunctions.GetExecutionHistory", `{"executionArn":"x","reverseOrder":"yes"}`, 400, "SerializationException"},
		{"too large", "POST", "AWSStepFunctions.CreateActivity", `{"name":"` + strings.Repeat("a", 2000) + `"}`, 413, "RequestEntityTooLargeException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, m, hdr := post(t, s, tt.method, tt.target, tt.body)
			if status != tt.status {
				t.Errorf("status %d, want %d", status, tt.status)
			}
			typ, _ := m["__type"].(string)
			if _, code, _ := strings.Cut(typ, "#"); code != tt.code {
				t.Errorf("__type %q, want code %s", typ, tt.code)
			}
			if msg, _ := m["message"].(string); msg == "" {
				t.Errorf("no message: %v", m)
			}
			// A version 4 UUID, as AWS's request ids are.
			if id := hdr.Get("x-amzn-RequestId"); !requestIDForm.MatchString(id) {
				t.Errorf("request id %q is not a version 4 UUID", id)
			}
			if ct := hdr.Get("Content-Type"); ct != "application/x-amz-json-1.0" {
				t.Errorf("content type %q", ct)
			}
		})
	}
}

// requestIDForm is a version 4 UUID in lower-case hex.
var requestIDForm = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// Validation messages follow the service's front end (AWS JSON services'
// "N validation error(s) detected: Value 'v' at 'path' failed to satisfy
// constraint: ..." wording, as AWS answers and botocore users report).
func TestValidationMessages(t *testing.T) {
	s := newHandler(t, server.Config{})
	long := strings.Repeat("n", 81)
	tests := []struct {
		name, op, body, want string
	}{
		{"name too long", "CreateActivity", `{"name":"` + long + `"}`,
			"1 validation error detected: Value '" + long + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80"},
		{"length in UTF-16 units", "CreateActivity", `{"name":"` + strings.Repeat("😀", 41) + `"}`,
			"1 validation error detected: Value '" + strings.Repeat("😀", 41) + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80"},
		{"name empty", "CreateActivity", `{"name":""}`,
			"1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"required missing", "CreateActivity", `{}`,
			"1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"explicit null", "DescribeActivity", `{"activityArn":null}`,
			"1 validation error detected: Value null at 'activityArn' failed to satisfy constraint: Member must not be null"},
		{"three missing", "CreateStateMachine", `{}`,
			"3 validation errors detected: Value null at 'definition' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'name' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'roleArn' failed to satisfy constraint: Member must not be null"},
		{"maxResults too large", "ListStateMachines", `{"maxResults":1001}`,
			"1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"maxResults negative", "ListActivities", `{"maxResults":-1}`,
			"1 validation error detected: Value '-1' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"enum", "CreateStateMachine", `{"name":"a","definition":"{}","roleArn":"r","type":"FAST"}`,
			"1 validation error detected: Value 'FAST' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"},
		{"sensitive value not shown", "ValidateStateMachineDefinition", `{"definition":""}`,
			"1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"list member", "CreateActivity", `{"name":"a","tags":[{"key":"ok"},{"key":""}]}`,
			"1 validation error detected: Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"nested structure", "CreateStateMachineAlias", `{"name":"a","routingConfiguration":[{"stateMachineVersionArn":"v","weight":101}]}`,
			"1 validation error detected: Value '101' at 'routingConfiguration.1.member.weight' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{"list too long", "CreateStateMachineAlias", `{"name":"a","routingConfiguration":[]}`,
			"1 validation error detected: Value '[]' at 'routingConfiguration' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"pattern", "CreateStateMachineAlias", `{"name":"123","routingConfiguration":[{"stateMachineVersionArn":"v","weight":100}]}`,
			"1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, m, _ := post(t, s, "POST", "AWSStepFunctions."+tt.op, tt.body)
			if status != 400 || m["__type"] != "com.amazon.coral.validate#ValidationException" {
				t.Fatalf("status %d %v, want 400 ValidationException", status, m)
			}
			if m["message"] != tt.want {
				t.Errorf("message\n got %q\nwant %q", m["message"], tt.want)
			}
		})
	}
}

// No request body makes any operation fail with a 500: every operation of
// the model answers every one of these bodies with 200 or a 4xx error.
func TestNoInternalFailures(t *testing.T) {
	s := newHandler(t, server.Config{PollTimeout: 1})
	bodies := []string{``, `{}`, `null`, `{"name":"x"}`, `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:x"}`,
		`{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:x:y"}`, `{"activityArn":"arn:aws:states:us-east-1:123456789012:activity:a"}`,
		`{"taskToken":"t","output":"{}"}`, `{"resourceArn":"nope","tags":[],"tagKeys":[]}`, `{"definition":"{","roleArn":"x","name":"n"}`}
	for _, op := range apimodel.Operations() {
		for _, b := range bodies {
			status, m, _ := post(t, s, "POST", "AWSStepFunctions."+op, b)
			if status >= 500 || status != 200 && m["__type"] == nil {
				t.Errorf("%s %s: status %d %v", op, b, status, m)
			}
		}
	}
}

func FuzzServe(f *testing.F) {
	f.Add("CreateStateMachine", `{"name":"a","definition":"{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Succeed\"}}}","roleArn":"arn:aws:iam::1:role/r"}`)
	f.Add("ListExecutions", `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:a","nextToken":"zz"}`)
	f.Add("TagResource", `{"resourceArn":"arn:aws:states:us-east-1:123456789012:activity:a","tags":[{"key":"k","value":"v"}]}`)
	f.Add("StartExecution", `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:a:7","input":"[1"}`)
	s := newHandler(f, server.Config{PollTimeout: 1})
	f.Fuzz(func(t *testing.T, op, body string) {
		status, m, _ := post(t, s, "POST", "AWSStepFunctions."+op, body)
		if status >= 500 || status != 200 && m["__type"] == nil {
			t.Errorf("%s %s: status %d %v", op, body, status, m)
		}
	})
}

// Every operation of the model has a handler.
func TestOperationsImplemented(t *testing.T) {
	s := newHandler(t, server.Config{PollTimeout: 1})
	var missing []string
	for _, op := range apimodel.Operations() {
		m0, _ := apimodel.Lookup(op)
		body, _ := json.Marshal(minimal(m0.Input))
		_, m, _ := post(t, s, "POST", "AWSStepFunctions."+op, string(body))
		if msg, _ := m["message"].(string); strings.Contains(msg, "does not implement") {
			missing = append(missing, op)
		}
	}
	if len(missing) != 0 {
		t.Errorf("not implemented: %v", missing)
	}
}

// minimal is a value of a shape with only its required members, each as
// small as the model allows.
func minimal(shape string) any {
	sh, _ := apimodel.ShapeOf(shape)
	switch sh.Kind {
	case apimodel.KindStructure:
		m := map[string]any{}
		for _, mem := range sh.Members {
			if mem.Required {
				m[mem.Name] = minimal(mem.Shape)
			}
		}
		return m
	case apimodel.KindList:
		l := []any{}
		for range int(sh.Min) {
			l = append(l, minimal(sh.Elem))
		}
		return l
	case apimodel.KindMap:
		return map[string]any{}
	case apimodel.KindString:
		if len(sh.Enum) > 0 {
			return sh.Enum[0]
		}
		return strings.Repeat("x", max(int(sh.Min), 1))
	case apimodel.KindBoolean:
		return false
	}
	return sh.Min
}

// Answers, small and large, declare their length (Content-Length, not
// chunked, as the service answers), and a request body sent chunked is
// read as well as one of a declared length.
func TestAnswersDeclareTheirLength(t *testing.T) {
	s, c := start(t, server.Config{})
	big := passChain(60) // a definition (and so a DescribeStateMachine answer) over 2 KB
	arn := createMachine(t, c, "long", big)
	for _, tc := range []struct {
		name, op, body string
		chunked        bool
	}{
		{"small", "ListStateMachines", `{}`, false},
		{"large", "DescribeStateMachine", `{"stateMachineArn":"` + arn + `"}`, false},
		{"error", "DescribeStateMachine", `{"stateMachineArn":"` + arn + `x"}`, false},
		{"chunked request", "DescribeStateMachine", `{"stateMachineArn":"` + arn + `"}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(tc.body)
			if tc.chunked {
				body = io.MultiReader(body) // length unknown: sent chunked
			}
			req, err := http.NewRequest("POST", s.URL(), body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Amz-Target", "AWSStepFunctions."+tc.op)
			req.Header.Set("Content-Type", "application/x-amz-json-1.0")
			if tc.chunked && req.ContentLength != -1 && req.ContentLength != 0 {
				t.Fatalf("request length %d, want unknown", req.ContentLength)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.ContentLength != int64(len(data)) || len(resp.TransferEncoding) > 0 {
				t.Errorf("Content-Length %d, transfer encoding %v; body of %d bytes", resp.ContentLength, resp.TransferEncoding, len(data))
			}
			if tc.name == "large" && len(data) <= 2048 {
				t.Errorf("answer of %d bytes: want one over 2 KB", len(data))
			}
			if want := tc.name != "error"; (resp.StatusCode == 200) != want {
				t.Errorf("status %d: %s", resp.StatusCode, data)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/x-amz-json-1.0") {
				t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
			}
		})
	}
}
