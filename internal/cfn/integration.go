package cfn

// IntegrationType is an API Gateway integration's type.
type IntegrationType string

// The integration types that invoke Lambda, and API Gateway's mock.
const (
	Lambda      IntegrationType = "AWS"       // Lambda non-proxy: the only one that can invoke asynchronously
	LambdaProxy IntegrationType = "AWS_PROXY" // Lambda proxy: always synchronous
	Mock        IntegrationType = "MOCK"
)

// InvocationTypeParameter is the integration request parameter that makes
// API Gateway invoke Lambda with X-Amz-Invocation-Type.
const InvocationTypeParameter = "integration.request.header.X-Amz-Invocation-Type"

// HeaderSource is the prefix of a method request header in a mapping.
const HeaderSource = "method.request.header."

// IntegrationKeys names an integration's properties: in CloudFormation's
// AWS::ApiGateway::Method Integration, or in OpenAPI's
// x-amazon-apigateway-integration.
type IntegrationKeys struct {
	Type, HTTPMethod, URI, Credentials                          string
	RequestParameters, RequestTemplates                         string
	Responses, StatusCode, SelectionPattern, ResponseParameters string
	// Lambda and LambdaProxy are the types as the dialect writes them.
	Lambda, LambdaProxy string
	// Mapping templates: the integration's PassthroughBehavior, and an
	// integration response's templates by content type.
	PassthroughBehavior, ResponseTemplates string
}

// The two dialects. OpenAPI keys its responses by selection pattern
// ("default" for the default one), so it has no SelectionPattern key.
var (
	MethodIntegration = IntegrationKeys{
		Type: "Type", HTTPMethod: "IntegrationHttpMethod", URI: "Uri", Credentials: "Credentials",
		RequestParameters: "RequestParameters", RequestTemplates: "RequestTemplates",
		Responses: "IntegrationResponses", StatusCode: "StatusCode", SelectionPattern: "SelectionPattern", ResponseParameters: "ResponseParameters",
		Lambda: "AWS", LambdaProxy: "AWS_PROXY",
		PassthroughBehavior: "PassthroughBehavior", ResponseTemplates: "ResponseTemplates",
	}
	OpenAPIIntegration = IntegrationKeys{
		Type: "type", HTTPMethod: "httpMethod", URI: "uri", Credentials: "credentials",
		RequestParameters: "requestParameters", RequestTemplates: "requestTemplates",
		Responses: "responses", StatusCode: "statusCode", ResponseParameters: "responseParameters",
		Lambda: "aws", LambdaProxy: "aws_proxy",
		PassthroughBehavior: "passthroughBehavior", ResponseTemplates: "responseTemplates",
	}
)

// An integration's PassthroughBehavior: what API Gateway does with a
// request whose Content-Type has no request template. OpenAPI writes them
// in lower case.
const (
	WhenNoMatch     = "WHEN_NO_MATCH"     // pass the body through (the default)
	WhenNoTemplates = "WHEN_NO_TEMPLATES" // pass it through only when there is no template at all, else 415
	Never           = "NEVER"             // 415 Unsupported Media Type
)

// IntegrationExtension is the OpenAPI extension that holds an operation's
// integration.
const IntegrationExtension = "x-amazon-apigateway-integration"

// AnyMethodExtension is the OpenAPI extension that stands for the ANY
// method of a path, as AWS::ApiGateway::Method's HttpMethod ANY does.
const AnyMethodExtension = "x-amazon-apigateway-any-method"
