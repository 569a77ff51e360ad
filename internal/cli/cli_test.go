package cli_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/cli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func run(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	code = cli.Main(args, cli.IO{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errs})
	return code, out.String(), errs.String()
}

// syncBuffer collects what a running command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const tmpl = `Transform: [AsyncInvoke, AWS::Serverless-2016-10-31]
Parameters:
  Mode: {Type: String, Default: always}
Resources:
  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: x}}
  Fn: {Type: AWS::Lambda::Function, Properties: {Account: "012345678901"}}
  M:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, HttpMethod: GET, AsyncInvoke: !Ref Mode, Integration: {Uri: !GetAtt Fn.Arn}}
`

// badIndent is the bundled example with an indentation error on line 57,
// which the YAML library reports on line 50, where the enclosing block starts.
func badIndent(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/example.yaml")
	require.NoError(t, err)
	lines := strings.Split(string(b), "\n")
	require.Equal(t, "      AsyncInvoke: always", lines[56])
	lines[56] = "     AsyncInvoke: always"
	file := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644))
	return file
}

// TestHelp: help goes to standard output and exits 0 at every level, and
// each command's help is its own.
func TestHelp(t *testing.T) {
	tests := []struct {
		args             []string
		contains, absent []string
	}{
		{[]string{"--help"}, []string{"asyncinvoke expand", "asyncinvoke check", "local start-api", "asyncinvoke version"}, nil},
		{[]string{"-h"}, []string{"Usage:"}, nil},
		{[]string{"help"}, []string{"Usage:"}, nil},
		{[]string{"expand", "-h"}, []string{"Usage: asyncinvoke expand", "-diff", "-o format", "removed from Transform"}, []string{"-strict"}},
		{[]string{"expand", "--help"}, []string{"Usage: asyncinvoke expand"}, nil},
		{[]string{"check", "-h"}, []string{"Usage: asyncinvoke check", "-strict", "-f format", "E2001", "W3002", "W4001", "W4002", "W4003", "W4004", "W5001", "FILE:LINE:COL: CODE message"}, []string{"-o format", "yaml|json", "removed from"}},
		{[]string{"help", "check"}, []string{"Usage: asyncinvoke check"}, nil},
		{[]string{"local", "-h"}, []string{"Usage: asyncinvoke local COMMAND", "start-api", "invoke", "go install"}, nil},
		{[]string{"local", "--help"}, []string{"Usage: asyncinvoke local COMMAND"}, nil},
		{[]string{"local", "help", "start-api"}, []string{"Usage: asyncinvoke local start-api"}, nil},
		{[]string{"local", "start-api", "-h"}, []string{"Usage: asyncinvoke local start-api", "-function-endpoint", "-port port", "template.yaml"}, []string{"-strict"}},
		{[]string{"local", "invoke", "--help"}, []string{"Usage: asyncinvoke local invoke", "-e file"}, nil},
		{[]string{"help", "local", "start-api"}, []string{"Usage: asyncinvoke local start-api"}, nil},
		{[]string{"version", "-h"}, []string{"Usage: asyncinvoke version"}, nil},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errs := run("", tc.args...)
			assert.Equal(t, 0, code)
			assert.Empty(t, errs)
			for _, s := range tc.contains {
				assert.Contains(t, out, s)
			}
			for _, s := range tc.absent {
				assert.NotContains(t, out, s)
			}
		})
	}
}

// TestUsageErrors: a wrong command line says what is wrong and what is
// allowed, on standard error, with the command's own usage, and exits 2.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args             []string
		contains, absent []string
	}{
		{[]string{"expand", "-o", "xml", "x.yaml"}, []string{`invalid value "xml" for flag -o: want yaml or json`, "Usage: asyncinvoke expand"}, nil},
		{[]string{"expand", "--diff", "--color", "purple", "x.yaml"}, []string{`invalid value "purple" for flag --color: want auto or always or never`}, nil},
		{[]string{"expand"}, []string{"want one template FILE", "Usage: asyncinvoke expand"}, nil},
		{[]string{"expand", "-p", "novalue", "-"}, []string{`want Key=Value, not "novalue"`}, nil},
		{[]string{"expand", "--nope", "x.yaml"}, []string{"unknown flag --nope"}, nil},
		{[]string{"expand", "-nope", "x.yaml"}, []string{"unknown flag -nope"}, nil},
		{[]string{"expand", "--diff=maybe", "x.yaml"}, []string{`invalid boolean value "maybe" for --diff: want true or false`}, nil},
		{[]string{"local", "start-api", "--port", "abc"}, []string{`invalid value "abc" for flag --port: want a whole number`}, nil},
		{[]string{"local", "start-api", "--port", "-1"}, []string{`invalid value -1 for flag --port: want a port number, 0 to 65535`}, nil},
		{[]string{"local", "start-api", "--port"}, []string{"flag needs an argument: --port"}, nil},
		{[]string{"check"}, []string{"want one or more template FILEs", "Usage: asyncinvoke check [-f text|json]"}, []string{"-o yaml|json"}},
		{[]string{"check", "-f", "xml", "x.yaml"}, []string{`invalid value "xml" for flag -f: want text or json`}, nil},
		{[]string{"frobnicate"}, []string{`unknown command "frobnicate"`}, nil},
		{[]string{"local"}, []string{"Usage: asyncinvoke local COMMAND"}, nil},
		{[]string{"local", "nope"}, []string{`asyncinvoke local: unknown command "nope"`}, nil},
		{[]string{"local", "start-api", "extra"}, []string{"takes no arguments", "Usage: asyncinvoke local start-api"}, nil},
		{[]string{"local", "start-api", "--port", "70000"}, []string{"want a port number"}, nil},
		{[]string{"local", "invoke"}, []string{"want one FUNCTION"}, nil},
		{[]string{"version", "now"}, []string{"takes no arguments"}, nil},
		// -p for a parameter the template does not declare
		{[]string{"expand", "-p", "Nope=1", "testdata/example.yaml"}, []string{"-p Nope: the template declares no parameter Nope; its parameters are ReportMode"}, nil},
		{[]string{"check", "-p", "Nope=1", "testdata/example.yaml"}, []string{"-p Nope: the template declares no parameter Nope; its parameters are ReportMode"}, nil},
		{[]string{"local", "start-api", "-t", "testdata/example.yaml", "-p", "Nope=1"}, []string{"-p Nope: the template declares no parameter Nope; its parameters are ReportMode"}, nil},
		{[]string{"expand", "-p", "X=1", "testdata/check/clean.yaml"}, []string{"-p X: the template declares no parameters"}, nil},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errs := run("", tc.args...)
			assert.Equal(t, 2, code, errs)
			assert.Empty(t, out)
			for _, s := range tc.contains {
				assert.Contains(t, errs, s)
			}
			for _, s := range tc.absent {
				assert.NotContains(t, errs, s)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, errs := run("", args...)
		assert.Equal(t, 0, code)
		assert.Empty(t, errs)
		assert.Regexp(t, `^asyncinvoke \S+ .*`+runtime.Version()+` `+runtime.GOOS+`/`+runtime.GOARCH+"\n$", out)
	}
}

// TestExpand: the template, and only it, goes to standard output; problems
// go to standard error, located in the file.
// literalPermission has a permission for API Gateway written with a literal
// partition, region and account.
const literalPermission = `Resources:
  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: x}}
  Fn: {Type: AWS::Lambda::Function}
  Invoke:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunction, FunctionName: !Ref Fn, Principal: apigateway.amazonaws.com, SourceArn: !Sub "arn:aws:execute-api:eu-west-1:123456789012:${Api}/*/*"}
  M:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: GET, AuthorizationType: NONE, AsyncInvoke: always, Integration: {Uri: !GetAtt Fn.Arn}}
`

// loop has methods in a Fn::ForEach, with the transforms in the right order.
const loop = `Transform: [AWS::LanguageExtensions, AsyncInvoke]
Resources:
  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: x}}
  Fn: {Type: AWS::Lambda::Function}
  Fn::ForEach::Verbs:
    - Verb
    - [GET, POST]
    - M${Verb}:
        Type: AWS::ApiGateway::Method
        Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: !Ref Verb, AuthorizationType: NONE, AsyncInvoke: always, Integration: {Uri: !GetAtt Fn.Arn}}
`

// longPath is an OpenAPI path longer than the 128 characters beyond which
// the YAML library writes a key as a complex key (? key).
var longPath = "/" + strings.Repeat("tenants/{tenant}/", 8) + "jobs"

// longPaths is a document with an asynchronous operation on longPath.
var longPaths = `Transform: AsyncInvoke
Resources:
  Fn: {Type: AWS::Lambda::Function}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        openapi: 3.0.1
        paths:
          ` + longPath + `:
            post:
              x-async-invoke: always
              x-amazon-apigateway-integration: {uri: !GetAtt Fn.Arn}
`

func TestExpand(t *testing.T) {
	bad := badIndent(t)
	tests := []struct {
		name             string
		args             []string
		stdin            string
		code             int
		stdout, absent   []string
		stderr           []string
		emptyStdout      bool
		emptyStderr      bool
		stderrNotContain []string
	}{
		{name: "yaml from stdin, parameter default", args: []string{"expand", "-"}, stdin: tmpl,
			stdout: []string{`integration.request.header.X-Amz-Invocation-Type: "'Event'"`, "Transform: AWS::Serverless-2016-10-31", `Account: "012345678901"`, "FunctionName: !GetAtt Fn.Arn"},
			absent: []string{"AsyncInvoke:"}, emptyStderr: true},
		{name: "-p overrides the default, flags after the file", args: []string{"expand", "-", "-p", "Mode=client"}, stdin: tmpl,
			stdout: []string{"method.request.header.InvocationType: false"}, emptyStderr: true},
		{name: "json output is the long form", args: []string{"expand", "-o", "json", "-"}, stdin: tmpl,
			stdout: []string{`"Fn::Sub": "arn:${AWS::Partition}:apigateway:`, `"Transform": "AWS::Serverless-2016-10-31"`}, absent: []string{"!Sub"}, emptyStderr: true},
		{name: "comments and folded blocks are kept", args: []string{"expand", "testdata/example.yaml"},
			stdout: []string{
				"Description: >-\n  Example: a jobs API whose methods invoke the worker function\n  asynchronously, written both as AWS::ApiGateway::Method resources and as an\n  OpenAPI document.\n",
				"  # POST /jobs always returns at once; the worker runs on its own.\n  StartJob:\n",
				"# AsyncInvoke runs first, then SAM: the order matters.\nTransform: AWS::Serverless-2016-10-31\n",
				"  # --- The same in an OpenAPI document -----------------------------------\n  ReportsApi:\n",
				`      PathPart: "{id}"`,
			}, emptyStderr: true},
		{name: "problems go to standard error, located; nothing to standard output", args: []string{"expand", "-p", "ReportMode=sometimes", "testdata/example.yaml"}, code: 1,
			emptyStdout: true, stderr: []string{
				`testdata/example.yaml:105:15: Resources.ReportsApi.Properties.DefinitionBody.paths./reports/{id}.put.x-async-invoke: unknown mode "sometimes"`,
				"asyncinvoke: testdata/example.yaml cannot be expanded: 1 problem",
			}},
		{name: "problems in JSON are located too", args: []string{"expand", "testdata/check/refused.json"}, code: 1,
			emptyStdout: true, stderr: []string{`testdata/check/refused.json:11:9: Resources.Start.Properties.AsyncInvoke: unknown mode "sometimes"`}},
		{name: "stdin is named <stdin>", args: []string{"expand", "-", "-p", "Mode=sometimes"}, stdin: tmpl, code: 1,
			emptyStdout: true, stderr: []string{`<stdin>:9:56: Resources.M.Properties.AsyncInvoke: unknown mode "sometimes"`}},
		{name: "a YAML error deep in a file: its line and column", args: []string{"expand", bad}, code: 1,
			emptyStdout: true, stderr: []string{bad + ":57:6: invalid YAML: did not find expected key"}, stderrNotContain: []string{"line 50"}},
		{name: "unreadable template", args: []string{"expand", "-"}, stdin: "a: [", code: 1, emptyStdout: true, stderr: []string{"<stdin>:1:4: invalid YAML"}},
		{name: "a permission with a literal region: the stack unknown, the macro adds its own", args: []string{"expand", "-"}, stdin: literalPermission,
			stdout: []string{"FnApiAsyncInvokePermission:"}, emptyStderr: true},
		{name: "a permission with a literal region: covers the call in that stack", args: []string{"expand", "--region", "eu-west-1", "--account-id", "123456789012", "-"}, stdin: literalPermission,
			absent: []string{"FnApiAsyncInvokePermission:"}, emptyStderr: true},
		{name: "Fn::ForEach with AWS::LanguageExtensions listed first: cannot be expanded here, and says why", args: []string{"expand", "-"}, stdin: loop, code: 1,
			emptyStdout: true, stderr: []string{"which AWS::LanguageExtensions expands in CloudFormation before AsyncInvoke runs (listed first, as it must be)"}, stderrNotContain: []string{"list it first"}},
		{name: "what is left to you: expanded, with a located warning and its code", args: []string{"expand", "testdata/check/left-to-you.yaml"},
			stdout: []string{"WorkerAsyncInvokeConfig:"}, absent: []string{"AsyncInvoke:", "SharedApiAsyncInvokePermission"},
			stderr: []string{"testdata/check/left-to-you.yaml:17:9: warning: W4001 Resources.Shared.Properties.Integration.Uri: invokes a function defined outside this template",
				"testdata/check/left-to-you.yaml:39:9: warning: W4001 Resources.Local.Properties.AsyncInvoke.OnFailure: sends the records of Worker's asynchronous invocations"},
			stderrNotContain: []string{"Resources.Granted"}},
		{name: "each warning with its code, as check reports it", args: []string{"expand", "testdata/check/unexpected.yaml"},
			stdout: []string{"HttpMethod: ANY"},
			stderr: []string{"testdata/check/unexpected.yaml:19:7: warning: W4003 Resources.Upload.Properties.HttpMethod: is ANY",
				"testdata/check/unexpected.yaml:24:9: warning: W4004 Resources.Upload.Properties.RequestModels.multipart/form-data:",
				"testdata/check/unexpected.yaml:34:7: warning: W4002 Resources.Deployment.Properties.StageDescription:"}},
		{name: "a long path stays a key, as written", args: []string{"expand", "-"}, stdin: longPaths,
			stdout: []string{"\n          " + longPath + ":\n            post:\n"}, absent: []string{"? "}, emptyStderr: true},
		{name: "a long path stays a key, from JSON too", args: []string{"expand", "-"}, stdin: `{"Resources": {"Fn": {"Type": "AWS::Lambda::Function"}, "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": {"paths": {"` + longPath + `": {"post": {"x-async-invoke": "always", "x-amazon-apigateway-integration": {"uri": {"Fn::GetAtt": ["Fn", "Arn"]}}}}}}}}}}`,
			stdout: []string{"\n          " + longPath + ":\n            post:\n"}, absent: []string{"? "}, emptyStderr: true},
		{name: "no such file", args: []string{"expand", "nowhere.yaml"}, code: 1, emptyStdout: true, stderr: []string{"nowhere.yaml: open nowhere.yaml: no such file or directory"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(tc.stdin, tc.args...)
			assert.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", out, errs)
			for _, s := range tc.stdout {
				assert.Contains(t, out, s)
			}
			for _, s := range tc.absent {
				assert.NotContains(t, out, s)
			}
			for _, s := range tc.stderr {
				assert.Contains(t, errs, s)
			}
			for _, s := range tc.stderrNotContain {
				assert.NotContains(t, errs, s)
			}
			if tc.emptyStdout {
				assert.Empty(t, out)
			}
			if tc.emptyStderr {
				assert.Empty(t, errs)
			}
		})
	}
}

// TestDiff: only what the macro changes shows, uncoloured unless asked.
func TestDiff(t *testing.T) {
	code, out, errs := run("", "expand", "--diff", "testdata/example.yaml")
	require.Equal(t, 0, code, errs)
	assert.Empty(t, errs)
	assert.True(t, strings.HasPrefix(out, "--- testdata/example.yaml\n+++ testdata/example.yaml (expanded)\n@@ "), out)
	var removed []string
	added := 0
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "---"), strings.HasPrefix(line, "+++"):
		case strings.HasPrefix(line, "-"):
			removed = append(removed, strings.TrimSpace(line[1:]))
		case strings.HasPrefix(line, "+"):
			added++
		}
	}
	// Exactly what the macro owns goes: the shorthand, the URIs it rewrites
	// and the macro's name in Transform, and the deployment's logical ID,
	// which it renames (the rest of the deployment stays as written) with
	// the reference to it.
	assert.Equal(t, []string{
		"Transform: [AsyncInvoke, AWS::Serverless-2016-10-31]",
		"AsyncInvoke: always", "Uri: !GetAtt WorkerFunction.Arn",
		"AsyncInvoke: client", "Uri: !GetAtt WorkerFunction.Arn",
		"JobsDeployment:", "DeploymentId: !Ref JobsDeployment",
		"x-async-invoke: always",
		"x-async-invoke: !Ref ReportMode", "uri: !GetAtt WorkerFunction.Arn",
	}, removed)
	assert.Greater(t, added, 40)
	assert.Contains(t, out, "+        IntegrationHttpMethod: POST\n")
	assert.NotContains(t, out, "\x1b[")

	code, out, _ = run("", "expand", "--diff", "--color", "always", "testdata/example.yaml")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "\x1b[31m-      AsyncInvoke: always\x1b[0m\n")
	assert.Contains(t, out, "\x1b[32m+        Type: AWS\x1b[0m\n")

	code, out, _ = run("", "expand", "--diff", "-o", "json", "testdata/example.yaml")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "-        \"AsyncInvoke\": \"always\",\n")

	// Nothing to expand: no difference, nothing printed.
	code, out, errs = run("Resources:\n  B: {Type: AWS::S3::Bucket} # kept\n", "expand", "--diff", "-")
	assert.Equal(t, 0, code, errs)
	assert.Empty(t, out)
}

// TestExpandGolden runs expand on the templates of testdata/expand and
// compares what it prints, standard output then standard error, with
// <name>.golden.txt (go test ./cli -update rewrites them).
func TestExpandGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		// A local AWS::Include is included before the macro runs, as
		// CloudFormation does: what the macro changes in it is printed in
		// its place, expanded; what it leaves, and an include from S3,
		// keeps its Fn::Transform.
		{"include", []string{"testdata/expand/include.yaml"}, 0},
		{"include-diff", []string{"--diff", "testdata/expand/include.yaml"}, 0},
		{"include-json", []string{"-o", "json", "testdata/expand/include.yaml"}, 0},
		// Its problems are located in the included file, and refuse the template.
		{"include-refused", []string{"--diff", "testdata/expand/include-refused.yaml"}, 1},
		// An include that cannot be read: a warning, and it stays.
		{"include-missing", []string{"testdata/expand/include-missing.yaml"}, 0},
		// What the macro does not own stays as written: the header above
		// Transform, the renamed deployment's comment and quoting, a
		// response's quoted StatusCode when the macro adds a header to it.
		{"format", []string{"testdata/expand/format.yaml"}, 0},
		{"format-diff", []string{"--diff", "testdata/expand/format.yaml"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run("", append([]string{"expand"}, tc.args...)...)
			assert.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", out, errs)
			if errs != "" {
				out += "--- standard error\n" + errs
			}
			golden := "testdata/expand/" + tc.name + ".golden.txt"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(out), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "no golden file: go test ./cli -update")
			assert.Equal(t, string(want), out)
		})
	}
}

// TestCheck runs check on each template of testdata/check and compares its
// report with <name>.golden.txt (go test ./cli -update rewrites them).
func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"clean", nil, 0},
		{"refused", nil, 1},
		{"refused-json", []string{"testdata/check/refused.json"}, 1},
		{"no-macro", nil, 1},
		{"other-name", nil, 1},
		{"renamed", []string{"--macro-name", "MyAsyncInvoke", "testdata/check/clean.yaml"}, 1},
		{"sam-first", nil, 0},
		{"sam-first-strict", []string{"--strict", "testdata/check/sam-first.yaml"}, 1},
		{"invisible", nil, 1},
		{"include", nil, 1},
		{"include-after", nil, 1},
		{"include-resources", nil, 1},
		{"left-to-you", nil, 0},
		{"unexpected", nil, 0},
		{"other-qualifier", nil, 0},
		{"large", nil, 0},
		{"large-strict", []string{"--strict", "testdata/check/large.yaml"}, 1},
		{"misspelled", nil, 1},
		{"several", []string{"testdata/check/clean.yaml", "testdata/check/sam-first.yaml", "testdata/check/nowhere.yaml"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if args == nil {
				args = []string{"testdata/check/" + tc.name + ".yaml"}
			}
			code, out, errs := run("", append([]string{"check"}, args...)...)
			assert.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", out, errs)
			assert.Empty(t, errs)
			golden := "testdata/check/" + tc.name + ".golden.txt"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(out), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "no golden file: go test ./cli -update")
			assert.Equal(t, string(want), out)
		})
	}
}

func TestCheckJSON(t *testing.T) {
	code, out, _ := run("", "check", "-f", "json", "testdata/check/refused.yaml", "testdata/check/sam-first.yaml")
	assert.Equal(t, 1, code)
	var findings []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &findings), out)
	require.Len(t, findings, 3)
	assert.Equal(t, map[string]any{
		"file": "testdata/check/refused.yaml", "line": 11.0, "column": 15.0, "level": "error", "code": "E1201",
		"path":    "Resources.Api.Properties.Body.paths./reports.post.x-async-invoke",
		"message": `unknown mode "sometimes"; write always (every call is asynchronous) or client (the caller chooses with a header)`,
	}, findings[0])
	assert.Equal(t, "W2002", findings[2]["code"])
	assert.Equal(t, "warning", findings[2]["level"])

	code, out, _ = run("", "check", "-f", "json", "testdata/check/clean.yaml")
	assert.Equal(t, 0, code)
	assert.Equal(t, "[]\n", out)

	code, out, _ = run("", "check", "-f", "json", badIndent(t))
	assert.Equal(t, 1, code)
	assert.Contains(t, out, `"line": 57,`)
	assert.Contains(t, out, `"code": "E0000",`)
}
