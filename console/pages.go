package console

import (
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/graph"
)

// page is what every template gets.
type page struct {
	Title string
	Nav   string // the nav entry to mark current
	CSRF  string
	Data  any
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name, title, nav string, data any) {
	t := c.pages[name]
	var b bytes.Buffer
	p := page{Title: title, Nav: nav, CSRF: c.csrfToken(w, r), Data: data}
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		c.log.Error("console template", "page", name, "err", err)
		http.Error(w, "The page could not be drawn: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// fail shows an error page: the API's answer, or what is wrong.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	c.render(w, r, status, "error", "Error", "", err.Error())
}

func statusOf(err error) int {
	if strings.Contains(err.Error(), "DoesNotExist") || strings.Contains(err.Error(), "NotFound") {
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}

// ---- state machines ----

type machinesData struct {
	Machines []machineItem
	Err      string
	Form     createForm
	FormErr  string
}

type createForm struct {
	Name, Type, Definition string
}

const exampleDefinition = `{
  "Comment": "Hello",
  "StartAt": "Greet",
  "States": {
    "Greet": {"Type": "Pass", "Result": {"hello": "world"}, "End": true}
  }
}`

func (c *Console) machinesPage(w http.ResponseWriter, r *http.Request) {
	c.showMachines(w, r, http.StatusOK, createForm{Type: "STANDARD", Definition: exampleDefinition}, "")
}

func (c *Console) showMachines(w http.ResponseWriter, r *http.Request, status int, form createForm, formErr string) {
	d := machinesData{Form: form, FormErr: formErr}
	ms, err := c.listMachines(r.Context(), 10000)
	if err != nil {
		d.Err = err.Error()
	}
	slices.SortStableFunc(ms, func(a, b machineItem) int { return strings.Compare(a.Name, b.Name) })
	d.Machines = ms
	c.render(w, r, status, "machines", "State machines", "machines", d)
}

// roleARN is the role the console's machines name (never checked).
const roleARN = "arn:aws:iam::123456789012:role/hsc-console"

func (c *Console) createMachine(w http.ResponseWriter, r *http.Request) {
	f := createForm{Name: strings.TrimSpace(r.PostFormValue("name")), Type: r.PostFormValue("type"), Definition: r.PostFormValue("definition")}
	if f.Type != "EXPRESS" {
		f.Type = "STANDARD"
	}
	var out struct {
		StateMachineArn string `json:"stateMachineArn"`
	}
	err := c.call(r.Context(), "CreateStateMachine", map[string]any{"name": f.Name, "definition": f.Definition, "roleArn": roleARN, "type": f.Type}, &out)
	if err != nil {
		c.showMachines(w, r, http.StatusBadRequest, f, err.Error())
		return
	}
	http.Redirect(w, r, "/machine?arn="+url.QueryEscape(out.StateMachineArn), http.StatusSeeOther)
}

// ---- one state machine ----

type machineData struct {
	Machine    machineDesc
	Base       string // the machine a version belongs to
	Graph      template.HTML
	GraphErr   string
	Definition string
	Versions   []armed
	Aliases    []armed
	ListErr    string
	Executions []executionItem
	Statuses   []string
	Status     string
	Page       string // this page's token ("" for the first)
	Next       string
	ExecErr    string
	Start      startForm
	StartErr   string
}

type armed struct {
	ARN     string
	Created epoch
}

type startForm struct{ Name, Input string }

var executionStatuses = []string{"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"}

func (c *Console) machinePage(w http.ResponseWriter, r *http.Request) {
	c.showMachine(w, r, http.StatusOK, startForm{Input: "{}"}, "")
}

func (c *Console) showMachine(w http.ResponseWriter, r *http.Request, status int, start startForm, startErr string) {
	ctx := r.Context()
	arn := r.FormValue("arn")
	d := machineData{Statuses: executionStatuses, Start: start, StartErr: startErr}
	if err := c.call(ctx, "DescribeStateMachine", map[string]any{"stateMachineArn": arn}, &d.Machine); err != nil {
		c.fail(w, r, statusOf(err), err)
		return
	}
	d.Definition = prettyJSON(d.Machine.Definition)
	d.Graph, d.GraphErr = drawGraph(ctx, d.Machine.Definition, nil)
	var vs struct {
		StateMachineVersions []struct {
			StateMachineVersionArn string `json:"stateMachineVersionArn"`
			CreationDate           epoch  `json:"creationDate"`
		} `json:"stateMachineVersions"`
	}
	var as struct {
		StateMachineAliases []struct {
			StateMachineAliasArn string `json:"stateMachineAliasArn"`
			CreationDate         epoch  `json:"creationDate"`
		} `json:"stateMachineAliases"`
	}
	base := unqualified(d.Machine.StateMachineArn)
	if base != d.Machine.StateMachineArn {
		d.Base = base
	}
	if err := c.call(ctx, "ListStateMachineVersions", map[string]any{"stateMachineArn": base}, &vs); err != nil {
		d.ListErr = err.Error()
	}
	if err := c.call(ctx, "ListStateMachineAliases", map[string]any{"stateMachineArn": base}, &as); err != nil {
		d.ListErr = err.Error()
	}
	for _, v := range vs.StateMachineVersions {
		d.Versions = append(d.Versions, armed{v.StateMachineVersionArn, v.CreationDate})
	}
	for _, a := range as.StateMachineAliases {
		d.Aliases = append(d.Aliases, armed{a.StateMachineAliasArn, a.CreationDate})
	}
	d.Status = r.FormValue("status")
	if !slices.Contains(executionStatuses, d.Status) {
		d.Status = ""
	}
	d.Page = r.FormValue("page")
	in := map[string]any{"stateMachineArn": arn, "maxResults": 20}
	if d.Status != "" {
		in["statusFilter"] = d.Status
	}
	if d.Page != "" {
		in["nextToken"] = d.Page
	}
	var ex struct {
		Executions []executionItem `json:"executions"`
		NextToken  string          `json:"nextToken"`
	}
	if err := c.call(ctx, "ListExecutions", in, &ex); err != nil {
		d.ExecErr = err.Error()
	}
	d.Executions, d.Next = ex.Executions, ex.NextToken
	c.render(w, r, status, "machine", d.Machine.Name, "machines", d)
}

// unqualified is a state machine's ARN without a version or alias
// qualifier (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME[:QUALIFIER]).
func unqualified(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) == 8 && parts[5] == "stateMachine" {
		return strings.Join(parts[:7], ":")
	}
	return arn
}

func (c *Console) startExecution(w http.ResponseWriter, r *http.Request) {
	f := startForm{Name: strings.TrimSpace(r.PostFormValue("name")), Input: r.PostFormValue("input")}
	if strings.TrimSpace(f.Input) == "" {
		f.Input = "{}"
	}
	if !json.Valid([]byte(f.Input)) {
		var v any
		err := json.Unmarshal([]byte(f.Input), &v)
		c.showMachine(w, r, http.StatusBadRequest, f, "The input is not valid JSON: "+err.Error())
		return
	}
	in := map[string]any{"stateMachineArn": r.PostFormValue("arn"), "input": f.Input}
	if f.Name != "" {
		in["name"] = f.Name
	}
	var out struct {
		ExecutionArn string `json:"executionArn"`
	}
	if err := c.call(r.Context(), "StartExecution", in, &out); err != nil {
		c.showMachine(w, r, http.StatusBadRequest, f, err.Error())
		return
	}
	http.Redirect(w, r, "/execution?arn="+url.QueryEscape(out.ExecutionArn), http.StatusSeeOther)
}

// graphSVG answers the graph alone, full size, as an SVG document: of a
// state machine (?machine=ARN) or of an execution coloured by its path
// (?execution=ARN).
func (c *Console) graphSVG(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var def struct {
		Definition string `json:"definition"`
	}
	var events []event
	if arn := r.FormValue("execution"); arn != "" {
		if err := c.call(ctx, "DescribeStateMachineForExecution", map[string]any{"executionArn": arn}, &def); err != nil {
			http.Error(w, err.Error(), statusOf(err))
			return
		}
		var err error
		if events, err = c.history(ctx, arn); err != nil {
			http.Error(w, err.Error(), statusOf(err))
			return
		}
	} else if err := c.call(ctx, "DescribeStateMachine", map[string]any{"stateMachineArn": r.FormValue("machine")}, &def); err != nil {
		http.Error(w, err.Error(), statusOf(err))
		return
	}
	svg, msg := drawGraph(ctx, def.Definition, events)
	if msg != "" {
		http.Error(w, msg, http.StatusUnprocessableEntity)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Write([]byte(svg))
}

// drawGraph renders a definition (with an execution's events, coloured by
// outcome) as inline SVG.
func drawGraph(ctx context.Context, definition string, events []event) (template.HTML, string) {
	m, err := asl.Parse([]byte(definition))
	if err != nil {
		return "", "The definition cannot be drawn: " + err.Error()
	}
	var opts graph.Options
	if events != nil {
		h, err := graphHistory(events)
		if err != nil {
			return "", err.Error()
		}
		opts.History = h
	}
	g, err := graph.Build(m, opts)
	if err != nil {
		return "", err.Error()
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var b bytes.Buffer
	if err := g.Render(ctx, graph.FormatSVG, &b); err != nil {
		return "", "The graph could not be drawn: " + err.Error()
	}
	svg := b.Bytes()
	if i := bytes.Index(svg, []byte("<svg")); i >= 0 {
		svg = svg[i:]
	}
	svg = bytes.Replace(svg, []byte("<svg"), []byte(`<svg role="img" aria-label="State machine graph" focusable="false"`), 1)
	return template.HTML(svg), ""
}

func graphHistory(events []event) (*graph.History, error) {
	type ev struct {
		ID              int64           `json:"id"`
		PreviousEventID int64           `json:"previousEventId"`
		Type            string          `json:"type"`
		Details         json.RawMessage `json:"-"`
	}
	var b bytes.Buffer
	b.WriteString(`{"events":[`)
	for i, e := range events {
		if i > 0 {
			b.WriteByte(',')
		}
		head, _ := json.Marshal(ev{ID: e.ID, PreviousEventID: e.PreviousEventID, Type: e.Type})
		if e.Details != nil {
			key, _ := json.Marshal(e.DetailsKey)
			head = append(head[:len(head)-1], ',')
			head = append(head, key...)
			head = append(head, ':')
			head = append(head, e.Details...)
			head = append(head, '}')
		}
		b.Write(head)
	}
	b.WriteString(`]}`)
	return graph.ParseHistory(b.Bytes())
}

func prettyJSON(s string) string {
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(s), "", "  "); err != nil {
		return s
	}
	return b.String()
}

// ---- one execution ----

type executionData struct {
	Exec      executionDesc
	Machine   string // the machine's ARN for the link (the version's or alias's is in Exec)
	Live      liveData
	ActionErr string
	ActionMsg string
}

type liveData struct {
	Exec       executionDesc
	Running    bool
	Graph      template.HTML
	GraphErr   string
	States     []stateRow
	Events     []eventRow
	MoreEvents int
	Timeline   template.HTML
	HistoryErr string
	EventCount int
	PollMillis int64
	CSRF       string
	Redrivable bool
	Input      string
	Output     string
	Elapsed    string
}

type stateRow struct {
	Name, Type, Outcome string
	Visits              int
}

type eventRow struct {
	ID       int64
	Type     string
	Time     string
	Elapsed  string
	Duration string
	State    string
	Failure  bool
	Sections []section
}

type section struct{ Name, Text string }

// maxRows bounds the event table.
const maxRows = 1000

func (c *Console) executionPage(w http.ResponseWriter, r *http.Request) {
	c.showExecution(w, r, http.StatusOK, "", "")
}

func (c *Console) showExecution(w http.ResponseWriter, r *http.Request, status int, actionErr, actionMsg string) {
	arn := r.FormValue("arn")
	csrf := c.csrfToken(w, r)
	live, err := c.live(r.Context(), arn, csrf)
	if err != nil {
		c.fail(w, r, statusOf(err), err)
		return
	}
	d := executionData{Exec: live.Exec, Live: *live, ActionErr: actionErr, ActionMsg: actionMsg}
	d.Machine = live.Exec.StateMachineArn
	c.render(w, r, status, "execution", live.Exec.Name, "machines", d)
}

// executionLive answers the execution page's polls: the live part of the
// page, redrawn.
//
// A poll that names the status and event count the page shows (status,
// events) gets 204 No Content while neither changed, which costs two
// small reads rather than the whole history and a graph.
func (c *Console) executionLive(w http.ResponseWriter, r *http.Request) {
	arn := r.FormValue("arn")
	if known := r.FormValue("events"); known != "" {
		if status, last, err := c.lastEvent(r.Context(), arn); err == nil && status == r.FormValue("status") && strconv.FormatInt(last, 10) == known {
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	live, err := c.live(r.Context(), arn, c.csrfToken(w, r))
	if err != nil {
		http.Error(w, err.Error(), statusOf(err))
		return
	}
	var b bytes.Buffer
	if err := c.pages["execution"].ExecuteTemplate(&b, "live", live); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Event-Count", strconv.Itoa(live.EventCount))
	w.Header().Set("X-Execution-Status", live.Exec.Status)
	w.Write(b.Bytes())
}

// lastEvent reads an execution's status and the id of its newest event.
func (c *Console) lastEvent(ctx context.Context, arn string) (string, int64, error) {
	var d executionDesc
	if err := c.call(ctx, "DescribeExecution", map[string]any{"executionArn": arn}, &d); err != nil {
		return "", 0, err
	}
	var h struct {
		Events []event `json:"events"`
	}
	if err := c.call(ctx, "GetExecutionHistory", map[string]any{"executionArn": arn, "reverseOrder": true, "maxResults": 1}, &h); err != nil {
		return "", 0, err
	}
	if len(h.Events) == 0 {
		return d.Status, 0, nil
	}
	return d.Status, h.Events[0].ID, nil
}

func (c *Console) live(ctx context.Context, arn, csrf string) (*liveData, error) {
	d := &liveData{CSRF: csrf, PollMillis: c.opts.PollInterval.Milliseconds()}
	if err := c.call(ctx, "DescribeExecution", map[string]any{"executionArn": arn}, &d.Exec); err != nil {
		return nil, err
	}
	d.Running = d.Exec.Status == "RUNNING"
	d.Redrivable = d.Exec.Status == "FAILED" || d.Exec.Status == "TIMED_OUT" || d.Exec.Status == "ABORTED"
	d.Input, d.Output = prettyJSON(d.Exec.Input), prettyJSON(d.Exec.Output)
	start, stop := d.Exec.StartDate.Time(), d.Exec.StopDate.Time()
	if !stop.IsZero() {
		d.Elapsed = fmtDuration(stop.Sub(start))
	}
	var def struct {
		Definition string `json:"definition"`
	}
	defErr := c.call(ctx, "DescribeStateMachineForExecution", map[string]any{"executionArn": arn}, &def)
	events, err := c.history(ctx, arn)
	if err != nil {
		d.HistoryErr = err.Error()
	}
	if len(events) > 0 {
		d.EventCount = int(events[len(events)-1].ID)
	}
	if defErr != nil {
		d.GraphErr = defErr.Error()
	} else {
		d.Graph, d.GraphErr = drawGraph(ctx, def.Definition, events)
		d.States = stateRows(def.Definition, events)
	}
	d.Events, d.MoreEvents = eventRows(events, start)
	var branchOf map[string]int
	if m, err := asl.Parse([]byte(def.Definition)); defErr == nil && err == nil {
		branchOf = branchStarts(m, nil)
	}
	d.Timeline = timelineSVG(timeline(events, stop, d.Exec.Status != "SUCCEEDED", branchOf), start, stop)
	return d, nil
}

// stateRows lists every state with its outcome, in words (the graph's
// colours, for those who cannot see them).
func stateRows(definition string, events []event) []stateRow {
	m, err := asl.Parse([]byte(definition))
	if err != nil {
		return nil
	}
	h, err := graphHistory(events)
	if err != nil {
		return nil
	}
	g, err := graph.Build(m, graph.Options{History: h})
	if err != nil {
		return nil
	}
	var rows []stateRow
	for _, n := range g.Nodes {
		if n.IsState() {
			rows = append(rows, stateRow{Name: n.Name, Type: n.Type, Outcome: n.Outcome, Visits: n.Visits})
		}
	}
	return rows
}

func eventRows(events []event, start time.Time) ([]eventRow, int) {
	more := 0
	if len(events) > maxRows {
		more = len(events) - maxRows
	}
	entered := map[string]time.Time{}
	var rows []eventRow
	var prev time.Time
	for i, e := range events {
		t := e.time()
		row := eventRow{ID: e.ID, Type: e.Type, Time: fmtTime(t), State: e.detail("name")}
		if !start.IsZero() {
			row.Elapsed = "+" + fmtDuration(t.Sub(start))
		}
		switch {
		case strings.HasSuffix(e.Type, "StateEntered"):
			entered[row.State] = t
		case strings.HasSuffix(e.Type, "StateExited"):
			if et, ok := entered[row.State]; ok {
				row.Duration = fmtDuration(t.Sub(et))
			}
		case i > 0:
			row.Duration = fmtDuration(t.Sub(prev))
		}
		prev = t
		row.Failure = strings.HasSuffix(e.Type, "Failed") || strings.HasSuffix(e.Type, "TimedOut") || strings.HasSuffix(e.Type, "Aborted")
		if i < maxRows {
			row.Sections = sections(e.Details)
			rows = append(rows, row)
		}
	}
	return rows, more
}

// sections splits an event's details into its members, JSON payloads
// (input, output, parameters) pretty-printed.
func sections(details json.RawMessage) []section {
	if details == nil {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(details, &m) != nil {
		return []section{{"details", string(details)}}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	order := map[string]int{"name": 0, "error": 1, "cause": 2, "resource": 3, "resourceType": 4, "input": 5, "output": 6}
	slices.SortFunc(keys, func(a, b string) int {
		oa, ok1 := order[a]
		ob, ok2 := order[b]
		switch {
		case ok1 && ok2:
			return oa - ob
		case ok1:
			return -1
		case ok2:
			return 1
		}
		return strings.Compare(a, b)
	})
	var out []section
	for _, k := range keys {
		v := m[k]
		var s string
		if json.Unmarshal(v, &s) == nil {
			t := strings.TrimSpace(s)
			if len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t)) {
				s = prettyJSON(t)
			}
		} else {
			s = prettyJSON(string(v))
		}
		out = append(out, section{k, s})
	}
	return out
}

func (c *Console) stopExecution(w http.ResponseWriter, r *http.Request) {
	in := map[string]any{"executionArn": r.PostFormValue("arn")}
	if e := strings.TrimSpace(r.PostFormValue("error")); e != "" {
		in["error"] = e
	}
	if e := strings.TrimSpace(r.PostFormValue("cause")); e != "" {
		in["cause"] = e
	}
	if err := c.call(r.Context(), "StopExecution", in, nil); err != nil {
		c.showExecution(w, r, http.StatusBadRequest, "Stop: "+err.Error(), "")
		return
	}
	http.Redirect(w, r, "/execution?arn="+url.QueryEscape(r.PostFormValue("arn")), http.StatusSeeOther)
}

func (c *Console) redriveExecution(w http.ResponseWriter, r *http.Request) {
	if err := c.call(r.Context(), "RedriveExecution", map[string]any{"executionArn": r.PostFormValue("arn")}, nil); err != nil {
		c.showExecution(w, r, http.StatusBadRequest, "Redrive: "+err.Error(), "")
		return
	}
	http.Redirect(w, r, "/execution?arn="+url.QueryEscape(r.PostFormValue("arn")), http.StatusSeeOther)
}
