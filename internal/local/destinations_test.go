package local

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// destinationsParams are the parameter values the tests give
// testdata/destinations.yaml.
var destinationsParams = map[string]any{"AliasName": "prod", "Retries": "0"}

// readTemplate is a testdata template, as written.
func readTemplate(t *testing.T, file string) *tree.Object {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	require.NoError(t, err)
	tt, err := parse.Template(b)
	require.NoError(t, err)
	return tt
}

// expanded is a testdata template, expanded by the macro.
func expanded(t *testing.T, file string, params map[string]any) *tree.Object {
	t.Helper()
	tt := readTemplate(t, file)
	_, err := macro.Expand(tt, params)
	require.NoError(t, err)
	return tt
}

// clock is a clock the tests move forward.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// asyncLambda answers the Lambda Invoke API as a function that does what
// its event says: {"fail": "message"} fails (with the X-Amz-Function-Error
// header, or, with "emulator": true, without it as the emulator answers),
// {"ageBy": seconds} moves the clock before answering (once hold is closed,
// with "hold": true), {"slow": true} holds the call until the caller gives
// up, {"answer": result} succeeds with that result; any other event
// succeeds with {"done": event}. It records the request ID of every call.
type asyncLambda struct {
	clock *clock
	hold  chan struct{}
	mu    sync.Mutex
	ids   []string // X-Amzn-RequestId of each call
}

func (f *asyncLambda) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.ids = append(f.ids, r.Header.Get("X-Amzn-RequestId"))
	f.mu.Unlock()
	var ev struct {
		Fail     string          `json:"fail"`
		Emulator bool            `json:"emulator"`
		AgeBy    int             `json:"ageBy"`
		Slow     bool            `json:"slow"`
		Hold     bool            `json:"hold"`
		Answer   json.RawMessage `json:"answer"`
	}
	_ = json.Unmarshal(b, &ev)
	if ev.Hold {
		<-f.hold
	}
	f.clock.advance(time.Duration(ev.AgeBy) * time.Second)
	switch {
	case ev.Slow:
		<-r.Context().Done()
	case ev.Fail != "":
		if !ev.Emulator {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
		}
		json.NewEncoder(w).Encode(map[string]string{"errorMessage": ev.Fail, "errorType": "Failure"})
	case ev.Answer != nil:
		w.Write(ev.Answer)
	default:
		w.Write([]byte(`{"done":` + string(b) + `}`))
	}
}

func (f *asyncLambda) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ids...)
}

// destinationsServer serves testdata/destinations.yaml with its functions
// at the fake, records written to a temporary directory.
func destinationsServer(t *testing.T, workers ...int) (*Server, *asyncLambda, *syncWriter, string) {
	t.Helper()
	fake := &asyncLambda{clock: &clock{}, hold: make(chan struct{})}
	ts := httptest.NewServer(fake)
	t.Cleanup(ts.Close)
	dir := filepath.Join(t.TempDir(), "destinations")
	log := &syncWriter{w: &bytes.Buffer{}}
	s, err := NewServer(context.Background(), Config{
		Template:  expanded(t, "destinations.yaml", destinationsParams),
		Endpoints: map[string]string{"Fn": ts.URL, "OtherFn": ts.URL, "SamFn": ts.URL, "SamPlain": ts.URL},
		Log:       log, RetryDelays: []time.Duration{time.Millisecond, time.Millisecond},
		Parameters: destinationsParams, DestinationsDir: dir, Workers: append(workers, 0)[0], now: fake.clock.now,
	})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s, fake, log, dir
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.(*bytes.Buffer).String()
}

// recordFiles are the records under dir, by destination folder.
func recordFiles(t *testing.T, dir string) map[string][]string {
	t.Helper()
	files := map[string][]string{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			files[filepath.Dir(rel)] = append(files[filepath.Dir(rel)], path)
		}
		return err
	}))
	return files
}

// TestAsyncDestinations: retries, event age and destinations as each
// target's configuration says, and the records delivered.
func TestAsyncDestinations(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		calls                    int    // attempts
		dest                     string // folder of the record; "" for none
		condition                string
		functionArn              string
		functionError            string
		responsePayload          string // JSON
		log                      string // a line of the log, a regular expression
	}{
		{
			name: "fails every attempt: one retry, then to OnFailure", method: "POST", path: "/latest", body: `{"fail":"no such job","job":7}`,
			calls: 2, dest: "DLQ", condition: "RetriesExhausted", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:Fn:$LATEST",
			functionError: "Unhandled", responsePayload: `{"errorMessage":"no such job","errorType":"Failure"}`,
			log: `async async-1 Fn \(POST /latest\): on-failure record to DLQ \(\S+/DLQ/\S+-000001-RetriesExhausted\.json\): \{"version":"1\.0",.*"condition":"RetriesExhausted","approximateInvokeCount":2\}`,
		},
		{
			name: "a failure the emulator answers without X-Amz-Function-Error is a failure", method: "POST", path: "/latest", body: `{"fail":"quietly","emulator":true}`,
			calls: 2, dest: "DLQ", condition: "RetriesExhausted", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:Fn:$LATEST",
			functionError: "Unhandled", responsePayload: `{"errorMessage":"quietly","errorType":"Failure"}`,
		},
		{
			name: "succeeds: to OnSuccess", method: "POST", path: "/latest", body: `{"job":8}`,
			calls: 1, dest: "Topic", condition: "Success", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:Fn:$LATEST",
			responsePayload: `{"done":{"job":8}}`,
			log:             `async async-1 Fn \(POST /latest\): on-success record to Topic`,
		},
		{
			// serverless-http and most proxy handlers answer an error so:
			// Lambda's success all the same, which the log flags.
			name: "a proxy response with a 5xx statusCode succeeds: to OnSuccess, not retried, and said", method: "POST", path: "/latest",
			body:  `{"answer":{"statusCode":500,"body":"{\"message\":\"Internal Server Error\"}"}}`,
			calls: 1, dest: "Topic", condition: "Success", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:Fn:$LATEST",
			responsePayload: `{"statusCode":500,"body":"{\"message\":\"Internal Server Error\"}"}`,
			log:             `(?m)async async-1 Fn \(POST /latest\): succeeded in \S+, but answered statusCode 500: Lambda counts it as a success, so no retry and no OnFailure record; throw instead$`,
		},
		{
			name: "a proxy response with a 4xx statusCode is not flagged", method: "POST", path: "/latest", body: `{"answer":{"statusCode":404}}`,
			calls: 1, dest: "Topic", condition: "Success", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:Fn:$LATEST",
			responsePayload: `{"statusCode":404}`,
			log:             `(?m)async async-1 Fn \(POST /latest\): succeeded in \S+$`,
		},
		{
			name: "alias: Lambda's two retries, then to an ARN from a parameter", method: "POST", path: "/alias", body: `{"fail":"x"}`,
			calls: 3, dest: "arn_aws_sqs_us-east-1_123456789012_shared-dlq", condition: "RetriesExhausted",
			functionArn: "arn:aws:lambda:us-east-1:123456789012:function:Fn:live", functionError: "Unhandled", responsePayload: `{"errorMessage":"x","errorType":"Failure"}`,
			log: `on-failure record to arn:aws:sqs:us-east-1:123456789012:shared-dlq \(`,
		},
		{
			name: "alias: older than its maximum event age when a retry is due", method: "PUT", path: "/alias", body: `{"fail":"slowly","ageBy":61}`,
			calls: 1, dest: "arn_aws_sqs_us-east-1_123456789012_shared-dlq", condition: "EventAgeExceeded",
			functionArn: "arn:aws:lambda:us-east-1:123456789012:function:Fn:live", functionError: "Unhandled", responsePayload: `{"errorMessage":"slowly","errorType":"Failure"}`,
			log: `(?m)async async-1 Fn \(PUT /alias\): 1m1(\.\d+)?s old, older than its maximum event age \(60s\); not retried after 1 failed attempt: function error: \{"errorMessage":"slowly","errorType":"Failure"\}$`,
		},
		{
			name: "alias: a success has no destination", method: "POST", path: "/alias", body: `{}`,
			calls: 1, log: `async async-1 Fn \(POST /alias\): succeeded in`,
		},
		{
			name: "version: no retry, to an event bus", method: "POST", path: "/version", body: `{"fail":"v"}`,
			calls: 1, dest: "Bus", condition: "RetriesExhausted", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:Fn:FnVersion",
			functionError: "Unhandled", responsePayload: `{"errorMessage":"v","errorType":"Failure"}`,
		},
		{
			name: "nothing configured: three attempts, then dropped", method: "POST", path: "/other", body: `{"fail":"lost"}`,
			calls: 3, log: `async async-1 OtherFn \(POST /other\): failed after 3 attempts: function error: .*; dropped: OtherFn:\$LATEST has no on-failure destination, and Lambda drops the event`,
		},
		{
			name: "SAM alias named by a parameter: retries from a parameter, to the queue SAM creates", method: "POST", path: "/sam", body: `{"fail":"s"}`,
			calls: 1, dest: "SamFnEventInvokeConfigOnFailureQueue", condition: "RetriesExhausted", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:SamFn:prod",
			functionError: "Unhandled", responsePayload: `{"errorMessage":"s","errorType":"Failure"}`,
		},
		{
			name: "SAM function without alias: $LATEST, successes to a function", method: "POST", path: "/sam-latest", body: `{"n":1}`,
			calls: 1, dest: "OtherFn", condition: "Success", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:SamPlain:$LATEST",
			responsePayload: `{"done":{"n":1}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, fake, log, dir := destinationsServer(t)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body)))
			require.Equal(t, 200, w.Code, w.Body.String())
			s.Drain(10 * time.Second)
			out := log.String()
			if tc.log != "" {
				assert.Regexp(t, tc.log, out)
			}
			calls := fake.calls()
			require.Len(t, calls, tc.calls, "attempts\n%s", out)
			for _, id := range calls {
				assert.Equal(t, calls[0], id, "every attempt has the same request ID")
			}
			assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, calls[0])
			files := recordFiles(t, dir)
			if tc.dest == "" {
				assert.Empty(t, files, "no record is delivered")
				assert.NotContains(t, out, " record to ")
				return
			}
			require.Len(t, files, 1, "one destination folder: %v", files)
			require.Len(t, files[tc.dest], 1, "one record in %s: %v", tc.dest, files)
			b, err := os.ReadFile(files[tc.dest][0])
			require.NoError(t, err)
			assert.True(t, strings.HasSuffix(files[tc.dest][0], "-"+tc.condition+".json"), files[tc.dest][0])

			var r struct {
				Version, Timestamp string
				RequestContext     map[string]any
				RequestPayload     json.RawMessage
				ResponseContext    map[string]any
				ResponsePayload    json.RawMessage
			}
			require.NoError(t, json.Unmarshal(b, &r), string(b))
			assert.Equal(t, "1.0", r.Version)
			_, err = time.Parse("2006-01-02T15:04:05.000Z", r.Timestamp)
			assert.NoError(t, err, "timestamp %q", r.Timestamp)
			assert.Equal(t, map[string]any{"requestId": calls[0], "functionArn": tc.functionArn, "condition": tc.condition,
				"approximateInvokeCount": float64(tc.calls)}, r.RequestContext)
			assert.JSONEq(t, tc.body, string(r.RequestPayload))
			wantContext := map[string]any{"statusCode": float64(200), "executedVersion": "$LATEST"}
			if tc.functionError != "" {
				wantContext["functionError"] = tc.functionError
			}
			assert.Equal(t, wantContext, r.ResponseContext)
			assert.JSONEq(t, tc.responsePayload, string(r.ResponsePayload))
			// The log line is the record, as the file holds it.
			line := regexpLine(t, out, " record to ")
			assert.JSONEq(t, string(b), line[strings.Index(line, ": {")+2:])
		})
	}
}

// regexpLine is the one line of out that contains s.
func regexpLine(t *testing.T, out, s string) string {
	t.Helper()
	var found []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			found = append(found, l)
		}
	}
	require.Len(t, found, 1, out)
	return found[0]
}

// TestRecordOrder: record files sort in the order they were delivered,
// also when the clock goes back.
func TestRecordOrder(t *testing.T) {
	rs := &records{dir: t.TempDir()}
	d := &Destination{Name: "DLQ"}
	start := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	var paths []string
	for i, at := range []time.Duration{0, 0, time.Second, -time.Hour, 2 * time.Second} {
		r := Record{Version: "1.0", RequestPayload: json.RawMessage(`{"n":` + string(rune('0'+i)) + `}`), RequestContext: RequestContext{Condition: ConditionRetriesExhausted}}
		p, err := rs.write(d, r, start.Add(at))
		require.NoError(t, err)
		paths = append(paths, p)
	}
	assert.True(t, sort.StringsAreSorted(paths), "%q", paths)
	assert.Equal(t, "20261126T100000.000000Z-000001-RetriesExhausted.json", filepath.Base(paths[0]))
	entries, err := os.ReadDir(filepath.Join(rs.dir, "DLQ"))
	require.NoError(t, err)
	require.Len(t, entries, 5, "no temporary file left")
	for i, e := range entries {
		b, err := os.ReadFile(filepath.Join(rs.dir, "DLQ", e.Name()))
		require.NoError(t, err)
		assert.Contains(t, string(b), `"n": `+string(rune('0'+i)), "ordered as delivered")
	}
}

// TestShutdownDeliversNothing: an invocation that shutdown cuts short is
// logged once, not retried, and has no record, though its function has an
// on-failure destination; one that never started likewise.
func TestShutdownDeliversNothing(t *testing.T) {
	s, fake, log, dir := destinationsServer(t, 1)
	for range 2 {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("POST", "/latest", strings.NewReader(`{"slow":true}`)))
		require.Equal(t, 200, w.Code)
	}
	require.Eventually(t, func() bool { return len(fake.calls()) == 1 }, 5*time.Second, time.Millisecond)
	s.Drain(50 * time.Millisecond)
	out := log.String()
	assert.Regexp(t, `async async-1 Fn \(POST /latest\): cut short by shutdown after \S+ \(attempt 1\); not retried`, out)
	assert.Regexp(t, `async async-2 Fn \(POST /latest\): abandoned at shutdown before it started`, out)
	assert.Equal(t, 1, strings.Count(out, "async-1"), out)
	assert.Equal(t, 1, strings.Count(out, "async-2"), out)
	assert.Len(t, fake.calls(), 1)
	assert.Empty(t, recordFiles(t, dir))
}

// TestTargets: what each route invokes, and the configuration it gets.
func TestTargets(t *testing.T) {
	s, _, log, _ := destinationsServer(t)
	got := map[string]string{}
	for _, r := range s.Routes() {
		got[r.Method+" "+r.Path] = r.target.String()
	}
	assert.Equal(t, map[string]string{
		"POST /latest":     "Fn:$LATEST",
		"POST /alias":      "Fn:live",
		"PUT /alias":       "Fn:live",
		"PATCH /alias":     "Fn:prod",
		"POST /version":    "Fn:FnVersion",
		"POST /other":      "OtherFn:$LATEST",
		"POST /sam":        "SamFn:prod",
		"POST /sam-latest": "SamPlain:$LATEST",
	}, got)
	out := log.String()
	for _, line := range []string{
		"Fn:$LATEST: asynchronous invocations: 1 retry, events kept 6h, on success to Topic, on failure to DLQ (Resources.FnAsyncInvokeConfig.Properties)",
		"Fn:live: asynchronous invocations: 2 retries, events kept 60s, on failure to arn:aws:sqs:us-east-1:123456789012:shared-dlq (Resources.LiveConfig.Properties)",
		"OtherFn:$LATEST: asynchronous invocations: 2 retries, events kept 6h, no on-failure destination (a failed event is dropped) (Lambda's defaults: nothing configures it)",
		"SamFn:prod: asynchronous invocations: 0 retries, events kept 6h, on failure to SamFnEventInvokeConfigOnFailureQueue (Resources.SamFn.Properties.EventInvokeConfig)",
	} {
		assert.Contains(t, out, line)
	}
	assert.Equal(t, 1, strings.Count(out, "Fn:live: asynchronous invocations"), "one line per target")
}

// TestAsyncConfigs: the settings read from a template, and what cannot be
// read said.
func TestAsyncConfigs(t *testing.T) {
	tt, err := parse.Template([]byte(`
Parameters:
  Age: {Type: Number, Default: 120}
  Secret: {Type: String, NoEcho: true, Default: "arn:aws:sqs:us-east-1:123456789012:secret-queue"}
Conditions:
  Prod: !Equals [a, b]
Globals:
  Function:
    EventInvokeConfig: {MaximumRetryAttempts: 1, DestinationConfig: {OnFailure: {Type: SNS, Destination: !Ref Alerts}}}
Resources:
  Fn: {Type: AWS::Lambda::Function}
  Bad:
    Type: AWS::Lambda::EventInvokeConfig
    Properties: {FunctionName: !Ref Fn, Qualifier: $LATEST, MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: !Ref Age}
  Again:
    Type: AWS::Lambda::EventInvokeConfig
    Properties: {FunctionName: !Ref Fn, Qualifier: $LATEST, MaximumRetryAttempts: 0}
  Elsewhere:
    Type: AWS::Lambda::EventInvokeConfig
    Properties: {FunctionName: other-function, Qualifier: $LATEST}
  Conditional:
    Type: AWS::Lambda::EventInvokeConfig
    Condition: Prod
    Properties: {FunctionName: !Ref Fn, Qualifier: !Ref Nope}
  Staged:
    Type: AWS::Lambda::EventInvokeConfig
    Condition: Prod
    Properties: {FunctionName: !Ref Fn, Qualifier: staged}
  Sam:
    Type: AWS::Serverless::Function
    Properties:
      EventInvokeConfig: {MaximumEventAgeInSeconds: 300, DestinationConfig: {OnSuccess: {Type: EventBridge, Destination: !If [Prod, a, b]}}}
  Hidden:
    Type: AWS::Lambda::EventInvokeConfig
    Properties: {FunctionName: !Ref Fn, Qualifier: hidden, DestinationConfig: {OnFailure: {Destination: !Ref Secret}}}
  ProdOnly:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Fn
      Qualifier: prod
      MaximumRetryAttempts: !If [Prod, 0, 1]
      MaximumEventAgeInSeconds: !If [Prod, !Ref AWS::NoValue, 60]
      DestinationConfig: {OnFailure: !If [Prod, {Destination: !Ref Alerts}, !Ref AWS::NoValue]}
  Alerts: {Type: AWS::SNS::Topic}
`))
	require.NoError(t, err)
	configs, warnings := AsyncConfigs(tt, nil)
	assert.Equal(t, map[Target]AsyncConfig{
		{"Fn", "$LATEST"}: {MaximumRetryAttempts: 2, MaximumEventAge: 2 * time.Minute, Source: "Resources.Bad.Properties"},
		{"Fn", "staged"}:  {MaximumRetryAttempts: 2, MaximumEventAge: DefaultEventAge, Source: "Resources.Staged.Properties"},
		{"Sam", "$LATEST"}: {MaximumRetryAttempts: 1, MaximumEventAge: 5 * time.Minute, Source: "Resources.Sam.Properties.EventInvokeConfig",
			OnSuccess: &Destination{Name: "a", ARN: "a"}, OnFailure: &Destination{Name: "Alerts", ARN: "!Ref Alerts"}},
		// A NoEcho parameter's value is never shown, nor a folder's name.
		{"Fn", "hidden"}: {MaximumRetryAttempts: 2, MaximumEventAge: DefaultEventAge, Source: "Resources.Hidden.Properties",
			OnFailure: &Destination{Name: "Secret", ARN: "!Ref Secret (NoEcho)"}},
		// Settings under a condition, as the macro writes them: conditions
		// are taken as true.
		{"Fn", "prod"}: {MaximumRetryAttempts: 0, MaximumEventAge: DefaultEventAge, Source: "Resources.ProdOnly.Properties",
			OnFailure: &Destination{Name: "Alerts", ARN: "!Ref Alerts"}},
	}, configs)
	assert.Equal(t, []string{
		"Resources.Bad.Properties.MaximumRetryAttempts: 5 is not a whole number from 0 to 2, as Lambda requires; Fn gets Lambda's default, 2",
		"Resources.Bad.Properties and Resources.Again.Properties both configure the asynchronous invocation of Fn:$LATEST; CloudFormation would fail to create the second; the first applies here",
		"Resources.Elsewhere.Properties.FunctionName: other-function is not a function of this template; its settings are not applied here",
		"Resources.Conditional.Properties.Qualifier: cannot tell which alias or version !Ref Nope is; its settings are not applied here",
		"Resources.Staged.Properties: Resources.Staged has Condition Prod, which this server does not evaluate; its settings apply",
		"Resources.Sam.Properties.EventInvokeConfig.DestinationConfig.OnSuccess.Destination: Fn::If on condition Prod, which this server does not evaluate; its first branch applies",
		"Resources.ProdOnly.Properties.MaximumRetryAttempts: Fn::If on condition Prod, which this server does not evaluate; its first branch applies",
		"Resources.ProdOnly.Properties.MaximumEventAgeInSeconds: Fn::If on condition Prod, which this server does not evaluate; its first branch applies",
		"Resources.ProdOnly.Properties.DestinationConfig.OnFailure: Fn::If on condition Prod, which this server does not evaluate; its first branch applies",
	}, warnings)
}

// TestEventAgeInQueue: an event that waits in the queue past its maximum
// event age is never attempted; its record has no response.
func TestEventAgeInQueue(t *testing.T) {
	s, fake, log, dir := destinationsServer(t, 1)
	for _, body := range []string{`{"ageBy":61,"hold":true}`, `{"queued":true}`} { // the first takes 61s, the second waits
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("POST", "/alias", strings.NewReader(body)))
		require.Equal(t, 200, w.Code)
	}
	close(fake.hold) // both are queued: let the first take its time
	s.Drain(10 * time.Second)
	assert.Len(t, fake.calls(), 1, "the second event is not attempted")
	assert.Regexp(t, `async async-2 Fn \(POST /alias\): 1m1(\.\d+)?s old, older than its maximum event age \(60s\); not attempted\n`, log.String())
	files := recordFiles(t, dir)["arn_aws_sqs_us-east-1_123456789012_shared-dlq"]
	require.Len(t, files, 1)
	b, err := os.ReadFile(files[0])
	require.NoError(t, err)
	var r map[string]any
	require.NoError(t, json.Unmarshal(b, &r))
	assert.Equal(t, map[string]any{"queued": true}, r["requestPayload"])
	assert.Equal(t, "EventAgeExceeded", r["requestContext"].(map[string]any)["condition"])
	assert.Equal(t, float64(0), r["requestContext"].(map[string]any)["approximateInvokeCount"])
	assert.NotContains(t, r, "responseContext")
	assert.NotContains(t, r, "responsePayload")
}
