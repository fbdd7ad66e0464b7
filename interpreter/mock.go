package interpreter

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// MockConfig is a mock configuration file in the format AWS Step Functions
// Local documents: test cases map state names to mocked responses, and each
// mocked response lists what successive invocations return or throw, keyed
// by invocation number ("0", "1", or a range "1-3").
type MockConfig struct {
	StateMachines   map[string]MockStateMachine            `json:"StateMachines"`
	MockedResponses map[string]map[string]MockedInvocation `json:"MockedResponses"`
}

// MockStateMachine holds the test cases of one state machine.
type MockStateMachine struct {
	TestCases map[string]map[string]string `json:"TestCases"`
}

// MockedInvocation is one entry of a mocked response: a Return value or a
// Throw.
type MockedInvocation struct {
	Return json.RawMessage `json:"Return,omitempty"`
	Throw  *struct {
		Error string `json:"Error"`
		Cause string `json:"Cause"`
	} `json:"Throw,omitempty"`
}

// ParseMockConfig reads a mock configuration and checks that every test
// case refers to a defined response with well-formed invocation keys.
func ParseMockConfig(data []byte) (*MockConfig, error) {
	var c MockConfig
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("mock config: %w", err)
	}
	for name, resp := range c.MockedResponses {
		for key, inv := range resp {
			if _, _, err := parseInvocationKey(key); err != nil {
				return nil, fmt.Errorf("mock config: MockedResponses[%q]: %w", name, err)
			}
			if (inv.Return == nil) == (inv.Throw == nil) {
				return nil, fmt.Errorf("mock config: MockedResponses[%q][%q] needs exactly one of Return and Throw", name, key)
			}
		}
	}
	for smName, sm := range c.StateMachines {
		for tc, states := range sm.TestCases {
			for state, resp := range states {
				if _, ok := c.MockedResponses[resp]; !ok {
					return nil, fmt.Errorf("mock config: state machine %q test case %q maps state %q to %q, which is not in MockedResponses", smName, tc, state, resp)
				}
			}
		}
	}
	return &c, nil
}

func parseInvocationKey(k string) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(k, "-")
	if lo, err = strconv.Atoi(a); err != nil || lo < 0 {
		return 0, 0, fmt.Errorf("invalid invocation key %q (want N or N-M)", k)
	}
	hi = lo
	if isRange {
		if hi, err = strconv.Atoi(b); err != nil || hi < lo {
			return 0, 0, fmt.Errorf("invalid invocation key %q (want N or N-M)", k)
		}
	}
	return lo, hi, nil
}

// Resolver returns a TaskResolver for one test case. A test case maps
// state names to mocked responses; the S3 calls of a distributed Map
// state's ItemReader and ResultWriter are looked up as "STATE/ItemReader"
// and "STATE/ResultWriter", then as "STATE" (each key counts its own
// invocations). stateMachine may be ""
// when the file defines a single state machine. States the test case does
// not mock are left to the next resolver (see Resolvers).
func (c *MockConfig) Resolver(stateMachine, testCase string) (TaskResolver, error) {
	sm, ok := c.StateMachines[stateMachine]
	if !ok {
		if len(c.StateMachines) != 1 {
			names := make([]string, 0, len(c.StateMachines))
			for n := range c.StateMachines {
				names = append(names, n)
			}
			sort.Strings(names)
			return nil, fmt.Errorf("mock config has no state machine %q (it has %s)", stateMachine, strings.Join(names, ", "))
		}
		for _, only := range c.StateMachines {
			sm = only
		}
	}
	states, ok := sm.TestCases[testCase]
	if !ok {
		names := make([]string, 0, len(sm.TestCases))
		for n := range sm.TestCases {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("mock config has no test case %q (it has %s)", testCase, strings.Join(names, ", "))
	}
	return &mockResolver{cfg: c, states: states, calls: map[string]int{}}, nil
}

type mockResolver struct {
	cfg    *MockConfig
	states map[string]string
	mu     sync.Mutex
	calls  map[string]int
}

func (m *mockResolver) ResolveTask(_ context.Context, req *TaskRequest) ([]byte, error) {
	key := req.StateName
	if req.Part != "" {
		// A distributed Map's S3 calls: "STATE/ItemReader" or
		// "STATE/ResultWriter", else the state's name.
		if _, ok := m.states[key+"/"+req.Part]; ok {
			key += "/" + req.Part
		}
	}
	respName, ok := m.states[key]
	if !ok {
		return nil, &UnresolvedTaskError{State: req.StateName, Resource: req.Resource}
	}
	m.mu.Lock()
	n := m.calls[key]
	m.calls[key] = n + 1
	m.mu.Unlock()
	for key, inv := range m.cfg.MockedResponses[respName] {
		lo, hi, _ := parseInvocationKey(key)
		if n < lo || n > hi {
			continue
		}
		if inv.Throw != nil {
			return nil, &ExecutionError{Name: inv.Throw.Error, Cause: inv.Throw.Cause}
		}
		return inv.Return, nil
	}
	return nil, &ExecutionError{Name: ErrRuntime, Cause: fmt.Sprintf("mocked response %q has no entry for invocation %d of state %q", respName, n, req.StateName)}
}
