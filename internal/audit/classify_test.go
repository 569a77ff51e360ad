package audit

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/stretchr/testify/assert"
)

const workerURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invocations"

// lambdaMethod is a method with a Lambda non-proxy integration of uri and
// these request parameters and templates.
func lambdaMethod(uri string, params map[string]string, templates map[string]string) types.Method {
	return types.Method{HttpMethod: aws.String("POST"), MethodIntegration: &types.Integration{
		Type: types.IntegrationTypeAws, HttpMethod: aws.String("POST"), Uri: aws.String(uri),
		RequestParameters: params, RequestTemplates: templates,
	}}
}

func mapping(source string) map[string]string {
	return map[string]string{"integration.request.header.X-Amz-Invocation-Type": source}
}

// TestClassify: every form the macro writes (macro/testdata/*.golden.yaml,
// as CloudFormation deploys them: intrinsic functions resolved) and what
// the console writes, classified from the method alone.
func TestClassify(t *testing.T) {
	stageVars := map[string]string{"mode": "Event", "sync": "RequestResponse"}
	tests := []struct {
		name   string
		method types.Method
		vars   map[string]string
		want   Invocation
	}{
		// The macro's forms.
		{"macro always", lambdaMethod(workerURI, mapping("'Event'"), nil), nil, Invocation{Class: Async, Source: "'Event'"}},
		{"macro client", lambdaMethod(workerURI, mapping("method.request.header.InvocationType"), nil), nil, Invocation{Class: Client, Header: "InvocationType", Source: "method.request.header.InvocationType"}},
		{"macro client, Header option", lambdaMethod(workerURI, mapping("method.request.header.X-Invocation-Type"), nil), nil, Invocation{Class: Client, Header: "X-Invocation-Type", Source: "method.request.header.X-Invocation-Type"}},
		{"macro client, header declared in another case", lambdaMethod(workerURI, mapping("method.request.header.invocationtype"), nil), nil, Invocation{Class: Client, Header: "invocationtype", Source: "method.request.header.invocationtype"}},
		{"macro, a mapping written in lower case", lambdaMethod(workerURI, map[string]string{"integration.request.header.x-amz-invocation-type": "method.request.header.INVOCATIONTYPE"}, nil), nil, Invocation{Class: Client, Header: "INVOCATIONTYPE", Source: "method.request.header.INVOCATIONTYPE"}},
		{"macro always, alias", lambdaMethod("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:worker:live/invocations", mapping("'Event'"), nil), nil, Invocation{Class: Async, Source: "'Event'"}},
		{"macro always, other mappings beside", lambdaMethod(workerURI, map[string]string{"integration.request.querystring.priority": "method.request.querystring.priority", "integration.request.header.X-Amz-Invocation-Type": "'Event'"}, nil), nil, Invocation{Class: Async, Source: "'Event'"}},
		{"macro always, another region's function", lambdaMethod("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:reporter/invocations", mapping("'Event'"), nil), nil, Invocation{Class: Async, Source: "'Event'"}},
		{"macro, a request template beside the mapping that reads the header", lambdaMethod(workerURI, mapping("'Event'"), map[string]string{"application/json": `{"was": "$context.requestOverride.header.X-Amz-Invocation-Type"}`}), nil, Invocation{Class: Async, Source: "'Event'"}},
		// The console's forms (Developer Guide: set up asynchronous invocation).
		{"console always", lambdaMethod(workerURI, mapping("'Event'"), nil), nil, Invocation{Class: Async, Source: "'Event'"}},
		{"console: no header (the default)", lambdaMethod(workerURI, nil, nil), nil, Invocation{Class: Sync, Note: "no X-Amz-Invocation-Type mapping: Lambda's default, RequestResponse"}},
		{"console: RequestResponse written out", lambdaMethod(workerURI, mapping("'RequestResponse'"), nil), nil, Invocation{Class: Sync, Source: "'RequestResponse'"}},
		{"console: 'event', in the wrong case", lambdaMethod(workerURI, mapping("'event'"), nil), nil, Invocation{Class: Invalid, Source: "'event'", Note: "'event' is not an invocation type (Event, RequestResponse or DryRun, in that case): Lambda refuses every call"}},
		{"console: DryRun", lambdaMethod(workerURI, mapping("'DryRun'"), nil), nil, Invocation{Class: Invalid, Source: "'DryRun'", Note: "DryRun: Lambda only checks that the call would be allowed, and the function never runs"}},
		{"console: the client chooses with a query string", lambdaMethod(workerURI, mapping("method.request.querystring.mode"), nil), nil, Invocation{Class: Client, Source: "method.request.querystring.mode", Note: "the caller chooses with the query string parameter mode"}},
		{"a stage variable, no stage named", lambdaMethod(workerURI, mapping("stageVariables.mode"), nil), nil, Invocation{Class: Varies, Source: "stageVariables.mode", Note: "the stage variable mode chooses; name the stage with --stage to read it"}},
		{"a stage variable, Event on the stage", lambdaMethod(workerURI, mapping("stageVariables.mode"), nil), stageVars, Invocation{Class: Async, Source: "stageVariables.mode", Note: "the stage variable mode is Event"}},
		{"a stage variable, RequestResponse on the stage", lambdaMethod(workerURI, mapping("stageVariables.sync"), nil), stageVars, Invocation{Class: Sync, Source: "stageVariables.sync", Note: "the stage variable sync is RequestResponse"}},
		{"a stage variable not set on the stage", lambdaMethod(workerURI, mapping("stageVariables.other"), nil), stageVars, Invocation{Class: Sync, Source: "stageVariables.other", Note: "the stage variable other is not set on this stage, so API Gateway sends no invocation type: Lambda's default, RequestResponse", unset: true}},
		{"the request context", lambdaMethod(workerURI, mapping("context.authorizer.mode"), nil), nil, Invocation{Class: Varies, Source: "context.authorizer.mode", Note: "mapped from context.authorizer.mode"}},
		{"a request template sets the header", lambdaMethod(workerURI, mapping("'Event'"), map[string]string{"application/json": `#set($context.requestOverride.header.X-Amz-Invocation-Type = "RequestResponse")` + "\n$input.body"}), nil, Invocation{Class: Template, Source: "application/json", Note: "the request template for application/json sets X-Amz-Invocation-Type ($context.requestOverride), after the parameter mappings"}},
		{"mapped twice, in two cases", lambdaMethod(workerURI, map[string]string{"integration.request.header.X-Amz-Invocation-Type": "'Event'", "integration.request.header.x-amz-invocation-type": "'RequestResponse'"}, nil), nil, Invocation{Class: Async, Source: "'Event'", Note: "X-Amz-Invocation-Type is mapped 2 times, in different cases (integration.request.header.X-Amz-Invocation-Type, integration.request.header.x-amz-invocation-type): API Gateway sends one of them"}},
		{"console proxy", types.Method{MethodIntegration: &types.Integration{Type: types.IntegrationTypeAwsProxy, HttpMethod: aws.String("POST"), Uri: aws.String(workerURI)}}, nil, Invocation{Class: Proxy, Note: "a Lambda proxy integration always invokes synchronously"}},
		{"console mock (a CORS preflight)", types.Method{MethodIntegration: &types.Integration{Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}}, nil, Invocation{Class: Mock}},
		{"console HTTP", types.Method{MethodIntegration: &types.Integration{Type: types.IntegrationTypeHttp, Uri: aws.String("https://example.com")}}, nil, Invocation{Class: HTTP}},
		{"console HTTP proxy", types.Method{MethodIntegration: &types.Integration{Type: types.IntegrationTypeHttpProxy, Uri: aws.String("https://example.com/{proxy}")}}, nil, Invocation{Class: HTTP}},
		{"console SQS", lambdaMethod("arn:aws:apigateway:us-east-1:sqs:path/123456789012/jobs", nil, nil), nil, Invocation{Class: OtherService, Source: "sqs"}},
		{"console Step Functions", lambdaMethod("arn:aws:apigateway:us-east-1:states:action/StartExecution", nil, nil), nil, Invocation{Class: OtherService, Source: "states"}},
		{"Lambda's response streaming path", lambdaMethod("arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/response-streaming-invocations", mapping("'Event'"), nil), nil, Invocation{Class: OtherService, Source: "lambda", Note: "Lambda, but not its Invoke API: path/2021-11-15/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/response-streaming-invocations"}},
		{"Lambda's deprecated InvokeAsync API", lambdaMethod("arn:aws:apigateway:us-east-1:lambda:path/2014-11-13/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invoke-async/", nil, nil), nil, Invocation{Class: Async, InvokeAsync: true, Note: "through Lambda's deprecated InvokeAsync API (path/2014-11-13/functions/.../invoke-async/), which always invokes asynchronously, takes payloads up to 256 KB and reads no X-Amz-Invocation-Type"}},
		{"no integration", types.Method{}, nil, Invocation{Class: None, Note: "the method has no integration; API Gateway refuses to deploy the API until it has one"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Classify(tc.method, tc.vars))
		})
	}
}

// TestInvokedTarget: the function, alias or version an integration
// invokes, as each URI form names it.
func TestInvokedTarget(t *testing.T) {
	uri := func(fn string) *types.Integration {
		return &types.Integration{Type: types.IntegrationTypeAws, Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fn + "/invocations")}
	}
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:"
	vars := map[string]string{"alias": "live"}
	tests := []struct {
		name string
		in   *types.Integration
		vars map[string]string
		want Target
		ok   bool
	}{
		{"a function", uri(arn + "worker"), nil, Target{Function: arn + "worker", Name: "worker", Region: "us-east-1", Account: "123456789012"}, true},
		{"an alias", uri(arn + "worker:live"), nil, Target{Function: arn + "worker:live", Name: "worker", Qualifier: "live", Region: "us-east-1", Account: "123456789012"}, true},
		{"a version", uri(arn + "worker:3"), nil, Target{Function: arn + "worker:3", Name: "worker", Qualifier: "3", Region: "us-east-1", Account: "123456789012"}, true},
		{"$LATEST", uri(arn + "worker:$LATEST"), nil, Target{Function: arn + "worker:$LATEST", Name: "worker", Qualifier: "$LATEST", Region: "us-east-1", Account: "123456789012"}, true},
		{"another region", uri("arn:aws:lambda:eu-west-1:123456789012:function:reporter"), nil, Target{Function: "arn:aws:lambda:eu-west-1:123456789012:function:reporter", Name: "reporter", Region: "eu-west-1", Account: "123456789012"}, true},
		{"a stage variable qualifier, no stage", uri(arn + "worker:${stageVariables.alias}"), nil, Target{Function: arn + "worker:${stageVariables.alias}", Name: "worker", Qualifier: "${stageVariables.alias}", Region: "us-east-1", Account: "123456789012", StageVariable: "alias"}, true},
		{"a stage variable qualifier, on the stage", uri(arn + "worker:${stageVariables.alias}"), vars, Target{Function: arn + "worker:live", Name: "worker", Qualifier: "live", Region: "us-east-1", Account: "123456789012"}, true},
		{"a stage variable the stage lacks", uri(arn + "${stageVariables.fn}"), vars, Target{Function: arn + "${stageVariables.fn}", Name: "${stageVariables.fn}", Region: "us-east-1", Account: "123456789012", StageVariable: "fn"}, true},
		{"the documentation's $ typo", uri(arn + "worker$"), nil, Target{Function: arn + "worker", Name: "worker", Region: "us-east-1", Account: "123456789012"}, true},
		{"InvokeAsync", &types.Integration{Type: types.IntegrationTypeAws, Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2014-11-13/functions/" + arn + "worker/invoke-async/")}, nil, Target{Function: arn + "worker", Name: "worker", Region: "us-east-1", Account: "123456789012"}, true},
		{"a proxy integration", &types.Integration{Type: types.IntegrationTypeAwsProxy, Uri: aws.String(workerURI)}, nil, Target{Function: arn + "worker", Name: "worker", Region: "us-east-1", Account: "123456789012"}, true},
		{"an SQS integration", &types.Integration{Type: types.IntegrationTypeAws, Uri: aws.String("arn:aws:apigateway:us-east-1:sqs:path/123456789012/q")}, nil, Target{}, false},
		{"a mock", &types.Integration{Type: types.IntegrationTypeMock}, nil, Target{}, false},
		{"none", nil, nil, Target{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := InvokedTarget(tc.in, tc.vars)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}
