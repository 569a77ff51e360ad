package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/cli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSAMChain: with Transform [AsyncInvoke, AWS::Serverless-2016-10-31] the
// macro's output translates cleanly with the SAM translator, the translated
// template still carries the asynchronous configuration, and cfn-lint passes.
func TestSAMChain(t *testing.T) {
	tmpl, translated := expandAndTranslate(t, "../examples/jobs.yaml")

	integration := func(id string) map[string]any {
		return tmpl.Resources[id].Properties["Integration"].(map[string]any)
	}
	assert.Equal(t, "'Event'", integration("StartJob")["RequestParameters"].(map[string]any)["integration.request.header.X-Amz-Invocation-Type"])
	assert.Equal(t, "method.request.header.InvocationType", integration("RunJob")["RequestParameters"].(map[string]any)["integration.request.header.X-Amz-Invocation-Type"])

	api := tmpl.Resources["ReportsApi"]
	require.Equal(t, "AWS::ApiGateway::RestApi", api.Type, "SAM made the RestApi")
	post := api.Properties["Body"].(map[string]any)["paths"].(map[string]any)["/reports"].(map[string]any)["post"].(map[string]any)
	in := post["x-amazon-apigateway-integration"].(map[string]any)
	assert.Equal(t, "aws", in["type"])
	assert.Equal(t, "'Event'", in["requestParameters"].(map[string]any)["integration.request.header.X-Amz-Invocation-Type"])
	assert.NotContains(t, post, "x-async-invoke")

	assert.Equal(t, map[string]any{"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${WorkerFunction.Arn}:live/invocations"}, in["uri"], "the alias is kept")

	var permissions []string
	for _, r := range tmpl.Resources {
		if r.Type == "AWS::Lambda::Permission" && r.Properties["Principal"] == "apigateway.amazonaws.com" {
			fn, _ := json.Marshal(r.Properties["FunctionName"])
			src, _ := json.Marshal(r.Properties["SourceArn"])
			permissions = append(permissions, string(fn)+" "+string(src))
		}
	}
	const sourceARN = `{"Fn::Sub":"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${%s}/*/*"}`
	assert.ElementsMatch(t, []string{
		`{"Ref":"WorkerFunctionAliaslive"} ` + fmt.Sprintf(sourceARN, "JobsApi"),
		`{"Ref":"WorkerFunctionAliaslive"} ` + fmt.Sprintf(sourceARN, "ReportsApi"),
	}, permissions, "one per (alias, API): every method invokes the alias")

	// StartJob's OnFailure: the alias it invokes gets the configuration, and
	// the function's role may send to the queue.
	assertInvokeConfig(t, tmpl, "WorkerFunction", "live", "JobFailures")

	f := filepath.Join(t.TempDir(), "translated.json")
	require.NoError(t, os.WriteFile(f, translated, 0o644))
	lint(t, f)
}

// samTemplate is the part of a translated template the tests read.
type samTemplate struct {
	Transform any
	Resources map[string]struct {
		Type       string
		Properties map[string]any
	}
}

// expandAndTranslate expands a template with the asyncinvoke command and
// translates the result with the SAM translator, as CloudFormation runs
// [AsyncInvoke, AWS::Serverless-2016-10-31].
func expandAndTranslate(t *testing.T, file string) (samTemplate, []byte) {
	t.Helper()
	var expanded, stderr bytes.Buffer
	code := cli.Main([]string{"expand", "-o", "json", file}, cli.IO{Stdout: &expanded, Stderr: &stderr})
	require.Equal(t, 0, code, stderr.String())

	cmd := exec.Command("python3", "sam/translate.py")
	cmd.Stdin = &expanded
	cmd.Env = append(os.Environ(), "AWS_DEFAULT_REGION=us-east-1")
	var translated, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &translated, &errs
	require.NoError(t, cmd.Run(), "the SAM translator refused the expanded template (pip install aws-sam-translator):\n%s", errs.String())

	var tmpl samTemplate
	require.NoError(t, json.Unmarshal(translated.Bytes(), &tmpl))
	assert.Nil(t, tmpl.Transform, "no transform is left")
	return tmpl, translated.Bytes()
}

// assertInvokeConfig checks that the translated template has exactly one
// AWS::Lambda::EventInvokeConfig, for fn's qualifier, with an on-failure
// SQS queue that fn's role may send to.
func assertInvokeConfig(t *testing.T, tmpl samTemplate, fn, qualifier, queue string) {
	t.Helper()
	var configs []map[string]any
	for _, r := range tmpl.Resources {
		if r.Type == "AWS::Lambda::EventInvokeConfig" {
			configs = append(configs, r.Properties)
		}
	}
	require.Len(t, configs, 1)
	assert.Equal(t, map[string]any{"Ref": fn}, configs[0]["FunctionName"])
	assert.Equal(t, qualifier, configs[0]["Qualifier"], "on what API Gateway invokes")
	destination := map[string]any{"Fn::GetAtt": []any{queue, "Arn"}}
	assert.Equal(t, map[string]any{"OnFailure": map[string]any{"Destination": destination}}, configs[0]["DestinationConfig"])

	role := tmpl.Resources[fn+"Role"]
	statement := map[string]any{"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": destination}
	found := false
	for _, p := range role.Properties["Policies"].([]any) {
		doc := p.(map[string]any)["PolicyDocument"].(map[string]any)
		for _, s := range doc["Statement"].([]any) {
			found = found || assert.ObjectsAreEqual(statement, s)
		}
	}
	assert.True(t, found, "%sRole may send to %s: %v", fn, queue, role.Properties["Policies"])
}

// TestSAMChainAlias: a SAM function with AutoPublishAlias, invoked through
// its alias (${Worker.Arn}:live in a document, !Ref Worker.Alias on a
// method), translates with the async configuration and the qualified URI
// kept, and exactly one permission for API Gateway, on the alias.
func TestSAMChainAlias(t *testing.T) {
	tmpl, translated := expandAndTranslate(t, "testdata/sam/alias.yaml")
	alias := ""
	for id, r := range tmpl.Resources {
		if r.Type == "AWS::Lambda::Alias" {
			alias = id
		}
	}
	require.NotEmpty(t, alias, "SAM made the alias")

	method := tmpl.Resources["StartJob"].Properties["Integration"].(map[string]any)
	assert.Equal(t, "method.request.header.InvocationType", method["RequestParameters"].(map[string]any)["integration.request.header.X-Amz-Invocation-Type"])
	assert.Equal(t, map[string]any{"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + alias + "}/invocations"}, method["Uri"])

	post := tmpl.Resources["Api"].Properties["Body"].(map[string]any)["paths"].(map[string]any)["/reports"].(map[string]any)["post"].(map[string]any)
	in := post["x-amazon-apigateway-integration"].(map[string]any)
	assert.Equal(t, "'Event'", in["requestParameters"].(map[string]any)["integration.request.header.X-Amz-Invocation-Type"])
	assert.Equal(t, map[string]any{"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Worker.Arn}:live/invocations"}, in["uri"])

	var permissions []map[string]any
	for _, r := range tmpl.Resources {
		if r.Type == "AWS::Lambda::Permission" && r.Properties["Principal"] == "apigateway.amazonaws.com" {
			permissions = append(permissions, r.Properties)
		}
	}
	require.Len(t, permissions, 1, "one permission: both methods invoke the alias from one API")
	assert.Equal(t, map[string]any{"Ref": alias}, permissions[0]["FunctionName"], "on the alias, not the function")

	assertInvokeConfig(t, tmpl, "Worker", "live", "DLQ")

	f := filepath.Join(t.TempDir(), "translated.json")
	require.NoError(t, os.WriteFile(f, translated, 0o644))
	lint(t, f)
}

// TestSAMChainGlobals: local paths in Globals (Function CodeUri, as
// serverless-patterns' cognito-restapi has it) and in resources (a function's
// CodeUri, a layer's ContentUri) are taken as sam package uploads them, so
// the template translates; a managed policy given by its name resolves.
func TestSAMChainGlobals(t *testing.T) {
	tmpl, translated := expandAndTranslate(t, "testdata/sam/globals.yaml")
	uploaded := map[string]any{"S3Bucket": "artifacts", "S3Key": "code.zip"}
	for _, fn := range []string{"Worker", "Other"} {
		assert.Equal(t, uploaded, tmpl.Resources[fn].Properties["Code"], fn)
	}
	layers := 0
	for _, r := range tmpl.Resources {
		if r.Type == "AWS::Lambda::LayerVersion" { // SharedXXXXXXXXXX: SAM names each version
			layers++
			assert.Equal(t, uploaded, r.Properties["Content"])
		}
	}
	assert.Equal(t, 1, layers)
	assert.Contains(t, tmpl.Resources["WorkerRole"].Properties["ManagedPolicyArns"], "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess")

	integration := tmpl.Resources["Start"].Properties["Integration"].(map[string]any)
	assert.Equal(t, "'Event'", integration["RequestParameters"].(map[string]any)["integration.request.header.X-Amz-Invocation-Type"])
	assertInvokeConfig(t, tmpl, "Worker", "$LATEST", "Failures")

	f := filepath.Join(t.TempDir(), "translated.json")
	require.NoError(t, os.WriteFile(f, translated, 0o644))
	lint(t, f)
}
