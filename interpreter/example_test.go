package interpreter_test

import (
	"context"
	"fmt"
	"time"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/interpreter"
)

func ExampleMachine_Run() {
	m, err := interpreter.Compile([]byte(`{
	  "StartAt": "Price",
	  "States": {
	    "Price": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:price",
	              "ResultPath": "$.price", "Next": "Big?"},
	    "Big?": {"Type": "Choice",
	             "Choices": [{"Variable": "$.price.total", "NumericGreaterThan": 100, "Next": "Review"}],
	             "Default": "Done"},
	    "Review": {"Type": "Pass", "Result": {"approved": false}, "ResultPath": "$.review", "End": true},
	    "Done": {"Type": "Succeed"}
	  }
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	price := interpreter.TaskFunc(func(ctx context.Context, r *interpreter.TaskRequest) ([]byte, error) {
		fmt.Printf("task %s (function %s) got %s\n", r.StateName, r.FunctionName(), r.Input)
		return []byte(`{"total": 115}`), nil
	})
	res, err := m.Run(context.Background(), []byte(`{"items": [40, 75]}`), interpreter.WithTaskResolver(price))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, string(res.Output))
	// Output:
	// task Price (function price) got {"items":[40,75]}
	// SUCCEEDED {"items":[40,75],"price":{"total":115},"review":{"approved":false}}
}

func ExampleVirtualClock() {
	m, _ := interpreter.Compile([]byte(`{"StartAt": "Nap", "States": {
	  "Nap": {"Type": "Wait", "Seconds": 3600, "Next": "Flaky"},
	  "Flaky": {"Type": "Task", "Resource": "work", "End": true,
	            "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "BackoffRate": 3}]}}}`))
	clock := interpreter.NewVirtualClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	calls := 0
	work := interpreter.TaskFunc(func(context.Context, *interpreter.TaskRequest) ([]byte, error) {
		if calls++; calls < 3 {
			return nil, &interpreter.ExecutionError{Name: "Busy", Cause: "try later"}
		}
		return []byte(`"done"`), nil
	})
	res, _ := m.Run(context.Background(), nil, interpreter.WithClock(clock), interpreter.WithTaskResolver(work))
	fmt.Println(string(res.Output), clock.Sleeps(), clock.Now().Format(time.TimeOnly))
	// Output: "done" [1h0m0s 2s 6s] 01:00:08
}

func ExampleExecutionError() {
	m, _ := interpreter.Compile([]byte(`{"StartAt": "F", "States": {
	  "F": {"Type": "Fail", "Error": "OrderRejected", "CausePath": "States.Format('{} items', $.n)"}}}`))
	_, err := m.Run(context.Background(), []byte(`{"n": 3}`))
	if ee, ok := err.(*interpreter.ExecutionError); ok {
		fmt.Println(ee.Name, "/", ee.Cause)
	}
	// Output: OrderRejected / 3 items
}

func ExampleParseMockConfig() {
	cfg, err := interpreter.ParseMockConfig([]byte(`{
	  "StateMachines": {"Order": {"TestCases": {"Happy": {"Price": "PriceOK"}}}},
	  "MockedResponses": {"PriceOK": {"0": {"Return": {"total": 7}}}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	mocks, _ := cfg.Resolver("Order", "Happy")
	m, _ := interpreter.Compile([]byte(`{"StartAt": "Price", "States": {"Price": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}`))
	res, _ := m.Run(context.Background(), nil, interpreter.WithTaskResolver(mocks))
	fmt.Println(string(res.Output))
	// Output: {"total":7}
}

func ExampleCompileASL() {
	sm, err := asl.Parse([]byte(`{"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "Result": "hello", "End": true}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := interpreter.CompileASL(sm)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, _ := m.Run(context.Background(), nil)
	fmt.Println(string(res.Output))
	// Output: "hello"
}

// A distributed Map reads its items from S3 through the task resolver
// (TaskRequest.Part is PartItemReader) and runs them as the child
// executions of a map run, which WithMapRunHook hands to the caller.
func ExampleWithMapRunHook() {
	m, err := interpreter.Compile([]byte(`{"StartAt": "Rows", "States": {"Rows": {"Type": "Map",
	  "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
	                 "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
	                 "Parameters": {"Bucket": "in", "Key": "rows.csv"}},
	  "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
	                    "StartAt": "Row", "States": {"Row": {"Type": "Pass", "End": true}}},
	  "Label": "Rows", "End": true}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	s3 := interpreter.TaskFunc(func(ctx context.Context, r *interpreter.TaskRequest) ([]byte, error) {
		fmt.Printf("%s %s %s\n", r.Part, r.Resource, r.Input)
		return []byte(`{"Body": "id,name\n1,Ada\n2,Grace\n"}`), nil
	})
	var run *interpreter.MapRun
	res, _ := m.Run(context.Background(), nil, interpreter.WithTaskResolver(s3),
		interpreter.WithMapRunHook(func(r *interpreter.MapRun) { run = r }))
	fmt.Println(res.Status, string(res.Output))
	info := run.Info()
	fmt.Println(info.Status, info.Label, info.ItemCounts.Succeeded, "of", info.ItemCounts.Total, "items")
	// Output:
	// ItemReader arn:aws:states:::s3:getObject {"Bucket":"in","Key":"rows.csv"}
	// SUCCEEDED [{"name":"Ada","id":"1"},{"name":"Grace","id":"2"}]
	// SUCCEEDED Rows 2 of 2 items
}
