// Package local runs a template's Lambda functions and REST APIs on this
// machine: functions are built as `sam build` builds them (make
// build-<LogicalId> for Metadata BuildMethod makefile) and run under the
// Lambda Runtime Interface Emulator; APIs are served as API Gateway would
// serve them, asynchronous invocation included.
//
// One file a concern:
//
//   - functions.go: the functions a template declares, and building them
//   - routes.go: the routes and integrations of a template's REST APIs;
//     match.go: which route a request takes
//   - server.go: the Server, its start and its shutdown
//   - pool.go: the emulators that run each function's invocations
//   - serve.go: answering a request; proxy.go: the Lambda proxy event;
//     mock.go: MOCK integrations; errors.go: API Gateway's own error
//     answers
//   - binary.go: the API's binary media types, and how ContentHandling
//     converts a body
//   - request.go: the method request and its $context; templates.go:
//     mapping templates (internal/vtl runs them), their selection by
//     Content-Type and Accept, PassthroughBehavior; response.go: the
//     integration response (as the Lambda Invoke API answers), its
//     selection, response parameters and templates
//   - async.go: the asynchronous queue, retries and event age;
//     invokeconfig.go: what each function's asynchronous invocation
//     configuration says; destinations.go: the invocation records
package local
