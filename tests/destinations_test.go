package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStartAPIDestinations runs `asyncinvoke local start-api` on the
// example, whose POST /jobs invokes the worker's alias with
// MaximumRetryAttempts: 1 and OnFailure: !GetAtt JobFailures.Arn, with
// --destinations-dir, and asks the worker to fail: the call is attempted
// twice, then one record lands in the JobFailures folder; so does one of
// PUT /jobs/{id}, which the client makes asynchronous and which invokes the
// same alias. (A function without a destination drops a failed event after
// three attempts: internal/local's tests.)
func TestStartAPIDestinations(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "destinations")
	srv := startServer(t, "", nil, 3*time.Minute, "-t", "../examples/jobs.yaml", "--destinations-dir", dir)
	logs := srv.logs
	assert.Contains(t, logs.String(), "WorkerFunction:live: asynchronous invocations: 1 retry, events kept 6h, on failure to JobFailures (Resources.WorkerFunction.Properties.EventInvokeConfig)")

	call := func(method, path, body string, header ...string) {
		t.Helper()
		status, b, _ := srv.call(t, method, path, body, header...)
		assert.Equal(t, 200, status, "%s %s: %s", method, path, b)
		assert.Empty(t, b, "an asynchronous call answers at once, with no body")
	}
	const doomed = `{"fail":"no such job","job":"doomed-1"}`
	call("POST", "/jobs", doomed)
	call("PUT", "/jobs/9", `{"fail":"lost job","job":"lost-1"}`, "InvocationType", "Event")
	call("POST", "/reports", `{"job":"fine-1"}`) // succeeds; no OnSuccess, so no record

	line := waitFor(t, logs, `async \S+ WorkerFunction \(POST /jobs\): on-failure record to JobFailures \(.*`, time.Minute)
	waitFor(t, logs, `async \S+ WorkerFunction \(PUT /jobs/\{id\}\): on-failure record to JobFailures \(.*`, time.Minute)
	waitFor(t, logs, `async \S+ WorkerFunction \(POST /reports\): succeeded`, time.Minute)
	out := logs.String()
	assert.Regexp(t, `async \S+ WorkerFunction \(POST /jobs\): attempt 1 failed, retrying in 1s: function error: \{"errorMessage":"no such job","errorType":"Failure"\}`, out)
	assert.Regexp(t, `async \S+ WorkerFunction \(POST /jobs\): failed after 2 attempts`, out)
	assert.Equal(t, 2, strings.Count(out, "as asked: lost job"), "the alias: one retry")

	// Stop the server: nothing more may arrive.
	srv.interrupt(t, 30*time.Second)

	var files []string
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	}))
	require.Len(t, files, 2, "exactly one record for each failed call: %v", files)
	doomedFile := ""
	for _, f := range files {
		assert.Equal(t, filepath.Join(dir, "JobFailures"), filepath.Dir(f))
		assert.Regexp(t, `^\d{8}T\d{6}\.\d{6}Z-00000[12]-RetriesExhausted\.json$`, filepath.Base(f))
		if b, _ := os.ReadFile(f); strings.Contains(string(b), "doomed-1") {
			doomedFile = f
		}
	}
	require.NotEmpty(t, doomedFile, "the record of POST /jobs")
	b, err := os.ReadFile(doomedFile)
	require.NoError(t, err)
	var record struct {
		Version        string `json:"version"`
		Timestamp      string `json:"timestamp"`
		RequestContext struct {
			RequestID              string `json:"requestId"`
			FunctionArn            string `json:"functionArn"`
			Condition              string `json:"condition"`
			ApproximateInvokeCount int    `json:"approximateInvokeCount"`
		} `json:"requestContext"`
		RequestPayload  json.RawMessage `json:"requestPayload"`
		ResponseContext struct {
			StatusCode      int    `json:"statusCode"`
			ExecutedVersion string `json:"executedVersion"`
			FunctionError   string `json:"functionError"`
		} `json:"responseContext"`
		ResponsePayload json.RawMessage `json:"responsePayload"`
	}
	require.NoError(t, json.Unmarshal(b, &record), string(b))
	assert.Equal(t, "1.0", record.Version)
	assert.NotEmpty(t, record.Timestamp)
	assert.Equal(t, "RetriesExhausted", record.RequestContext.Condition)
	assert.Equal(t, 2, record.RequestContext.ApproximateInvokeCount)
	assert.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:WorkerFunction:live", record.RequestContext.FunctionArn)
	assert.JSONEq(t, doomed, string(record.RequestPayload))
	assert.Equal(t, 200, record.ResponseContext.StatusCode)
	assert.Equal(t, "Unhandled", record.ResponseContext.FunctionError)
	assert.JSONEq(t, `{"errorMessage":"no such job","errorType":"Failure"}`, string(record.ResponsePayload))

	// The worker ran twice under the record's request ID, as Lambda keeps
	// it across retries; the log line is the record.
	id := regexp.QuoteMeta(record.RequestContext.RequestID)
	assert.Len(t, regexp.MustCompile(`worker: failing requestId=`+id+` as asked: no such job`).FindAllString(out, -1), 2)
	assert.JSONEq(t, string(b), line[strings.Index(line, ": {")+2:])
}
