package macro

import (
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNotes: what the macro cannot do in the template (a permission for a
// function defined elsewhere, a policy for a role defined elsewhere) is
// said, where it is written, and nothing is said when there is nothing to
// do.
func TestNotes(t *testing.T) {
	const head = `
Resources:
  Api: {Type: AWS::ApiGateway::RestApi}
  Q: {Type: AWS::SQS::Queue}
  Role:
    Type: AWS::IAM::Role
    Properties: {AssumeRolePolicyDocument: {}}
  M:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      HttpMethod: POST
`
	worker := func(typ, role string) string {
		s := "  Worker:\n    Type: " + typ + "\n    Properties:\n      Handler: bootstrap\n"
		if role != "" {
			s += "      Role: " + role + "\n"
		}
		return s
	}
	tests := []struct {
		name     string
		method   string // the method's AsyncInvoke and Integration
		worker   string
		wantPath string // "" for no note
		wantText string
	}{
		{"a function of the template", "AsyncInvoke: always\n      Integration: {Uri: !GetAtt Worker.Arn}", worker("AWS::Lambda::Function", "!GetAtt Role.Arn"), "", ""},
		{"a literal ARN", "AsyncInvoke: always\n      Integration: {Uri: 'arn:aws:lambda:us-east-1:123456789012:function:shared'}", "",
			"Resources.M.Properties.Integration.Uri", "defined outside this template"},
		{"a parameter", "AsyncInvoke: always\n      Integration: {Uri: !Ref Fn}", "",
			"Resources.M.Properties.Integration.Uri", "defined outside this template"},
		{"an import", "AsyncInvoke: always\n      Integration: {Uri: !ImportValue fn}", "",
			"Resources.M.Properties.Integration.Uri", "defined outside this template"},
		{"an import in one branch", "AsyncInvoke: always\n      Integration: {Uri: !If [C, !GetAtt Worker.Arn, !ImportValue fn]}", worker("AWS::Lambda::Function", "!GetAtt Role.Arn"),
			"Resources.M.Properties.Integration.Uri", "keep Permission on in AsyncInvoke"},
		{"an import, with Permission: false", "AsyncInvoke: {Mode: always, Permission: false}\n      Integration: {Uri: !ImportValue fn}", "", "", ""},
		{"an import, with Credentials", "AsyncInvoke: always\n      Integration: {Uri: !ImportValue fn, Credentials: !GetAtt Role.Arn}", "", "", ""},
		{"an alias a stage variable chooses", "AsyncInvoke: always\n      Integration: {Uri: !Sub '${Worker.Arn}:${!stageVariables.alias}'}", worker("AWS::Lambda::Function", "!GetAtt Role.Arn"),
			"Resources.M.Properties.Integration.Uri", "stage variable"},
		{"destinations, the template's role", "AsyncInvoke: {Mode: always, OnFailure: !GetAtt Q.Arn}\n      Integration: {Uri: !GetAtt Worker.Arn}", worker("AWS::Lambda::Function", "!GetAtt Role.Arn"), "", ""},
		{"destinations, SAM's role", "AsyncInvoke: {Mode: always, OnFailure: !GetAtt Q.Arn}\n      Integration: {Uri: !GetAtt Worker.Arn}", worker("AWS::Serverless::Function", ""), "", ""},
		{"destinations, a role from elsewhere", "AsyncInvoke: {Mode: always, OnFailure: !GetAtt Q.Arn}\n      Integration: {Uri: !GetAtt Worker.Arn}", worker("AWS::Lambda::Function", "arn:aws:iam::123456789012:role/r"),
			"Resources.M.Properties.AsyncInvoke.OnFailure", "allow that role sqs:SendMessage"},
		{"destinations, a role from a parameter", "AsyncInvoke: {Mode: always, OnFailure: !GetAtt Q.Arn}\n      Integration: {Uri: !GetAtt Worker.Arn}", worker("AWS::Serverless::Function", "!Ref RoleArn"),
			"Resources.M.Properties.AsyncInvoke.OnFailure", "execution role defined outside this template"},
		{"destinations, one branch from elsewhere", "AsyncInvoke: {Mode: always, OnFailure: !GetAtt Q.Arn}\n      Integration: {Uri: !GetAtt Worker.Arn}", worker("AWS::Lambda::Function", "!If [C, !GetAtt Role.Arn, !ImportValue role]"),
			"Resources.M.Properties.AsyncInvoke.OnFailure", "execution role defined outside this template"},
		{"destinations, a conditional policy the template's configuration cannot reference", "AsyncInvoke: {Mode: always, OnFailure: !GetAtt Q.Arn}\n      Integration: {Uri: !GetAtt Worker.Arn}",
			worker("AWS::Lambda::Function", "!If [C, !GetAtt ProdRole.Arn, !GetAtt Role.Arn]") +
				"  ProdRole: {Type: AWS::IAM::Role, Condition: C, Properties: {AssumeRolePolicyDocument: {}}}\n" +
				"  WorkerConfig: {Type: AWS::Lambda::EventInvokeConfig, Metadata: !If [C, {a: 1}, {b: 2}], Properties: {FunctionName: !Ref Worker, Qualifier: $LATEST, DestinationConfig: {OnFailure: {Destination: !GetAtt Q.Arn}}}}\n",
			"Resources.WorkerConfig.Metadata", "add them yourself"},
		{"a key from elsewhere, by its alias", "AsyncInvoke: {Mode: always, OnFailure: !GetAtt K.Arn}\n      Integration: {Uri: !GetAtt Worker.Arn}",
			worker("AWS::Lambda::Function", "!GetAtt Role.Arn") + "  K: {Type: AWS::SQS::Queue, Properties: {KmsMasterKeyId: alias/shared}}\n",
			"Resources.M.Properties.AsyncInvoke.OnFailure", "encrypted with the KMS key \"alias/shared\", which the macro cannot follow to a key of this template"},
		{"a key from elsewhere, imported", "AsyncInvoke: {Mode: always, OnSuccess: !Ref K}\n      Integration: {Uri: !GetAtt Worker.Arn}",
			worker("AWS::Serverless::Function", "") + "  K: {Type: AWS::SNS::Topic, Properties: {KmsMasterKeyId: !ImportValue shared-key}}\n",
			"Resources.M.Properties.AsyncInvoke.OnSuccess", "allow Worker's execution role kms:GenerateDataKey and kms:Decrypt on that key"},
		{"a key from elsewhere, a bucket's", "AsyncInvoke: {Mode: always, OnFailure: !GetAtt K.Arn}\n      Integration: {Uri: !GetAtt Worker.Arn}",
			worker("AWS::Lambda::Function", "!GetAtt Role.Arn") + "  K: {Type: AWS::S3::Bucket, Properties: {BucketEncryption: {ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: {SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'arn:aws:kms:us-east-1:210987654321:alias/shared'}}]}}}\n",
			"Resources.M.Properties.AsyncInvoke.OnFailure", "execution role kms:GenerateDataKey on that key"},
		{"an AWS managed key", "AsyncInvoke: {Mode: always, OnFailure: !GetAtt K.Arn}\n      Integration: {Uri: !GetAtt Worker.Arn}",
			worker("AWS::Lambda::Function", "!GetAtt Role.Arn") + "  K: {Type: AWS::SQS::Queue, Properties: {KmsMasterKeyId: alias/aws/sqs}}\n", "", ""},
		{"a key of the template, by a parameter's alias", "AsyncInvoke: {Mode: always, OnFailure: !GetAtt K.Arn}\n      Integration: {Uri: !GetAtt Worker.Arn}",
			worker("AWS::Lambda::Function", "!GetAtt Role.Arn") + "  K: {Type: AWS::SQS::Queue, Properties: {KmsMasterKeyId: !Ref KeyName}}\n" +
				"  Key: {Type: AWS::KMS::Key}\n  KeyAlias: {Type: AWS::KMS::Alias, Properties: {AliasName: alias/jobs, TargetKeyId: !GetAtt Key.Arn}}\n", "", ""},
		{"retries only, a role from elsewhere", "AsyncInvoke: {Mode: always, MaximumRetryAttempts: 0}\n      Integration: {Uri: !GetAtt Worker.Arn}", worker("AWS::Lambda::Function", "arn:aws:iam::123456789012:role/r"), "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := head + "      " + tc.method + "\n" + tc.worker +
				"Parameters: {Fn: {Type: String, Default: 'arn:aws:lambda:us-east-1:123456789012:function:f'}, RoleArn: {Type: String, Default: 'arn:aws:iam::123456789012:role/r'}, KeyName: {Type: String, Default: alias/jobs}, Env: {Type: String, Default: dev}}\n" +
				"Conditions: {C: !Equals [!Ref Env, prod]}\n"
			tmpl, err := parse.Template([]byte(src))
			require.NoError(t, err)
			stats, err := Expand(tmpl, nil)
			require.NoError(t, err)
			if tc.wantPath == "" {
				assert.Empty(t, stats.Notes)
				return
			}
			require.Len(t, stats.Notes, 1)
			assert.Equal(t, tc.wantPath, strings.Join(stats.Notes[0].Path, "."))
			assert.Contains(t, stats.Notes[0].Message, tc.wantText)
		})
	}
}
