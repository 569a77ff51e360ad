package tests

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oracleCase is one template rendered by tests/vtloracle/render.js.
type oracleCase struct {
	Name     string         `json:"name"`
	Template string         `json:"template"`
	Request  map[string]any `json:"request"`
	App      bool           `json:"app"`
}

// oracleResult is what render.js made of an oracleCase.
type oracleResult struct {
	Name             string         `json:"name"`
	Output           string         `json:"output"`
	ResponseOverride map[string]any `json:"responseOverride"`
	Error            string         `json:"error"`
	App              *struct {
		Method, URL, Body, SourceIP string
		Headers                     map[string]any // content-length is a number
	} `json:"app"`
}

// renderVTL renders the cases with velocityjs (an independent Velocity
// implementation, installed by make tools into tests/vtloracle).
func renderVTL(t *testing.T, cases []oracleCase) map[string]oracleResult {
	t.Helper()
	if _, err := os.Stat("vtloracle/node_modules/velocityjs"); err != nil {
		t.Fatal("the Velocity oracle is not installed: run make tools (npm ci --prefix tests/vtloracle)")
	}
	in, err := json.Marshal(cases)
	require.NoError(t, err)
	cmd := exec.Command("node", "vtloracle/render.js")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "render.js: %s", stderr.String())
	var results []oracleResult
	require.NoError(t, json.Unmarshal(out, &results))
	byName := map[string]oracleResult{}
	for _, r := range results {
		byName[r.Name] = r
	}
	return byName
}

// proxyVector is a file of macro/testdata/proxyevent (see its README).
type proxyVector struct {
	ContentType      *string
	BinaryMediaTypes []string
	Request          map[string]any
	Status           int
	Event            json.RawMessage
}

// TestProxyEventTemplateRendered renders the request template of Event:
// proxy on every vector of macro/testdata/proxyevent with an independent
// Velocity implementation, and compares the output, parsed as JSON, with
// the vector's event; then hands the event to serverless-http, as a Node
// handler written for the proxy integration gets it, and checks that the
// handler sees the request: method, path, query, headers, body byte for
// byte.
func TestProxyEventTemplateRendered(t *testing.T) {
	files, err := filepath.Glob("../macro/testdata/proxyevent/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	vectors := map[string]proxyVector{}
	var cases []oracleCase
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		var v proxyVector
		require.NoError(t, json.Unmarshal(src, &v), f)
		if v.Status != 0 {
			continue // no template is selected: TestProxyEventVectors checks it
		}
		ct := "application/json"
		if v.ContentType != nil {
			ct, _, _ = strings.Cut(*v.ContentType, ";")
		}
		tmpl := ""
		for _, c := range macro.ProxyRequestTemplates(v.BinaryMediaTypes) {
			if strings.EqualFold(c.ContentType, strings.TrimSpace(ct)) {
				tmpl = c.Template
			}
		}
		require.NotEmpty(t, tmpl, "%s: no template for %s", f, ct)
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		vectors[name] = v
		cases = append(cases, oracleCase{Name: name, Template: tmpl, Request: v.Request, App: true})
	}
	results := renderVTL(t, cases)
	for name, v := range vectors {
		t.Run(name, func(t *testing.T) {
			r := results[name]
			require.Empty(t, r.Error)
			var got, want any
			require.NoError(t, json.Unmarshal([]byte(r.Output), &got), "the template's output is not JSON:\n%s", r.Output)
			require.NoError(t, json.Unmarshal(v.Event, &want))
			assert.Equal(t, want, got)

			var ev struct {
				HTTPMethod, Path, Body string
				IsBase64Encoded        bool
				Headers                map[string]string
				QueryStringParameters  map[string]string
			}
			require.NoError(t, json.Unmarshal(v.Event, &ev))
			app := r.App
			require.NotNil(t, app)
			assert.Equal(t, ev.HTTPMethod, app.Method)
			u, err := url.Parse(app.URL)
			require.NoError(t, err)
			assert.Equal(t, ev.Path, u.Path)
			for k, val := range ev.QueryStringParameters {
				assert.Equal(t, []string{val}, u.Query()[k], "query %s", k)
			}
			for k, val := range ev.Headers {
				assert.Equal(t, val, app.Headers[strings.ToLower(k)], "header %s", k)
			}
			body := []byte(ev.Body)
			if ev.IsBase64Encoded {
				body, err = base64.StdEncoding.DecodeString(ev.Body)
				require.NoError(t, err)
			}
			seen, err := base64.StdEncoding.DecodeString(app.Body)
			require.NoError(t, err)
			assert.Equal(t, body, seen, "the handler reads the body byte for byte")
			ctx, _ := v.Request["context"].(map[string]any)
			identity, _ := ctx["identity"].(map[string]any)
			assert.Equal(t, identity["sourceIp"], app.SourceIP, "serverless-http's source IP")
		})
	}
}

// acceptedVectors are the cases of macro/testdata/accepted-response.json.
type acceptedVectors struct {
	Cases []struct {
		Name, Header string
		Request      map[string]any
		Output       string
		Status       *int
	}
}

// TestAcceptedTemplateRendered renders the response template of Accepted on
// every case of macro/testdata/accepted-response.json with velocityjs: it
// answers {"requestId": ...} with Lambda's request ID; in client mode only
// when the client's header asks for Event (with the status overridden to
// 202), a DryRun gets 204 and no body, and a synchronous call's result
// passes as it is.
func TestAcceptedTemplateRendered(t *testing.T) {
	src, err := os.ReadFile("../macro/testdata/accepted-response.json")
	require.NoError(t, err)
	var v acceptedVectors
	require.NoError(t, json.Unmarshal(src, &v))
	require.NotEmpty(t, v.Cases)
	var cases []oracleCase
	for _, c := range v.Cases {
		cases = append(cases, oracleCase{Name: c.Name, Template: macro.AcceptedResponseTemplate(c.Header), Request: c.Request})
	}
	results := renderVTL(t, cases)
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			r := results[c.Name]
			require.Empty(t, r.Error)
			if c.Output == "" {
				assert.Empty(t, strings.TrimSpace(r.Output))
			} else {
				assert.JSONEq(t, c.Output, r.Output)
			}
			var want any
			if c.Status != nil {
				want = float64(*c.Status)
			}
			assert.Equal(t, want, r.ResponseOverride["status"])
		})
	}
}
