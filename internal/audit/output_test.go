package audit

import (
	"testing"

	"github.com/stretchr/testify/assert"
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
