package macro_test

import (
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deploymentTemplate is a REST API with a proxy method, StartRun, written
// as run, and a deployment a stage runs.
func deploymentTemplate(run string) string {
	return `
Transform: AsyncInvoke
Resources:
  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: jobs}}
  Worker: {Type: AWS::Lambda::Function, Properties: {Handler: bootstrap, Runtime: provided.al2023, Role: r, Code: {ZipFile: x}}}
  StartJob:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: POST, AuthorizationType: NONE, AsyncInvoke: always, Integration: {Uri: !GetAtt Worker.Arn}}
  StartRun:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: PUT
      AuthorizationType: NONE
` + run + `
  GetJob:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: GET, AuthorizationType: NONE, Integration: {Type: AWS_PROXY, IntegrationHttpMethod: POST, Uri: u}}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: [StartJob, StartRun, GetJob]
    Properties: {RestApiId: !Ref Api}
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, DeploymentId: !Ref Deployment, StageName: prod}
`
}

// deploymentID expands src and returns the logical ID of its deployment,
// and the stage's DeploymentId.
func deploymentID(t *testing.T, src string) (id string, stage any) {
	t.Helper()
	tmpl, err := parse.Template([]byte(src))
	require.NoError(t, err)
	_, err = macro.Expand(tmpl, nil)
	require.NoError(t, err)
	rv, _ := tmpl.Get("Resources")
	for _, m := range rv.(*tree.Object).Members {
		if strings.HasPrefix(m.Key, "Deployment") {
			id = m.Key
		}
		if m.Key == "Stage" {
			p, _ := m.Value.(*tree.Object).Get("Properties")
			stage, _ = p.(*tree.Object).Get("DeploymentId")
		}
	}
	return id, stage
}

// TestRedeploy: CloudFormation creates a deployment, which the stage then
// runs, only for a new logical ID. A method made asynchronous on a stage
// deployed before (the reviewer's case: a proxy method given Event: proxy)
// gives the deployment a new ID, and the stage follows it; the same
// template gives the same ID every time, and a change the macro does not
// expand (a synchronous method's) does not change it.
func TestRedeploy(t *testing.T) {
	proxy := "      Integration: {Type: AWS_PROXY, Uri: !GetAtt Worker.Arn}"
	async := "      AsyncInvoke: {Mode: always, Event: proxy, Accepted: true}\n" + proxy

	before, stageBefore := deploymentID(t, deploymentTemplate(proxy))
	after, stageAfter := deploymentID(t, deploymentTemplate(async))
	again, _ := deploymentID(t, deploymentTemplate(async))
	assert.Regexp(t, `^Deployment[0-9A-F]{8}$`, before)
	assert.Regexp(t, `^Deployment[0-9A-F]{8}$`, after)
	assert.NotEqual(t, before, after, "StartRun made asynchronous: a new deployment")
	assert.Equal(t, after, again, "the same template: the same deployment")
	assert.Equal(t, tree.NewObject("Ref", before), stageBefore)
	assert.Equal(t, tree.NewObject("Ref", after), stageAfter, "the stage runs the new deployment")

	other, _ := deploymentID(t, strings.Replace(deploymentTemplate(async), "HttpMethod: GET, AuthorizationType: NONE", "HttpMethod: GET, AuthorizationType: AWS_IAM", 1))
	assert.Equal(t, after, other, "a method the macro does not expand is not in the hash")

	mode, _ := deploymentID(t, strings.Replace(deploymentTemplate(async), "Mode: always", "Mode: client", 1))
	assert.NotEqual(t, after, mode, "the same method expanded otherwise: a new deployment")

	plain, _ := deploymentID(t, strings.Replace(deploymentTemplate(proxy), "AsyncInvoke: always, ", "", 1))
	assert.Equal(t, "Deployment", plain, "without the shorthand nothing is renamed")
}

// TestRedeployDependsOn: the renamed deployment depends on every method
// the macro expanded, but on none that names the deployment (a cycle).
func TestRedeployDependsOn(t *testing.T) {
	tmpl, err := parse.Template([]byte(`
Resources:
  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a}}
  Worker: {Type: AWS::Lambda::Function, Properties: {Handler: bootstrap, Runtime: provided.al2023, Role: r, Code: {ZipFile: x}}}
  A:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: POST, AuthorizationType: NONE, AsyncInvoke: always, Integration: {Uri: !GetAtt Worker.Arn}}
  B:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: PUT, AuthorizationType: NONE, AsyncInvoke: always, Integration: {Uri: !GetAtt Worker.Arn}}
  C:
    Type: AWS::ApiGateway::Method
    DependsOn: D
    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: GET, AuthorizationType: NONE, AsyncInvoke: always, Integration: {Uri: !GetAtt Worker.Arn}}
  D:
    Type: AWS::ApiGateway::Deployment
    DependsOn: B
    Properties: {RestApiId: !Ref Api, StageName: prod}
`))
	require.NoError(t, err)
	_, err = macro.Expand(tmpl, nil)
	require.NoError(t, err)
	rv, _ := tmpl.Get("Resources")
	for _, m := range rv.(*tree.Object).Members {
		if strings.HasPrefix(m.Key, "D") {
			deps, _ := m.Value.(*tree.Object).Get("DependsOn")
			assert.Equal(t, []any{"B", "A"}, deps, "B as written, then A; not C, which depends on the deployment")
		}
		if m.Key == "C" {
			deps, _ := m.Value.(*tree.Object).Get("DependsOn")
			assert.Regexp(t, `^D[0-9A-F]{8}$`, deps, "C's DependsOn follows the rename")
		}
	}
}

// TestRedeployNotes: what the macro cannot do for a deployment it says,
// where it is written (check's W4002): a method on an API of another
// template, which no deployment here deploys; a method a renamed deployment
// cannot depend on, its condition not being the deployment's.
func TestRedeployNotes(t *testing.T) {
	for _, tc := range []struct {
		name, src  string
		path, text string
	}{
		{"an API of another template", `
Resources:
  Worker: {Type: AWS::Lambda::Function, Properties: {Handler: bootstrap, Runtime: provided.al2023, Role: r, Code: {ZipFile: x}}}
  M:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !ImportValue shared-api, ResourceId: !ImportValue shared-root, HttpMethod: POST, AuthorizationType: NONE, AsyncInvoke: always, Integration: {Uri: !GetAtt Worker.Arn}}
`, "Resources.M.Properties.RestApiId", "aws apigateway create-deployment --rest-api-id ID --stage-name STAGE"},
		// review r16, finding 6: SAM's implicit API is made by this
		// template, but SAM's deployment of it does not hold the method.
		{"SAM's implicit API", `
Transform: [AsyncInvoke, AWS::Serverless-2016-10-31]
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: index.handler, InlineCode: x, Events: {Get: {Type: Api, Properties: {Path: /hello, Method: get}}}}
  Jobs:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref ServerlessRestApi, ParentId: !GetAtt ServerlessRestApi.RootResourceId, PathPart: jobs}
  M:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref ServerlessRestApi, ResourceId: !Ref Jobs, HttpMethod: POST, AuthorizationType: NONE, AsyncInvoke: always, Integration: {Uri: !GetAtt Hello.Arn}}
`, "Resources.M.Properties.RestApiId", "names ServerlessRestApi, the REST API SAM makes for this template's Api events (its implicit API), with a deployment and the stage Prod; SAM makes that deployment from the OpenAPI document it writes for the events, which does not hold this method, and does not make it wait for this method, so the stage may run without it (API Gateway answers 403 Missing Authentication Token)"},
		{"SAM's implicit API, deployed here", `
Transform: [AsyncInvoke, AWS::Serverless-2016-10-31]
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: index.handler, InlineCode: x, Events: {Get: {Type: Api, Properties: {Path: /hello, Method: get}}}}
  M:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref ServerlessRestApi, ResourceId: !GetAtt ServerlessRestApi.RootResourceId, HttpMethod: POST, AuthorizationType: NONE, AsyncInvoke: always, Integration: {Uri: !GetAtt Hello.Arn}}
  D:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref ServerlessRestApi, StageName: jobs}
`, "", ""},
		{"an API of another template, deployed here", `
Resources:
  Worker: {Type: AWS::Lambda::Function, Properties: {Handler: bootstrap, Runtime: provided.al2023, Role: r, Code: {ZipFile: x}}}
  M:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !ImportValue shared-api, ResourceId: !ImportValue shared-root, HttpMethod: POST, AuthorizationType: NONE, AsyncInvoke: always, Integration: {Uri: !GetAtt Worker.Arn}}
  D:
    Type: AWS::ApiGateway::Deployment
    DependsOn: M
    Properties: {RestApiId: !ImportValue shared-api, StageName: prod}
`, "", ""},
		{"a method of another condition", `
Conditions:
  C: !Equals [a, b]
Resources:
  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a}}
  Worker: {Type: AWS::Lambda::Function, Properties: {Handler: bootstrap, Runtime: provided.al2023, Role: r, Code: {ZipFile: x}}}
  M:
    Type: AWS::ApiGateway::Method
    Condition: C
    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: POST, AuthorizationType: NONE, AsyncInvoke: always, Integration: {Uri: !GetAtt Worker.Arn}}
  D:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref Api, StageName: prod}
`, "Resources.D", "add DependsOn: M and the same Condition"},
		{"the template's API, deployed elsewhere", `
Resources:
  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: a}}
  Worker: {Type: AWS::Lambda::Function, Properties: {Handler: bootstrap, Runtime: provided.al2023, Role: r, Code: {ZipFile: x}}}
  M:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: POST, AuthorizationType: NONE, AsyncInvoke: always, Integration: {Uri: !GetAtt Worker.Arn}}
`, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := parse.Template([]byte(tc.src))
			require.NoError(t, err)
			stats, err := macro.Expand(tmpl, nil)
			require.NoError(t, err)
			var notes []macro.Problem
			for _, n := range stats.Notes {
				if n.Kind == macro.NoteDeployment {
					notes = append(notes, n)
				}
			}
			if tc.path == "" {
				assert.Empty(t, notes)
				return
			}
			require.Len(t, notes, 1)
			assert.Equal(t, tc.path, notes[0].Path.String())
			assert.Contains(t, notes[0].Message, tc.text)
		})
	}
}
