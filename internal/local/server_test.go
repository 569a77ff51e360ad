package local

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const tmpl = `
Resources:
  Api: {Type: AWS::ApiGateway::RestApi}
  Items: {Type: AWS::ApiGateway::Resource, Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: items}}
  Item: {Type: AWS::ApiGateway::Resource, Properties: {RestApiId: !Ref Api, ParentId: !Ref Items, PathPart: "{id}"}}
  Special: {Type: AWS::ApiGateway::Resource, Properties: {RestApiId: !Ref Api, ParentId: !Ref Items, PathPart: special}}
  Proxy: {Type: AWS::ApiGateway::Resource, Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: "{proxy+}"}}
  Async:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Items, HttpMethod: POST, AsyncInvoke: always, Integration: {Uri: !GetAtt Fn.Arn}}
  Sync:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Item
      HttpMethod: GET
      Integration:
        Type: AWS
        IntegrationHttpMethod: POST
        Uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
        IntegrationResponses:
          - StatusCode: "200"
          - {StatusCode: "400", SelectionPattern: "bad.*"}
  Exact:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Special, HttpMethod: ANY, Integration: {Type: MOCK, IntegrationResponses: [{StatusCode: "204", ResponseParameters: {method.response.header.X-Mock: "'yes'"}}]}}
  Templated:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Item, HttpMethod: PUT, Integration: {Type: AWS, Uri: !GetAtt Fn.Arn, RequestTemplates: {application/json: "{\"templated\": $input.path('$.a')}"}, IntegrationResponses: [{StatusCode: "200"}]}}
  ProxyAny:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Proxy, HttpMethod: ANY, Integration: {Type: AWS_PROXY, IntegrationHttpMethod: POST, Uri: !GetAtt Fn.Arn}}
  Unpermitted:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Item, HttpMethod: DELETE, Integration: {Type: AWS, Uri: !GetAtt Other.Arn, IntegrationResponses: [{StatusCode: "200"}]}}
  Http:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Item, HttpMethod: PATCH, Integration: {Type: HTTP, Uri: "https://example.com"}}
  Client:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Items, HttpMethod: PUT, AsyncInvoke: client, Integration: {Uri: !GetAtt Fn.Arn}}
  BadPattern:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Item, HttpMethod: POST, Integration: {Type: AWS, Uri: !GetAtt Fn.Arn, IntegrationResponses: [{StatusCode: "200"}, {StatusCode: "400", SelectionPattern: "bad("}]}}
  Fn: {Type: AWS::Lambda::Function}
  Other: {Type: AWS::Lambda::Function}
`

// fakeLambda answers the Lambda Invoke API: payloads with "fail" are
// function errors (with "quietfail", answered without the
// X-Amz-Function-Error header, as the emulator answers them), others are
// echoed.
type fakeLambda struct {
	calls      atomic.Int32
	mu         sync.Mutex
	payloads   []string
	requestIDs []string // the request ID each invocation ran under
}

func (f *fakeLambda) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.payloads = append(f.payloads, string(b))
	f.requestIDs = append(f.requestIDs, r.Header.Get("X-Amzn-RequestId"))
	f.mu.Unlock()
	switch {
	case bytes.Contains(b, []byte("slow")): // held until the caller gives up
		<-r.Context().Done()
		return
	case bytes.Contains(b, []byte("quietfail")):
		w.Write([]byte(`{"errorMessage":"bad input","errorType":"Oops"}`))
	case bytes.Contains(b, []byte("fail")):
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		w.Write([]byte(`{"errorMessage":"bad input","errorType":"Oops"}`))
	case bytes.Contains(b, []byte(`"httpMethod"`)): // a proxy event
		w.Write([]byte(`{"statusCode":201,"headers":{"X-From":"proxy"},"body":"aGk=","isBase64Encoded":true}`))
	default:
		w.Write(b)
	}
}

func newServer(t *testing.T, workers ...int) (*Server, *fakeLambda, *bytes.Buffer) {
	t.Helper()
	fake := &fakeLambda{}
	ts := httptest.NewServer(fake)
	t.Cleanup(ts.Close)
	tt, err := parse.Template([]byte(tmpl))
	require.NoError(t, err)
	_, err = macro.Expand(tt, nil)
	require.NoError(t, err)
	var log bytes.Buffer
	s, err := NewServer(context.Background(), Config{Template: tt, Endpoints: map[string]string{"Fn": ts.URL, "Other": ts.URL}, Log: &syncWriter{w: &log}, RetryDelays: []time.Duration{time.Millisecond, time.Millisecond}, Workers: append(workers, 0)[0]})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s, fake, &log
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func TestServe(t *testing.T) {
	s, _, _ := newServer(t)
	tests := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		want                     string // in the body
		wantHeader               []string
	}{
		{"async answers the default status, empty", "POST", "/items", `{"a":1}`, nil, 200, "", nil},
		{"sync passes the result through", "GET", "/items/7", "", nil, 200, "{}", nil},
		{"a function error selects by errorMessage", "GET", "/items/7", `{"fail":1}`, nil, 400, `"errorMessage":"bad input"`, nil},
		{"so does one without X-Amz-Function-Error, as the emulator answers", "GET", "/items/7", `{"quietfail":1}`, nil, 400, `"errorMessage":"bad input"`, nil},
		{"literal segments win over {param}", "POST", "/items/special", "", nil, 204, "", []string{"X-Mock", "yes"}},
		// The API has no binary media types: API Gateway answers the base64 text.
		{"{proxy+} takes the rest, as a proxy event", "GET", "/a/b/c", "", nil, 201, "aGk=", []string{"X-From", "proxy"}},
		{"a request template makes the event", "PUT", "/items/7", `{"a": 1}`, nil, 200, `{"templated": 1}`, nil},
		{"no permission: broken", "DELETE", "/items/7", "{}", nil, 500, "Internal server error", nil},
		{"HTTP integrations are not emulated: broken", "PATCH", "/items/7", "{}", nil, 500, "Internal server error", nil},
		{"a selection pattern that is not a regular expression: broken", "POST", "/items/7", `{"fail":1}`, nil, 500, "Internal server error", nil},
		{"a body Lambda rejects", "GET", "/items/7", "not json", nil, 500, "Internal server error", nil},
		{"an unknown method on a known path", "DELETE", "/items", "", nil, 403, "Missing Authentication Token", []string{"X-Amzn-Errortype", "MissingAuthenticationTokenException"}},
		{"an unknown path", "GET", "/", "", nil, 403, "Missing Authentication Token", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			assert.Equal(t, tc.status, w.Code, w.Body.String())
			if tc.want == "" {
				assert.Empty(t, w.Body.String())
			} else {
				assert.Contains(t, w.Body.String(), tc.want)
			}
			for i := 0; i+1 < len(tc.wantHeader); i += 2 {
				assert.Equal(t, tc.wantHeader[i+1], w.Header().Get(tc.wantHeader[i]))
			}
		})
	}
	warnings := strings.Join(s.Warnings(), "\n")
	assert.Contains(t, warnings, "no permission to invoke Other")
	assert.Contains(t, warnings, `integration type "HTTP" is not emulated`)
	assert.Contains(t, warnings, `POST /items/{id} (Resources.BadPattern): the SelectionPattern "bad(" of its integration response 400 is not a regular expression this server can read`)
}

func TestAsyncRetriesTwice(t *testing.T) {
	s, fake, log := newServer(t)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("POST", "/items", strings.NewReader(`{"fail":true}`)))
	assert.Equal(t, 200, w.Code)
	s.Drain(5 * time.Second)
	assert.EqualValues(t, 3, fake.calls.Load(), "one attempt and two retries")
	assert.Contains(t, log.String(), "failed after 3 attempts")
}

func TestProxyEvent(t *testing.T) {
	tests := []struct {
		remoteAddr, sourceIP string
	}{
		{"192.0.2.1:51234", "192.0.2.1"},
		{"[2001:db8::1]:51234", "2001:db8::1"},
		{"[::1]:3000", "::1"},
	}
	for _, tc := range tests {
		t.Run(tc.remoteAddr, func(t *testing.T) {
			s, fake, _ := newServer(t)
			req := httptest.NewRequest("POST", "/x/y?q=1&q=2", strings.NewReader("body"))
			req.Header.Set("X-Test", "v")
			req.RemoteAddr = tc.remoteAddr
			s.ServeHTTP(httptest.NewRecorder(), req)
			require.EqualValues(t, 1, fake.calls.Load())
			var ev events.APIGatewayProxyRequest
			require.NoError(t, json.Unmarshal([]byte(fake.payloads[0]), &ev))
			assert.Equal(t, "/{proxy+}", ev.Resource)
			assert.Equal(t, "/x/y", ev.Path)
			assert.Equal(t, "POST", ev.HTTPMethod)
			assert.Equal(t, "x/y", ev.PathParameters["proxy"])
			assert.Equal(t, []string{"1", "2"}, ev.MultiValueQueryStringParameters["q"])
			assert.Equal(t, "v", ev.Headers["X-Test"])
			assert.Equal(t, "body", ev.Body)
			assert.Equal(t, tc.sourceIP, ev.RequestContext.Identity.SourceIP)
		})
	}
}

func TestInvocationType(t *testing.T) {
	req := httptest.NewRequest("GET", "/?mode=Event", nil)
	req.Header.Set("invocationtype", "Event")
	tests := map[string]string{
		"":                                     "RequestResponse",
		"'Event'":                              "Event",
		"method.request.header.InvocationType": "Event",
		"method.request.header.Missing":        "RequestResponse",
		"method.request.querystring.mode":      "Event",
		"stageVariables.invocation":            "Event",
		"stageVariables.unset":                 "RequestResponse",
	}
	stage := Stage{Name: "prod", Variables: map[string]string{"invocation": "Event"}}
	for source, want := range tests {
		assert.Equal(t, want, invocationType(source, req, stage), source)
	}
}

// TestInvocationTypes: how each X-Amz-Invocation-Type is answered, and
// whether the function runs.
func TestInvocationTypes(t *testing.T) {
	tests := []struct {
		typ    string
		status int
		body   string
		calls  int32
	}{
		{"Event", 200, "", 1},
		{"RequestResponse", 200, `{"a":1}`, 1},
		// Lambda checks the call and answers 204 without running the
		// function; API Gateway answers the default integration response.
		{"DryRun", 200, "", 0},
		{"Later", 500, `{"message":"Internal server error"}`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			s, fake, log := newServer(t)
			req := httptest.NewRequest("PUT", "/items", strings.NewReader(`{"a":1}`))
			req.Header.Set("InvocationType", tc.typ)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, tc.body, w.Body.String())
			s.Drain(5 * time.Second)
			assert.Equal(t, tc.calls, fake.calls.Load(), "invocations of the function")
			assert.Contains(t, log.String(), "PUT /items "+tc.typ+" "+strconv.Itoa(tc.status))
		})
	}
}

// TestShutdown: an invocation that shutdown cuts short, or never starts,
// gets one line, and none is retried.
func TestShutdown(t *testing.T) {
	s, fake, log := newServer(t, 1)
	for range 2 {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("POST", "/items", strings.NewReader(`{"slow":true}`)))
		require.Equal(t, 200, w.Code)
	}
	require.Eventually(t, func() bool { return fake.calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	s.Drain(50 * time.Millisecond)
	out := log.String()
	assert.Regexp(t, `async async-1 Fn \(POST /items\): cut short by shutdown after \S+ \(attempt 1\); not retried`, out)
	assert.Regexp(t, `async async-2 Fn \(POST /items\): abandoned at shutdown before it started`, out)
	assert.Equal(t, 1, strings.Count(out, "async-1"), out)
	assert.Equal(t, 1, strings.Count(out, "async-2"), out)
	assert.NotContains(t, out, "retrying")
	assert.EqualValues(t, 1, fake.calls.Load())
}

// TestAfterShutdown: a request that outlives the shutdown timeout is
// answered as API Gateway answers when Lambda is unavailable, and the
// function does not run.
func TestAfterShutdown(t *testing.T) {
	tests := []struct {
		name, method, path string
		status             int
		log                string
	}{
		{"asynchronous", "POST", "/items", 500, "POST /items: the server is stopping and takes no more asynchronous invocations; as when Lambda is unavailable, API Gateway answers 500"},
		{"the client asks for Event", "PUT", "/items", 500, "PUT /items: the server is stopping"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, fake, log := newServer(t)
			s.Drain(time.Second)
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(`{"a":1}`))
			req.Header.Set("InvocationType", "Event")
			w := httptest.NewRecorder()
			require.NotPanics(t, func() { s.ServeHTTP(w, req) })
			assert.Equal(t, tc.status, w.Code)
			assert.JSONEq(t, `{"message":"Internal server error"}`, w.Body.String())
			assert.Contains(t, log.String(), tc.log)
			assert.Zero(t, fake.calls.Load())
		})
	}
}

// TestFunctionsThatCannotRun: every route of a function that cannot be
// built here is broken, and says why, as is each route of it.
func TestFunctionsThatCannotRun(t *testing.T) {
	tt, err := parse.Template([]byte(`
Resources:
  Api: {Type: AWS::ApiGateway::RestApi}
  Jobs: {Type: AWS::ApiGateway::Resource, Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: jobs}}
  Start:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Jobs, HttpMethod: POST, AsyncInvoke: always, Integration: {Uri: !GetAtt Python.Arn}}
  List:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Jobs, HttpMethod: GET, AsyncInvoke: always, Integration: {Uri: !GetAtt Python.Arn}}
  Python: {Type: AWS::Lambda::Function, Properties: {Runtime: python3.13, Code: {ZipFile: "def handler(e, c): pass"}}}
`))
	require.NoError(t, err)
	_, err = macro.Expand(tt, nil)
	require.NoError(t, err)
	s, err := NewServer(context.Background(), Config{Template: tt})
	require.NoError(t, err)
	defer s.Close()
	const why = "function Python cannot run here: only functions with a provided.* runtime and Metadata BuildMethod: makefile can run here; give its endpoint with --function-endpoint Python=URL"
	assert.Equal(t, []string{"POST /jobs (Resources.Start): " + why, "GET /jobs (Resources.List): " + why}, s.Warnings())
	for _, r := range s.Routes() {
		assert.Equal(t, why, r.Broken, r.Method)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(r.Method, "/jobs", strings.NewReader("{}")))
		assert.Equal(t, 500, w.Code)
	}
}

// TestPayloadLimits: an invocation over Lambda's payload limit for its type
// (1 MB asynchronous, 6 MB synchronous) is refused as Lambda refuses it, and
// API Gateway answers 500; one at the limit runs. So is a proxy
// integration's event, which is larger than the body.
func TestPayloadLimits(t *testing.T) {
	body := func(n int) string { return `{"a":"` + strings.Repeat("x", n-len(`{"a":""}`)) + `"}` }
	tests := []struct {
		name, typ string
		size      int
		status    int
		calls     int32
		log       string
	}{
		{"Event at the limit", "Event", cfn.MaxAsyncPayload, 200, 1, ""},
		{"Event over it", "Event", cfn.MaxAsyncPayload + 1, 500, 0, "PUT /items: the Event payload is 1048577 bytes, over Lambda's limit of 1048576 for asynchronous invocations: Lambda refuses it (413 RequestTooLargeException) and API Gateway answers 500"},
		{"RequestResponse over the asynchronous limit", "RequestResponse", cfn.MaxAsyncPayload + 1, 200, 1, ""},
		{"RequestResponse at its limit", "RequestResponse", cfn.MaxSyncPayload, 200, 1, ""},
		{"RequestResponse over it", "RequestResponse", cfn.MaxSyncPayload + 1, 500, 0, "PUT /items: the RequestResponse payload is 6291457 bytes, over Lambda's limit of 6291456 for synchronous invocations"},
		// A proxy integration's event: the body and what API Gateway adds.
		{"proxy: an event under the limit", "proxy", cfn.MaxSyncPayload - 4096, 201, 1, ""},
		{"proxy: a body at the limit makes an event over it", "proxy", cfn.MaxSyncPayload, 500, 0, "ANY /{proxy+}: the RequestResponse payload is 629"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, fake, log := newServer(t)
			b := body(tc.size)
			require.Len(t, b, tc.size)
			target := "/items"
			if tc.typ == "proxy" {
				target = "/a/b"
			}
			req := httptest.NewRequest("PUT", target, strings.NewReader(b))
			req.Header.Set("InvocationType", tc.typ)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			assert.Equal(t, tc.status, w.Code)
			if tc.status == 500 {
				assert.JSONEq(t, `{"message":"Internal server error"}`, w.Body.String())
			}
			s.Drain(5 * time.Second)
			assert.Equal(t, tc.calls, fake.calls.Load(), "invocations of the function")
			if tc.log != "" {
				assert.Contains(t, log.String(), tc.log)
			}
		})
	}
}

// TestSyncCutShort: a synchronous call that shutdown cuts short gets one
// line, as an asynchronous one does, and its caller API Gateway's 500 (the
// invocation did not answer: an invocation error, not a function's); a
// proxy integration's call too.
func TestSyncCutShort(t *testing.T) {
	tests := []struct{ method, target, line string }{
		{"GET", "/items/7", `GET /items/\{id\}: synchronous invocation of Fn cut short by shutdown after \S+; answered 500\n`},
		{"POST", "/a/b", `ANY /\{proxy\+\}: synchronous invocation of Fn cut short by shutdown after \S+; answered 500\n`},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			s, fake, log := newServer(t)
			w := httptest.NewRecorder()
			answered := make(chan struct{})
			go func() {
				defer close(answered)
				s.ServeHTTP(w, httptest.NewRequest(tc.method, tc.target, strings.NewReader(`{"slow":true}`)))
			}()
			require.Eventually(t, func() bool { return fake.calls.Load() == 1 }, 5*time.Second, time.Millisecond)
			s.Drain(50 * time.Millisecond)
			select {
			case <-answered:
			case <-time.After(5 * time.Second):
				t.Fatal("the request was not answered")
			}
			assert.Equal(t, 500, w.Code)
			assert.Regexp(t, tc.line, log.String())
			assert.NotContains(t, log.String(), "operation error")
		})
	}
}

// TestFunctionOutsideTheTemplate: a route to a function defined elsewhere
// says what to do, and does not suggest --function-endpoint, which cannot
// name it.
func TestFunctionOutsideTheTemplate(t *testing.T) {
	tt, err := parse.Template([]byte(`
Resources:
  Api: {Type: AWS::ApiGateway::RestApi}
  Start:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: POST, AsyncInvoke: {Mode: always, Permission: false}, Integration: {Uri: "arn:aws:lambda:us-east-1:123456789012:function:shared"}}
`))
	require.NoError(t, err)
	_, err = macro.Expand(tt, nil)
	require.NoError(t, err)
	s, err := NewServer(context.Background(), Config{Template: tt})
	require.NoError(t, err)
	defer s.Close()
	require.Len(t, s.Warnings(), 1)
	w := s.Warnings()[0]
	assert.Contains(t, w, "does not name a function of this template")
	assert.Contains(t, w, "declare the function, or a stand-in, in the template and point the integration at it with !GetAtt Function.Arn")
	assert.NotContains(t, w, "--function-endpoint LogicalId", "no advice that cannot work")
}
