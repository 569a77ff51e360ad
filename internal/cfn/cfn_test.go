package cfn_test

import (
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/stretchr/testify/assert"
)

func TestSplitInvocationURI(t *testing.T) {
	tests := []struct {
		uri, partition, region, function string
		ok                               bool
	}{
		{"arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations", "${AWS::Partition}", "${AWS::Region}", "${Fn.Arn}", true},
		{"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${Fn.Arn}$/invocations", "aws", "us-east-1", "${Fn.Arn}", true},
		{"arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/arn:aws-cn:lambda:cn-north-1:123456789012:function:f:live/invocations", "aws-cn", "cn-north-1", "arn:aws-cn:lambda:cn-north-1:123456789012:function:f:live", true},
		{"arn:aws:apigateway:us-east-1:s3:path/bucket/key", "", "", "", false},
		{"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions//invocations", "", "", "", false},
		{"arn::apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations", "", "", "", false},
		{"https://example.com", "", "", "", false},
	}
	for _, tc := range tests {
		p, r, f, ok := cfn.SplitInvocationURI(tc.uri)
		assert.Equal(t, tc.ok, ok, tc.uri)
		if tc.ok {
			assert.Equal(t, []string{tc.partition, tc.region, tc.function}, []string{p, r, f}, tc.uri)
		}
	}
}

func TestRefID(t *testing.T) {
	tests := map[string]string{
		`{"Ref":"Fn"}`:                 "Fn",
		`{"Fn::GetAtt":["Fn","Arn"]}`:  "Fn",
		`{"Fn::GetAtt":"Fn.Arn"}`:      "Fn",
		`{"Fn::Sub":"${Fn.Arn}"}`:      "Fn",
		`{"Fn::Sub":"${Fn}"}`:          "Fn",
		`{"Fn::Sub":"arn:${Fn}"}`:      "",
		`{"Fn::Sub":"${AWS::Region}"}`: "",
		`{"Fn::ImportValue":"x"}`:      "",
		`"Fn"`:                         "",
		`{"Ref":"Fn","Other":1}`:       "",
	}
	for src, want := range tests {
		v, err := tree.Decode([]byte(src))
		assert.NoError(t, err)
		assert.Equal(t, want, cfn.RefID(v), src)
	}
}

func TestActionMatches(t *testing.T) {
	tests := []struct {
		pattern, action string
		want            bool
	}{
		{"lambda:InvokeFunction", "lambda:InvokeFunction", true},
		{"LAMBDA:invokefunction", "lambda:InvokeFunction", true},
		{"lambda:*", "lambda:InvokeFunction", true},
		{"*", "lambda:InvokeFunction", true},
		{"lambda:Invoke*", "lambda:InvokeFunction", true},
		{"lambda:InvokeFunctio?", "lambda:InvokeFunction", true},
		{"lambda:Get*", "lambda:InvokeFunction", false},
		{"lambda:InvokeFunctionUrl", "lambda:InvokeFunction", false},
		{"s3:*", "lambda:InvokeFunction", false},
		{"", "lambda:InvokeFunction", false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, cfn.ActionMatches(tc.pattern, tc.action), tc.pattern)
	}
}
