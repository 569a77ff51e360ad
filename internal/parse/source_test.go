package parse_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// example returns the bundled example with line n (1-based) replaced.
func example(t *testing.T, n int, line string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/deep.yaml") // a template of some length, fixed for this test
	require.NoError(t, err)
	lines := strings.Split(string(b), "\n")
	lines[n-1] = line
	return strings.Join(lines, "\n")
}

// TestErrorPlace: a template that cannot be read says where the problem
// is, not where the enclosing block starts.
func TestErrorPlace(t *testing.T) {
	tests := []struct {
		name, text string
		line, col  int
		message    string
	}{
		{"indentation error deep in a file (the library says line 50)", example(t, 57, "     AsyncInvoke: always"), 57, 6, "invalid YAML: did not find expected key"},
		{"a key indented too far", example(t, 57, "       AsyncInvoke: always"), 57, 19, "invalid YAML: mapping values are not allowed in this context"},
		{"a tab for indentation", "a:\n\t- x\n", 2, 1, "found character that cannot start any token"},
		{"a sequence item where a key belongs", "Resources:\n  A:\n    Type: X\n  - B\n", 4, 3, "did not find expected key"},
		{"an unclosed flow sequence: where it opens", "a: 1\nb: [x, y\nc: 2\n", 2, 5, "did not find expected ',' or ']'"},
		{"an unterminated quote: where it opens", "a: 1\nb: 'x\n", 2, 4, "found unexpected end of stream"},
		{"a control character", "a: 1\nb: \x01\n", 2, 4, "control characters are not allowed"},
		{"duplicate key", "a: 1\nb:\n  c: 1\n  c: 2\n", 4, 3, `duplicate key "c" in b`},
		{"unknown tag", "a:\n  b: !Reff X\n", 2, 6, "unknown tag !Reff at a.b"},
		{"GetAtt without a dot", "a:\n  - !GetAtt Fn\n", 2, 5, "needs the form Resource.Attribute"},
		{"JSON: a missing comma", "{\n  \"a\": 1\n  \"b\": 2\n}", 3, 3, "invalid JSON: invalid character '\"' after object key:value pair"},
		{"JSON: duplicate key", "{\"a\": {\"x\": 1,\n  \"x\": 2}}", 2, 3, `duplicate key "x" in a`},
		{"JSON: cut short", "{\"a\": [1,\n", 1, 10, "unexpected end of JSON input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse.Read([]byte(tc.text))
			require.Error(t, err)
			var pe *parse.Error
			require.True(t, errors.As(err, &pe), "%T: %v", err, err)
			assert.Equal(t, parse.Pos{Line: tc.line, Column: tc.col}, pe.Pos, "%v", err)
			assert.Contains(t, pe.Message, tc.message)
		})
	}
}

const located = `# a comment
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
  M:
    Properties:
      Uri: !GetAtt Fn.Arn
      Sub: !Sub
        - "${A}-x"
        - A: !Ref B
      List: [a, {b: c}]
`

func TestPosition(t *testing.T) {
	jsonText := "{\n  \"Resources\": {\n    \"Api\": {\"Type\": \"AWS::ApiGateway::RestApi\"},\n    \"M\": {\"Properties\": {\"Uri\": {\"Fn::GetAtt\": [\"Fn\", \"Arn\"]}, \"List\": [\"a\", {\"b\": \"c\"}], \"Esc\\/\": \"\\u00e9\"}}\n  }\n}\n"
	tests := []struct {
		name, text, path string
		want             parse.Pos
		exact            bool
	}{
		{"a key", located, "Resources.Api.Type", parse.Pos{Line: 4, Column: 5}, true},
		{"a resource", located, "Resources.M", parse.Pos{Line: 5, Column: 3}, true},
		{"through a short form", located, "Resources.M.Properties.Uri.Fn::GetAtt", parse.Pos{Line: 7, Column: 7}, true},
		{"a short form's list item", located, "Resources.M.Properties.Sub.Fn::Sub.1.A.Ref", parse.Pos{Line: 10, Column: 11}, true},
		{"a flow list item", located, "Resources.M.Properties.List.1.b", parse.Pos{Line: 11, Column: 18}, true},
		{"a key that is not there: its parent", located, "Resources.M.Properties.Integration.Type", parse.Pos{Line: 6, Column: 5}, false},
		{"JSON: a key", jsonText, "Resources.Api.Type", parse.Pos{Line: 3, Column: 13}, true},
		{"JSON: a list item", jsonText, "Resources.M.Properties.List.1.b", parse.Pos{Line: 4, Column: 79}, true},
		{"JSON: an escaped key", jsonText, "Resources.M.Properties.Esc/", parse.Pos{Line: 4, Column: 91}, true},
		{"JSON: not there", jsonText, "Resources.M.Properties.Nope", parse.Pos{Line: 4, Column: 11}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, err := parse.Read([]byte(tc.text))
			require.NoError(t, err)
			got, exact := src.Position(strings.Split(tc.path, "."))
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.exact, exact)
		})
	}
}

func TestSourceKeepsYAMLNodes(t *testing.T) {
	src, err := parse.Read([]byte(located))
	require.NoError(t, err)
	require.NotNil(t, src.YAML())
	root := src.YAML().Content[0]
	v, ok := src.Value(root)
	require.True(t, ok)
	assert.Same(t, src.Template, v)
	assert.Equal(t, "# a comment", root.Content[0].HeadComment)

	j, err := parse.Read([]byte(`{"Resources": {}}`))
	require.NoError(t, err)
	assert.Nil(t, j.YAML(), "JSON is read as JSON")
}
