package local

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRecordedMocks: MOCK methods answer as API Gateway answered
// LocalStack's tests recorded against AWS (testdata/recorded.yaml).
func TestRecordedMocks(t *testing.T) {
	log := &syncWriter{w: &bytes.Buffer{}}
	s, err := NewServer(context.Background(), Config{Template: expanded(t, "recorded.yaml", nil), Log: log})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	require.Empty(t, s.Warnings())
	path := func(message string) string {
		return base64.StdEncoding.EncodeToString([]byte(`{"message": "` + message + `"}`))
	}
	tests := []struct {
		name, target string
		status       int
		body         string // JSON; "" for none
		header       []string
	}{
		{"{statusCode: 200}, as CDK writes for CORS preflight", "/p1/test-path", 200, "", nil},
		{"the request template's requestOverride, read by the response template", "/p2/" + path("path1"), 200, `{"response": "path was path one"}`, nil},
		{"the same, path2", "/p2/" + path("path2"), 200, `{"response": "path was path two"}`, nil},
		{"the same, else", "/p2/" + path("whatever"), 200, `{"response": "this is the else clause"}`, nil},
		{"the request template's responseOverride, read by the response template and applied", "/overrides", 444,
			`{"custom": "is also passed around", "fooHeader": "bar", "statusOverride": "444"}`, []string{"foo", "bar"}},
		{"the request template's responseOverride applied without a response template", "/overrides-no-template", 444, "", []string{"foo", "bar"}},
		{"requestOverride set by #set, put and a nested #set", "/map-assignation", 200, `{"value": "bar", "value2": "putBar", "value3": "nestedFoo"}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := call(s, "GET", tc.target, "")
			assert.Equal(t, tc.status, w.Code, w.Body.String())
			if tc.body == "" {
				assert.Empty(t, w.Body.String())
			} else {
				assert.JSONEq(t, tc.body, w.Body.String())
			}
			for i := 0; i+1 < len(tc.header); i += 2 {
				assert.Equal(t, tc.header[i+1], w.Header().Get(tc.header[i]))
			}
		})
	}
}

// TestMockStatus: the statusCode of a mock's integration request, read as
// API Gateway reads it: JSON, or a JavaScript-like object.
func TestMockStatus(t *testing.T) {
	tests := []struct {
		text   string
		status int // 0: none, API Gateway answers 500
	}{
		{`{"statusCode": 200}`, 200},                       // the developer guide's
		{"{statusCode: 200}", 200},                         // recorded against AWS (above)
		{"{ statusCode: 204 }", 204},                       // CDK's CORS preflight
		{"\n{\n  \"statusCode\": 404\n}\n", 404},           // a template's lines
		{`{'statusCode': 200, 'message': 'it\'s'}`, 200},   // single quotes
		{`{statusCode: 200, "value": 'x', }`, 200},         // a comma before the end
		{`{"statusCode": 200 ,, }`, 200},                   // more commas
		{`{statusCode: 500, headers: {a: [1, "}"]}}`, 500}, // nested values, brackets in strings
		{`{"statusCode": "200"}`, 0},                       // a string, not an integer
		{`{statusCode: '200'}`, 0},                         // the same
		{`{"statusCode": 200.5}`, 0},                       // not an integer
		{`{}`, 0},                                          // none
		{`{"other": 200}`, 0},                              // none
		{`statusCode: 200`, 0},                             // not an object
		{`{"statusCode': 200}`, 0},                         // quotes that do not match
		{`{"statusCode": 200`, 0},                          // unclosed
		{`{statusCode 200}`, 0},                            // no colon
		{`[{"statusCode": 200}]`, 0},                       // a list
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			n, ok := mockStatus(tc.text)
			assert.Equal(t, tc.status != 0, ok)
			assert.Equal(t, tc.status, n)
		})
	}
}

// TestMockWithoutStatus: a mock whose request template gives no integer
// statusCode is answered 500, as API Gateway answers a configuration error
// ("statusCode should be an integer which defined in request template",
// its execution log in joostfarla/serverless-cors-plugin#7).
func TestMockWithoutStatus(t *testing.T) {
	tt, err := parse.Template([]byte(`
Resources:
  Api: {Type: AWS::ApiGateway::RestApi}
  Mock:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: OPTIONS
      Integration:
        Type: MOCK
        RequestTemplates: {application/json: '{"status": 200}'}
        IntegrationResponses: [{StatusCode: "200"}]
`))
	require.NoError(t, err)
	log := &syncWriter{w: &bytes.Buffer{}}
	s, err := NewServer(context.Background(), Config{Template: tt, Log: log})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	w := call(s, "OPTIONS", "/", "")
	assert.Equal(t, 500, w.Code)
	assert.JSONEq(t, `{"message": "Internal server error"}`, w.Body.String())
	assert.Contains(t, log.String(), `OPTIONS /: the mock's request template gives no integer statusCode ("{\"status\": 200}"); API Gateway answers 500`)
}

// FuzzMockStatus: mockStatus never panics, and reads a JSON object with
// an integer statusCode as JSON does.
func FuzzMockStatus(f *testing.F) {
	for _, s := range []string{`{"statusCode": 200}`, "{statusCode: 200}", `{'a': [1, {"b": "}"}], statusCode: 204,}`, `{"statusCode": "x"}`, `{`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		n, ok := mockStatus(text)
		var doc map[string]json.RawMessage
		if json.Unmarshal([]byte(text), &doc) != nil {
			return
		}
		if want, err := strconv.Atoi(string(doc["statusCode"])); err == nil && (!ok || n != want) {
			t.Fatalf("%q: statusCode %d, read as %d, %v", text, want, n, ok)
		}
	})
}
