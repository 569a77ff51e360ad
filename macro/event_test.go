package macro_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/vtl"
	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ProxyEventVector is one file of testdata/proxyevent: what a mapping
// template reads for one request, and the Lambda proxy event the template
// selected for its content type must make of it (or the status API Gateway
// answers when no template is selected). The README in that folder
// describes the format; go test ./tests renders every vector with an
// independent Velocity implementation.
type ProxyEventVector struct {
	Description      string
	ContentType      *string  // the request's Content-Type; null when it has none
	BinaryMediaTypes []string // the API's
	Request          struct {
		Context        map[string]any
		Params         map[string]map[string]string // $input.params(): header, querystring, path
		StageVariables map[string]string
		Body           string // the body as the template gets it (base64 for a binary media type); $input.body reads "" as {}
	}
	Status int             // 415 when no template is selected
	Event  json.RawMessage // the expected event
}

func proxyEventVectors(t *testing.T) map[string]ProxyEventVector {
	t.Helper()
	files, err := filepath.Glob("testdata/proxyevent/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	vectors := map[string]ProxyEventVector{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		var v ProxyEventVector
		dec := json.NewDecoder(bytes.NewReader(src))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&v), f)
		vectors[strings.TrimSuffix(filepath.Base(f), ".json")] = v
	}
	return vectors
}

// selectTemplate is the request template API Gateway selects for a
// content type among ProxyRequestTemplates: by media type, without
// parameters, in any case; application/json when there is no Content-Type.
func selectTemplate(ts []macro.ContentTemplate, contentType *string) (macro.ContentTemplate, bool) {
	t := "application/json"
	if contentType != nil {
		t, _, _ = strings.Cut(*contentType, ";")
	}
	for _, c := range ts {
		if strings.EqualFold(c.ContentType, strings.TrimSpace(t)) {
			return c, true
		}
	}
	return macro.ContentTemplate{}, false
}

// TestProxyEventVectors: every expected event is an event a Go handler
// written for the proxy integration reads (it decodes into
// events.APIGatewayProxyRequest, with no field aws-lambda-go does not know),
// and says what the request said; every vector has a template, or expects
// the 415 of a content type without one.
func TestProxyEventVectors(t *testing.T) {
	for name, v := range proxyEventVectors(t) {
		t.Run(name, func(t *testing.T) {
			tmpl, selected := selectTemplate(macro.ProxyRequestTemplates(v.BinaryMediaTypes), v.ContentType)
			if v.Status != 0 {
				assert.Equal(t, 415, v.Status)
				assert.False(t, selected, "a template is selected for %s", *v.ContentType)
				assert.Empty(t, v.Event)
				return
			}
			require.True(t, selected, "no template for %v", v.ContentType)
			ctx, params := v.Request.Context, v.Request.Params
			var ev events.APIGatewayProxyRequest
			dec := json.NewDecoder(bytes.NewReader(withoutUnmodeled(t, v.Event, ctx)))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&ev))

			assert.Equal(t, ctx["httpMethod"], ev.HTTPMethod)
			assert.Equal(t, ctx["resourcePath"], ev.Resource)
			assert.Equal(t, ctx["requestId"], ev.RequestContext.RequestID)
			assert.Equal(t, ctx["path"], ev.RequestContext.Path)
			assert.True(t, strings.HasSuffix(ctx["path"].(string), strings.TrimSuffix(ev.Path, "/")), "path %q is the end of the request path %q", ev.Path, ctx["path"])
			wantBody := v.Request.Body
			if _, typed := params["header"]["Content-Type"]; wantBody == "" && typed && !ev.IsBase64Encoded {
				wantBody = "{}" // $input.body reads an empty body as {}: with a Content-Type the template keeps it (README)
			}
			assert.Equal(t, wantBody, ev.Body)
			assert.Equal(t, strings.Contains(tmpl.Template, `"isBase64Encoded":true`), ev.IsBase64Encoded)
			for _, m := range []struct {
				name   string
				single map[string]string
				multi  map[string][]string
				want   map[string]string
			}{
				{"headers", ev.Headers, ev.MultiValueHeaders, params["header"]},
				{"query", ev.QueryStringParameters, ev.MultiValueQueryStringParameters, params["querystring"]},
				{"path", ev.PathParameters, nil, params["path"]},
				{"stage variables", ev.StageVariables, nil, v.Request.StageVariables},
			} {
				if len(m.want) == 0 {
					assert.Nil(t, m.single, "%s: null when there are none", m.name)
					assert.Nil(t, m.multi, "%s: null when there are none", m.name)
					continue
				}
				assert.Equal(t, m.want, m.single, m.name)
				if m.name == "headers" || m.name == "query" {
					for k, val := range m.want {
						assert.Equal(t, []string{val}, m.multi[k], "%s %s: one value", m.name, k)
					}
				}
			}
		})
	}
}

// unmodeled are the identity fields of API Gateway's proxy event that
// aws-lambda-go's APIGatewayRequestIdentity has no field for, and whether
// the event has them (null) when $context.identity does not: principalOrgId
// always, vpcId and vpceId on private APIs only (recorded events of public
// and private APIs).
var unmodeled = []struct {
	name   string
	always bool
}{{"principalOrgId", true}, {"vpcId", false}, {"vpceId", false}}

// withoutUnmodeled checks the unmodeled identity fields of a vector's event
// against the request's $context.identity, and returns the event without
// them, for a strict decoding into events.APIGatewayProxyRequest.
func withoutUnmodeled(t *testing.T, event json.RawMessage, ctx map[string]any) []byte {
	t.Helper()
	var ev map[string]any
	require.NoError(t, json.Unmarshal(event, &ev))
	rc, _ := ev["requestContext"].(map[string]any)
	identity, _ := rc["identity"].(map[string]any)
	require.NotNil(t, identity, "requestContext.identity")
	given, _ := ctx["identity"].(map[string]any)
	for _, f := range unmodeled {
		got, has := identity[f.name]
		want, set := given[f.name]
		switch {
		case set:
			assert.Equal(t, want, got, "identity.%s", f.name)
		case f.always:
			assert.True(t, has, "identity.%s is in every event", f.name)
			assert.Nil(t, got, "identity.%s is null when API Gateway does not set it", f.name)
		default:
			assert.False(t, has, "identity.%s is only in the events of private APIs", f.name)
		}
		delete(identity, f.name)
	}
	out, err := json.Marshal(ev)
	require.NoError(t, err)
	return out
}

// TestProxyRequestTemplates: a template for each text content type and
// each binary media type without a wildcard, whose isBase64Encoded says
// whether API Gateway treats the type as binary (the only difference
// between them, with how {} is read); and small, since each one is
// repeated in the processed template for each content type of each method.
func TestProxyRequestTemplates(t *testing.T) {
	tests := []struct {
		name   string
		binary []string
		want   map[string]bool // content type: isBase64Encoded
	}{
		{"none", nil, map[string]bool{"application/json": false, "application/x-www-form-urlencoded": false, "text/plain": false}},
		{"one", []string{"image/png"}, map[string]bool{"application/json": false, "application/x-www-form-urlencoded": false, "text/plain": false, "image/png": true}},
		{"SAM's ~1 and a repeat in another case", []string{"image~1png", "IMAGE/PNG"}, map[string]bool{"application/json": false, "application/x-www-form-urlencoded": false, "text/plain": false, "image/png": true}},
		{"a text type listed as binary", []string{"text/plain"}, map[string]bool{"application/json": false, "application/x-www-form-urlencoded": false, "text/plain": true}},
		{"a wildcard covers text types", []string{"*/*"}, map[string]bool{"application/json": true, "application/x-www-form-urlencoded": true, "text/plain": true}},
		{"a wildcard of one type", []string{"text/*", "application/pdf"}, map[string]bool{"application/json": false, "application/x-www-form-urlencoded": false, "text/plain": true, "application/pdf": true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]bool{}
			for _, c := range macro.ProxyRequestTemplates(tc.binary) {
				assert.Equal(t, macro.ProxyEventTemplate(c.Template == macro.ProxyEventTemplate(true)), c.Template)
				got[c.ContentType] = c.Template == macro.ProxyEventTemplate(true)
			}
			assert.Equal(t, tc.want, got)
		})
	}
	text, binary := macro.ProxyEventTemplate(false), macro.ProxyEventTemplate(true)
	// the two differ in isBase64Encoded, and in reading {} as no body whatever the Content-Type (base64 has no braces)
	assert.Equal(t, strings.NewReplacer(`"isBase64Encoded":false`, `"isBase64Encoded":true`, `(false || !$typed)`, `(true || !$typed)`).Replace(text), binary)
	assert.LessOrEqual(t, len(text), 4000, "each Event: proxy method carries this template once per content type; the README gives its size")
	assert.NotContains(t, text, "E($", "every E( is written out")
}

// TestProxyEventNotes: for a method of a REST API defined elsewhere, Event:
// proxy cannot see the API's binary media types, and says so (check's
// W4001); for one of the template's, it says nothing.
func TestProxyEventNotes(t *testing.T) {
	for _, tc := range []struct {
		api  string
		want string
	}{
		{"!Ref Api", ""},
		{"!ImportValue shared-api", "cannot see the binary media types of the REST API"},
	} {
		t.Run(tc.api, func(t *testing.T) {
			tmpl, err := parse.Template([]byte(`
Resources:
  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a}}
  Worker: {Type: AWS::Lambda::Function, Properties: {Handler: bootstrap, Runtime: provided.al2023, Role: r, Code: {ZipFile: x}}}
  M:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: ` + tc.api + `
      ResourceId: r
      HttpMethod: POST
      AsyncInvoke: {Mode: always, Event: proxy}
      Integration: {Uri: !GetAtt Worker.Arn}
`))
			require.NoError(t, err)
			stats, err := macro.Expand(tmpl, nil)
			require.NoError(t, err)
			var notes []string
			for _, n := range stats.Notes {
				if strings.Contains(n.Message, "binary media types") {
					notes = append(notes, n.Error())
				}
			}
			if tc.want == "" {
				assert.Empty(t, notes)
				return
			}
			require.Len(t, notes, 1)
			assert.Contains(t, notes[0], "Resources.M.Properties.Integration.RequestTemplates: Event: proxy "+tc.want)
		})
	}
}

// TestProxyEventAgain: expanding again, the request templates the macro
// wrote follow the API's binary media types: a template for a type the API
// no longer lists as binary is removed, one whose isBase64Encoded no longer
// fits is replaced; a template of the author's is refused, never replaced.
func TestProxyEventAgain(t *testing.T) {
	quote := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	text, binary := quote(macro.ProxyEventTemplate(false)), quote(macro.ProxyEventTemplate(true))
	tests := []struct {
		name      string
		binary    string // the API's BinaryMediaTypes
		templates string // the integration's RequestTemplates
		want      map[string]bool
		refused   string
	}{
		{"image/png dropped from the binary media types", "[]", `{application/json: ` + text + `, image/png: ` + binary + `}`,
			map[string]bool{"application/json": false, "application/x-www-form-urlencoded": false, "text/plain": false}, ""},
		{"*/* added: every template base64", "['*/*']", `{application/json: ` + text + `, text/plain: ` + text + `}`,
			map[string]bool{"application/json": true, "application/x-www-form-urlencoded": true, "text/plain": true}, ""},
		{"the author's template for a binary media type", "[image/png]", `{image/png: "$input.body"}`, nil,
			"Resources.M.Properties.Integration.RequestTemplates.image/png: is a request template of your own"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := parse.Template([]byte(`
Resources:
  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a, BinaryMediaTypes: ` + tc.binary + `}}
  Worker: {Type: AWS::Lambda::Function, Properties: {Handler: bootstrap, Runtime: provided.al2023, Role: r, Code: {ZipFile: x}}}
  M:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: r
      HttpMethod: POST
      AsyncInvoke: {Mode: always, Event: proxy}
      Integration: {Uri: !GetAtt Worker.Arn, RequestTemplates: ` + tc.templates + `}
`))
			require.NoError(t, err)
			_, err = macro.Expand(tmpl, nil)
			if tc.refused != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.refused)
				return
			}
			require.NoError(t, err)
			out, err := json.Marshal(tmpl)
			require.NoError(t, err)
			var doc struct {
				Resources struct {
					M struct {
						Properties struct {
							Integration struct{ RequestTemplates map[string]string }
						}
					}
				}
			}
			require.NoError(t, json.Unmarshal(out, &doc))
			got := map[string]bool{}
			for k, v := range doc.Resources.M.Properties.Integration.RequestTemplates {
				require.Contains(t, []string{macro.ProxyEventTemplate(false), macro.ProxyEventTemplate(true)}, v, k)
				got[k] = v == macro.ProxyEventTemplate(true)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestProxyEventTemplateEvaluated renders the request template of Event:
// proxy on every vector with internal/vtl, the evaluator local start-api
// serves templates with, and compares its output, parsed as JSON, with the
// vector's event (go test ./tests does the same with velocityjs).
func TestProxyEventTemplateEvaluated(t *testing.T) {
	for name, v := range proxyEventVectors(t) {
		if v.Status != 0 {
			continue // no template is selected: TestProxyEventVectors checks it
		}
		t.Run(name, func(t *testing.T) {
			tmpl, selected := selectTemplate(macro.ProxyRequestTemplates(v.BinaryMediaTypes), v.ContentType)
			require.True(t, selected)
			p, err := vtl.Parse(tmpl.Template)
			require.NoError(t, err)
			r, err := p.Execute(vtl.Variables{
				Body:           v.Request.Body,
				Params:         vtl.Params{Path: v.Request.Params["path"], QueryString: v.Request.Params["querystring"], Header: v.Request.Params["header"]},
				Context:        v.Request.Context,
				StageVariables: v.Request.StageVariables,
			})
			require.NoError(t, err)
			var got, want any
			require.NoError(t, json.Unmarshal([]byte(r.Output), &got), "the template's output is not JSON:\n%s", r.Output)
			require.NoError(t, json.Unmarshal(v.Event, &want))
			assert.Equal(t, want, got)
			assert.Empty(t, r.Notices)
		})
	}
}
