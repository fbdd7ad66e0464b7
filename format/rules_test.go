package format_test

import (
	"testing"

	"github.com/hsc-dev/hsc/format"
)

// TestLayoutRules: each rule of the canonical layout (package doc and
// README), one small program each; the states have docstrings so that
// they are free to move unless the case is about Line<N> states.
func TestLayoutRules(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"indentation: four spaces per level",
			"Pass()\n  \"\"\"A\"\"\"\n  data:\n   {}\n",
			"Pass()\n    \"\"\"A\"\"\"\n    data:\n        {}\n"},
		{"tabs are indentation too",
			"Pass()\n\t\"\"\"A\"\"\"\n",
			"Pass()\n    \"\"\"A\"\"\"\n"},
		{"spacing: calls, keyword arguments, brackets, colons, commas",
			"Wait( seconds = 5 )\n    \"\"\"W\"\"\"\nLambda ('f')\n    \"\"\"L\"\"\"\n    retry[ 'A' ,'B' ]1 2 2.0\n    catch ['C'] :'$.e'\n        Pass( )\n            \"\"\"H\"\"\"\n",
			"Wait(seconds=5)\n    \"\"\"W\"\"\"\n\nLambda('f')\n    \"\"\"L\"\"\"\n    retry ['A', 'B'] 1 2 2.0\n    catch ['C']: '$.e'\n        Pass()\n            \"\"\"H\"\"\"\n"},
		{"spacing: conditions keep spaces around operators and after keywords",
			"if '$.a'=='x' and not('$.b'<=1):\n    \"\"\"C\"\"\"\n    Pass()\n        \"\"\"P\"\"\"\n",
			"if '$.a' == 'x' and not ('$.b' <= 1):\n    \"\"\"C\"\"\"\n    Pass()\n        \"\"\"P\"\"\"\n"},
		{"quotes: single, double when the text has a single quote, triple kept for line breaks",
			"Pass()\n    \"\"\"A\"\"\"\n    data:\n        {\"k\": \"it's\", \"j\": \"x\", '''m''': 'y'}\n",
			"Pass()\n    \"\"\"A\"\"\"\n    data:\n        {'k': \"it's\", 'j': 'x', 'm': 'y'}\n"},
		{"docstrings in triple double quotes; a multi-line docstring is kept as written",
			"'''Machine'''\nPass()\n    'A'\nPass()\n    '''B\n  more'''\n",
			"\"\"\"Machine\"\"\"\n\nPass()\n    \"\"\"A\"\"\"\n\nPass()\n    \"\"\"B\n  more\"\"\"\n"},
		{"JSON blocks: continuation lines by bracket depth, a trailing comma before a bracket on the same line dropped",
			"Pass()\n    \"\"\"A\"\"\"\n    data:\n        {'a': [1, 2,],\n  'b': {\n 'c': null,\n}}\n",
			"Pass()\n    \"\"\"A\"\"\"\n    data:\n        {'a': [1, 2],\n            'b': {\n                'c': null,\n            }}\n"},
		{"blank lines: one before each top-level state, none at the start of a block, at most one elsewhere",
			"\n\n\"\"\"M\"\"\"\nversion: '1.0'\n\n\n\ntimeout: 5\nPass()\n\n    \"\"\"A\"\"\"\n\n\n    data:\n        {}\nPass()\n    \"\"\"B\"\"\"\n\n\n",
			"\"\"\"M\"\"\"\nversion: '1.0'\n\ntimeout: 5\n\nPass()\n    \"\"\"A\"\"\"\n\n    data:\n        {}\n\nPass()\n    \"\"\"B\"\"\"\n"},
		{"comments: kept, indented as the code they belong to, two spaces before a trailing one",
			"# top\nPass()  # why\n    \"\"\"A\"\"\"\n      # inside\n    data:\n        {}\n# before B\nPass()\n    \"\"\"B\"\"\"\n# end\n",
			"# top\nPass()  # why\n    \"\"\"A\"\"\"\n    # inside\n    data:\n        {}\n\n# before B\nPass()\n    \"\"\"B\"\"\"\n# end\n"},
		{"a state named after its line keeps it",
			"Pass()\nPass()\n\n\nPass()\n",
			"Pass()\nPass()\n\n\nPass()\n"},
		{"line endings and the final newline",
			"Pass()\r\n    \"\"\"A\"\"\"",
			"Pass()\n    \"\"\"A\"\"\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := format.Source([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
