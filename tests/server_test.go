package tests

import (
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// server is `asyncinvoke local start-api` running as a user runs it.
type server struct {
	base   string // http://127.0.0.1:PORT
	logs   *syncBuffer
	cmd    *exec.Cmd
	exited chan error
}

// startServer runs `asyncinvoke local start-api args... --port PORT` in dir
// with env (both as the test's own when empty), kills it with its
// emulators when the test ends, and waits up to ready for it to serve. The
// log is printed when the test fails.
func startServer(t *testing.T, dir string, env []string, ready time.Duration, args ...string) *server {
	t.Helper()
	return startServerOf(t, asyncinvoke(t), dir, env, ready, args...)
}

// startServerOf is startServer with the asyncinvoke command bin.
func startServerOf(t *testing.T, bin, dir string, env []string, ready time.Duration, args ...string) *server {
	t.Helper()
	port := freePort(t)
	s := &server{base: "http://127.0.0.1:" + strconv.Itoa(port), logs: &syncBuffer{}, exited: make(chan error, 1)}
	s.cmd = exec.Command(bin, append(append([]string{"local", "start-api"}, args...), "--port", strconv.Itoa(port))...)
	s.cmd.Dir, s.cmd.Env = dir, env
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, s.cmd.Start())
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		if t.Failed() {
			t.Log(s.logs.String())
		}
	})
	waitFor(t, s.logs, "Running on", ready)
	return s
}

// call sends a request with the header names and values given in pairs,
// and returns the status, the body and the time the answer took.
func (s *server) call(t *testing.T, method, path, body string, header ...string) (int, string, time.Duration) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), time.Since(start)
}

// interrupt presses Ctrl-C and waits for the server to exit, within
// timeout, with status 0.
func (s *server) interrupt(t *testing.T, timeout time.Duration) {
	t.Helper()
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGINT))
	select {
	case err := <-s.exited:
		assert.NoError(t, err, "exit status")
	case <-time.After(timeout):
		t.Fatalf("the server did not stop within %s of Ctrl-C", timeout)
	}
}
