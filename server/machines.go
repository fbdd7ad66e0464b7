package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/store"
)

// machineCache holds compiled definitions by revision id, so that each
// revision is compiled once. It is bounded; a revision dropped from it is
// compiled again when next needed.
type machineCache struct {
	mu sync.Mutex
	m  map[string]*interpreter.Machine
}

const machineCacheSize = 1024

func newMachineCache() *machineCache { return &machineCache{m: map[string]*interpreter.Machine{}} }

func (c *machineCache) get(revision, definition string) (*interpreter.Machine, error) {
	c.mu.Lock()
	m, ok := c.m[revision]
	c.mu.Unlock()
	if ok {
		return m, nil
	}
	m, err := interpreter.Compile([]byte(definition))
	if err != nil {
		return nil, err
	}
	c.put(revision, m)
	return m, nil
}

func (c *machineCache) put(revision string, m *interpreter.Machine) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= machineCacheSize {
		for k := range c.m { // drop any one
			delete(c.m, k)
			break
		}
	}
	c.m[revision] = m
}

// startCache holds the state machine records StartExecution looks up, by
// ARN, so that a start's transaction (which the group commit runs one at
// a time) does not read and decode the record each time. Every write of a
// state machine invalidates it when its transaction has ended, before
// its request is answered: a start that follows an answered update sees
// the update. A record read in a transaction that began before an
// invalidation is not cached (gen).
type startCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]*store.StateMachine
}

const startCacheSize = 1024

// machine returns the state machine machine (for the ARN the caller gave,
// arn) as getMachine does, from the cache when it holds it. The record
// returned is shared: callers only read it.
func (c *startCache) machine(tx store.Tx, machine, arn string) (*store.StateMachine, error) {
	c.mu.Lock()
	sm, gen := c.m[machine], c.gen
	c.mu.Unlock()
	if sm != nil {
		return sm, nil
	}
	sm, err := getMachine(tx, machine, arn)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen {
		if c.m == nil || len(c.m) >= startCacheSize {
			c.m = map[string]*store.StateMachine{}
		}
		c.m[machine] = sm
	}
	c.mu.Unlock()
	return sm, nil
}

// invalidate forgets every record (a state machine was written).
func (c *startCache) invalidate() {
	c.mu.Lock()
	c.gen++
	c.m = nil
	c.mu.Unlock()
}

// diagnostic is one finding on a definition, in the service's terms.
type diagnostic struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Location string `json:"location,omitempty"`
}

// checkDefinition validates a definition as Create, Update and
// ValidateStateMachineDefinition do: the asl validator's problems in the
// service's codes, the rules of the machine type, and whether the
// interpreter can run it. It returns the compiled machine when there are
// no errors.
func checkDefinition(def, typ string) ([]diagnostic, *interpreter.Machine) {
	probs, err := asl.Validate([]byte(def))
	if err != nil {
		msg := err.Error()
		var se *asl.SyntaxError
		if errors.As(err, &se) {
			msg = fmt.Sprintf("%s at line %d, column %d", se.Msg, se.Pos.Line, se.Pos.Col)
		}
		return []diagnostic{{Severity: "ERROR", Code: "INVALID_JSON_DESCRIPTION", Message: msg}}, nil
	}
	var ds []diagnostic
	for _, p := range probs {
		d := diagnostic{Severity: "ERROR", Code: "SCHEMA_VALIDATION_FAILED", Message: p.Msg, Location: p.Pointer}
		if d.Location == "" {
			d.Location = "/"
		}
		// asl's warnings are what heaviside's output may hold and AWS
		// rejects: errors here, in the service's codes and wording
		// (recorded answers: 'MISSING_TRANSITION_TARGET: State "X" is not
		// reachable. at /States/X', 'MISSING_END_STATE: Workflow has no
		// terminal state').
		switch p.Code {
		case asl.CodeMissingTarget:
			d.Code = "MISSING_TRANSITION_TARGET"
		case asl.CodeDuplicateState:
			d.Code = "DUPLICATE_STATE_NAME"
		case asl.CodeUnreachable:
			d.Code, d.Message = "MISSING_TRANSITION_TARGET", fmt.Sprintf("State %q is not reachable.", p.State)
		case asl.CodeNoTerminal, asl.CodeNoTerminalReached:
			d.Code, d.Message, d.Location = "MISSING_END_STATE", "Workflow has no terminal state", ""
		}
		ds = append(ds, d)
	}
	if typ == "EXPRESS" {
		ds = append(ds, expressProblems(def)...)
	}
	if hasErrors(ds) {
		return ds, nil
	}
	m, cerr := interpreter.Compile([]byte(def))
	if cerr != nil {
		d := diagnostic{Severity: "ERROR", Code: "SCHEMA_VALIDATION_FAILED", Message: cerr.Error(), Location: "/"}
		var de *interpreter.DefinitionError
		if errors.As(cerr, &de) && de.State != "" {
			d.Location = "/States/" + asl.PointerToken(de.State)
		}
		return append(ds, d), nil
	}
	return ds, m
}

func hasErrors(ds []diagnostic) bool {
	return slices.ContainsFunc(ds, func(d diagnostic) bool { return d.Severity == "ERROR" })
}

// invalidDefinition is the InvalidDefinition answer for the errors in ds.
func invalidDefinition(ds []diagnostic) *APIError {
	var parts []string
	for _, d := range ds {
		if d.Severity != "ERROR" {
			continue
		}
		s := d.Code + ": " + d.Message
		if d.Location != "" {
			s += " at " + d.Location
		}
		parts = append(parts, s)
	}
	return apiErr("InvalidDefinition", "Invalid State Machine Definition: '%s'", strings.Join(parts, ", "))
}

// expressProblems finds what an Express machine may not use: activities,
// .sync and .waitForTaskToken integrations (AWS rejects them at create
// time).
func expressProblems(def string) []diagnostic {
	var doc any
	if json.Unmarshal([]byte(def), &doc) != nil {
		return nil
	}
	var ds []diagnostic
	var walk func(states any, at string)
	walk = func(states any, at string) {
		m, _ := states.(map[string]any)
		names := make([]string, 0, len(m))
		for n := range m {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			st, _ := m[n].(map[string]any)
			p := at + "/" + asl.PointerToken(n)
			if res, ok := st["Resource"].(string); ok {
				loc := p + "/Resource"
				switch {
				case strings.HasPrefix(res, "arn:") && strings.Contains(res, ":activity:"):
					ds = append(ds, diagnostic{Severity: "ERROR", Code: "SCHEMA_VALIDATION_FAILED", Message: "Express state machine does not support Activity ARN", Location: loc})
				case strings.HasSuffix(res, ".sync") || strings.Contains(res, ".sync:"):
					ds = append(ds, diagnostic{Severity: "ERROR", Code: "SCHEMA_VALIDATION_FAILED", Message: "Express state machine does not support '.sync' service integration", Location: loc})
				case strings.HasSuffix(res, ".waitForTaskToken"):
					ds = append(ds, diagnostic{Severity: "ERROR", Code: "SCHEMA_VALIDATION_FAILED", Message: "Express state machine does not support '.waitForTaskToken' service integration", Location: loc})
				}
			}
			if bs, ok := st["Branches"].([]any); ok {
				for i, b := range bs {
					if bm, ok := b.(map[string]any); ok {
						walk(bm["States"], fmt.Sprintf("%s/Branches/%d/States", p, i))
					}
				}
			}
			for _, k := range []string{"Iterator", "ItemProcessor"} {
				if im, ok := st[k].(map[string]any); ok {
					walk(im["States"], p+"/"+k+"/States")
				}
			}
		}
	}
	if dm, ok := doc.(map[string]any); ok {
		walk(dm["States"], "/States")
	}
	return ds
}

// configDoc normalizes an optional configuration object to canonical JSON
// ("" when absent), for storing and for the idempotency comparison.
func configDoc(v json.RawMessage) string {
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	var doc any
	if json.Unmarshal(v, &doc) != nil {
		return string(v)
	}
	out, _ := json.Marshal(doc) // map keys come out sorted
	return string(out)
}

type loggingConfig struct {
	Level                string            `json:"level,omitempty"`
	IncludeExecutionData bool              `json:"includeExecutionData"`
	Destinations         []json.RawMessage `json:"destinations,omitempty"`
}

func checkLogging(raw json.RawMessage) *APIError {
	if len(raw) == 0 {
		return nil
	}
	var lc loggingConfig
	if json.Unmarshal(raw, &lc) != nil {
		return nil
	}
	if lc.Level != "" && lc.Level != "OFF" && len(lc.Destinations) == 0 {
		return apiErr("InvalidLoggingConfiguration", "Invalid Logging Configuration: Must specify exactly one Log Destination if logging is enabled.")
	}
	if len(lc.Destinations) > 1 {
		return apiErr("InvalidLoggingConfiguration", "Invalid Logging Configuration: Must specify exactly one Log Destination if logging is enabled.")
	}
	return nil
}

// checkRoleArn checks a role ARN's form: arn:PARTITION:iam::ACCOUNT:role/NAME.
func checkRoleArn(s string) *APIError {
	p := strings.SplitN(s, ":", 6)
	if len(p) != 6 || p[0] != "arn" || !strings.HasPrefix(p[1], "aws") {
		return errArnPrefix(s)
	}
	if p[2] != "iam" || !strings.HasPrefix(p[5], "role/") || len(p[5]) == len("role/") {
		return errInvalidArn(s)
	}
	return nil
}

func (s *Server) machineARN(name string) string {
	return "arn:aws:states:" + s.cfg.Region + ":" + s.cfg.AccountID + ":stateMachine:" + name
}

func (s *Server) activityARN(name string) string {
	return "arn:aws:states:" + s.cfg.Region + ":" + s.cfg.AccountID + ":activity:" + name
}

// Defaults the service reports for configurations never set.
var (
	defaultLogging    = json.RawMessage(`{"level":"OFF","includeExecutionData":false}`)
	defaultTracing    = json.RawMessage(`{"enabled":false}`)
	defaultEncryption = json.RawMessage(`{"type":"AWS_OWNED_KEY"}`)
)

func orDefault(doc string, def json.RawMessage) json.RawMessage {
	if doc == "" {
		return def
	}
	return json.RawMessage(doc)
}

type createStateMachineInput struct {
	Name                    string          `json:"name"`
	Definition              string          `json:"definition"`
	RoleArn                 string          `json:"roleArn"`
	Type                    string          `json:"type"`
	LoggingConfiguration    json.RawMessage `json:"loggingConfiguration"`
	TracingConfiguration    json.RawMessage `json:"tracingConfiguration"`
	EncryptionConfiguration json.RawMessage `json:"encryptionConfiguration"`
	Tags                    []tagJSON       `json:"tags"`
	Publish                 bool            `json:"publish"`
	VersionDescription      *string         `json:"versionDescription"`
}

type createStateMachineOutput struct {
	StateMachineArn        string  `json:"stateMachineArn"`
	CreationDate           *epoch  `json:"creationDate"`
	StateMachineVersionArn *string `json:"stateMachineVersionArn,omitempty"`
}

func (s *Server) createStateMachine(ctx context.Context, in *createStateMachineInput) (any, error) {
	if !validName(in.Name) {
		return nil, errInvalidName(in.Name)
	}
	if err := checkRoleArn(in.RoleArn); err != nil {
		return nil, err
	}
	if in.Type == "" {
		in.Type = "STANDARD"
	}
	if in.VersionDescription != nil && !in.Publish {
		return nil, errValidation("Version description can only be set when publish is true")
	}
	if err := checkLogging(in.LoggingConfiguration); err != nil {
		return nil, err
	}
	tags, terr := checkTags(in.Tags, "")
	if terr != nil {
		return nil, terr
	}
	ds, m := checkDefinition(in.Definition, in.Type)
	if hasErrors(ds) {
		return nil, invalidDefinition(ds)
	}
	now := s.now()
	sm := &store.StateMachine{
		ARN: s.machineARN(in.Name), Name: in.Name, Type: in.Type, Definition: in.Definition, RoleARN: in.RoleArn,
		Logging: configDoc(in.LoggingConfiguration), Tracing: configDoc(in.TracingConfiguration),
		Encryption: configDoc(in.EncryptionConfiguration), RevisionID: newUUID(), Created: now, Updated: now,
		NextVersion: 1, CreatePublish: in.Publish, CreateDescription: deref(in.VersionDescription),
	}
	var out createStateMachineOutput
	defer s.starts.invalidate()
	err := s.store.Update(ctx, func(tx store.Tx) error {
		old, err := tx.GetStateMachine(sm.ARN)
		if err == nil {
			// Idempotent when everything but the role and tags matches.
			if old.Definition != sm.Definition || old.Type != sm.Type || old.Logging != sm.Logging ||
				old.Tracing != sm.Tracing || old.Encryption != sm.Encryption ||
				old.CreatePublish != sm.CreatePublish || old.CreateDescription != sm.CreateDescription {
				return apiErr("StateMachineAlreadyExists", "State Machine Already Exists: '%s'", sm.ARN)
			}
			out = createStateMachineOutput{StateMachineArn: old.ARN, CreationDate: ep(old.Created)}
			if old.CreatePublish {
				v := old.ARN + ":1"
				out.StateMachineVersionArn = &v
			}
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if in.Publish {
			v := publishVersion(sm, deref(in.VersionDescription), now)
			if err := tx.CreateVersion(v); err != nil {
				return err
			}
			out.StateMachineVersionArn = &v.ARN
		}
		if err := tx.CreateStateMachine(sm); err != nil {
			return err
		}
		if len(tags) > 0 {
			if err := tx.SetTags(sm.ARN, tags); err != nil {
				return err
			}
		}
		out.StateMachineArn, out.CreationDate = sm.ARN, ep(now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.machines.put(sm.RevisionID, m)
	return &out, nil
}

// publishVersion makes the next version of sm's current revision.
func publishVersion(sm *store.StateMachine, description string, now time.Time) *store.Version {
	n := sm.NextVersion
	sm.NextVersion++
	return &store.Version{
		ARN: fmt.Sprintf("%s:%d", sm.ARN, n), StateMachineARN: sm.ARN, Number: n, Definition: sm.Definition,
		RoleARN: sm.RoleARN, Type: sm.Type, Logging: sm.Logging, Tracing: sm.Tracing, Encryption: sm.Encryption,
		RevisionID: sm.RevisionID, Description: description, Created: now,
	}
}

type describeStateMachineInput struct {
	StateMachineArn string `json:"stateMachineArn"`
	IncludedData    string `json:"includedData"`
}

type describeStateMachineOutput struct {
	StateMachineArn         string          `json:"stateMachineArn"`
	Name                    string          `json:"name"`
	Status                  string          `json:"status"`
	Definition              string          `json:"definition"`
	RoleArn                 string          `json:"roleArn"`
	Type                    string          `json:"type"`
	CreationDate            *epoch          `json:"creationDate"`
	LoggingConfiguration    json.RawMessage `json:"loggingConfiguration"`
	TracingConfiguration    json.RawMessage `json:"tracingConfiguration"`
	EncryptionConfiguration json.RawMessage `json:"encryptionConfiguration"`
	RevisionID              string          `json:"revisionId,omitempty"`
	Description             string          `json:"description,omitempty"`
}

func (s *Server) describeStateMachine(ctx context.Context, in *describeStateMachineInput) (any, error) {
	ref, aerr := parseMachineARN(in.StateMachineArn, true)
	if aerr != nil {
		return nil, aerr
	}
	var out *describeStateMachineOutput
	err := s.store.View(ctx, func(tx store.Tx) error {
		if ref.alias != "" {
			return errInvalidArn(in.StateMachineArn)
		}
		if ref.version > 0 {
			v, err := tx.GetVersion(in.StateMachineArn)
			if errors.Is(err, store.ErrNotFound) {
				return errMachineNotFound(in.StateMachineArn)
			} else if err != nil {
				return err
			}
			out = &describeStateMachineOutput{
				StateMachineArn: v.ARN, Name: ref.name, Status: "ACTIVE", Definition: v.Definition, RoleArn: v.RoleARN,
				Type: v.Type, CreationDate: ep(v.Created), LoggingConfiguration: orDefault(v.Logging, defaultLogging),
				TracingConfiguration: orDefault(v.Tracing, defaultTracing), EncryptionConfiguration: orDefault(v.Encryption, defaultEncryption),
				RevisionID: v.RevisionID, Description: v.Description,
			}
			return nil
		}
		sm, err := getMachine(tx, ref.machine, in.StateMachineArn)
		if err != nil {
			return err
		}
		out = &describeStateMachineOutput{
			StateMachineArn: sm.ARN, Name: sm.Name, Status: "ACTIVE", Definition: sm.Definition, RoleArn: sm.RoleARN,
			Type: sm.Type, CreationDate: ep(sm.Created), LoggingConfiguration: orDefault(sm.Logging, defaultLogging),
			TracingConfiguration: orDefault(sm.Tracing, defaultTracing), EncryptionConfiguration: orDefault(sm.Encryption, defaultEncryption),
			RevisionID: sm.RevisionID,
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type updateStateMachineInput struct {
	StateMachineArn         string          `json:"stateMachineArn"`
	Definition              *string         `json:"definition"`
	RoleArn                 *string         `json:"roleArn"`
	LoggingConfiguration    json.RawMessage `json:"loggingConfiguration"`
	TracingConfiguration    json.RawMessage `json:"tracingConfiguration"`
	EncryptionConfiguration json.RawMessage `json:"encryptionConfiguration"`
	Publish                 bool            `json:"publish"`
	VersionDescription      *string         `json:"versionDescription"`
}

type updateStateMachineOutput struct {
	UpdateDate             *epoch  `json:"updateDate"`
	RevisionID             string  `json:"revisionId"`
	StateMachineVersionArn *string `json:"stateMachineVersionArn,omitempty"`
}

func (s *Server) updateStateMachine(ctx context.Context, in *updateStateMachineInput) (any, error) {
	ref, aerr := parseMachineARN(in.StateMachineArn, false)
	if aerr != nil {
		return nil, aerr
	}
	if in.Definition == nil && in.RoleArn == nil && len(in.LoggingConfiguration) == 0 &&
		len(in.TracingConfiguration) == 0 && len(in.EncryptionConfiguration) == 0 {
		return nil, apiErr("MissingRequiredParameter", "Either the definition, the role ARN, the LoggingConfiguration, the EncryptionConfiguration or the TracingConfiguration must be specified")
	}
	if in.VersionDescription != nil && !in.Publish {
		return nil, errValidation("Version description can only be set when publish is true")
	}
	if in.RoleArn != nil {
		if err := checkRoleArn(*in.RoleArn); err != nil {
			return nil, err
		}
	}
	if err := checkLogging(in.LoggingConfiguration); err != nil {
		return nil, err
	}
	var out updateStateMachineOutput
	var compiled *interpreter.Machine
	var revision string
	defer s.starts.invalidate()
	err := s.store.Update(ctx, func(tx store.Tx) error {
		sm, err := getMachine(tx, ref.machine, in.StateMachineArn)
		if err != nil {
			return err
		}
		changed := false
		if in.Definition != nil && *in.Definition != sm.Definition {
			ds, m := checkDefinition(*in.Definition, sm.Type)
			if hasErrors(ds) {
				return invalidDefinition(ds)
			}
			sm.Definition, compiled, changed = *in.Definition, m, true
		}
		if in.RoleArn != nil && *in.RoleArn != sm.RoleARN {
			sm.RoleARN, changed = *in.RoleArn, true
		}
		for _, c := range []struct {
			raw json.RawMessage
			dst *string
		}{{in.LoggingConfiguration, &sm.Logging}, {in.TracingConfiguration, &sm.Tracing}, {in.EncryptionConfiguration, &sm.Encryption}} {
			if d := configDoc(c.raw); d != "" && d != *c.dst {
				*c.dst, changed = d, true
			}
		}
		now := s.now()
		if changed {
			sm.RevisionID, sm.Updated = newUUID(), now
		}
		if in.Publish {
			v := publishVersion(sm, deref(in.VersionDescription), now)
			if err := tx.CreateVersion(v); err != nil {
				return err
			}
			out.StateMachineVersionArn = &v.ARN
		}
		if err := tx.PutStateMachine(sm); err != nil {
			return err
		}
		out.UpdateDate, out.RevisionID, revision = ep(sm.Updated), sm.RevisionID, sm.RevisionID
		return nil
	})
	if err != nil {
		return nil, err
	}
	if compiled != nil {
		s.machines.put(revision, compiled)
	}
	return &out, nil
}

type arnInput struct {
	StateMachineArn string `json:"stateMachineArn"`
}

func (s *Server) deleteStateMachine(ctx context.Context, in *arnInput) (any, error) {
	ref, aerr := parseMachineARN(in.StateMachineArn, false)
	if aerr != nil {
		return nil, aerr
	}
	defer s.starts.invalidate()
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if err := tx.DeleteStateMachine(ref.machine); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil // deleting what is not there succeeds, as on AWS
			}
			return err
		}
		for {
			vs, _, err := tx.ListVersions(ref.machine, store.Page{Limit: 1000})
			if err != nil {
				return err
			}
			for _, v := range vs {
				if err := tx.DeleteVersion(v.ARN); err != nil {
					return err
				}
				if err := tx.SetTags(v.ARN, nil); err != nil {
					return err
				}
			}
			as, _, err := tx.ListAliases(ref.machine, store.Page{Limit: 1000})
			if err != nil {
				return err
			}
			for _, a := range as {
				if err := tx.DeleteAlias(a.ARN); err != nil {
					return err
				}
			}
			if len(vs) == 0 && len(as) == 0 {
				break
			}
		}
		return tx.SetTags(ref.machine, nil)
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type listInput struct {
	MaxResults int     `json:"maxResults"`
	NextToken  *string `json:"nextToken"`
}

type stateMachineListItem struct {
	StateMachineArn string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Type            string `json:"type"`
	CreationDate    *epoch `json:"creationDate"`
}

func (s *Server) listStateMachines(ctx context.Context, in *listInput) (any, error) {
	page, perr := pageFor("ListStateMachines", "", in.MaxResults, in.NextToken)
	if perr != nil {
		return nil, perr
	}
	out := struct {
		StateMachines []stateMachineListItem `json:"stateMachines"`
		NextToken     *string                `json:"nextToken,omitempty"`
	}{StateMachines: []stateMachineListItem{}}
	err := s.store.View(ctx, func(tx store.Tx) error {
		l, next, err := tx.ListStateMachines(page)
		if err != nil {
			return err
		}
		for _, sm := range l {
			out.StateMachines = append(out.StateMachines, stateMachineListItem{sm.ARN, sm.Name, sm.Type, ep(sm.Created)})
		}
		out.NextToken = tokenFor("ListStateMachines", "", next)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

type validateDefinitionInput struct {
	Definition string `json:"definition"`
	Type       string `json:"type"`
	Severity   string `json:"severity"`
	MaxResults int    `json:"maxResults"`
}

func (s *Server) validateStateMachineDefinition(_ context.Context, in *validateDefinitionInput) (any, error) {
	typ := in.Type
	if typ == "" {
		typ = "STANDARD"
	}
	ds, _ := checkDefinition(in.Definition, typ)
	if in.Severity != "WARNING" {
		ds = slices.DeleteFunc(ds, func(d diagnostic) bool { return d.Severity != "ERROR" })
	}
	limit := in.MaxResults
	if limit == 0 {
		limit = 100
	}
	out := struct {
		Result      string       `json:"result"`
		Diagnostics []diagnostic `json:"diagnostics"`
		Truncated   bool         `json:"truncated"`
	}{Result: "OK", Diagnostics: []diagnostic{}}
	if hasErrors(ds) {
		out.Result = "FAIL"
	}
	if len(ds) > limit {
		ds, out.Truncated = ds[:limit], true
	}
	out.Diagnostics = append(out.Diagnostics, ds...)
	return &out, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
