package audit

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or writes it there with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to write it")
	assert.Equal(t, string(want), got)
}

// TestReport: the README's example API (awsfake.Example: made as the
// console makes one, changed since its deployment), audited with its
// stage, as text and as JSON.
func TestReport(t *testing.T) {
	_, cl := example(t)
	r, err := Run(context.Background(), cl, Options{RestAPIID: awsfake.ExampleAPI, Stage: "prod"})
	require.NoError(t, err)
	var text, js bytes.Buffer
	require.NoError(t, r.WriteText(&text))
	require.NoError(t, r.WriteJSON(&js))
	golden(t, "example.txt", text.String())
	golden(t, "example.json", js.String())
}

// TestReadPages: the resources are read page by page (position and
// limit), all of them, with their methods embedded.
func TestReadPages(t *testing.T) {
	f, cl := example(t)
	r, err := Run(context.Background(), cl, Options{RestAPIID: awsfake.ExampleAPI, PageSize: 2})
	require.NoError(t, err)
	var keys []string
	for _, row := range r.Methods {
		keys = append(keys, row.Key())
	}
	assert.Equal(t, []string{"GET /health", "POST /jobs", "GET /jobs/{id}", "PUT /jobs/{id}", "ANY /legacy/{proxy+}"}, keys)
	var pages []string
	for _, q := range f.Requests() {
		if strings.HasSuffix(q.Path, "/resources") {
			pages = append(pages, q.Query)
		}
	}
	assert.Equal(t, []string{"embed=methods&limit=2", "embed=methods&limit=2&position=pos2", "embed=methods&limit=2&position=pos4"}, pages)
}

// TestFindings: what each kind of method makes the audit say, and which
// findings are problems (exit 1) and which warnings.
func TestFindings(t *testing.T) {
	const api = "zzzzzzzzzz"
	const uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:"
	method := func(fn, params string) string {
		return `{"methodResponses": {"200": {"statusCode": "200"}}, "methodIntegration": {"type": "AWS", "httpMethod": "POST", "uri": "` + uri + fn + `/invocations",
			"requestParameters": {` + params + `}, "integrationResponses": {"200": {"statusCode": "200"}}}}`
	}
	tests := []struct {
		name     string
		build    func(f *awsfake.Fake, a *awsfake.API)
		opts     Options
		problems []string // code: message prefix
		warnings []string
	}{
		{"async, permitted, with a destination: nothing to say", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", method("worker", `"integration.request.header.X-Amz-Invocation-Type": "'Event'"`))
			fn := f.AddFunction("worker")
			fn.Allow("", "s", "arn:aws:execute-api:us-east-1:123456789012:"+api+"/*/*")
			fn.OnFailure("", "arn:aws:sqs:us-east-1:123456789012:failures", 1)
		}, Options{}, nil, nil},
		{"a dead-letter queue counts as a destination", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", method("worker", `"integration.request.header.X-Amz-Invocation-Type": "'Event'"`))
			fn := f.AddFunction("worker")
			fn.Allow("", "s", "")
			fn.DeadLetterQueue = "arn:aws:sqs:us-east-1:123456789012:dlq"
		}, Options{}, nil, nil},
		{"a function that does not exist", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", method("gone", `"integration.request.header.X-Amz-Invocation-Type": "'Event'"`))
		}, Options{}, []string{"function: invokes gone, which does not exist in us-east-1"}, nil},
		{"a permission for the function does not cover its alias", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", method("worker:live", ``))
			f.AddFunction("worker", "live").Allow("", "s", "")
		}, Options{}, []string{"permission: invokes worker:live, but no statement of its policy"}, nil},
		{"a stage's permission does not cover every stage", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", method("worker", ``))
			f.AddFunction("worker").Allow("", "prod-only", "arn:aws:execute-api:us-east-1:123456789012:"+api+"/prod/POST/jobs")
		}, Options{}, []string{"permission: invokes worker, but no statement of its policy lets apigateway.amazonaws.com invoke it for arn:aws:execute-api:us-east-1:123456789012:zzzzzzzzzz/*/POST/jobs; for API Gateway: prod-only allows"}, nil},
		{"without --stage, a stage's permission covers the calls when the API has only that stage", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", method("worker", ``))
			f.AddFunction("worker").Allow("", "prod-only", "arn:aws:execute-api:us-east-1:123456789012:"+api+"/prod/POST/jobs")
			a.Deploy("prod", nil)
		}, Options{}, nil, nil},
		{"without --stage, permissions by stage as CDK writes them cover every stage the API has", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", method("worker", ``))
			fn := f.AddFunction("worker")
			fn.Allow("", "ApiPermission0", "arn:aws:execute-api:us-east-1:123456789012:"+api+"/prod/POST/jobs")
			fn.Allow("", "ApiPermissionTest0", "arn:aws:execute-api:us-east-1:123456789012:"+api+"/test-invoke-stage/POST/jobs")
			fn.Allow("", "ApiPermissionBeta0", "arn:aws:execute-api:us-east-1:123456789012:"+api+"/beta/POST/jobs")
			a.Deploy("prod", nil)
			a.Deploy("beta", nil)
		}, Options{}, nil, nil},
		{"without --stage, a stage the permissions leave out", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", method("worker", ``))
			f.AddFunction("worker").Allow("", "ApiPermission0", "arn:aws:execute-api:us-east-1:123456789012:"+api+"/prod/POST/jobs")
			a.Deploy("prod", nil)
			a.Deploy("beta", nil)
		}, Options{}, []string{"permission: invokes worker, but no statement of its policy lets apigateway.amazonaws.com invoke it from the stage beta (arn:aws:execute-api:us-east-1:123456789012:zzzzzzzzzz/beta/POST/jobs); from prod, ApiPermission0 does: calls from beta answer 500 (--fix adds it)"}, nil},
		{"without --stage, no stage's calls allowed: the note names a few statements", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", method("worker", ``))
			fn := f.AddFunction("worker")
			for i := range 50 {
				fn.Allow("", fmt.Sprintf("other%d", i), fmt.Sprintf("arn:aws:execute-api:us-east-1:123456789012:%s/prod/POST/other%d", api, i))
			}
			a.Deploy("prod", nil)
			a.Deploy("beta", nil)
		}, Options{}, []string{"permission: invokes worker, but no statement of its policy lets apigateway.amazonaws.com invoke it for arn:aws:execute-api:us-east-1:123456789012:zzzzzzzzzz/*/POST/jobs from any of the stages beta, prod; for API Gateway: other0 allows arn:aws:execute-api:us-east-1:123456789012:zzzzzzzzzz/prod/POST/other0 only; other1 allows arn:aws:execute-api:us-east-1:123456789012:zzzzzzzzzz/prod/POST/other1 only; other2 allows arn:aws:execute-api:us-east-1:123456789012:zzzzzzzzzz/prod/POST/other2 only; and 47 more statements: calls answer 500 (--fix adds it)"}, nil},
		{"but it covers its own stage", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", method("worker", ``))
			f.AddFunction("worker").Allow("", "prod-only", "arn:aws:execute-api:us-east-1:123456789012:"+api+"/prod/POST/jobs")
			a.Deploy("prod", nil)
		}, Options{Stage: "prod"}, nil, nil},
		{"--expect async", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", method("worker", ``))
			a.Method("/ping", "GET", `{"methodIntegration": {"type": "MOCK"}}`)
			f.AddFunction("worker").Allow("", "s", "")
		}, Options{Expect: Async}, []string{"expect: is sync, not async as --expect asks"}, nil},
		{"an invocation type Lambda refuses", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", method("worker", `"integration.request.header.X-Amz-Invocation-Type": "'event'"`))
			f.AddFunction("worker").Allow("", "s", "")
		}, Options{}, []string{"invocation: maps X-Amz-Invocation-Type from 'event'"}, nil},
		{"a stage variable the stage does not set", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", method("worker:${stageVariables.alias}", `"integration.request.header.X-Amz-Invocation-Type": "'Event'"`))
			a.Deploy("prod", map[string]string{})
		}, Options{Stage: "prod"}, []string{"function: invokes arn:aws:lambda:us-east-1:123456789012:function:worker:${stageVariables.alias}: the stage variable alias chooses the function and is not set on the stage prod"}, nil},
		{"a stage variable the stage sets", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", method("worker:${stageVariables.alias}", `"integration.request.header.X-Amz-Invocation-Type": "'Event'"`))
			a.Deploy("prod", map[string]string{"alias": "live"})
			fn := f.AddFunction("worker", "live")
			fn.Allow("live", "s", "")
			fn.OnFailure("live", "arn:aws:sqs:us-east-1:123456789012:failures", 2)
		}, Options{Stage: "prod"}, nil, nil},
		{"a stage variable for the invocation type that the stage does not set: synchronous", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", method("worker", `"integration.request.header.X-Amz-Invocation-Type": "stageVariables.mode"`))
			f.AddFunction("worker").Allow("", "s", "")
			a.Deploy("prod", map[string]string{})
		}, Options{Stage: "prod"}, []string{"invocation: maps X-Amz-Invocation-Type from the stage variable mode, which the stage prod does not set: API Gateway sends no invocation type, so its calls run synchronously (Lambda's default); set mode on the stage to Event or RequestResponse"}, nil},
		{"InvokeAsync: asynchronous, with its function's settings", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", strings.Replace(method("worker", ``), "path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invocations", "path/2014-11-13/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invoke-async/", 1))
			f.AddFunction("worker")
		}, Options{}, []string{"permission: invokes worker, but no statement"}, []string{"on-failure: invokes worker asynchronously, and a failed call goes nowhere"}},
		{"a method deleted since the deployment", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/old", "DELETE", `{"methodIntegration": {"type": "MOCK"}}`)
			a.Method("/jobs", "POST", `{"methodIntegration": {"type": "MOCK"}}`)
			a.Deploy("prod", nil)
			a.Delete("/old", "DELETE")
		}, Options{Stage: "prod"}, []string{"deployment: is still deployed to the stage prod but no longer defined"}, nil},
		{"a method added since the deployment", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/health", "GET", `{"methodIntegration": {"type": "MOCK"}}`)
			a.Deploy("prod", nil)
			a.Method("/jobs", "POST", `{"methodIntegration": {"type": "MOCK"}}`)
		}, Options{Stage: "prod"}, []string{"deployment: is not deployed to the stage prod"}, nil},
		{"an export without any method cannot be compared (API Gateway deploys none such; moto leaves out ANY)", func(f *awsfake.Fake, a *awsfake.API) {
			a.Deploy("prod", nil)
			a.Method("/jobs", "POST", `{"methodIntegration": {"type": "MOCK"}}`)
		}, Options{Stage: "prod"}, nil, []string{"cannot-check: the stage's export carries no x-amazon-apigateway-integration"}},
		{"an export without integrations cannot be compared", func(f *awsfake.Fake, a *awsfake.API) {
			f.NoExportIntegrations = true
			a.Method("/jobs", "POST", `{"methodIntegration": {"type": "MOCK"}}`)
			a.Deploy("prod", nil)
		}, Options{Stage: "prod"}, nil, []string{"cannot-check: the stage's export carries no x-amazon-apigateway-integration"}},
		{"no integration response: every call answers 500", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", strings.Replace(method("worker", `"integration.request.header.X-Amz-Invocation-Type": "'Event'"`), `, "integrationResponses": {"200": {"statusCode": "200"}}`, ``, 1))
			fn := f.AddFunction("worker")
			fn.Allow("", "s", "")
			fn.OnFailure("", "arn:aws:sqs:us-east-1:123456789012:failures", 1)
		}, Options{}, []string{"integration: has no default integration response (one without a selection pattern): API Gateway answers 500 to every call the function does not fail, asynchronous ones included (--fix adds one)"}, nil},
		{"an error response only is no default response", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", strings.Replace(method("worker", ``), `"200": {"statusCode": "200"}}}}`, `"400": {"statusCode": "400", "selectionPattern": "Invalid.*"}}}}`, 1))
			f.AddFunction("worker").Allow("", "s", "")
		}, Options{}, []string{"integration: has no default integration response"}, nil},
		{"an integration that calls Lambda with GET", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", strings.Replace(method("worker", `"integration.request.header.X-Amz-Invocation-Type": "'Event'"`), `"httpMethod": "POST"`, `"httpMethod": "GET"`, 1))
			fn := f.AddFunction("worker")
			fn.Allow("", "s", "")
			fn.OnFailure("", "arn:aws:sqs:us-east-1:123456789012:failures", 1)
		}, Options{}, []string{"integration: calls Lambda with GET, but Lambda's Invoke API takes POST only (API Gateway requires POST for a Lambda integration), so every call fails (--fix makes it POST)"}, nil},
		{"a proxy integration needs none", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "ANY", `{"methodIntegration": {"type": "AWS_PROXY", "httpMethod": "POST", "uri": "`+uri+`worker/invocations"}}`)
			f.AddFunction("worker").Allow("", "s", "")
		}, Options{}, nil, nil},
		{"an integration with credentials needs no permission", func(f *awsfake.Fake, a *awsfake.API) {
			a.Method("/jobs", "POST", strings.Replace(method("worker", ``), `"type": "AWS",`, `"type": "AWS", "credentials": "arn:aws:iam::123456789012:role/apigateway",`, 1))
			f.AddFunction("worker")
		}, Options{}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := awsfake.New("123456789012", "us-east-1")
			a := f.AddAPI(api, "t")
			tc.build(f, a)
			cl := serve(t, f)
			tc.opts.RestAPIID = api
			r, err := Run(context.Background(), cl, tc.opts)
			require.NoError(t, err)
			assertFindings(t, tc.problems, r.Problems)
			assertFindings(t, tc.warnings, r.Warnings)
			assert.Empty(t, f.Mutations(), "the audit only reads")
		})
	}
}

func assertFindings(t *testing.T, want []string, got []Finding) {
	t.Helper()
	if !assert.Len(t, got, len(want), "%v", got) {
		return
	}
	for i, w := range want {
		assert.True(t, strings.HasPrefix(got[i].Code+": "+got[i].Message, w), "want %q, got %q", w, got[i].Code+": "+got[i].Message)
	}
}

// TestUnknownMethod: --method names a method the API lacks: the error
// lists the methods it has.
func TestUnknownMethod(t *testing.T) {
	_, cl := example(t)
	_, err := Run(context.Background(), cl, Options{RestAPIID: awsfake.ExampleAPI, Methods: []string{"post /jobs", "DELETE /jobs"}})
	var unknown *UnknownMethodsError
	require.ErrorAs(t, err, &unknown)
	assert.Equal(t, "the API has no method DELETE /jobs; its methods are: GET /health, POST /jobs, GET /jobs/{id}, PUT /jobs/{id}, ANY /legacy/{proxy+}", err.Error())
}

// TestReadErrors: an API that does not exist, said in one line.
func TestReadErrors(t *testing.T) {
	_, cl := example(t)
	_, err := Run(context.Background(), cl, Options{RestAPIID: "nope"})
	require.Error(t, err)
	assert.Equal(t, "reading the REST API nope: GetRestApi: NotFoundException: Invalid API identifier specified 123456789012:nope", err.Error())
}

// TestNoAnswer: an endpoint that does not answer, said in one line with
// where.
func TestNoAnswer(t *testing.T) {
	fakeEnv(t)
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	cl, err := Connect(context.Background(), Config{Region: "us-east-1", EndpointURL: srv.URL})
	require.NoError(t, err)
	_, err = Run(context.Background(), cl, Options{RestAPIID: "x"})
	require.Error(t, err)
	assert.Equal(t, "finding the account of the credentials: GetCallerIdentity: no answer from "+srv.URL+": connection refused", err.Error())
}
