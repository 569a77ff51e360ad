package cfn_test

import (
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func value(t *testing.T, yaml string) any {
	t.Helper()
	v, err := parse.Document([]byte(yaml))
	require.NoError(t, err, yaml)
	return v
}

func TestFlatten(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{`literal ${NotARef}`, `literal ${!NotARef}`, true},
		{`!Ref Worker`, `${Worker}`, true},
		{`!GetAtt Worker.Arn`, `${Worker.Arn}`, true},
		{`!Sub "${Worker.Arn}:live"`, `${Worker.Arn}:live`, true},
		{`!Sub ["a/${Fn}/b", {Fn: !GetAtt Worker.Arn}]`, `a/${Worker.Arn}/b`, true},
		{`!Sub ["a/${Fn}/${AWS::Region}", {Fn: !ImportValue X}]`, `a/${?}/${AWS::Region}`, true},
		{`!Sub "keep ${!stageVariables.alias}"`, `keep ${!stageVariables.alias}`, true},
		{`!Join ["", ["arn:", !Ref "AWS::Partition", ":x:", !GetAtt Fn.Arn]]`, `arn:${AWS::Partition}:x:${Fn.Arn}`, true},
		{`!Join [":", [!GetAtt Fn.Arn, !If [C, a, b]]]`, `${Fn.Arn}:${?}`, true},
		{`!If [C, a, b]`, `${?}`, false},
		{`42`, `${?}`, false},
	}
	for _, tc := range tests {
		got, ok := cfn.Flatten(value(t, tc.in))
		assert.Equal(t, tc.want, got, tc.in)
		assert.Equal(t, tc.ok, ok, tc.in)
	}
}

func TestParseFunctionARN(t *testing.T) {
	tests := []struct {
		flat string
		want cfn.FunctionARN
		ok   bool
	}{
		{"${Fn.Arn}", cfn.FunctionARN{Head: "Fn.Arn"}, true},
		{"${Fn.Arn}:live", cfn.FunctionARN{Head: "Fn.Arn", Qualifier: "live"}, true},
		{"${Fn.Arn}:${Version}", cfn.FunctionARN{Head: "Fn.Arn", Qualifier: "${Version}"}, true},
		{"${Fn.Arn}:${!stageVariables.alias}", cfn.FunctionARN{Head: "Fn.Arn", Qualifier: "${!stageVariables.alias}"}, true},
		{"arn:aws:lambda:eu-west-1:123456789012:function:f", cfn.FunctionARN{Name: "f", Region: "eu-west-1", Account: "123456789012"}, true},
		{"arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Fn}:live", cfn.FunctionARN{Name: "${Fn}", Region: "${AWS::Region}", Account: "${AWS::AccountId}", Qualifier: "live"}, true},
		{"${Fn.Arn}/invocations", cfn.FunctionARN{}, false},
		{"${Fn.Arn}:a:b", cfn.FunctionARN{}, false},
		{"arn:aws:s3:::bucket", cfn.FunctionARN{}, false},
		{"my-function", cfn.FunctionARN{}, false},
	}
	for _, tc := range tests {
		got, ok := cfn.ParseFunctionARN(tc.flat)
		assert.Equal(t, tc.ok, ok, tc.flat)
		if tc.ok {
			assert.Equal(t, tc.want, got, tc.flat)
		}
	}
}

func TestInvokedFunction(t *testing.T) {
	tmpl := value(t, `
Resources:
  Fn: {Type: AWS::Lambda::Function}
  Sam: {Type: AWS::Serverless::Function, Properties: {AutoPublishAlias: live}}
  Version: {Type: AWS::Lambda::Version, Properties: {FunctionName: !Ref Fn}}
  Live: {Type: AWS::Lambda::Alias, Properties: {FunctionName: !GetAtt Fn.Arn, Name: live}}
  Bucket: {Type: AWS::S3::Bucket}
`).(*tree.Object)
	section, _ := tmpl.Get("Resources")
	r := cfn.NewResources(section.(*tree.Object))
	tests := []struct{ in, want string }{
		{`!GetAtt Fn.Arn`, "Fn"},
		{`!Ref Fn`, "Fn"},
		{`!Ref Live`, "Fn"},
		{`!GetAtt Version.FunctionArn`, "Fn"},
		{`!Ref Sam.Alias`, "Sam"},
		{`!Sub "${Fn.Arn}:live"`, "Fn"},
		{`!Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}:live/invocations`, "Fn"},
		{`!Sub arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Sam}`, "Sam"},
		{`!Join ["", ["arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/", !GetAtt Sam.Arn, "/invocations"]]`, "Sam"},
		{`!GetAtt Bucket.Arn`, ""},
		{`arn:aws:lambda:us-east-1:123456789012:function:f`, ""},
		{`!ImportValue X`, ""},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, r.InvokedFunction(value(t, tc.in)), tc.in)
	}
}

func TestResourcePath(t *testing.T) {
	tmpl := value(t, `
Resources:
  Api: {Type: AWS::ApiGateway::RestApi}
  Jobs: {Type: AWS::ApiGateway::Resource, Properties: {ParentId: !GetAtt Api.RootResourceId, PathPart: jobs}}
  Job: {Type: AWS::ApiGateway::Resource, Properties: {ParentId: !Ref Jobs, PathPart: "{id}"}}
  Loop: {Type: AWS::ApiGateway::Resource, Properties: {ParentId: !Ref Loop, PathPart: x}}
`).(*tree.Object)
	section, _ := tmpl.Get("Resources")
	r := cfn.NewResources(section.(*tree.Object))
	tests := []struct{ in, want string }{
		{`!GetAtt Api.RootResourceId`, "/"},
		{`!Ref Jobs`, "/jobs"},
		{`!Ref Job`, "/jobs/{id}"},
		{`!Ref Loop`, ""},
		{`abc123`, ""},
	}
	for _, tc := range tests {
		got, err := r.ResourcePath(value(t, tc.in), "Api")
		assert.Equal(t, tc.want, got, tc.in)
		assert.Equal(t, tc.want == "", err != nil, tc.in)
	}
}
