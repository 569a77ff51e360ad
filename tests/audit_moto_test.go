package tests

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/cli"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deploymentID is where the report names the stage's deployment, whose ID
// moto makes up.
var deploymentID = regexp.MustCompile(`deployment \w+,`)

// motoServer starts moto's server (Python moto 5.2, moto_server) on a free
// port for the test and returns its URL, or skips the test where moto is
// not installed.
func motoServer(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Skip("moto is not installed, so asyncinvoke audit is not tried against moto's server: pip install 'moto[server]>=5.2'")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var log syncBuffer
	cmd.Stdout, cmd.Stderr = &log, &log
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) // its process group: the shim and Python
		_ = cmd.Wait()
	})
	u := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(u + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return u
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer on %s within 60s:\n%s", u, log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// createRole creates an IAM role in moto, which checks that a function's
// role exists: IAM's query API, signed as the SDK signs.
func createRole(t *testing.T, endpoint, name string) string {
	form := url.Values{"Action": {"CreateRole"}, "Version": {"2010-05-08"}, "RoleName": {name},
		"AssumeRolePolicyDocument": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}}
	body := form.Encode()
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}, req, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now())
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	return "arn:aws:iam::123456789012:role/" + name
}

// TestAuditMoto: the read path against moto's server. An API made through
// the SDK as the console makes one (asynchronous, client, synchronous,
// mock and proxy methods; permissions for some), audited: the table is
// compared; then --fix --apply, which moto cannot do (it answers 500 to
// UpdateMethod and UpdateIntegration), fails with one clear message.
func TestAuditMoto(t *testing.T) {
	endpoint := motoServer(t)
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1"} {
		t.Setenv(k, v)
	}
	for _, k := range []string{"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	gw := apigateway.NewFromConfig(cfg, func(o *apigateway.Options) { o.BaseEndpoint = aws.String(endpoint) })
	lm := lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.BaseEndpoint = aws.String(endpoint) })

	role := createRole(t, endpoint, "worker-role")
	var code bytes.Buffer
	z := zip.NewWriter(&code)
	w, _ := z.Create("bootstrap")
	_, _ = w.Write([]byte("#!/bin/sh\n"))
	require.NoError(t, z.Close())
	functionARN := map[string]string{}
	for _, name := range []string{"worker", "reader", "legacy"} {
		out, err := lm.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Role: aws.String(role), Runtime: lambdatypes.RuntimeProvidedal2023,
			Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: code.Bytes()}})
		require.NoError(t, err)
		functionARN[name] = *out.FunctionArn
	}

	api, err := gw.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("jobs")})
	require.NoError(t, err)
	id := *api.Id
	res, err := gw.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &id})
	require.NoError(t, err)
	root := *res.Items[0].Id
	resource := func(parent, part string) string {
		out, err := gw.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &id, ParentId: &parent, PathPart: &part})
		require.NoError(t, err)
		return *out.Id
	}
	jobs := resource(root, "jobs")
	job := resource(jobs, "{id}")
	health := resource(root, "health")
	legacy := resource(resource(root, "legacy"), "{proxy+}")
	uri := func(fn string) *string {
		return aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + functionARN[fn] + "/invocations")
	}
	method := func(resourceID, httpMethod string, params map[string]bool, in apigateway.PutIntegrationInput, responses bool) {
		_, err := gw.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: &resourceID, HttpMethod: &httpMethod, AuthorizationType: aws.String("NONE"), RequestParameters: params})
		require.NoError(t, err)
		in.RestApiId, in.ResourceId, in.HttpMethod = &id, &resourceID, &httpMethod
		_, err = gw.PutIntegration(ctx, &in)
		require.NoError(t, err)
		if responses {
			_, err = gw.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &id, ResourceId: &resourceID, HttpMethod: &httpMethod, StatusCode: aws.String("200")})
			require.NoError(t, err)
			_, err = gw.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &id, ResourceId: &resourceID, HttpMethod: &httpMethod, StatusCode: aws.String("200")})
			require.NoError(t, err)
		}
	}
	method(jobs, "POST", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"), Uri: uri("worker"),
		RequestParameters: map[string]string{"integration.request.header.X-Amz-Invocation-Type": "'Event'"}}, true)
	method(job, "PUT", map[string]bool{"method.request.header.InvocationType": false}, apigateway.PutIntegrationInput{Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"), Uri: uri("worker"),
		RequestParameters: map[string]string{"integration.request.header.X-Amz-Invocation-Type": "method.request.header.InvocationType"}}, true)
	method(job, "GET", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"), Uri: uri("reader")}, true)
	method(health, "GET", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}, true)
	method(legacy, "ANY", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: uri("legacy")}, false)
	source := "arn:aws:execute-api:us-east-1:123456789012:" + id
	for _, p := range []struct{ fn, sid, source string }{{"worker", "post-jobs", source + "/*/POST/jobs"}, {"reader", "get-job", source + "/*/GET/jobs/*"}, {"legacy", "legacy", source + "/*/*/legacy/*"}} {
		_, err := lm.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(p.fn), StatementId: aws.String(p.sid), Action: aws.String("lambda:InvokeFunction"),
			Principal: aws.String("apigateway.amazonaws.com"), SourceArn: aws.String(p.source)})
		require.NoError(t, err)
	}
	_, err = lm.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("worker"), MaximumRetryAttempts: aws.Int32(1),
		DestinationConfig: &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: aws.String("arn:aws:sqs:us-east-1:123456789012:job-failures")}}})
	require.NoError(t, err)
	_, err = gw.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")})
	require.NoError(t, err)

	run := func(args ...string) (int, string, string) {
		var out, errs bytes.Buffer
		code := cli.Main(append(append([]string{"audit", "--rest-api-id", id}, args...), "--endpoint-url", endpoint, "--region", "us-east-1"), cli.IO{Stdout: &out, Stderr: &errs})
		text := deploymentID.ReplaceAllString(strings.ReplaceAll(out.String(), id, "API_ID"), "deployment DEPLOYMENT_ID,")
		return code, text, strings.ReplaceAll(errs.String(), endpoint, "ENDPOINT")
	}
	exit, stdout, stderr := run("--stage", "prod")
	assert.Equal(t, 1, exit, stderr) // PUT /jobs/{id} has no permission
	golden := filepath.Join("testdata", "audit-moto.txt")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(stdout), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), stdout)

	// Without --stage, permissions are checked for each stage the API has
	// (GetStages): one granted stage by stage, as CDK writes it, covers.
	cdk := resource(root, "cdk")
	method(cdk, "POST", nil, apigateway.PutIntegrationInput{Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"), Uri: uri("reader"),
		RequestParameters: map[string]string{"integration.request.header.X-Amz-Invocation-Type": "'Event'"}}, true)
	for _, stage := range []string{"prod", "test-invoke-stage"} {
		_, err := lm.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("reader"), StatementId: aws.String("cdk-" + stage), Action: aws.String("lambda:InvokeFunction"),
			Principal: aws.String("apigateway.amazonaws.com"), SourceArn: aws.String(source + "/" + stage + "/POST/cdk")})
		require.NoError(t, err)
	}
	exit, stdout, stderr = run("--method", "POST /cdk")
	assert.Equal(t, 0, exit, "%s%s", stdout, stderr)
	assert.Contains(t, stdout, "Stages: prod (a permission must cover the calls from each; --stage checks one)\n")
	assert.Regexp(t, `POST +/cdk +AWS +async +reader +yes `, stdout)

	exit, _, stderr = run("--fix", "--mode", "client", "--method", "GET /jobs/{id}", "--apply")
	assert.Equal(t, 3, exit, "--apply stopped: the audit could not finish")
	assert.True(t, strings.HasPrefix(stderr, "asyncinvoke: step 1 of 2 failed: updating the method GET /jobs/{id}: UpdateMethod: the endpoint answered HTTP 500 with no error of the service's own (an emulator answers so for an operation it does not implement)\n"), stderr)
	assert.NotContains(t, stderr, "RequestID")
	assert.NotContains(t, stderr, "<")
	assert.Equal(t, 3, strings.Count(stderr, "\n"), "one message: the failure, its command, what was done:\n%s", stderr)
}
