package tests

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStartAPI runs `asyncinvoke local start-api` on the example template,
// whose worker takes the time a request asks for, and calls it as a client.
func TestStartAPI(t *testing.T) {
	srv := startServer(t, "", nil, 3*time.Minute, "-t", "../examples/jobs.yaml")
	logs := srv.logs
	call := func(method, path, body string, header ...string) (int, string, time.Duration) {
		return srv.call(t, method, path, body, header...)
	}

	t.Run("always answers at once, the worker finishes afterwards", func(t *testing.T) {
		status, body, took := call("POST", "/jobs", `{"sleepMs":1000,"job":"always-1"}`)
		answered := time.Now()
		assert.Equal(t, 200, status)
		assert.Empty(t, body)
		assert.Less(t, took, time.Second, "the answer comes before the worker's second of sleep ends")
		line := waitFor(t, logs, `async \S+ WorkerFunction \(POST /jobs\): succeeded in \S+`, 20*time.Second)
		ran, err := time.ParseDuration(line[strings.LastIndex(line, " ")+1:])
		require.NoError(t, err)
		assert.GreaterOrEqual(t, ran, time.Second, "the worker ran its full second after the answer")
		assert.GreaterOrEqual(t, time.Since(answered), 800*time.Millisecond)
	})

	t.Run("client RequestResponse answers with the worker's result", func(t *testing.T) {
		status, body, took := call("PUT", "/jobs/42", `{"sleepMs":300,"job":"sync-1"}`, "InvocationType", "RequestResponse")
		assert.Equal(t, 200, status)
		assert.Contains(t, body, `"received":{"sleepMs":300,"job":"sync-1"}`)
		assert.Contains(t, body, `"sleptMs":300`)
		assert.GreaterOrEqual(t, took, 300*time.Millisecond)
	})

	t.Run("client Event answers at once", func(t *testing.T) {
		status, body, took := call("PUT", "/jobs/42", `{"sleepMs":1000,"job":"event-1"}`, "InvocationType", "Event")
		assert.Equal(t, 200, status)
		assert.Empty(t, body)
		assert.Less(t, took, time.Second, "the answer comes before the worker's second of sleep ends")
		waitFor(t, logs, `async \S+ WorkerFunction \(PUT /jobs/\{id\}\): succeeded`, 20*time.Second)
	})

	t.Run("a synchronous call does not wait behind asynchronous ones", func(t *testing.T) {
		started := regexp.MustCompile(`worker: started`)
		finished := regexp.MustCompile(`async \S+ WorkerFunction \(POST /jobs\): succeeded`)
		before := len(started.FindAllString(logs.String(), -1))
		done := len(finished.FindAllString(logs.String(), -1))
		for i := range 4 { // as many as the asynchronous workers
			status, _, _ := call("POST", "/jobs", `{"sleepMs":3000,"job":"busy-`+strconv.Itoa(i)+`"}`)
			require.Equal(t, 200, status)
		}
		require.Eventually(t, func() bool { return len(started.FindAllString(logs.String(), -1)) >= before+4 },
			30*time.Second, 20*time.Millisecond, "the four asynchronous invocations start")
		status, body, _ := call("PUT", "/jobs/5", `{"job":"sync-2"}`, "InvocationType", "RequestResponse")
		assert.Equal(t, 200, status)
		assert.Contains(t, body, `"received":{"job":"sync-2"}`)
		assert.Equal(t, done, len(finished.FindAllString(logs.String(), -1)), "the synchronous call was answered while the asynchronous ones still ran")
		require.Eventually(t, func() bool { return len(finished.FindAllString(logs.String(), -1)) >= done+4 },
			30*time.Second, 50*time.Millisecond, "the asynchronous invocations finish")
	})

	t.Run("no header: synchronous, as Lambda's default", func(t *testing.T) {
		status, body, _ := call("PUT", "/jobs/7", `{}`)
		assert.Equal(t, 200, status)
		assert.Contains(t, body, `"sleptMs":0`)
	})

	t.Run("OpenAPI routes, one through the alias", func(t *testing.T) {
		// POST /reports invokes ${WorkerFunction.Arn}:live: the alias runs the function.
		status, body, took := call("POST", "/reports", `{"sleepMs":1000}`)
		assert.Equal(t, 200, status)
		assert.Empty(t, body)
		assert.Less(t, took, time.Second, "the answer comes before the worker's second of sleep ends")
		waitFor(t, logs, `async \S+ WorkerFunction \(POST /reports\): succeeded`, 20*time.Second)
		status, body, _ = call("PUT", "/reports/9", `{"report":9}`, "InvocationType", "RequestResponse")
		assert.Equal(t, 200, status)
		assert.Contains(t, body, `"received":{"report":9}`)
	})

	t.Run("an invalid invocation type is rejected as Lambda rejects it", func(t *testing.T) {
		status, body, _ := call("PUT", "/jobs/42", `{}`, "InvocationType", "Later")
		assert.Equal(t, 500, status)
		assert.JSONEq(t, `{"message":"Internal server error"}`, body)
	})

	t.Run("an unknown path gets API Gateway's 403", func(t *testing.T) {
		status, body, _ := call("GET", "/nowhere", "")
		assert.Equal(t, 403, status)
		assert.JSONEq(t, `{"message":"Missing Authentication Token"}`, body)
		status, _, _ = call("DELETE", "/jobs", "") // a path with no such method
		assert.Equal(t, 403, status)
	})

	assert.Regexp(t, `PUT /jobs/42 Event 200 \S+`, logs.String(), "a log line per request: method, path, invocation type, status, duration")

	// Ctrl-C stops the server and every emulator it started.
	emulators := regexp.MustCompile(`started an emulator at http://(127\.0\.0\.1:\d+)`).FindAllStringSubmatch(logs.String(), -1)
	require.NotEmpty(t, emulators)
	srv.interrupt(t, 20*time.Second)
	assert.Contains(t, logs.String(), "Stopped")
	for _, m := range emulators {
		if c, err := net.DialTimeout("tcp", m[1], time.Second); err == nil {
			c.Close()
			t.Errorf("the emulator at %s is still running after Ctrl-C", m[1])
		}
	}
}

var buildCLI sync.Once

// asyncinvoke builds the command once for the tests.
func asyncinvoke(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(binDir, "asyncinvoke")
	var out []byte
	var err error
	buildCLI.Do(func() { out, err = exec.Command("go", "build", "-o", bin, "../cmd/asyncinvoke").CombinedOutput() })
	if err != nil {
		t.Fatalf("build asyncinvoke: %v\n%s", err, out)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("asyncinvoke was not built: %v", err)
	}
	return bin
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitFor waits until the log has a line matching pattern and returns it.
func waitFor(t *testing.T, logs *syncBuffer, pattern string, timeout time.Duration) string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if m := re.FindString(logs.String()); m != "" {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no log line matching %q within %s; the log:\n%s", pattern, timeout, logs.String())
	return ""
}
