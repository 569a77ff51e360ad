package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSAMLogicalIDs: the logical IDs package cfn gives what SAM makes are
// the ones the SAM translator gives: the alias of AutoPublishAlias for names
// with -, _ and digits, the EventInvokeConfig, and the queue and topic it
// makes for a destination without an ARN. Each function has a role of the
// template and a method that sends its failures to a queue, so the macro
// writes the configuration on SAM's alias, which waits for the alias by
// name: every DependsOn of the translated template names a resource of it.
func TestSAMLogicalIDs(t *testing.T) {
	aliases := []string{"live", "live-v2", "blue_green", "v2", "2live", "a-b_c-1", "X_-_9", "-", "__"}
	resources := map[string]any{
		"Api":      map[string]any{"Type": "AWS::ApiGateway::RestApi", "Properties": map[string]any{"Name": "names"}},
		"Failures": map[string]any{"Type": "AWS::SQS::Queue"},
		"Role": map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{"AssumeRolePolicyDocument": map[string]any{
			"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}}}}},
		"Made": map[string]any{"Type": "AWS::Serverless::Function", "Properties": map[string]any{
			"CodeUri": "s3://artifacts/worker.zip", "Handler": "bootstrap", "Runtime": "provided.al2023",
			"EventInvokeConfig": map[string]any{"DestinationConfig": map[string]any{
				"OnFailure": map[string]any{"Type": "SQS"}, "OnSuccess": map[string]any{"Type": "SNS"}}}}},
	}
	for i, name := range aliases {
		fn := fmt.Sprintf("Fn%d", i)
		resources[fn] = map[string]any{"Type": "AWS::Serverless::Function", "Properties": map[string]any{
			"CodeUri": "s3://artifacts/worker.zip", "Handler": "bootstrap", "Runtime": "provided.al2023",
			"AutoPublishAlias": name, "Role": map[string]any{"Fn::GetAtt": []any{"Role", "Arn"}}}}
		resources[fmt.Sprintf("Method%d", i)] = map[string]any{"Type": "AWS::ApiGateway::Method", "Properties": map[string]any{
			"RestApiId": map[string]any{"Ref": "Api"}, "ResourceId": map[string]any{"Fn::GetAtt": []any{"Api", "RootResourceId"}},
			"HttpMethod": "POST", "AuthorizationType": "NONE",
			"AsyncInvoke": map[string]any{"Mode": "always", "OnFailure": map[string]any{"Fn::GetAtt": []any{"Failures", "Arn"}}},
			"Integration": map[string]any{"Uri": map[string]any{"Ref": fn + ".Alias"}}}}
	}
	src, err := json.Marshal(map[string]any{"Transform": []any{"AsyncInvoke", "AWS::Serverless-2016-10-31"}, "Resources": resources})
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "names.json")
	require.NoError(t, os.WriteFile(file, src, 0o644))

	_, translated := expandAndTranslate(t, file)
	var out struct {
		Resources map[string]struct {
			Type       string
			DependsOn  any
			Properties map[string]any
		}
	}
	require.NoError(t, json.Unmarshal(translated, &out))

	for i, name := range aliases {
		id := cfn.SAMAliasID(fmt.Sprintf("Fn%d", i), name)
		alias, ok := out.Resources[id]
		if assert.True(t, ok, "SAM made no %s for AutoPublishAlias %q", id, name) {
			assert.Equal(t, "AWS::Lambda::Alias", alias.Type)
			assert.Equal(t, name, alias.Properties["Name"])
		}
	}
	assert.Equal(t, "AWS::Lambda::EventInvokeConfig", out.Resources[cfn.SAMEventInvokeConfigID("Made")].Type)
	assert.Equal(t, "AWS::SQS::Queue", out.Resources[cfn.SAMDestinationID("Made", "OnFailure", "SQS")].Type)
	assert.Equal(t, "AWS::SNS::Topic", out.Resources[cfn.SAMDestinationID("Made", "OnSuccess", "SNS")].Type)

	waits := 0
	for id, r := range out.Resources {
		var deps []any
		switch d := r.DependsOn.(type) {
		case string:
			deps = []any{d}
		case []any:
			deps = d
		}
		for _, d := range deps {
			_, ok := out.Resources[d.(string)]
			assert.True(t, ok, "%s DependsOn %s, which the translated template does not have", id, d)
			if r.Type == "AWS::Lambda::EventInvokeConfig" && strings.Contains(d.(string), "Alias") {
				waits++
			}
		}
	}
	assert.Equal(t, len(aliases), waits, "each configuration the macro writes waits for its alias")
}

// TestSAMImplicitAPI: the facts W4002 states of SAM's implicit API
// (cfn.SAMImplicitAPI) are the SAM translator's: a method of the template on
// ServerlessRestApi is on the API SAM makes, whose stage cfn.SAMImplicitStage
// runs a deployment SAM makes, which neither holds the method in the
// document it deploys nor depends on it (review r16, finding 6).
func TestSAMImplicitAPI(t *testing.T) {
	src := `Transform: [AsyncInvoke, AWS::Serverless-2016-10-31]
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: s3://artifacts/worker.zip, Handler: bootstrap, Runtime: provided.al2023, Events: {Get: {Type: Api, Properties: {Path: /hello, Method: get}}}}
  Jobs:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref ServerlessRestApi, ParentId: !GetAtt ServerlessRestApi.RootResourceId, PathPart: jobs}
  StartJob:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref ServerlessRestApi, ResourceId: !Ref Jobs, HttpMethod: POST, AuthorizationType: NONE, AsyncInvoke: always, Integration: {Uri: !GetAtt Hello.Arn}}
`
	file := filepath.Join(t.TempDir(), "implicit.yaml")
	require.NoError(t, os.WriteFile(file, []byte(src), 0o644))
	_, translated := expandAndTranslate(t, file)
	var out struct {
		Resources map[string]struct {
			Type       string
			DependsOn  any
			Properties map[string]any
		}
	}
	require.NoError(t, json.Unmarshal(translated, &out))
	require.Equal(t, "AWS::ApiGateway::RestApi", out.Resources[cfn.SAMImplicitAPI].Type)
	stages := 0
	for _, r := range out.Resources {
		if r.Type != "AWS::ApiGateway::Stage" || r.Properties["StageName"] != cfn.SAMImplicitStage {
			continue
		}
		stages++
		assert.Equal(t, map[string]any{"Ref": cfn.SAMImplicitAPI}, r.Properties["RestApiId"])
		deployment := out.Resources[r.Properties["DeploymentId"].(map[string]any)["Ref"].(string)]
		assert.Equal(t, "AWS::ApiGateway::Deployment", deployment.Type)
		assert.Nil(t, deployment.DependsOn, "SAM's deployment does not wait for the method")
	}
	assert.Equal(t, 1, stages, "SAM's stage of its implicit API")
	body, _ := json.Marshal(out.Resources[cfn.SAMImplicitAPI].Properties["Body"])
	assert.Contains(t, string(body), `"/hello"`)
	assert.NotContains(t, string(body), `"/jobs"`, "the document SAM deploys does not hold the method")
}
