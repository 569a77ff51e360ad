package macro

import (
	"fmt"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
)

// Code identifies a rule of the macro: every Problem carries the code of
// the rule it breaks, every note (Stats.Notes) the code of its kind, so
// that a user can look it up. asyncinvoke check reports each finding under
// its code, and lists them (check --help, the README's table of codes) from
// Rules.
//
// The numbering is stable and grouped by concern: E1xyy is a problem the
// macro refuses a template for, x the concern (1 the template and where the
// shorthand stands, 2 the shorthand's options, 3 the method and its
// integration, 4 the function invoked, 5 destinations, 6 asynchronous
// invocation configurations, 7 Event: proxy, 8 Accepted, 9 OpenAPI
// documents and SAM), yy the rule; W4xyy is a note. A new rule takes the
// next number of its concern; a code is never reused for another rule.
type Code string

// The codes of the macro's problems.
const (
	// The template, and where the shorthand stands.
	codeNotTemplate     Code = "E1101"
	codeNotMethod       Code = "E1102"
	codeHTTPAPI         Code = "E1103"
	codeSnippet         Code = "E1104"
	codeForEach         Code = "E1105"
	codeMisplaced       Code = "E1106"
	codeInsideIntrinsic Code = "E1107"

	// The shorthand's options.
	codeMode            Code = "E1201"
	codeNoMode          Code = "E1202"
	codeUnknownOption   Code = "E1203"
	codeHeaderName      Code = "E1204"
	codeStatusCode      Code = "E1205"
	codeEvent           Code = "E1206"
	codeBoolean         Code = "E1207"
	codeAsyncSetting    Code = "E1208"
	codeCondition       Code = "E1209"
	codeRef             Code = "E1210"
	codeOptionsConflict Code = "E1211"

	// The method and its integration.
	codeNoIntegration          Code = "E1301"
	codeUnreadable             Code = "E1302"
	codeProxyIntegration       Code = "E1303"
	codeIntegrationType        Code = "E1304"
	codeNoURI                  Code = "E1305"
	codeInvocationTypeMapped   Code = "E1306"
	codeInvocationTypeOverride Code = "E1307"
	codeHeaderRequired         Code = "E1308"
	codeDefaultResponse        Code = "E1309"
	codeResponseHeader         Code = "E1310"
	codeIntegrationRef         Code = "E1311"

	// The function invoked.
	codeURI            Code = "E1401"
	codeOtherService   Code = "E1402"
	codeLambdaPath     Code = "E1403"
	codeNotFunction    Code = "E1404"
	codeFunctionName   Code = "E1405"
	codeParameterValue Code = "E1406"
	codeQualifier      Code = "E1407"

	// Destinations.
	codeConditionalDestination Code = "E1501"
	codeUnseenDestination      Code = "E1502"
	codeNotDestination         Code = "E1503"
	codeFIFO                   Code = "E1504"
	codeOnFailureOnly          Code = "E1505"

	// Asynchronous invocation configurations.
	codeUnconfigurable     Code = "E1601"
	codeSettingsDiffer     Code = "E1602"
	codeConfigDiffers      Code = "E1603"
	codeSAMRoleConditional Code = "E1604"
	codeSAMGlobals         Code = "E1605"
	codeSAMQualifier       Code = "E1606"
	codeCycle              Code = "E1607"
	codeSAMMadeWait        Code = "E1608"

	// Event: proxy.
	codeRequestTemplates Code = "E1701"
	codePassthrough      Code = "E1702"
	codeContentHandling  Code = "E1703"
	codeBinaryMediaTypes Code = "E1704"

	// Accepted.
	codeAcceptedStatus   Code = "E1801"
	codeResponseTemplate Code = "E1802"
	codeRequestIDMapped  Code = "E1803"

	// OpenAPI documents and SAM.
	codeDocumentText     Code = "E1901"
	codeMergeDefinitions Code = "E1902"
	codeSAMEvent         Code = "E1903"
)

// Rule is a rule of the macro: its code, whether breaking it is a problem
// (the macro refuses the template) or a note, and what it is about.
type Rule struct {
	Code    Code
	Note    bool
	Summary string
}

// Rules are the macro's rules, in the order of their codes.
var Rules = []Rule{
	{codeNotTemplate, false, "the template is not an object with a `Resources` object"},
	{codeNotMethod, false, "`AsyncInvoke` on a resource that is not an `AWS::ApiGateway::Method` (a `RestApi`, a SAM `Api`, another type): it goes on each method, or as `x-async-invoke` on an operation"},
	{codeHTTPAPI, false, "the shorthand on an HTTP API, whose Lambda integrations are proxy integrations, always synchronous"},
	{codeSnippet, false, "the shorthand in a snippet given to `Fn::Transform`: the macro runs on whole templates (`Transform: AsyncInvoke`)"},
	{codeForEach, false, "the shorthand inside `Fn::ForEach`, which `AWS::LanguageExtensions` expands: it must be listed before the macro"},
	{codeMisplaced, false, "the shorthand where the macro does not expand it (inside `Integration`, beside `Type`, on an OpenAPI path item, inside `x-amazon-apigateway-integration`, anywhere else), where it would be left in the template"},
	{codeInsideIntrinsic, false, "the shorthand inside an intrinsic function the macro does not read through (it does through `Fn::If` around a path item or an operation)"},

	{codeMode, false, "the mode is not `always` or `client` (in any case), or a `Ref` to a parameter whose value is one"},
	{codeNoMode, false, "the object form has no `Mode`"},
	{codeUnknownOption, false, "an option the shorthand does not have"},
	{codeHeaderName, false, "`Header` is not an HTTP header name"},
	{codeStatusCode, false, "`StatusCode` is not an HTTP status code"},
	{codeEvent, false, "`Event` is not `body` or `proxy`"},
	{codeBoolean, false, "`Required`, `Permission` or `Accepted` is not `true` or `false`"},
	{codeAsyncSetting, false, fmt.Sprintf("`MaximumRetryAttempts` or `MaximumEventAgeInSeconds` is not a whole number in Lambda's range (%s)", asyncRanges())},
	{codeCondition, false, "an `Fn::If` in the shorthand names no condition of the template"},
	{codeRef, false, "a `Ref` in the shorthand that names no template parameter with a value or `Default`"},
	{codeOptionsConflict, false, "options that do not go together: `Header` or `Required` in `always` mode; with `Accepted`, a `StatusCode` other than `202` or a `Header` with `'`"},

	{codeNoIntegration, false, "a method with `AsyncInvoke` (an operation with `x-async-invoke`) has no integration"},
	{codeUnreadable, false, "an integration, or a list or map of the method the macro must read or add to (`RequestParameters`, `IntegrationResponses`, `MethodResponses`, `parameters`, `responses`), written so that it cannot (an intrinsic function, another type)"},
	{codeProxyIntegration, false, "a Lambda proxy integration (`AWS_PROXY`), always synchronous, without `Event: proxy`"},
	{codeIntegrationType, false, "an integration type other than `AWS`, a Lambda non-proxy integration"},
	{codeNoURI, false, "an integration without `Uri`"},
	{codeInvocationTypeMapped, false, "the integration already maps `X-Amz-Invocation-Type` from something else"},
	{codeInvocationTypeOverride, false, "a request template sets `X-Amz-Invocation-Type` itself (`$context.requestOverride`), after the mapping"},
	{codeHeaderRequired, false, "the method declares the client's header with another `Required`"},
	{codeDefaultResponse, false, "no default integration response, and the status the macro would add one with is taken"},
	{codeResponseHeader, false, "a method response does not declare a header its integration response maps: API Gateway refuses the deployment"},
	{codeIntegrationRef, false, "`x-amazon-apigateway-integration` is a `$ref`, which REST APIs do not follow"},

	{codeURI, false, "the `Uri` is neither a function (its ARN, `!GetAtt Function.Arn`, `!Ref Function`) nor Lambda's invocation URI"},
	{codeOtherService, false, "the `Uri` invokes another AWS service through API Gateway"},
	{codeLambdaPath, false, "an API Gateway URI for Lambda other than the Invoke API's (response streaming, another version), which does not invoke asynchronously"},
	{codeNotFunction, false, "the `Uri` refers to something that is not a function of the template or a parameter (a pseudo parameter, a resource of another type, an attribute other than the ARN, SAM's alias without `AutoPublishAlias`)"},
	{codeFunctionName, false, "a function named by `!Ref` (its name) through a `Fn::Sub` variable or a `Fn::Join`, where its ARN is needed"},
	{codeParameterValue, false, "the function's ARN comes from a parameter whose value is not a function ARN"},
	{codeQualifier, false, "an alias or version the macro cannot read, with `Permission` on"},

	{codeConditionalDestination, false, "a destination chosen by a condition otherwise than `!If [Condition, destination, !Ref AWS::NoValue]`"},
	{codeUnseenDestination, false, "a destination whose value the macro cannot see (an intrinsic function, a parameter not of type `String`, or without a value), so it cannot tell its kind"},
	{codeNotDestination, false, "a destination that is not one Lambda can send records to: its ARN, or the resource or attribute it names"},
	{codeFIFO, false, "a FIFO queue or topic as a destination"},
	{codeOnFailureOnly, false, "a destination for the records of failed calls only (an S3 bucket) given as `OnSuccess`"},

	{codeUnconfigurable, false, "asynchronous invocation settings for what the macro cannot configure: a function outside the template, one it cannot tell, an alias a stage variable chooses"},
	{codeSettingsDiffer, false, "two shorthands give one function (alias, version) different settings"},
	{codeConfigDiffers, false, "a configuration of the template for the same function (alias, version) has other settings, or exists only under a `Condition`"},
	{codeSAMRoleConditional, false, "a SAM function with destinations whose `Role` is set only under a condition"},
	{codeSAMGlobals, false, "an `EventInvokeConfig` in `Globals` that SAM would merge into other settings"},
	{codeSAMQualifier, false, "settings for what SAM does not configure: SAM configures a function's alias (`AutoPublishAlias`), or else `$LATEST`"},
	{codeCycle, false, "SAM's configuration would wait for a policy that refers to the function: a circular dependency"},
	{codeSAMMadeWait, false, "SAM's configuration sends records to a queue or topic SAM makes, and the function's role exists only under a condition the function lacks: the configuration could wait for the policy that allows it only through a circular dependency"},

	{codeRequestTemplates, false, "request templates of your own with `Event: proxy`, which writes them"},
	{codePassthrough, false, "a `PassthroughBehavior` that lets a request past `Event: proxy`'s templates"},
	{codeContentHandling, false, "a `ContentHandling` other than `CONVERT_TO_TEXT` with `Event: proxy`"},
	{codeBinaryMediaTypes, false, "binary media types the macro cannot read, with `Event: proxy`"},

	{codeAcceptedStatus, false, "with `Accepted`, a default integration response of another status than `202`"},
	{codeResponseTemplate, false, "with `Accepted`, response templates of your own on the default response"},
	{codeRequestIDMapped, false, "with `Accepted`, `X-Request-Id` mapped from something else"},

	{codeDocumentText, false, "`x-async-invoke` in an OpenAPI document written as text, which the macro does not read"},
	{codeMergeDefinitions, false, "a SAM `Api` event on an asynchronous operation of a `DefinitionBody` SAM merges (`MergeDefinitions`), which SAM would make a proxy integration"},
	{codeSAMEvent, false, "`AsyncInvoke` on a SAM function's event, always a proxy integration"},

	{NoteLeftToYou.Code(), true, "the macro expands the template but leaves something to you that it cannot do there: the permission for API Gateway to invoke a function defined outside the template (or an alias a stage variable chooses), or the policy that lets an execution role defined outside the template deliver to a destination, or the use of a KMS key from outside the template that encrypts a destination, or a key policy of the template that lets neither IAM policies nor the execution role use such a key"},
	{NoteDeployment.Code(), true, "a stage deployed before would keep running methods the macro expands as they were, and the macro cannot give the API's deployment the new logical ID that makes CloudFormation deploy them (a deployment with `StageDescription`, a method of another condition, an ID too long or taken), or no deployment of this template deploys the method's API (defined in another template, or SAM's implicit API, `ServerlessRestApi`, whose deployment SAM makes without the method) (*Deploying a change to a stage*)"},
	{NotePreflight.Code(), true, "an `ANY` method (an `x-amazon-apigateway-any-method` operation) made asynchronous whose resource has no `OPTIONS` method (whose path has no `options` operation): browsers' CORS preflights invoke the function and are answered without CORS headers (*Browsers and CORS*)"},
	{NoteContentType.Code(), true, "a request content type a method of `Event: proxy` declares (`RequestModels`, `consumes`, `requestBody.content`) that gets no request template: API Gateway answers it `415` without invoking the function"},
	{NoteOtherQualifier.Code(), true, "a method made asynchronous invokes a function itself (`$LATEST`) while the function's asynchronous invocation configuration is only on another qualifier (SAM's `EventInvokeConfig` of a function with `AutoPublishAlias`, an `AWS::Lambda::EventInvokeConfig` on an alias or version): its retries and destinations do not apply to these calls, which Lambda retries twice and drops; invoke the alias (as `E1606` asks of the shorthand's settings) or configure `$LATEST` too"},
}

// Code is the code of a kind of note: W4001 for NoteLeftToYou, W4002 to
// W4005 for the others, in their order.
func (k NoteKind) Code() Code { return Code(fmt.Sprintf("W%04d", 4001+int(k))) }

// asyncRanges says the ranges Lambda takes for the asynchronous settings.
func asyncRanges() string {
	var s string
	for i, a := range cfn.AsyncSettings {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%d to %d", a.Min, a.Max)
	}
	return s
}
