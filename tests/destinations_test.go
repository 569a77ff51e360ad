package tests

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
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
	bin := asyncinvoke(t)
	port := freePort(t)
	dir := filepath.Join(t.TempDir(), "destinations")
	logs := &syncBuffer{}
	cmd := exec.Command(bin, "local", "start-api", "-t", "../examples/jobs.yaml", "--port", strconv.Itoa(port), "--destinations-dir", dir)
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	defer func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	}()
	waitFor(t, logs, "Running on", 3*time.Minute)
	assert.Contains(t, logs.String(), "WorkerFunction:live: asynchronous invocations: 1 retry, events kept 6h, on failure to JobFailures (Resources.WorkerFunction.Properties.EventInvokeConfig)")

	call := func(method, path, body string, header ...string) {
		t.Helper()
		req, err := http.NewRequest(method, "http://127.0.0.1:"+strconv.Itoa(port)+path, strings.NewReader(body))
		require.NoError(t, err)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode, "%s %s: %s", method, path, b)
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
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	select {
	case err := <-exited:
		assert.NoError(t, err, "exit status")
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop within 30s of Ctrl-C")
	}

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
