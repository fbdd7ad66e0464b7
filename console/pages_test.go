package console_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/console"
	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/server"
)

// client is a same-origin form client of the console.
type client struct {
	t     *testing.T
	base  string
	cl    *http.Client
	token string
}

func newClient(t *testing.T, s *server.Server) *client {
	cl, token := session(t, s.URL())
	return &client{t: t, base: s.URL(), cl: cl, token: token}
}

func (c *client) get(path string) (int, string) {
	c.t.Helper()
	resp, err := c.cl.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (c *client) post(path string, form url.Values) (int, string, string) {
	c.t.Helper()
	form.Set("csrf", c.token)
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	resp, err := c.cl.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// TestFormsKeepWhatWasTyped checks that a refused form comes back with
// the API's error and everything the user typed.
func TestFormsKeepWhatWasTyped(t *testing.T) {
	s := startConsole(t, server.Config{VirtualTime: true}, console.Options{})
	c := newClient(t, s)
	machine := createMachine(t, s, "m", passDef)

	badDef := `{"StartAt":"Nowhere","States":{"A":{"Type":"Pass","End":true}}}`
	status, _, body := c.post("/machines", url.Values{"name": {"broken"}, "definition": {badDef}, "type": {"STANDARD"}})
	if status != 400 || !strings.Contains(body, "InvalidDefinition") || !strings.Contains(body, html.EscapeString(badDef)) || !strings.Contains(body, `value="broken"`) {
		t.Errorf("create with a bad definition: %d\n%s", status, body)
	}
	badInput := `{"a": 1,, }`
	status, _, body = c.post("/machine/start", url.Values{"arn": {machine}, "name": {"run-1"}, "input": {badInput}})
	if status != 400 || !strings.Contains(body, "The input is not valid JSON") || !strings.Contains(body, html.EscapeString(badInput)) || !strings.Contains(body, `value="run-1"`) {
		t.Errorf("start with bad input: %d\n%s", status, body)
	}
	if n := listExecutions(t, s, machine); n != 0 {
		t.Fatalf("%d executions started with invalid input", n)
	}
	status, loc, _ := c.post("/machine/start", url.Values{"arn": {machine}, "name": {"run-1"}, "input": {`{"a": 1}`}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/execution?arn=") {
		t.Fatalf("start: %d %s", status, loc)
	}
	// The same name again: the API's ExecutionAlreadyExists, input kept.
	status, _, body = c.post("/machine/start", url.Values{"arn": {machine}, "name": {"run-1"}, "input": {`{"a": 2}`}})
	if status != 400 || !strings.Contains(body, "ExecutionAlreadyExists") || !strings.Contains(body, html.EscapeString(`{"a": 2}`)) {
		t.Errorf("start twice: %d\n%s", status, body)
	}
	status, body = c.get("/machine?arn=" + url.QueryEscape(machine+"-nope"))
	if status != 404 || !strings.Contains(body, "StateMachineDoesNotExist") {
		t.Errorf("unknown machine: %d\n%s", status, body)
	}
	status, body = c.get("/execution?arn=nope")
	if status != 400 || !strings.Contains(body, "InvalidArn") {
		t.Errorf("bad execution ARN: %d\n%s", status, body)
	}
}

var rowLink = regexp.MustCompile(`<a href="/execution\?arn=[^"]+">`)

// TestExecutionsPagingAndFilter pages through a machine's executions 20
// at a time and filters them by status.
func TestExecutionsPagingAndFilter(t *testing.T) {
	s := startConsole(t, server.Config{VirtualTime: true}, console.Options{})
	c := newClient(t, s)
	ok := createMachine(t, s, "paged", passDef)
	for i := range 23 {
		waitStatus(t, s, startExecution(t, s, ok, fmt.Sprintf(`{"i": %d}`, i)))
	}
	_, body := c.get("/machine?arn=" + url.QueryEscape(ok))
	if n := len(rowLink.FindAllString(body, -1)); n != 20 {
		t.Fatalf("first page has %d executions, want 20", n)
	}
	next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(body)
	if next == nil {
		t.Fatal("no next page link")
	}
	_, body = c.get(html.UnescapeString(next[1]))
	if n := len(rowLink.FindAllString(body, -1)); n != 3 || strings.Contains(body, `rel="next"`) || !strings.Contains(body, "First page") {
		t.Fatalf("second page has %d executions:\n%s", n, body)
	}
	_, body = c.get("/machine?status=FAILED&arn=" + url.QueryEscape(ok))
	if n := len(rowLink.FindAllString(body, -1)); n != 0 || !strings.Contains(body, "No executions with status FAILED") {
		t.Fatalf("FAILED filter shows %d executions", n)
	}
	_, body = c.get("/machine?status=SUCCEEDED&arn=" + url.QueryEscape(ok))
	if n := len(rowLink.FindAllString(body, -1)); n != 20 {
		t.Fatalf("SUCCEEDED filter shows %d executions", n)
	}
}

// TestStopFromTheConsole stops a running execution through the page's
// Stop button (a form post), and the live endpoint reports it.
func TestStopFromTheConsole(t *testing.T) {
	s := startConsole(t, server.Config{}, console.Options{})
	c := newClient(t, s)
	m := createMachine(t, s, "long", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)
	ex := startExecution(t, s, m, `{}`)
	_, body := c.get("/execution?arn=" + url.QueryEscape(ex))
	if !strings.Contains(body, `id="stop-button"`) || !strings.Contains(body, `data-status="RUNNING"`) {
		t.Fatalf("running execution page:\n%s", body)
	}
	status, loc, _ := c.post("/execution/stop", url.Values{"arn": {ex}})
	if status != http.StatusSeeOther || !strings.Contains(loc, url.QueryEscape(ex)) {
		t.Fatalf("stop: %d %s", status, loc)
	}
	if d := waitStatus(t, s, ex); d.Status != "ABORTED" {
		t.Fatalf("after Stop: %+v", d)
	}
	resp, err := c.cl.Get(c.base + "/execution/live?arn=" + url.QueryEscape(ex))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("X-Execution-Status") != "ABORTED" || resp.Header.Get("X-Event-Count") == "" || strings.Contains(string(b), "<html") {
		t.Fatalf("live: %v\n%s", resp.Header, b)
	}
	// A poll that knows the status and the newest event gets no body;
	// one behind gets the page part again.
	n, _ := strconv.Atoi(resp.Header.Get("X-Event-Count"))
	for _, tc := range []struct {
		status string
		events int
		want   int
	}{{"ABORTED", n, 204}, {"RUNNING", n, 200}, {"ABORTED", n - 1, 200}} {
		resp, err := c.cl.Get(fmt.Sprintf("%s/execution/live?arn=%s&status=%s&events=%d", c.base, url.QueryEscape(ex), tc.status, tc.events))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("live poll knowing %s and %d events: %d, want %d", tc.status, tc.events, resp.StatusCode, tc.want)
		}
	}
}

// TestLargeMachinePage draws a machine of more than 150 states (hsc's own
// layered layout) on its page.
func TestLargeMachinePage(t *testing.T) {
	s := startConsole(t, server.Config{VirtualTime: true}, console.Options{})
	c := newClient(t, s)
	var b strings.Builder
	b.WriteString(`{"StartAt":"S0","States":{`)
	const n = 400
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if i == n-1 {
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","End":true}`, i)
		} else {
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Next":"S%d"}`, i, i+1)
		}
	}
	b.WriteString(`}}`)
	m := createMachine(t, s, "large", b.String())
	status, body := c.get("/machine?arn=" + url.QueryEscape(m))
	if status != 200 || !strings.Contains(body, "<svg") || !strings.Contains(body, ">S399<") {
		t.Fatalf("large machine page: %d, %d bytes", status, len(body))
	}
}

// TestNamesAreEscaped: state, machine and execution names and payloads
// are text on every page, never markup (the graph's SVG included).
func TestNamesAreEscaped(t *testing.T) {
	s := startConsole(t, server.Config{VirtualTime: true}, console.Options{})
	c := newClient(t, s)
	evil := `<img src=x onerror=alert(1)>`
	def := `{"Comment":"` + `<script>alert(2)</script>` + `","StartAt":"` + evil + `","States":{"` + evil + `":{"Type":"Fail","Error":"<b>E</b>","Cause":"<script>alert(3)</script>"}}}`
	m := createMachine(t, s, "escaped", def)
	ex := startExecution(t, s, m, `{"x":"<script>alert(4)</script>"}`)
	waitStatus(t, s, ex)
	for _, path := range []string{"/", "/machine?arn=" + url.QueryEscape(m), "/execution?arn=" + url.QueryEscape(ex), "/execution/live?arn=" + url.QueryEscape(ex)} {
		status, body := c.get(path)
		if status != 200 {
			t.Fatalf("%s: %d", path, status)
		}
		for _, bad := range []string{"<img src=x", "<script>alert", "<b>E</b>"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s has %q unescaped", path, bad)
			}
		}
		if path != "/" && !strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;") {
			t.Errorf("%s does not show the state's name as text", path)
		}
	}
}

// TestVersionsAndAliases lists a machine's versions (each a page that
// starts executions of that version) and aliases.
func TestVersionsAndAliases(t *testing.T) {
	s := startConsole(t, server.Config{VirtualTime: true}, console.Options{})
	c := newClient(t, s)
	var out struct{ StateMachineArn, StateMachineVersionArn string }
	invoke(t, s, "CreateStateMachine", map[string]any{"name": "vm", "definition": passDef, "roleArn": roleARN, "publish": true}, &out)
	invoke(t, s, "CreateStateMachineAlias", map[string]any{"name": "live", "routingConfiguration": []any{map[string]any{"stateMachineVersionArn": out.StateMachineVersionArn, "weight": 100}}}, nil)
	_, body := c.get("/machine?arn=" + url.QueryEscape(out.StateMachineArn))
	if !strings.Contains(body, "<code>vm:1</code>") || !strings.Contains(body, "<code>vm:live</code>") || strings.Contains(body, "alert error") {
		t.Fatalf("machine page lacks its version or alias:\n%s", body)
	}
	status, body := c.get("/machine?arn=" + url.QueryEscape(out.StateMachineVersionArn))
	if status != 200 || !strings.Contains(body, "A published version of") || strings.Contains(body, "alert error") {
		t.Fatalf("version page: %d\n%s", status, body)
	}
	status, loc, _ := c.post("/machine/start", url.Values{"arn": {out.StateMachineVersionArn}, "input": {"{}"}})
	if status != http.StatusSeeOther {
		t.Fatalf("start on the version: %d", status)
	}
	arn, _ := url.QueryUnescape(strings.TrimPrefix(loc, "/execution?arn="))
	var d struct{ StateMachineVersionArn string }
	invoke(t, s, "DescribeExecution", map[string]any{"executionArn": arn}, &d)
	if d.StateMachineVersionArn != out.StateMachineVersionArn {
		t.Fatalf("execution started on %q, want the version %s", d.StateMachineVersionArn, out.StateMachineVersionArn)
	}
}

// TestLongHistory: an execution of more events than the table shows
// still has every visit counted in the states table, and says what the
// table and timeline leave out.
func TestLongHistory(t *testing.T) {
	s := startConsole(t, server.Config{VirtualTime: true}, console.Options{})
	c := newClient(t, s)
	m := createMachine(t, s, "many", `{"StartAt":"Each","States":{"Each":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"Item","States":{"Item":{"Type":"Pass","End":true}}}}}}`)
	items := strings.Repeat("1,", 599) + "1"
	ex := startExecution(t, s, m, "["+items+"]")
	if d := waitStatus(t, s, ex); d.Status != "SUCCEEDED" {
		t.Fatalf("%+v", d)
	}
	_, body := c.get("/execution?arn=" + url.QueryEscape(ex))
	for _, want := range []string{
		`<td>Item</td><td>Pass</td><td><span class="status o-succeeded">succeeded</span></td><td>600</td>`,
		"later events are not shown",
		"more rows not drawn",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if n := strings.Count(body, "<details data-key="); n > 1000 {
		t.Errorf("%d event rows, want at most 1,000", n)
	}
	// The graph alone, full size: an SVG document with the visits.
	resp, err := c.cl.Get(c.base + "/graph.svg?execution=" + url.QueryEscape(ex))
	if err != nil {
		t.Fatal(err)
	}
	svg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(string(svg), "<svg") || !strings.Contains(string(svg), "visited ×600") {
		t.Errorf("graph.svg: %s %.300s", resp.Header.Get("Content-Type"), svg)
	}
	if status, _ := c.get("/graph.svg?machine=" + url.QueryEscape(m)); status != 200 {
		t.Errorf("machine graph.svg: %d", status)
	}
}

// TestCallbackTokens: a .waitForTaskToken task whose token the definition
// hands on in its parameters is listed on the token page; its link fills
// the form, and sending success from it finishes the execution.
func TestCallbackTokens(t *testing.T) {
	noAnswer := interpreter.TaskFunc(func(context.Context, *interpreter.TaskRequest) ([]byte, error) { return nil, nil })
	s := startConsole(t, server.Config{VirtualTime: true, Tasks: noAnswer}, console.Options{})
	c := newClient(t, s)
	m := createMachine(t, s, "callback", `{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"approve","Payload":{"token.$":"$$.Task.Token","n":1}},"End":true}}}`)
	ex := startExecution(t, s, m, `{}`)
	link := regexp.MustCompile(`<a href="(/token\?token=[^"]+)" class="use-token">`)
	var found []string
	for deadline := time.Now().Add(20 * time.Second); found == nil; time.Sleep(10 * time.Millisecond) {
		_, body := c.get("/token")
		found = link.FindStringSubmatch(body)
		if found == nil && time.Now().After(deadline) {
			t.Fatalf("the waiting callback is not listed:\n%s", body)
		}
	}
	u, _ := url.Parse(html.UnescapeString(found[1]))
	token := u.Query().Get("token")
	_, body := c.get(u.String())
	if !strings.Contains(body, ">"+html.EscapeString(token)+"</textarea>") {
		t.Fatalf("the form is not filled with %s", token)
	}
	status, _, body := c.post("/token", url.Values{"token": {token}, "action": {"success"}, "output": {`{"approved": true}`}})
	if status != 200 || !strings.Contains(body, "Sent success.") {
		t.Fatalf("send: %d\n%s", status, body)
	}
	if d := waitStatus(t, s, ex); d.Status != "SUCCEEDED" || strings.ReplaceAll(d.Output, " ", "") != `{"approved":true}` {
		t.Fatalf("after the token: %+v", d)
	}
	if _, body := c.get("/token"); link.MatchString(body) {
		t.Fatal("the answered callback is still listed")
	}
}

// TestActivitiesShowPollers: a worker polling an activity shows on the
// activities page while its request waits.
func TestActivitiesShowPollers(t *testing.T) {
	s := startConsole(t, server.Config{VirtualTime: true}, console.Options{})
	c := newClient(t, s)
	var act struct{ ActivityArn string }
	invoke(t, s, "CreateActivity", map[string]any{"name": "polled"}, &act)
	if _, body := c.get("/activities"); !strings.Contains(body, "Polling for a task now: 0.") {
		t.Fatalf("before polling:\n%s", body)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		s.Invoke(ctx, "GetActivityTask", []byte(`{"activityArn":"`+act.ActivityArn+`","workerName":"w1"}`))
		close(done)
	}()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		_, body := c.get("/activities")
		if strings.Contains(body, "Polling for a task now: 1.") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the poll never shows:\n%s", body)
		}
	}
}
