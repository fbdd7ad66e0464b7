package interpreter

import (
	"github.com/hsc-dev/hsc/asl"

	"context"
	"math/rand/v2"
	"testing"
	"time"
)

// The fuzz targets check that malformed paths, JSON, intrinsic calls and
// definitions give errors, never panics.

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"$", "$$.Execution.Id", "$.a[0].b", "$..book[?(@.price < 10 && @.x)].title", "$.a[1:2:3]", "$['x','y']", "$v.a", "$.a.length()"} {
		f.Add(s)
	}
	doc, _ := parseJSON([]byte(storeDoc))
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			return
		}
		p.eval(doc)
		if p.IsReference() {
			p.set(doc, int64(1))
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,"x\u00e9",true,null]}`, `"\ud83d\ude00"`, `-1e-7`, `[[[]]]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := parseJSON(b)
		if err != nil {
			return
		}
		// What we print, we must read back as the same value.
		out := appendJSON(nil, v)
		w, err := parseJSON(out)
		if err != nil {
			t.Fatalf("re-parsing %s: %v", out, err)
		}
		if !equalValues(v, w) {
			t.Fatalf("round trip changed %s into %s", out, appendJSON(nil, w))
		}
	})
}

func FuzzIntrinsic(f *testing.F) {
	for _, s := range []string{"States.Format('{} {}', $.a, States.Array(1, 'x'))", "States.ArrayRange(1, 9, 2)", "States.Hash($.s, 'MD5')", "States.StringSplit('a,b', ',')", "States.JsonMerge($.o, $.o, true)"} {
		f.Add(s)
	}
	input, _ := parseJSON([]byte(`{"a":1,"s":"text","o":{"k":[1]}}`))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseIntrinsic(s)
		if err != nil {
			return
		}
		x := &execution{cfg: config{clock: RealClock{}}, rnd: rand.New(rand.NewPCG(1, 2))}
		c.eval(&scope{x: x}, input)
	})
}

func FuzzCompileRun(f *testing.F) {
	f.Add([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"$.a"},"ResultPath":"$.r","Next":"C"},"C":{"Type":"Choice","Choices":[{"Variable":"$.r.x","NumericGreaterThan":1,"Next":"D"}],"Default":"D"},"D":{"Type":"Succeed"}}}`), []byte(`{"a":2}`))
	f.Add([]byte(`{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`), []byte(`[1,2]`))
	f.Add([]byte(`{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":{"a":"{% $states.input.x + 1 %}"},"Assign":{"v":"{% $count($states.input.l) %}"},"End":true}}}`), []byte(`{"x":1,"l":[1]}`))
	f.Add([]byte(`{"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailureCount":1,"ItemBatcher":{"MaxItemsPerBatch":2},"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"},"Parameters":{"Bucket":"b","Key.$":"$.k"}},"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"o"}},"End":true}}}`), []byte(`{"k":"a,b\n1,2\n"}`))
	f.Fuzz(func(t *testing.T, def, input []byte) {
		m, err := Compile(def)
		if err != nil {
			return
		}
		// Definitions may loop forever, as on AWS; bound each run.
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		// S3 calls of a distributed Map read the Key parameter as the
		// object and accept every write.
		s3 := TaskFunc(func(_ context.Context, r *TaskRequest) ([]byte, error) {
			if r.Part == PartItemReader {
				if v, err := parseJSON(r.Input); err == nil {
					if o, ok := v.(*Object); ok {
						if k, ok := o.Get("Key"); ok {
							if s, ok := k.(string); ok {
								return []byte(s), nil
							}
						}
					}
				}
			}
			return []byte(`{}`), nil
		})
		m.Run(ctx, input, WithClock(NewVirtualClock(time.Unix(0, 0))), WithSeed(1), WithTaskResolver(s3))
	})
}

func FuzzJSONataExpr(f *testing.F) {
	for _, s := range []string{"$states.input.a + 1", "$partition([1,2,3], 2)", "$map($states.input.l, function($v){ $v * 2 })", "$states.context.Execution.Name & 'x'", "{'k': $range(0, 4, 2)}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		def := `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":` + string(asl.AppendString(nil, "{% "+expr+" %}")) + `,"End":true}}}`
		m, err := Compile([]byte(def))
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		m.Run(ctx, []byte(`{"a":1,"l":[1,2]}`), WithClock(NewVirtualClock(time.Unix(0, 0))), WithSeed(1))
	})
}
