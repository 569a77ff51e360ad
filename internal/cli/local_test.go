package cli_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/cli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStartAPIRefuses: start-api fails at once, before building anything,
// when there is nothing to serve, no template, the port is taken or the
// emulator cannot be found. testdata/build's function leaves a mark ($MARK)
// when make builds it.
func TestStartAPIRefuses(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	port := strconv.Itoa(taken.Addr().(*net.TCPAddr).Port)
	build, err := filepath.Abs("testdata/build/template.yaml")
	require.NoError(t, err)
	noAPI, err := os.ReadFile("testdata/noapi.yaml")
	require.NoError(t, err)
	serve, err := os.ReadFile("testdata/serve.yaml")
	require.NoError(t, err)

	tests := []struct {
		name      string
		dir       map[string]string // files of the working directory
		args      []string
		env       []string
		code      int
		stderr    []string
		notStderr []string
		built     bool
		maxTaken  time.Duration
	}{
		{name: "no REST API: said, exit 2; without -t it reads template.yaml",
			dir: map[string]string{"template.yaml": string(noAPI)}, args: nil, code: 2,
			stderr: []string{"found no REST API to serve in template.yaml", "Fn's Api event is a Lambda proxy integration of SAM's implicit API"}},
		{name: "no REST API in template.yaml: the templates under the directory that have one are named",
			dir: map[string]string{"template.yaml": string(noAPI), "examples/api.yaml": string(serve), "testdata/api.yaml": string(serve), "deploy/other.yaml": string(noAPI)}, code: 2,
			stderr:    []string{"found no REST API to serve in template.yaml", "Templates under this directory that have one: examples/api.yaml; serve one with -t, e.g. asyncinvoke local start-api -t examples/api.yaml\n"},
			notStderr: []string{"testdata/api.yaml", "deploy/other.yaml"}},
		{name: "no REST API in the -t file: no other template suggested", dir: map[string]string{"t.yaml": string(noAPI), "examples/api.yaml": string(serve)}, args: []string{"-t", "t.yaml"}, code: 2,
			stderr: []string{"found no REST API to serve in t.yaml"}, notStderr: []string{"Templates under this directory"}},
		{name: "--function-endpoint names no function of the template: refused, listing them", args: []string{"-t", "testdata/serve.yaml", "--port", "0", "--function-endpoint", "Nope=http://127.0.0.1:1"}, code: 2,
			stderr: []string{"asyncinvoke local start-api: --function-endpoint Nope=http://127.0.0.1:1: Nope is not a function of testdata/serve.yaml; its functions: Fn\n"}},
		{name: "a local AWS::Include is read, as CloudFormation does before the macro: its problem is located in the included file",
			args: []string{"-t", "testdata/expand/include-refused.yaml", "--port", "0"}, code: 1,
			stderr: []string{"testdata/expand/include/refused.yaml:11:13: Resources.Api.Properties.DefinitionBody.paths./jobs.post.x-amazon-apigateway-integration.responses.default.statusCode: is \"200\", but Accepted"}},
		{name: "no template.yaml", dir: map[string]string{}, code: 1,
			stderr: []string{"template.yaml: open template.yaml: no such file or directory", "give the template with -t FILE"}},
		{name: "a -t file that is not there: no hint to give -t", dir: map[string]string{}, args: []string{"-t", "missing.yaml"}, code: 1,
			stderr: []string{"missing.yaml: open missing.yaml: no such file or directory"}, notStderr: []string{"give the template with -t"}},
		{name: "the port is taken: at once, naming it", args: []string{"-t", build, "--port", port}, env: []string{"AWS_LAMBDA_RIE=/bin/true"}, code: 1,
			stderr: []string{"cannot listen on 127.0.0.1 port " + port, "stop what uses it, or choose another port with --port"}, notStderr: []string{"--host"}, maxTaken: 5 * time.Second},
		{name: "--host is not an IP address: said about the host, not the port", args: []string{"-t", build, "--host", "999.1.1.1", "--port", "0"}, env: []string{"AWS_LAMBDA_RIE=/bin/true"}, code: 1,
			stderr:    []string{"cannot listen on 999.1.1.1 port 0", "--host 999.1.1.1 is not an address of this machine: give one of its IP addresses or names, 127.0.0.1 (the default, this machine only) or 0.0.0.0 (every interface)"},
			notStderr: []string{"port with --port"}},
		{name: "--host is another machine's address", args: []string{"-t", build, "--host", "192.0.2.7", "--port", "0"}, env: []string{"AWS_LAMBDA_RIE=/bin/true"}, code: 1,
			stderr: []string{"cannot listen on 192.0.2.7 port 0", "--host 192.0.2.7 is not an address of this machine"}, notStderr: []string{"port with --port"}},
		{name: "the emulator is looked for before any build", args: []string{"-t", build, "--port", "0"}, env: []string{"AWS_LAMBDA_RIE=/nonexistent/aws-lambda-rie"}, code: 1,
			stderr: []string{"AWS_LAMBDA_RIE names the Lambda Runtime Interface Emulator, but stat /nonexistent/aws-lambda-rie: no such file or directory"}},
		{name: "a destinations directory that cannot be made: said before any build", args: []string{"-t", build, "--port", "0", "--destinations-dir", filepath.Join(build, "records")},
			env: []string{"AWS_LAMBDA_RIE=/bin/true"}, code: 1, stderr: []string{"the destinations directory (--destinations-dir): mkdir " + build + ": not a directory"}},
		{name: "control: with an emulator, the build runs (and fails here)", args: []string{"-t", build, "--port", "0"}, env: []string{"AWS_LAMBDA_RIE=/bin/true"}, code: 1,
			stderr: []string{"make build-Fn in"}, built: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mark := filepath.Join(t.TempDir(), "built")
			t.Setenv("MARK", mark)
			for _, e := range tc.env {
				k, v, _ := strings.Cut(e, "=")
				t.Setenv(k, v)
			}
			if tc.dir != nil {
				dir := t.TempDir()
				for name, text := range tc.dir {
					require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
					require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
				}
				t.Chdir(dir)
			}
			start := time.Now()
			code, out, errs := run("", append([]string{"local", "start-api"}, tc.args...)...)
			assert.Equal(t, tc.code, code, errs)
			assert.Empty(t, out)
			for _, s := range tc.stderr {
				assert.Contains(t, errs, s)
			}
			for _, s := range tc.notStderr {
				assert.NotContains(t, errs, s)
			}
			_, err := os.Stat(mark)
			assert.Equal(t, tc.built, err == nil, "built: %v\n%s", err == nil, errs)
			if tc.maxTaken > 0 {
				assert.Less(t, time.Since(start), tc.maxTaken)
			}
		})
	}
}

// fakeLambda answers the Lambda Invoke API; a payload with "slow" holds
// the call until the caller gives up.
type fakeLambda struct{ calls atomic.Int32 }

func (f *fakeLambda) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	b, _ := io.ReadAll(r.Body)
	if strings.Contains(string(b), "slow") {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
		return
	}
	w.Write(b)
}

// TestStartAPIServes: DryRun answers as Lambda and API Gateway do, without
// running the function, and Ctrl-C logs one line for the invocation it cuts
// short, and retries nothing.
func TestStartAPIServes(t *testing.T) {
	fake := &fakeLambda{}
	lambda := httptest.NewServer(fake)
	defer lambda.Close()
	logs := &syncBuffer{}
	exited := make(chan int, 1)
	go func() {
		exited <- cli.Main([]string{"local", "start-api", "-t", "testdata/serve.yaml", "--port", "0", "--function-endpoint", "Fn=" + lambda.URL},
			cli.IO{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: logs})
	}()
	var base string
	require.Eventually(t, func() bool {
		m := regexp.MustCompile(`Running on (http://\S+)`).FindStringSubmatch(logs.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	}, 20*time.Second, 10*time.Millisecond, "the server did not start: %s", logs.String())

	call := func(body, invocationType string) (int, string) {
		req, err := http.NewRequest("POST", base+"/", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("InvocationType", invocationType)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	status, body := call(`{"a":1}`, "DryRun")
	assert.Equal(t, 200, status, "the default integration response, as for Event")
	assert.Empty(t, body)
	assert.EqualValues(t, 0, fake.calls.Load(), "DryRun does not run the function")
	assert.Contains(t, logs.String(), "POST /: DryRun: Lambda validates the call and does not run Fn")

	status, body = call(`{"a":1}`, "RequestResponse")
	assert.Equal(t, 200, status)
	assert.Equal(t, `{"a":1}`, body)

	status, _ = call(`{"slow":true}`, "Event")
	assert.Equal(t, 200, status)
	require.Eventually(t, func() bool { return fake.calls.Load() == 2 }, 10*time.Second, 10*time.Millisecond, "the asynchronous invocation did not start")

	// Ctrl-C
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGINT))
	select {
	case code := <-exited:
		assert.Equal(t, 0, code)
	case <-time.After(30 * time.Second):
		t.Fatalf("start-api did not stop after Ctrl-C:\n%s", logs.String())
	}
	log := logs.String()
	assert.Equal(t, 1, strings.Count(log, "cut short by shutdown"), log)
	assert.Regexp(t, `async async-1 Fn \(POST /\): cut short by shutdown after \S+ \(attempt 1\); not retried`, log)
	assert.NotContains(t, log, "retrying")
	assert.NotContains(t, log, "abandoned")
	assert.EqualValues(t, 2, fake.calls.Load(), "no retry")
	assert.Contains(t, log, "Stopped")
}

// TestStartAPIInstallsTheEmulator: with no emulator anywhere, start-api
// installs the pinned one into the user's cache with go install, says so,
// and only then builds. (A fake go command records the install; the
// end-to-end test in tests/ runs the real one.)
func TestStartAPIInstallsTheEmulator(t *testing.T) {
	fake := t.TempDir()
	record := filepath.Join(fake, "record")
	script := "#!/bin/sh\necho \"$@\" >> " + record + "\ncase \"$1\" in\ntool) exit 1 ;;\ninstall) echo '#!/bin/sh' > \"$GOBIN/aws-lambda-rie\"; /bin/chmod +x \"$GOBIN/aws-lambda-rie\" ;;\nesac\n"
	require.NoError(t, os.WriteFile(filepath.Join(fake, "go"), []byte(script), 0o755))
	var path []string
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(d, "aws-lambda-rie")); err != nil {
			path = append(path, d)
		}
	}
	t.Setenv("PATH", fake+string(os.PathListSeparator)+strings.Join(path, string(os.PathListSeparator)))
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("AWS_LAMBDA_RIE", "")
	mark := filepath.Join(t.TempDir(), "built")
	t.Setenv("MARK", mark)

	code, out, errs := run("", "local", "start-api", "-t", "testdata/build/template.yaml", "--port", "0")
	assert.Equal(t, 1, code, "testdata/build's function does not build")
	assert.Empty(t, out)
	bin := filepath.Join(cache, "asyncinvoke", "bin")
	installing := strings.Index(errs, "installing github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d into "+bin+" (once; go install)")
	building := strings.Index(errs, "building Fn")
	assert.GreaterOrEqual(t, installing, 0, errs)
	assert.Less(t, installing, building, "installed before any build:\n%s", errs)
	recorded, err := os.ReadFile(record)
	require.NoError(t, err)
	assert.Contains(t, string(recorded), "install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d")
	_, err = os.Stat(mark)
	assert.NoError(t, err, "then it builds")
}
