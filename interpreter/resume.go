package interpreter

import (
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Resuming and redriving executions by deterministic replay.
//
// With WithResumable every recorded event carries a Key that names it by
// its place in the execution's structure, not by its global order: the
// scope that emitted it (the top level "r", or a Parallel branch or Map
// iteration "<key of ParallelStateStarted or MapStateStarted>/<index>")
// and its sequence number within that scope ("r.5", "r.4/2.0"). Events of
// one scope come one after the other, so given the same task results a
// run emits the same events under the same keys whatever the interleaving
// of branches and iterations.
//
// WithResume runs an execution again over its recorded history: an event
// whose key is recorded with the same type is not emitted again (its
// recorded id stands for it), a task whose outcome is recorded returns it
// without calling the resolver, a sleep (Wait, retry interval) whose
// following event is recorded returns at once and the first sleep past
// the record ends at its original deadline (the recorded time of the
// event before it plus its duration). The execution's StartTime and its
// timeout count from the recorded ExecutionStarted. Each scope goes live
// at the end of its own record, so finished branches and iterations are
// replayed without side effects and unfinished ones continue. Work in
// flight when the record ends (a task scheduled without a recorded
// outcome) is asked of the resolver again: at least once.
//
// An ExecutionRedriven event in the history redrives: the events after
// each scope's last ...StateExited are dropped from the record (except in
// Map iterations that succeeded), so the failed state runs again in every
// scope that did not finish, and finished branches and iterations are
// kept. The execution timeout then counts from the redrive, and
// $$.Execution.RedriveCount is the number of redrives.
//
// A distributed Map's map run is not in the parent's history beyond its
// MapRunStarted and end: with WithMapRunRecords the caller gives the
// run's record (its children, their outcomes and the histories of the
// running ones), and the resumed execution goes on with the same run,
// resuming each running STANDARD child by replay of its own history.
// Tasks that were in flight keep their heartbeat deadline when the caller
// kept it (WithHeartbeatDeadlines).
//
// What replay does not reproduce: values a state computes from the clock
// ($$.State.EnteredTime, $now()) or from random numbers (States.UUID,
// States.MathRandom without a seed, retry jitter) while replaying may
// differ from the first run's unless WithSeed is given and the execution
// has no concurrent branches; the recorded events are kept as they were.

// WithResumable gives every event a Key (Event.Key) and every task request
// an ID (TaskRequest.ID) stable across runs, so that the recorded history
// can later be resumed with WithResume; .waitForTaskToken tokens are then
// derived from the key too.
func WithResumable() Option { return func(o *config) { o.keyed = true } }

// WithResume continues an execution from its recorded history: the
// events in the order they were recorded, with their Keys (events without
// a Key, such as ExecutionRedriven, are kept as markers). See the package
// documentation's "Resume and redrive". It implies WithResumable.
func WithResume(history []Event) Option {
	return func(o *config) { o.keyed, o.resume = true, history }
}

// replayLog is the record a resumed execution replays.
type replayLog struct {
	events map[string]*Event
	// start is the ExecutionStarted time; runStart that of the last
	// ExecutionRedriven (or start).
	start, runStart time.Time
	redrives        int
	maxID           int64
}

func newReplayLog(h []Event) *replayLog {
	l := &replayLog{events: make(map[string]*Event, len(h))}
	for i := range h {
		e := &h[i]
		l.maxID = max(l.maxID, e.ID)
		switch e.Type {
		case "ExecutionStarted":
			l.start, l.runStart = e.Timestamp, e.Timestamp
		case "ExecutionRedriven":
			l.redrives++
			l.runStart = e.Timestamp
			l.cut()
		}
		if e.Key != "" {
			l.events[e.Key] = e
		}
	}
	return l
}

// splitKey splits an event key into its scope and sequence number.
func splitKey(k string) (string, int) {
	i := strings.LastIndexByte(k, '.')
	if i < 0 {
		return k, -1
	}
	n, err := strconv.Atoi(k[i+1:])
	if err != nil {
		return k, -1
	}
	return k[:i], n
}

// cut drops what a redrive runs again: in each scope, the events after
// its last ...StateExited, unless the scope is a Map iteration that
// succeeded. ExecutionStarted stays.
func (l *replayLog) cut() {
	type ev struct {
		key string
		seq int
		typ string
	}
	scopes := map[string][]ev{}
	for k, e := range l.events {
		s, n := splitKey(k)
		scopes[s] = append(scopes[s], ev{k, n, e.Type})
	}
	for _, evs := range scopes {
		sort.Slice(evs, func(i, j int) bool { return evs[i].seq < evs[j].seq })
		if evs[len(evs)-1].typ == "MapIterationSucceeded" {
			continue
		}
		keep := -1
		for i, e := range evs {
			if strings.HasSuffix(e.typ, "StateExited") {
				keep = i
			}
		}
		for _, e := range evs[keep+1:] {
			if e.typ != "ExecutionStarted" {
				delete(l.events, e.key)
			}
		}
	}
}

// nextKey returns the key of the scope's next event and counts it.
func (sc *scope) nextKey() string {
	k := sc.peekKey()
	sc.seq++
	return k
}

// peekKey returns the key the scope's next event will have.
func (sc *scope) peekKey() string {
	if sc.path == "r" && sc.seq < 100 {
		return topKey(sc.seq)
	}
	return sc.path + "." + strconv.Itoa(sc.seq)
}

// topKeys are the keys "r.0" to "r.99" of the top level's first events,
// one after the other: topKey slices them, so that the keys of a short
// execution cost no allocation.
const topKeys = "r.0r.1r.2r.3r.4r.5r.6r.7r.8r.9r.10r.11r.12r.13r.14r.15r.16r.17r.18r.19r.20r.21r.22r.23r.24r.25r.26r.27r.28r.29r.30r.31r.32r.33r.34r.35r.36r.37r.38r.39r.40r.41r.42r.43r.44r.45r.46r.47r.48r.49r.50r.51r.52r.53r.54r.55r.56r.57r.58r.59r.60r.61r.62r.63r.64r.65r.66r.67r.68r.69r.70r.71r.72r.73r.74r.75r.76r.77r.78r.79r.80r.81r.82r.83r.84r.85r.86r.87r.88r.89r.90r.91r.92r.93r.94r.95r.96r.97r.98r.99"

// topKey returns the key "r.<seq>" for seq below 100.
func topKey(seq int) string {
	if seq < 10 {
		return topKeys[3*seq : 3*seq+3]
	}
	i := 30 + 4*(seq-10)
	return topKeys[i : i+4]
}

// childAt returns the scope of branch or iteration i of the Parallel or
// Map state whose ...Started event the scope emitted last.
func (sc *scope) childAt(i int) *scope {
	c := sc.child()
	if sc.x.keyed {
		c.path = sc.path + "." + strconv.Itoa(sc.seq-1) + "/" + strconv.Itoa(i)
		c.replayTS = sc.replayTS
	}
	return c
}

// recorded returns the recorded event at the scope's next key when the
// scope is still replaying.
func (x *execution) recorded(sc *scope) *Event {
	if x.replay == nil || sc.live {
		return nil
	}
	return x.replay.events[sc.peekKey()]
}

// replayEvent stands a recorded event in for the one the scope is about
// to emit: it reports the recorded id and true, or false when the scope
// has gone past its record (it is then live).
func (x *execution) replayEvent(sc *scope, typ string, update bool) (int64, bool) {
	r := x.recorded(sc)
	if r == nil || r.Type != typ {
		sc.live = true
		return 0, false
	}
	sc.seq++
	if update {
		sc.lastEvent = r.ID
	}
	sc.replayTS = r.Timestamp
	sc.replayed = true
	return r.ID, true
}

// replaySleep adjusts a sleep of d for a resumed scope: it reports true
// when what follows the sleep is recorded (no need to sleep), otherwise
// it returns what is left of d since the last recorded event.
func (x *execution) replaySleep(sc *scope, d time.Duration) (time.Duration, bool) {
	if x.recorded(sc) != nil {
		return 0, true
	}
	if !sc.replayTS.IsZero() {
		d -= x.cfg.clock.Now().Sub(sc.replayTS)
		sc.replayTS = time.Time{}
	}
	return max(d, 0), false
}

// now is the time a state of the scope reads: while the scope replays,
// the time of its last recorded event, so that a Wait's Timestamp gives
// the duration it gave the first time.
func (x *execution) now(sc *scope) time.Time {
	if !sc.replayTS.IsZero() {
		return sc.replayTS
	}
	return x.cfg.clock.Now()
}

// replayTask returns the recorded outcome of the task the scope is
// running, if its record has one.
func (x *execution) replayTask(sc *scope) ([]byte, error, bool) {
	r := x.recorded(sc)
	if r == nil {
		return nil, nil, false
	}
	var out *OutputDetails
	var fail *FailureDetails
	switch {
	case r.TaskSucceededEventDetails != nil:
		out = &OutputDetails{Output: r.TaskSucceededEventDetails.Output}
	case r.TaskFailedEventDetails != nil:
		fail = &FailureDetails{Error: r.TaskFailedEventDetails.Error, Cause: r.TaskFailedEventDetails.Cause}
	case r.TaskTimedOutEventDetails != nil:
		fail = &FailureDetails{Error: r.TaskTimedOutEventDetails.Error, Cause: r.TaskTimedOutEventDetails.Cause}
	case r.LambdaFunctionSucceededEventDetails != nil:
		out = r.LambdaFunctionSucceededEventDetails
	case r.ActivitySucceededEventDetails != nil:
		out = r.ActivitySucceededEventDetails
	case r.LambdaFunctionFailedEventDetails != nil:
		fail = r.LambdaFunctionFailedEventDetails
	case r.LambdaFunctionTimedOutEventDetails != nil:
		fail = r.LambdaFunctionTimedOutEventDetails
	case r.ActivityFailedEventDetails != nil:
		fail = r.ActivityFailedEventDetails
	case r.ActivityTimedOutEventDetails != nil:
		fail = r.ActivityTimedOutEventDetails
	default:
		return nil, nil, false
	}
	if fail != nil {
		return nil, &ExecutionError{Name: fail.Error, Cause: fail.Cause}, true
	}
	return []byte(out.Output), nil, true
}

// callbackToken is the token of a .waitForTaskToken task. With keys it
// depends only on the task's place in the execution (and the redrive
// count), so that a resumed execution waits for the token the first run
// handed out: WithKeyedTaskTokens's function makes it from that, or it
// is "<execution name>-<n>" with n a hash of it. Without keys it is
// WithTaskTokens's or "<execution name>-<n>" with n counting.
func (x *execution) callbackToken(sc *scope) string {
	id := x.taskID(sc)
	if id == "" {
		if x.cfg.newToken != nil {
			return x.cfg.newToken()
		}
		return x.name + "-" + strconv.FormatInt(x.tokenNo.Add(1), 10)
	}
	key := id + "#" + strconv.Itoa(x.redrives)
	if x.cfg.keyedToken != nil {
		return x.cfg.keyedToken(key)
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return x.name + "-" + strconv.FormatUint(h.Sum64()>>1, 10)
}

// WithKeyedTaskTokens makes the tokens of .waitForTaskToken tasks of a
// resumable execution (WithResumable) with f, from a key naming the task
// within the execution (the same when the execution is resumed): f must
// give the same token for the same key. Without WithResumable,
// WithTaskTokens applies.
func WithKeyedTaskTokens(f func(key string) string) Option {
	return func(o *config) { o.keyedToken = f }
}

// resumeSetup prepares a run for WithResume: the record, the start time
// and the event count. It returns the time the timeout counts from.
func (x *execution) resumeSetup(now time.Time) time.Time {
	x.start = now
	if x.cfg.resume == nil {
		return now
	}
	x.replay = newReplayLog(x.cfg.resume)
	x.redrives = x.replay.redrives
	x.nEvents.Store(x.replay.maxID)
	if !x.replay.start.IsZero() {
		x.start = x.replay.start
	}
	if !x.replay.runStart.IsZero() {
		return x.replay.runStart
	}
	return x.start
}

// resumedLeft is what is left of a task's timeout d when the task was
// started before the execution was resumed (its Started event replayed):
// d from that event's time.
func (x *execution) resumedLeft(sc *scope, d time.Duration) time.Duration {
	if x.replay == nil || !sc.replayed || sc.replayTS.IsZero() {
		return d
	}
	return max(d-x.cfg.clock.Now().Sub(sc.replayTS), 0)
}

// resumeUUID is uuid for the names of a distributed Map's map run and
// child executions: in a resumed run it is fresh (drawn apart from the
// execution's seeded source, which is still advanced), so that a run or
// child started after the resume never takes the name of one the first
// run started. A run and children in the record keep theirs
// (WithMapRunRecords).
func (x *execution) resumeUUID() string {
	u := x.uuid()
	if x.replay == nil {
		return u
	}
	fresh := &execution{rnd: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}
	return fresh.uuid()
}

// WithHeartbeatDeadlines gives a resumed execution (WithResume) the
// heartbeat deadlines its tasks in flight had when the record ends:
// heartbeats write no history event, so the caller keeps them. f gets a
// task's ID (TaskRequest.ID) and its token (TaskRequest.TaskToken, "" for
// an activity task) and returns the deadline on the execution's clock
// (the time of the last heartbeat plus HeartbeatSeconds) and true, or
// false when it recorded none. Without a recorded deadline, the heartbeat
// window of a task resumed in flight counts from its last recorded event
// (its start), never from the resume: as on AWS, a restart of the service
// does not extend a HeartbeatSeconds deadline.
func WithHeartbeatDeadlines(f func(id, token string) (time.Time, bool)) Option {
	return func(o *config) { o.beatDeadline = f }
}

// resumedBeat is the first heartbeat window of a task of HeartbeatSeconds
// d: d, or for a task resumed in flight what is left of it from its last
// recorded heartbeat (WithHeartbeatDeadlines) or its start.
func (x *execution) resumedBeat(sc *scope, d time.Duration) time.Duration {
	if x.replay == nil || !sc.replayed || sc.replayTS.IsZero() {
		return d
	}
	deadline := sc.replayTS.Add(d)
	if f, id := x.cfg.beatDeadline, x.taskID(sc); f != nil && id != "" {
		if t, ok := f(id, sc.token); ok && t.After(deadline) {
			deadline = t
		}
	}
	return max(deadline.Sub(x.cfg.clock.Now()), 0)
}

// taskID is TaskRequest.ID of the task the scope is about to run: the
// key of its next event in a resumable execution, "" otherwise. In a
// map run's child, whose keys repeat across children, it is the child's
// ARN, a space and the key when the child can be resumed (a recorded
// STANDARD child), "" otherwise.
func (x *execution) taskID(sc *scope) string {
	switch {
	case !x.keyed:
		return ""
	case x.mapChild && !x.resumableChild:
		return ""
	case x.mapChild:
		return x.id + " " + sc.peekKey()
	}
	return sc.peekKey()
}

// MapRunRecord is what was recorded of a distributed Map state's map run
// before its execution was resumed (WithMapRunRecords).
type MapRunRecord struct {
	// Info is the run as last recorded: its start date, maximum
	// concurrency and tolerated failures (as UpdateMapRun left them)
	// carry over.
	Info MapRunInfo
	// Children are the child executions recorded, in any order.
	Children []RecordedChild
}

// RecordedChild is a child execution of a recorded map run.
type RecordedChild struct {
	ChildExecution
	// History is a running STANDARD child's recorded history, as its
	// events reached the run's child hook (with their Keys), in order.
	History []Event
}

// WithMapRunRecords resumes distributed Map states' map runs: when a
// resumed execution (WithResume) replays a MapRunStarted, f returns the
// record of that run (nil when there is none). The run goes on under the
// same ARN: children recorded as ended keep their outcome and do not run
// again, and they count in the run's counts and its tolerated failures;
// a running STANDARD child with a recorded history resumes from it (as
// WithResume does, under the same name); other children that were
// running start again from the beginning under the same name (an EXPRESS
// child: at least once, as on AWS); children not recorded start as
// usual. When the record shows the run ended, a ResultWriter does not
// write its files again.
func WithMapRunRecords(f func(runARN string) (*MapRunRecord, error)) Option {
	return func(o *config) { o.mapRunRecord = f }
}

// recordedMapRun returns the run a resumed scope replays: its recorded
// ARN (from its MapRunStarted) and record, or "" when the run is not in
// the scope's record.
func (x *execution) recordedMapRun(sc *scope) (string, *MapRunRecord) {
	r := x.recorded(sc)
	if r == nil || r.Type != "MapRunStarted" || r.MapRunStartedEventDetails == nil {
		return "", nil
	}
	arn := r.MapRunStartedEventDetails.MapRunArn
	if x.cfg.mapRunRecord == nil {
		return arn, nil
	}
	rec, err := x.cfg.mapRunRecord(arn)
	if err != nil {
		return arn, nil // the children run again
	}
	return arn, rec
}

// restoreInfo gives a resumed run its recorded start and settings.
func (run *MapRun) restoreInfo(rec *MapRunRecord) {
	if rec == nil {
		return
	}
	run.mu.Lock()
	if !rec.Info.StartDate.IsZero() {
		run.info.StartDate = rec.Info.StartDate
	}
	if rec.Info.MaxConcurrency > 0 {
		run.info.MaxConcurrency = rec.Info.MaxConcurrency
	}
	// A tolerance of 0 limits as no tolerance does.
	if rec.Info.ToleratedFailureCount > 0 {
		run.info.ToleratedFailureCount, run.countSet = rec.Info.ToleratedFailureCount, true
	}
	if rec.Info.ToleratedFailurePercentage > 0 {
		run.info.ToleratedFailurePercentage, run.percentSet = rec.Info.ToleratedFailurePercentage, true
	}
	run.mu.Unlock()
}

// restoreRun gives a resumed run the children that ended (their results
// go to res). It returns the running children by index.
func (x *execution) restoreRun(run *MapRun, rec *MapRunRecord, res *childResults, counts []int) map[int]*RecordedChild {
	if rec == nil {
		return nil
	}
	kids := append([]RecordedChild(nil), rec.Children...)
	sort.Slice(kids, func(i, j int) bool { return kids[i].Index < kids[j].Index })
	running := map[int]*RecordedChild{}
	for i := range kids {
		c := &kids[i]
		if c.Index < 0 || c.Index >= len(counts) || res.ran[c.Index] {
			continue
		}
		if c.Status == "" {
			running[c.Index] = c
			continue
		}
		items := int64(counts[c.Index])
		ce := c.ChildExecution
		run.startChild(ce, items)
		run.endChild(ce.Name, ce.Status, ce.StopDate, ce.Output, ce.Error, ce.Cause, items, true)
		r := childResult{name: ce.Name, arn: ce.ExecutionARN, status: ce.Status, start: ce.StartDate, stop: ce.StopDate}
		if v, err := parseJSON([]byte(ce.Input)); err == nil {
			r.input = v
		}
		if ce.Status == StatusSucceeded {
			if v, err := parseJSON([]byte(ce.Output)); err == nil {
				r.out = v
			}
		} else {
			r.err = &ExecutionError{Name: ce.Error, Cause: ce.Cause}
		}
		res.list[c.Index], res.ran[c.Index] = r, true
	}
	return running
}
