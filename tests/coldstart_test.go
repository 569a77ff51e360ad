package tests

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/tests/bench/benchreq"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runtimeAPI is a minimal Lambda Runtime API that hands the bootstrap one
// event and records when it asked for it (the end of init) and its answer.
type runtimeAPI struct {
	event    []byte
	times    int // how many times to hand it out
	served   int
	asked    chan time.Time
	first    chan time.Time // when the first answer came
	answered chan []byte
	release  chan struct{}
}

func (r *runtimeAPI) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	switch {
	case req.Method == "GET" && strings.HasSuffix(req.URL.Path, "/invocation/next"):
		if r.served == r.times { // no more events: hold /next until the test ends
			<-r.release
			return
		}
		if r.served++; r.served == 1 {
			r.asked <- time.Now()
		}
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", "cold-1")
		w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:macro")
		w.Write(r.event)
	case req.Method == "POST":
		b, _ := io.ReadAll(req.Body)
		w.WriteHeader(http.StatusAccepted)
		if r.served == 1 {
			r.first <- time.Now()
		}
		if r.served == r.times {
			r.answered <- b
		}
	}
}

// coldStart runs a function's bootstrap (the macro's, or the Go echo's of
// tests/bench/echo) on an event, times times in a row as a warm function
// meets them, and returns its init duration (start to its first request for
// an event), the time from its start to its first answer, its peak resident
// memory, and its last answer.
func coldStart(t testing.TB, pkg string, event []byte, times int) (initDuration, firstAnswer time.Duration, peakMB float64, answer []byte) {
	t.Helper()
	api := &runtimeAPI{event: event, times: times, asked: make(chan time.Time, 1), first: make(chan time.Time, 1), answered: make(chan []byte, 1), release: make(chan struct{})}
	srv := httptest.NewServer(api)
	defer srv.Close()
	defer close(api.release)
	cmd := exec.Command(build(t, pkg))
	cmd.Env = append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(srv.URL, "http://"), "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128")
	cmd.Env = append(cmd.Env, lambdaEnv(t)...)
	start := time.Now()
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	select {
	case at := <-api.asked:
		initDuration = at.Sub(start)
	case <-time.After(10 * time.Second):
		t.Fatal("the bootstrap never asked for an event")
	}
	select {
	case at := <-api.first:
		firstAnswer = at.Sub(start)
	case <-time.After(30 * time.Second):
		t.Fatal("the bootstrap never answered")
	}
	select {
	case answer = <-api.answered:
	case <-time.After(30 * time.Second):
		t.Fatal("the bootstrap never answered")
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	require.NoError(t, err)
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			peakMB = kb / 1024
		}
	}
	return initDuration, firstAnswer, peakMB, answer
}

// lambdaEnv is the environment template.yaml gives the function (its Go
// runtime settings), so that memory is measured as the function runs.
func lambdaEnv(t testing.TB) []string {
	t.Helper()
	src, err := os.ReadFile("../template.yaml")
	require.NoError(t, err)
	tmpl, err := parse.Template(src)
	require.NoError(t, err)
	var env []string
	vars := dig(tmpl, "Resources", "MacroFunction", "Properties", "Environment", "Variables")
	require.NotNil(t, vars, "template.yaml: MacroFunction has no Environment Variables")
	for _, m := range vars.Members {
		env = append(env, m.Key+"="+fmt.Sprint(m.Value))
	}
	return env
}

func dig(o *tree.Object, keys ...string) *tree.Object {
	for _, k := range keys {
		if o == nil {
			return nil
		}
		v, _ := o.Get(k)
		o, _ = v.(*tree.Object)
	}
	return o
}

// macroRequest wraps a template of about size bytes, with methods async
// methods, in a macro request.
func macroRequest(methods, size int) []byte {
	var b strings.Builder
	b.WriteString(`{"requestId":"cold","transformId":"t","region":"us-east-1","accountId":"123456789012","params":{},"templateParameterValues":{},"fragment":{"Resources":{"Fn":{"Type":"AWS::Lambda::Function"},"Api":{"Type":"AWS::ApiGateway::RestApi"}`)
	for i := range methods {
		fmt.Fprintf(&b, `,"M%d":{"Type":"AWS::ApiGateway::Method","Properties":{"RestApiId":{"Ref":"Api"},"HttpMethod":"POST","AsyncInvoke":"client","Integration":{"Uri":{"Fn::GetAtt":["Fn","Arn"]}}}}`, i)
	}
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `,"Doc%d":{"Type":"Custom::Doc","Properties":{"Text":"%s","N":[1,2.50,3e10]}}`, i, strings.Repeat("lorem ipsum ", 40))
	}
	b.WriteString(`}}}`)
	return []byte(b.String())
}

// TestPeakMemory: with template.yaml's Go settings, the 1 MB templates fit
// well within MemorySize 128 (at most 64 MB), and so do a 5 MB one
// (Lambda's synchronous payload limit is 6 MB) and a warm function's run of
// requests; 120 MB leaves Lambda's own share of the 128.
func TestPeakMemory(t *testing.T) {
	for _, tc := range []struct {
		name    string
		request []byte
		times   int
		limit   float64
	}{
		{"1 MB, 400 methods among 2,000 resources", benchreq.Template(400, 2000), 1, 64},
		{"1 MB, 1,000 methods", macroRequest(1000, 1<<20), 1, 64},
		{"1 MB, 1,000 methods, 20 requests", macroRequest(1000, 1<<20), 20, 120},
		{"5 MB, 1,000 methods", macroRequest(1000, 5<<20), 1, 120},
		{"5 MB, 1,000 methods, 5 requests", macroRequest(1000, 5<<20), 5, 120},
	} {
		_, _, peak, answer := coldStart(t, "functions/macro", tc.request, tc.times)
		assert.Contains(t, string(answer[:min(len(answer), 100)]), `"status":"success"`)
		t.Logf("%s: peak resident memory %.1f MB", tc.name, peak)
		assert.LessOrEqual(t, peak, tc.limit, "peak memory, %s", tc.name)
	}
}

// BenchmarkColdStart starts the macro's bootstrap and the Go echo's (floor
// (a) as a function, tests/bench/echo) in turn against a minimal Runtime
// API, with template.yaml's environment, and reports the medians of their
// init durations (start to the first request for an event, what Lambda
// bills as Init Duration) and of the time to their first answer (a small
// macro request), and the macro's ratio to the echo in both. Target: at
// most 1.10x.
func BenchmarkColdStart(b *testing.B) {
	event := benchreq.Template(2, 0)
	pkgs := []string{"functions/macro", "tests/bench/echo"}
	inits := map[string][]time.Duration{}
	firsts := map[string][]time.Duration{}
	i := 0
	for b.Loop() {
		for j := range pkgs {
			pkg := pkgs[(i+j)%len(pkgs)]
			d, first, _, _ := coldStart(b, pkg, event, 1)
			inits[pkg] = append(inits[pkg], d)
			firsts[pkg] = append(firsts[pkg], first)
		}
		i++
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	mi, ei := median(inits[pkgs[0]]), median(inits[pkgs[1]])
	mf, ef := median(firsts[pkgs[0]]), median(firsts[pkgs[1]])
	b.ReportMetric(ms(mi), "macro-init-ms")
	b.ReportMetric(ms(ei), "echo-init-ms")
	b.ReportMetric(float64(mi)/float64(ei), "init-ratio")
	b.ReportMetric(ms(mf), "macro-first-answer-ms")
	b.ReportMetric(ms(ef), "echo-first-answer-ms")
	b.ReportMetric(float64(mf)/float64(ef), "first-answer-ratio")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
