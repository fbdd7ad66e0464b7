#!/usr/bin/env bash
# Drives a local Step Functions endpoint (hsc serve) with the AWS CLI and
# checks its answers: state machines, executions and their history, an
# activity task by hand, versions and aliases, StartSyncExecution,
# TestState and error codes.
#
#   bash .ci/serve-cli.sh http://127.0.0.1:8083
#
# Needs aws (AWS CLI v1 or v2) and bash. Operations this CLI does not know
# (an older CLI, such as a distribution's package) are skipped, and the
# script says which. The CLI sends StartSyncExecution and
# TestState to a "sync-" host; AWS_DISABLE_HOST_PREFIX_INJECTION turns that
# off. Credentials are dummies: the server does not check signatures.
set -euo pipefail
endpoint="${1:?usage: serve-cli.sh ENDPOINT_URL}"
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1
export AWS_DISABLE_HOST_PREFIX_INJECTION=true AWS_PAGER="" AWS_MAX_ATTEMPTS=1
sfn() { aws --endpoint-url "$endpoint" stepfunctions "$@"; }

checks=0
skipped=()
# The operations this CLI knows: it lists them when given an unknown one.
cli_ops="$(aws stepfunctions hsc-no-such-operation 2>&1 | tr -s ' |' '\n' || true)"
# has_ops OPERATION...: whether the CLI knows them all; records a skip if not.
has_ops() {
	local op
	for op in "$@"; do
		if ! grep -qx -- "$op" <<<"$cli_ops"; then
			skipped+=("$*")
			echo "serve-cli: SKIPPED: this aws CLI ($(aws --version 2>&1)) lacks $op" >&2
			return 1
		fi
	done
}
fail() { echo "serve-cli: FAIL: $*" >&2; exit 1; }
want() { # want DESCRIPTION GOT EXPECTED
	[ "$2" = "$3" ] || fail "$1: got [$2], want [$3]"
	checks=$((checks + 1))
}
# want_error DESCRIPTION CODE COMMAND...: the command fails with the code.
want_error() {
	local what="$1" code="$2" out
	shift 2
	if out="$("$@" 2>&1)"; then fail "$what: succeeded, want $code"; fi
	case "$out" in *"($code)"*) checks=$((checks + 1)) ;; *) fail "$what: $out, want $code" ;; esac
}
# wait_done ARN: the execution's final status.
wait_done() {
	local s
	for _ in $(seq 1 200); do
		s="$(sfn describe-execution --execution-arn "$1" --query status --output text)"
		[ "$s" != RUNNING ] && { echo "$s"; return; }
		sleep 0.05
	done
	fail "execution $1 still RUNNING"
}

# CLIs released before February 2025 (Debian 12's awscli 2.9 among them) ignore AWS_DISABLE_HOST_PREFIX_INJECTION and send
# StartSyncExecution and TestState to a "sync-" host that does not resolve.
probe="$(sfn start-sync-execution --state-machine-arn "arn:aws:states:us-east-1:123456789012:stateMachine:hsc-probe-$$" 2>&1 || true)"
no_prefix() {
	case "$probe" in
	*"(StateMachineDoesNotExist)"*) return 0 ;;
	esac
	skipped+=("$*")
	echo "serve-cli: SKIPPED: $* (this aws CLI ignores AWS_DISABLE_HOST_PREFIX_INJECTION: $(tr '\n' ' ' <<<"$probe"))" >&2
	return 1
}

run="cli$$"
role="arn:aws:iam::123456789012:role/cli"

# State machines, executions, history.
def='{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r","Next":"B"},"B":{"Type":"Pass","End":true}}}'
sm="$(sfn create-state-machine --name "$run" --role-arn "$role" --definition "$def" --query stateMachineArn --output text)"
want "state machine ARN" "$sm" "arn:aws:states:us-east-1:123456789012:stateMachine:$run"
again="$(sfn create-state-machine --name "$run" --role-arn "$role" --definition "$def" --query stateMachineArn --output text)"
want "idempotent create" "$again" "$sm"
want "describe" "$(sfn describe-state-machine --state-machine-arn "$sm" --query '[name,status,type]' --output text)" "$run	ACTIVE	STANDARD"
ex="$(sfn start-execution --state-machine-arn "$sm" --name e1 --input '{"a":1}' --query executionArn --output text)"
want "execution status" "$(wait_done "$ex")" SUCCEEDED
want "execution output" "$(sfn describe-execution --execution-arn "$ex" --query output --output text)" '{"a":1,"r":{"x":1}}'
want "history" "$(sfn get-execution-history --execution-arn "$ex" --query 'events[].type' --output text)" \
	"ExecutionStarted	PassStateEntered	PassStateExited	PassStateEntered	PassStateExited	ExecutionSucceeded"
want "history, newest first" "$(sfn get-execution-history --execution-arn "$ex" --reverse-order --max-items 1 --query 'events[0].type' --output text | sed -n 1p)" ExecutionSucceeded
want "list executions" "$(sfn list-executions --state-machine-arn "$sm" --status-filter SUCCEEDED --query 'length(executions)')" 1

# A Fail state fails the execution with its error and cause.
fdef='{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"MyError","Cause":"my cause"}}}'
fsm="$(sfn create-state-machine --name "${run}f" --role-arn "$role" --definition "$fdef" --query stateMachineArn --output text)"
fex="$(sfn start-execution --state-machine-arn "$fsm" --query executionArn --output text)"
want "Fail state" "$(wait_done "$fex")" FAILED
want "error and cause" "$(sfn describe-execution --execution-arn "$fex" --query '[error,cause]' --output text)" "MyError	my cause"

# An activity task by hand.
act="$(sfn create-activity --name "${run}a" --query activityArn --output text)"
adef="{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Task\",\"Resource\":\"$act\",\"End\":true}}}"
asm="$(sfn create-state-machine --name "${run}a" --role-arn "$role" --definition "$adef" --query stateMachineArn --output text)"
aex="$(sfn start-execution --state-machine-arn "$asm" --input '{"job":7}' --query executionArn --output text)"
read -r token input < <(sfn get-activity-task --activity-arn "$act" --worker-name cli --query '[taskToken,input]' --output text)
want "task input" "$input" '{"job":7}'
sfn send-task-heartbeat --task-token "$token"
sfn send-task-success --task-token "$token" --task-output '{"done":true}'
want "activity execution" "$(wait_done "$aex")" SUCCEEDED
want "activity output" "$(sfn describe-execution --execution-arn "$aex" --query output --output text)" '{"done":true}'
want "worker in history" "$(sfn get-execution-history --execution-arn "$aex" --query 'events[?type==`ActivityStarted`].activityStartedEventDetails.workerName' --output text)" cli
want_error "answer to an ended task" TaskTimedOut sfn send-task-success --task-token "$token" --task-output '{}'

# Versions and aliases.
if has_ops publish-state-machine-version create-state-machine-alias; then
v1="$(sfn publish-state-machine-version --state-machine-arn "$sm" --query stateMachineVersionArn --output text)"
want "version 1" "$v1" "$sm:1"
alias="$(sfn create-state-machine-alias --name live --routing-configuration "stateMachineVersionArn=$v1,weight=100" --query stateMachineAliasArn --output text)"
want "alias" "$alias" "$sm:live"
vex="$(sfn start-execution --state-machine-arn "$alias" --query executionArn --output text)"
want "execution through the alias" "$(wait_done "$vex")" SUCCEEDED
want "version of the execution" "$(sfn describe-execution --execution-arn "$vex" --query stateMachineVersionArn --output text)" "$v1"
fi

# Express: StartSyncExecution.
if no_prefix start-sync-execution; then
xsm="$(sfn create-state-machine --name "${run}x" --type EXPRESS --role-arn "$role" --definition "$def" --query stateMachineArn --output text)"
want "sync execution" "$(sfn start-sync-execution --state-machine-arn "$xsm" --input '{"q":2}' --query '[status,output]' --output text)" \
	'SUCCEEDED	{"q":2,"r":{"x":1}}'
want_error "sync execution of a Standard machine" StateMachineTypeNotSupported sfn start-sync-execution --state-machine-arn "$sm"
fi

# TestState.
if has_ops test-state && no_prefix test-state; then
want "test state" "$(sfn test-state --role-arn "$role" --definition '{"Type":"Pass","Result":1,"Next":"B"}' --query '[status,nextState,output]' --output text)" \
	"SUCCEEDED	B	1"
fi

# Error codes.
want_error "missing execution" ExecutionDoesNotExist sfn describe-execution --execution-arn "arn:aws:states:us-east-1:123456789012:execution:$run:nope"
want_error "bad ARN" InvalidArn sfn describe-state-machine --state-machine-arn nope
want_error "bad name" InvalidName sfn create-activity --name 'a b'
want_error "bad definition" InvalidDefinition sfn create-state-machine --name "${run}bad" --role-arn "$role" --definition '{"StartAt":"X","States":{}}'
want_error "name taken" StateMachineAlreadyExists sfn create-state-machine --name "$run" --role-arn "$role" --definition "$fdef"
want_error "name reused" ExecutionAlreadyExists sfn start-execution --state-machine-arn "$sm" --name e1 --input '{"a":2}'
want_error "bad input" InvalidExecutionInput sfn start-execution --state-machine-arn "$sm" --input '{'
want_error "long name" ValidationException sfn create-activity --name "$(printf 'n%.0s' $(seq 1 81))"

if [ "${#skipped[@]}" -gt 0 ]; then
	echo "serve-cli: ok, $checks checks against $endpoint; skipped (this CLI cannot, see above): ${skipped[*]}"
else
	echo "serve-cli: ok, $checks checks against $endpoint"
fi
