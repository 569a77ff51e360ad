package cfn

import (
	"errors"
	"fmt"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// The resource types that the macro and the local server read.
const (
	TypeFunction    = "AWS::Lambda::Function"
	TypeAlias       = "AWS::Lambda::Alias"
	TypeVersion     = "AWS::Lambda::Version"
	TypePermission  = "AWS::Lambda::Permission"
	TypeSAMFunction = "AWS::Serverless::Function"
	TypeSAMAPI      = "AWS::Serverless::Api"
	TypeRestAPI     = "AWS::ApiGateway::RestApi"
	TypeMethod      = "AWS::ApiGateway::Method"
	TypeResource    = "AWS::ApiGateway::Resource"
	TypeDeployment  = "AWS::ApiGateway::Deployment"
	TypeStage       = "AWS::ApiGateway::Stage"

	// APIs that cannot invoke asynchronously: HTTP APIs.
	TypeSAMHTTPAPI      = "AWS::Serverless::HttpApi"
	TypeHTTPAPI         = "AWS::ApiGatewayV2::Api"
	TypeHTTPIntegration = "AWS::ApiGatewayV2::Integration"
	TypeHTTPRoute       = "AWS::ApiGatewayV2::Route"

	// Destinations of asynchronous invocation records, and their keys.
	TypeQueue    = "AWS::SQS::Queue"
	TypeTopic    = "AWS::SNS::Topic"
	TypeEventBus = "AWS::Events::EventBus"
	TypeBucket   = "AWS::S3::Bucket"
	TypeKMSKey   = "AWS::KMS::Key"
	TypeKMSAlias = "AWS::KMS::Alias"

	// Execution roles and what grants them.
	TypeRole          = "AWS::IAM::Role"
	TypePolicy        = "AWS::IAM::Policy"
	TypeManagedPolicy = "AWS::IAM::ManagedPolicy"
	TypeRolePolicy    = "AWS::IAM::RolePolicy"
)

// TypeEventInvokeConfig configures the asynchronous invocation of a
// function, alias or version.
const TypeEventInvokeConfig = "AWS::Lambda::EventInvokeConfig"

// APIGatewayPrincipal is API Gateway's service principal, the one a
// Lambda permission names to let API Gateway invoke a function.
const APIGatewayPrincipal = "apigateway.amazonaws.com"

// IsFunction reports whether typ is a Lambda function: AWS::Lambda::Function
// or SAM's AWS::Serverless::Function.
func IsFunction(typ string) bool { return typ == TypeFunction || typ == TypeSAMFunction }

// FunctionOf is the logical ID of the function that an AWS::Lambda::Alias
// or AWS::Lambda::Version's FunctionName names (by Ref or Fn::GetAtt ...
// Arn), or "".
func (r *Resources) FunctionOf(id string) string {
	switch r.Type(id) {
	case TypeAlias, TypeVersion:
		p := r.Properties(id)
		if p == nil {
			return ""
		}
		fn, _ := p.Get("FunctionName")
		if ref := RefID(fn); ref != "" && IsFunction(r.Type(ref)) {
			return ref
		}
	}
	return ""
}

// ErrNoPath says that a method's resource path cannot be read from the
// template.
var ErrNoPath = errors.New("no resource path")

// ResourcePath is the path of the REST API resource that resourceID (a
// method's ResourceId) names: "/" for !GetAtt Api.RootResourceId, else the
// PathPart chain of AWS::ApiGateway::Resource resources, e.g. /jobs/{id}.
func (r *Resources) ResourcePath(resourceID any, api string) (string, error) {
	return r.resourcePath(resourceID, api, 0)
}

func (r *Resources) resourcePath(resourceID any, api string, depth int) (string, error) {
	if depth > 64 {
		return "", fmt.Errorf("%w: the resource path is a cycle", ErrNoPath)
	}
	k, arg, ok := tree.Only(resourceID)
	if ok && k == "Fn::GetAtt" {
		if id, attr := GetAtt(arg); attr == "RootResourceId" && (api == "" || id == api) {
			return "/", nil
		}
	}
	id, isStr := arg.(string)
	if !ok || k != "Ref" || !isStr || r.Type(id) != TypeResource {
		return "", fmt.Errorf("%w: ResourceId is neither !GetAtt %s.RootResourceId nor !Ref an AWS::ApiGateway::Resource", ErrNoPath, api)
	}
	p := r.Properties(id)
	if p == nil {
		return "", fmt.Errorf("%w: resource %s has no Properties", ErrNoPath, id)
	}
	part, _ := p.Get("PathPart")
	ps, ok := part.(string)
	if !ok {
		return "", fmt.Errorf("%w: resource %s has no literal PathPart", ErrNoPath, id)
	}
	parent, _ := p.Get("ParentId")
	base, err := r.resourcePath(parent, api, depth+1)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(base, "/") + "/" + ps, nil
}
