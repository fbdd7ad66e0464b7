package fanout

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"golang.org/x/time/rate"

	"github.com/hsc-dev/hsc/activity"
)

// API is the part of the Step Functions client a fan-out uses.
// *sfn.Client satisfies it, and so does runtime.SFNAPI.
type API interface {
	ListStateMachines(ctx context.Context, in *sfn.ListStateMachinesInput, optFns ...func(*sfn.Options)) (*sfn.ListStateMachinesOutput, error)
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
	StopExecution(ctx context.Context, in *sfn.StopExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StopExecutionOutput, error)
	GetExecutionHistory(ctx context.Context, in *sfn.GetExecutionHistoryInput, optFns ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error)
	ListExecutions(ctx context.Context, in *sfn.ListExecutionsInput, optFns ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error)
}

var _ API = (*sfn.Client)(nil)

// Error names used when stopping or reporting sub-executions.
const (
	// ErrorNameStopped is recorded on the sub-executions a fan-out stops.
	ErrorNameStopped = "hsc.FanoutStopped"
	// ErrorNameFailed is recorded in a State that ended for a reason
	// other than a failed sub-execution (an unknown state machine, an
	// input the service refused).
	ErrorNameFailed = "hsc.FanoutFailed"
	// ErrorNameUnknown is returned when a sub-execution failed and the
	// service recorded no error for it.
	ErrorNameUnknown = "hsc.Unknown"
)

// ErrNameClash: an execution with a fan-out's derived name exists but has
// a different input, so it belongs to another fan-out with the same id.
var ErrNameClash = errors.New("execution name already used with a different input")

// Config tunes a fan-out. Start from DefaultConfig: zero durations mean
// no delay.
type Config struct {
	// ID prefixes execution names (<ID>-<input index>). Empty: a new
	// random id. At most 64 characters: letters, digits, '-' and '_'.
	ID string
	// MaxConcurrent is the most sub-executions running at once.
	MaxConcurrent int
	// RampupDelay is the pause after the first launch; each launch
	// multiplies it by RampupBackoff (rounded down to whole seconds when
	// it started at a second or more, as heaviside, else to milliseconds)
	// until it reaches zero.
	RampupDelay   time.Duration
	RampupBackoff float64
	// PollDelay is the pause between status rounds (blocking form only).
	PollDelay time.Duration
	// StatusDelay is the minimum interval between status calls
	// (DescribeExecution), a rate limit shared by all rounds.
	StatusDelay time.Duration
	// Common holds keys merged into every input that is a JSON object
	// (they override the input's own keys, as in heaviside); ignored, with
	// a warning, for other inputs.
	Common map[string]any
	// Logger receives progress logs. Nil: none.
	Logger *slog.Logger
}

// DefaultConfig returns heaviside's defaults: 50 concurrent, ramp-up 15 s
// shrinking by 0.8, a status round every 5 s, at most one status call a
// second.
func DefaultConfig() Config {
	return Config{
		MaxConcurrent: 50,
		RampupDelay:   15 * time.Second,
		RampupBackoff: 0.8,
		PollDelay:     5 * time.Second,
		StatusDelay:   time.Second,
	}
}

// Running is a launched sub-execution that has not been seen to finish.
type Running struct {
	Index int    `json:"index"` // into Inputs
	ARN   string `json:"arn"`
}

// Failure is the error and cause of the sub-execution that ended a
// fan-out.
type Failure struct {
	Error string `json:"error"`
	Cause string `json:"cause"`
}

// State is a resumable fan-out; all of it marshals to one JSON value. The
// field names follow heaviside's fanout_nonblocking arguments where the
// meaning is the same; durations are in seconds.
type State struct {
	ID              string            `json:"fanout_id"`
	StateMachine    string            `json:"sub_sfn"` // name or ARN
	StateMachineARN string            `json:"sub_sfn_arn,omitempty"`
	Common          json.RawMessage   `json:"common_sub_args,omitempty"`
	Inputs          []json.RawMessage `json:"sub_args"`
	MaxConcurrent   int               `json:"max_concurrent"`
	RampupDelay     float64           `json:"rampup_delay"` // the current delay
	RampupBackoff   float64           `json:"rampup_backoff"`
	RampupSeconds   bool              `json:"rampup_whole_seconds,omitempty"`
	StatusDelay     float64           `json:"status_delay"`
	// Next is the index of the next input to launch.
	Next    int       `json:"next"`
	Running []Running `json:"running"`
	// Results holds each finished execution's output, by input index
	// (null until it finished).
	Results  []json.RawMessage `json:"results"`
	Finished bool              `json:"finished"`
	// Failure is set when the fan-out ended with a failed sub-execution.
	Failure *Failure `json:"failure,omitempty"`

	limiter *rate.Limiter
	warned  bool
}

// NewState prepares a fan-out of inputs over stateMachine (a name or an
// ARN). Inputs are encoded with encoding/json (a json.RawMessage as is).
func NewState[T any](stateMachine string, inputs []T, cfg Config) (*State, error) {
	if strings.TrimSpace(stateMachine) == "" {
		return nil, errors.New("fan-out: no state machine name or ARN")
	}
	if cfg.MaxConcurrent <= 0 {
		return nil, fmt.Errorf("fan-out: MaxConcurrent must be positive, not %d (start from DefaultConfig)", cfg.MaxConcurrent)
	}
	if cfg.RampupBackoff < 0 || cfg.RampupBackoff > 1 || math.IsNaN(cfg.RampupBackoff) {
		return nil, fmt.Errorf("fan-out: RampupBackoff must be between 0 and 1, not %v", cfg.RampupBackoff)
	}
	if cfg.RampupDelay < 0 || cfg.StatusDelay < 0 || cfg.PollDelay < 0 {
		return nil, errors.New("fan-out: delays must not be negative")
	}
	id := cfg.ID
	if id == "" {
		id = newID()
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	s := &State{
		ID:            id,
		StateMachine:  stateMachine,
		MaxConcurrent: cfg.MaxConcurrent,
		RampupDelay:   cfg.RampupDelay.Seconds(),
		RampupBackoff: cfg.RampupBackoff,
		RampupSeconds: cfg.RampupDelay >= time.Second,
		StatusDelay:   cfg.StatusDelay.Seconds(),
		Inputs:        make([]json.RawMessage, len(inputs)),
		Results:       make([]json.RawMessage, len(inputs)),
		Running:       []Running{},
	}
	if strings.HasPrefix(stateMachine, "arn:") {
		s.StateMachineARN = stateMachine
	}
	for i, in := range inputs {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("fan-out: input %d: %w", i, err)
		}
		s.Inputs[i] = b
	}
	if len(cfg.Common) > 0 {
		b, err := json.Marshal(cfg.Common)
		if err != nil {
			return nil, fmt.Errorf("fan-out: common input: %w", err)
		}
		s.Common = b
	}
	s.Finished = len(inputs) == 0
	return s, nil
}

func newID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "fanout-" + time.Now().UTC().Format("20060102T150405") + "-" + fmt.Sprintf("%x", b)
}

func checkID(id string) error {
	if len(id) > 64 {
		return fmt.Errorf("fan-out id %q is longer than 64 characters", id)
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("fan-out id %q: only letters, digits, '-' and '_' are allowed", id)
		}
	}
	return nil
}

// ExecutionName is the name of the execution for input index of fan-out id.
func ExecutionName(id string, index int) string { return id + "-" + strconv.Itoa(index) }

// Resume runs one round of the fan-out whose state is the JSON value
// state, and returns the new state: the body of a Lambda function in a
// state machine loop (heaviside's fanout_nonblocking). The loop ends when
// the returned state has "finished": true. A failed sub-execution gives an
// *activity.ActivityError.
func Resume(ctx context.Context, api API, state json.RawMessage, log *slog.Logger) (json.RawMessage, error) {
	var s State
	if err := json.Unmarshal(state, &s); err != nil {
		return nil, fmt.Errorf("fan-out state: %w", err)
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	err := s.Step(ctx, api, log)
	out, merr := json.Marshal(&s)
	if merr != nil {
		return nil, merr
	}
	return out, err
}

func (s *State) validate() error {
	switch {
	case s.StateMachine == "" && s.StateMachineARN == "":
		return errors.New("fan-out state: no sub_sfn")
	case s.MaxConcurrent <= 0:
		return errors.New("fan-out state: max_concurrent must be positive")
	case len(s.Results) != len(s.Inputs):
		return fmt.Errorf("fan-out state: %d results for %d inputs", len(s.Results), len(s.Inputs))
	case s.Next < 0 || s.Next > len(s.Inputs):
		return fmt.Errorf("fan-out state: next %d out of range", s.Next)
	}
	for _, r := range s.Running {
		if r.Index < 0 || r.Index >= s.Next || r.ARN == "" {
			return fmt.Errorf("fan-out state: bad running entry %+v", r)
		}
	}
	return checkID(s.ID)
}

// Step runs one round: it asks the status of each running execution,
// collects outputs, and launches inputs while fewer than MaxConcurrent
// run (pausing for the ramp-up delay after each launch). It sets Finished
// when all are done. Throttling, other transient errors and a name that
// already exists never stop running work; they are retried next round.
//
// When a sub-execution failed, Step stops every running one, records the
// failure, sets Finished and returns an *activity.ActivityError with the
// failed execution's error and cause. Other errors (unknown state machine,
// an input the service refuses) also stop the running ones. If ctx is
// cancelled, Step returns its error and leaves the state consistent (and
// the executions running), so the next Step resumes.
func (s *State) Step(ctx context.Context, api API, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("fanout", s.ID)
	if s.Failure != nil {
		return &activity.ActivityError{ErrorName: s.Failure.Error, Cause: s.Failure.Cause}
	}
	if s.Finished {
		return nil
	}
	if s.Running == nil {
		s.Running = []Running{}
	}
	if s.StateMachineARN == "" {
		arn, err := lookupMachine(ctx, api, s.StateMachine)
		if err != nil {
			if activity.Transient(err) {
				log.WarnContext(ctx, "looking up the state machine failed; retrying next round", "error", err)
				return nil
			}
			return err
		}
		s.StateMachineARN = arn
	}
	if s.limiter == nil {
		s.limiter = newLimiter(s.StatusDelay)
	}

	// Status round.
	var failed *Running
	var failure Failure
	still := make([]Running, 0, len(s.Running))
	for i, r := range s.Running {
		if err := s.limiter.Wait(ctx); err != nil {
			s.Running = append(still, s.Running[i:]...)
			return err
		}
		d, err := api.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(r.ARN)})
		if err != nil {
			if ctx.Err() != nil {
				s.Running = append(still, s.Running[i:]...)
				return ctx.Err()
			}
			if activity.Transient(err) {
				log.WarnContext(ctx, "status call failed; asking again next round", "arn", r.ARN, "error", err)
				still = append(still, r)
				continue
			}
			s.Running = append(still, s.Running[i+1:]...)
			return s.abort(ctx, api, log, fmt.Errorf("fan-out: status of %s: %w", r.ARN, err))
		}
		switch d.Status {
		case types.ExecutionStatusSucceeded:
			out := aws.ToString(d.Output)
			if out == "" {
				out = "null"
			}
			s.Results[r.Index] = json.RawMessage(out)
		case types.ExecutionStatusRunning, types.ExecutionStatusPendingRedrive:
			still = append(still, r)
		default:
			if failed == nil {
				failed = &r
				failure = executionFailure(ctx, api, d)
				log.WarnContext(ctx, "sub-execution did not succeed", "arn", r.ARN, "status", d.Status,
					"error", failure.Error, "cause", failure.Cause)
			}
		}
	}
	s.Running = still
	log.DebugContext(ctx, "status round", "running", len(s.Running), "launched", s.Next, "inputs", len(s.Inputs))
	if failed != nil {
		s.stopAll(ctx, api, log, fmt.Sprintf("sub-execution %s failed", failed.ARN))
		s.Failure = &failure
		s.Finished = true
		return &activity.ActivityError{ErrorName: failure.Error, Cause: failure.Cause}
	}

	// Launches.
	for s.Next < len(s.Inputs) && len(s.Running) < s.MaxConcurrent {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		input, err := s.input(s.Next, log)
		if err != nil {
			return s.abort(ctx, api, log, err)
		}
		name := ExecutionName(s.ID, s.Next)
		arn, err := s.start(ctx, api, name, input)
		switch {
		case err == nil:
		case ctx.Err() != nil:
			// The start may or may not have happened; the next round
			// adopts it if it did.
			return ctx.Err()
		case errors.Is(err, ErrNameClash):
			return err // not ours to stop, and retrying cannot help
		case activity.Transient(err):
			log.WarnContext(ctx, "starting a sub-execution failed; retrying next round", "name", name, "error", err)
			return nil
		default:
			return s.abort(ctx, api, log, fmt.Errorf("fan-out: starting %s: %w", name, err))
		}
		s.Running = append(s.Running, Running{Index: s.Next, ARN: arn})
		s.Next++
		if s.RampupDelay > 0 && (s.Next < len(s.Inputs)) {
			if !sleep(ctx, time.Duration(s.RampupDelay*float64(time.Second))) {
				return ctx.Err()
			}
			s.RampupDelay = s.shrink(s.RampupDelay)
		}
	}
	if s.Next == len(s.Inputs) && len(s.Running) == 0 {
		s.Finished = true
	}
	return nil
}

// shrink returns the next ramp-up delay, in seconds.
func (s *State) shrink(d float64) float64 {
	d *= s.RampupBackoff
	if s.RampupSeconds {
		return math.Floor(d)
	}
	return math.Floor(d*1000) / 1000
}

func newLimiter(delaySeconds float64) *rate.Limiter {
	if delaySeconds <= 0 {
		return rate.NewLimiter(rate.Inf, 1)
	}
	return rate.NewLimiter(rate.Every(time.Duration(delaySeconds*float64(time.Second))), 1)
}

// input returns input i with the common keys merged in.
func (s *State) input(i int, log *slog.Logger) (json.RawMessage, error) {
	in := s.Inputs[i]
	if len(s.Common) == 0 || string(s.Common) == "{}" || string(s.Common) == "null" {
		return in, nil
	}
	if t := bytes.TrimSpace(in); len(t) == 0 || t[0] != '{' {
		if !s.warned {
			log.Warn("common input ignored: the input is not a JSON object", "index", i)
			s.warned = true
		}
		return in, nil
	}
	var obj, common map[string]json.RawMessage
	if err := json.Unmarshal(in, &obj); err != nil {
		return nil, fmt.Errorf("fan-out: input %d: %w", i, err)
	}
	if err := json.Unmarshal(s.Common, &common); err != nil {
		return nil, fmt.Errorf("fan-out: common input is not a JSON object: %w", err)
	}
	for k, v := range common {
		obj[k] = v
	}
	return json.Marshal(obj)
}

// start starts one execution. If the name exists (a round that crashed
// after starting it), the existing execution is adopted when its input is
// the same.
func (s *State) start(ctx context.Context, api API, name string, input json.RawMessage) (string, error) {
	out, err := api.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(s.StateMachineARN),
		Name:            aws.String(name),
		Input:           aws.String(string(input)),
	})
	if err == nil {
		return aws.ToString(out.ExecutionArn), nil
	}
	var exists *types.ExecutionAlreadyExists
	if !errors.As(err, &exists) {
		return "", err
	}
	return adopt(ctx, api, s.StateMachineARN, name, input)
}

// adopt finds the existing execution called name and checks that it has
// the same input.
func adopt(ctx context.Context, api API, machineARN, name string, input json.RawMessage) (string, error) {
	var arn, got string
	// The ARN Step Functions gives it: the machine's, with "execution"
	// for "stateMachine" and the name appended.
	if parts := strings.Split(machineARN, ":"); len(parts) == 7 && parts[5] == "stateMachine" {
		parts[5] = "execution"
		guess := strings.Join(parts, ":") + ":" + name
		if d, err := api.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(guess)}); err == nil {
			arn, got = guess, aws.ToString(d.Input)
		}
	}
	if arn == "" {
		// Servers that build ARNs differently: search the list.
		p := sfn.NewListExecutionsPaginator(api, &sfn.ListExecutionsInput{StateMachineArn: aws.String(machineARN), MaxResults: 1000})
		for arn == "" && p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return "", fmt.Errorf("looking for existing execution %s: %w", name, err)
			}
			for _, e := range page.Executions {
				if aws.ToString(e.Name) == name {
					arn = aws.ToString(e.ExecutionArn)
					break
				}
			}
		}
		if arn == "" {
			return "", fmt.Errorf("execution %s already exists but cannot be found", name)
		}
		d, err := api.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			return "", fmt.Errorf("describing existing execution %s: %w", name, err)
		}
		got = aws.ToString(d.Input)
	}
	if !sameJSON(got, input) {
		return "", fmt.Errorf("%w: %s", ErrNameClash, arn)
	}
	return arn, nil
}

func sameJSON(a string, b []byte) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// executionFailure returns the error and cause of an execution that did
// not succeed: from DescribeExecution, or else from the last
// ExecutionFailed, ExecutionAborted or ExecutionTimedOut history event.
func executionFailure(ctx context.Context, api API, d *sfn.DescribeExecutionOutput) Failure {
	if aws.ToString(d.Error) != "" || aws.ToString(d.Cause) != "" {
		return Failure{Error: aws.ToString(d.Error), Cause: aws.ToString(d.Cause)}
	}
	f := Failure{Error: ErrorNameUnknown, Cause: fmt.Sprintf("sub-execution %s ended %s", aws.ToString(d.ExecutionArn), d.Status)}
	// Oldest first; the last failure event found wins.
	p := sfn.NewGetExecutionHistoryPaginator(api, &sfn.GetExecutionHistoryInput{ExecutionArn: d.ExecutionArn, MaxResults: 1000})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			f.Cause += fmt.Sprintf(" (reading its history: %v)", err)
			return f
		}
		for _, ev := range page.Events {
			var name, cause *string
			switch {
			case ev.ExecutionFailedEventDetails != nil:
				name, cause = ev.ExecutionFailedEventDetails.Error, ev.ExecutionFailedEventDetails.Cause
			case ev.ExecutionAbortedEventDetails != nil:
				name, cause = ev.ExecutionAbortedEventDetails.Error, ev.ExecutionAbortedEventDetails.Cause
			case ev.ExecutionTimedOutEventDetails != nil:
				name, cause = ev.ExecutionTimedOutEventDetails.Error, ev.ExecutionTimedOutEventDetails.Cause
			default:
				continue
			}
			if aws.ToString(name) != "" || aws.ToString(cause) != "" {
				f = Failure{Error: aws.ToString(name), Cause: aws.ToString(cause)}
			}
		}
	}
	return f
}

// abort stops every running execution, ends the fan-out (a later Step
// reports the failure again instead of launching more) and returns err.
func (s *State) abort(ctx context.Context, api API, log *slog.Logger, err error) error {
	s.stopAll(ctx, api, log, err.Error())
	s.Failure = &Failure{Error: ErrorNameFailed, Cause: err.Error()}
	s.Finished = true
	return err
}

// stopAll stops every running execution, even when ctx is cancelled.
func (s *State) stopAll(ctx context.Context, api API, log *slog.Logger, why string) {
	base := context.WithoutCancel(ctx)
	for _, r := range s.Running {
		var err error
		for attempt := 0; attempt < 5; attempt++ {
			cctx, cancel := context.WithTimeout(base, 30*time.Second)
			_, err = api.StopExecution(cctx, &sfn.StopExecutionInput{
				ExecutionArn: aws.String(r.ARN),
				Error:        aws.String(ErrorNameStopped),
				Cause:        aws.String(truncate("stopped by fan-out "+s.ID+": "+why, 32768)),
			})
			cancel()
			if err == nil || !activity.Transient(err) {
				break
			}
			time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
		}
		if err != nil {
			log.Error("could not stop sub-execution", "arn", r.ARN, "error", err)
		} else {
			log.Info("stopped sub-execution", "arn", r.ARN)
		}
	}
	s.Running = []Running{}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// lookupMachine returns the ARN of the state machine called name (an ARN
// is returned as is).
func lookupMachine(ctx context.Context, api API, name string) (string, error) {
	if strings.HasPrefix(name, "arn:") {
		return name, nil
	}
	p := sfn.NewListStateMachinesPaginator(api, &sfn.ListStateMachinesInput{MaxResults: 1000})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("fan-out: looking up state machine %q: %w", name, err)
		}
		for _, m := range page.StateMachines {
			if aws.ToString(m.Name) == name {
				return aws.ToString(m.StateMachineArn), nil
			}
		}
	}
	return "", fmt.Errorf("fan-out: no state machine called %q", name)
}

// Fanout runs stateMachine (a name or ARN) once per input, at most
// cfg.MaxConcurrent at a time, and returns the outputs in input order.
// On the first failed sub-execution it stops the running ones and returns
// an *activity.ActivityError with that execution's error and cause. When
// ctx is cancelled it stops every execution it started that is still
// running, and returns ctx's error.
func Fanout[T any](ctx context.Context, api API, stateMachine string, inputs []T, cfg Config) ([]json.RawMessage, error) {
	s, err := NewState(stateMachine, inputs, cfg)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for {
		err := s.Step(ctx, api, log)
		if err != nil {
			if len(s.Running) > 0 {
				// Cancelled, or a name clash: never leave work behind.
				s.stopAll(ctx, api, log, err.Error())
			}
			return nil, err
		}
		if s.Finished {
			return s.Results, nil
		}
		if !sleep(ctx, cfg.PollDelay) {
			s.stopAll(ctx, api, log, "cancelled: "+context.Cause(ctx).Error())
			return nil, ctx.Err()
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
