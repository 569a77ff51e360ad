package tests

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/emulator"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outsideTemplate is a small API whose worker is built from this
// repository by its Makefile (see TestStartAPIOutsideTheRepository).
const outsideTemplate = `Transform: AsyncInvoke
Resources:
  WorkerFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      CodeUri: .
      Handler: bootstrap
      Runtime: provided.al2023
      Timeout: 30
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: jobs}
  Jobs:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: jobs}
  Start:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Jobs
      HttpMethod: POST
      AuthorizationType: NONE
      AsyncInvoke: always
      Integration: {Uri: !GetAtt WorkerFunction.Arn}
  Run:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Jobs
      HttpMethod: PUT
      AuthorizationType: NONE
      AsyncInvoke: client
      Integration: {Uri: !GetAtt WorkerFunction.Arn}
`

// withoutEmulator is PATH without any directory that holds aws-lambda-rie.
func withoutEmulator() string {
	var keep []string
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(d, "aws-lambda-rie")); err != nil {
			keep = append(keep, d)
		}
	}
	return strings.Join(keep, string(os.PathListSeparator))
}

func goEnv(t *testing.T, name string) string {
	out, err := exec.Command("go", "env", name).Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

// TestStartAPIOutsideTheRepository runs `asyncinvoke local start-api`, as a
// user who installed the command would, in a directory outside this
// repository with no emulator anywhere: it installs the pinned emulator into
// the user's cache (a temporary XDG_CACHE_HOME) before building, serves
// template.yaml without -t, answers DryRun without running the worker, and
// on Ctrl-C logs the invocation it cuts short once, without retrying it.
func TestStartAPIOutsideTheRepository(t *testing.T) {
	repo, err := filepath.Abs("..")
	require.NoError(t, err)
	dir := t.TempDir()
	require.False(t, strings.HasPrefix(dir, repo+string(filepath.Separator)), "the directory must be outside the repository")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(outsideTemplate), 0o644))
	makefile := "build-WorkerFunction:\n\t$(MAKE) --no-print-directory -C " + repo + " build-WorkerFunction ARTIFACTS_DIR=$(ARTIFACTS_DIR) GOARCH=$(GOARCH)\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Makefile"), []byte(makefile), 0o644))
	cache := t.TempDir()
	env := []string{
		"PATH=" + withoutEmulator(),
		"XDG_CACHE_HOME=" + cache,
		// The Go caches stay where they are, so that nothing is compiled twice.
		"GOCACHE=" + goEnv(t, "GOCACHE"), "GOMODCACHE=" + goEnv(t, "GOMODCACHE"),
	}
	for _, e := range os.Environ() {
		if k, _, _ := strings.Cut(e, "="); k != "PATH" && k != "XDG_CACHE_HOME" && k != "AWS_LAMBDA_RIE" && k != "GOCACHE" && k != "GOMODCACHE" {
			env = append(env, e)
		}
	}
	srv := startServer(t, dir, env, 5*time.Minute)
	logs := srv.logs
	defer func() {
		if testing.Verbose() && !t.Failed() { // a failure prints it anyway
			t.Log(logs.String())
		}
	}()

	installed := filepath.Join(cache, "asyncinvoke", "bin", "aws-lambda-rie")
	log := logs.String()
	installing := strings.Index(log, "installing "+emulator.RIEPackage+"@"+emulator.RIEVersion+" into "+filepath.Dir(installed))
	building := strings.Index(log, "building WorkerFunction")
	assert.GreaterOrEqual(t, installing, 0, "it says it installs the emulator")
	assert.Less(t, installing, building, "the emulator is set up before any build")
	info, err := buildinfo.ReadFile(installed)
	require.NoError(t, err)
	assert.Equal(t, emulator.RIEVersion, info.Main.Version)

	call := func(method, body string, header ...string) (int, string, time.Duration) {
		return srv.call(t, method, "/jobs", body, header...)
	}
	started := func() int { return strings.Count(logs.String(), "worker: started") }

	status, body, took := call("POST", `{"sleepMs":2000}`)
	assert.Equal(t, 200, status)
	assert.Empty(t, body)
	assert.Less(t, took, 2*time.Second, "asynchronous: the answer comes before the worker's two seconds of sleep end")
	waitFor(t, logs, `async \S+ WorkerFunction \(POST /jobs\): succeeded`, 30*time.Second)

	before := started()
	status, body, _ = call("PUT", `{"sleepMs":0}`, "InvocationType", "DryRun")
	assert.Equal(t, 200, status)
	assert.Empty(t, body)
	waitFor(t, logs, `PUT /jobs: DryRun: Lambda validates the call and does not run WorkerFunction`, 5*time.Second)
	time.Sleep(300 * time.Millisecond)
	assert.Equal(t, before, started(), "DryRun does not run the worker")

	// Ctrl-C while an asynchronous invocation runs: one line, no retry.
	status, _, _ = call("POST", `{"sleepMs":9000}`)
	assert.Equal(t, 200, status)
	require.Eventually(t, func() bool { return started() > before }, 30*time.Second, 20*time.Millisecond)
	srv.interrupt(t, 30*time.Second)
	log = logs.String()
	assert.Equal(t, 1, strings.Count(log, "cut short by shutdown"), "one line for the invocation cut short")
	assert.Regexp(t, `async \S+ WorkerFunction \(POST /jobs\): cut short by shutdown after \S+ \(attempt 1\); not retried`, log)
	assert.NotContains(t, log, "retrying")

	// The next time, the installed emulator is found: nothing is installed.
	t.Setenv("PATH", withoutEmulator())
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("AWS_LAMBDA_RIE", "")
	t.Chdir(dir)
	var again bytes.Buffer
	found, err := emulator.Find(context.Background(), &again)
	require.NoError(t, err)
	assert.Equal(t, installed, found)
	assert.Empty(t, again.String())
}

// TestVersion: a binary built from a git checkout names its revision.
func TestVersion(t *testing.T) {
	repo, err := filepath.Abs("..")
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "asyncinvoke")
	build := exec.Command("go", "build", "-buildvcs=auto", "-o", out, "./cmd/asyncinvoke")
	build.Dir = repo
	b, err := build.CombinedOutput()
	require.NoError(t, err, "%s", b)
	v, err := exec.Command(out, "version").Output()
	require.NoError(t, err)
	assert.Regexp(t, `^asyncinvoke \S+ .*go\S+ \S+/\S+\n$`, string(v))
	head, err := exec.Command("git", "-C", repo, "rev-parse", "HEAD").Output()
	if info, statErr := os.Stat(filepath.Join(repo, ".git")); err != nil || statErr != nil || !info.IsDir() {
		t.Skipf("not a plain git checkout (the go command stamps revisions only from a .git directory): %s", v)
	}
	assert.Contains(t, string(v), "(revision "+strings.TrimSpace(string(head)))
	if regexp.MustCompile(`^asyncinvoke \(devel\)`).Match(v) {
		t.Errorf("no module version: %s", v)
	}
}
