package runtime

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// SFNAPI is the part of the Step Functions client that hsc uses. *sfn.Client
// satisfies it. It covers state machines and executions (this package) and
// activities (activity workers), so every part of hsc shares one client with
// one retry policy and one endpoint.
//
// The List and GetExecutionHistory methods also satisfy the SDK paginator
// interfaces (sfn.ListStateMachinesAPIClient and friends), so callers can
// read every page with sfn.New...Paginator.
type SFNAPI interface {
	// State machines.
	ListStateMachines(ctx context.Context, in *sfn.ListStateMachinesInput, optFns ...func(*sfn.Options)) (*sfn.ListStateMachinesOutput, error)
	CreateStateMachine(ctx context.Context, in *sfn.CreateStateMachineInput, optFns ...func(*sfn.Options)) (*sfn.CreateStateMachineOutput, error)
	UpdateStateMachine(ctx context.Context, in *sfn.UpdateStateMachineInput, optFns ...func(*sfn.Options)) (*sfn.UpdateStateMachineOutput, error)
	DeleteStateMachine(ctx context.Context, in *sfn.DeleteStateMachineInput, optFns ...func(*sfn.Options)) (*sfn.DeleteStateMachineOutput, error)

	// Executions.
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	StopExecution(ctx context.Context, in *sfn.StopExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StopExecutionOutput, error)
	DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
	GetExecutionHistory(ctx context.Context, in *sfn.GetExecutionHistoryInput, optFns ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error)
	ListExecutions(ctx context.Context, in *sfn.ListExecutionsInput, optFns ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error)

	// Activities.
	CreateActivity(ctx context.Context, in *sfn.CreateActivityInput, optFns ...func(*sfn.Options)) (*sfn.CreateActivityOutput, error)
	ListActivities(ctx context.Context, in *sfn.ListActivitiesInput, optFns ...func(*sfn.Options)) (*sfn.ListActivitiesOutput, error)
	DeleteActivity(ctx context.Context, in *sfn.DeleteActivityInput, optFns ...func(*sfn.Options)) (*sfn.DeleteActivityOutput, error)
	GetActivityTask(ctx context.Context, in *sfn.GetActivityTaskInput, optFns ...func(*sfn.Options)) (*sfn.GetActivityTaskOutput, error)
	SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
	SendTaskHeartbeat(ctx context.Context, in *sfn.SendTaskHeartbeatInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskHeartbeatOutput, error)
}

// STSAPI is the part of the STS client used to find the account id.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

var (
	_ SFNAPI = (*sfn.Client)(nil)
	_ STSAPI = (*sts.Client)(nil)

	_ sfn.ListStateMachinesAPIClient   = SFNAPI(nil)
	_ sfn.ListExecutionsAPIClient      = SFNAPI(nil)
	_ sfn.GetExecutionHistoryAPIClient = SFNAPI(nil)
	_ sfn.ListActivitiesAPIClient      = SFNAPI(nil)
)
