package awsfake

import "strings"

// The example's account, region and API, as the README shows them.
const (
	ExampleAccount = "123456789012"
	ExampleRegion  = "us-east-1"
	ExampleAPI     = "a1b2c3d4e5"
)

// lambdaURI is the invocation URI the console writes for a function.
func lambdaURI(function string) string {
	return "arn:aws:apigateway:" + ExampleRegion + ":lambda:path/2015-03-31/functions/arn:aws:lambda:" + ExampleRegion + ":" + ExampleAccount + ":function:" + function + "/invocations"
}

// Example builds the API the README's audit shows, made as the console
// makes one, then changed since its last deployment to the stage prod:
//
//   - POST /jobs: asynchronous as the console sets it up (X-Amz-Invocation-Type
//     mapped from 'Event'), permitted, but its function has no on-failure
//     destination; the mapping was added after the deployment.
//   - PUT /jobs/{id}: the client chooses with the InvocationType header; it
//     invokes the alias live, which has no permission (one for the function
//     does not count).
//   - GET /jobs/{id}: a synchronous Lambda integration, the console's default.
//   - GET /health: a MOCK integration.
//   - ANY /legacy/{proxy+}: a Lambda proxy integration.
func Example(f *Fake) *API {
	a := f.AddAPI(ExampleAPI, "jobs")
	const responses = `"methodResponses": {"200": {"statusCode": "200", "responseModels": {"application/json": "Empty"}}}`
	const integrationResponses = `"integrationResponses": {"200": {"statusCode": "200", "responseTemplates": {}}}`
	console := func(uri, requestParameters string) string {
		return `{"authorizationType": "NONE", "apiKeyRequired": false, ` + responses + `,
			"methodIntegration": {"type": "AWS", "httpMethod": "POST", "uri": "` + uri + `",
				"requestParameters": {` + requestParameters + `}, "passthroughBehavior": "WHEN_NO_MATCH",
				"contentHandling": "CONVERT_TO_TEXT", "timeoutInMillis": 29000, "cacheNamespace": "ns", "cacheKeyParameters": [], ` + integrationResponses + `}}`
	}
	a.Method("/jobs", "POST", console(lambdaURI("worker"), ``))
	a.Method("/jobs/{id}", "PUT", strings.Replace(console(lambdaURI("worker:live"), `"integration.request.header.X-Amz-Invocation-Type": "method.request.header.InvocationType"`),
		`"apiKeyRequired": false,`, `"apiKeyRequired": false, "requestParameters": {"method.request.header.InvocationType": false, "method.request.path.id": true},`, 1))
	a.Method("/jobs/{id}", "GET", strings.Replace(console(lambdaURI("reader"), ``),
		`"apiKeyRequired": false,`, `"apiKeyRequired": false, "requestParameters": {"method.request.path.id": true},`, 1))
	a.Method("/health", "GET", `{"authorizationType": "NONE", `+responses+`,
		"methodIntegration": {"type": "MOCK", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}, "passthroughBehavior": "WHEN_NO_MATCH", `+integrationResponses+`}}`)
	a.Method("/legacy/{proxy+}", "ANY", `{"authorizationType": "NONE", "requestParameters": {"method.request.path.proxy": true}, "methodResponses": {},
		"methodIntegration": {"type": "AWS_PROXY", "httpMethod": "POST", "uri": "`+lambdaURI("legacy")+`", "passthroughBehavior": "WHEN_NO_MATCH", "timeoutInMillis": 29000, "cacheNamespace": "ns2", "cacheKeyParameters": []}}`)
	a.Deploy("prod", map[string]string{})
	// Since the deployment: POST /jobs made asynchronous.
	a.Method("/jobs", "POST", console(lambdaURI("worker"), `"integration.request.header.X-Amz-Invocation-Type": "'Event'"`))

	source := "arn:aws:execute-api:" + ExampleRegion + ":" + ExampleAccount + ":" + ExampleAPI
	worker := f.AddFunction("worker", "live")
	worker.Allow("", "console-post-jobs", source+"/*/POST/jobs")
	worker.Allow("", "console-put-jobs", source+"/*/PUT/jobs/*")
	reader := f.AddFunction("reader")
	reader.Allow("", "console-get-jobs", source+"/*/GET/jobs/*")
	legacy := f.AddFunction("legacy")
	legacy.Allow("", "console-legacy", source+"/*/*/legacy/*")
	return a
}
