package local

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPermission: a Lambda route is served only when the template's
// permissions let API Gateway invoke what it invokes, from its API,
// through its method, by the rules the macro adds permissions by
// (macro.Permitted); else it is broken, and said to be.
func TestPermission(t *testing.T) {
	tt := readTemplate(t, "permissions.yaml")
	tests := []struct {
		name       string
		route      string // METHOD /path
		parameters map[string]any
		permitted  bool
	}{
		{"a permission for its API", "POST /a", nil, true},
		{"a permission for another API only", "POST /b", nil, false},
		{"a permission for another method only", "POST /c", nil, false},
		{"a permission for its method (a proxy integration)", "GET /c", nil, true},
		{"a permission on an alias only, the function invoked", "POST /d", nil, false},
		{"the alias invoked, its permission without SourceArn", "POST /e", nil, true},
		{"Credentials: API Gateway calls Lambda with a role, no permission needed", "POST /f", nil, true},
		{"no permission", "PUT /f", nil, false},
		{"a permission on an alias a parameter names, another one by default", "POST /g", nil, false},
		{"a permission on an alias a parameter names, given as the one invoked", "POST /g", map[string]any{"AliasName": "live"}, true},
		{"an OpenAPI operation, permitted through its method", "POST /h", nil, true},
		{"an OpenAPI operation, another method of the path", "GET /h", nil, false},
		{"an OpenAPI operation under its base path (basepath: prepend)", "POST /v1/i", nil, true},
		{"an OpenAPI operation under its base path, another method", "GET /v1/i", nil, false},
		{"an OpenAPI operation in the first branch of Fn::If (conditions are taken as true)", "PUT /i", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			routes, warnings := Routes(tt, tc.parameters, "")
			var r *Route
			for i := range routes {
				if routes[i].Method+" "+routes[i].Path == tc.route {
					r = &routes[i]
				}
			}
			require.NotNil(t, r, "no route %s", tc.route)
			if tc.permitted {
				assert.Empty(t, r.Broken)
				for _, w := range warnings {
					assert.NotContains(t, w, tc.route+" ")
				}
				return
			}
			assert.Contains(t, r.Broken, "the template gives API Gateway no permission to invoke "+r.FunctionID+" from "+tc.route+" of "+r.API)
			assert.Contains(t, warnings, r.warning())
		})
	}
}

// TestPermissionWarning: what a route without permission says.
func TestPermissionWarning(t *testing.T) {
	tt := readTemplate(t, "permissions.yaml")
	_, warnings := Routes(tt, nil, "")
	assert.Contains(t, warnings, "POST /b (Resources.OtherAPI): the template gives API Gateway no permission to invoke FnB from POST /b of Api (no AWS::Lambda::Permission for apigateway.amazonaws.com on it, or on the alias or version the integration invokes, whose SourceArn covers this method); API Gateway would answer 500")
}
