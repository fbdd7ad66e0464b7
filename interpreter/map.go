package interpreter

import (
	"context"
	"math"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/hsc-dev/hsc/asl"
)

// Map states: the items, ItemSelector and ItemBatcher, and the iterations,
// run by a bounded pool of goroutines.

// defaultMapConcurrency bounds the iterations of a Map state with no
// MaxConcurrency, as inline Map states in Step Functions are bounded.
const defaultMapConcurrency = 40

type mapNode struct {
	stateInfo
	io                 queryIO
	pol                policy
	itemsPath          *Path
	itemSelector       *template // ItemSelector (or Parameters)
	processor          *stateMachine
	maxConcurrency     int
	maxConcurrencyPath *Path
	toleratedPercent   float64 // -1: none
	toleratedCount     int     // -1: none
	hasTolerance       bool
	// ToleratedFailurePercentagePath and ToleratedFailureCountPath.
	toleratedPercentPath, toleratedCountPath *Path
	batch                                    *itemBatcher
	dist                                     *distConfig // a distributed Map
	// JSONata
	jItems, jItemSelector, jMaxConcurr *jtemplate
	jTolCount, jTolPercent             *jtemplate // ToleratedFailureCount/Percentage expressions
}

// itemBatcher is a Map state's ItemBatcher: items are grouped and each group
// is processed as {"BatchInput": ..., "Items": [...]}.
type itemBatcher struct {
	maxItems     int
	maxItemsPath *Path
	maxBytes     int
	maxBytesPath *Path
	batchInput   *template
	// JSONata: MaxItemsPerBatch, MaxInputBytesPerBatch and BatchInput as
	// expressions.
	jMaxItems, jMaxBytes, jBatchInput *jtemplate
}

func (c *compiler) mapNode(at site, s *asl.State, info stateInfo, io queryIO, pol policy) (node, error) {
	n := &mapNode{stateInfo: info, io: io, pol: pol}
	proc, field := s.ItemProcessor, "ItemProcessor"
	if proc == nil {
		proc, field = s.Iterator, "Iterator"
	}
	if proc == nil {
		return nil, at.err("", "a Map state needs an ItemProcessor (or Iterator) object")
	}
	var err error
	if cfg := proc.ProcessorConfig; cfg != nil {
		if mode := cfg.Get("Mode"); mode != nil && mode.Kind == asl.KindString && mode.Str == "DISTRIBUTED" {
			if n.dist, err = c.distConfig(at, s, cfg, info.jsonata); err != nil {
				return nil, err
			}
		}
	}
	if n.processor, err = c.machine(proc, at.ptr+"/"+field); err != nil {
		return nil, err
	}
	if info.jsonata {
		if n.jItems, err = compileJTemplateAt(at, "Items", s.Items); err != nil {
			return nil, err
		}
		if n.jItemSelector, err = compileJTemplateAt(at, "ItemSelector", s.ItemSelector); err != nil {
			return nil, err
		}
		if s.MaxConcurrency != "" {
			f, t, err := numberOrExpr(at, "MaxConcurrency", s.MaxConcurrency, false)
			if err != nil {
				return nil, err
			}
			if t == nil {
				n.maxConcurrency = int(min(f, 1<<30))
			}
			n.jMaxConcurr = t
		}
		if s.ItemBatcher != nil {
			if n.batch, err = compileJBatcher(at.at("ItemBatcher"), s.ItemBatcher); err != nil {
				return nil, err
			}
		}
		if err := n.compileJTolerance(at, s); err != nil {
			return nil, err
		}
		return n, nil
	}
	if has(s, "ItemsPath") {
		if n.itemsPath, err = parsePathAt(at, "ItemsPath", s.ItemsPath, asl.PathReference); err != nil {
			return nil, err
		}
	}
	switch {
	case s.ItemSelector != nil && s.Parameters != nil:
		return nil, at.err("ItemSelector", "has both Parameters and ItemSelector")
	case s.ItemSelector != nil:
		n.itemSelector, err = compileTemplateAt(at, "ItemSelector", s.ItemSelector)
	case s.Parameters != nil:
		n.itemSelector, err = compileTemplateAt(at, "Parameters", s.Parameters)
	}
	if err != nil {
		return nil, err
	}
	if s.ItemBatcher != nil {
		if n.batch, err = compileBatcher(at.at("ItemBatcher"), s.ItemBatcher); err != nil {
			return nil, err
		}
	}
	if s.MaxConcurrency != "" {
		f, ok := nonNegNumber(s.MaxConcurrency)
		if !ok || f != math.Trunc(f) {
			return nil, at.err("MaxConcurrency", "MaxConcurrency must be a non-negative integer")
		}
		n.maxConcurrency = int(min(f, 1<<30))
	}
	if has(s, "MaxConcurrencyPath") {
		if n.maxConcurrencyPath, err = parsePathAt(at, "MaxConcurrencyPath", s.MaxConcurrencyPath, asl.PathReference); err != nil {
			return nil, err
		}
	}
	if s.ToleratedFailurePercentage != "" {
		f, ok := nonNegNumber(s.ToleratedFailurePercentage)
		if !ok || f > 100 {
			return nil, at.err("ToleratedFailurePercentage", "ToleratedFailurePercentage must be a number from 0 to 100")
		}
		n.toleratedPercent, n.hasTolerance = f, true
	}
	if s.ToleratedFailureCount != "" {
		f, ok := nonNegNumber(s.ToleratedFailureCount)
		if !ok || f != math.Trunc(f) {
			return nil, at.err("ToleratedFailureCount", "ToleratedFailureCount must be a non-negative integer")
		}
		n.toleratedCount, n.hasTolerance = int(min(f, 1<<30)), true
		if s.ToleratedFailurePercentage == "" {
			n.toleratedPercent = -1
		}
	} else if n.hasTolerance {
		n.toleratedCount = -1
	}
	for _, f := range []struct {
		field, src string
		dst        **Path
	}{{"ToleratedFailurePercentagePath", s.ToleratedFailurePercentagePath, &n.toleratedPercentPath},
		{"ToleratedFailureCountPath", s.ToleratedFailureCountPath, &n.toleratedCountPath}} {
		if !has(s, f.field) {
			continue
		}
		if *f.dst, err = parsePathAt(at, f.field, f.src, asl.PathReference); err != nil {
			return nil, err
		}
		if !n.hasTolerance {
			n.toleratedPercent, n.toleratedCount = -1, -1
		}
		n.hasTolerance = true
	}
	return n, nil
}

func compileBatcher(at site, v *asl.Value) (*itemBatcher, error) {
	if v.Kind != asl.KindObject {
		return nil, at.err("", "ItemBatcher must be an object")
	}
	b := &itemBatcher{}
	for _, f := range []struct {
		field string
		n     *int
		p     **Path
	}{{"MaxItemsPerBatch", &b.maxItems, &b.maxItemsPath}, {"MaxInputBytesPerBatch", &b.maxBytes, &b.maxBytesPath}} {
		if fv := v.Get(f.field); fv != nil {
			n, ok := fv.Float64()
			if fv.Kind != asl.KindNumber || !ok || n < 1 || n != math.Trunc(n) {
				return nil, at.err(f.field, "ItemBatcher.%s must be a positive integer", f.field)
			}
			*f.n = int(min(n, 1<<30))
		}
		if pv := v.Get(f.field + "Path"); pv != nil {
			if pv.Kind != asl.KindString {
				return nil, at.err(f.field+"Path", "ItemBatcher.%sPath must be a path string", f.field)
			}
			p, err := parsePathAt(at, f.field+"Path", pv.Str, asl.PathReference)
			if err != nil {
				return nil, err
			}
			*f.p = p
		}
	}
	if bi := v.Get("BatchInput"); bi != nil {
		t, err := compileTemplateAt(at, "BatchInput", bi)
		if err != nil {
			return nil, err
		}
		b.batchInput = t
	}
	return b, nil
}

// numberOrNumeric reads a number, or a string holding one, as AWS reads
// the Map state's *Path fields (recorded on AWS: a variable holding "1"
// works as MaxConcurrencyPath and ToleratedFailureCountPath).
func numberOrNumeric(v any, integer bool) (float64, bool) {
	if f, ok := toFloat(v); ok {
		return f, true
	}
	s, ok := v.(string)
	if !ok {
		return 0, false
	}
	if integer {
		n, err := strconv.ParseInt(s, 10, 32)
		return float64(n), err == nil
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// batchItems applies a Map state's ItemSelector to each item and groups the
// results as its ItemBatcher says.
func (x *execution) batchItems(st *mapNode, eff any, items []any, sc *scope) ([]any, *ExecutionError) {
	b := st.batch
	limit := func(fixed int, p *Path, what string) (int, *ExecutionError) {
		if p == nil {
			return fixed, nil
		}
		v, ok := sc.evalPath(p, eff)
		f, isNum := toFloat(v)
		if !ok || !isNum || f < 1 || f != math.Trunc(f) {
			return 0, sc.runtimeError("ItemBatcher.%sPath '%s' must select a positive integer, got %s", what, p.src, describe(v, ok))
		}
		return int(min(f, 1<<30)), nil
	}
	maxItems, err := limit(b.maxItems, b.maxItemsPath, "MaxItemsPerBatch")
	if err != nil {
		return nil, err
	}
	maxBytes, err := limit(b.maxBytes, b.maxBytesPath, "MaxInputBytesPerBatch")
	if err != nil {
		return nil, err
	}
	if maxItems, err = jLimit(sc, eff, b.jMaxItems, maxItems, "MaxItemsPerBatch"); err != nil {
		return nil, err
	}
	if maxBytes, err = jLimit(sc, eff, b.jMaxBytes, maxBytes, "MaxInputBytesPerBatch"); err != nil {
		return nil, err
	}
	const awsMaxBytes = 256 * 1024
	if maxBytes == 0 || maxBytes > awsMaxBytes {
		maxBytes = awsMaxBytes
	}
	var batchInput any
	if b.batchInput != nil {
		v, perr := b.batchInput.eval(sc, eff)
		if perr != nil {
			return nil, asExecError(perr)
		}
		batchInput = v
	}
	if b.jBatchInput != nil {
		v, jerr := b.jBatchInput.evalTop(&jenv{sc: sc, input: eff}, "ItemBatcher")
		if jerr != nil {
			return nil, jerr
		}
		batchInput = v
	}
	var batches []any
	var cur []any
	size := 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		o := newObject(2)
		if batchInput != nil {
			o.add("BatchInput", batchInput)
		}
		o.add("Items", cur)
		batches = append(batches, o)
		cur, size = nil, 0
	}
	for i, item := range items {
		if st.itemSelector != nil {
			isc := sc.child()
			isc.hasItem, isc.itemIndex, isc.itemValue = true, i, item
			isc.stateName, isc.entered = sc.stateName, sc.entered
			v, perr := st.itemSelector.eval(isc, eff)
			if perr != nil {
				return nil, asExecError(perr)
			}
			item = v
		} else if st.jItemSelector != nil {
			isc := sc.child()
			isc.hasItem, isc.itemIndex, isc.itemValue = true, i, item
			isc.stateName, isc.entered = sc.stateName, sc.entered
			v, jerr := st.jItemSelector.evalTop(&jenv{sc: isc, input: eff}, "ItemSelector")
			if jerr != nil {
				return nil, jerr
			}
			item = v
		}
		n := len(appendJSON(nil, item)) + 1
		if len(cur) > 0 && ((maxItems > 0 && len(cur) >= maxItems) || size+n > maxBytes) {
			flush()
		}
		cur = append(cur, item)
		size += n
	}
	flush()
	if batches == nil {
		batches = []any{}
	}
	return batches, nil
}

func (n *mapNode) run(ctx context.Context, x *execution, sc *scope, in any) (any, int, *ExecutionError) {
	return x.withRetry(ctx, sc, &n.stateInfo, &n.pol, n.io, in, func() (any, *ExecutionError) {
		eff, err := n.io.input(sc, in)
		if err != nil {
			return nil, err
		}
		size := -1
		res, err := x.mapState(ctx, n, in, eff, sc, &size)
		if err != nil {
			return nil, err
		}
		if p, ok := n.io.(*jsonPathIO); ok && p.resultSelector != nil {
			size = -1
		}
		if res, err = n.io.selectResult(sc, res); err != nil {
			return nil, err
		}
		return n.io.finish(sc, frame{raw: in, res: res, resSize: size, hasRes: true})
	})
}

// On success it sets *size to a bound on the JSON size of the result
// when the iterations' output sizes give one (else it leaves it).
func (x *execution) mapState(ctx context.Context, st *mapNode, raw, eff any, sc *scope, size *int) (any, *ExecutionError) {
	if st.dist != nil {
		return x.distributedMap(ctx, st, raw, eff, sc)
	}
	items, err := x.mapItems(st, raw, eff, sc)
	if err != nil {
		return nil, err
	}
	if st.batch != nil {
		if items, err = x.batchItems(st, eff, items, sc); err != nil {
			return nil, err
		}
	}
	limit, err := x.mapConcurrency(st, raw, eff, sc)
	if err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = x.cfg.mapLimit
	}
	n := len(items)
	x.emit(sc, "MapStateStarted", func(e *Event) { e.MapStateStartedEventDetails = &MapStateStartedDetails{Length: n} })
	results := make([]any, n)
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr *ExecutionError
		failures int
		next     atomic.Int64
		// source is the event the next iteration counts from: the last
		// event of the iterations run so far (AWS records MaxConcurrency 1
		// iterations as one chain); lastDone is the id of the last
		// MapIterationSucceeded, which the state goes on from.
		source   = sc.lastEvent
		lastDone int64
	)
	maxFailures := 0
	if st.hasTolerance {
		tol, err := x.mapTolerance(st, raw, eff, sc)
		if err != nil {
			return nil, err
		}
		maxFailures = tol.maxFailures(n)
	}
	// ItemSelector's input is the state's effective input, no bigger
	// than its input when the items are selected from it (not so items
	// from a variable, a JSONata expression or a batch).
	itemSize := -1
	fromInput := st.itemsPath == nil || (!st.itemsPath.context && st.itemsPath.variable == "")
	// (Without ItemSelector an iteration's input is its item, which
	// runItem measures; the result's size is the sum of the iterations'
	// output sizes.)
	if st.batch == nil && st.jItems == nil && fromInput {
		itemSize = sc.inSize
	}
	// outTotal sums the bounds of the iterations' outputs; outUnknown is
	// set when one has none.
	var (
		outTotal   atomic.Int64
		outUnknown atomic.Bool
	)
	runItem := func(i int) {
		isc := sc.child()
		isc.hasItem, isc.itemIndex, isc.itemValue = true, i, items[i]
		isc.stateName, isc.entered, isc.retryCount, isc.retries = sc.stateName, sc.entered, sc.retryCount, sc.retries
		mu.Lock()
		isc.lastEvent = source
		mu.Unlock()
		x.emit(isc, "MapIterationStarted", func(e *Event) {
			e.MapIterationStartedEventDetails = &MapIterationDetails{Name: st.name, Index: i}
		})
		in, inSize := items[i], -1
		var err *ExecutionError
		if st.jItemSelector != nil {
			v, jerr := st.jItemSelector.evalTop(&jenv{sc: isc, input: raw}, "ItemSelector")
			if jerr != nil {
				err = jerr
			}
			in, inSize = v, -1
		} else if st.itemSelector != nil && st.batch == nil {
			v, perr := st.itemSelector.eval(isc, eff)
			if perr != nil {
				err = asExecError(perr)
			}
			in, inSize = v, st.itemSelector.bound(itemSize)
		} else if st.batch == nil {
			// The item's own size: tighter than the input's, it bounds
			// the iteration's outputs closely enough that they are
			// seldom measured, nor, as their sum, is the Map's result.
			if n := jsonSize(in, 0, MaxPayloadBytes); n <= MaxPayloadBytes {
				inSize = n
			}
		}
		var out any
		if err == nil {
			out, err = x.runMachine(mctx, st.processor, in, isc, inSize)
		}
		if err != nil {
			x.emitKeep(isc, "MapIterationFailed", func(e *Event) {
				e.MapIterationFailedEventDetails = &MapIterationDetails{Name: st.name, Index: i}
			})
			mu.Lock()
			source = max(source, isc.lastEvent)
			failures++
			if failures > maxFailures && firstErr == nil {
				firstErr = err
				cancel()
			}
			mu.Unlock()
			outUnknown.Store(true)
			eo := newObject(2)
			eo.add("Error", err.Name)
			eo.add("Cause", err.Cause)
			results[i] = eo
			return
		}
		id := x.emitKeep(isc, "MapIterationSucceeded", func(e *Event) {
			e.MapIterationSucceededEventDetails = &MapIterationDetails{Name: st.name, Index: i}
		})
		mu.Lock()
		source, lastDone = max(source, isc.lastEvent), max(lastDone, id)
		mu.Unlock()
		if isc.outSize < 0 {
			outUnknown.Store(true)
		} else {
			outTotal.Add(int64(isc.outSize))
		}
		results[i] = out
	}
	workers := min(limit, n)
	if st.processor.cpuOnly {
		workers = min(workers, runtime.GOMAXPROCS(0))
	}
	if workers <= 1 {
		for i := range n {
			if firstErr != nil {
				break
			}
			runItem(i)
		}
	} else {
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for mctx.Err() == nil {
					i := int(next.Add(1) - 1)
					if i >= n {
						return
					}
					runItem(i)
				}
			}()
		}
		wg.Wait()
	}
	sc.lastEvent = source
	if firstErr != nil {
		if ctx.Err() != nil {
			return nil, x.ctxError(ctx)
		}
		if st.hasTolerance {
			return nil, &ExecutionError{Name: "States.ExceedToleratedFailureThreshold", Cause: exceedThresholdCause, fromBranch: true}
		}
		return nil, branchError(firstErr)
	}
	sc.lastEvent = max(source, lastDone)
	x.emitKeep(sc, "MapStateSucceeded", nil)
	if !outUnknown.Load() {
		// Brackets, commas and the items.
		if t := 2 + int64(max(n-1, 0)) + outTotal.Load(); t <= MaxPayloadBytes {
			*size = int(t)
		}
	}
	return results, nil
}

// mapItems selects a Map state's items: its input, ItemsPath or Items.
func (x *execution) mapItems(st *mapNode, raw, eff any, sc *scope) ([]any, *ExecutionError) {
	itemsV := eff
	if st.jItems != nil {
		v, err := st.jItems.evalTopArray(&jenv{sc: sc, input: raw}, "Items")
		if err != nil {
			return nil, err
		}
		itemsV = v
	}
	if st.itemsPath != nil {
		v, ok := sc.evalPath(st.itemsPath, eff)
		if !ok {
			return nil, sc.runtimeError("Invalid path '%s': the ItemsPath of Map state '%s' selects nothing", st.itemsPath.src, st.name)
		}
		itemsV = v
	}
	items, ok := itemsV.([]any)
	if !ok {
		return nil, sc.runtimeError("the items of Map state '%s' must be an array, got %s", st.name, typeName(itemsV))
	}
	return items, nil
}

// mapConcurrency evaluates MaxConcurrency(Path); 0 means no limit of the
// state's own (the execution's map limit applies).
func (x *execution) mapConcurrency(st *mapNode, raw, eff any, sc *scope) (int, *ExecutionError) {
	limit := st.maxConcurrency
	if st.maxConcurrencyPath != nil {
		v, ok := sc.evalPath(st.maxConcurrencyPath, eff)
		f, isNum := numberOrNumeric(v, true)
		if !ok || !isNum || f < 0 || f != math.Trunc(f) {
			return 0, sc.runtimeError("The MaxConcurrencyPath field refers to value %s which is not a valid integer: %s", describe(v, ok), st.maxConcurrencyPath.src)
		}
		limit = int(min(f, 1<<30))
	}
	if st.jMaxConcurr != nil {
		v, err := st.jMaxConcurr.evalTop(&jenv{sc: sc, input: raw}, "MaxConcurrency")
		if err != nil {
			return 0, err
		}
		f, isNum := toFloat(v)
		if !isNum || f < 0 || f != math.Trunc(f) {
			return 0, newError(ErrQueryEvaluation, "MaxConcurrency must be a non-negative integer, got %s", truncate(encodeJSON(v)))
		}
		limit = int(min(f, 1<<30))
	}
	return limit, nil
}
