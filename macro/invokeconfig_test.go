package macro

import (
	"errors"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExistingConfigSameDestination: a configuration the template already
// has for what a shorthand configures is the same one when it sends the
// records to the same destination, however its ARN is written and wherever
// its Fn::If on the destination's condition stands: the macro adds no
// second configuration. One that sends them elsewhere, under another
// condition, or as CloudFormation refuses (an OnFailure whose Destination
// may be left out) differs, and is refused.
func TestExistingConfigSameDestination(t *testing.T) {
	const (
		getAtt   = `!GetAtt Failures.Arn`
		subArn   = `!Sub "${Failures.Arn}"`
		subName  = `!Sub "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Failures.QueueName}"`
		literal  = `!Sub "arn:aws:sqs:eu-west-1:123456789012:${Failures.QueueName}"`
		elsewere = `!Sub "arn:aws:sqs:us-east-1:123456789012:${Failures.QueueName}"`
	)
	tests := []struct {
		name      string
		condition string // the queue's Condition
		shorthand string // OnFailure
		existing  string // the configuration's DestinationConfig
		retries   string // its MaximumRetryAttempts
		same      bool
	}{
		{"as the macro writes it", "IsProd", getAtt, `{OnFailure: !If [IsProd, {Destination: ` + getAtt + `}, !Ref AWS::NoValue]}`, "0", true},
		{"Fn::Sub of the ARN", "IsProd", getAtt, `{OnFailure: !If [IsProd, {Destination: ` + subArn + `}, !Ref AWS::NoValue]}`, "0", true},
		{"spelled out with the queue's name", "IsProd", getAtt, `{OnFailure: !If [IsProd, {Destination: ` + subName + `}, !Ref AWS::NoValue]}`, "0", true},
		{"spelled out, the stack's region and account", "IsProd", getAtt, `{OnFailure: !If [IsProd, {Destination: ` + literal + `}, !Ref AWS::NoValue]}`, "0", true},
		{"the Fn::If around DestinationConfig", "IsProd", subName, `!If [IsProd, {OnFailure: {Destination: ` + subArn + `}}, !Ref AWS::NoValue]`, "0", true},
		{"the shorthand's Fn::If, a queue that always exists", "", `!If [IsProd, ` + subArn + `, !Ref AWS::NoValue]`, `{OnFailure: !If [IsProd, {Destination: ` + getAtt + `}, !Ref AWS::NoValue]}`, "0", true},
		{"retries chosen by a condition, the same either way", "IsProd", getAtt, `{OnFailure: !If [IsProd, {Destination: ` + subArn + `}, !Ref AWS::NoValue]}`, "!If [IsProd, 0, 0]", true},
		{"unconditional, spelled out", "", getAtt, `{OnFailure: {Destination: ` + subName + `}}`, "0", true},

		{"another region's queue of that name", "IsProd", getAtt, `{OnFailure: !If [IsProd, {Destination: ` + elsewere + `}, !Ref AWS::NoValue]}`, "0", false},
		{"another queue", "IsProd", getAtt, `{OnFailure: !If [IsProd, {Destination: !GetAtt Other.Arn}, !Ref AWS::NoValue]}`, "0", false},
		{"a name that only starts with the queue's", "IsProd", getAtt, `{OnFailure: !If [IsProd, {Destination: !Sub "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Failures.QueueName}-dlq"}, !Ref AWS::NoValue]}`, "0", false},
		{"another condition", "IsProd", getAtt, `{OnFailure: !If [IsEU, {Destination: ` + subArn + `}, !Ref AWS::NoValue]}`, "0", false},
		{"the queue's condition the other way", "IsProd", getAtt, `{OnFailure: !If [IsProd, !Ref AWS::NoValue, {Destination: ` + subArn + `}]}`, "0", false},
		{"an OnFailure whose Destination may be left out", "IsProd", getAtt, `{OnFailure: {Destination: !If [IsProd, ` + subArn + `, !Ref AWS::NoValue]}}`, "0", false},
		{"other retries where a condition holds", "IsProd", getAtt, `{OnFailure: !If [IsProd, {Destination: ` + subArn + `}, !Ref AWS::NoValue]}`, "!If [IsEU, 1, 0]", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			condition := ""
			if tc.condition != "" {
				condition = "\n    Condition: " + tc.condition
			}
			src := `
Parameters:
  Env: {Type: String, Default: dev, AllowedValues: [prod, dev]}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsEU: !Equals [!Ref "AWS::Region", eu-west-1]
Resources:
  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: existing}}
  Post:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: POST
      AuthorizationType: NONE
      AsyncInvoke: {Mode: always, MaximumRetryAttempts: 0, OnFailure: ` + tc.shorthand + `}
      Integration: {Uri: !GetAtt Worker.Arn}
  Role:
    Type: AWS::IAM::Role
    Properties: {AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}}
  Worker:
    Type: AWS::Lambda::Function
    Properties: {Runtime: provided.al2023, Handler: bootstrap, Role: !GetAtt Role.Arn, Code: {S3Bucket: artifacts, S3Key: worker.zip}}
  WorkerConfig:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Worker
      Qualifier: $LATEST
      MaximumRetryAttempts: ` + tc.retries + `
      DestinationConfig: ` + tc.existing + `
  Failures:
    Type: AWS::SQS::Queue` + condition + `
  Other:
    Type: AWS::SQS::Queue` + condition + `
`
			tmpl, err := parse.Template([]byte(src))
			require.NoError(t, err)
			_, err = ExpandFor(tmpl, nil, Stack{Region: "eu-west-1", AccountID: "123456789012"})
			if !tc.same {
				var ps Problems
				require.True(t, errors.As(err, &ps), "want a refusal, got %v", err)
				require.Len(t, ps, 1)
				assert.Equal(t, codeConfigDiffers, ps[0].Code, ps[0].Error())
				assert.Equal(t, "Resources.WorkerConfig.Properties", ps[0].Path.String())
				return
			}
			require.NoError(t, err)
			var configs []string
			resources, _ := tmpl.Get("Resources")
			for _, m := range resources.(*tree.Object).Members {
				if typ, _ := m.Value.(*tree.Object).Get("Type"); typ == "AWS::Lambda::EventInvokeConfig" {
					configs = append(configs, m.Key)
				}
			}
			assert.Equal(t, []string{"WorkerConfig"}, configs, "the macro added a configuration")
			config, _ := resources.(*tree.Object).Get("WorkerConfig")
			assert.True(t, strings.Contains(string(tree.Encode(config)), "AsyncInvokeDestinationsPolicy"), "WorkerConfig waits for no policy: %s", tree.Encode(config))
		})
	}
}
