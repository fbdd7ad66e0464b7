package graph_test

import (
	"context"
	"fmt"
	"os"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/graph"
)

func Example() {
	m, err := asl.Parse([]byte(`{"StartAt":"Check","States":{
	  "Check":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericLessThan":10,"Next":"Work"}],"Default":"Done"},
	  "Work":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:work","Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":2}],"Next":"Check"},
	  "Done":{"Type":"Succeed"}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := graph.Build(m, graph.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := g.Render(context.Background(), graph.FormatMermaid, os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// flowchart TD
	//   n0(("Start"))
	//   n1{"Check"}
	//   n2("Work<br/>retry ×2")
	//   n3(["Done"])
	//   n4((("End")))
	//   n0 --> n1
	//   n1 -- "$.n #lt; 10" --> n2
	//   n1 -- "default" --> n3
	//   n2 --> n1
	//   n3 --> n4
	//   classDef Task fill:#dbeafe,stroke:#2563eb
	//   classDef Choice fill:#fef3c7,stroke:#d97706
	//   classDef Pass fill:#f3f4f6,stroke:#6b7280
	//   classDef Wait fill:#ede9fe,stroke:#7c3aed
	//   classDef Succeed fill:#d1fae5,stroke:#059669
	//   classDef Fail fill:#fee2e2,stroke:#dc2626
	//   classDef Parallel fill:#cffafe,stroke:#0891b2
	//   classDef Map fill:#fce7f3,stroke:#db2777
	//   classDef Marker fill:#111827,stroke:#111827
	//   class n0 Marker
	//   class n1 Choice
	//   class n2 Task
	//   class n3 Succeed
	//   class n4 Marker
}
