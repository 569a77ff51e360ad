package macro_test

import (
	"fmt"

	"github.com/asyncinvoke/asyncinvoke/internal/format"
	"github.com/asyncinvoke/asyncinvoke/internal/parse"
	"github.com/asyncinvoke/asyncinvoke/macro"
)

func ExampleExpand() {
	t, _ := parse.Template([]byte(`
Resources:
  Start:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      HttpMethod: GET
      AsyncInvoke: client
      Integration:
        Uri: !GetAtt Worker.Arn
  Api: {Type: AWS::ApiGateway::RestApi}
  Worker: {Type: AWS::Lambda::Function}
`))
	stats, err := macro.Expand(t, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := format.YAML(t)
	fmt.Printf("%+v\n%s", stats, out)
	// Output:
	// {Methods:1 Operations:0 Permissions:1 Configs:0 Deployments:0 Notes:[]}
	// Resources:
	//   Start:
	//     Type: AWS::ApiGateway::Method
	//     Properties:
	//       RestApiId: !Ref Api
	//       HttpMethod: GET
	//       Integration:
	//         Uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Worker.Arn}/invocations
	//         Type: AWS
	//         IntegrationHttpMethod: POST
	//         RequestParameters:
	//           integration.request.header.X-Amz-Invocation-Type: method.request.header.InvocationType
	//         IntegrationResponses:
	//           - StatusCode: "200"
	//       RequestParameters:
	//         method.request.header.InvocationType: false
	//       MethodResponses:
	//         - StatusCode: "200"
	//   Api:
	//     Type: AWS::ApiGateway::RestApi
	//   Worker:
	//     Type: AWS::Lambda::Function
	//   WorkerApiAsyncInvokePermission:
	//     Type: AWS::Lambda::Permission
	//     Properties:
	//       Action: lambda:InvokeFunction
	//       FunctionName: !GetAtt Worker.Arn
	//       Principal: apigateway.amazonaws.com
	//       SourceArn: !Sub arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/*
}

func ExampleProblems() {
	t, _ := parse.Template([]byte(`
Resources:
  Start:
    Type: AWS::ApiGateway::Method
    Properties:
      AsyncInvoke: always
      Integration: {Type: AWS_PROXY, Uri: !GetAtt Worker.Arn}
  Worker: {Type: AWS::Lambda::Function}
`))
	_, err := macro.Expand(t, nil)
	for _, p := range err.(macro.Problems) {
		fmt.Println(p.Path)
	}
	// Output:
	// Resources.Start.Properties.Integration.Type
}

// Handle is the macro as CloudFormation calls it: the request in, the
// response out, both JSON. Everything the shorthand does not own comes
// back byte for byte.
func ExampleHandle() {
	out, sum := macro.Handle([]byte(`{"requestId":"r-1","region":"eu-west-1","accountId":"123456789012","fragment":
{"Resources":{"Api":{"Type":"AWS::ApiGateway::RestApi"},"Worker":{"Type":"AWS::Lambda::Function"},
"Start":{"Type":"AWS::ApiGateway::Method","Properties":{"RestApiId":{"Ref":"Api"},"HttpMethod":"POST","AsyncInvoke":"always","Integration":{"Uri":{"Fn::GetAtt":["Worker","Arn"]}}}}}}}`))
	fmt.Println(sum.Status, sum.Methods, sum.Permissions)
	fmt.Println(string(out[:60]))
	// Output:
	// success 1 1
	// {"requestId":"r-1","status":"success","fragment":{"Resources
}

// A function defined outside the template gets no permission: the
// expansion succeeds and says what is left to do.
func ExampleExpand_notes() {
	t, _ := parse.Template([]byte(`
Resources:
  Start:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      HttpMethod: POST
      AsyncInvoke: always
      Integration:
        Uri: arn:aws:lambda:us-east-1:123456789012:function:shared
  Api: {Type: AWS::ApiGateway::RestApi}
`))
	stats, err := macro.Expand(t, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range stats.Notes {
		fmt.Println(n)
	}
	// Output:
	// Resources.Start.Properties.Integration.Uri: invokes a function defined outside this template, so the macro adds no permission for API Gateway to invoke it: grant lambda:InvokeFunction to apigateway.amazonaws.com, with a SourceArn of this API, where the function is defined, or calls through this method answer 500; then set Permission: false in AsyncInvoke to say so
}
