package format_test

import (
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/format"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestYAML(t *testing.T) {
	tests := []struct{ name, json, yaml string }{
		{"short forms", `{"a":{"Ref":"X"},"b":{"Fn::GetAtt":["Fn","Arn"]},"c":{"Fn::Sub":"${AWS::Region}"}}`,
			"a: !Ref X\nb: !GetAtt Fn.Arn\nc: !Sub ${AWS::Region}\n"},
		{"short lists on one line", `{"c":{"Fn::Equals":[{"Ref":"Env"},"prod"]}}`, "c: !Equals [!Ref Env, prod]\n"},
		{"GetAtt that cannot be dotted keeps the list", `{"b":{"Fn::GetAtt":["Fn",{"Ref":"Attr"}]}}`, "b:\n  Fn::GetAtt:\n    - Fn\n    - !Ref Attr\n"},
		{"a quoted quote", `{"v":"'Event'"}`, "v: \"'Event'\"\n"},
		{"strings that look like other things stay strings", `{"a":"true","b":"012345678901","c":"1.50","d":"null","e":"2010-09-09"}`,
			"a: \"true\"\nb: \"012345678901\"\nc: \"1.50\"\nd: \"null\"\ne: \"2010-09-09\"\n"},
		{"what YAML 1.1 reads as booleans or numbers stays a string", `{"a":"yes","b":"on","c":"N","d":"yesterday","e":"12:30","f":"1:2:3.5","g":"=","h":"1:99"}`, "a: \"yes\"\nb: \"on\"\nc: N\nd: yesterday\ne: \"12:30\"\nf: \"1:2:3.5\"\ng: \"=\"\nh: 1:99\n"},
		{"numbers to the digit", `{"a":1.50,"b":12345678901234567890123,"c":-0}`, "a: 1.50\nb: 12345678901234567890123\nc: -0\n"},
		{"multi-line strings as literal blocks", `{"code":"line one\nline two\n"}`, "code: |\n  line one\n  line two\n"},
		{"empty containers", `{"a":{},"b":[]}`, "a: {}\nb: []\n"},
		{"empty GetAZs", `{"a":{"Fn::GetAZs":""}}`, "a: !GetAZs \"\"\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := tree.Decode([]byte(tc.json))
			require.NoError(t, err)
			out, err := format.YAML(v)
			require.NoError(t, err)
			assert.Equal(t, tc.yaml, string(out))
		})
	}
}

func TestJSON(t *testing.T) {
	v, err := tree.Decode([]byte(`{"b":1.50,"a":["<&>"]}`))
	require.NoError(t, err)
	assert.Equal(t, "{\n  \"b\": 1.50,\n  \"a\": [\n    \"<&>\"\n  ]\n}\n", string(format.JSON(v)))
}

// TestRaw: a value kept as raw JSON is written as the value it is.
func TestRaw(t *testing.T) {
	v := tree.NewObject("a", tree.Raw(`{"Ref": "X", "b": [1.50]}`), "c", tree.Raw(`{"Fn::Sub": "${AWS::Region}"}`))
	out, err := format.YAML(v)
	require.NoError(t, err)
	assert.Equal(t, "a:\n  Ref: X\n  b:\n    - 1.50\nc: !Sub ${AWS::Region}\n", string(out))
	assert.Equal(t, "{\n  \"a\": {\n    \"Ref\": \"X\",\n    \"b\": [\n      1.50\n    ]\n  },\n  \"c\": {\n    \"Fn::Sub\": \"${AWS::Region}\"\n  }\n}\n", string(format.JSON(v)))
}
