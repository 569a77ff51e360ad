package macro

import (
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/stretchr/testify/require"

	"github.com/stretchr/testify/assert"
)

// TestSourceARNCovers: an existing permission's SourceArn covers a method
// only when it matches every call of it (any stage; any value of a path
// parameter; any method of ANY), as Lambda's ArnLike comparison would.
func TestSourceARNCovers(t *testing.T) {
	const prefix = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
	post := route{method: "POST", path: "/jobs/{id}"}
	stack := Stack{Region: "eu-west-1", AccountID: "123456789012"}
	tests := []struct {
		name  string
		arn   string
		r     route
		stack Stack
		want  bool
	}{
		{"every stage and method", prefix + "${Api}/*/*", post, Stack{}, true},
		{"everything", prefix + "${Api}/*", post, Stack{}, true},
		{"RestApiId attribute", prefix + "${Api.RestApiId}/*/*", post, Stack{}, true},
		{"this method, path parameter as *", prefix + "${Api}/*/POST/jobs/*", post, Stack{}, true},
		{"this method, one stage", prefix + "${Api}/prod/POST/jobs/*", post, Stack{}, false},
		{"another method", prefix + "${Api}/*/GET/jobs/*", post, Stack{}, false},
		{"the literal path template", prefix + "${Api}/*/POST/jobs/{id}", post, Stack{}, false},
		{"one character wildcard", prefix + "${Api}/*/POST/jobs/?", post, Stack{}, false},
		{"ANY needs a method wildcard", prefix + "${Api}/*/GET/*", route{method: "ANY", path: "/x"}, Stack{}, false},
		{"ANY with a wildcard", prefix + "${Api}/*/*/x", route{method: "ANY", path: "/x"}, Stack{}, true},
		{"the root path", prefix + "${Api}/*/GET/", route{method: "GET", path: "/"}, Stack{}, true},
		{"unknown path needs a wildcard", prefix + "${Api}/*/GET/jobs", route{method: "GET"}, Stack{}, false},
		{"another API", prefix + "${Other}/*/*", post, Stack{}, false},
		{"any API", prefix + "*", post, Stack{}, true},
		{"literal region, stack unknown", "arn:aws:execute-api:eu-west-1:123456789012:${Api}/*/*", post, Stack{}, false},
		{"literal region, same stack", "arn:aws:execute-api:eu-west-1:123456789012:${Api}/*/*", post, stack, true},
		{"literal region, other region", "arn:aws:execute-api:us-east-1:123456789012:${Api}/*/*", post, stack, false},
		{"not execute-api", "arn:aws:s3:::bucket", post, stack, false},
		{"unreadable", "${?}", post, stack, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, sourceARNCovers(tc.arn, "Api", tc.stack, tc.r))
		})
	}
}

// TestPermitted: the question the local server asks of an expanded
// template, answered by the rules the macro adds permissions by.
func TestPermitted(t *testing.T) {
	tmpl, err := parse.Template([]byte(`
Resources:
  Api: {Type: AWS::ApiGateway::RestApi}
  Other: {Type: AWS::ApiGateway::RestApi}
  Fn: {Type: AWS::Lambda::Function}
  Live: {Type: AWS::Lambda::Alias, Properties: {FunctionName: !Ref Fn, Name: live}}
  OnFunction:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunction, FunctionName: !GetAtt Fn.Arn, Principal: apigateway.amazonaws.com, SourceArn: !Sub "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/*"}
  OnAliasOneMethod:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunction, FunctionName: !Ref Live, Principal: apigateway.amazonaws.com, SourceArn: !Sub "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/GET/jobs"}
  Other2: {Type: AWS::ApiGateway::RestApi}
  AnyAction:
    Type: AWS::Lambda::Permission
    Properties: {Action: "*", FunctionName: !GetAtt Fn.Arn, Principal: apigateway.amazonaws.com, SourceArn: !Sub "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Other2}/*/*"}
`))
	require.NoError(t, err)
	api, other, other2 := tree.NewObject("Ref", "Api"), tree.NewObject("Ref", "Other"), tree.NewObject("Ref", "Other2")
	fn := tree.NewObject("Fn::GetAtt", []any{"Fn", "Arn"})
	alias := tree.NewObject("Fn::Sub", "${Fn.Arn}:live")
	tests := []struct {
		name         string
		api          any
		method, path string
		uri          any
		want         bool
	}{
		{"the function, from its API", api, "POST", "/jobs", fn, true},
		{"the function, from another API", other, "POST", "/jobs", fn, false},
		{"the function, by a permission of Action *", other2, "POST", "/jobs", fn, true},
		{"the alias, the one method its permission names", api, "GET", "/jobs", alias, true},
		{"the alias, another method", api, "POST", "/jobs", alias, false},
		{"a function of another template", api, "POST", "/jobs", "arn:aws:lambda:us-east-1:123456789012:function:f", true},
		{"not a function", api, "POST", "/jobs", "https://example.com", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Permitted(tmpl, nil, tc.api, tc.method, tc.path, tc.uri))
		})
	}
}

// TestAllows: a statement of a policy the template has allows a grant the
// way IAM matches its Action, without regard to case and with * and ?
// wildcards, on the grant's resource or *.
func TestAllows(t *testing.T) {
	queue := tree.NewObject("Fn::GetAtt", []any{"Queue", "Arn"})
	g := grant{action: "sqs:SendMessage", resource: queue}
	tests := []struct {
		name     string
		action   any
		resource any
		want     bool
	}{
		{"the action", "sqs:SendMessage", queue, true},
		{"in another case", "SQS:sendmessage", queue, true},
		{"the service's wildcard", "sqs:*", queue, true},
		{"a prefix wildcard", "sqs:Send*", queue, true},
		{"a one-character wildcard", "sqs:SendMessag?", queue, true},
		{"everything", "*", "*", true},
		{"in a list", []any{"sqs:ReceiveMessage", "sqs:Send*"}, queue, true},
		{"another action's wildcard", "sqs:Receive*", queue, false},
		{"another service", "sns:Publish", queue, false},
		{"another resource", "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:other", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := tree.NewObject("Statement", []any{tree.NewObject("Effect", "Allow", "Action", tc.action, "Resource", tc.resource)})
			assert.Equal(t, tc.want, allows(doc, g))
		})
	}
}
