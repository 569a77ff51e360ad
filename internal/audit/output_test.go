package audit

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInvocationText: the table's INVOCATION cell stays short: a service's
// name, not its URI; and it says when a stage variable is not set.
func TestInvocationText(t *testing.T) {
	tests := []struct {
		inv  Invocation
		want string
	}{
		{Invocation{Class: Async, Source: "'Event'"}, "async"},
		{Invocation{Class: Async, InvokeAsync: true, Note: "..."}, "async (InvokeAsync)"},
		{Invocation{Class: OtherService, Source: "lambda", Note: "Lambda, but not its Invoke API: path/2021-11-15/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/response-streaming-invocations"}, "other service (lambda)"},
		{Invocation{Class: OtherService, Source: "sqs"}, "other service (sqs)"},
		{Invocation{Class: Sync, Source: "stageVariables.mode", unset: true}, "sync (stage variable mode, not set)"},
		{Invocation{Class: Async, Source: "stageVariables.mode"}, "async (stage variable mode)"},
		{Invocation{Class: Client, Header: "X-Run-Mode", Source: "method.request.header.X-Run-Mode"}, "client (header X-Run-Mode)"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, InvocationText(tc.inv))
	}
}

// TestReportGroups: a warning repeated for many methods (one function
// behind them all) is one line that names five and counts the rest.
func TestReportGroups(t *testing.T) {
	f := awsfake.New("123456789012", "us-east-1")
	a := f.AddAPI("t", "t")
	for i := range 8 {
		a.Method(fmt.Sprintf("/items%d", i), "POST", `{"methodResponses": {"200": {"statusCode": "200"}}, "methodIntegration": {"type": "AWS", "httpMethod": "POST", "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:worker/invocations", "requestParameters": {"integration.request.header.X-Amz-Invocation-Type": "'Event'"}, "integrationResponses": {"200": {"statusCode": "200"}}}}`)
	}
	f.AddFunction("worker").Allow("", "s", "")
	cl := serve(t, f)
	r, err := Run(context.Background(), cl, Options{RestAPIID: "t"})
	require.NoError(t, err)
	require.Len(t, r.Warnings, 8, "JSON keeps one finding per method")
	var b strings.Builder
	require.NoError(t, r.WriteText(&b))
	assert.Contains(t, b.String(), "\n8 warnings:\n  POST /items0, POST /items1, POST /items2, POST /items3, POST /items4 and 3 more: invokes worker asynchronously, and a failed call goes nowhere")
	assert.Equal(t, 1, strings.Count(b.String(), "goes nowhere"))
}
