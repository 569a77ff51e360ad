package tests

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLocalInvoke runs `asyncinvoke local invoke` as `sam local invoke`
// would be run: the function is built with its Makefile target, runs under
// the emulator, and its result is printed on standard output.
func TestLocalInvoke(t *testing.T) {
	bin := asyncinvoke(t)
	tests := []struct {
		name     string
		args     []string
		stdin    string // the event with -e -; {"job":"local-1"} when ""
		code     int
		stdout   string // a JSON object the output must hold
		stderr   string
		contains string
	}{
		{name: "the macro on an event", args: []string{"local", "invoke", "-t", "template.yaml", "-e", "events/client.json", "MacroFunction"},
			stdout: `{"requestId":"6c2f3b0a-0000-4000-8000-000000000002","status":"success"}`, contains: `"integration.request.header.X-Amz-Invocation-Type": "method.request.header.InvocationType"`},
		{name: "the example's worker, the event on standard input", args: []string{"local", "invoke", "-t", "examples/jobs.yaml", "-e", "-", "WorkerFunction"},
			stdout: `{"received":{"job":"local-1"},"sleptMs":0}`},
		{name: "a function that fails: its error on standard output, as sam local invoke prints it, and exit 1", args: []string{"local", "invoke", "-t", "examples/jobs.yaml", "-e", "-", "WorkerFunction"},
			stdin: `{"fail": "no such job"}`, code: 1,
			stdout: `{"errorMessage":"no such job","errorType":"Failure"}`, stderr: "asyncinvoke: WorkerFunction failed: Failure: no such job"},
		{name: "no such function", args: []string{"local", "invoke", "-t", "examples/jobs.yaml", "Nope"}, code: 1,
			stderr: "Nope: no such function in the template; functions: WorkerFunction"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Dir = ".."
			stdin := tc.stdin
			if stdin == "" {
				stdin = `{"job":"local-1"}`
			}
			cmd.Stdin = bytes.NewBufferString(stdin)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())
			if tc.stdout != "" {
				var want, got map[string]any
				require.NoError(t, json.Unmarshal([]byte(tc.stdout), &want))
				require.NoError(t, json.Unmarshal(stdout.Bytes(), &got), "stdout is the function's result: %s", stdout.String())
				for k, v := range want {
					assert.Equal(t, v, got[k], k)
				}
			}
			assert.Contains(t, stdout.String(), tc.contains)
			assert.Contains(t, stderr.String(), tc.stderr)
		})
	}
}
