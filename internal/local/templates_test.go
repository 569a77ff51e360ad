package local

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// templateServer serves testdata/templates.yaml, its function Fn at a
// fake Lambda that echoes its event.
func templateServer(t *testing.T) (*Server, *fakeLambda, *syncWriter) {
	t.Helper()
	return testdataServer(t, "templates.yaml")
}

// testdataServer serves a testdata template, its function Fn at a fake
// Lambda that echoes its event.
func testdataServer(t *testing.T, file string) (*Server, *fakeLambda, *syncWriter) {
	t.Helper()
	fake := &fakeLambda{}
	ts := httptest.NewServer(fake)
	t.Cleanup(ts.Close)
	log := &syncWriter{w: &bytes.Buffer{}}
	s, err := NewServer(context.Background(), Config{Template: expanded(t, file, nil), Endpoints: map[string]string{"Fn": ts.URL},
		Log: log, RetryDelays: []time.Duration{time.Millisecond}})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s, fake, log
}

// call sends a request: header holds name, value pairs.
func call(s *Server, method, target, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}

const inventory = `{"department": "produce", "categories": ["fruit", "vegetables"], "bins": [
  {"category": "fruit", "type": "apples", "price": 1.99, "unit": "pound", "quantity": 232},
  {"category": "fruit", "type": "bananas", "price": 0.19, "unit": "each", "quantity": 112},
  {"category": "vegetables", "type": "carrots", "price": 1.29, "unit": "bag", "quantity": 57}]}`

// TestTemplates: routes with the developer guide's templates answer as
// API Gateway does: request templates make the event, response templates
// the body (by the Accept header), response parameters the headers.
func TestTemplates(t *testing.T) {
	s, fake, log := templateServer(t)

	t.Run("the guide's grocery response template", func(t *testing.T) {
		w := call(s, "POST", "/grocery", inventory)
		assert.Equal(t, 200, w.Code)
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
		assert.JSONEq(t, `{"choices": [
			{"kind": "apples", "suggestedPrice": "1.99 per pound", "available": 232},
			{"kind": "bananas", "suggestedPrice": "0.19 per each", "available": 112},
			{"kind": "carrots", "suggestedPrice": "1.29 per bag", "available": 57}]}`, w.Body.String())
	})
	t.Run("the template for the Accept header", func(t *testing.T) {
		w := call(s, "POST", "/grocery", inventory, "Accept", "application/xml; q=0.9")
		assert.Equal(t, 200, w.Code)
		assert.Equal(t, "application/xml", w.Header().Get("Content-Type"))
		assert.Equal(t, `<choices><choice kind="apples"/><choice kind="bananas"/><choice kind="carrots"/></choices>`+"\n", w.Body.String())
	})
	t.Run("a function error selects its response, template and headers", func(t *testing.T) {
		w := call(s, "POST", "/grocery", `{"fail": true}`)
		assert.Equal(t, 400, w.Code)
		var got struct{ Error, Request string }
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got), w.Body.String())
		assert.Equal(t, "bad input", got.Error)
		assert.Equal(t, w.Header().Get("X-Amzn-RequestId"), got.Request, "$context.requestId is API Gateway's request ID")
		assert.Equal(t, "Unhandled", w.Header().Get("X-Function-Error"))
		fake.mu.Lock()
		lambdaID := fake.requestIDs[len(fake.requestIDs)-1]
		fake.mu.Unlock()
		assert.NotEmpty(t, lambdaID)
		assert.Equal(t, lambdaID, w.Header().Get("X-Lambda-Request-Id"), "x-amzn-RequestId of the Invoke API is the invocation's request ID")
	})
	t.Run("the guide's parameter mapping template", func(t *testing.T) {
		w := call(s, "POST", "/params/7?lang=en&lang=fr", `{"n": 1}`, "X-Quote", `say "hi"`)
		assert.Equal(t, 200, w.Code)
		var event struct {
			Params struct{ Path, Querystring, Header map[string]string }
			Body   map[string]any
			Stage  string
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &event), w.Body.String())
		assert.Equal(t, map[string]string{"id": "7"}, event.Params.Path)
		assert.Equal(t, map[string]string{"lang": "fr"}, event.Params.Querystring)
		assert.Equal(t, `say "hi"`, event.Params.Header["X-Quote"])
		assert.Equal(t, "example.com", event.Params.Header["Host"])
		assert.Equal(t, map[string]any{"n": 1.0}, event.Body)
		assert.Equal(t, "local", event.Stage)
	})
	t.Run("the guide's override of the response status", func(t *testing.T) {
		w := call(s, "POST", "/pets", `{"errors": [{"key": "GetPetRequest.petId", "message": "The value is out of range."}]}`)
		assert.Equal(t, 400, w.Code)
		assert.Equal(t, "yes", w.Header().Get("X-Overridden"))
		assert.JSONEq(t, `{"errors": [{"key": "GetPetRequest.petId", "message": "The value is out of range."}]}`, w.Body.String())
		w = call(s, "POST", "/pets", `{"id": 1}`)
		assert.Equal(t, 200, w.Code)
		assert.Empty(t, w.Header().Get("X-Overridden"))
	})
	t.Run("a mock's request template selects its response", func(t *testing.T) {
		w := call(s, "GET", "/mock", "")
		assert.Equal(t, 200, w.Code)
		assert.JSONEq(t, `{"found": true}`, w.Body.String())
		assert.Equal(t, "*", w.Header().Get("Access-Control-Allow-Origin"))
		w = call(s, "GET", "/mock?missing=yes", "")
		assert.Equal(t, 404, w.Code)
		assert.JSONEq(t, `{"found": false, "path": "/mock"}`, w.Body.String())
	})
	t.Run("the author's template makes an invocation asynchronous", func(t *testing.T) {
		calls := fake.calls.Load()
		w := call(s, "PUT", "/jobs?mode=later", `{"job": 1}`)
		assert.Equal(t, 200, w.Code)
		assert.Empty(t, w.Body.String())
		assert.Contains(t, log.String(), "PUT /jobs Event 200")
		w = call(s, "PUT", "/jobs", `{"job": 2}`)
		assert.JSONEq(t, `{"job": 2}`, w.Body.String())
		assert.Contains(t, log.String(), "PUT /jobs RequestResponse 200")
		assert.Eventually(t, func() bool { return fake.calls.Load() == calls+2 }, 5*time.Second, time.Millisecond)
	})
	t.Run("API Gateway's request ID is in its own errors too", func(t *testing.T) {
		w := call(s, "GET", "/nowhere", "")
		assert.Equal(t, 403, w.Code)
		assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, w.Header().Get("X-Amzn-RequestId"))
		assert.NotEmpty(t, w.Header().Get("X-Amz-Apigw-Id"))
	})
	t.Run("a template that fails as it runs: 500, and the place in the log", func(t *testing.T) {
		w := call(s, "PUT", "/broken", `{}`)
		assert.Equal(t, 500, w.Code)
		assert.JSONEq(t, `{"message": "Internal server error"}`, w.Body.String())
		assert.Contains(t, log.String(), "PUT /broken: the request template for application/json: line 2, column 21: substring(99, 2) is out of range")
	})
}

// TestAsyncAccepted: an asynchronous invocation's integration response is
// Lambda's 202 with its request ID in x-amzn-RequestId, which response
// parameters and templates map as API Gateway does; the ID is the one the
// function runs under.
func TestAsyncAccepted(t *testing.T) {
	s, fake, _ := templateServer(t)
	w := call(s, "POST", "/jobs", `{"job": 1}`)
	require.Equal(t, 202, w.Code, w.Body.String())
	apiID := w.Header().Get("X-Amzn-RequestId")
	assert.NotEmpty(t, apiID)
	assert.JSONEq(t, `{"requestId": "`+apiID+`"}`, w.Body.String())
	assert.Equal(t, apiID, w.Header().Get("X-Request-Id"))
	assert.Equal(t, "accepted", w.Header().Get("X-Kind"))
	assert.Empty(t, w.Header().Values("X-Status"), "Lambda sends no X-Amz-Executed-Version with 202")
	s.Drain(5 * time.Second)
	fake.mu.Lock()
	defer fake.mu.Unlock()
	require.Len(t, fake.requestIDs, 1)
	assert.Equal(t, fake.requestIDs[0], w.Header().Get("X-Lambda-Request-Id"))
	assert.NotEqual(t, apiID, fake.requestIDs[0], "API Gateway's request ID is not Lambda's")
	assert.JSONEq(t, `{"job": 1}`, fake.payloads[0])
}

// TestPassthrough: the developer guide's two examples of passthrough
// behaviors, a template for application/json or for application/xml, with
// each Content-Type and each PassthroughBehavior; and a method with no
// template at all.
func TestPassthrough(t *testing.T) {
	s, _, _ := templateServer(t)
	const transformed, asIs, refused = `{"mapped": true}`, `{"raw": 1}`, "415"
	tests := []struct {
		path, contentType string
		want              map[string]string // method (PassthroughBehavior) -> outcome
	}{
		{"/json", "", map[string]string{"POST": transformed, "PUT": transformed, "PATCH": transformed}},
		{"/json", "application/json", map[string]string{"POST": transformed, "PUT": transformed, "PATCH": transformed}},
		{"/json", "Application/JSON; charset=UTF-8", map[string]string{"POST": transformed, "PUT": transformed, "PATCH": transformed}},
		{"/json", "application/xml", map[string]string{"POST": asIs, "PUT": refused, "PATCH": refused}},
		{"/xml", "", map[string]string{"POST": asIs, "PUT": refused, "PATCH": refused}},
		{"/xml", "application/json", map[string]string{"POST": asIs, "PUT": refused, "PATCH": refused}},
		{"/xml", "application/xml", map[string]string{"POST": transformed, "PUT": transformed, "PATCH": transformed}},
		// no template: WHEN_NO_TEMPLATES passes it through, NEVER refuses it
		{"/xml", "text/plain", map[string]string{"DELETE": asIs}},
		{"/json", "application/json", map[string]string{"DELETE": refused}},
	}
	for _, tc := range tests {
		for method, want := range tc.want {
			t.Run(method+" "+tc.path+" "+tc.contentType, func(t *testing.T) {
				var header []string
				if tc.contentType != "" {
					header = []string{"Content-Type", tc.contentType}
				}
				w := call(s, method, tc.path, asIs, header...)
				if want == refused {
					assert.Equal(t, 415, w.Code)
					assert.JSONEq(t, `{"message": "Unsupported Media Type"}`, w.Body.String())
					assert.Equal(t, "UnsupportedMediaTypeException", w.Header().Get("X-Amzn-ErrorType"))
					return
				}
				assert.Equal(t, 200, w.Code)
				assert.JSONEq(t, want, w.Body.String())
			})
		}
	}
}

// TestTemplateWarnings: a template that does not parse, or a mapping API
// Gateway would not take, is said at start-up with where it is, and its
// route answers 500.
func TestTemplateWarnings(t *testing.T) {
	s, _, _ := templateServer(t)
	warnings := strings.Join(s.Warnings(), "\n")
	assert.Contains(t, warnings, "POST /broken (Resources.BrokenSyntax): its request template for application/json does not parse: line 3, column 1: #if: expected ')', found '}'")
	assert.Contains(t, warnings, "PATCH /broken (Resources.BrokenMapping): its integration response 200 maps method.response.header.X from \"method.request.header.Y\", which is not a mapping expression API Gateway takes")
	for _, method := range []string{"POST", "PATCH"} {
		assert.Equal(t, 500, call(s, method, "/broken", "{}").Code)
	}
	assert.Len(t, s.Warnings(), 2, warnings)
}
