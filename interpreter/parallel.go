package interpreter

import (
	"context"
	"strconv"
	"sync"

	"github.com/hsc-dev/hsc/asl"
)

// Parallel states: every branch runs on the state's input in its own
// goroutine; the first failure cancels the others.

type parallelNode struct {
	stateInfo
	io       queryIO
	pol      policy
	branches []*stateMachine
}

func (c *compiler) parallelNode(at site, s *asl.State, info stateInfo, io queryIO, pol policy) (node, error) {
	if len(s.Branches) == 0 {
		return nil, at.err("Branches", "Branches must be a non-empty array")
	}
	n := &parallelNode{stateInfo: info, io: io, pol: pol}
	for i, b := range s.Branches {
		bm, err := c.machine(b, at.ptr+"/Branches/"+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		n.branches = append(n.branches, bm)
	}
	return n, nil
}

// branchError marks an error leaving a Parallel branch or Map iteration.
func branchError(err *ExecutionError) *ExecutionError {
	c := *err
	c.fromBranch = true
	c.fromTask = false
	return &c
}

func (n *parallelNode) run(ctx context.Context, x *execution, sc *scope, in any) (any, int, *ExecutionError) {
	return x.withRetry(ctx, sc, &n.stateInfo, &n.pol, n.io, in, func() (any, *ExecutionError) {
		eff, err := n.io.input(sc, in)
		if err != nil {
			return nil, err
		}
		bin, size, err := n.io.payload(sc, in, eff)
		if err != nil {
			return nil, err
		}
		res, err := x.parallel(ctx, n, bin, size, sc)
		if err != nil {
			return nil, err
		}
		if res, err = n.io.selectResult(sc, res); err != nil {
			return nil, err
		}
		return n.io.finish(sc, frame{raw: in, res: res, resSize: -1, hasRes: true})
	})
}

func (x *execution) parallel(ctx context.Context, n *parallelNode, bin any, binSize int, sc *scope) (any, *ExecutionError) {
	x.emit(sc, "ParallelStateStarted", nil)
	results := make([]any, len(n.branches))
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr *ExecutionError
	)
	// Each branch counts its events from ParallelStateStarted; the state
	// goes on from the last event of any branch.
	scopes := make([]*scope, len(n.branches))
	for i, b := range n.branches {
		scopes[i] = sc.childAt(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := x.runMachine(bctx, b, bin, scopes[i], binSize)
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
				return
			}
			results[i] = out
		}()
	}
	wg.Wait()
	for _, b := range scopes {
		sc.lastEvent = max(sc.lastEvent, b.lastEvent)
	}
	if firstErr != nil {
		if ctx.Err() != nil {
			return nil, x.ctxError(ctx)
		}
		return nil, branchError(firstErr)
	}
	x.emitKeep(sc, "ParallelStateSucceeded", nil)
	return results, nil
}
