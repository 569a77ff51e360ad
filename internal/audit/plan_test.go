package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// planText writes a plan with the fake's address made fixed.
func planText(t *testing.T, p *Plan, cl *Clients) string {
	var b bytes.Buffer
	require.NoError(t, p.WriteText(&b))
	return strings.ReplaceAll(b.String(), cl.Config.EndpointURL, "http://127.0.0.1:PORT")
}

// TestPlanGolden: the plans for the README's example API.
func TestPlanGolden(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		fix   FixOptions
		file  string
		state string
	}{
		{"always, no --method: the synchronous method, deployed to prod", Options{Stage: "prod"}, FixOptions{Mode: Async}, "plan-always.txt", ""},
		{"client, no --method: the synchronous method, and the client one repaired", Options{Stage: "prod"}, FixOptions{Mode: Client}, "plan-client-all.txt", ""},
		{"client, two methods named, no stage", Options{Methods: []string{"POST /jobs", "GET /jobs/{id}"}}, FixOptions{Mode: Client}, "plan-client.txt", ""},
		{"a proxy method named", Options{Methods: []string{"ANY /legacy/{proxy+}"}}, FixOptions{Mode: Async}, "plan-proxy.txt", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, cl := example(t)
			tc.opts.RestAPIID = awsfake.ExampleAPI
			r, err := Run(context.Background(), cl, tc.opts)
			require.NoError(t, err)
			tc.fix.Methods = tc.opts.Methods
			golden(t, tc.file, planText(t, r.Plan(tc.fix), cl))
			assert.Empty(t, f.Mutations(), "a plan changes nothing")
		})
	}
}

// TestNothingWithoutApply: auditing and planning, written as text and as
// JSON, make no call that changes anything.
func TestNothingWithoutApply(t *testing.T) {
	f, cl := example(t)
	for _, mode := range []Class{Async, Client} {
		r, err := Run(context.Background(), cl, Options{RestAPIID: awsfake.ExampleAPI, Stage: "prod"})
		require.NoError(t, err)
		p := r.Plan(FixOptions{Mode: mode, Methods: []string{"POST /jobs", "PUT /jobs/{id}", "GET /jobs/{id}"}})
		require.NotEmpty(t, p.Steps)
		require.NoError(t, p.WriteText(&bytes.Buffer{}))
		require.NoError(t, p.WriteJSON(&bytes.Buffer{}))
	}
	assert.NotEmpty(t, f.Requests())
	assert.Empty(t, f.Mutations())
}

// call is a request as the fake recorded it, with its body decoded, so
// that two clients' requests compare.
type call struct {
	Method, Path string
	Query        url.Values
	Body         any
}

func calls(t *testing.T, rs []awsfake.Request) []call {
	var out []call
	for _, r := range rs {
		path, err := url.PathUnescape(r.Path)
		require.NoError(t, err)
		q, _ := url.ParseQuery(r.Query)
		c := call{Method: r.Method, Path: path, Query: q}
		if r.Body != "" {
			require.NoError(t, json.Unmarshal([]byte(r.Body), &c.Body), r.Body)
		}
		out = append(out, c)
	}
	return out
}

// TestApply: --apply sends exactly the planned calls, one per step in
// order, and afterwards the methods are asynchronous, permitted and
// deployed.
func TestApply(t *testing.T) {
	for _, mode := range []Class{Async, Client} {
		t.Run(string(mode), func(t *testing.T) {
			f, cl := example(t)
			o := Options{RestAPIID: awsfake.ExampleAPI, Stage: "prod", Methods: []string{"POST /jobs", "PUT /jobs/{id}", "GET /jobs/{id}"}}
			r, err := Run(context.Background(), cl, o)
			require.NoError(t, err)
			p := r.Plan(FixOptions{Mode: mode, Methods: o.Methods})
			var progress bytes.Buffer
			require.NoError(t, p.Apply(context.Background(), cl, &progress))
			got := calls(t, f.Mutations())
			require.Len(t, got, len(p.Steps))
			for i, s := range p.Steps {
				want := stepCall(t, s)
				assert.Equal(t, want.Method, got[i].Method, "step %d", i+1)
				assert.Equal(t, want.Path, got[i].Path, "step %d", i+1)
			}
			assert.Equal(t, len(p.Steps), strings.Count(progress.String(), "applied "))

			after, err := Run(context.Background(), cl, o)
			require.NoError(t, err)
			assert.Empty(t, after.Problems)
			for _, row := range after.Methods {
				assert.Equal(t, mode, row.Invocation.Class, row.Key())
				assert.Equal(t, Permitted, row.Permission.State, row.Key())
				assert.Equal(t, UpToDate, row.Deployed.State, row.Key())
			}
			// Applied twice, the plan is empty: nothing is done again.
			again := after.Plan(FixOptions{Mode: mode, Methods: o.Methods})
			assert.Empty(t, again.Steps)
		})
	}
}

// stepCall is the request a step makes, as its command says: the HTTP
// method and the path the SDK sends it to.
func stepCall(t *testing.T, s Step) call {
	args := s.Command
	flag := func(name string) string {
		for i, a := range args {
			if a == name && i+1 < len(args) {
				return args[i+1]
			}
		}
		return ""
	}
	api, res, method := flag("--rest-api-id"), flag("--resource-id"), flag("--http-method")
	base := "/restapis/" + api + "/resources/" + res + "/methods/" + method
	switch args[2] {
	case "update-integration":
		return call{Method: http.MethodPatch, Path: base + "/integration"}
	case "update-method":
		return call{Method: http.MethodPatch, Path: base}
	case "put-method-response":
		return call{Method: http.MethodPut, Path: base + "/responses/" + flag("--status-code")}
	case "put-integration-response":
		return call{Method: http.MethodPut, Path: base + "/integration/responses/" + flag("--status-code")}
	case "put-integration":
		return call{Method: http.MethodPut, Path: base + "/integration"}
	case "create-deployment":
		return call{Method: http.MethodPost, Path: "/restapis/" + api + "/deployments"}
	case "add-permission":
		return call{Method: http.MethodPost, Path: "/2015-03-31/functions/" + flag("--function-name") + "/policy"}
	}
	t.Fatalf("unknown command %v", args)
	return call{}
}

// withReports is the example API with one more method, made without any
// response: a plan for it puts a method response and an integration
// response too.
func withReports(f *awsfake.Fake) {
	a := awsfake.Example(f)
	a.Method("/reports", "POST", `{"methodIntegration": {"type": "AWS", "httpMethod": "POST", "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:reader/invocations"}}`)
}

// runCLI runs the AWS CLI on each argument list in one Python process
// (its start-up takes seconds), as the aws command does.
const runCLI = `
import json, sys
from awscli.clidriver import create_clidriver
for args in json.load(sys.stdin):
    rc = create_clidriver().main(args[1:])
    if rc != 0:
        sys.exit("aws %s: exit %d" % (" ".join(args[1:3]), rc))
`

// TestCommandsMakeTheSameCalls: the plan's printed commands, split into
// arguments by bash and run with the AWS CLI against a second fake, make
// exactly the calls --apply makes through the SDK: the same requests, to
// the same paths, with the same bodies (the proxy event's templates
// included, quotes and all), for every kind of step. (Skipped where the AWS
// CLI is not installed.)
func TestCommandsMakeTheSameCalls(t *testing.T) {
	if err := exec.Command("python3", "-c", "import awscli").Run(); err != nil {
		t.Skip("the AWS CLI is not installed for python3 (pip install awscli): the printed commands are not run")
	}
	o := Options{RestAPIID: awsfake.ExampleAPI, Stage: "prod", Methods: []string{"POST /jobs", "PUT /jobs/{id}", "GET /jobs/{id}", "POST /reports", "ANY /legacy/{proxy+}"}}
	sdk := awsfake.New(awsfake.ExampleAccount, awsfake.ExampleRegion)
	withReports(sdk)
	cl := serve(t, sdk)
	r, err := Run(context.Background(), cl, o)
	require.NoError(t, err)
	p := r.Plan(FixOptions{Mode: Client, Methods: o.Methods[:4]})
	proxy := r.Plan(FixOptions{Mode: Async, Event: "proxy", Methods: o.Methods[4:]})
	p.Steps = append(p.Steps, proxy.Steps...)
	kinds := map[string]bool{}
	for _, s := range p.Steps {
		kinds[s.Command[2]] = true
	}
	assert.Len(t, kinds, 7, "every kind of step: %v", kinds)
	require.NoError(t, p.Apply(context.Background(), cl, &bytes.Buffer{}))

	cli := awsfake.New(awsfake.ExampleAccount, awsfake.ExampleRegion)
	withReports(cli)
	srv := httptest.NewServer(cli)
	defer srv.Close()
	var argvs [][]string
	for _, s := range p.Steps {
		line := ShellLine(s.Command)
		out, err := exec.Command("bash", "-c", `args() { printf '%s\0' "$@"; }; args `+line).Output()
		require.NoError(t, err, line)
		argv := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
		require.Equal(t, s.Command, argv, "bash reads the printed line as the command's arguments")
		for i, a := range argv {
			argv[i] = strings.ReplaceAll(a, cl.Config.EndpointURL, srv.URL)
		}
		argvs = append(argvs, argv)
	}
	cmd := exec.Command("python3", "-c", runCLI)
	cmd.Stdin = strings.NewReader(mustJSON(argvs))
	cmd.Env = append(os.Environ(), "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, calls(t, sdk.Mutations()), calls(t, cli.Mutations()))
}

// TestApplyFailure: a step that fails stops the plan, with one clear
// message: which step, its command, what the endpoint answered, and what
// had been done.
func TestApplyFailure(t *testing.T) {
	f := awsfake.New(awsfake.ExampleAccount, awsfake.ExampleRegion)
	awsfake.Example(f)
	fakeEnv(t)
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	srv := httptest.NewServer(awsfake.NotImplemented(f, func(r *http.Request) bool { return r.Method == http.MethodPatch }))
	defer srv.Close()
	cl, err := Connect(context.Background(), Config{Region: awsfake.ExampleRegion, EndpointURL: srv.URL})
	require.NoError(t, err)
	r, err := Run(context.Background(), cl, Options{RestAPIID: awsfake.ExampleAPI, Methods: []string{"GET /jobs/{id}"}})
	require.NoError(t, err)
	p := r.Plan(FixOptions{Mode: Client, Methods: []string{"GET /jobs/{id}"}})
	require.Len(t, p.Steps, 2)
	err = p.Apply(context.Background(), cl, &bytes.Buffer{})
	require.Error(t, err)
	msg := strings.ReplaceAll(err.Error(), srv.URL, "URL")
	assert.Equal(t, `step 1 of 2 failed: updating the method GET /jobs/{id}: UpdateMethod: the endpoint answered HTTP 500 with no error of the service's own (an emulator answers so for an operation it does not implement)
  aws apigateway update-method --rest-api-id a1b2c3d4e5 --resource-id res0003 --http-method GET --patch-operations '[{"op":"add","path":"/requestParameters/method.request.header.InvocationType","value":"false"}]' --region us-east-1 --endpoint-url URL
nothing was changed; run the audit again to see where the API stands`, msg)
}
