package cfn

import "strings"

// Lambda's facts that templates meet: the settings of a function's
// asynchronous invocation and their limits, the limits of an invocation's
// payload, API Gateway's URI for Lambda's Invoke API, and how IAM matches
// an action.

// AsyncSetting is a number that configures a function's asynchronous
// invocation (a property of AWS::Lambda::EventInvokeConfig, and of a SAM
// function's EventInvokeConfig), with the range Lambda takes and its
// default (the Lambda API reference, PutFunctionEventInvokeConfig).
type AsyncSetting struct {
	Property          string
	Min, Max, Default int64
}

// The settings of asynchronous invocation.
var (
	// MaximumRetryAttempts is how many times Lambda retries a failed call.
	MaximumRetryAttempts = AsyncSetting{Property: "MaximumRetryAttempts", Min: 0, Max: 2, Default: 2}
	// MaximumEventAgeInSeconds is how long Lambda keeps an event, in
	// seconds: 6 hours by default.
	MaximumEventAgeInSeconds = AsyncSetting{Property: "MaximumEventAgeInSeconds", Min: 60, Max: 21600, Default: 21600}
)

// AsyncSettings lists the settings of asynchronous invocation.
var AsyncSettings = []AsyncSetting{MaximumRetryAttempts, MaximumEventAgeInSeconds}

// Allows reports whether n is in the range Lambda takes for s.
func (s AsyncSetting) Allows(n int64) bool { return s.Min <= n && n <= s.Max }

// Lambda's limits on an invocation's payload (the Invoke API reference):
// 1 MB asynchronous (256 KB until 2025), 6 MB synchronous. Lambda refuses a
// larger one with 413 RequestTooLargeException.
const (
	MaxAsyncPayload = 1 << 20 // 1,048,576 bytes
	MaxSyncPayload  = 6 << 20 // 6,291,456 bytes
)

// invocationPath is what stands between the region and the function in
// API Gateway's URI for Lambda's Invoke API.
const invocationPath = ":lambda:path/2015-03-31/functions/"

// InvocationURI is API Gateway's URI for Lambda's Invoke API of function
// (its ARN) in partition and region, each literal or Fn::Sub text:
// arn:PARTITION:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION/invocations.
// SplitInvocationURI reads it.
func InvocationURI(partition, region, function string) string {
	return "arn:" + partition + ":apigateway:" + region + invocationPath + function + "/invocations"
}

// ActionMatches reports whether an action in a policy (an Action element's
// entry) matches action, as IAM compares them: without regard to case, *
// matching any text and ? one character (sqs:*, lambda:Invoke*, *).
func ActionMatches(pattern, action string) bool {
	return glob(strings.ToLower(pattern), strings.ToLower(action))
}
