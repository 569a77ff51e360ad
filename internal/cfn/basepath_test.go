package cfn_test

import (
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocumentBasePath follows the developer guide's examples (basePath
// /a/b/c: ignore gives /e, prepend /a/b/c/e, split /b/c/e) and its rules
// for OpenAPI 3 (the first basePath server variable, else the first
// server's url).
func TestDocumentBasePath(t *testing.T) {
	tests := []struct {
		name, typ, props, doc string
		want                  string
		ok                    bool
	}{
		{"no Parameters: ignore", cfn.TypeRestAPI, `{}`, `{swagger: "2.0", basePath: /a/b/c}`, "", true},
		{"ignore", cfn.TypeRestAPI, `{Parameters: {basepath: ignore}}`, `{swagger: "2.0", basePath: /a/b/c}`, "", true},
		{"prepend", cfn.TypeRestAPI, `{Parameters: {basepath: prepend}}`, `{swagger: "2.0", basePath: /a/b/c}`, "/a/b/c", true},
		{"split", cfn.TypeRestAPI, `{Parameters: {basepath: split}}`, `{swagger: "2.0", basePath: /a/b/c}`, "/b/c", true},
		{"split of one part", cfn.TypeRestAPI, `{Parameters: {basepath: split}}`, `{swagger: "2.0", basePath: /v1}`, "", true},
		{"prepend of /", cfn.TypeRestAPI, `{Parameters: {basepath: prepend}}`, `{swagger: "2.0", basePath: /}`, "", true},
		{"prepend, trailing slash", cfn.TypeRestAPI, `{Parameters: {basepath: prepend}}`, `{swagger: "2.0", basePath: /v1/}`, "/v1", true},
		{"prepend, no basePath", cfn.TypeRestAPI, `{Parameters: {basepath: prepend}}`, `{swagger: "2.0"}`, "", true},
		{"SAM's Api has no Parameters: ignore", cfn.TypeSAMAPI, `{Parameters: {basepath: prepend}}`, `{swagger: "2.0", basePath: /v1}`, "", true},
		{"OpenAPI 3, a server url", cfn.TypeRestAPI, `{Parameters: {basepath: prepend}}`, `{openapi: 3.0.1, servers: [{url: "https://x.example.com/v1/api"}, {url: /other}]}`, "/v1/api", true},
		{"OpenAPI 3, a relative url", cfn.TypeRestAPI, `{Parameters: {basepath: prepend}}`, `{openapi: 3.0.1, servers: [{url: /v1}]}`, "/v1", true},
		{"OpenAPI 3, a host only", cfn.TypeRestAPI, `{Parameters: {basepath: prepend}}`, `{openapi: 3.0.1, servers: [{url: "https://x.example.com"}]}`, "", true},
		{"OpenAPI 3, url variables", cfn.TypeRestAPI, `{Parameters: {basepath: prepend}}`, `{openapi: 3.0.1, servers: [{url: "https://{host}/{stage}/x", variables: {host: {default: h}, stage: {default: v1}}}]}`, "/v1/x", true},
		{"OpenAPI 3, the basePath variable wins", cfn.TypeRestAPI, `{Parameters: {basepath: prepend}}`, `{openapi: 3.0.1, servers: [{url: "https://h/x"}, {url: "https://h/{basePath}", variables: {basePath: {default: /v2}}}]}`, "/v2", true},
		{"OpenAPI 3, no servers", cfn.TypeRestAPI, `{Parameters: {basepath: prepend}}`, `{openapi: 3.0.1}`, "", true},
		{"the mode from a parameter", cfn.TypeRestAPI, `{Parameters: {basepath: !Ref Mode}}`, `{swagger: "2.0", basePath: /a/b}`, "/b", true},
		{"a mode the template does not tell", cfn.TypeRestAPI, `{Parameters: {basepath: !ImportValue m}}`, `{swagger: "2.0", basePath: /a}`, "", false},
		{"Parameters the template does not tell", cfn.TypeRestAPI, `{Parameters: !If [C, {basepath: prepend}, {}]}`, `{swagger: "2.0", basePath: /a}`, "", false},
		{"a mode API Gateway refuses", cfn.TypeRestAPI, `{Parameters: {basepath: Prepend}}`, `{swagger: "2.0", basePath: /a}`, "", false},
		{"a base path the template does not tell", cfn.TypeRestAPI, `{Parameters: {basepath: prepend}}`, `{swagger: "2.0", basePath: !Sub "/${Stage}"}`, "", false},
		{"an unknown url variable", cfn.TypeRestAPI, `{Parameters: {basepath: prepend}}`, `{openapi: 3.0.1, servers: [{url: "https://h/{stage}"}]}`, "", false},
	}
	text := func(v any) (string, bool) {
		if k, arg, ok := tree.Only(v); ok && k == "Ref" && arg == "Mode" {
			return "split", true
		}
		s, ok := v.(string)
		return s, ok
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			props, err := parse.Document([]byte(tc.props))
			require.NoError(t, err)
			doc, err := parse.Document([]byte(tc.doc))
			require.NoError(t, err)
			got, ok := cfn.DocumentBasePath(tc.typ, props.(*tree.Object), doc.(*tree.Object), text)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
	assert.Equal(t, "/v1/jobs", cfn.ImportedPath("/v1", "/jobs"))
	assert.Equal(t, "/v1", cfn.ImportedPath("/v1", "/"))
	assert.Equal(t, "/jobs", cfn.ImportedPath("", "/jobs"))
}
