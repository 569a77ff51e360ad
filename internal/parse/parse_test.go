package parse_test

import (
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/format"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShortForms(t *testing.T) {
	tests := []struct{ yaml, json string }{
		{`!Ref Api`, `{"Ref":"Api"}`},
		{`!GetAtt Fn.Arn`, `{"Fn::GetAtt":["Fn","Arn"]}`},
		{`!GetAtt Vpc.Outputs.Cidr`, `{"Fn::GetAtt":["Vpc","Outputs.Cidr"]}`},
		{`!GetAtt [Fn, Arn]`, `{"Fn::GetAtt":["Fn","Arn"]}`},
		{`!Sub "${AWS::Region}-x"`, `{"Fn::Sub":"${AWS::Region}-x"}`},
		{`!Sub ["${A}", {A: !Ref B}]`, `{"Fn::Sub":["${A}",{"A":{"Ref":"B"}}]}`},
		{`!If [C, 1, !Ref "AWS::NoValue"]`, `{"Fn::If":["C",1,{"Ref":"AWS::NoValue"}]}`},
		{`!Join ["", [a, b]]`, `{"Fn::Join":["",["a","b"]]}`},
		{`!Select [0, !GetAZs ""]`, `{"Fn::Select":[0,{"Fn::GetAZs":""}]}`},
		{`!Split [",", !ImportValue X]`, `{"Fn::Split":[",",{"Fn::ImportValue":"X"}]}`},
		{`!FindInMap [M, K, V]`, `{"Fn::FindInMap":["M","K","V"]}`},
		{`!Base64 abc`, `{"Fn::Base64":"abc"}`},
		{`!Cidr [10.0.0.0/16, 6, 5]`, `{"Fn::Cidr":["10.0.0.0/16",6,5]}`},
		{`!Equals [a, b]`, `{"Fn::Equals":["a","b"]}`},
		{`!And [!Condition A, !Or [!Condition B, !Not [!Condition C]]]`, `{"Fn::And":[{"Condition":"A"},{"Fn::Or":[{"Condition":"B"},{"Fn::Not":[{"Condition":"C"}]}]}]}`},
		{`!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}`, `{"Fn::Transform":{"Name":"AWS::Include","Parameters":{"Location":"s3://b/k"}}}`},
		{`!Ref 123`, `{"Ref":"123"}`},
	}
	for _, tc := range tests {
		t.Run(tc.yaml, func(t *testing.T) {
			v, err := parse.Document([]byte("v: " + tc.yaml))
			require.NoError(t, err)
			got, _ := v.(*tree.Object).Get("v")
			assert.JSONEq(t, tc.json, string(tree.Encode(got)))
			// and back: the YAML writer uses the short form, and it reads the same
			y, err := format.YAML(v)
			require.NoError(t, err)
			back, err := parse.Document(y)
			require.NoError(t, err)
			assert.True(t, tree.Equal(v, back), "%s", y)
		})
	}
}

func TestScalars(t *testing.T) {
	tests := []struct{ yaml, json string }{
		{`012345678901`, `"012345678901"`},
		{`"123"`, `"123"`},
		{`123`, `123`},
		{`1.50`, `1.50`},
		{`12345678901234567890123`, `12345678901234567890123`},
		{`1e400`, `"1e400"`}, // out of a float64's range: YAML reads a string
		{`0x1F`, `"0x1F"`},
		{`1_000`, `"1_000"`},
		{`2010-09-09`, `"2010-09-09"`},
		{`true`, `true`},
		{`"true"`, `"true"`},
		{`yes`, `"yes"`},
		{`null`, `null`},
		{`~`, `null`},
		{`''`, `""`},
		{"|\n  a\n  b\n", `"a\nb\n"`},
		{">-\n  a\n  b\n", `"a b"`},
	}
	for _, tc := range tests {
		t.Run(tc.yaml, func(t *testing.T) {
			v, err := parse.Document([]byte("v: " + tc.yaml))
			require.NoError(t, err)
			got, _ := v.(*tree.Object).Get("v")
			assert.Equal(t, tc.json, string(tree.Encode(got)))
		})
	}
}

func TestRefused(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown tag", "a: !Reff X", "unknown tag !Reff"},
		{"duplicate key", "a: 1\nb: 2\na: 3", `line 3, column 1: duplicate key "a"`},
		{"GetAtt without a dot", "a: !GetAtt Fn", "needs the form Resource.Attribute"},
		{"not YAML", "a: [", "invalid YAML"},
		{"a list", "- a", "not an object"},
		{"empty", "", "empty"},
		{"alias bomb", bomb(), "expands to more than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse.Template([]byte(tc.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func bomb() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		prev := "*a" + string(rune('0'+i-1))
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(prev+", ", 9) + prev + "]\n")
	}
	return b.String()
}

func TestJSONKeepsOrderAndDigits(t *testing.T) {
	src := `{"b": 1.10, "a": {"z": -0, "y": 1e999}, "c": "012"}`
	v, err := parse.Template([]byte(src))
	require.NoError(t, err)
	assert.Equal(t, `{"b":1.10,"a":{"z":-0,"y":1e999},"c":"012"}`, string(tree.Encode(v)))
}
