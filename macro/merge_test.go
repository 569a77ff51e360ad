package macro_test

import (
	"errors"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMergedEventShapes: beside a SAM Api with MergeDefinitions: true, a
// SAM function's Events of any shape never crash the macro: what cannot be
// on an asynchronous operation expands (what SAM refuses, such as
// Events: [], SAM reports), and an Api event whose Path or Method cannot be
// read is refused where it is written.
func TestMergedEventShapes(t *testing.T) {
	const head = `
Transform: [AsyncInvoke, AWS::Serverless-2016-10-31]
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      MergeDefinitions: true
      DefinitionBody:
        openapi: "3.0.1"
        paths:
          /jobs:
            post:
              x-async-invoke: always
              x-amazon-apigateway-integration: {uri: !GetAtt Worker.Arn}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: bootstrap
`
	tests := []struct {
		name, events string
		wantPath     string // the problem's path; "" when it expands
	}{
		{"no Events", "", ""},
		{"Events: {}", "Events: {}", ""},
		{"Events: []", "Events: []", ""},
		{"Events: null", "Events: null", ""},
		{"Events: a string", "Events: none", ""},
		{"Events: Fn::If", "Events: !If [C, {}, {}]", ""},
		{"an event that is null", "Events: {E: null}", ""},
		{"an event that is a list", "Events: {E: [1]}", ""},
		{"an Api event without Properties", "Events: {E: {Type: Api}}", ""},
		{"an Api event whose Properties is a list", "Events: {E: {Type: Api, Properties: []}}", ""},
		{"an Api event on the implicit API", "Events: {E: {Type: Api, Properties: {Path: /jobs, Method: post}}}", ""},
		{"an Api event on another path", "Events: {E: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /x, Method: post}}}", ""},
		{"an Api event without Method", "Events: {E: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /jobs}}}", "Resources.Worker.Properties.Events.E.Properties.Method"},
		{"an Api event whose Path is a number", "Events: {E: {Type: Api, Properties: {RestApiId: !Ref Api, Path: 1, Method: post}}}", "Resources.Worker.Properties.Events.E.Properties.Path"},
		{"an Api event on the operation", "Events: {E: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /jobs, Method: POST}}}", "Resources.Worker.Properties.Events.E"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := head
			if tt.events != "" {
				src += "      " + tt.events + "\n"
			}
			tmpl, err := parse.Template([]byte(src))
			require.NoError(t, err)
			_, err = macro.Expand(tmpl, nil)
			if tt.wantPath == "" {
				assert.NoError(t, err)
				return
			}
			var ps macro.Problems
			require.True(t, errors.As(err, &ps), "want a problem at %s, got %v", tt.wantPath, err)
			require.Len(t, ps, 1)
			assert.Equal(t, tt.wantPath, ps[0].Path.String())
		})
	}
}
