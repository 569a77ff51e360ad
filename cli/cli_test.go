package cli_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/cli"
	"github.com/stretchr/testify/assert"
)

func run(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	code = cli.Main(args, cli.IO{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errs})
	return code, out.String(), errs.String()
}

const tmpl = `Transform: [AsyncInvoke, AWS::Serverless-2016-10-31]
Parameters:
  Mode: {Type: String, Default: always}
Resources:
  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: x}}
  Fn: {Type: AWS::Lambda::Function, Properties: {Account: 012345678901}}
  M:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, HttpMethod: GET, AsyncInvoke: !Ref Mode, Integration: {Uri: !GetAtt Fn.Arn}}
`

func TestExpand(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		stdin    string
		code     int
		contains []string
		absent   []string
	}{
		{"yaml from stdin, parameter default", []string{"expand", "-"}, tmpl, 0,
			[]string{`integration.request.header.X-Amz-Invocation-Type: "'Event'"`, "Transform: AWS::Serverless-2016-10-31", `Account: "012345678901"`, "FunctionName: !GetAtt Fn.Arn"},
			[]string{"AsyncInvoke:"}},
		{"-p overrides the default, flags after the file", []string{"expand", "-", "-p", "Mode=client"}, tmpl, 0,
			[]string{"method.request.header.InvocationType: false"}, nil},
		{"json output is the long form", []string{"expand", "-o", "json", "-"}, tmpl, 0,
			[]string{`"Fn::Sub": "arn:${AWS::Partition}:apigateway:`, `"Transform": "AWS::Serverless-2016-10-31"`}, []string{"!Sub"}},
		{"check: fine", []string{"check", "-"}, tmpl, 0, nil, []string{"Resources"}},
		{"check: every problem, exit 1", []string{"check", "-", "-p", "Mode=sometimes"}, strings.Replace(tmpl, "GetAtt Fn.Arn", "GetAtt Fn.Name", 1), 1,
			[]string{`-: Resources.M.Properties.AsyncInvoke: unknown mode "sometimes"`}, nil},
		{"bad -p", []string{"expand", "-p", "novalue", "-"}, tmpl, 2, nil, nil},
		{"no file", []string{"expand"}, "", 2, nil, nil},
		{"unknown command", []string{"frobnicate"}, "", 2, nil, nil},
		{"unreadable template", []string{"check", "-"}, "a: [", 1, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(tc.stdin, tc.args...)
			assert.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", out, errs)
			for _, s := range tc.contains {
				assert.Contains(t, out, s)
			}
			for _, s := range tc.absent {
				assert.NotContains(t, out, s)
			}
		})
	}
}
