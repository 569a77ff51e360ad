package local

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAccepted: a method with Accepted answers an asynchronous call 202
// with {"requestId": ...} and X-Request-Id, both the request ID of the
// Invoke call ($context.awsEndpointRequestId in the body, Lambda's
// x-amzn-RequestId in the header), which is the one the function runs
// under; API Gateway's own request ID (x-amzn-RequestId) is
// another. In client mode a synchronous call gets the function's result,
// and the ID of that invocation in X-Request-Id.
func TestAccepted(t *testing.T) {
	s, fake, log := testdataServer(t, "accepted.yaml")

	ranUnder := func(t *testing.T, id string) {
		t.Helper()
		require.Eventually(t, func() bool {
			fake.mu.Lock()
			defer fake.mu.Unlock()
			for _, r := range fake.requestIDs {
				if r == id {
					return true
				}
			}
			return false
		}, 5*time.Second, time.Millisecond, "the function runs under %s", id)
	}
	tests := []struct {
		name, method, target string
		header               []string
		status               int
		accepted             bool // {"requestId": ...}; else the function's result
		runs                 bool // the function runs under the ID answered
	}{
		{"always, Event: proxy", "POST", "/runs", nil, 202, true, true},
		{"client, Event", "PUT", "/runs/7", []string{"x-mode", "Event"}, 202, true, true},
		{"client, RequestResponse", "PUT", "/runs/7", []string{"X-Mode", "RequestResponse"}, 200, false, true},
		{"client, no header: RequestResponse", "PUT", "/runs/7", nil, 200, false, true},
		// Lambda answers DryRun 204 with the request ID of that call, and
		// runs nothing; the macro's template answers 204 and no body, not
		// an ID no invocation has.
		{"client, DryRun", "PUT", "/runs/7", []string{"X-Mode", "DryRun"}, 204, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls := fake.calls.Load()
			w := call(s, tc.method, tc.target, `{"job":"j-1"}`, tc.header...)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			id := w.Header().Get("X-Request-Id")
			require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, id)
			assert.NotEqual(t, w.Header().Get("X-Amzn-RequestId"), id, "Lambda's request ID, not API Gateway's")
			switch {
			case tc.accepted:
				assert.JSONEq(t, `{"requestId":"`+id+`"}`, w.Body.String())
			case tc.status == 204:
				assert.Empty(t, w.Body.String())
			default:
				assert.JSONEq(t, `{"job":"j-1"}`, w.Body.String(), "the function's result (the fake echoes its event)")
			}
			if !tc.runs {
				assert.Equal(t, calls, fake.calls.Load(), "the function does not run")
				assert.Contains(t, log.String(), "PUT /runs/{id}: DryRun: Lambda validates the call and does not run Fn: no invocation has the request ID "+id)
				return
			}
			ranUnder(t, id)
		})
	}
	s.Drain(5 * time.Second)
	fake.mu.Lock()
	defer fake.mu.Unlock()
	var ev struct {
		HTTPMethod, Path, Body string
	}
	require.NoError(t, json.Unmarshal([]byte(fake.payloads[0]), &ev))
	assert.Equal(t, struct{ HTTPMethod, Path, Body string }{"POST", "/runs", `{"job":"j-1"}`}, ev, "Event: proxy gives the function the proxy event")
}
