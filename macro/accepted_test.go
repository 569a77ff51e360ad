package macro_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/vtl"
	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAcceptedTemplateEvaluated renders the response template of Accepted
// on every case of testdata/accepted-response.json with internal/vtl, the
// evaluator local start-api serves templates with (go test ./tests does the
// same with velocityjs): {"requestId": ...} with Lambda's request ID; in
// client mode only when the client's header asks for Event, with the
// status overridden to 202; a DryRun gets 204 and no body.
func TestAcceptedTemplateEvaluated(t *testing.T) {
	src, err := os.ReadFile("testdata/accepted-response.json")
	require.NoError(t, err)
	var v struct {
		Cases []struct {
			Name, Header string
			Request      struct {
				Context map[string]any
				Params  map[string]map[string]string
				Body    string
			}
			Output string
			Status int // 0: the template sets none
		}
	}
	require.NoError(t, json.Unmarshal(src, &v))
	require.NotEmpty(t, v.Cases)
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			p, err := vtl.Parse(macro.AcceptedResponseTemplate(c.Header))
			require.NoError(t, err)
			r, err := p.Execute(vtl.Variables{
				Body:    c.Request.Body,
				Params:  vtl.Params{Header: c.Request.Params["header"], QueryString: c.Request.Params["querystring"], Path: c.Request.Params["path"]},
				Context: c.Request.Context,
			})
			require.NoError(t, err)
			if c.Output == "" {
				assert.Empty(t, strings.TrimSpace(r.Output))
			} else {
				assert.JSONEq(t, c.Output, r.Output)
			}
			assert.Equal(t, c.Status, r.Status)
			assert.Empty(t, r.Notices)
		})
	}
}
