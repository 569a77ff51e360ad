// Package benchreq builds the macro requests the benchmarks measure, the
// same for the in-process benchmarks (macro), the instruction count and the
// end-to-end comparison under the emulator (tests/bench).
package benchreq

import (
	"fmt"
	"strings"
)

// Functions is how many Lambda functions the async methods of Template
// invoke (round robin), so that permissions are de-duplicated per function.
const Functions = 20

// Template returns a macro request (compact JSON, as CloudFormation sends
// it) whose template has methods AWS::ApiGateway::Method resources with
// AsyncInvoke (every third in client mode, the rest always) and others
// other resources: first an AWS::ApiGateway::Resource per method, then, in
// turn, Lambda functions, IAM roles, SQS queues, log groups, DynamoDB
// tables, CloudWatch alarms, SSM parameters and SNS subscriptions with
// properties of typical size. Template(400, 2000) is about 1 MB, the case
// the README's Performance section reports; about half of its resources are
// of types the macro reads.
func Template(methods, others int) []byte {
	const tags = `[{"Key":"team","Value":"jobs"},{"Key":"cost-center","Value":"0042"},{"Key":"service","Value":"async-jobs"},{"Key":"owner","Value":"platform@example.com"},{"Key":"stack","Value":{"Ref":"AWS::StackName"}}]`
	var b strings.Builder
	b.Grow(512*methods + 450*others + 4096)
	b.WriteString(`{"region":"us-east-1","accountId":"123456789012","fragment":{"AWSTemplateFormatVersion":"2010-09-09","Description":"Benchmark: a large API with asynchronous methods",`)
	b.WriteString(`"Parameters":{"Stage":{"Type":"String","Default":"prod","AllowedValues":["dev","prod"]},"LogRetention":{"Type":"Number","Default":30}},`)
	b.WriteString(`"Conditions":{"IsProd":{"Fn::Equals":[{"Ref":"Stage"},"prod"]}},`)
	b.WriteString(`"Mappings":{"Limits":{"prod":{"Rate":1000,"Burst":2000.50},"dev":{"Rate":10,"Burst":20}}},`)
	b.WriteString(`"Resources":{"Api":{"Type":"AWS::ApiGateway::RestApi","Properties":{"Name":{"Fn::Sub":"${AWS::StackName}-api"},"EndpointConfiguration":{"Types":["REGIONAL"]}}}`)
	for f := range min(Functions, max(methods, 1)) {
		fmt.Fprintf(&b, `,"Worker%d":{"Type":"AWS::Lambda::Function","Properties":{"Runtime":"provided.al2023","Handler":"bootstrap","Architectures":["arm64"],"MemorySize":256,"Timeout":900,"Role":{"Fn::GetAtt":["WorkerRole","Arn"]},"Code":{"S3Bucket":"artifacts","S3Key":"worker-%d.zip"}}}`, f, f)
	}
	b.WriteString(`,"WorkerRole":{"Type":"AWS::IAM::Role","Properties":{"AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}}}`)
	for i := range methods {
		parent := `{"Fn::GetAtt":["Api","RootResourceId"]}`
		mode := `"always"`
		if i%3 == 2 {
			mode = `"client"`
		}
		if i < others {
			parent = fmt.Sprintf(`{"Ref":"Path%d"}`, i)
		}
		fmt.Fprintf(&b, `,"Method%d":{"Type":"AWS::ApiGateway::Method","Properties":{"RestApiId":{"Ref":"Api"},"ResourceId":%s,"HttpMethod":"POST","AuthorizationType":"NONE","ApiKeyRequired":false,"OperationName":"startJob%d","AsyncInvoke":%s,"MethodResponses":[{"StatusCode":"200","ResponseModels":{"application/json":"Empty"}}],"Integration":{"Uri":{"Fn::GetAtt":["Worker%d","Arn"]},"TimeoutInMillis":29000,"PassthroughBehavior":"WHEN_NO_MATCH"}}}`,
			i, parent, i, mode, i%Functions)
	}
	for i := range others {
		if i < methods {
			fmt.Fprintf(&b, `,"Path%d":{"Type":"AWS::ApiGateway::Resource","Properties":{"RestApiId":{"Ref":"Api"},"ParentId":{"Fn::GetAtt":["Api","RootResourceId"]},"PathPart":"jobs%d"}}`, i, i)
			continue
		}
		switch i % 8 {
		case 0:
			fmt.Fprintf(&b, `,"Other%d":{"Type":"AWS::Lambda::Function","Properties":{"FunctionName":{"Fn::Sub":"${AWS::StackName}-other-%d"},"Runtime":"python3.12","Handler":"index.handler","MemorySize":128,"Timeout":30,"Role":{"Fn::GetAtt":["WorkerRole","Arn"]},"Environment":{"Variables":{"TABLE":{"Ref":"Table%d"},"STAGE":{"Ref":"Stage"}}},"Code":{"S3Bucket":"artifacts","S3Key":"other-%d.zip"},"Tags":`+tags+`}}`, i, i, i+4, i)
		case 1:
			fmt.Fprintf(&b, `,"Role%d":{"Type":"AWS::IAM::Role","Properties":{"AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]},"ManagedPolicyArns":["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],"Tags":`+tags+`}}`, i)
		case 2:
			fmt.Fprintf(&b, `,"Queue%d":{"Type":"AWS::SQS::Queue","Properties":{"QueueName":{"Fn::Sub":"${AWS::StackName}-queue-%d"},"VisibilityTimeout":960,"MessageRetentionPeriod":1209600,"RedrivePolicy":{"deadLetterTargetArn":{"Fn::GetAtt":["WorkerRole","Arn"]},"maxReceiveCount":5},"Tags":`+tags+`}}`, i, i)
		case 3:
			fmt.Fprintf(&b, `,"Logs%d":{"Type":"AWS::Logs::LogGroup","DeletionPolicy":"Retain","UpdateReplacePolicy":"Retain","Properties":{"LogGroupName":{"Fn::Sub":"/aws/lambda/${AWS::StackName}-other-%d"},"RetentionInDays":{"Ref":"LogRetention"},"Tags":[{"Key":"team","Value":"jobs"},{"Key":"cost-center","Value":"0042"}]}}`, i, i)
		case 4:
			fmt.Fprintf(&b, `,"Table%d":{"Type":"AWS::DynamoDB::Table","Properties":{"BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true},"Tags":`+tags+`}}`, i)
		case 5:
			fmt.Fprintf(&b, `,"Alarm%d":{"Type":"AWS::CloudWatch::Alarm","Condition":"IsProd","Properties":{"AlarmDescription":"Errors of function %d over the last five minutes","Namespace":"AWS/Lambda","MetricName":"Errors","Dimensions":[{"Name":"FunctionName","Value":{"Ref":"Other%d"}}],"Statistic":"Sum","Period":300,"EvaluationPeriods":1,"Threshold":1.0,"ComparisonOperator":"GreaterThanOrEqualToThreshold","TreatMissingData":"notBreaching","Tags":`+tags+`}}`, i, i-5, i-5)
		case 6:
			fmt.Fprintf(&b, `,"Setting%d":{"Type":"AWS::SSM::Parameter","Properties":{"Name":{"Fn::Sub":"/${AWS::StackName}/settings/%d"},"Type":"String","Value":"{\"batchSize\":25,\"retries\":3,\"backoff\":1.5}","Description":"Settings of worker %d, read at start-up","Tags":{"team":"jobs","cost-center":"0042","service":"async-jobs"}}}`, i, i, i)
		case 7:
			fmt.Fprintf(&b, `,"Subscription%d":{"Type":"AWS::SNS::Subscription","Properties":{"Protocol":"sqs","Endpoint":{"Fn::GetAtt":["Queue%d","Arn"]},"TopicArn":{"Fn::Sub":"arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:events"},"RawMessageDelivery":true,"FilterPolicy":{"type":["job.started","job.finished"]}}}`, i, i-5)
		}
	}
	b.WriteString(`},"Outputs":{"ApiUrl":{"Value":{"Fn::Sub":"https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/prod"},"Export":{"Name":{"Fn::Sub":"${AWS::StackName}-url"}}}}}`)
	b.WriteString(`,"transformId":"123456789012::AsyncInvoke","params":{},"requestId":"bench-1","templateParameterValues":{"Stage":"prod","LogRetention":"30"}}`)
	return []byte(b.String())
}

// OpenAPI returns a macro request with methods async methods and an inline
// OpenAPI document of operations async operations: a template the macro
// must decode entirely (the document is a RestApi's Body).
// OpenAPI(200, 2500) is about 1 MB.
func OpenAPI(methods, operations int) []byte {
	var b strings.Builder
	b.WriteString(`{"requestId":"bench","transformId":"t","region":"us-east-1","accountId":"123456789012","params":{},"templateParameterValues":{},"fragment":{"AWSTemplateFormatVersion":"2010-09-09","Resources":{"Fn":{"Type":"AWS::Lambda::Function","Properties":{"Runtime":"provided.al2023","Handler":"bootstrap","MemorySize":128,"Timeout":30}}`)
	b.WriteString(`,"Api":{"Type":"AWS::ApiGateway::RestApi","Properties":{"Name":"bench"`)
	if operations > 0 {
		b.WriteString(`,"Body":{"openapi":"3.0.1","info":{"title":"bench","version":"1.0"},"paths":{`)
		for i := range operations {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"/items%d/{id}":{"post":{"summary":"Start job %d and return at once; the worker runs on its own","x-async-invoke":"client","parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],"x-amazon-apigateway-integration":{"uri":{"Fn::Sub":"arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}}}}`, i, i)
		}
		b.WriteString(`}}`)
	}
	b.WriteString(`}}`)
	for i := range methods {
		fmt.Fprintf(&b, `,"Method%d":{"Type":"AWS::ApiGateway::Method","Properties":{"RestApiId":{"Ref":"Api"},"ResourceId":{"Fn::GetAtt":["Api","RootResourceId"]},"HttpMethod":"POST","AuthorizationType":"NONE","AsyncInvoke":"always","Integration":{"Uri":{"Fn::GetAtt":["Fn","Arn"]},"TimeoutInMillis":29000}}}`, i)
	}
	b.WriteString(`}}}`)
	return []byte(b.String())
}
