package cli_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exampleAPI serves the README's example API and points the standard
// credential chain at test credentials; it returns the flags that reach it.
func exampleAPI(t *testing.T) (*awsfake.Fake, []string) {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	for _, k := range []string{"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	f := awsfake.New(awsfake.ExampleAccount, awsfake.ExampleRegion)
	awsfake.Example(f)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, []string{"--endpoint-url", srv.URL, "--region", awsfake.ExampleRegion}
}

// TestAuditExitCodes: 1 when a problem is found (or a named method cannot
// be fixed), 2 for a wrong command line, 0 otherwise; nothing changes
// without --apply.
func TestAuditExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		out  string // in standard output
		err  string // in standard error
	}{
		{"problems", []string{"--stage", "prod"}, 1, "2 problems:", ""},
		{"a method without problems", []string{"--method", "GET /jobs/{id}"}, 0, "No problems found.", ""},
		{"--expect async", []string{"--method", "GET /jobs/{id}", "--expect", "async"}, 1, "GET /jobs/{id}: is sync, not async as --expect asks [expect]", ""},
		{"an unknown method", []string{"--method", "DELETE /jobs"}, 2, "", "--method: the API has no method DELETE /jobs; its methods are: GET /health, POST /jobs"},
		{"a bad --method", []string{"--method", "jobs"}, 2, "", "want 'METHOD /path'"},
		{"--fix without --mode", []string{"--fix"}, 2, "", "--fix needs --mode always or --mode client"},
		{"--apply without --fix", []string{"--apply"}, 2, "", "--mode, --header, --event and --apply go with --fix"},
		{"--header with always", []string{"--fix", "--mode", "always", "--header", "X"}, 2, "", "--header goes with --mode client"},
		{"--event proxy without --method", []string{"--fix", "--mode", "always", "--event", "proxy"}, 2, "", "--event proxy converts the proxy methods --method names, and no other: name them"},
		{"--header with a space", []string{"--fix", "--mode", "client", "--header", "X Y"}, 2, "", `--header: want an HTTP header name such as InvocationType, not "X Y"`},
		{"--header with a slash", []string{"--fix", "--mode", "client", "--header", "a/b"}, 2, "", `--header: want an HTTP header name such as InvocationType, not "a/b"`},
		{"a plan", []string{"--fix", "--mode", "always", "--stage", "prod"}, 0, "Plan (nothing changes without --apply):", ""},
		{"a plan that refuses a method named", []string{"--fix", "--mode", "always", "--method", "ANY /legacy/{proxy+}"}, 1, "refused: is a Lambda proxy integration", ""},
		{"an API that does not exist: could not run", []string{"--rest-api-id", "nope"}, 3, "", "asyncinvoke: reading the REST API nope: GetRestApi: NotFoundException"},
		{"no answer: could not run", []string{"--endpoint-url", "http://127.0.0.1:1"}, 3, "", "asyncinvoke: finding the account of the credentials: GetCallerIdentity: no answer from http://127.0.0.1:1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, flags := exampleAPI(t)
			args := append([]string{"audit", "--rest-api-id", awsfake.ExampleAPI}, flags...)
			code, stdout, stderr := run("", append(args, tc.args...)...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Contains(t, stdout, tc.out)
			assert.Contains(t, stderr, tc.err)
			assert.Empty(t, f.Mutations(), "nothing changes without --apply")
		})
	}
}

// TestAuditApply: --apply makes the plan's calls, says each on standard
// error, and audits again: the problems are gone.
func TestAuditApply(t *testing.T) {
	f, flags := exampleAPI(t)
	args := append([]string{"audit", "--rest-api-id", awsfake.ExampleAPI, "--stage", "prod", "--fix", "--mode", "client", "--apply"}, flags...)
	code, stdout, stderr := run("", args...)
	assert.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Len(t, f.Mutations(), 4)
	assert.Equal(t, 4, strings.Count(stderr, "applied "))
	assert.Contains(t, stdout, "\nPlan (applying it now):\n")
	assert.NotContains(t, stdout, "nothing changes without --apply")
	after := stdout[strings.Index(stdout, "After the changes:"):]
	assert.Contains(t, after, "No problems found.")

	code, stdout, _ = run("", append(args[:len(args)-len(flags)-1], append(flags, "-f", "json")...)...)
	assert.Equal(t, 0, code)
	var out struct{ Plan struct{ Steps []any } }
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	assert.Empty(t, out.Plan.Steps, "applied once, nothing is left to do")
}

// TestAuditApplyFails: --apply that stops at a failed step exits 3 (the
// command could not finish, not a problem found); with -f json standard
// output still says what was planned and how many steps were applied.
func TestAuditApplyFails(t *testing.T) {
	f, flags := exampleAPI(t)
	srv := httptest.NewServer(awsfake.NotImplemented(f, func(r *http.Request) bool {
		return r.Method == http.MethodPatch && strings.HasSuffix(r.URL.Path, "/integration")
	}))
	t.Cleanup(srv.Close)
	flags[1] = srv.URL
	args := append([]string{"audit", "--rest-api-id", awsfake.ExampleAPI, "--fix", "--mode", "client", "--method", "PUT /jobs/{id}", "--method", "GET /jobs/{id}", "--apply", "-f", "json"}, flags...)
	code, stdout, stderr := run("", args...)
	assert.Equal(t, 3, code, stderr)
	var out struct {
		Plan    struct{ Steps []any }
		Applied *int
		Error   string
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out), stdout)
	require.NotNil(t, out.Applied)
	assert.Equal(t, 1, *out.Applied, "GET /jobs/{id}'s update-method, before its update-integration failed")
	assert.Len(t, out.Plan.Steps, 3)
	assert.True(t, strings.HasPrefix(out.Error, "step 2 of 3 failed: updating the integration of GET /jobs/{id}: UpdateIntegration: the endpoint answered HTTP 500"), out.Error)
	assert.Contains(t, out.Error, "\nstep 1 was applied, and nothing after step 2 was run; run the audit again")
	assert.Contains(t, stderr, "asyncinvoke: step 2 of 3 failed")
}

// readmeSample is a sample in the README: an HTML comment naming the
// command's flags, then a fenced block of what it prints.
var shellWord = regexp.MustCompile(`'[^']*'|\S+`)

var readmeSample = regexp.MustCompile("(?s)<!-- audit sample: ([^>]*) -->\n```text\n(.*?)```")

// TestREADMEAuditSamples: the README's samples of asyncinvoke audit are
// what it prints for the example API (awsfake.Example); -update rewrites
// them.
func TestREADMEAuditSamples(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	samples := readmeSample.FindAllStringSubmatch(string(readme), -1)
	require.GreaterOrEqual(t, len(samples), 2, "the README shows audit and --fix")
	updated := string(readme)
	if *update {
		defer func() { require.NoError(t, os.WriteFile("../../README.md", []byte(updated), 0o644)) }()
	}
	for _, s := range samples {
		t.Run(s[1], func(t *testing.T) {
			_, flags := exampleAPI(t)
			var args []string
			for _, a := range shellWord.FindAllString(s[1], -1) {
				args = append(args, strings.Trim(a, "'"))
			}
			_, stdout, _ := run("", append(append([]string{"audit"}, args...), flags...)...)
			stdout = strings.ReplaceAll(stdout, " --endpoint-url "+flags[1], "")
			// A sample may show the end of the output only, from its first line.
			first, _, _ := strings.Cut(s[2], "\n")
			if i := strings.Index(stdout, first+"\n"); i > 0 {
				stdout = stdout[i:]
			}
			if *update {
				updated = strings.Replace(updated, s[0], strings.Replace(s[0], s[2], stdout, 1), 1)
				return
			}
			assert.Equal(t, s[2], stdout)
		})
	}
}
