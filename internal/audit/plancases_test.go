package audit

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/awsfake"
	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPlanCases: what --fix plans for each form of method: the patch
// operation chosen (replace a key that exists, in its case; add one that
// does not), the method request header, the default response, and what
// it refuses.
func TestPlanCases(t *testing.T) {
	const uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invocations"
	integration := func(extra string) string {
		return `{"methodResponses": {"200": {"statusCode": "200"}}, "methodIntegration": {"type": "AWS", "httpMethod": "POST", "uri": "` + uri + `", "integrationResponses": {"200": {"statusCode": "200"}}` + extra + `}}`
	}
	tests := []struct {
		name   string
		method string
		fix    FixOptions
		want   []string // each step's command from its operation to before --region
		skip   string   // code: message prefix of the method's refusal
	}{
		{"always: add the mapping", integration(``), FixOptions{Mode: Async},
			[]string{`update-integration --rest-api-id t --resource-id res0002 --http-method POST --patch-operations [{"op":"add","path":"/requestParameters/integration.request.header.X-Amz-Invocation-Type","value":"'Event'"}]`}, ""},
		{"always: replace a mapping written in lower case, in its case", integration(`, "requestParameters": {"integration.request.header.x-amz-invocation-type": "'RequestResponse'"}`), FixOptions{Mode: Async},
			[]string{`update-integration --rest-api-id t --resource-id res0002 --http-method POST --patch-operations [{"op":"replace","path":"/requestParameters/integration.request.header.x-amz-invocation-type","value":"'Event'"}]`}, ""},
		{"always: one mapping of two in different cases is replaced, the other removed", integration(`, "requestParameters": {"integration.request.header.X-Amz-Invocation-Type": "'RequestResponse'", "integration.request.header.x-amz-invocation-type": "'Event'"}`), FixOptions{Mode: Async},
			[]string{`update-integration --rest-api-id t --resource-id res0002 --http-method POST --patch-operations [{"op":"replace","path":"/requestParameters/integration.request.header.X-Amz-Invocation-Type","value":"'Event'"},{"op":"remove","path":"/requestParameters/integration.request.header.x-amz-invocation-type"}]`}, ""},
		{"always: an integration method other than POST is corrected", strings.Replace(integration(``), `"httpMethod": "POST"`, `"httpMethod": "GET"`, 1), FixOptions{Mode: Async},
			[]string{`update-integration --rest-api-id t --resource-id res0002 --http-method POST --patch-operations [{"op":"add","path":"/requestParameters/integration.request.header.X-Amz-Invocation-Type","value":"'Event'"},{"op":"replace","path":"/httpMethod","value":"POST"}]`}, ""},
		{"always, already 'Event': only the integration method is corrected", strings.Replace(integration(`, "requestParameters": {"integration.request.header.X-Amz-Invocation-Type": "'Event'"}`), `"httpMethod": "POST"`, `"httpMethod": "GET"`, 1), FixOptions{Mode: Async},
			[]string{`update-integration --rest-api-id t --resource-id res0002 --http-method POST --patch-operations [{"op":"replace","path":"/httpMethod","value":"POST"}] # call Lambda with POST, which its Invoke API takes`}, ""},
		{"client: declare the header and map it", integration(``), FixOptions{Mode: Client},
			[]string{
				`update-method --rest-api-id t --resource-id res0002 --http-method POST --patch-operations [{"op":"add","path":"/requestParameters/method.request.header.InvocationType","value":"false"}]`,
				`update-integration --rest-api-id t --resource-id res0002 --http-method POST --patch-operations [{"op":"add","path":"/requestParameters/integration.request.header.X-Amz-Invocation-Type","value":"method.request.header.InvocationType"}]`,
			}, ""},
		{"client: a header the method declares in another case is used as declared", strings.Replace(integration(``), `{"methodResponses"`, `{"requestParameters": {"method.request.header.invocationtype": true}, "methodResponses"`, 1), FixOptions{Mode: Client},
			[]string{`update-integration --rest-api-id t --resource-id res0002 --http-method POST --patch-operations [{"op":"add","path":"/requestParameters/integration.request.header.X-Amz-Invocation-Type","value":"method.request.header.invocationtype"}]`}, ""},
		{"client: another header", integration(``), FixOptions{Mode: Client, Header: "X-Run-Mode"},
			[]string{
				`update-method --rest-api-id t --resource-id res0002 --http-method POST --patch-operations [{"op":"add","path":"/requestParameters/method.request.header.X-Run-Mode","value":"false"}]`,
				`update-integration --rest-api-id t --resource-id res0002 --http-method POST --patch-operations [{"op":"add","path":"/requestParameters/integration.request.header.X-Amz-Invocation-Type","value":"method.request.header.X-Run-Mode"}]`,
			}, ""},
		{"no default integration response: add it, and its method response", `{"methodIntegration": {"type": "AWS", "httpMethod": "POST", "uri": "` + uri + `", "requestParameters": {"integration.request.header.X-Amz-Invocation-Type": "'Event'"}}}`, FixOptions{Mode: Async},
			[]string{
				`put-method-response --rest-api-id t --resource-id res0002 --http-method POST --status-code 200`,
				`put-integration-response --rest-api-id t --resource-id res0002 --http-method POST --status-code 200`,
			}, ""},
		{"200 taken by an error response", `{"methodResponses": {"200": {"statusCode": "200"}}, "methodIntegration": {"type": "AWS", "httpMethod": "POST", "uri": "` + uri + `", "integrationResponses": {"200": {"statusCode": "200", "selectionPattern": "Error.*"}}}}`, FixOptions{Mode: Async},
			nil, `refused: has no default integration response, and the status 200 is taken by the response for "Error.*"`},
		{"a request template that sets the header", integration(`, "requestTemplates": {"application/json": "#set($context.requestOverride.header.X-Amz-Invocation-Type = 'Event')"}`), FixOptions{Mode: Client},
			nil, "refused: its request template for application/json sets X-Amz-Invocation-Type itself"},
		{"InvokeAsync, always: asynchronous already", strings.Replace(integration(``), "path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invocations", "path/2014-11-13/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invoke-async/", 1), FixOptions{Mode: Async},
			nil, "unchanged: already async (InvokeAsync)"},
		{"InvokeAsync, client: through the Invoke API", strings.Replace(integration(``), "path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invocations", "path/2014-11-13/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invoke-async/", 1), FixOptions{Mode: Client},
			[]string{
				`update-method --rest-api-id t --resource-id res0002 --http-method POST --patch-operations [{"op":"add","path":"/requestParameters/method.request.header.InvocationType","value":"false"}]`,
				`update-integration --rest-api-id t --resource-id res0002 --http-method POST --patch-operations [{"op":"replace","path":"/uri","value":"` + uri + `"},{"op":"add","path":"/requestParameters/integration.request.header.X-Amz-Invocation-Type","value":"method.request.header.InvocationType"}]`,
			}, ""},
		{"Lambda's response streaming API", strings.Replace(integration(``), "path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invocations", "path/2021-11-15/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/response-streaming-invocations", 1), FixOptions{Mode: Async},
			nil, "refused: invokes Lambda through another API than Invoke (Lambda, but not its Invoke API: path/2021-11-15/"},
		{"already as asked, a stage variable choosing the function: its permission is not known", strings.Replace(integration(`, "requestParameters": {"integration.request.header.X-Amz-Invocation-Type": "'Event'"}`), "function:worker/", "function:worker:${stageVariables.alias}/", 1), FixOptions{Mode: Async},
			nil, "unchanged: already async, with a default integration response; whether a permission lets API Gateway invoke the function is not known: the stage variable alias chooses the function; name the stage with --stage to check it"},
		{"a mock", `{"methodIntegration": {"type": "MOCK"}}`, FixOptions{Mode: Async},
			nil, "refused: invokes no Lambda function (mock)"},
		{"already as asked", integration(`, "requestParameters": {"integration.request.header.X-Amz-Invocation-Type": "'Event'"}`), FixOptions{Mode: Async},
			nil, "unchanged: already async"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := awsfake.New("123456789012", "us-east-1")
			f.AddAPI("t", "t").Method("/jobs", "POST", tc.method)
			f.AddFunction("worker").Allow("", "s", "")
			cl := serve(t, f)
			r, err := Run(context.Background(), cl, Options{RestAPIID: "t"})
			require.NoError(t, err)
			tc.fix.Methods = []string{"POST /jobs"}
			p := r.Plan(tc.fix)
			var got []string
			for _, s := range p.Steps {
				line := strings.Join(s.Command[2:slicesIndex(s.Command, "--region")], " ")
				if strings.HasPrefix(tc.name, "always, already") {
					line += " # " + s.Why
				}
				got = append(got, line)
			}
			assert.Equal(t, tc.want, got)
			if tc.skip == "" {
				assert.Empty(t, p.Skipped)
				return
			}
			require.Len(t, p.Skipped, 1)
			assert.True(t, strings.HasPrefix(p.Skipped[0].Code+": "+p.Skipped[0].Message, tc.skip), p.Skipped[0].Message)
		})
	}
}

func slicesIndex(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return len(s)
}

// TestRequestParameterPath: a request parameter's patch path is a JSON
// Pointer: / in the key is written ~1 and ~ is written ~0.
func TestRequestParameterPath(t *testing.T) {
	assert.Equal(t, "/requestParameters/integration.request.header.X-Amz-Invocation-Type", requestParameterPath("integration.request.header.X-Amz-Invocation-Type"))
	assert.Equal(t, "/requestParameters/method.request.querystring.a~1b~0c", requestParameterPath("method.request.querystring.a/b~c"))
	assert.Equal(t, "/requestTemplates/application~1json", "/requestTemplates/"+jsonPointerEscape("application/json"))
}

// TestStatementID: within Lambda's rules for a statement ID, and one per
// API and method.
func TestStatementID(t *testing.T) {
	a := statementID("a1b2c3d4e5", "", "PUT", "/jobs/{id}")
	assert.Equal(t, "asyncinvoke-a1b2c3d4e5-PUT-jobs-id-570e931d", a)
	assert.NotEqual(t, a, statementID("a1b2c3d4e5", "", "PUT", "/jobs/{id+}"))
	assert.Equal(t, "asyncinvoke-a1b2c3d4e5-prod-PUT-jobs-id-9e42ae0d", statementID("a1b2c3d4e5", "prod", "PUT", "/jobs/{id}"))
	long := statementID("a1b2c3d4e5", "test-stage", "POST", "/"+strings.Repeat("segment/", 30))
	assert.LessOrEqual(t, len(long), 100)
	assert.Regexp(t, `^[A-Za-z0-9_-]+$`, long)
}

// TestConvertProxy: with --event proxy, a proxy method is put anew as a
// non-proxy integration of the same function with the macro's Event: proxy
// templates (for the API's binary media types too), passthrough NEVER and
// CONVERT_TO_TEXT, asynchronous, with its default response; without it,
// it is refused with the reason.
func TestConvertProxy(t *testing.T) {
	f := awsfake.New(awsfake.ExampleAccount, awsfake.ExampleRegion)
	awsfake.Example(f).BinaryMediaTypes = []string{"image~1png"}
	cl := serve(t, f)
	o := Options{RestAPIID: awsfake.ExampleAPI, Methods: []string{"ANY /legacy/{proxy+}"}}
	r, err := Run(context.Background(), cl, o)
	require.NoError(t, err)

	p := r.Plan(FixOptions{Mode: Async, Methods: o.Methods})
	require.Empty(t, p.Steps)
	assert.Contains(t, p.Skipped[0].Message, "use --event proxy, which keeps the event")

	p = r.Plan(FixOptions{Mode: Async, Event: "proxy", Methods: o.Methods})
	var ops []string
	for _, s := range p.Steps {
		ops = append(ops, s.Command[2])
	}
	require.Equal(t, []string{"put-integration", "put-method-response", "put-integration-response"}, ops)
	put := p.Steps[0].input.(*apigateway.PutIntegrationInput)
	want := map[string]string{}
	for _, ct := range macro.ProxyRequestTemplates([]string{"image/png"}) {
		want[ct.ContentType] = ct.Template
	}
	assert.Equal(t, want, put.RequestTemplates)
	assert.Len(t, want, 4, "application/json, application/x-www-form-urlencoded, text/plain, image/png")
	assert.Equal(t, "NEVER", *put.PassthroughBehavior)
	assert.Equal(t, "CONVERT_TO_TEXT", string(put.ContentHandling))
	assert.Equal(t, "'Event'", put.RequestParameters["integration.request.header.X-Amz-Invocation-Type"])

	require.NoError(t, p.Apply(context.Background(), cl, &strings.Builder{}))
	after, err := Run(context.Background(), cl, o)
	require.NoError(t, err)
	row := after.Methods[0]
	assert.Equal(t, Async, row.Invocation.Class, "the proxy event's templates do not set the invocation type")
	assert.Equal(t, "AWS", row.IntegrationType)
	assert.Equal(t, "legacy", row.Target.String())
	assert.Equal(t, Permitted, row.Permission.State)
	assert.Empty(t, after.Plan(FixOptions{Mode: Async, Methods: o.Methods}).Steps, "done: nothing more to do")
}

// TestPlanDeploysABehindStage: a method already as asked, on a stage that
// runs an older definition of it, gets the deployment only when --method
// names it; a plan for the whole API that changes nothing deploys nothing
// (it would deploy what someone else changed), and says so.
func TestPlanDeploysABehindStage(t *testing.T) {
	f := awsfake.New(awsfake.ExampleAccount, awsfake.ExampleRegion)
	a := awsfake.Example(f)
	a.Method("/jobs/{id}", "GET", `{"methodIntegration": {"type": "MOCK", "integrationResponses": {"200": {"statusCode": "200"}}}}`)
	a.Delete("/jobs/{id}", "PUT")
	cl := serve(t, f)
	whole, err := Run(context.Background(), cl, Options{RestAPIID: awsfake.ExampleAPI, Stage: "prod"})
	require.NoError(t, err)
	p := whole.Plan(FixOptions{Mode: Async})
	assert.Empty(t, p.Steps)
	require.Len(t, p.Notes, 1)
	assert.Equal(t, "the stage prod runs an older definition (see the problems above), and the plan does not deploy it since it changes nothing: name the methods with --method to deploy them, or deploy the API yourself (aws apigateway create-deployment --rest-api-id a1b2c3d4e5 --stage-name prod)", p.Notes[0])
}

// TestPlanDeploysANamedBehindMethod: a method --method names, already as
// asked, on a stage that runs an older definition of it, gets the
// deployment only.
func TestPlanDeploysANamedBehindMethod(t *testing.T) {
	_, cl := example(t)
	r, err := Run(context.Background(), cl, Options{RestAPIID: awsfake.ExampleAPI, Stage: "prod", Methods: []string{"POST /jobs"}})
	require.NoError(t, err)
	p := r.Plan(FixOptions{Mode: Async, Methods: []string{"POST /jobs"}})
	require.Len(t, p.Steps, 1)
	assert.Equal(t, "deploy the API to the stage prod, which runs an older definition (see the problems above)", p.Steps[0].Why)
	assert.Equal(t, []string{"aws", "apigateway", "create-deployment"}, p.Steps[0].Command[:3])
	assert.Empty(t, p.Notes)

	r, err = Run(context.Background(), cl, Options{RestAPIID: awsfake.ExampleAPI, Stage: "prod", Methods: []string{"GET /health"}})
	require.NoError(t, err)
	assert.Empty(t, r.Plan(FixOptions{Mode: Client, Methods: []string{"GET /health"}}).Steps, "a stage that runs the methods as defined is not deployed to")
}

// TestPlanRefusedNotDeployed: a method --method names that is behind on
// the stage but refused is not deployed either: the plan changes nothing.
func TestPlanRefusedNotDeployed(t *testing.T) {
	f := awsfake.New(awsfake.ExampleAccount, awsfake.ExampleRegion)
	a := awsfake.Example(f)
	a.Method("/legacy/{proxy+}", "ANY", `{"methodIntegration": {"type": "AWS_PROXY", "httpMethod": "POST", "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:legacy/invocations", "requestParameters": {"integration.request.header.X-Trace": "'on'"}}}`)
	cl := serve(t, f)
	o := Options{RestAPIID: awsfake.ExampleAPI, Stage: "prod", Methods: []string{"ANY /legacy/{proxy+}"}}
	r, err := Run(context.Background(), cl, o)
	require.NoError(t, err)
	require.Equal(t, Behind, r.Methods[0].Deployed.State)
	p := r.Plan(FixOptions{Mode: Async, Methods: o.Methods})
	assert.Empty(t, p.Steps)
	assert.True(t, p.Refused())
	require.Len(t, p.Notes, 1)
	assert.True(t, strings.HasPrefix(p.Notes[0], "the stage prod runs an older definition (see the problems above), and the plan does not deploy it"), p.Notes[0])
}

// TestPlanUnnamed: without --method, --fix changes only the Lambda methods
// clearly wrong in the direction the mode asks (no mapping at all; 'event'
// in the wrong case with always), repairs those already as asked, and
// leaves every deliberate choice alone, saying why: an asynchronous method
// in client mode (its callers that send no header would run
// synchronously), a client method in always mode or on another header,
// a stage variable, 'RequestResponse' written out, DryRun, the request
// context, a proxy integration. A method named with --method is changed,
// except that a client method keeps its callers' header unless --header
// names another.
func TestPlanUnnamed(t *testing.T) {
	const uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invocations"
	lambda := func(source, declared string) string {
		params := ""
		if source != "" {
			params = `"integration.request.header.X-Amz-Invocation-Type": "` + source + `"`
		}
		method := ""
		if declared != "" {
			method = `"requestParameters": {"` + declared + `": false}, `
		}
		return `{` + method + `"methodResponses": {"200": {"statusCode": "200"}}, "methodIntegration": {"type": "AWS", "httpMethod": "POST", "uri": "` + uri + `",
			"requestParameters": {` + params + `}, "integrationResponses": {"200": {"statusCode": "200"}}}}`
	}
	build := func(f *awsfake.Fake) {
		a := f.AddAPI("t", "t")
		a.Method("/async", "POST", lambda("'Event'", ""))
		a.Method("/client", "POST", lambda("method.request.header.InvocationType", "method.request.header.InvocationType"))
		a.Method("/runs", "POST", lambda("method.request.header.X-Run-Mode", "method.request.header.X-Run-Mode"))
		a.Method("/q", "POST", lambda("method.request.querystring.mode", "method.request.querystring.mode"))
		a.Method("/sync", "POST", lambda("", ""))
		a.Method("/rr", "POST", lambda("'RequestResponse'", ""))
		a.Method("/sv", "POST", lambda("stageVariables.invtype", ""))
		a.Method("/dryrun", "POST", lambda("'DryRun'", ""))
		a.Method("/lower", "POST", lambda("'event'", ""))
		a.Method("/ctx", "POST", lambda("context.authorizer.mode", ""))
		a.Method("/proxy", "ANY", `{"methodIntegration": {"type": "AWS_PROXY", "httpMethod": "POST", "uri": "`+uri+`"}}`)
		a.Method("/mock", "GET", `{"methodIntegration": {"type": "MOCK"}}`)
		f.AddFunction("worker").Allow("", "s", "")
	}
	const (
		stageVariable = "skipped: maps X-Amz-Invocation-Type from the stage variable invtype"
		proxy         = "skipped: is proxy"
	)
	tests := []struct {
		name string
		fix  FixOptions
		want map[string]string // method: its steps' operations, or code: message prefix
	}{
		{"always", FixOptions{Mode: Async}, map[string]string{
			"POST /async":  "unchanged: already async",
			"POST /client": "skipped: is client: its callers choose with the header InvocationType, and those that ask for RequestResponse",
			"POST /runs":   "skipped: is client: its callers choose with the header X-Run-Mode",
			"POST /q":      "skipped: is client: its callers choose with method.request.querystring.mode",
			"POST /sync":   "update-integration",
			"POST /rr":     "skipped: maps X-Amz-Invocation-Type from 'RequestResponse', a deliberate choice",
			"POST /sv":     stageVariable,
			"POST /dryrun": "skipped: maps 'DryRun'",
			"POST /lower":  "update-integration",
			"POST /ctx":    "skipped: is varies (context.authorizer.mode)",
			"ANY /proxy":   proxy,
		}},
		{"client", FixOptions{Mode: Client}, map[string]string{
			"POST /async":  "skipped: is async: every call is asynchronous, and in client mode",
			"POST /client": "unchanged: already client (header InvocationType)",
			"POST /runs":   "unchanged: already client (header X-Run-Mode)",
			"POST /q":      "unchanged: already client (method.request.querystring.mode)",
			"POST /sync":   "update-method update-integration",
			"POST /rr":     "skipped: maps X-Amz-Invocation-Type from 'RequestResponse'",
			"POST /sv":     stageVariable,
			"POST /dryrun": "skipped: maps 'DryRun'",
			"POST /lower":  "skipped: maps 'event', which Lambda refuses",
			"POST /ctx":    "skipped: is varies",
			"ANY /proxy":   proxy,
		}},
		{"client, another header", FixOptions{Mode: Client, Header: "X-Run-Mode"}, map[string]string{
			"POST /async":  "skipped: is async",
			"POST /client": "skipped: its callers choose with the header InvocationType, and --header X-Run-Mode would move them off it",
			"POST /runs":   "unchanged: already client (header X-Run-Mode)",
			"POST /q":      "skipped: its callers choose with method.request.querystring.mode, and --header X-Run-Mode",
			"POST /sync":   "update-method update-integration",
			"POST /rr":     "skipped: maps X-Amz-Invocation-Type from 'RequestResponse'",
			"POST /sv":     stageVariable,
			"POST /dryrun": "skipped: maps 'DryRun'",
			"POST /lower":  "skipped: maps 'event'",
			"POST /ctx":    "skipped: is varies",
			"ANY /proxy":   proxy,
		}},
		{"named: changed as asked", FixOptions{Mode: Async, Methods: []string{"POST /client", "POST /sv", "POST /dryrun", "POST /rr"}}, map[string]string{
			"POST /client": "update-integration", "POST /sv": "update-integration", "POST /dryrun": "update-integration", "POST /rr": "update-integration",
		}},
		{"named, client: a client method keeps its callers' header", FixOptions{Mode: Client, Methods: []string{"POST /runs", "POST /q", "POST /async"}}, map[string]string{
			"POST /runs": "unchanged: already client (header X-Run-Mode)", "POST /q": "unchanged: already client", "POST /async": "update-method update-integration",
		}},
		{"named, client with --header: moved to it", FixOptions{Mode: Client, Header: "InvocationType", Methods: []string{"POST /runs"}}, map[string]string{
			"POST /runs": "update-method update-integration",
		}},
	}
	f := awsfake.New("123456789012", "us-east-1")
	build(f)
	cl := serve(t, f)
	r, err := Run(context.Background(), cl, Options{RestAPIID: "t"})
	require.NoError(t, err)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := r.Plan(tc.fix)
			got := map[string]string{}
			for _, s := range p.Steps {
				got[s.Method] = strings.TrimSpace(got[s.Method] + " " + s.Command[2])
			}
			for _, s := range p.Skipped {
				got[s.Method] = s.Code + ": " + s.Message
			}
			require.Len(t, got, len(tc.want), "%v", got)
			for m, w := range tc.want {
				assert.True(t, strings.HasPrefix(got[m], w), "%s: want %q, got %q", m, w, got[m])
			}
		})
	}
}

// TestPlanWarnsCallers: a conversion that changes what callers get says
// so in the plan.
func TestPlanWarnsCallers(t *testing.T) {
	_, cl := example(t)
	r, err := Run(context.Background(), cl, Options{RestAPIID: awsfake.ExampleAPI})
	require.NoError(t, err)
	p := r.Plan(FixOptions{Mode: Async})
	require.Len(t, p.Warnings, 1)
	assert.Equal(t, Finding{Method: "GET /jobs/{id}", Code: "callers", Message: "its callers get the function's result now; made asynchronous, every call answers at once with the default integration response, without it"}, p.Warnings[0])
	p = r.Plan(FixOptions{Mode: Client, Methods: []string{"POST /jobs"}})
	require.Len(t, p.Warnings, 1)
	assert.Contains(t, p.Warnings[0].Message, "callers must send InvocationType: Event to stay asynchronous")
	assert.Empty(t, r.Plan(FixOptions{Mode: Client}).Warnings, "sync to client: callers that send no header run as before")
}

// TestPlanPermissionByStage: without --stage, a permission is planned only
// for what no statement allows: from each stage left out when the policy
// grants stage by stage (as CDK writes it), and nothing when every stage
// the API has is covered.
func TestPlanPermissionByStage(t *testing.T) {
	const source = "arn:aws:execute-api:us-east-1:123456789012:t/"
	tests := []struct {
		name   string
		allow  []string // source ARNs after the API ID
		stages []string
		want   []string // the --source-arn of each add-permission
	}{
		{"every stage covered, stage by stage", []string{"prod/POST/jobs", "beta/POST/jobs", "test-invoke-stage/POST/jobs"}, []string{"prod", "beta"}, nil},
		{"one stage left out", []string{"prod/POST/jobs"}, []string{"prod", "beta", "dev"}, []string{source + "beta/POST/jobs", source + "dev/POST/jobs"}},
		{"no stage covered: every stage, one statement", []string{"prod/GET/other"}, []string{"prod", "beta"}, []string{source + "*/POST/jobs"}},
		{"no stage yet", nil, nil, []string{source + "*/POST/jobs"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := awsfake.New("123456789012", "us-east-1")
			a := f.AddAPI("t", "t")
			a.Method("/jobs", "POST", `{"methodResponses": {"200": {"statusCode": "200"}}, "methodIntegration": {"type": "AWS", "httpMethod": "POST", "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invocations", "requestParameters": {"integration.request.header.X-Amz-Invocation-Type": "'Event'"}, "integrationResponses": {"200": {"statusCode": "200"}}}}`)
			fn := f.AddFunction("worker")
			for i, s := range tc.allow {
				fn.Allow("", fmt.Sprint("s", i), source+s)
			}
			for _, s := range tc.stages {
				a.Deploy(s, nil)
			}
			cl := serve(t, f)
			r, err := Run(context.Background(), cl, Options{RestAPIID: "t"})
			require.NoError(t, err)
			p := r.Plan(FixOptions{Mode: Async})
			var got []string
			for _, s := range p.Steps {
				if in, ok := s.input.(*lambda.AddPermissionInput); ok {
					got = append(got, *in.SourceArn)
				}
			}
			assert.Equal(t, tc.want, got)
			if len(tc.want) == 0 {
				return
			}
			require.NoError(t, p.Apply(context.Background(), cl, &strings.Builder{}))
			after, err := Run(context.Background(), cl, Options{RestAPIID: "t"})
			require.NoError(t, err)
			assert.Equal(t, Permitted, after.Methods[0].Permission.State, "%+v", after.Methods[0].Permission)
		})
	}
}

// TestPlanPolicyLimit: permissions that would take a function's policy
// over Lambda's 20 KB are said before add-permission fails partway, with
// the one grant for the API to make instead.
func TestPlanPolicyLimit(t *testing.T) {
	f := awsfake.New("123456789012", "us-east-1")
	a := f.AddAPI("t", "t")
	fn := f.AddFunction("worker")
	for i := range 40 {
		a.Method(fmt.Sprintf("/items%02d", i), "POST", `{"methodResponses": {"200": {"statusCode": "200"}}, "methodIntegration": {"type": "AWS", "httpMethod": "POST", "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invocations", "requestParameters": {"integration.request.header.X-Amz-Invocation-Type": "'Event'"}, "integrationResponses": {"200": {"statusCode": "200"}}}}`)
		fn.Allow("", fmt.Sprintf("other-api-%02d", i), fmt.Sprintf("arn:aws:execute-api:us-east-1:123456789012:otherapi/*/POST/items%02d", i))
	}
	cl := serve(t, f)
	r, err := Run(context.Background(), cl, Options{RestAPIID: "t"})
	require.NoError(t, err)
	p := r.Plan(FixOptions{Mode: Async})
	require.Len(t, p.Steps, 40)
	require.Len(t, p.Notes, 2)
	assert.Regexp(t, `^the policy of arn:aws:lambda:us-east-1:123456789012:function:worker holds \d+ bytes, and the plan's 40 permissions add about \d+: Lambda refuses a function policy over 20 KB, so add-permission would fail partway; grant this API once instead \(aws lambda add-permission --function-name arn:aws:lambda:us-east-1:123456789012:function:worker --statement-id asyncinvoke-t --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn 'arn:aws:execute-api:us-east-1:123456789012:t/\*/\*/\*'\), then run --fix again$`, p.Notes[0])

	p = r.Plan(FixOptions{Mode: Async, Methods: []string{"POST /items00"}})
	assert.Len(t, p.Notes, 1, "one more statement fits: %v", p.Notes)
}

// TestConvertProxyCallers: --event proxy says, for each method it
// converts, what its callers lose (grouped when many methods lose the
// same), and refuses client mode, which would break every caller of it
// today.
func TestConvertProxyCallers(t *testing.T) {
	const uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invocations"
	f := awsfake.New("123456789012", "us-east-1")
	a := f.AddAPI("t", "t")
	a.BinaryMediaTypes = []string{"image/png"}
	a.Method("/files/{proxy+}", "ANY", `{"authorizationType": "NONE", "methodIntegration": {"type": "AWS_PROXY", "httpMethod": "POST", "uri": "`+uri+`"}}`)
	a.Method("/admin/{proxy+}", "ANY", `{"authorizationType": "COGNITO_USER_POOLS", "authorizerId": "pool", "methodIntegration": {"type": "AWS_PROXY", "httpMethod": "POST", "uri": "`+uri+`"}}`)
	a.Method("/custom", "POST", `{"authorizationType": "CUSTOM", "authorizerId": "fn", "methodIntegration": {"type": "AWS_PROXY", "httpMethod": "POST", "uri": "`+uri+`"}}`)
	f.AddFunction("worker").Allow("", "s", "")
	cl := serve(t, f)
	methods := []string{"ANY /files/{proxy+}", "ANY /admin/{proxy+}", "POST /custom"}
	r, err := Run(context.Background(), cl, Options{RestAPIID: "t"})
	require.NoError(t, err)

	p := r.Plan(FixOptions{Mode: Client, Event: "proxy", Methods: methods})
	assert.Empty(t, p.Steps)
	require.Len(t, p.Skipped, 3)
	assert.True(t, p.Refused())
	assert.True(t, strings.HasPrefix(p.Skipped[0].Message, "--event proxy with --mode client would break every caller of it today"), p.Skipped[0].Message)

	p = r.Plan(FixOptions{Mode: Async, Event: "proxy", Methods: methods})
	assert.Empty(t, p.Skipped)
	var b strings.Builder
	require.NoError(t, p.WriteText(&b))
	text := b.String()
	warnings := text[strings.Index(text, "# Warning"):]
	assert.Equal(t, `# Warning: ANY /admin/{proxy+}, POST /custom, ANY /files/{proxy+}: its callers get the function's own status code, headers and body now; made asynchronous, every call answers at once with the default integration response (200, no body)

# Warning: ANY /admin/{proxy+}, POST /custom, ANY /files/{proxy+}: only a request whose Content-Type is application/json, application/x-www-form-urlencoded, image/png, text/plain (or none, read as application/json) reaches the function; any other is answered 415 (passthrough behavior NEVER)

# Warning: ANY /admin/{proxy+}, POST /custom, ANY /files/{proxy+}: a header or query string parameter given more than once reaches the function with one value, in multiValueHeaders and multiValueQueryStringParameters too

# Warning: ANY /admin/{proxy+}: its Cognito user pool authorizer's claims reach the function as sub, email, username and scope only: cognito:groups, cognito:username and custom claims are no longer in requestContext.authorizer.claims

# Warning: POST /custom: its Lambda authorizer's context values reach the function as strings
`, warnings[:strings.Index(warnings, "\n# Note")])
}

// TestPlanStackDrift: a fix to an API a CloudFormation stack made says that
// it is drift, which the stack's next update may undo.
func TestPlanStackDrift(t *testing.T) {
	f := awsfake.New(awsfake.ExampleAccount, awsfake.ExampleRegion)
	awsfake.Example(f).Tags = map[string]string{"aws:cloudformation:stack-name": "jobs-prod", "team": "x"}
	cl := serve(t, f)
	r, err := Run(context.Background(), cl, Options{RestAPIID: awsfake.ExampleAPI})
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, r.WriteText(&b))
	assert.True(t, strings.HasPrefix(b.String(), "REST API jobs (a1b2c3d4e5) in us-east-1, account 123456789012, made by the CloudFormation stack jobs-prod\n"), b.String())
	p := r.Plan(FixOptions{Mode: Client})
	require.NotEmpty(t, p.Steps)
	assert.Contains(t, p.Notes, "the CloudFormation stack jobs-prod made this API (its tag aws:cloudformation:stack-name): these changes are drift, which the stack's next update may undo where its template says otherwise; make them in the template too (AsyncInvoke on the method, with the macro)")
}

// TestPreflight: a client method whose preflight (the console's Enable
// CORS: a mock whose response maps Access-Control-Allow-Headers from a
// literal) does not allow its header is a warning, since a browser that
// sends the header is stopped; a plan that makes a method client says the
// same. A preflight that allows the header, in any case, or *, is fine.
func TestPreflight(t *testing.T) {
	const uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invocations"
	preflight := func(headers string) string {
		return `{"methodResponses": {"200": {"statusCode": "200", "responseParameters": {"method.response.header.Access-Control-Allow-Headers": false}}},
			"methodIntegration": {"type": "MOCK", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}, "integrationResponses": {"200": {"statusCode": "200",
			"responseParameters": {"method.response.header.Access-Control-Allow-Headers": "'` + headers + `'", "method.response.header.Access-Control-Allow-Origin": "'*'"}}}}}`
	}
	lambda := func(params string) string {
		return `{"requestParameters": {"method.request.header.InvocationType": false}, "methodResponses": {"200": {"statusCode": "200"}}, "methodIntegration": {"type": "AWS", "httpMethod": "POST", "uri": "` + uri + `", "requestParameters": {` + params + `}, "integrationResponses": {"200": {"statusCode": "200"}}}}`
	}
	const client = `"integration.request.header.X-Amz-Invocation-Type": "method.request.header.InvocationType"`
	const console = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"
	f := awsfake.New("123456789012", "us-east-1")
	a := f.AddAPI("t", "t")
	a.Method("/blocked", "OPTIONS", preflight(console))
	a.Method("/blocked", "PUT", lambda(client))
	a.Method("/blocked", "POST", lambda(``))
	a.Method("/allowed", "OPTIONS", preflight("Content-Type, invocationtype"))
	a.Method("/allowed", "PUT", lambda(client))
	a.Method("/any", "OPTIONS", preflight("*"))
	a.Method("/any", "PUT", lambda(client))
	a.Method("/none", "PUT", lambda(client))
	fn := f.AddFunction("worker")
	fn.Allow("", "s", "")
	fn.OnFailure("", "arn:aws:sqs:us-east-1:123456789012:failures", 1)
	cl := serve(t, f)
	r, err := Run(context.Background(), cl, Options{RestAPIID: "t", Methods: []string{"PUT /blocked", "POST /blocked", "PUT /allowed", "PUT /any", "PUT /none"}})
	require.NoError(t, err)
	assert.Equal(t, []Finding{{Method: "PUT /blocked", Code: CodeCORS, Message: "lets the caller choose with the header InvocationType, but its preflight (OPTIONS /blocked) allows the headers " + console + " only: a browser that sends InvocationType is stopped by the preflight and its request never made; add InvocationType to the preflight's Access-Control-Allow-Headers"}}, r.Warnings)
	p := r.Plan(FixOptions{Mode: Client})
	assert.Equal(t, []Finding{{Method: "POST /blocked", Code: "callers", Message: "its preflight (OPTIONS /blocked) allows the headers " + console + " only: a browser that sends InvocationType is stopped by the preflight; add InvocationType to its Access-Control-Allow-Headers"}}, p.Warnings)
}
