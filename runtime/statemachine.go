package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/ast"
)

// maxNameLen is the longest state machine or execution name the service
// accepts.
const maxNameLen = 80

// StateMachine is a named state machine, existing or not yet created. Get
// one with Client.StateMachine. It is not safe for concurrent use.
type StateMachine struct {
	Name string
	// ARN is empty while the machine does not exist.
	ARN string

	c        *Client
	visitors []ast.Visitor
}

// Exists reports whether the machine existed when looked up or was created.
func (m *StateMachine) Exists() bool { return m.ARN != "" }

// Client returns the client the machine was looked up with.
func (m *StateMachine) Client() *Client { return m.c }

// AddVisitor adds visitors that Build passes to the compiler; they see (and
// may rewrite) every Task state.
func (m *StateMachine) AddVisitor(v ...ast.Visitor) { m.visitors = append(m.visitors, v...) }

// Build compiles Heaviside source with the client's region and account id
// and the machine's visitors, and returns the States Language JSON.
// Compile errors are returned unchanged (reach them with errors.As).
func (m *StateMachine) Build(ctx context.Context, src []byte, filename string, opts ...hsc.Option) ([]byte, error) {
	res, err := m.Compile(ctx, src, filename, opts...)
	if err != nil {
		return nil, err
	}
	return res.Definition, nil
}

// Compile is Build returning the whole compile result, warnings included.
func (m *StateMachine) Compile(ctx context.Context, src []byte, filename string, opts ...hsc.Option) (*hsc.Result, error) {
	acct, err := m.c.AccountID(ctx)
	if err != nil {
		return nil, err
	}
	all := []hsc.Option{
		hsc.WithFilename(filename),
		hsc.WithRegion(m.c.region),
		hsc.WithAccountID(acct),
		hsc.WithVisitors(m.visitors...),
	}
	return hsc.Compile(src, append(all, opts...)...)
}

// IsDefinitionFile reports whether path names a ready States Language
// definition (.json, .asl.json or .sfn) rather than Heaviside source, by
// hsc's one rule (hsc.IsDSLFile).
func IsDefinitionFile(path string) bool {
	dsl, ok := hsc.IsDSLFile(path)
	return ok && !dsl
}

// DefinitionFromFile returns the definition for a file: a .json file is
// used as it is (after checking it is JSON); anything else is compiled as
// Heaviside source with Build.
func (m *StateMachine) DefinitionFromFile(ctx context.Context, path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if IsDefinitionFile(path) {
		if !json.Valid(data) {
			return nil, fmt.Errorf("%s: not valid JSON", path)
		}
		return data, nil
	}
	return m.Build(ctx, data, path)
}

// RoleARN returns role as an IAM role ARN: a full ARN is kept, a bare name
// becomes arn:<partition>:iam::<account>:role/<name>.
func (c *Client) RoleARN(ctx context.Context, role string) (string, error) {
	role = strings.TrimSpace(role)
	if role == "" {
		return "", errors.New("the IAM role is empty")
	}
	if strings.HasPrefix(role, "arn:") {
		return role, nil
	}
	acct, err := c.AccountID(ctx)
	if err != nil {
		return "", fmt.Errorf("making an ARN for role %q: %w", role, err)
	}
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", c.partition, acct, strings.TrimPrefix(role, "/")), nil
}

// Create creates the machine with a States Language definition and an IAM
// role (name or ARN). It fails with ErrExists if the machine exists.
func (m *StateMachine) Create(ctx context.Context, definition []byte, role string) error {
	if m.Exists() {
		return fmt.Errorf("%w: %q (%s)", ErrExists, m.Name, m.ARN)
	}
	roleARN, err := m.c.RoleARN(ctx, role)
	if err != nil {
		return err
	}
	out, err := m.c.api.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String(m.Name),
		Definition: aws.String(string(definition)),
		RoleArn:    aws.String(roleARN),
	})
	if err != nil {
		var ae *types.StateMachineAlreadyExists
		if errors.As(err, &ae) {
			return fmt.Errorf("%w: %q", ErrExists, m.Name)
		}
		return WrapError(fmt.Sprintf("create state machine %q", m.Name), err)
	}
	m.ARN = aws.ToString(out.StateMachineArn)
	return nil
}

// Update replaces the definition, the role, or both; an empty argument
// keeps the current value. It fails with ErrNotFound if the machine does
// not exist.
func (m *StateMachine) Update(ctx context.Context, definition []byte, role string) error {
	if len(definition) == 0 && role == "" {
		return errors.New("update needs a new definition or a new role")
	}
	if err := m.mustExist(); err != nil {
		return err
	}
	in := &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(m.ARN)}
	if len(definition) > 0 {
		in.Definition = aws.String(string(definition))
	}
	if role != "" {
		roleARN, err := m.c.RoleARN(ctx, role)
		if err != nil {
			return err
		}
		in.RoleArn = aws.String(roleARN)
	}
	_, err := m.c.api.UpdateStateMachine(ctx, in)
	return m.notFound(WrapError(fmt.Sprintf("update state machine %q", m.Name), err))
}

// Delete deletes the machine. A missing machine is an error (ErrNotFound)
// only when mustExist is true.
func (m *StateMachine) Delete(ctx context.Context, mustExist bool) error {
	if !m.Exists() {
		if mustExist {
			return m.mustExist()
		}
		return nil
	}
	_, err := m.c.api.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(m.ARN)})
	if err != nil {
		var nf *types.StateMachineDoesNotExist
		if errors.As(err, &nf) && !mustExist {
			m.ARN = ""
			return nil
		}
		return m.notFound(WrapError(fmt.Sprintf("delete state machine %q", m.Name), err))
	}
	m.ARN = ""
	return nil
}

// Start starts an execution with JSON input (empty means {}) and returns
// its ARN. An empty name means DefaultExecutionName(m.Name, now).
func (m *StateMachine) Start(ctx context.Context, input []byte, name string) (string, error) {
	if err := m.mustExist(); err != nil {
		return "", err
	}
	if len(strings.TrimSpace(string(input))) == 0 {
		input = []byte("{}")
	}
	if !json.Valid(input) {
		return "", errors.New("the execution input is not valid JSON")
	}
	defaulted := name == ""
	var out *sfn.StartExecutionOutput
	var err error
	for attempt := 0; ; attempt++ {
		if defaulted {
			name = DefaultExecutionName(m.Name, m.c.nameTime())
		}
		out, err = m.c.api.StartExecution(ctx, &sfn.StartExecutionInput{
			StateMachineArn: aws.String(m.ARN),
			Name:            aws.String(name),
			Input:           aws.String(string(input)),
		})
		// A default name is the time to the millisecond: when another
		// client took it (ExecutionAlreadyExists), the next millisecond's
		// name is tried.
		var exists *types.ExecutionAlreadyExists
		if !defaulted || attempt == 4 || !errors.As(err, &exists) {
			break
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
	if err != nil {
		return "", m.notFound(WrapError(fmt.Sprintf("start state machine %q", m.Name), err))
	}
	return aws.ToString(out.ExecutionArn), nil
}

// Executions lists the machine's executions with the given status (empty:
// all), reading all pages.
func (m *StateMachine) Executions(ctx context.Context, status types.ExecutionStatus) ([]types.ExecutionListItem, error) {
	if err := m.mustExist(); err != nil {
		return nil, err
	}
	list, err := m.c.Executions(ctx, m.ARN, status)
	return list, m.notFound(err)
}

// RunningARNs returns the ARNs of all running executions.
func (m *StateMachine) RunningARNs(ctx context.Context) ([]string, error) {
	list, err := m.Executions(ctx, types.ExecutionStatusRunning)
	if err != nil {
		return nil, err
	}
	arns := make([]string, len(list))
	for i, e := range list {
		arns[i] = aws.ToString(e.ExecutionArn)
	}
	return arns, nil
}

// Stop, Status and Wait act on one execution; they are the Client's methods,
// here for symmetry with heaviside's StateMachine.

// Stop stops an execution. See Client.StopExecution.
func (m *StateMachine) Stop(ctx context.Context, executionARN, errName, cause string) error {
	return m.c.StopExecution(ctx, executionARN, errName, cause)
}

// Status returns an execution's status. See Client.Status.
func (m *StateMachine) Status(ctx context.Context, executionARN string) (types.ExecutionStatus, error) {
	return m.c.Status(ctx, executionARN)
}

// Wait waits for an execution to stop. See Client.Wait.
func (m *StateMachine) Wait(ctx context.Context, executionARN string, o WaitOptions) (json.RawMessage, error) {
	return m.c.Wait(ctx, executionARN, o)
}

func (m *StateMachine) mustExist() error {
	if !m.Exists() {
		return fmt.Errorf("%w: %q", ErrNotFound, m.Name)
	}
	return nil
}

// notFound maps the service's StateMachineDoesNotExist (the machine was
// deleted after the lookup) to ErrNotFound, keeping the service error.
func (m *StateMachine) notFound(err error) error {
	var nf *types.StateMachineDoesNotExist
	if err != nil && errors.As(err, &nf) {
		return fmt.Errorf("%w: %q: %w", ErrNotFound, m.Name, err)
	}
	return err
}

// executionTimeLayout is the UTC time in default execution names, to the
// millisecond, using only characters execution names allow.
const executionTimeLayout = "20060102T150405.000Z"

// DefaultExecutionName returns "<machine>-<UTC time to the millisecond>",
// shortening the machine name so the result fits the 80-character limit.
func DefaultExecutionName(machine string, t time.Time) string {
	stamp := t.UTC().Format(executionTimeLayout)
	if limit := maxNameLen - len(stamp) - 1; len(machine) > limit {
		// Cut at a rune boundary.
		cut := 0
		for i := range machine {
			if i > limit {
				break
			}
			cut = i
		}
		machine = machine[:cut]
	}
	return machine + "-" + stamp
}
