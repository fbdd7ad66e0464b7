package server

import (
	"strconv"
	"strings"
)

// validName reports whether name is a valid state machine, execution,
// activity or alias name apart from its length (which the model checks):
// no white space, no brackets < > { } [ ], no wildcards ? *, none of
// " # % \ ^ | ~ ` $ & , ; : /, no control characters (U+0000-001F,
// U+007F-009F), no U+FFFE-FFFF, no surrogates (AWS, CreateStateMachine
// name documentation).
func validName(name string) bool {
	for _, r := range name {
		switch {
		case r <= 0x20, r >= 0x7f && r <= 0x9f, r == 0xfffe, r == 0xffff:
			return false
		case r >= 0xd800 && r <= 0xdfff:
			return false
		case strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r):
			return false
		case r == 0x85 || r == 0xa0 || r == 0x1680 || r >= 0x2000 && r <= 0x200a || r == 0x2028 || r == 0x2029 || r == 0x202f || r == 0x205f || r == 0x3000:
			return false // Unicode white space
		}
	}
	return true
}

// arn is a parsed Step Functions ARN: arn:PARTITION:states:REGION:ACCOUNT:KIND:REST.
type arn struct {
	partition, region, account string
	kind                       string   // stateMachine, execution, express, activity, mapRun
	parts                      []string // REST split at ':'
}

// parseARN splits a Step Functions ARN. The errors are the service's
// InvalidArn answers.
func parseARN(s string) (arn, *APIError) {
	p := strings.SplitN(s, ":", 7)
	if len(p) < 7 || p[0] != "arn" || !strings.HasPrefix(p[1], "aws") {
		return arn{}, errArnPrefix(s)
	}
	if p[2] != "states" {
		return arn{}, errInvalidArn(s)
	}
	a := arn{partition: p[1], region: p[3], account: p[4], kind: p[5], parts: strings.Split(p[6], ":")}
	for _, x := range a.parts {
		if x == "" {
			return arn{}, errInvalidArn(s)
		}
	}
	return a, nil
}

// machineRef is a state machine ARN as an operation takes it: the
// unqualified state machine, and a version number or alias name when
// qualified.
type machineRef struct {
	machine string // unqualified ARN
	name    string
	version int    // 0 when not a version ARN
	alias   string // "" when not an alias ARN
}

// parseMachineARN parses a state machine ARN; qualified tells whether
// version and alias ARNs are accepted.
func parseMachineARN(s string, qualified bool) (machineRef, *APIError) {
	a, err := parseARN(s)
	if err != nil {
		return machineRef{}, err
	}
	if a.kind != "stateMachine" {
		return machineRef{}, errArnType(a.kind)
	}
	if len(a.parts) > 2 || !qualified && len(a.parts) == 2 {
		return machineRef{}, errInvalidArn(s)
	}
	r := machineRef{name: a.parts[0]}
	r.machine = strings.Join([]string{"arn", a.partition, "states", a.region, a.account, "stateMachine", a.parts[0]}, ":")
	if len(a.parts) == 2 {
		q := a.parts[1]
		if n, err := strconv.Atoi(q); err == nil && q[0] != '0' && n > 0 {
			r.version = n
		} else if n == 0 && err == nil {
			return machineRef{}, errInvalidArn(s)
		} else {
			r.alias = q
		}
	}
	return r, nil
}

// executionRef is a parsed execution ARN.
type executionRef struct {
	machine string // the unqualified state machine ARN
	express bool
}

func parseExecutionARN(s string) (executionRef, *APIError) {
	a, err := parseARN(s)
	if err != nil {
		return executionRef{}, err
	}
	switch a.kind {
	case "execution":
		if len(a.parts) != 2 {
			return executionRef{}, errInvalidArn(s)
		}
	case "express":
		if len(a.parts) != 3 {
			return executionRef{}, errInvalidArn(s)
		}
	default:
		return executionRef{}, errArnType(a.kind)
	}
	m := strings.Join([]string{"arn", a.partition, "states", a.region, a.account, "stateMachine", a.parts[0]}, ":")
	return executionRef{machine: m, express: a.kind == "express"}, nil
}

func parseActivityARN(s string) *APIError {
	a, err := parseARN(s)
	if err != nil {
		return err
	}
	if a.kind != "activity" {
		return errArnType(a.kind)
	}
	if len(a.parts) != 1 {
		return errInvalidArn(s)
	}
	return nil
}
