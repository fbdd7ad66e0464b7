package interpreter

import (
	"encoding/json"
	"reflect"
	"testing"
)

// jsonEqual compares a value with expected JSON text using encoding/json as
// an independent reference.
func jsonEqual(t *testing.T, got any, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(appendJSON(nil, got), &g); err != nil {
		t.Fatalf("encoding produced invalid JSON %s: %v", appendJSON(nil, got), err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("got %s, want %s", appendJSON(nil, got), want)
	}
}

func mustParse(t *testing.T, s string) any {
	t.Helper()
	v, err := parseJSON([]byte(s))
	if err != nil {
		t.Fatalf("parseJSON(%s): %v", s, err)
	}
	return v
}

const storeDoc = `{"store":{"book":[
 {"category":"reference","author":"Nigel Rees","title":"Sayings of the Century","price":8.95},
 {"category":"fiction","author":"Evelyn Waugh","title":"Sword of Honour","price":12.99},
 {"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553-21311-3","price":8.99},
 {"category":"fiction","author":"J. R. R. Tolkien","title":"The Lord of the Rings","isbn":"0-395-19395-8","price":22.99}],
 "bicycle":{"color":"red","price":19.95}}}`

func TestPathEval(t *testing.T) {
	awsDoc := `{"foo": 123, "bar": ["a", "b", "c"], "car": {"cdr": true}}`
	tests := []struct {
		doc, path string
		want      string // "" means: no match
	}{
		// The Paths page of the Step Functions developer guide.
		{awsDoc, "$.foo", `123`},
		{awsDoc, "$.bar", `["a","b","c"]`},
		{awsDoc, "$.car.cdr", `true`},
		// InputPath note: a path can yield a selection of values.
		{`{"a":[1,2,3,4]}`, "$.a[0:2]", `[1,2]`},
		{`{"dataset1":{"val1":1},"dataset2":{"val1":"a","val2":"b","val3":"c"}}`, "$.dataset2", `{"val1":"a","val2":"b","val3":"c"}`},
		// Definite paths.
		{awsDoc, "$", awsDoc},
		{awsDoc, "$.bar[1]", `"b"`},
		{awsDoc, "$.bar[-1]", `"c"`},
		{awsDoc, "$['car']['cdr']", `true`},
		{awsDoc, `$["bar"][0]`, `"a"`},
		{awsDoc, "$.nope", ""},
		{awsDoc, "$.bar[7]", ""},
		{awsDoc, "$.foo.x", ""},
		{awsDoc, "$.bar.length()", `3`},
		// Indefinite paths (Jayway semantics: always an array).
		{storeDoc, "$.store.book[*].author", `["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"]`},
		{storeDoc, "$..author", `["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"]`},
		{storeDoc, "$.store..price", `[8.95,12.99,8.99,22.99,19.95]`},
		{storeDoc, "$..book[2].title", `["Moby Dick"]`},
		{storeDoc, "$..book[-1:].title", `["The Lord of the Rings"]`},
		{storeDoc, "$..book[0,1].title", `["Sayings of the Century","Sword of Honour"]`},
		{storeDoc, "$..book[:2].price", `[8.95,12.99]`},
		{storeDoc, "$..book[?(@.isbn)].title", `["Moby Dick","The Lord of the Rings"]`},
		{storeDoc, "$.store.book[?(@.price < 10)].title", `["Sayings of the Century","Moby Dick"]`},
		{storeDoc, "$.store.book[?(@.category == 'fiction' && @.price > 20)].author", `["J. R. R. Tolkien"]`},
		{storeDoc, "$.store.book[?(@.price > 100)]", `[]`},
		{storeDoc, "$.store.bicycle.*", `["red",19.95]`},
		{storeDoc, "$.store.book[::2].price", `[8.95,8.99]`},
		{storeDoc, "$.store.book[::-1].price", `[22.99,8.99,12.99,8.95]`},
		{storeDoc, "$..book.length()", `1`},
		// Jayway reads a dot before a bracket as the bracket; these come
		// from definitions deployed on AWS (../shared/aws/realworld).
		{`[1,2]`, "$.[0]", `1`},
		{`{"Snapshots":[{"State":"ok"}]}`, "$.Snapshots.[0].State", `"ok"`},
		{`[{"OU":1},{"OU":0}]`, "$.[?(@.OU > 0)]", `[{"OU":1}]`},
		{`[{"bucket":"b","key":"k","x":1}]`, "$.[*].['bucket', 'key']", `["b","k"]`},
		{`{"a":{"b c":1}}`, "$.a.['b c']", `1`},
		// An unquoted word in a filter: AWS accepts the definition, but
		// Jayway cannot read the filter (it parses Receipt as a number and
		// fails), so the path selects nothing.
		{`{"Labels":[{"Name":"Receipt"}]}`, "$.Labels[?(@.Name==Receipt)]", ""},
		{`{"a]":1}`, "$.a]", `1`},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			p, err := ParsePath(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := p.eval(mustParse(t, tc.doc))
			if tc.want == "" {
				if ok {
					t.Fatalf("got %s, want no match", appendJSON(nil, got))
				}
				return
			}
			if !ok {
				t.Fatalf("no match, want %s", tc.want)
			}
			jsonEqual(t, got, tc.want)
		})
	}
}

func TestPathSyntaxErrors(t *testing.T) {
	for _, p := range []string{"", "foo", "$.", "$[", "$[1", "$['a", "$[?(@.a <)]", "$.a()", "$[::0]", "$..", "$ x", "$.a b", "$.a[1.5]", "$[99999999999]", "$[?(@.a == 1e400)]"} {
		if _, err := ParsePath(p); err == nil {
			t.Errorf("ParsePath(%q): want an error", p)
		}
	}
}

func TestPathSet(t *testing.T) {
	tests := []struct {
		doc, path, val, want string
	}{
		{`{"a":1}`, "$.b", `2`, `{"a":1,"b":2}`},
		{`{"a":1}`, "$.a", `"x"`, `{"a":"x"}`},
		{`{"a":1}`, "$.b.c.d", `true`, `{"a":1,"b":{"c":{"d":true}}}`},
		{`{"a":[1,2,3]}`, "$.a[1]", `9`, `{"a":[1,9,3]}`},
		{`{"a":[{"x":1}]}`, "$.a[0].y", `2`, `{"a":[{"x":1,"y":2}]}`},
		{`{"a":"str"}`, "$.a.b", `1`, ""},
		{`{"a":[1]}`, "$.a[3]", `1`, ""},
		{`[1,2]`, "$.a", `1`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			p, err := ParsePath(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			doc := mustParse(t, tc.doc)
			before := encodeJSON(doc)
			got, ok := p.set(doc, mustParse(t, tc.val))
			if encodeJSON(doc) != before {
				t.Errorf("set modified its input: %s", encodeJSON(doc))
			}
			if tc.want == "" {
				if ok {
					t.Fatalf("got %s, want a failure", encodeJSON(got))
				}
				return
			}
			if !ok {
				t.Fatal("set failed")
			}
			jsonEqual(t, got, tc.want)
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	tests := []struct{ in, out string }{
		{`{"b":1,"a":[true,false,null],"c":"x\ny\"\u00e9\ud83d\ude00"}`, `{"b":1,"a":[true,false,null],"c":"x\ny\"é😀"}`},
		{`1.5`, `1.5`},
		{`2.0`, `2.0`},
		{`-0`, `0`}, {`-0.0`, `0.0`},
		{`12345678901234567890`, `1.2345678901234567E19`}, {`0.0001`, `1.0E-4`},
		{`1e3`, `1000.0`},
		{`"\u0001<>&"`, `"\u0001<>&"`},
		{` [ ] `, `[]`},
	}
	for _, tc := range tests {
		v, err := parseJSON([]byte(tc.in))
		if err != nil {
			t.Errorf("parseJSON(%s): %v", tc.in, err)
			continue
		}
		if got := encodeJSON(v); got != tc.out {
			t.Errorf("round trip of %s = %s, want %s", tc.in, got, tc.out)
		}
	}
	for _, bad := range []string{``, `{`, `[1,]`, `{"a"}`, `01`, `"abc`, `tru`, `1 2`, `{"a":1,}`, "\"\x01\"", `1.`, `-`, `"\q"`} {
		if _, err := parseJSON([]byte(bad)); err == nil {
			t.Errorf("parseJSON(%q): want an error", bad)
		}
	}
}
