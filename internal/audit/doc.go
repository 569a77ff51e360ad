// Package audit tells, for a REST API already deployed (made in the
// console, or by any tool), how each method invokes Lambda and whether that
// works: which class of invocation its integration makes (Classify, a pure
// function over the SDK's types), which function it invokes, whether a
// Lambda permission covers the call (the macro's source-ARN rules, from
// package cfn), where a failed asynchronous call goes, and whether a
// stage runs the current definition. It plans the calls that make methods
// asynchronous (Plan, printed as the exact AWS CLI commands) and makes
// them (Apply) only when asked.
//
// One concern a file: read.go reads through the SDK; classify.go and
// target.go read an integration; policy.go reads a function's policy;
// deployment.go compares a stage's export with the definition; audit.go
// makes the report; scope.go decides which methods a fix without --method
// changes; plan.go, proxy.go and event.go plan the fix; apply.go
// writes it as commands and makes the calls; output.go writes the report.
package audit
