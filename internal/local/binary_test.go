package local

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBinaryBodies: a body whose Content-Type is one of the API's binary
// media types reaches a proxy integration's function base64-encoded, with
// isBase64Encoded true, and an Event: proxy route's (whose integration
// converts it to text) the same way; any other body is text, even when it
// is not UTF-8: what is not is replaced, as an upload of a type API Gateway
// does not treat as binary arrives corrupted.
func TestBinaryBodies(t *testing.T) {
	s, fake, _ := testdataServer(t, "binary.yaml")
	require.Empty(t, s.Warnings())
	png := "\x89PNG\r\n\x1a\n\x00\xff"
	tests := []struct {
		name, path, contentType, body string
		want                          string // the event's body
		base64                        bool
	}{
		{"proxy: a binary media type", "/proxy", "image/png", png, base64.StdEncoding.EncodeToString([]byte(png)), true},
		{"proxy: a binary media type, whose bytes happen to be UTF-8", "/proxy", "image/png", "PNG", "UE5H", true},
		{"proxy: one from a CommaDelimitedList parameter", "/proxy", "application/pdf", png, base64.StdEncoding.EncodeToString([]byte(png)), true},
		{"proxy: a wildcard", "/proxy", "font/woff2; q=1", png, base64.StdEncoding.EncodeToString([]byte(png)), true},
		{"proxy: text", "/proxy", "text/plain", "héllo", "héllo", false},
		{"proxy: text that is not UTF-8", "/proxy", "text/plain", "a\xffb\xc3", "a\uFFFDb\uFFFD", false},
		{"proxy: an image of a type that is not binary", "/proxy", "image/jpeg", png, "\uFFFDPNG\r\n\x1a\n\x00\uFFFD", false},
		{"Event: proxy: a binary media type", "/async", "image/png", png, base64.StdEncoding.EncodeToString([]byte(png)), true},
		{"Event: proxy: text", "/async", "application/json", `{"a": "é"}`, `{"a": "é"}`, false},
		{"a RestApi Body's x-amazon-apigateway-binary-media-types", "/imported", "application/zip", png, base64.StdEncoding.EncodeToString([]byte(png)), true},
		// SAM writes the Api's BinaryMediaTypes, Globals' here, into its
		// DefinitionBody in place of the document's own list.
		{"a SAM Api's document's, which SAM replaces with Globals'", "/sam", "application/octet-stream", png, "\uFFFDPNG\r\n\x1a\n\x00\uFFFD", false},
		{"SAM's Globals", "/sam", "image/gif", png, base64.StdEncoding.EncodeToString([]byte(png)), true},
		{"another API's type is not binary here", "/sam", "image/png", "text", "text", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			received := func() []string {
				fake.mu.Lock()
				defer fake.mu.Unlock()
				return slices.Clone(fake.payloads)
			}
			before := len(received())
			w := call(s, "POST", tc.path, tc.body, "Content-Type", tc.contentType)
			require.Less(t, w.Code, 300, w.Body.String())
			require.Eventually(t, func() bool { return len(received()) == before+1 }, 5*time.Second, time.Millisecond)
			payload := received()[before]
			var ev events.APIGatewayProxyRequest
			require.NoError(t, json.Unmarshal([]byte(payload), &ev), payload)
			assert.Equal(t, tc.want, ev.Body)
			assert.Equal(t, tc.base64, ev.IsBase64Encoded)
		})
	}
}

// TestBinaryAnswers: a proxy integration's base64 answer (isBase64Encoded)
// is decoded when the request's first Accept media type is one of the
// API's binary media types, and answered as the base64 text otherwise.
func TestBinaryAnswers(t *testing.T) {
	s, _, _ := testdataServer(t, "binary.yaml")
	tests := []struct{ accept, want string }{
		{"image/png", "hi"},
		{"image/png, text/html", "hi"},
		{"text/html, image/png", "aGk="},
		{"*/*", "aGk="},
		{"", "aGk="},
	}
	for _, tc := range tests {
		t.Run(tc.accept, func(t *testing.T) {
			w := call(s, "POST", "/proxy", "{}", "Accept", tc.accept)
			assert.Equal(t, 201, w.Code)
			assert.Equal(t, tc.want, w.Body.String())
		})
	}
}

// TestContentHandling: CONVERT_TO_BINARY gives the integration a text body
// base64-decoded; a body that is not base64 cannot be converted, and API
// Gateway answers 500.
func TestContentHandling(t *testing.T) {
	s, _, log := testdataServer(t, "binary.yaml")
	w := call(s, "POST", "/decode", base64.StdEncoding.EncodeToString([]byte(`{"a": 1}`)), "Content-Type", "text/plain")
	assert.Equal(t, 200, w.Code)
	assert.JSONEq(t, `{"a": 1}`, w.Body.String(), "the fake echoes its event")
	w = call(s, "POST", "/decode", `{"a": 1}`, "Content-Type", "text/plain")
	assert.Equal(t, 500, w.Code)
	assert.Contains(t, log.String(), "POST /decode: the body is not base64, which ContentHandling CONVERT_TO_BINARY reads a text body as; API Gateway answers 500")
}

// TestBinaryMediaTypesWarning: binary media types this server cannot read
// are said at start-up, where they are.
func TestBinaryMediaTypesWarning(t *testing.T) {
	tt, err := parse.Template([]byte(`
Conditions:
  Images: !Equals [a, a]
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {BinaryMediaTypes: [application/zip, !If [Images, image/png, !Ref AWS::NoValue], font/woff2]}
  Method:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: POST, Integration: {Type: MOCK}}
`))
	require.NoError(t, err)
	_, warnings := Routes(tt, nil, "")
	assert.Equal(t, []string{`Resources.Api.Properties.BinaryMediaTypes: {"Fn::If":["Images","image/png",{"Ref":"AWS::NoValue"}]}: not a binary media type this server can read; it takes the API's others only (application/zip, font/woff2)`}, warnings)
}
