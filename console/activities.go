package console

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"
)

// How far back the activities page looks: the newest executions of every
// machine, at most this many in all, and the tasks it lists.
const (
	scanExecutions = 200
	recentTasks    = 25
)

type activitiesData struct {
	Activities []activityView
	Err        string
	Msg        string
	FormErr    string
	Name       string
	Scanned    int
}

type activityView struct {
	activityItem
	// Polling is how many workers are polling for a task now (when the
	// API can tell: Pollers).
	Polling int
	Waiting []taskView
	Workers []workerView
	Recent  []taskView
}

type taskView struct {
	Execution string
	Scheduled time.Time
	Status    string // waiting, running, succeeded, failed, timed out, ended
	Worker    string
	Input     string
}

type workerView struct {
	Name     string
	LastSeen time.Time
	Tasks    int
}

func (c *Console) activitiesPage(w http.ResponseWriter, r *http.Request) {
	c.showActivities(w, r, http.StatusOK, "", "", "")
}

func (c *Console) showActivities(w http.ResponseWriter, r *http.Request, status int, msg, formErr, name string) {
	d := activitiesData{Msg: msg, FormErr: formErr, Name: name}
	acts, scanned, err := c.activities(r.Context())
	if err != nil {
		d.Err = err.Error()
	}
	d.Activities, d.Scanned = acts, scanned
	c.render(w, r, status, "activities", "Activities", "activities", d)
}

// activities lists the activities with what the histories of the newest
// executions say about their tasks: waiting (scheduled, not taken),
// taken by which worker, and how they ended. A worker is "seen" when it
// took a task in one of those executions.
func (c *Console) activities(ctx context.Context) ([]activityView, int, error) {
	var out struct {
		Activities []activityItem `json:"activities"`
	}
	if err := c.call(ctx, "ListActivities", map[string]any{"maxResults": 1000}, &out); err != nil {
		return nil, 0, err
	}
	views := make([]activityView, len(out.Activities))
	byARN := map[string]*activityView{}
	for i, a := range out.Activities {
		views[i].activityItem = a
		byARN[a.ActivityArn] = &views[i]
	}
	if len(views) == 0 {
		return views, 0, nil
	}
	machines, err := c.listMachines(ctx, 1000)
	if err != nil {
		return views, 0, err
	}
	var execs []executionItem
	for _, m := range machines {
		if m.Type == "EXPRESS" {
			continue
		}
		var ex struct {
			Executions []executionItem `json:"executions"`
		}
		if err := c.call(ctx, "ListExecutions", map[string]any{"stateMachineArn": m.StateMachineArn, "maxResults": 100}, &ex); err != nil {
			continue
		}
		execs = append(execs, ex.Executions...)
	}
	slices.SortFunc(execs, func(a, b executionItem) int {
		if a.Status == "RUNNING" != (b.Status == "RUNNING") { // running ones first: their tasks may wait
			if a.Status == "RUNNING" {
				return -1
			}
			return 1
		}
		if c := compareFloat(float64(b.StartDate), float64(a.StartDate)); c != 0 { // newest first
			return c
		}
		return strings.Compare(a.ExecutionArn, b.ExecutionArn)
	})
	if len(execs) > scanExecutions {
		execs = execs[:scanExecutions]
	}
	workers := map[string]map[string]*workerView{}
	for _, ex := range execs {
		events, err := c.history(ctx, ex.ExecutionArn)
		if err != nil {
			continue
		}
		open := map[int64]*taskView{} // by ActivityScheduled id
		var order []*taskView
		var arnOf = map[*taskView]string{}
		var current *taskView
		for _, e := range events {
			switch e.Type {
			case "ActivityScheduled":
				arn := e.detail("resource")
				if byARN[arn] == nil {
					current = nil
					continue
				}
				t := &taskView{Execution: ex.ExecutionArn, Scheduled: e.time(), Status: "waiting", Input: prettyJSON(e.detail("input"))}
				open[e.ID] = t
				order = append(order, t)
				arnOf[t] = arn
				current = t
			case "ActivityStarted":
				if t := findTask(open, e.PreviousEventID, current); t != nil {
					t.Status, t.Worker = "running", e.detail("workerName")
					arn := arnOf[t]
					if workers[arn] == nil {
						workers[arn] = map[string]*workerView{}
					}
					wv := workers[arn][t.Worker]
					if wv == nil {
						wv = &workerView{Name: t.Worker}
						workers[arn][t.Worker] = wv
					}
					wv.Tasks++
					if e.time().After(wv.LastSeen) {
						wv.LastSeen = e.time()
					}
				}
			case "ActivitySucceeded", "ActivityFailed", "ActivityTimedOut", "ActivityScheduleFailed":
				if t := findTask(open, e.PreviousEventID, current); t != nil {
					t.Status = map[string]string{"ActivitySucceeded": "succeeded", "ActivityFailed": "failed", "ActivityTimedOut": "timed out", "ActivityScheduleFailed": "failed"}[e.Type]
				}
			}
		}
		for _, t := range order {
			if ex.Status != "RUNNING" && (t.Status == "waiting" || t.Status == "running") {
				t.Status = "ended with the execution"
			}
			v := byARN[arnOf[t]]
			if t.Status == "waiting" {
				v.Waiting = append(v.Waiting, *t)
			}
			v.Recent = append(v.Recent, *t)
		}
	}
	var polling map[string]int
	if p, ok := c.api.(Pollers); ok {
		polling = p.Pollers()
	}
	for i := range views {
		v := &views[i]
		v.Polling = polling[v.ActivityArn]
		for _, wv := range workers[v.ActivityArn] {
			v.Workers = append(v.Workers, *wv)
		}
		slices.SortFunc(v.Workers, func(a, b workerView) int { return b.LastSeen.Compare(a.LastSeen) })
		slices.SortFunc(v.Recent, func(a, b taskView) int { return b.Scheduled.Compare(a.Scheduled) })
		if len(v.Recent) > recentTasks {
			v.Recent = v.Recent[:recentTasks]
		}
	}
	return views, len(execs), nil
}

// Pollers is what an API may also tell: how many GetActivityTask
// requests wait on each activity now (server.Server.Pollers).
type Pollers interface {
	Pollers() map[string]int
}

// findTask is the task an activity event belongs to: the open task its
// previousEventId chain starts from, else the last one scheduled.
func findTask(open map[int64]*taskView, prev int64, current *taskView) *taskView {
	if t, ok := open[prev]; ok {
		return t
	}
	return current
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (c *Console) createActivity(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	if err := c.call(r.Context(), "CreateActivity", map[string]any{"name": name}, nil); err != nil {
		c.showActivities(w, r, http.StatusBadRequest, "", err.Error(), name)
		return
	}
	http.Redirect(w, r, "/activities", http.StatusSeeOther)
}

// takeTask takes the oldest waiting task of an activity as a worker
// would (GetActivityTask, worker "hsc-console") and shows its token page.
func (c *Console) takeTask(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var out struct {
		TaskToken string `json:"taskToken"`
		Input     string `json:"input"`
	}
	err := c.call(ctx, "GetActivityTask", map[string]any{"activityArn": r.PostFormValue("arn"), "workerName": "hsc-console"}, &out)
	if err != nil {
		c.showActivities(w, r, http.StatusBadRequest, "", err.Error(), "")
		return
	}
	if out.TaskToken == "" {
		c.showActivities(w, r, http.StatusOK, "No task of "+shortARN(r.PostFormValue("arn"))+" was waiting.", "", "")
		return
	}
	c.render(w, r, http.StatusOK, "token", "Task token", "token", tokenData{Token: out.TaskToken, Input: prettyJSON(out.Input), Output: "{}", Taken: shortARN(r.PostFormValue("arn"))})
}

// ---- task tokens ----

type tokenData struct {
	Token, Input, Taken  string
	Output, Error, Cause string
	Msg, Err             string
	Callbacks            []callback
	CallbacksErr         string
}

// tokenPage shows the form, filled with ?token= when a waiting callback
// task was chosen, and the callback tasks waiting now.
func (c *Console) tokenPage(w http.ResponseWriter, r *http.Request) {
	d := tokenData{Output: "{}", Token: r.FormValue("token")}
	c.renderToken(w, r, http.StatusOK, d)
}

func (c *Console) renderToken(w http.ResponseWriter, r *http.Request, status int, d tokenData) {
	cbs, err := c.callbacks(r.Context())
	if err != nil {
		d.CallbacksErr = err.Error()
	}
	d.Callbacks = cbs
	c.render(w, r, status, "token", "Task token", "token", d)
}

// sendToken answers a task token: success with an output, failure with
// an error and cause, or a heartbeat.
func (c *Console) sendToken(w http.ResponseWriter, r *http.Request) {
	d := tokenData{Token: strings.TrimSpace(r.PostFormValue("token")), Output: r.PostFormValue("output"), Error: r.PostFormValue("error"), Cause: r.PostFormValue("cause"), Input: r.PostFormValue("input"), Taken: r.PostFormValue("taken")}
	var err error
	switch r.PostFormValue("action") {
	case "success":
		err = c.call(r.Context(), "SendTaskSuccess", map[string]any{"taskToken": d.Token, "output": d.Output}, nil)
		d.Msg = "Sent success."
	case "failure":
		in := map[string]any{"taskToken": d.Token}
		if d.Error != "" {
			in["error"] = d.Error
		}
		if d.Cause != "" {
			in["cause"] = d.Cause
		}
		err = c.call(r.Context(), "SendTaskFailure", in, nil)
		d.Msg = "Sent failure."
	case "heartbeat":
		err = c.call(r.Context(), "SendTaskHeartbeat", map[string]any{"taskToken": d.Token}, nil)
		d.Msg = "Sent a heartbeat."
	default:
		d.Err = "Choose success, failure or heartbeat."
	}
	status := http.StatusOK
	if err != nil {
		d.Msg, d.Err, status = "", err.Error(), http.StatusBadRequest
	}
	c.renderToken(w, r, status, d)
}
