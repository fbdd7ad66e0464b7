package activity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/sync/semaphore"
)

// API is the part of the Step Functions client a worker uses.
// *sfn.Client satisfies it, and so does runtime.SFNAPI.
type API interface {
	CreateActivity(ctx context.Context, in *sfn.CreateActivityInput, optFns ...func(*sfn.Options)) (*sfn.CreateActivityOutput, error)
	ListActivities(ctx context.Context, in *sfn.ListActivitiesInput, optFns ...func(*sfn.Options)) (*sfn.ListActivitiesOutput, error)
	GetActivityTask(ctx context.Context, in *sfn.GetActivityTaskInput, optFns ...func(*sfn.Options)) (*sfn.GetActivityTaskOutput, error)
	SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
	SendTaskHeartbeat(ctx context.Context, in *sfn.SendTaskHeartbeatInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskHeartbeatOutput, error)
}

var _ API = (*sfn.Client)(nil)

// Handler processes one task. input is the task's JSON input. The output
// is sent as the task's result: a json.RawMessage or []byte is sent as is
// (it must be JSON), anything else is encoded with encoding/json. A
// returned error fails the task: an *ActivityError (anywhere in the chain)
// gives its error name and cause, any other error the name
// [ErrorNameHandler] and its message as the cause. A panic fails the task
// with [ErrorNamePanic]; the worker carries on.
//
// ctx is cancelled when the service reports the task timed out (cause
// [ErrTaskTimedOut]) and when the worker's grace period runs out at
// shutdown (cause [ErrShutdown]).
type Handler func(ctx context.Context, input json.RawMessage, hb Heartbeater) (output any, err error)

// Heartbeater sends heartbeats for the task a handler is working on.
type Heartbeater interface {
	// Beat sends SendTaskHeartbeat. When the service answers that the
	// task timed out, Beat cancels the handler's context and returns an
	// error matching ErrTaskTimedOut.
	Beat(ctx context.Context) error
}

// Options configure a Worker. The zero value is usable.
type Options struct {
	// WorkerName is sent with GetActivityTask and shows in the execution
	// history. Default: the activity name, a dash and six random letters
	// (as heaviside).
	WorkerName string
	// Concurrency is how many tasks run at once; the worker takes no new
	// task while that many run. Default 1.
	Concurrency int
	// Pollers is how many GetActivityTask calls may be in flight at once
	// (each holds a free slot, so it never exceeds Concurrency). One
	// poller takes one task per round trip; more raise throughput when
	// round trips are slow. Default 1, as heaviside. Note that stopping
	// abandons the polls in flight, and on AWS a task handed to an
	// abandoned poll waits for its timeout before it is retried.
	Pollers int
	// Heartbeat, if positive, sends a heartbeat this often while a
	// handler runs (use it when the state has HeartbeatSeconds).
	Heartbeat time.Duration
	// GracePeriod is how long Run waits, once its context is cancelled,
	// for tasks in flight before cancelling their contexts. Default 30 s.
	GracePeriod time.Duration
	// StopTimeout is how long Run then waits for the handlers whose
	// context it cancelled to return. A task whose handler is still
	// running after that is failed by Run itself with
	// [ErrorNameShutdown], and Run returns without waiting for it (any
	// result its handler returns later is dropped). Default 10 s.
	StopTimeout time.Duration
	// PollTimeout is the client-side limit on one GetActivityTask call.
	// The service holds the long poll for up to 60 s, so it must be above
	// that. Default 70 s.
	PollTimeout time.Duration
	// IdleDelay is a pause after an empty poll that came back early (the
	// service holds an empty poll for 60 s; a server that answers at once
	// would otherwise be polled in a busy loop). Default 500 ms.
	IdleDelay time.Duration
	// RetryMin and RetryMax bound the exponential backoff after a
	// transient error. Defaults 500 ms and 30 s.
	RetryMin, RetryMax time.Duration
	// SendTimeout limits each SendTask* call. Default 30 s.
	SendTimeout time.Duration
	// Logger receives the worker's logs. Default: discarded.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	if o.Pollers <= 0 {
		o.Pollers = 1
	}
	o.Pollers = min(o.Pollers, o.Concurrency)
	if o.GracePeriod <= 0 {
		o.GracePeriod = 30 * time.Second
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = 10 * time.Second
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = 70 * time.Second
	}
	if o.IdleDelay <= 0 {
		o.IdleDelay = 500 * time.Millisecond
	}
	if o.RetryMin <= 0 {
		o.RetryMin = 500 * time.Millisecond
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(30*time.Second, o.RetryMin)
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Worker polls one activity and runs a Handler for each task. Create it
// with NewWorker; a Worker may be Run again after Run returns.
type Worker struct {
	api      API
	activity string // name or ARN as given
	handler  Handler
	opts     Options
	log      *slog.Logger

	mu  sync.Mutex
	arn string // resolved ARN
}

// NewWorker returns a worker for activity, which is an activity ARN
// (starting with "arn:") or a name; a name is looked up when Run starts,
// and the activity is created if it does not exist.
func NewWorker(api API, activity string, h Handler, o Options) (*Worker, error) {
	if api == nil {
		return nil, errors.New("activity worker: no Step Functions client")
	}
	if strings.TrimSpace(activity) == "" {
		return nil, errors.New("activity worker: no activity name or ARN")
	}
	if h == nil {
		return nil, fmt.Errorf("activity worker %s: no handler", activity)
	}
	o = o.withDefaults()
	name := activityName(activity)
	if o.WorkerName == "" {
		o.WorkerName = truncate(name, 80-7) + "-" + randomLetters(6)
	}
	w := &Worker{api: api, activity: activity, handler: h, opts: o}
	w.log = o.Logger.With("activity", name, "worker", o.WorkerName)
	if isARN(activity) {
		w.arn = activity
	}
	return w, nil
}

// ARN returns the activity's ARN: as given, or once Run has looked it up.
func (w *Worker) ARN() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.arn
}

// Name returns the worker name sent with each poll.
func (w *Worker) Name() string { return w.opts.WorkerName }

func isARN(s string) bool { return strings.HasPrefix(strings.ToLower(s), "arn:") }

// activityName is the last part of an ARN, or the name itself.
func activityName(s string) string {
	if isARN(s) {
		return s[strings.LastIndexByte(s, ':')+1:]
	}
	return s
}

func randomLetters(n int) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[mrand.IntN(len(letters))]
	}
	return string(b)
}

// Run polls for tasks until ctx is cancelled, then stops polling and waits
// for the tasks in flight: up to the grace period, after which their
// contexts are cancelled (cause [ErrShutdown]) and each such task is
// failed with [ErrorNameShutdown]; then up to StopTimeout for those
// handlers to return, after which Run fails the tasks of the handlers
// still running itself and returns without them. Every task Run took is
// thus finished or failed when it returns.
//
// It returns nil after a shutdown asked for by ctx in which every task in
// flight finished, a *ShutdownError when tasks had to be failed with
// [ErrorNameShutdown], and an error when the loop cannot go on: the
// activity cannot be looked up or created, or polling fails with an error
// that retrying will not fix (for example, the activity was deleted).
// Transient errors are retried with backoff.
//
// Note: cancelling ctx also abandons the poll in flight; on AWS a task
// handed to an abandoned poll is only retried after its timeout. A task
// that arrives while stopping is still run.
func (w *Worker) Run(ctx context.Context) error {
	arn, err := w.resolve(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	w.log.InfoContext(ctx, "polling for tasks", "arn", arn, "concurrency", w.opts.Concurrency, "pollers", w.opts.Pollers)

	// Tasks outlive ctx by the grace period: their context is separate.
	taskBase, cancelTasks := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelTasks(ErrShutdown)
	rs := &runState{arn: arn, base: taskBase, tasks: map[*taskRun]struct{}{}}
	sem := semaphore.NewWeighted(int64(w.opts.Concurrency))

	// Pollers share the slots; the first one to fail stops the others.
	pollCtx, stopPolling := context.WithCancel(ctx)
	errs := make(chan error, w.opts.Pollers)
	for range w.opts.Pollers {
		go func() {
			err := w.poll(pollCtx, rs, sem)
			if err != nil {
				stopPolling()
			}
			errs <- err
		}()
	}
	var loopErr error
	for range w.opts.Pollers {
		if err := <-errs; err != nil && loopErr == nil {
			loopErr = err
		}
	}
	stopPolling()

	done := make(chan struct{})
	go func() { rs.wg.Wait(); close(done) }()
	abandoned := 0
	select {
	case <-done:
	case <-time.After(w.opts.GracePeriod):
		w.log.Warn("grace period over; cancelling tasks in flight", "grace", w.opts.GracePeriod, "tasks", rs.count())
		cancelTasks(ErrShutdown)
		select {
		case <-done:
		case <-time.After(w.opts.StopTimeout):
			// A handler that ignores its context cannot be stopped, but
			// its task must not be left running on the service.
			abandoned = w.failLeftovers(rs)
		}
	}
	w.log.Info("stopped polling", "arn", arn)
	if n := rs.interrupted.Load(); n > 0 {
		return errors.Join(loopErr, &ShutdownError{Activity: arn, Interrupted: int(n), Abandoned: abandoned})
	}
	return loopErr
}

// ShutdownError reports the tasks a worker could not let finish when it
// shut down: each was failed with [ErrorNameShutdown].
type ShutdownError struct {
	Activity    string // the activity ARN
	Interrupted int    // tasks failed with ErrorNameShutdown
	// Abandoned counts the handlers among them that had still not
	// returned StopTimeout after their context was cancelled; they may
	// still be running.
	Abandoned int
}

func (e *ShutdownError) Error() string {
	msg := fmt.Sprintf("activity %s: %d task(s) did not finish within the grace period and were failed with %s",
		e.Activity, e.Interrupted, ErrorNameShutdown)
	if e.Abandoned > 0 {
		msg += fmt.Sprintf("; %d handler(s) ignored the cancellation and were left running", e.Abandoned)
	}
	return msg
}

// runState is what one Run shares with its pollers and tasks.
type runState struct {
	arn         string
	base        context.Context // the tasks' parent context
	wg          sync.WaitGroup
	interrupted atomic.Int64 // tasks failed with ErrorNameShutdown

	mu    sync.Mutex
	tasks map[*taskRun]struct{} // in flight
}

func (rs *runState) count() int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return len(rs.tasks)
}

// taskRun is one task in flight.
type taskRun struct {
	token    string
	reported atomic.Bool // its result or failure is sent (or being sent)
}

// claim reports whether the caller is the one to send t's outcome.
func (t *taskRun) claim() bool { return t.reported.CompareAndSwap(false, true) }

// failLeftovers fails, with ErrorNameShutdown, the tasks whose handlers
// have not returned, and returns how many there were.
func (w *Worker) failLeftovers(rs *runState) int {
	rs.mu.Lock()
	var left []*taskRun
	for t := range rs.tasks {
		left = append(left, t)
	}
	rs.mu.Unlock()
	w.log.Error("handlers still running after their context was cancelled; failing their tasks and leaving them behind",
		"tasks", len(left), "stop_timeout", w.opts.StopTimeout)
	var wg sync.WaitGroup
	n := 0
	for _, t := range left {
		if !t.claim() {
			continue // it is reporting right now
		}
		n++
		rs.interrupted.Add(1)
		wg.Go(func() {
			w.fail(rs.base, t.token, ErrorNameShutdown, fmt.Sprintf(
				"worker stopped; the task's handler did not return within %v after it was cancelled", w.opts.StopTimeout))
		})
	}
	wg.Wait()
	return n
}

// poll is the polling loop; it returns nil when ctx is cancelled.
func (w *Worker) poll(ctx context.Context, rs *runState, sem *semaphore.Weighted) error {
	arn := rs.arn
	b := backoff{min: w.opts.RetryMin, max: w.opts.RetryMax}
	for {
		// Take no task while every slot is busy.
		if err := sem.Acquire(ctx, 1); err != nil {
			return nil
		}
		start := time.Now()
		pctx, cancel := context.WithTimeout(ctx, w.opts.PollTimeout)
		out, err := w.api.GetActivityTask(pctx, &sfn.GetActivityTaskInput{
			ActivityArn: aws.String(arn),
			WorkerName:  aws.String(w.opts.WorkerName),
		})
		cancel()
		if err == nil && out != nil && aws.ToString(out.TaskToken) != "" {
			// Run the task even if we were told to stop meanwhile: the
			// grace period covers it, and the service has handed it over.
			b.reset()
			t := &taskRun{token: aws.ToString(out.TaskToken)}
			input := json.RawMessage(aws.ToString(out.Input))
			rs.mu.Lock()
			rs.tasks[t] = struct{}{}
			rs.mu.Unlock()
			rs.wg.Add(1)
			go func() {
				defer rs.wg.Done()
				defer sem.Release(1)
				defer func() {
					rs.mu.Lock()
					delete(rs.tasks, t)
					rs.mu.Unlock()
				}()
				w.runTask(rs, t, input)
			}()
			continue
		}
		if ctx.Err() != nil {
			sem.Release(1)
			return nil
		}
		if err != nil {
			sem.Release(1)
			if !Transient(err) {
				return fmt.Errorf("activity %s: polling for tasks: %w", arn, err)
			}
			d := b.next()
			w.log.WarnContext(ctx, "polling for tasks failed; retrying", "error", err, "retry_in", d)
			if !sleep(ctx, d) {
				return nil
			}
			continue
		}
		// No task: the service held the poll for its full time, or it
		// does not hold polls at all (then pause, not to busy-loop).
		b.reset()
		sem.Release(1)
		if time.Since(start) < w.opts.IdleDelay && !sleep(ctx, w.opts.IdleDelay) {
			return nil
		}
	}
}

// resolve returns the activity ARN, looking the name up (and creating the
// activity) the first time. Transient errors are retried.
func (w *Worker) resolve(ctx context.Context) (string, error) {
	if arn := w.ARN(); arn != "" {
		return arn, nil
	}
	b := backoff{min: w.opts.RetryMin, max: w.opts.RetryMax}
	for {
		arn, err := LookupOrCreate(ctx, w.api, w.activity)
		if err == nil {
			w.mu.Lock()
			w.arn = arn
			w.mu.Unlock()
			return arn, nil
		}
		if !Transient(err) {
			return "", err
		}
		d := b.next()
		w.log.WarnContext(ctx, "looking up the activity failed; retrying", "error", err, "retry_in", d)
		if !sleep(ctx, d) {
			return "", ctx.Err()
		}
	}
}

// LookupOrCreate returns the ARN of the activity with the given name,
// creating it if there is none (CreateActivity is idempotent for a name).
// An ARN is returned as is.
func LookupOrCreate(ctx context.Context, api API, name string) (string, error) {
	if isARN(name) {
		return name, nil
	}
	p := sfn.NewListActivitiesPaginator(api, &sfn.ListActivitiesInput{MaxResults: 1000})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("looking up activity %q: %w", name, err)
		}
		for _, a := range page.Activities {
			if aws.ToString(a.Name) == name {
				return aws.ToString(a.ActivityArn), nil
			}
		}
	}
	out, err := api.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("creating activity %q: %w", name, err)
	}
	return aws.ToString(out.ActivityArn), nil
}

// heartbeater is the Heartbeater of one task.
type heartbeater struct {
	w      *Worker
	token  string
	cancel context.CancelCauseFunc
}

func (h *heartbeater) Beat(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.w.opts.SendTimeout)
	defer cancel()
	_, err := h.w.api.SendTaskHeartbeat(cctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(h.token)})
	if err == nil {
		return nil
	}
	if isTimedOut(err) {
		h.cancel(ErrTaskTimedOut)
		return fmt.Errorf("heartbeat: %w (%w)", ErrTaskTimedOut, err)
	}
	return fmt.Errorf("heartbeat: %w", err)
}

// Task describes the task a handler works on; see TaskFromContext.
type Task struct {
	Token       string // the task token
	ActivityARN string
	WorkerName  string
}

type taskKey struct{}

// TaskFromContext returns the task a handler's context belongs to.
func TaskFromContext(ctx context.Context) (Task, bool) {
	t, ok := ctx.Value(taskKey{}).(Task)
	return t, ok
}

// runTask runs the handler for one task and reports its result, unless
// Run has failed the task meanwhile.
func (w *Worker) runTask(rs *runState, tr *taskRun, input json.RawMessage) {
	base, token := rs.base, tr.token
	ctx, cancel := context.WithCancelCause(context.WithValue(base, taskKey{},
		Task{Token: token, ActivityARN: rs.arn, WorkerName: w.opts.WorkerName}))
	defer cancel(nil)
	hb := &heartbeater{w: w, token: token, cancel: cancel}
	log := w.log.With("task", shortToken(token))
	log.DebugContext(ctx, "task started")

	if w.opts.Heartbeat > 0 {
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			t := time.NewTicker(w.opts.Heartbeat)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-ctx.Done():
					return
				case <-t.C:
					if err := hb.Beat(ctx); err != nil {
						log.WarnContext(ctx, "heartbeat failed", "error", err)
					}
				}
			}
		}()
	}

	out, err := w.call(ctx, input, hb, log)
	if cause := context.Cause(ctx); errors.Is(cause, ErrTaskTimedOut) {
		// The service will not accept a result any more.
		log.WarnContext(ctx, "task timed out; result dropped")
		return
	}
	if !tr.claim() {
		log.WarnContext(ctx, "handler returned after its task was failed at shutdown; result dropped")
		return
	}
	if err != nil {
		if errors.Is(context.Cause(ctx), ErrShutdown) {
			rs.interrupted.Add(1)
			log.WarnContext(ctx, "task stopped at shutdown", "error", ErrorNameShutdown, "cause", err.Error())
			w.fail(base, token, ErrorNameShutdown, "worker stopped before the task finished: "+err.Error())
			return
		}
		name, cause := failureOf(err)
		log.InfoContext(ctx, "task failed", "error", name, "cause", cause)
		w.fail(base, token, name, cause)
		return
	}
	data, name, cause := encodeOutput(out)
	if name != "" {
		log.WarnContext(ctx, "task output refused", "error", name, "cause", cause)
		w.fail(base, token, name, cause)
		return
	}
	w.succeed(base, token, data, log)
}

// call runs the handler, turning a panic into an error.
func (w *Worker) call(ctx context.Context, input json.RawMessage, hb Heartbeater, log *slog.Logger) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			log.ErrorContext(ctx, "handler panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			out, err = nil, &ActivityError{ErrorName: ErrorNamePanic, Cause: panicError{r}.Error()}
		}
	}()
	return w.handler(ctx, input, hb)
}

// encodeOutput returns the JSON to send, or the error name and cause of
// why it cannot be sent.
func encodeOutput(out any) (data []byte, errName, cause string) {
	switch v := out.(type) {
	case json.RawMessage:
		data = v
	case []byte:
		data = v
	default:
		var err error
		if data, err = json.Marshal(out); err != nil {
			return nil, ErrorNameInvalidOutput, "encoding the task output as JSON: " + err.Error()
		}
	}
	if len(data) == 0 {
		data = []byte("null")
	}
	if !json.Valid(data) {
		return nil, ErrorNameInvalidOutput, "the task output is not valid JSON"
	}
	if !utf8.Valid(data) {
		return nil, ErrorNameInvalidOutput, "the task output is not valid UTF-8"
	}
	if len(data) > MaxOutputBytes {
		return nil, ErrorNameOutputTooLarge, fmt.Sprintf(
			"the task output is %d bytes; Step Functions accepts at most %d (256 KiB)", len(data), MaxOutputBytes)
	}
	return data, "", ""
}

// succeed sends SendTaskSuccess, retrying transient errors. If the service
// refuses the output itself, the task is failed with the service's reason
// instead of retrying.
func (w *Worker) succeed(base context.Context, token string, data []byte, log *slog.Logger) {
	err := w.send(base, "SendTaskSuccess", func(ctx context.Context) error {
		_, err := w.api.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(string(data))})
		return err
	})
	switch {
	case err == nil:
		log.Debug("task succeeded", "output_bytes", len(data))
	case isTimedOut(err):
		log.Warn("task timed out before its output was sent; result dropped")
	case Transient(err):
		log.Error("could not send the task output", "error", err)
	default:
		// The service refused the output itself (too large, not JSON, ...):
		// fail the task with its reason rather than leave it to time out.
		name := ErrorNameInvalidOutput
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) && re.HTTPStatusCode() == 413 ||
			len(data) > 32*1024 && strings.Contains(strings.ToLower(err.Error()), "output") {
			name = ErrorNameOutputTooLarge
		}
		cause := fmt.Sprintf("Step Functions refused the task output (%d bytes): %v", len(data), err)
		log.Warn("task output refused", "error", name, "cause", cause)
		w.fail(base, token, name, cause)
	}
}

// fail sends SendTaskFailure, retrying transient errors; errors are logged.
func (w *Worker) fail(base context.Context, token, name, cause string) {
	err := w.send(base, "SendTaskFailure", func(ctx context.Context) error {
		_, err := w.api.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{
			TaskToken: aws.String(token),
			Error:     aws.String(truncate(name, maxErrorLen)),
			Cause:     aws.String(truncate(cause, maxCauseLen)),
		})
		return err
	})
	switch {
	case err == nil:
	case isTimedOut(err):
		w.log.Warn("task timed out before its failure was sent", "task", shortToken(token))
	default:
		w.log.Error("could not send the task failure", "task", shortToken(token), "error", err)
	}
}

// send runs one SendTask* call with a timeout, retrying transient errors
// a few times. It does not stop when the worker's context is cancelled:
// a finished task's result is always worth sending.
func (w *Worker) send(base context.Context, op string, call func(context.Context) error) error {
	b := backoff{min: w.opts.RetryMin, max: w.opts.RetryMax}
	base = context.WithoutCancel(base)
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		ctx, cancel := context.WithTimeout(base, w.opts.SendTimeout)
		err = call(ctx)
		cancel()
		if err == nil || !Transient(err) {
			return err
		}
		d := b.next()
		w.log.Warn(op+" failed; retrying", "error", err, "retry_in", d)
		time.Sleep(d)
	}
	return err
}

func shortToken(t string) string {
	if len(t) > 12 {
		return t[:12] + "…"
	}
	return t
}

// backoff is exponential backoff with full jitter. (Hand-written: a few
// lines, and the SDK's own retryer is not reusable for loop-level waits.)
type backoff struct {
	min, max time.Duration
	n        int
}

func (b *backoff) next() time.Duration {
	d := b.min << min(b.n, 20)
	if d > b.max || d <= 0 {
		d = b.max
	}
	b.n++
	// Between half and all of d, so waits grow but do not synchronise.
	return d/2 + time.Duration(mrand.Int64N(int64(d/2)+1))
}

func (b *backoff) reset() { b.n = 0 }

// sleep waits d or until ctx is done; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
