package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hsc-dev/hsc/console"
	"github.com/hsc-dev/hsc/internal/testenv"
	"github.com/hsc-dev/hsc/server"
)

// chromium finds Debian's chromium (the package .ci/run installs), or
// skips the test loudly (failing it under CI=true).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("HSC_CHROMIUM"), "/usr/bin/chromium"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	testenv.Skip(t, "no chromium browser (apt-get install -y chromium, or set HSC_CHROMIUM)")
	return ""
}

// artifacts is the folder the screenshots go to: $HSC_ARTIFACTS/console,
// or a new temporary folder that is kept; the test prints it.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("HSC_ARTIFACTS")
	var err error
	if dir != "" {
		dir = filepath.Join(dir, "console")
		err = os.MkdirAll(dir, 0o755)
	} else {
		dir, err = os.MkdirTemp("", "hsc-console-screenshots-")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	fmt.Fprintf(os.Stderr, "console screenshots: %s\n", dir)
	return dir
}

// browser starts headless chromium for the test, in a window of w×h.
func browser(t *testing.T, w, h int) context.Context {
	t.Helper()
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.DisableGPU,
		chromedp.WindowSize(w, h),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// Start the browser; its context must have no deadline (that would
	// end the browser), so a timer gives up on a browser that hangs.
	hung := time.AfterFunc(60*time.Second, cancel)
	err := chromedp.Do(ctx)
	if !hung.Stop() {
		t.Fatalf("%s did not start within 60 s", path)
	}
	if err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// step runs actions with a time limit, failing the test with what.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// waitText waits until the element's text contains want.
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	expr := fmt.Sprintf(`(document.querySelector(%q) || {}).textContent && document.querySelector(%q).textContent.includes(%q)`, sel, sel, want)
	if _, err := chromedp.Run(c, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {textContent: "(no element)"}).textContent`, sel)))
		t.Fatalf("waiting for %s to say %q: %v; it says %q", sel, want, err, got)
	}
}

func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// setText sets a field's value as if typed in one go (an input event
// follows, as the JSON editor listens for it).
func setText(sel, value string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		expr := fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %q; el.dispatchEvent(new Event("input")); return true; })()`, sel, value)
		_, err := chromedp.Evaluate[bool](expr)(ctx, t)
		return chromedp.Void{}, err
	}
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

const waitDef = `{
  "Comment": "Greets after a wait",
  "StartAt": "Prepare",
  "States": {
    "Prepare": {"Type": "Pass", "Parameters": {"who.$": "$.who", "items.$": "$.items"}, "Next": "Pause"},
    "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Fan out"},
    "Fan out": {"Type": "Parallel", "Next": "Each", "ResultPath": "$.parallel", "Branches": [
      {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": true}}},
      {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": true}}}
    ]},
    "Each": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.mapped", "Next": "Greet",
      "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": true}}}},
    "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('Hello, {}!', $.who)"}, "End": true}
  }
}`

const failDef = `{"StartAt":"Check","States":{
  "Check":{"Type":"Pass","Next":"Broken"},
  "Broken":{"Type":"Fail","Error":"Order.Invalid","Cause":"the order has no items"}}}`

// TestConsoleInBrowser drives the console in headless chromium: create a
// machine from the form, start an execution from the JSON editor (which
// refuses invalid JSON first), watch it reach SUCCEEDED on the execution
// page, open a failed execution and see its error (and the answer to
// Redrive), take an activity task and send its token by hand; a
// screenshot of each page is saved.
func TestConsoleInBrowser(t *testing.T) {
	ctx := browser(t, 1280, 800)
	dir := artifacts(t)
	s := startConsole(t, server.Config{}, console.Options{PollInterval: 200 * time.Millisecond})
	base := s.URL()

	// Create a machine from the list page's form.
	step(t, ctx, "open the list", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#create-name")))
	screenshot(t, ctx, dir, "1-machines-empty.png")
	step(t, ctx, "fill the create form",
		chromedp.SendKeys(chromedp.CSS("#create-name"), "greeter"),
		setText("#create-definition", waitDef),
		chromedp.Click(chromedp.CSS(`form[action="/machines"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#start-input")))
	if h := text(t, ctx, "h1"); h != "greeter" {
		t.Fatalf("machine page title %q", h)
	}
	if n := text(t, ctx, ".graph svg"); !strings.Contains(n, "Fan out") || !strings.Contains(n, "Greet") {
		t.Fatalf("machine page graph lacks states: %q", n)
	}

	// The JSON editor refuses invalid input before sending.
	step(t, ctx, "type invalid JSON",
		setText("#start-input", ""),
		chromedp.SendKeys(chromedp.CSS("#start-input"), `{"who": "console",}`))
	waitText(t, ctx, "#start-input-msg", "Not valid JSON")
	before := location(t, ctx)
	step(t, ctx, "submit invalid JSON", chromedp.Click(chromedp.CSS("#start-submit")), chromedp.Sleep(300*time.Millisecond))
	if after := location(t, ctx); after != before {
		t.Fatalf("invalid JSON was sent: %s -> %s", before, after)
	}
	machineURL := before
	screenshot(t, ctx, dir, "2-machine-invalid-input.png")

	// Valid input starts the execution; the page follows it to SUCCEEDED.
	step(t, ctx, "type valid JSON",
		setText("#start-input", ""),
		chromedp.SendKeys(chromedp.CSS("#start-input"), `{"who": "console", "items": [1, 2, 3]}`),
		chromedp.SendKeys(chromedp.CSS("#start-name"), "from-the-form"))
	waitText(t, ctx, "#start-input-msg", "Valid JSON")
	step(t, ctx, "start", chromedp.Click(chromedp.CSS("#start-submit")), chromedp.WaitVisible(chromedp.CSS("#exec-status")))
	if !strings.Contains(location(t, ctx), "/execution?arn=") {
		t.Fatalf("not on an execution page: %s", location(t, ctx))
	}
	first := text(t, ctx, "#exec-status")
	waitText(t, ctx, "#exec-status", "SUCCEEDED")
	t.Logf("execution page said %s first, then SUCCEEDED", first)
	for _, want := range []string{"Hello, console!"} {
		waitText(t, ctx, "#live", want)
	}
	if tl := text(t, ctx, "svg.timeline"); !strings.Contains(tl, "branch 1 › Left") || !strings.Contains(tl, "Each[2] › Item") {
		t.Fatalf("timeline lacks the Parallel branches or Map iterations: %q", tl)
	}
	screenshot(t, ctx, dir, "3-execution-succeeded.png")
	step(t, ctx, "expand an event", chromedp.Click(chromedp.CSS("details[data-key] summary")))
	waitText(t, ctx, "details[open]", "input")

	// A failed execution shows its error and cause.
	failing := createMachine(t, s, "orders", failDef)
	execARN := startExecution(t, s, failing, `{"order": 7}`)
	waitStatus(t, s, execARN)
	step(t, ctx, "open the failed execution", chromedp.Navigate(base+"/execution?arn="+execARN), chromedp.WaitVisible(chromedp.CSS("#exec-error")))
	if e := text(t, ctx, "#exec-error"); !strings.Contains(e, "Order.Invalid") || !strings.Contains(e, "the order has no items") {
		t.Fatalf("error box says %q", e)
	}
	if st := text(t, ctx, "#exec-status"); st != "FAILED" {
		t.Fatalf("status %q", st)
	}
	screenshot(t, ctx, dir, "4-execution-failed.png")
	// Redrive goes through the server's RedriveExecution: its answer (an
	// error while the server cannot redrive) is shown on the page.
	step(t, ctx, "redrive", chromedp.Click(chromedp.CSS("#redrive-button")), chromedp.WaitVisible(chromedp.CSS("#exec-status")))
	if d := describe(t, s, execARN); d.RedriveCount == 0 {
		if e := text(t, ctx, "#action-error"); !strings.HasPrefix(e, "Redrive: ") {
			t.Fatalf("redrive neither happened nor showed an error: %q", e)
		}
	}
	screenshot(t, ctx, dir, "5-execution-redrive.png")

	// An activity task answered by hand through its task token.
	step(t, ctx, "create an activity", chromedp.Navigate(base+"/activities"),
		chromedp.SendKeys(chromedp.CSS("#act-name"), "approve"),
		chromedp.Click(chromedp.CSS(`form[action="/activities"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#act-approve")))
	var act struct {
		Activities []struct{ ActivityArn string }
	}
	invoke(t, s, "ListActivities", map[string]any{}, &act)
	if len(act.Activities) != 1 {
		t.Fatalf("activities: %+v", act)
	}
	approval := createMachine(t, s, "approval", `{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"`+act.Activities[0].ActivityArn+`","End":true}}}`)
	waiting := startExecution(t, s, approval, `{"amount": 120}`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		step(t, ctx, "reload activities", chromedp.Navigate(base+"/activities"), chromedp.WaitVisible(chromedp.CSS("#act-approve")))
		if strings.Contains(text(t, ctx, "main"), "Waiting tasks: 1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the activity page never showed the waiting task:\n%s", text(t, ctx, "main"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	screenshot(t, ctx, dir, "6-activities.png")
	step(t, ctx, "take the task", chromedp.Click(chromedp.CSS(`form[action="/activity/take"] button`)), chromedp.WaitVisible(chromedp.CSS("#token")))
	token, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#token")))
	if err != nil || !strings.HasPrefix(token, "hsc1.") {
		t.Fatalf("token field %q (%v)", token, err)
	}
	if in := text(t, ctx, "main"); !strings.Contains(in, `"amount": 120`) {
		t.Fatalf("task input not shown:\n%s", in)
	}
	step(t, ctx, "write the output",
		setText("#token-output", ""),
		chromedp.SendKeys(chromedp.CSS("#token-output"), `{"approved": true}`))
	screenshot(t, ctx, dir, "7-token.png")
	step(t, ctx, "send success", chromedp.Click(chromedp.CSS("#send-success")), chromedp.WaitVisible(chromedp.CSS("#token-sent")))
	if d := waitStatus(t, s, waiting); d.Status != "SUCCEEDED" || strings.ReplaceAll(d.Output, " ", "") != `{"approved":true}` {
		t.Fatalf("after the token: %+v", d)
	}
	// The same token again: the server's answer is shown.
	step(t, ctx, "send again", chromedp.Click(chromedp.CSS("#send-success")), chromedp.WaitVisible(chromedp.CSS("#token-error")))
	if e := text(t, ctx, "#token-error"); !strings.Contains(e, "TaskTimedOut") && !strings.Contains(e, "TaskDoesNotExist") {
		t.Fatalf("second answer: %q", e)
	}
	step(t, ctx, "open the answered execution", chromedp.Navigate(base+"/execution?arn="+waiting), chromedp.WaitVisible(chromedp.CSS("#exec-status")))
	waitText(t, ctx, "#exec-status", "SUCCEEDED")
	waitText(t, ctx, "table.events", "ActivityStarted")

	// A page left open follows the execution: a second approval, answered
	// through the API while its page shows RUNNING, turns SUCCEEDED
	// without a reload, and its Stop button goes.
	second := startExecution(t, s, approval, `{"amount": 5}`)
	step(t, ctx, "open the waiting execution", chromedp.Navigate(base+"/execution?arn="+second), chromedp.WaitVisible(chromedp.CSS("#stop-button")))
	if st := text(t, ctx, "#exec-status"); st != "RUNNING" {
		t.Fatalf("waiting execution shows %q", st)
	}
	opened := location(t, ctx)
	var task struct{ TaskToken string }
	invoke(t, s, "GetActivityTask", map[string]any{"activityArn": act.Activities[0].ActivityArn, "workerName": "test"}, &task)
	invoke(t, s, "SendTaskSuccess", map[string]any{"taskToken": task.TaskToken, "output": `{"approved": false}`}, nil)
	waitText(t, ctx, "#exec-status", "SUCCEEDED")
	waitText(t, ctx, "#announce", "Execution status: SUCCEEDED")
	if location(t, ctx) != opened {
		t.Fatal("the page was reloaded")
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#stop-button").length`)); err != nil || n != 0 {
		t.Fatalf("Stop button still there (%d, %v)", n, err)
	}

	// The machine page lists the execution, and filters by status.
	step(t, ctx, "machine page", chromedp.Navigate(machineURL+"&status=FAILED"), chromedp.WaitVisible(chromedp.CSS("#status-filter")))
	if m := text(t, ctx, "main"); !strings.Contains(m, "No executions with status FAILED") {
		t.Fatalf("filter FAILED shows: %s", m)
	}
	step(t, ctx, "machine page", chromedp.Navigate(machineURL), chromedp.WaitVisible(chromedp.CSS("table.executions")))
	if m := text(t, ctx, "table.executions"); !strings.Contains(m, "from-the-form") {
		t.Fatalf("executions table: %s", m)
	}
	screenshot(t, ctx, dir, "8-machine.png")

	// The keyboard reaches the page: the first Tab lands on the skip
	// link, which moves focus to the content.
	step(t, ctx, "tab", chromedp.Navigate(base+"/token"), chromedp.WaitVisible(chromedp.CSS("#token")), chromedp.KeyEvent("\t"))
	if f := text(t, ctx, ":focus"); f != "Skip to content" {
		t.Fatalf("first Tab focuses %q", f)
	}
	step(t, ctx, "follow the skip link", chromedp.KeyEvent("\r"), chromedp.Sleep(100*time.Millisecond))
	if id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.hash`)); err != nil || id != "#main" {
		t.Fatalf("the skip link led to %q (%v)", id, err)
	}

	// Phone width: every page fits (no sideways page scroll).
	step(t, ctx, "phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	for _, page := range []struct{ path, name string }{
		{"/", "10-machines-phone.png"},
		{strings.TrimPrefix(machineURL, base), "11-machine-phone.png"},
		{"/activities", "12-activities-phone.png"},
		{"/token", "13-token-phone.png"},
		{"/execution?arn=" + execARN, "14-failed-phone.png"},
		{"/execution?arn=" + waiting, "9-execution-phone.png"},
	} {
		step(t, ctx, "phone "+page.path, chromedp.Navigate(base+page.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		if err != nil || wide {
			t.Errorf("%s scrolls sideways at phone width (%v)", page.path, err)
		}
		screenshot(t, ctx, dir, page.name)
	}
}

// TestBrowserCannotDriveConsoleFromAnotherPage has chromium open a page
// of another origin whose form posts to the console on load: the console
// refuses it and no execution starts.
func TestBrowserCannotDriveConsoleFromAnotherPage(t *testing.T) {
	ctx := browser(t, 1280, 800)
	s := startConsole(t, server.Config{VirtualTime: true}, console.Options{})
	machine := createMachine(t, s, "target", passDef)
	// Visit the console first, so the browser holds its cookie.
	step(t, ctx, "open the console", chromedp.Navigate(s.URL()+"/"), chromedp.WaitVisible(chromedp.CSS("#create-name")))
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><body><form method="post" action="%s/machine/start">
<input name="arn" value="%s"><input name="input" value="{}"><input name="csrf" value="guessed">
</form><script>document.forms[0].submit()</script></body>`, s.URL(), machine)
	}))
	t.Cleanup(evil.Close)
	step(t, ctx, "visit the other page", chromedp.Navigate(evil.URL))
	waitText(t, ctx, "body", "Cross-origin request refused")
	if n := listExecutions(t, s, machine); n != 0 {
		t.Fatalf("another page started %d executions", n)
	}
}
