package macro

import (
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeyPolicyNotes: a destination encrypted with a key of the template
// whose KeyPolicy lets neither IAM policies of the account nor the
// execution role use it is said (the macro's grant would have no effect);
// nothing is said whenever a statement may let the role in.
func TestKeyPolicyNotes(t *testing.T) {
	const root = `{Effect: Allow, Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}, Action: "kms:*", Resource: "*"}`
	const service = `{Effect: Allow, Principal: {Service: sqs.amazonaws.com}, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*"}`
	const admin = `{Effect: Allow, Principal: {AWS: "arn:aws:iam::123456789012:role/KeyAdmin"}, Action: "kms:*", Resource: "*"}`
	tests := []struct {
		name      string
		role      string // the function's Role
		policy    string // the key's properties
		account   string // the stack's account, "" when not known
		wantNote  bool
		wantWords string
	}{
		{name: "the default key policy (none written)", role: "!GetAtt Role.Arn", policy: "{}"},
		{name: "the account's root, by Sub", role: "!GetAtt Role.Arn", policy: "{KeyPolicy: {Statement: [" + root + "]}}"},
		{name: "the account's root, by its ID", role: "!GetAtt Role.Arn", policy: `{KeyPolicy: {Statement: [{Effect: Allow, Principal: {AWS: !Ref "AWS::AccountId"}, Action: "kms:*", Resource: "*"}]}}`},
		{name: "the role by GetAtt", role: "!GetAtt Role.Arn", policy: `{KeyPolicy: {Statement: [` + service + `, {Effect: Allow, Principal: {AWS: !GetAtt Role.Arn}, Action: [kms:GenerateDataKey, kms:Decrypt], Resource: "*"}]}}`},
		{name: "any principal", role: "!GetAtt Role.Arn", policy: `{KeyPolicy: {Statement: [{Effect: Allow, Principal: "*", Action: "kms:*", Resource: "*", Condition: {StringEquals: {"kms:CallerAccount": "123456789012"}}}]}}`},
		{name: "a statement the macro cannot read", role: "!GetAtt Role.Arn", policy: `{KeyPolicy: {Statement: [` + service + `, !If [C, ` + root + `, !Ref "AWS::NoValue"]]}}`},
		{name: "a policy written as JSON text", role: "!GetAtt Role.Arn", policy: `{KeyPolicy: '{"Statement": []}'}`},
		{name: "a literal role ARN, the execution role from outside", role: "arn:aws:iam::123456789012:role/KeyAdmin", policy: "{KeyPolicy: {Statement: [" + service + ", " + admin + "]}}"},
		{name: "only a service and a key administrator: the template's role shut out", role: "!GetAtt Role.Arn", policy: "{KeyPolicy: {Statement: [" + service + ", " + admin + "]}}",
			wantNote: true, wantWords: "encrypted with the KMS key Key, whose KeyPolicy neither enables IAM policies"},
		{name: "a role of the template by reference: it may be the execution role", role: "!GetAtt Role.Arn",
			policy: `{KeyPolicy: {Statement: [{Effect: Allow, Principal: {AWS: !GetAtt Other.Arn}, Action: "kms:*", Resource: "*"}]}}`},
		{name: "another account's root", role: "!GetAtt Role.Arn", account: "123456789012", policy: `{KeyPolicy: {Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::210987654321:root"}, Action: "kms:*", Resource: "*"}]}}`,
			wantNote: true, wantWords: "add to Resources.Key.Properties.KeyPolicy a statement that allows the account's root principal kms:*"},
		{name: "another account's root, the stack's account not known", role: "!GetAtt Role.Arn", policy: `{KeyPolicy: {Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::210987654321:root"}, Action: "kms:*", Resource: "*"}]}}`},
		{name: "the root allowed only what delivering does not need", role: "!GetAtt Role.Arn", policy: `{KeyPolicy: {Statement: [{Effect: Allow, Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}, Action: ["kms:Describe*", "kms:PutKeyPolicy"], Resource: "*"}]}}`,
			wantNote: true, wantWords: "Lambda cannot deliver the records"},
		{name: "SAM's role, a service only", role: "", policy: "{KeyPolicy: {Statement: [" + service + "]}}", wantNote: true, wantWords: "execution role kms:GenerateDataKey and kms:Decrypt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			typ, role := "AWS::Lambda::Function", "      Role: "+tc.role+"\n"
			if tc.role == "" {
				typ, role = "AWS::Serverless::Function", ""
			}
			src := `Parameters: {Env: {Type: String, Default: dev}}
Conditions: {C: !Equals [!Ref Env, prod]}
Resources:
  Api: {Type: AWS::ApiGateway::RestApi}
  M:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      HttpMethod: POST
      AsyncInvoke: {Mode: always, OnFailure: !GetAtt Q.Arn}
      Integration: {Uri: !GetAtt Worker.Arn}
  Q: {Type: AWS::SQS::Queue, Properties: {KmsMasterKeyId: !Ref Key}}
  Key: {Type: AWS::KMS::Key, Properties: ` + tc.policy + `}
  Role: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {}}}
  Other: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {}}}
  Worker:
    Type: ` + typ + `
    Properties:
      Handler: bootstrap
` + role
			tmpl, err := parse.Template([]byte(src))
			require.NoError(t, err)
			stats, err := ExpandFor(tmpl, nil, Stack{AccountID: tc.account})
			require.NoError(t, err)
			var notes []string
			for _, n := range stats.Notes {
				if strings.Contains(n.Message, "KeyPolicy") {
					notes = append(notes, n.Message)
				}
			}
			if !tc.wantNote {
				assert.Empty(t, notes)
				return
			}
			require.Len(t, notes, 1)
			assert.Contains(t, notes[0], tc.wantWords)
		})
	}
}
