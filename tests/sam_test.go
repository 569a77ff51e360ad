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

// TestSAMConfigKeepsItsLogicalID: a SAM function's asynchronous invocation
// configuration keeps its logical ID, after SAM's transform, whoever writes
// it: SAM, from the EventInvokeConfig property the macro sets when SAM makes
// the function's role or from the function's own property, or the macro,
// when the role is the template's. A change of Role (or moving the settings
// from the function's property into the shorthand) then updates the
// configuration in place; under a new logical ID, CloudFormation would
// create a second AWS::Lambda::EventInvokeConfig for the same function and
// qualifier before it deletes the first (issue r16, finding 1).
func TestSAMConfigKeepsItsLogicalID(t *testing.T) {
	const head = `Transform: [AsyncInvoke, AWS::Serverless-2016-10-31]
Resources:
  Failures: {Type: AWS::SQS::Queue}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        openapi: 3.0.1
        info: {title: t, version: '1'}
        paths:
          /jobs:
            post:
              x-async-invoke: %s
              x-amazon-apigateway-integration: {uri: %s}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://artifacts/worker.zip
      Handler: bootstrap
      Runtime: provided.al2023
`
	const settings = "{Mode: always, OnFailure: !GetAtt Failures.Arn, MaximumRetryAttempts: 1}"
	const property = "      EventInvokeConfig: {MaximumRetryAttempts: 1, DestinationConfig: {OnFailure: {Type: SQS, Destination: !GetAtt Failures.Arn}}}\n"
	const role = "      Role: !GetAtt Role.Arn\n"
	const alias = "      AutoPublishAlias: live\n"
	for _, tc := range []struct {
		name         string
		before, then string // the template before and after the change
		qualifier    string
	}{
		{"the role changes: SAM's to the template's",
			fmt.Sprintf(head, settings, "!GetAtt Worker.Arn"), fmt.Sprintf(head, settings, "!GetAtt Worker.Arn") + role, "$LATEST"},
		{"the role changes, with AutoPublishAlias",
			fmt.Sprintf(head, settings, "!Ref Worker.Alias") + alias, fmt.Sprintf(head, settings, "!Ref Worker.Alias") + alias + role, "live"},
		{"the settings move from the function's property into the shorthand, with a role of the template",
			fmt.Sprintf(head, "always", "!GetAtt Worker.Arn") + role + property, fmt.Sprintf(head, settings, "!GetAtt Worker.Arn") + role, "$LATEST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ids [2]string
			for i, src := range []string{tc.before, tc.then} {
				file := filepath.Join(t.TempDir(), "t.yaml")
				require.NoError(t, os.WriteFile(file, []byte(src), 0o644))
				tmpl, _ := expandAndTranslate(t, file)
				for id, r := range tmpl.Resources {
					if r.Type == "AWS::Lambda::EventInvokeConfig" {
						require.Empty(t, ids[i], "one configuration")
						assert.Equal(t, map[string]any{"Ref": "Worker"}, r.Properties["FunctionName"])
						assert.Equal(t, tc.qualifier, r.Properties["Qualifier"])
						ids[i] = id
					}
				}
				require.NotEmpty(t, ids[i], "a configuration")
			}
			assert.Equal(t, ids[0], ids[1], "the same logical ID before and after the change")
		})
	}
}
