package console

import (
	"encoding/json"

	"fmt"
	"github.com/hsc-dev/hsc/asl"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
)

// event is a history event as GetExecutionHistory answers it; details
// are kept as raw JSON for the table.
type event struct {
	ID              int64   `json:"id"`
	PreviousEventID int64   `json:"previousEventId"`
	Type            string  `json:"type"`
	Timestamp       float64 `json:"timestamp"`
	// Details is the one *EventDetails member, whatever its name.
	Details    json.RawMessage `json:"-"`
	DetailsKey string          `json:"-"`
}

func (e *event) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	type plain event
	var p plain
	for k, v := range m {
		var err error
		switch k {
		case "id":
			err = json.Unmarshal(v, &p.ID)
		case "previousEventId":
			err = json.Unmarshal(v, &p.PreviousEventID)
		case "type":
			err = json.Unmarshal(v, &p.Type)
		case "timestamp":
			p.Timestamp = readTimestamp(v)
		default:
			if strings.HasSuffix(k, "EventDetails") {
				p.DetailsKey, p.Details = k, v
			}
		}
		if err != nil {
			return fmt.Errorf("event member %s: %w", k, err)
		}
	}
	*e = event(p)
	return nil
}

// readTimestamp reads a timestamp as the JSON protocol writes it (seconds
// since the epoch) or as the AWS CLI prints it (RFC 3339); anything else
// is no time.
func readTimestamp(v json.RawMessage) float64 {
	var f float64
	if json.Unmarshal(v, &f) == nil {
		return f
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return float64(t.UnixMilli()) / 1000
		}
	}
	return 0
}

func (e *event) time() time.Time { return epochTime(e.Timestamp) }

func epochTime(f float64) time.Time {
	if f == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(math.Round(f * 1000)))
}

// detail reads a string member of the event's details ("" when absent).
func (e *event) detail(name string) string {
	if e.Details == nil {
		return ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(e.Details, &m) != nil {
		return ""
	}
	var s string
	if json.Unmarshal(m[name], &s) != nil {
		if n, ok := m[name]; ok && len(n) > 0 && n[0] != '"' {
			return string(n)
		}
		return ""
	}
	return s
}

// lane is a line of work in an execution: the execution itself, a
// Parallel branch or a Map iteration.
type lane struct {
	label  string
	parent *lane
	family string // "Parallel" or "Map" for a branch or iteration
	depth  int
	// branches counts the branches a Parallel started in this lane.
	branches int
	mapName  string // the Map state of an iteration
	// span is a Parallel branch's own row; openBranches are the branches
	// of the Parallel running in this lane; last is the time of the
	// lane's newest event.
	span         *span
	openBranches []*lane
	last         time.Time
}

// join names a lane or state inside another: "M[2] › branch 1 › X".
func join(outer, inner string) string {
	if outer == "" {
		return inner
	}
	return outer + " › " + inner
}

// span is one state's visit, or a Map iteration, on the timeline.
type span struct {
	Label      string
	Start, End time.Time
	Status     string // succeeded, failed, caught, running, ended
	Depth      int
	open       bool
	name       string
	lane       *lane
}

var closingTypes = map[string]string{
	"MapStateSucceeded": "Map", "MapStateFailed": "Map", "MapStateAborted": "Map", "MapStateExited": "Map",
	"ParallelStateSucceeded": "Parallel", "ParallelStateFailed": "Parallel", "ParallelStateAborted": "Parallel", "ParallelStateExited": "Parallel",
}

// branchStarts maps the first state of every Parallel branch of a
// definition to the branch's index.
func branchStarts(m *asl.StateMachine, into map[string]int) map[string]int {
	if into == nil {
		into = map[string]int{}
	}
	if m == nil {
		return into
	}
	for _, st := range m.States {
		for i, b := range st.Branches {
			if b != nil {
				into[b.StartAt] = i
			}
			branchStarts(b, into)
		}
		branchStarts(st.Iterator, into)
		branchStarts(st.ItemProcessor, into)
	}
	return into
}

// timeline works out the spans of an execution's history: each state
// visit in the lane it ran in (a Parallel branch, a Map iteration, or the
// execution), following previousEventId, which links each event to the
// one before it in its own lane (as AWS records histories). ended is when
// the execution stopped (zero while it runs); open spans end there.
//
// branchOf numbers Parallel branches by their first state (as the
// definition orders them); without it they are numbered as they start.
func timeline(events []event, ended time.Time, failed bool, branchOf map[string]int) []*span {
	root := &lane{}
	laneOf := make(map[int64]*lane, len(events))
	index := make(map[int64]int, len(events))
	var spans []*span
	open := map[*lane]map[string]*span{}
	var last time.Time
	for i := range events {
		e := &events[i]
		if t := e.time(); t.After(last) {
			last = t
		}
		l := root
		var prev *event
		if e.PreviousEventID > 0 {
			if pl, ok := laneOf[e.PreviousEventID]; ok {
				l = pl
			}
			if j, ok := index[e.PreviousEventID]; ok {
				prev = &events[j]
			}
		}
		if prev != nil && prev.Type == "ParallelStateStarted" && strings.HasSuffix(e.Type, "StateEntered") {
			// The first state of a Parallel branch.
			parent := l
			parent.branches++
			n := parent.branches
			if i, ok := branchOf[e.detail("name")]; ok {
				n = i + 1
			}
			l = &lane{label: join(parent.label, fmt.Sprintf("branch %d", n)), parent: parent, family: "Parallel", depth: parent.depth + 1}
			l.span = &span{Label: l.label, Start: e.time(), Status: "running", Depth: parent.depth, open: true, name: "\x00branch", lane: l}
			spans = append(spans, l.span)
			parent.openBranches = append(parent.openBranches, l)
		}
		if fam, ok := closingTypes[e.Type]; ok && (prev == nil || closingTypes[prev.Type] == "") {
			// The end of a Map or Parallel state comes after the last
			// event of one of its branches or iterations.
			for p := l; p.parent != nil; p = p.parent {
				if p.family == fam {
					l = p.parent
					break
				}
			}
			if fam == "Parallel" {
				// The branches end with their last event; a branch with a
				// state never exited failed there.
				for _, b := range l.openBranches {
					b.span.End, b.span.open, b.span.Status = b.last, false, "succeeded"
					for name, st := range open[b] {
						st.End, st.open, st.Status = b.last, false, "failed"
						b.span.Status = "failed"
						delete(open[b], name)
					}
				}
				l.openBranches = nil
			}
		}
		if e.Type == "MapIterationStarted" {
			idx := e.detail("index")
			name := e.detail("name")
			nl := &lane{parent: l, family: "Map", depth: l.depth + 1, mapName: name}
			// Iterations chain to one another: start from the Map's lane.
			for p := l; p.parent != nil; p = p.parent {
				if p.family == "Map" && p.mapName == name {
					nl.parent, nl.depth = p.parent, p.depth
					break
				}
			}
			nl.label = join(nl.parent.label, name+"["+idx+"]")
			l = nl
			s := &span{Label: nl.label, Start: e.time(), Status: "running", Depth: nl.depth - 1, open: true, name: "\x00iteration", lane: nl}
			spans = append(spans, s)
			open[nl] = map[string]*span{"\x00iteration": s}
		}
		laneOf[e.ID] = l
		index[e.ID] = i
		for p := l; p != nil; p = p.parent {
			if t := e.time(); t.After(p.last) {
				p.last = t
			}
		}
		switch {
		case strings.HasSuffix(e.Type, "StateEntered"):
			name := e.detail("name")
			label := join(l.label, name)
			s := &span{Label: label, Start: e.time(), Status: "running", Depth: l.depth, open: true, name: name, lane: l}
			spans = append(spans, s)
			if open[l] == nil {
				open[l] = map[string]*span{}
			}
			open[l][name] = s
		case strings.HasSuffix(e.Type, "StateExited"):
			name := e.detail("name")
			if s := open[l][name]; s != nil {
				s.End, s.open = e.time(), false
				if s.Status != "caught" {
					s.Status = "succeeded"
				}
				delete(open[l], name)
			}
		case strings.HasPrefix(e.Type, "MapIteration") && e.Type != "MapIterationStarted":
			if s := open[l]["\x00iteration"]; s != nil {
				s.End, s.open = e.time(), false
				s.Status = "succeeded"
				if e.Type != "MapIterationSucceeded" {
					s.Status = "failed"
				}
				delete(open[l], "\x00iteration")
			}
		case strings.HasSuffix(e.Type, "Failed") || strings.HasSuffix(e.Type, "TimedOut"):
			// A state's failure: caught if it is exited later.
			for _, s := range open[l] {
				if s.name != "\x00iteration" {
					s.Status = "caught"
				}
			}
		}
	}
	stop := ended
	if stop.IsZero() {
		stop = last
	}
	for _, s := range spans {
		if s.open {
			s.End = stop
			switch {
			case ended.IsZero():
				s.Status = "running"
			case failed:
				s.Status = "failed"
			default:
				s.Status = "ended"
			}
		}
	}
	return spans
}

// maxTimelineRows bounds the rows drawn.
const maxTimelineRows = 400

// timelineSVG draws spans as a Gantt chart: one row per span, bars placed
// on the execution's time from start to end.
func timelineSVG(spans []*span, start, end time.Time) template.HTML {
	if len(spans) == 0 {
		return ""
	}
	if start.IsZero() || spans[0].Start.Before(start) {
		start = spans[0].Start
	}
	for _, s := range spans {
		if s.End.After(end) {
			end = s.End
		}
	}
	total := end.Sub(start)
	more := 0
	if len(spans) > maxTimelineRows {
		more = len(spans) - maxTimelineRows
		spans = spans[:maxTimelineRows]
	}
	const (
		width  = 960
		labelW = 300
		rowH   = 22
		top    = 24
	)
	barW := float64(width - labelW - 70)
	h := top + rowH*len(spans) + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="timeline" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="timeline-title" xmlns="http://www.w3.org/2000/svg">`, width, h, width, h)
	fmt.Fprintf(&b, `<title id="timeline-title">Timeline of %d state visits over %s</title>`, len(spans), fmtDuration(total))
	// Axis: 0 and the total.
	fmt.Fprintf(&b, `<text x="%d" y="14" class="axis">0</text><text x="%.1f" y="14" class="axis" text-anchor="end">%s</text>`, labelW, float64(labelW)+barW, template.HTMLEscapeString(fmtDuration(total)))
	for i, s := range spans {
		y := top + i*rowH
		x, w := float64(labelW), 2.0
		if total > 0 {
			x += barW * float64(s.Start.Sub(start)) / float64(total)
			w = math.Max(2, barW*float64(s.End.Sub(s.Start))/float64(total))
		}
		label := s.Label
		if r := []rune(label); len(r) > 44 {
			label = "…" + string(r[len(r)-43:])
		}
		d := s.End.Sub(s.Start)
		fmt.Fprintf(&b, `<g class="row st-%s"><title>%s: %s, %s</title>`, s.Status, template.HTMLEscapeString(s.Label), s.Status, template.HTMLEscapeString(fmtDuration(d)))
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="lbl">%s</text>`, 4+s.Depth*12, y+15, template.HTMLEscapeString(label))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" rx="3" class="bar"/>`, x, y+4, w, rowH-8)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="dur">%s</text></g>`, math.Min(x+w+4, float64(width-66)), y+15, template.HTMLEscapeString(fmtDuration(d)))
	}
	b.WriteString(`</svg>`)
	if more > 0 {
		fmt.Fprintf(&b, `<p class="note">%d more rows not drawn.</p>`, more)
	}
	return template.HTML(b.String())
}

// fmtDuration writes a duration for people: 0 ms, 12 ms, 1.25 s, 3 m 4 s.
func fmtDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "—"
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
	case d < time.Hour:
		return fmt.Sprintf("%d m %d s", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d h %d m", int(d.Hours()), int(d.Minutes())%60)
}
