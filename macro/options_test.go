package macro_test

import (
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOptionValuesInAnyCase: the shorthand's values are read in any case,
// as its Event and booleans always were and as API Gateway reads an
// integration's type (aws, AWS): AsyncInvoke: Always is always (review r16,
// finding 8; the README says so). Its keys are CloudFormation property
// names, exact: another case is an unknown option (E1203), as a misspelled
// AsyncInvoke is refused with "did you mean" (check's E2003).
func TestOptionValuesInAnyCase(t *testing.T) {
	const head = "Resources:\n  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a}}\n  Worker: {Type: AWS::Lambda::Function, Properties: {Handler: bootstrap, Runtime: provided.al2023, Role: r, Code: {ZipFile: x}}}\n" +
		"  M:\n    Type: AWS::ApiGateway::Method\n    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: POST, AuthorizationType: NONE, Integration: {Uri: !GetAtt Worker.Arn}, AsyncInvoke: "
	expand := func(shorthand string) (any, error) {
		tmpl, err := parse.Template([]byte(head + shorthand + "}\n"))
		require.NoError(t, err)
		_, err = macro.Expand(tmpl, nil)
		return tmpl, err
	}
	for _, tc := range []struct{ written, as string }{
		{"Always", "always"},
		{"' CLIENT '", "client"},
		{"{Mode: Client, Event: PROXY, Accepted: 'TRUE'}", "{Mode: client, Event: proxy, Accepted: true}"},
		{"{Mode: ALWAYS, Permission: 'False', Event: Body}", "{Mode: always, Permission: false, Event: body}"},
	} {
		t.Run(tc.written, func(t *testing.T) {
			got, err := expand(tc.written)
			require.NoError(t, err)
			want, err := expand(tc.as)
			require.NoError(t, err)
			assert.True(t, tree.Equal(want, got), "%s expands as %s:\n%s\n%s", tc.written, tc.as, tree.Encode(got), tree.Encode(want))
		})
	}
	_, err := expand("{mode: always}")
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), `unknown option "mode"`), err.Error())
}
