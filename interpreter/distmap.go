package interpreter

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hsc-dev/hsc/asl"
)

// Distributed Map states (ProcessorConfig.Mode DISTRIBUTED): the items
// come from the input or an ItemReader (an S3 object or listing), each
// item (or batch) runs as a child workflow execution of a map run, and
// a ResultWriter may export the children's results to S3. The S3 calls
// of the reader and the writer go to the TaskResolver, as a Task's do,
// with TaskRequest.Part set (see TaskRequest).
//
// Sources: https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
// and its ItemReader, ItemBatcher, ResultWriter and tolerated-failure
// pages; event shapes and reader outputs recorded on AWS in
// github.com/localstack/localstack tests/aws/services/stepfunctions/v2
// (the corpus cases under testdata/corpus/distributed-map name each).

// distConfig is what a distributed Map adds to a Map state.
type distConfig struct {
	execType string // STANDARD or EXPRESS
	label    string
	reader   *itemReader
	writer   *resultWriter
}

// itemReader is a Map state's ItemReader.
type itemReader struct {
	resource string
	op       string // getObject or listObjectsV2
	params   *template
	jArgs    *jtemplate
	// ReaderConfig
	inputType    string // JSON, JSONL, CSV, PARQUET, MANIFEST; "" for a listing
	headerFirst  bool   // CSVHeaderLocation FIRST_ROW
	headers      []string
	delimiter    rune
	maxItems     int
	maxItemsPath *Path
	jMaxItems    *jtemplate
	configErr    string // a ReaderConfig AWS would refuse: fails the run
	// loadAndFlatten: a listing's objects are read and their items
	// flattened (ReaderConfig.Transformation LOAD_AND_FLATTEN).
	loadAndFlatten bool
	// itemsPointer is ReaderConfig.ItemsPointer: a JSON pointer (RFC
	// 6901) to the array inside a JSON object read ("": the object is
	// the array).
	itemsPointer string
	// manifestType is ReaderConfig.ManifestType: S3_INVENTORY (an S3
	// inventory manifest.json) or ATHENA_DATA (an Athena UNLOAD manifest
	// listing data files of InputType CSV, JSONL or PARQUET); "" when the object
	// is no manifest.
	manifestType string
}

// resultWriter is a Map state's ResultWriter.
type resultWriter struct {
	resource       string // "" with only a WriterConfig
	params         *template
	jArgs          *jtemplate
	transformation string // NONE, COMPACT, FLATTEN
	outputType     string // JSON, JSONL
	configErr      string // fails the run (States.ResultWriterFailed)
}

// maxReaderItems is the most items a reader gives (ReaderConfig.MaxItems
// is at most 100,000,000 on AWS); a bound on memory here.
const maxReaderItems = 100_000_000

func (c *compiler) distConfig(at site, s *asl.State, cfg *asl.Value, jsonata bool) (*distConfig, error) {
	d := &distConfig{execType: "STANDARD", label: s.Label}
	if et := cfg.Get("ExecutionType"); et != nil && et.Kind == asl.KindString {
		d.execType = et.Str
	}
	if s.ItemReader != nil {
		r, err := compileReader(at.at("ItemReader"), s.ItemReader, jsonata)
		if err != nil {
			return nil, err
		}
		d.reader = r
	}
	if s.ResultWriter != nil {
		w, err := compileWriter(at.at("ResultWriter"), s.ResultWriter, jsonata)
		if err != nil {
			return nil, err
		}
		d.writer = w
	}
	return d, nil
}

func strField(v *asl.Value, name string) string {
	if f := v.Get(name); f != nil && f.Kind == asl.KindString {
		return f.Str
	}
	return ""
}

func compileReader(at site, v *asl.Value, jsonata bool) (*itemReader, error) {
	if v.Kind != asl.KindObject {
		return nil, at.err("", "ItemReader must be an object")
	}
	r := &itemReader{resource: strField(v, "Resource"), delimiter: ','}
	if a := arnParts(r.resource); a != nil && a[2] == "states" && a[3] == "" && a[4] == "" {
		r.op = strings.TrimPrefix(a[5], "s3:")
	}
	if r.op != "getObject" && r.op != "listObjectsV2" {
		// Left to the run (States.ItemReaderFailed): the validator does
		// not check ItemReader's fields, and the two must agree.
		r.configErr = fmt.Sprintf("The ItemReader's Resource %q is not arn:aws:states:::s3:getObject or arn:aws:states:::s3:listObjectsV2", r.resource)
	}
	var err error
	if jsonata {
		if r.jArgs, err = compileJTemplateAt(at, "Arguments", v.Get("Arguments")); err != nil {
			return nil, err
		}
	} else if p := v.Get("Parameters"); p != nil {
		if r.params, err = compileTemplateAt(at, "Parameters", p); err != nil {
			return nil, err
		}
	}
	rc := v.Get("ReaderConfig")
	if r.op == "getObject" {
		r.inputType = "JSON"
	}
	if rc == nil || rc.Kind != asl.KindObject {
		return r, nil
	}
	givenType := strField(rc, "InputType")
	if givenType != "" {
		r.inputType = givenType
	}
	switch mt := strField(rc, "ManifestType"); mt {
	case "":
		if r.inputType == "MANIFEST" {
			r.manifestType = "S3_INVENTORY"
		}
	case "S3_INVENTORY":
		// "If set to S3_INVENTORY, you must not also specify InputType
		// because the type is assumed to be CSV" (AWS docs, ItemReader
		// (Map), ReaderConfig.ManifestType).
		r.manifestType = mt
		r.inputType = "MANIFEST"
		if givenType != "" {
			r.configErr = fmt.Sprintf("InputType %s must not be given with ManifestType S3_INVENTORY: an S3 inventory's data files are CSV", givenType)
		}
	case "ATHENA_DATA":
		r.manifestType = mt
		if r.inputType != "CSV" && r.inputType != "JSONL" && r.inputType != "PARQUET" {
			r.configErr = fmt.Sprintf("InputType %s cannot be read with ManifestType ATHENA_DATA: the data files are CSV, JSONL or PARQUET", r.inputType)
		}
	default:
		r.configErr = fmt.Sprintf("ManifestType %s is not supported", mt)
	}
	switch r.inputType {
	case "JSON", "JSONL", "CSV", "MANIFEST", "PARQUET", "":
	default:
		r.configErr = fmt.Sprintf("InputType %s is not supported", r.inputType)
	}
	if p := rc.Get("ItemsPointer"); p != nil {
		if p.Kind != asl.KindString || (p.Str != "" && p.Str[0] != '/') {
			r.configErr = "ItemsPointer must be a JSON pointer: \"\" or a string starting with /"
		} else if r.inputType != "JSON" {
			r.configErr = fmt.Sprintf("ItemsPointer applies to InputType JSON, not %s", r.inputType)
		}
		r.itemsPointer = p.Str
	}
	switch t := strField(rc, "Transformation"); t {
	case "", "NONE":
	case "LOAD_AND_FLATTEN":
		// A listing whose objects are each read (as InputType says)
		// and their items flattened (AWS Compute Blog, "Processing
		// Amazon S3 objects at scale with AWS Step Functions
		// Distributed Map S3 prefix").
		// "When set to LOAD_AND_FLATTEN, you must also set InputType"
		// (AWS docs, ItemReader (Map), ReaderConfig.Transformation).
		r.loadAndFlatten = true
		if givenType == "" {
			r.configErr = "Transformation LOAD_AND_FLATTEN needs an InputType (CSV, JSON, JSONL or PARQUET) to read the listed objects with"
			r.inputType = "JSON"
		}
	default:
		r.configErr = fmt.Sprintf("Transformation %s is not supported", t)
	}
	switch strField(rc, "CSVHeaderLocation") {
	case "FIRST_ROW":
		r.headerFirst = true
	case "GIVEN":
		h := rc.Get("CSVHeaders")
		if h == nil || h.Kind != asl.KindArray {
			r.configErr = "CSVHeaders must be given when CSVHeaderLocation is GIVEN"
			break
		}
		for _, e := range h.Elems {
			r.headers = append(r.headers, e.Str)
		}
	case "":
		r.headerFirst = r.inputType == "CSV"
	}
	switch strField(rc, "CSVDelimiter") {
	case "", "COMMA":
	case "PIPE":
		r.delimiter = '|'
	case "SEMICOLON":
		r.delimiter = ';'
	case "SPACE":
		r.delimiter = ' '
	case "TAB":
		r.delimiter = '\t'
	default:
		r.configErr = fmt.Sprintf("CSVDelimiter %s is not supported", strField(rc, "CSVDelimiter"))
	}
	if m := rc.Get("MaxItems"); m != nil {
		if jsonata && m.Kind == asl.KindString {
			if r.jMaxItems, err = compileJTemplateAt(at.at("ReaderConfig"), "MaxItems", m); err != nil {
				return nil, err
			}
		} else if f, ok := m.Float64(); ok && f >= 0 && f == math.Trunc(f) {
			r.maxItems = int(min(f, maxReaderItems))
		} else {
			r.configErr = "field MaxItems must be an integer from 0 to 100000000"
		}
	}
	if p := rc.Get("MaxItemsPath"); p != nil && p.Kind == asl.KindString {
		if r.maxItemsPath, err = parsePathAt(at.at("ReaderConfig"), "MaxItemsPath", p.Str, asl.PathReference); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func compileWriter(at site, v *asl.Value, jsonata bool) (*resultWriter, error) {
	if v.Kind != asl.KindObject {
		return nil, at.err("", "ResultWriter must be an object")
	}
	w := &resultWriter{resource: strField(v, "Resource"), transformation: "COMPACT", outputType: "JSON"}
	if w.resource != "" {
		if a := arnParts(w.resource); a == nil || a[2] != "states" || a[5] != "s3:putObject" {
			w.configErr = fmt.Sprintf("The ResultWriter's Resource %q is not arn:aws:states:::s3:putObject", w.resource)
		}
		w.transformation = "NONE"
	}
	var err error
	if jsonata {
		if w.jArgs, err = compileJTemplateAt(at, "Arguments", v.Get("Arguments")); err != nil {
			return nil, err
		}
	} else if p := v.Get("Parameters"); p != nil {
		if w.params, err = compileTemplateAt(at, "Parameters", p); err != nil {
			return nil, err
		}
	}
	if wc := v.Get("WriterConfig"); wc != nil && wc.Kind == asl.KindObject {
		if t := strField(wc, "Transformation"); t != "" {
			w.transformation = t
		}
		if t := strField(wc, "OutputType"); t != "" {
			w.outputType = t
		}
	}
	return w, nil
}

// S3 parts of a distributed Map's calls (TaskRequest.Part).
const (
	PartItemReader   = "ItemReader"
	PartResultWriter = "ResultWriter"
)

// callS3 sends one S3 call of a Map state's reader or writer to the task
// resolver and returns its answer (nil for an empty one).
func (x *execution) callS3(ctx context.Context, sc *scope, state, part, resource string, params any) ([]byte, *ExecutionError) {
	// Sized first: a ResultWriter's body can be tens of megabytes.
	input := appendJSON(make([]byte, 0, jsonSize(params, 0, math.MaxInt)), params)
	if x.cfg.tasks == nil {
		return nil, newError(ErrRuntime, "%v: no task resolver is configured", &UnresolvedTaskError{State: state, Resource: resource})
	}
	req := &TaskRequest{ExecutionARN: x.id, StateName: state, Part: part, Resource: resource, Input: input, SendHeartbeat: func() {}}
	out, err := x.cfg.tasks.ResolveTask(ctx, req)
	if ctx.Err() != nil {
		return nil, x.ctxError(ctx)
	}
	if err != nil {
		var ue *UnresolvedTaskError
		var ee *ExecutionError
		switch {
		case errors.As(err, &ue):
			return nil, newError(ErrRuntime, "%v (the %s of a distributed Map, looked up as %q)", ue, part, state+"/"+part)
		case errors.As(err, &ee):
			return nil, ee
		}
		return nil, &ExecutionError{Name: ErrTaskFailed, Cause: err.Error()}
	}
	return out, nil
}

// splitMapRunARN returns the child machine's ARN and the run id of a map
// run's ARN (arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:ID).
func splitMapRunARN(arn string) (machine, id string, ok bool) {
	i := strings.Index(arn, ":mapRun:")
	j := strings.LastIndexByte(arn, ':')
	if i < 0 || j <= i+len(":mapRun:") {
		return "", "", false
	}
	return arn[:i] + ":stateMachine:" + arn[i+len(":mapRun:"):j], arn[j+1:], true
}

// mapRunARNs returns the run's ARN and its child machine's ARN.
func (x *execution) mapRunARNs(label string) (run, machine, id string) {
	id = x.resumeUUID()
	if label == "" {
		label = x.uuid()
	}
	run = fmt.Sprintf("arn:aws:states:%s:%s:mapRun:%s/%s:%s", x.cfg.region, x.cfg.account, x.cfg.smName, label, id)
	machine = fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s/%s", x.cfg.region, x.cfg.account, x.cfg.smName, label)
	return run, machine, id
}

// distributedMap runs a distributed Map state: MapStateStarted, then a
// map run (MapRunStarted, its children, MapRunSucceeded or MapRunFailed).
func (x *execution) distributedMap(ctx context.Context, st *mapNode, raw, eff any, sc *scope) (any, *ExecutionError) {
	d := st.dist
	var items []any
	if d.reader == nil {
		var err *ExecutionError
		if items, err = x.mapItems(st, raw, eff, sc); err != nil {
			return nil, err
		}
	}
	tol, err := x.mapTolerance(st, raw, eff, sc)
	if err != nil {
		return nil, err
	}
	limit, err := x.mapConcurrency(st, raw, eff, sc)
	if err != nil {
		return nil, err
	}
	x.emit(sc, "MapStateStarted", func(e *Event) { e.MapStateStartedEventDetails = &MapStateStartedDetails{Length: len(items)} })

	// The reader's parameters and MaxItems are evaluated before the map
	// run starts (recorded: a MaxItemsPath of 1.5 fails the state with
	// States.Runtime and no MapRunStarted).
	var readerParams any
	maxItems := 0
	if r := d.reader; r != nil {
		if readerParams, err = x.readerParams(r, raw, eff, sc); err != nil {
			return nil, err
		}
		if maxItems, err = x.readerMaxItems(r, raw, eff, sc); err != nil {
			return nil, err
		}
	}
	runARN, machineARN, runID := x.mapRunARNs(d.label)
	// A resumed execution whose record has this run's MapRunStarted goes
	// on with the same run (WithMapRunRecords).
	recARN, prior := x.recordedMapRun(sc)
	if recARN != "" {
		if m, id, ok := splitMapRunARN(recARN); ok {
			runARN, machineARN, runID = recARN, m, id
		}
	}
	label := d.label
	if label == "" {
		label = machineARN[strings.LastIndexByte(machineARN, '/')+1:]
	}
	run := newMapRun(MapRunInfo{ARN: runARN, ExecutionARN: x.id, StateMachineARN: machineARN, Label: label,
		ExecutionType: d.execType, Status: "RUNNING", StartDate: x.cfg.clock.Now(), MaxConcurrency: limit})
	run.countSet, run.percentSet = tol.countSet, tol.percentSet
	run.info.ToleratedFailureCount, run.info.ToleratedFailurePercentage = tol.count, tol.percent
	run.restoreInfo(prior)
	if x.cfg.mapRunHook != nil {
		x.cfg.mapRunHook(run)
	}
	x.emit(sc, "MapRunStarted", func(e *Event) { e.MapRunStartedEventDetails = &MapRunStartedDetails{MapRunArn: runARN} })
	written := false // a failed run's results were exported
	fail := func(err *ExecutionError) (any, *ExecutionError) {
		if ctx.Err() != nil {
			// The parent stopped (StopExecution, a timeout) or another
			// branch failed: the run and its running children are
			// aborted. MapRunAborted has no details (AWS API model:
			// HistoryEvent has no mapRunAbortedEventDetails).
			x.emit(sc, "MapRunAborted", nil)
			run.finish("ABORTED", x.cfg.clock.Now(), "", "", false)
			return nil, x.ctxError(ctx)
		}
		x.emit(sc, "MapRunFailed", func(e *Event) { e.MapRunFailedEventDetails = &FailureDetails{Error: err.Name, Cause: err.Cause} })
		run.finish("FAILED", x.cfg.clock.Now(), err.Name, err.Cause, written)
		err.fromBranch = true
		return nil, err
	}
	if r := d.reader; r != nil {
		var rerr *ExecutionError
		items, rerr = x.readItems(ctx, sc, st.name, r, readerParams, maxItems)
		if rerr != nil {
			if rerr.Name != ErrRuntime && ctx.Err() == nil {
				rerr = &ExecutionError{Name: "States.ItemReaderFailed", Cause: rerr.Cause}
			}
			return fail(rerr)
		}
	}
	inputs, counts, err := x.childInputs(st, raw, eff, items, sc)
	if err != nil {
		return fail(err)
	}
	run.setItems(int64(len(items)), len(inputs))
	results, runErr := x.runChildren(ctx, st, run, inputs, counts, prior)
	if runErr != nil {
		// A run that failed on its tolerance still exports what it has:
		// SUCCEEDED_n and FAILED_n, and PENDING_n.json with "all child
		// workflow executions that weren't started because the Map Run
		// failed" (AWS docs, input-output-resultwriter.html, "Exporting
		// to Amazon S3"). A writer that fails then fails the run with
		// its own error.
		if w := d.writer; w != nil && w.resource != "" && results != nil && ctx.Err() == nil {
			r := x.recorded(sc)
			if _, werr := x.writeResults(ctx, sc, st, w, raw, eff, run, runID, results, r == nil || r.Type != "MapRunFailed"); werr != nil {
				return fail(writerFailed(ctx, werr))
			}
			written = true
		}
		return fail(runErr)
	}
	var out any = results.outputs(d.writer)
	if w := d.writer; w != nil && w.resource != "" {
		// A resumed run whose end is recorded wrote its files already.
		r := x.recorded(sc)
		rewrite := r == nil || r.Type != "MapRunSucceeded"
		o, werr := x.writeResults(ctx, sc, st, w, raw, eff, run, runID, results, rewrite)
		if werr != nil {
			return fail(writerFailed(ctx, werr))
		}
		out = o
	}
	x.emit(sc, "MapRunSucceeded", nil)
	// A run that succeeded counts every child's result as written, with
	// or without a ResultWriter (recorded on AWS: DescribeMapRun of a run
	// without one shows resultsWritten equal to its succeeded children,
	// localstack tests/aws/services/stepfunctions/v2/test_sfn_api_map_run.snapshot.json
	// "test_list_map_runs_and_describe_map_run").
	run.finish("SUCCEEDED", x.cfg.clock.Now(), "", "", true)
	x.emitKeep(sc, "MapStateSucceeded", nil)
	return out, nil
}

// exceedThresholdCause is AWS's cause of States.ExceedToleratedFailureThreshold
// (recorded on AWS: localstack's test_state_configuration.snapshot.json,
// "exceeds_tolerated_failure").
const exceedThresholdCause = "The specified tolerated failure threshold was exceeded"

// tolerance is a Map state's tolerated failures as evaluated.
type tolerance struct {
	count                int64
	percent              float64
	countSet, percentSet bool
}

// mapTolerance evaluates ToleratedFailureCount(Path) and
// ToleratedFailurePercentage(Path) with AWS's messages (recorded on
// AWS: test_map_state_tolerated_failure_count_path and _percentage_path).
func (x *execution) mapTolerance(st *mapNode, raw, eff any, sc *scope) (tolerance, *ExecutionError) {
	var t tolerance
	if !st.hasTolerance {
		return t, nil
	}
	for _, f := range []struct {
		t     *jtemplate
		field string
	}{{st.jTolCount, "ToleratedFailureCount"}, {st.jTolPercent, "ToleratedFailurePercentage"}} {
		if f.t == nil {
			continue
		}
		v, err := f.t.evalTop(&jenv{sc: sc, input: raw}, f.field)
		if err != nil {
			return t, err
		}
		n, ok := toFloat(v)
		count := f.field == "ToleratedFailureCount"
		if !ok || n < 0 || (count && n != math.Trunc(n)) || (!count && n > 100) {
			return t, newError(ErrQueryEvaluation, "%s must be %s, got %s", f.field,
				map[bool]string{true: "a non-negative integer", false: "a number from 0 to 100"}[count], truncate(encodeJSON(v)))
		}
		if count {
			t.count, t.countSet = int64(min(n, math.MaxInt32)), true
		} else {
			t.percent, t.percentSet = n, true
		}
	}
	if st.toleratedCount >= 0 {
		t.count, t.countSet = int64(st.toleratedCount), true
	}
	if st.toleratedPercent >= 0 {
		t.percent, t.percentSet = st.toleratedPercent, true
	}
	if p := st.toleratedCountPath; p != nil {
		v, ok := sc.evalPath(p, eff)
		f, isNum := numberOrNumeric(v, true)
		if !ok || !isNum || f != math.Trunc(f) {
			return t, sc.runtimeError("The ToleratedFailureCountPath field refers to value %s which is not a valid integer: %s", pathValue(v, ok), p.src)
		}
		if f < 0 {
			return t, sc.runtimeError("ToleratedFailureCount cannot be negative.")
		}
		t.count, t.countSet = int64(min(f, math.MaxInt32)), true
	}
	if p := st.toleratedPercentPath; p != nil {
		v, ok := sc.evalPath(p, eff)
		f, isNum := numberOrNumeric(v, false)
		if !ok || !isNum {
			return t, sc.runtimeError("The ToleratedFailurePercentagePath field refers to value %s which is not a valid float: %s", pathValue(v, ok), p.src)
		}
		if f < 0 || f > 100 {
			return t, sc.runtimeError("ToleratedFailurePercentage must be between 0 and 100.")
		}
		t.percent, t.percentSet = f, true
	}
	return t, nil
}

// maxFailures is the number of the n items that may fail: every one
// when neither count nor percentage is set (an inline Map with only
// unset Path forms cannot happen), else the smaller limit.
func (t tolerance) maxFailures(n int) int {
	m := math.MaxInt
	if t.countSet {
		m = int(t.count)
	}
	if t.percentSet {
		m = min(m, int(math.Floor(t.percent/100*float64(n))))
	}
	if !t.countSet && !t.percentSet {
		m = 0
	}
	return m
}

// compileJTolerance compiles a JSONata Map state's ToleratedFailureCount
// and ToleratedFailurePercentage: numbers or expressions.
func (n *mapNode) compileJTolerance(at site, s *asl.State) error {
	count, tc, err := numberOrExpr(at, "ToleratedFailureCount", s.ToleratedFailureCount, false)
	if err != nil {
		return err
	}
	percent, tp, err := numberOrExpr(at, "ToleratedFailurePercentage", s.ToleratedFailurePercentage, false)
	if err != nil {
		return err
	}
	n.toleratedCount, n.toleratedPercent = -1, -1
	if s.ToleratedFailureCount != "" {
		n.hasTolerance = true
		if tc == nil {
			n.toleratedCount = int(min(count, 1<<30))
		}
	}
	if s.ToleratedFailurePercentage != "" {
		n.hasTolerance = true
		if tp == nil {
			n.toleratedPercent = min(percent, 100)
		}
	}
	n.jTolCount, n.jTolPercent = tc, tp
	return nil
}

// pathValue shows a value as AWS's path-field messages do: in quotes.
func pathValue(v any, ok bool) string {
	if !ok {
		return "null"
	}
	if s, isStr := v.(string); isStr {
		return strconv.Quote(s)
	}
	return strconv.Quote(truncate(encodeJSON(v)))
}

// readerParams evaluates the ItemReader's Parameters (or Arguments).
func (x *execution) readerParams(r *itemReader, raw, eff any, sc *scope) (any, *ExecutionError) {
	switch {
	case r.params != nil:
		v, err := r.params.eval(sc, eff)
		if err != nil {
			return nil, asExecError(err)
		}
		return v, nil
	case r.jArgs != nil:
		return r.jArgs.evalTop(&jenv{sc: sc, input: raw}, "Arguments")
	}
	return newObject(0), nil
}

// readerMaxItems evaluates ReaderConfig.MaxItems(Path): 0 means all.
func (x *execution) readerMaxItems(r *itemReader, raw, eff any, sc *scope) (int, *ExecutionError) {
	switch {
	case r.maxItemsPath != nil:
		v, ok := sc.evalPath(r.maxItemsPath, eff)
		f, isNum := toFloat(v)
		if !ok || !isNum || f != math.Trunc(f) {
			return 0, sc.runtimeError("The MaxItemsPath field refers to value %s which is not a valid integer: %s", pathValue(v, ok), r.maxItemsPath.src)
		}
		if f < 0 {
			return -1, nil // fails the map run (States.ItemReaderFailed)
		}
		return int(min(f, maxReaderItems)), nil
	case r.jMaxItems != nil:
		v, err := r.jMaxItems.evalTop(&jenv{sc: sc, input: raw}, "MaxItems")
		if err != nil {
			return 0, err
		}
		f, isNum := toFloat(v)
		if !isNum || f != math.Trunc(f) {
			return 0, newError(ErrQueryEvaluation, "MaxItems must be an integer, got %s", truncate(encodeJSON(v)))
		}
		if f < 0 {
			return -1, nil
		}
		return int(min(f, maxReaderItems)), nil
	}
	return r.maxItems, nil
}

// childInputs applies ItemSelector and ItemBatcher: the inputs of the
// child executions and how many items each holds.
func (x *execution) childInputs(st *mapNode, raw, eff any, items []any, sc *scope) ([]any, []int, *ExecutionError) {
	if st.batch != nil {
		batches, err := x.batchItems(st, eff, items, sc)
		if err != nil {
			return nil, nil, err
		}
		counts := make([]int, len(batches))
		for i, b := range batches {
			if o, ok := b.(*Object); ok {
				if v, ok := o.Get("Items"); ok {
					if a, ok := v.([]any); ok {
						counts[i] = len(a)
					}
				}
			}
		}
		return batches, counts, nil
	}
	inputs := make([]any, len(items))
	counts := make([]int, len(items))
	for i, item := range items {
		counts[i] = 1
		in := item
		switch {
		case st.jItemSelector != nil:
			isc := sc.child()
			isc.hasItem, isc.itemIndex, isc.itemValue = true, i, item
			isc.stateName, isc.entered, isc.enteredEvent = sc.stateName, sc.entered, sc.enteredEvent
			v, err := st.jItemSelector.evalTop(&jenv{sc: isc, input: raw}, "ItemSelector")
			if err != nil {
				return nil, nil, err
			}
			in = v
		case st.itemSelector != nil:
			isc := sc.child()
			isc.hasItem, isc.itemIndex, isc.itemValue = true, i, item
			isc.stateName, isc.entered, isc.enteredEvent = sc.stateName, sc.entered, sc.enteredEvent
			v, err := st.itemSelector.eval(isc, eff)
			if err != nil {
				return nil, nil, asExecError(err)
			}
			in = v
		}
		inputs[i] = in
	}
	return inputs, counts, nil
}

// childResult is the outcome of one child execution.
type childResult struct {
	name, arn  string
	input, out any
	status     Status
	err        *ExecutionError
	start      time.Time
	stop       time.Time
}

type childResults struct {
	machineARN string
	list       []childResult
	ran        []bool
	// inputs are the children's inputs, for the entries of those that
	// never started (PENDING_n.json).
	inputs []any
}

// outputs is the Map state's result without a ResultWriter export: the
// children's outputs (a failed child's error object), as WriterConfig's
// Transformation says (COMPACT without one).
func (r *childResults) outputs(w *resultWriter) any {
	transformation := "COMPACT"
	if w != nil && w.resource == "" {
		transformation = w.transformation
	}
	out := make([]any, 0, len(r.list))
	for i, c := range r.list {
		if !r.ran[i] {
			continue
		}
		switch {
		case c.err != nil:
			eo := newObject(2)
			eo.add("Error", c.err.Name)
			eo.add("Cause", c.err.Cause)
			out = append(out, eo)
		case transformation == "NONE":
			out = append(out, r.entry(c))
		case transformation == "FLATTEN":
			if a, ok := c.out.([]any); ok {
				out = append(out, a...)
			} else {
				out = append(out, c.out)
			}
		default:
			out = append(out, c.out)
		}
	}
	return out
}

// entry is a child execution as the ResultWriter's files show it.
func (r *childResults) entry(c childResult) *Object {
	o := newObject(14)
	o.add("ExecutionArn", c.arn)
	o.add("Input", encodeJSON(c.input))
	o.add("InputDetails", objectOf("Included", true))
	o.add("Name", c.name)
	if c.err == nil {
		o.add("Output", encodeJSON(c.out))
		o.add("OutputDetails", objectOf("Included", true))
	} else {
		o.add("Error", c.err.Name)
		o.add("Cause", c.err.Cause)
	}
	o.add("RedriveCount", int64(0))
	if c.status == StatusSucceeded {
		o.add("RedriveStatus", "NOT_REDRIVABLE")
		o.add("RedriveStatusReason", "Execution is SUCCEEDED and cannot be redriven")
	} else {
		o.add("RedriveStatus", "REDRIVABLE")
	}
	o.add("StartDate", c.start.UTC().Format(timeLayout))
	o.add("StateMachineArn", r.machineARN)
	o.add("Status", string(c.status))
	o.add("StopDate", c.stop.UTC().Format(timeLayout))
	return o
}

// pendingEntry is a child that never started (its run failed first), as
// PENDING_n.json shows it. AWS documents that the file holds such
// children but shows no entry; hsc gives the input and the status.
func (r *childResults) pendingEntry(i int) *Object {
	o := newObject(3)
	o.add("Input", encodeJSON(r.inputs[i]))
	o.add("InputDetails", objectOf("Included", true))
	o.add("Status", "PENDING")
	return o
}

func objectOf(k string, v any) *Object {
	o := newObject(1)
	o.add(k, v)
	return o
}

// runChildren runs one child execution per input, at most the run's
// MaxConcurrency at a time, until all ran or the failures exceed the
// tolerance.
func (x *execution) runChildren(ctx context.Context, st *mapNode, run *MapRun, inputs []any, counts []int, prior *MapRunRecord) (*childResults, *ExecutionError) {
	res := &childResults{machineARN: run.Info().StateMachineARN, list: make([]childResult, len(inputs)), ran: make([]bool, len(inputs)), inputs: inputs}
	// A resumed run: the children that ended keep their results.
	running := x.restoreRun(run, prior, res, counts)
	restored := append([]bool(nil), res.ran...)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g := &gate{run: run, def: x.cfg.mapLimit, release: make(chan struct{})}
	var wg sync.WaitGroup
	var once sync.Once
	var exceeded bool
	for i := range inputs {
		if restored[i] {
			continue
		}
		if !g.acquire(cctx) {
			break
		}
		if _, over, _ := run.limits(0); over {
			g.done()
			break
		}
		res.ran[i] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer g.done()
			res.list[i] = x.runChild(cctx, st, run, i, inputs[i], int64(counts[i]), running[i])
			if _, over, _ := run.limits(0); over {
				once.Do(func() { exceeded = true; cancel() })
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, x.ctxError(ctx)
	}
	if _, over, _ := run.limits(0); over || exceeded {
		// The results so far go with the error: a ResultWriter still
		// exports them.
		return res, &ExecutionError{Name: "States.ExceedToleratedFailureThreshold", Cause: exceedThresholdCause}
	}
	return res, nil
}

// runChild runs one child workflow execution of a map run: its own
// execution (ARN, context object, event count and, when the run's
// ChildHook asks for them, events), inside the parent's context and
// deadline.
// A child a resumed run recorded as running (prev) keeps its name and
// resumes from its recorded history, or starts again without one.
func (x *execution) runChild(ctx context.Context, st *mapNode, run *MapRun, index int, input any, items int64, prev *RecordedChild) childResult {
	name := x.resumeUUID()
	if prev != nil {
		name = prev.Name
	}
	info := run.Info()
	smName := info.StateMachineARN[strings.Index(info.StateMachineARN, ":stateMachine:")+len(":stateMachine:"):]
	arn := fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", x.cfg.region, x.cfg.account, smName, name)
	if info.ExecutionType == "EXPRESS" {
		arn = fmt.Sprintf("arn:aws:states:%s:%s:express:%s:%s", x.cfg.region, x.cfg.account, smName, name)
	}
	cfg := x.cfg
	cfg.record, cfg.keep, cfg.hook, cfg.smName = false, false, nil, smName
	cfg.resume = nil
	c := &execution{cfg: cfg, input: input, name: name, id: arn, smID: info.StateMachineARN,
		deadline: x.deadline, timeoutCause: x.timeoutCause, eventCap: x.eventCap, keyed: x.keyed, mapChild: true}
	c.rnd = x.childRand()
	c.start = cfg.clock.Now()
	var replay *replayLog
	if prev != nil && len(prev.History) > 0 && c.keyed && info.ExecutionType == "STANDARD" {
		replay = newReplayLog(prev.History)
		if !replay.start.IsZero() {
			c.start = replay.start
		}
	}
	child := ChildExecution{ExecutionARN: arn, Name: name, Index: index, StartDate: c.start, Input: encodeJSON(input)}
	if h := run.childHook(); h != nil {
		if hook := h(child); hook != nil {
			c.cfg.hook, c.cfg.record, c.record = hook, true, true
			c.resumableChild = c.keyed && info.ExecutionType == "STANDARD"
		}
	}
	if replay != nil && c.record {
		// Resumed from its record: replayed events are not emitted
		// again, and new ones continue its ids.
		c.replay = replay
		c.nEvents.Store(replay.maxID)
	}
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	c.ctx, c.cancel = cctx, cancel
	run.setStop(name, cancel)
	defer run.setStop(name, nil)
	run.startChild(child, items)
	sc := &scope{x: c}
	if c.keyed {
		sc.path = "r"
	}
	c.emitKeep(sc, "ExecutionStarted", func(e *Event) {
		e.ExecutionStartedEventDetails = &ExecutionStartedDetails{Input: child.Input, RoleArn: cfg.roleArn}
	})
	out, err := c.runMachine(cctx, st.processor, input, sc, -1)
	r := childResult{name: name, arn: arn, input: input, out: out, start: c.start, status: StatusSucceeded}
	if err == nil {
		if n := jsonSize(out, 0, MaxPayloadBytes); n > MaxPayloadBytes {
			err = newError(ErrDataLimitExceeded, "the execution output is larger than %d bytes", MaxPayloadBytes)
		}
	}
	if err != nil {
		r.err = err
		r.status = StatusFailed
		switch {
		case ctx.Err() != nil:
			// The map run ended (its parent stopped, timed out or
			// failed, or too many children failed): running children
			// are aborted.
			r.status = StatusAborted
		case err.Name == ErrTimeout && context.Cause(cctx) == errExecutionTimeout:
			r.status = StatusTimedOut
		case context.Cause(cctx) == errChildStopped:
			r.status = StatusAborted
			r.err = &ExecutionError{Name: "States.Aborted", Cause: errChildStopped.Error()}
		}
	}
	fd := func() *FailureDetails { return &FailureDetails{Error: r.err.Name, Cause: r.err.Cause} }
	switch r.status {
	case StatusSucceeded:
		c.emit(sc, "ExecutionSucceeded", func(e *Event) { e.ExecutionSucceededEventDetails = &OutputDetails{Output: encodeJSON(out)} })
	case StatusTimedOut:
		c.emit(sc, "ExecutionTimedOut", func(e *Event) { e.ExecutionTimedOutEventDetails = fd() })
	case StatusAborted:
		c.emit(sc, "ExecutionAborted", func(e *Event) { e.ExecutionAbortedEventDetails = fd() })
	default:
		c.emit(sc, "ExecutionFailed", func(e *Event) { e.ExecutionFailedEventDetails = fd() })
	}
	r.stop = cfg.clock.Now()
	if r.err != nil {
		run.endChild(name, r.status, r.stop, "", r.err.Name, r.err.Cause, items, false)
		return r
	}
	run.endChild(name, StatusSucceeded, r.stop, encodeJSON(out), "", "", items, false)
	return r
}

// childRand gives a child execution its own random source, drawn from
// the parent's (reproducible under WithSeed).
func (x *execution) childRand() *rand.Rand {
	x.mu.Lock()
	a, b := x.rnd.Uint64(), x.rnd.Uint64()
	x.mu.Unlock()
	return rand.New(rand.NewPCG(a, b))
}

// writerFailed is the error a run whose ResultWriter failed with werr
// fails with: States.ResultWriterFailed with werr's cause, unless werr is
// a States.Runtime error or the run was stopped (ctx).
func writerFailed(ctx context.Context, werr *ExecutionError) *ExecutionError {
	if werr.Name != ErrRuntime && ctx.Err() == nil {
		return &ExecutionError{Name: "States.ResultWriterFailed", Cause: werr.Cause}
	}
	return werr
}

// maxResultFileBytes is the most one ResultWriter file holds: AWS splits
// the results of a status into SUCCEEDED_0.json, SUCCEEDED_1.json, ...
// of at most 5 GB each (AWS docs, "ResultWriter", exporting to Amazon
// S3; 5 GB is also S3's limit on one PutObject).
const maxResultFileBytes int64 = 5 << 30

// writeResults exports the children's results as AWS's ResultWriter does:
// SUCCEEDED_N.json, FAILED_N.json (failed, timed out and aborted
// children) and PENDING_N.json (children a failed run never started)
// under PREFIX/MAP_RUN_ID/, then manifest.json listing them; the state's
// result names the manifest.
func (x *execution) writeResults(ctx context.Context, sc *scope, st *mapNode, w *resultWriter, raw, eff any, run *MapRun, runID string, res *childResults, write bool) (any, *ExecutionError) {
	var params any = newObject(0)
	switch {
	case w.params != nil:
		v, err := w.params.eval(sc, eff)
		if err != nil {
			return nil, asExecError(err)
		}
		params = v
	case w.jArgs != nil:
		v, err := w.jArgs.evalTop(&jenv{sc: sc, input: raw}, "Arguments")
		if err != nil {
			return nil, err
		}
		params = v
	}
	if w.configErr != "" {
		return nil, newError("States.ResultWriterFailed", "%s", w.configErr)
	}
	po, _ := params.(*Object)
	var bucket, prefix string
	if po != nil {
		if v, ok := po.Get("Bucket"); ok {
			bucket, _ = v.(string)
		}
		if v, ok := po.Get("Prefix"); ok {
			prefix, _ = v.(string)
		}
	}
	if bucket == "" {
		return nil, newError("States.ResultWriterFailed", "The ResultWriter's Parameters need a Bucket")
	}
	base := runID + "/"
	if prefix != "" {
		base = strings.TrimSuffix(prefix, "/") + "/" + base
	}
	ext := ".json"
	if w.outputType == "JSONL" {
		ext = ".jsonl"
	}
	put := func(key string, body []byte) *ExecutionError {
		if !write {
			return nil
		}
		p := newObject(3)
		p.add("Bucket", bucket)
		p.add("Key", key)
		p.add("Body", string(body))
		_, err := x.callS3(ctx, sc, st.name, PartResultWriter, w.resource, p)
		return err
	}
	limit := x.cfg.resultFileBytes
	if limit <= 0 {
		limit = maxResultFileBytes
	}
	manifest := newObject(3)
	manifest.add("DestinationBucket", bucket)
	runARN := run.Info().ARN
	manifest.add("MapRunArn", runARN)
	rf := newObject(3)
	for _, status := range []string{"FAILED", "PENDING", "SUCCEEDED"} {
		// Each file's body is built entry by entry and written when the next entry
		// would take it past the limit (an entry larger than the limit
		// has a file of its own).
		list := []any{}
		var b []byte
		n := 0
		flush := func() *ExecutionError {
			if n == 0 {
				return nil
			}
			if w.outputType != "JSONL" {
				b = append(b, ']')
			}
			key := fmt.Sprintf("%s%s_%d%s", base, status, len(list), ext)
			if err := put(key, b); err != nil {
				return err
			}
			f := newObject(2)
			f.add("Key", key)
			f.add("Size", int64(len(b)))
			list = append(list, f)
			b, n = b[:0], 0
			return nil
		}
		add := func(e any) *ExecutionError {
			// The entry with its '[', ',' or newline, and the closing ']'.
			size := jsonSize(e, 0, math.MaxInt) + 1
			if w.outputType != "JSONL" {
				size++
			}
			if n > 0 && int64(len(b)+size) > limit {
				if err := flush(); err != nil {
					return err
				}
			}
			if b == nil {
				// Room for as many entries as children, each about the
				// size of the first (at most the file limit).
				b = make([]byte, 0, min(int64(size)*int64(len(res.list)), limit, 1<<30))
			}
			switch {
			case w.outputType == "JSONL":
				b = append(appendJSON(b, e), '\n')
			case n == 0:
				b = appendJSON(append(b, '['), e)
			default:
				b = appendJSON(append(b, ','), e)
			}
			n++
			return nil
		}
		for i, c := range res.list {
			if status == "PENDING" {
				if !res.ran[i] {
					if err := add(res.pendingEntry(i)); err != nil {
						return nil, err
					}
				}
				continue
			}
			if !res.ran[i] || (c.err != nil) != (status == "FAILED") {
				continue
			}
			var err *ExecutionError
			switch {
			case c.err != nil || w.transformation == "NONE":
				err = add(res.entry(c))
			case w.transformation == "FLATTEN":
				if a, ok := c.out.([]any); ok {
					for _, e := range a {
						if err = add(e); err != nil {
							break
						}
					}
				} else {
					err = add(c.out)
				}
			default: // COMPACT
				err = add(c.out)
			}
			if err != nil {
				return nil, err
			}
		}
		if err := flush(); err != nil {
			return nil, err
		}
		rf.add(status, list)
	}
	manifest.add("ResultFiles", rf)
	key := base + "manifest.json"
	if err := put(key, appendJSON(nil, manifest)); err != nil {
		return nil, err
	}
	out := newObject(2)
	out.add("MapRunArn", runARN)
	details := newObject(2)
	details.add("Bucket", bucket)
	details.add("Key", key)
	out.add("ResultWriterDetails", details)
	return out, nil
}

// compileJBatcher compiles a JSONata state's ItemBatcher: each limit a
// positive integer or an expression, BatchInput a template.
func compileJBatcher(at site, v *asl.Value) (*itemBatcher, error) {
	if v.Kind != asl.KindObject {
		return nil, at.err("", "ItemBatcher must be an object")
	}
	b := &itemBatcher{}
	for _, f := range []struct {
		field string
		n     *int
		t     **jtemplate
	}{{"MaxItemsPerBatch", &b.maxItems, &b.jMaxItems}, {"MaxInputBytesPerBatch", &b.maxBytes, &b.jMaxBytes}} {
		fv := v.Get(f.field)
		if fv == nil {
			continue
		}
		if fv.Kind == asl.KindString {
			t, err := compileJTemplateAt(at, f.field, fv)
			if err != nil {
				return nil, err
			}
			*f.t = t
			continue
		}
		n, ok := fv.Float64()
		if fv.Kind != asl.KindNumber || !ok || n < 1 || n != math.Trunc(n) {
			return nil, at.err(f.field, "ItemBatcher.%s must be a positive integer", f.field)
		}
		*f.n = int(min(n, 1<<30))
	}
	if bi := v.Get("BatchInput"); bi != nil {
		t, err := compileJTemplateAt(at, "BatchInput", bi)
		if err != nil {
			return nil, err
		}
		b.jBatchInput = t
	}
	return b, nil
}

// jLimit evaluates a JSONata batch limit; without one it returns fixed.
func jLimit(sc *scope, input any, t *jtemplate, fixed int, what string) (int, *ExecutionError) {
	if t == nil {
		return fixed, nil
	}
	v, err := t.evalTop(&jenv{sc: sc, input: input}, what)
	if err != nil {
		return 0, err
	}
	f, ok := toFloat(v)
	if !ok || f < 1 || f != math.Trunc(f) {
		return 0, newError(ErrQueryEvaluation, "ItemBatcher.%s must be a positive integer, got %s", what, truncate(encodeJSON(v)))
	}
	return int(min(f, 1<<30)), nil
}
