// Package macro is the AsyncInvoke transformation: it expands the
// AsyncInvoke shorthand on AWS::ApiGateway::Method resources and
// x-async-invoke in inline OpenAPI documents into the Lambda non-proxy
// integration that makes API Gateway invoke a function asynchronously,
// fixes the integration URI, adds the invoke permission and, when asked,
// the function's asynchronous invocation configuration.
//
// Handle is the entry point: a CloudFormation macro request in, the
// response out, as bytes; it is what the Lambda function calls, and what
// another program would. Expand and ExpandFor work on the module's
// internal document tree, for this module's own command. The package
// changes only what the shorthand owns, refuses what cannot work with
// Problems that name the resource and property path, does no I/O and calls
// no AWS API.
//
// One file a concern, in the order a request meets them:
//
//   - handler.go: the macro request and response (Handle); lazy.go:
//     decoding only what the expansion reads (ReadsType)
//   - expand.go: the expander, and each resource by its type;
//     problem.go: problems, notes, and where they are; codes.go: the code
//     of each rule (Rules)
//   - leftover.go: a shorthand left where the macro does not expand it
//   - options.go: the shorthand's options (a table); values.go: reading a
//     template's values (a parameter's, text, numbers, booleans)
//   - method.go: AWS::ApiGateway::Method; openapi.go: x-async-invoke on
//     OpenAPI operations, and SAM's Api and function events
//   - integration.go: what both share (the type, the POST to Lambda, the
//     invocation type mapping, request overrides); uri.go: the integration
//     URI; target.go: the function, alias or version it invokes
//   - event.go: Event: proxy; accepted.go: Accepted; preflight.go: an ANY
//     method's CORS preflights
//   - permission.go: the permission for API Gateway to invoke the function;
//     conditions.go: the condition what the macro adds exists under
//   - destination.go: destinations (by cfn.DestinationKinds); kms.go: the
//     KMS keys that encrypt them; keypolicy.go: key policies that shut the
//     execution role out
//   - invokeconfig.go: asynchronous invocation configurations, collected
//     and decided; configgroup.go: the grants their roles need, grouped
//     into policies; configwrite.go: the configurations written; roles.go:
//     execution roles and their policies; qualifiers.go: a call of a
//     function itself whose configurations are on other qualifiers
//   - deployment.go: the API's deployment, renamed so that its stages run
//     what the macro changed
//   - names.go: the names of what the macro adds
//
// The facts of CloudFormation, SAM, Lambda and IAM that the macro, the
// command and the local server share are in internal/cfn: conditions,
// parameters, SAM's logical IDs and Globals, invocation URIs, source ARNs,
// Lambda's limits, destination kinds, IAM action matching.
//
// One expander carries an expansion: the template as every concern reads
// it (its resources, parameter values, conditions, stack), what they report
// (problems, notes) and the plans they add from (permissions,
// configurations, the methods expanded for the deployment). Each concern
// reads only a few of its fields (the resources and the conditions, or the
// parameter values), but nearly all of them read the same few, report, and
// call each other (a configuration needs destinations, roles, conditions and
// names); split into one struct per concern, each would carry the same
// pointers and the calls between them would pass them on, so the concerns
// are split by file and share the one expander.
package macro
