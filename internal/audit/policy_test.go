package audit

import (
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPolicyCovers: a statement of a function's policy lets API Gateway
// make a method's calls when it is for API Gateway, allows
// lambda:InvokeFunction, and its conditions hold for every call (the
// source-ARN rules are cfn.SourceARNCovers, the macro's).
func TestPolicyCovers(t *testing.T) {
	call := cfn.Call{Partition: "aws", Region: "us-east-1", Account: "123456789012", APIID: "a1b2c3d4e5", Method: "POST", Path: "/jobs/{id}"}
	const principal = `"Principal": {"Service": "apigateway.amazonaws.com"}, "Effect": "Allow", "Action": "lambda:InvokeFunction"`
	tests := []struct {
		name   string
		policy string
		want   string
		others []string
	}{
		{"the console's statement for the method", `{"Statement": [{"Sid": "s1", ` + principal + `, "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/POST/jobs/*"}}}]}`, "s1", nil},
		{"the macro's statement for the API", `{"Statement": [{"Sid": "s1", ` + principal + `, "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/*"}}}]}`, "s1", nil},
		{"no condition", `{"Statement": [{"Sid": "s1", ` + principal + `}]}`, "s1", nil},
		{"one stage only", `{"Statement": [{"Sid": "s1", ` + principal + `, "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/jobs/*"}}}]}`, "", []string{"s1 allows arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/jobs/* only"}},
		{"another API", `{"Statement": [{"Sid": "s1", ` + principal + `, "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:zzz/*/*"}}}]}`, "", []string{"s1 allows arn:aws:execute-api:us-east-1:123456789012:zzz/*/* only"}},
		{"one of a list of ARNs", `{"Statement": [{"Sid": "s1", ` + principal + `, "Condition": {"ArnLike": {"aws:SourceArn": ["arn:aws:execute-api:us-east-1:123456789012:zzz/*/*", "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/*"]}}}]}`, "s1", nil},
		{"StringEquals cannot match a path parameter", `{"Statement": [{"Sid": "s1", ` + principal + `, "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/POST/jobs/*"}}}]}`, "", []string{"s1 allows arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/POST/jobs/* only"}},
		{"the account", `{"Statement": [{"Sid": "s1", ` + principal + `, "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"}, "ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*"}}}]}`, "s1", nil},
		{"another account", `{"Statement": [{"Sid": "s1", ` + principal + `, "Condition": {"StringEquals": {"AWS:SourceAccount": "999999999999"}}}]}`, "", []string{"s1 allows the account 999999999999 only"}},
		{"a condition it does not read", `{"Statement": [{"Sid": "s1", ` + principal + `, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}]}`, "", []string{"s1 has a condition the audit does not read (StringEquals aws:PrincipalOrgID)"}},
		{"another principal", `{"Statement": [{"Sid": "s1", "Principal": {"Service": "events.amazonaws.com"}, "Effect": "Allow", "Action": "lambda:InvokeFunction"}]}`, "", nil},
		{"any principal", `{"Statement": [{"Sid": "s1", "Principal": "*", "Effect": "Allow", "Action": "lambda:InvokeFunction"}]}`, "s1", nil},
		{"lambda:* and a list of services", `{"Statement": [{"Sid": "s1", "Principal": {"Service": ["events.amazonaws.com", "apigateway.amazonaws.com"]}, "Effect": "Allow", "Action": ["lambda:*"]}]}`, "s1", nil},
		{"another action", `{"Statement": [{"Sid": "s1", "Principal": {"Service": "apigateway.amazonaws.com"}, "Effect": "Allow", "Action": "lambda:GetFunction"}]}`, "", nil},
		{"StringLike: the whole ARN as one string, * across colons", `{"Statement": [{"Sid": "s1", ` + principal + `, "Condition": {"StringLike": {"AWS:SourceArn": "arn:aws:execute-api:*"}}}]}`, "s1", nil},
		{"StringLike: the API, any stage, method and path", `{"Statement": [{"Sid": "s1", ` + principal + `, "Condition": {"StringLike": {"AWS:SourceArn": "arn:aws:execute-api:*:123456789012:a1b2c3d4e5/*"}}}]}`, "s1", nil},
		{"StringLike: another API", `{"Statement": [{"Sid": "s1", ` + principal + `, "Condition": {"StringLike": {"AWS:SourceArn": "arn:aws:execute-api:*:zzz/*"}}}]}`, "", []string{"s1 allows arn:aws:execute-api:*:zzz/* only"}},
		{"StringLike: ? cannot stand for a path parameter", `{"Statement": [{"Sid": "s1", ` + principal + `, "Condition": {"StringLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/POST/jobs/?"}}}]}`, "", []string{"s1 allows arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/POST/jobs/? only"}},
		{"ForAnyValue:ArnLike on the one-valued SourceArn", `{"Statement": [{"Sid": "s1", ` + principal + `, "Condition": {"ForAnyValue:ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/*"}}}]}`, "s1", nil},
		{"ForAllValues:StringLike", `{"Statement": [{"Sid": "s1", ` + principal + `, "Condition": {"ForAllValues:StringLike": {"AWS:SourceArn": "arn:aws:execute-api:*"}}}]}`, "s1", nil},
		{"ArnNotLike is not read as allowing", `{"Statement": [{"Sid": "s1", ` + principal + `, "Condition": {"ArnNotLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:zzz/*"}}}]}`, "", []string{"s1 has a condition the audit does not read (ArnNotLike AWS:SourceArn)"}},
		{"the second statement", `{"Statement": [{"Sid": "a", ` + principal + `, "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/GET/jobs/*"}}}, {"Sid": "b", ` + principal + `, "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/POST/jobs/*"}}}]}`, "b", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parsePolicy(tc.policy)
			require.NoError(t, err)
			sid, others := p.covers(call)
			assert.Equal(t, tc.want, sid)
			assert.Equal(t, tc.others, others)
		})
	}
}
