package interpreter

import (
	"context"
	"math"
)

// Retry and Catch of Task, Parallel and Map states.

// policy is a state's Retry and Catch.
type policy struct {
	retry []retrier
	catch []catcher
}

type retrier struct {
	errors      []string
	interval    float64
	maxAttempts int
	backoff     float64
	maxDelay    float64 // 0: no cap
	jitterFull  bool
}

type catcher struct {
	errors     []string
	next       int
	resultPath resultPath // JSONPath
	assign     *template  // JSONPath
	// JSONata
	jOutput, jAssign *jtemplate
}

// withRetry runs attempt until it succeeds, a retrier gives up or a
// catcher takes the error. It returns the output and next state.
func (x *execution) withRetry(ctx context.Context, sc *scope, st *stateInfo, pol *policy, io queryIO, in any,
	attempt func() (any, *ExecutionError)) (any, int, *ExecutionError) {
	var counts []int
	for {
		out, err := attempt()
		if err == nil {
			return out, st.next, nil
		}
		if ctx.Err() != nil {
			return nil, -1, x.ctxError(ctx)
		}
		x.evaluationFailed(sc, st, err)
		if i := matchErrors(len(pol.retry), func(i int) []string { return pol.retry[i].errors }, err); i >= 0 {
			if counts == nil {
				counts = make([]int, len(pol.retry))
			}
			r := &pol.retry[i]
			if counts[i] < r.maxAttempts {
				delay := r.interval * math.Pow(r.backoff, float64(counts[i]))
				if r.maxDelay > 0 {
					delay = min(delay, r.maxDelay)
				}
				if r.jitterFull {
					delay *= x.float64()
				}
				counts[i]++
				if serr := x.sleep(ctx, sc, seconds(delay)); serr != nil {
					return nil, -1, x.ctxError(ctx)
				}
				sc.retryCount++
				sc.ctxObj = nil
				continue
			}
		}
		// A Parallel or Map state's failure is recorded once its Retry has
		// given up (States.Runtime ends the execution without it).
		if st.failed != "" && err.Name != ErrRuntime {
			x.emit(sc, st.failed, nil)
		}
		if i := matchErrors(len(pol.catch), func(i int) []string { return pol.catch[i].errors }, err); i >= 0 {
			c := &pol.catch[i]
			eo := newObject(2)
			eo.add("Error", err.Name)
			eo.add("Cause", err.Cause)
			out, cerr := io.caught(sc, in, c, eo)
			if cerr != nil {
				return nil, -1, cerr
			}
			return out, c.next, nil
		}
		return nil, -1, err
	}
}

// matchErrors returns the index of the first retrier or catcher whose
// ErrorEquals matches err, or -1.
func matchErrors(n int, list func(int) []string, err *ExecutionError) int {
	for i := range n {
		for _, name := range list(i) {
			if err.matches(name) {
				return i
			}
		}
	}
	return -1
}
