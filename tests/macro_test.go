package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEvents sends every events/*.json through the Lambda Invoke API to the
// macro's bootstrap under the emulator and compares each response with its
// golden file; then cfn-lint checks every expanded fragment.
func TestEvents(t *testing.T) {
	em, log := start(t, "functions/macro")
	events, err := filepath.Glob("../events/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, events)
	fragments := t.TempDir()
	var expanded []string
	sent := 0
	for _, ev := range events {
		name := strings.TrimSuffix(filepath.Base(ev), ".json")
		t.Run(name, func(t *testing.T) {
			payload, err := os.ReadFile(ev)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			out, err := em.Invoke(ctx, payload)
			require.NoError(t, err)
			sent++

			var req struct {
				RequestID string `json:"requestId"`
			}
			require.NoError(t, json.Unmarshal(payload, &req))
			var resp struct {
				RequestID    string          `json:"requestId"`
				Status       string          `json:"status"`
				Fragment     json.RawMessage `json:"fragment"`
				ErrorMessage string          `json:"errorMessage"`
			}
			require.NoError(t, json.Unmarshal(out, &resp), "not a macro response: %s", out)
			assert.Equal(t, req.RequestID, resp.RequestID)
			if strings.HasPrefix(name, "refused-") {
				assert.Equal(t, macro.StatusFailure, resp.Status)
				assert.NotEmpty(t, resp.ErrorMessage)
			} else {
				require.Equal(t, macro.StatusSuccess, resp.Status, resp.ErrorMessage)
				f := filepath.Join(fragments, name+".json")
				require.NoError(t, os.WriteFile(f, withSAMTransform(resp.Fragment), 0o644))
				expanded = append(expanded, f)
			}

			golden := filepath.Join("testdata", name+".golden.json")
			if *update {
				var b bytes.Buffer
				require.NoError(t, json.Indent(&b, out, "", "  ")) // key order as the function wrote it
				b.WriteByte('\n')
				require.NoError(t, os.WriteFile(golden, b.Bytes(), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "no golden file: run go test ./tests -update")
			// Byte for byte once indented: key order, number and string text count.
			var got bytes.Buffer
			require.NoError(t, json.Indent(&got, out, "", "  "))
			got.WriteByte('\n')
			assert.Equal(t, string(want), got.String())
		})
	}

	t.Run("logs", func(t *testing.T) {
		// Never log parameter values (NoEcho) or templates: one summary line
		// for each request this run sent (some, or all, of the events).
		// The function's output reaches the log through the emulator's pipe a
		// moment after the response: wait for the last line before reading.
		assert.Eventually(t, func() bool {
			return strings.Count(log.String(), "requestId=") >= sent
		}, 10*time.Second, 20*time.Millisecond, "a summary line for each of %d requests", sent)
		logs := log.String()
		assert.NotContains(t, logs, "not-logged-anywhere")
		assert.NotContains(t, logs, "AWS::Lambda::Function")
		assert.Equal(t, sent, strings.Count(logs, "requestId="), "one line per request")
	})

	t.Run("cfn-lint", func(t *testing.T) {
		require.NotEmpty(t, expanded)
		lint(t, expanded...)
	})
}

// lint runs cfn-lint over templates and fails on any error it reports.
func lint(t *testing.T, files ...string) {
	t.Helper()
	if _, err := exec.LookPath("cfn-lint"); err != nil {
		t.Fatal("cfn-lint is not installed: pip install cfn-lint (make test installs it)")
	}
	cmd := exec.Command("cfn-lint", append([]string{"--non-zero-exit-code", "error", "--"}, files...)...)
	out, err := cmd.CombinedOutput()
	assert.NoError(t, err, "cfn-lint:\n%s", out)
}

// withSAMTransform gives a fragment with SAM resources the transform that
// follows the macro: CloudFormation sends a macro the template without its
// Transform section, and runs AWS::Serverless-2016-10-31 after it.
func withSAMTransform(fragment []byte) []byte {
	if !bytes.Contains(fragment, []byte(`"AWS::Serverless::`)) {
		return fragment
	}
	return append([]byte(`{"Transform":"AWS::Serverless-2016-10-31",`), fragment[1:]...)
}
