package audit

import (
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/macro"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// Class is how a method invokes its backend.
type Class string

// The classes. Only a Lambda non-proxy (AWS) integration can invoke
// asynchronously; what X-Amz-Invocation-Type it sends decides.
const (
	Async        Class = "async"         // always: the mapping is 'Event'
	Client       Class = "client"        // the caller chooses, with a header (or another part of the request)
	Template     Class = "template"      // a request template sets X-Amz-Invocation-Type itself
	Sync         Class = "sync"          // no mapping ('RequestResponse', Lambda's default)
	Varies       Class = "varies"        // a stage variable or the request context chooses
	Invalid      Class = "invalid"       // a value Lambda refuses, or DryRun: the function never runs
	Proxy        Class = "proxy"         // Lambda proxy (AWS_PROXY): always synchronous
	Mock         Class = "mock"          // MOCK
	HTTP         Class = "http"          // HTTP or HTTP_PROXY
	OtherService Class = "other service" // an AWS integration with another service
	None         Class = "none"          // no integration
)

// Invocation is how a method's integration invokes its backend, and what
// decides it.
type Invocation struct {
	Class Class `json:"class"`
	// Header is, for Client, the method request header the caller sets.
	Header string `json:"header,omitempty"`
	// Source is the X-Amz-Invocation-Type mapping's source as written
	// ('Event', method.request.header.InvocationType, stageVariables.mode),
	// for Template the content type of the template that sets it, for
	// OtherService the service (sqs, states, lambda).
	Source string `json:"source,omitempty"`
	// Note says more, in words.
	Note string `json:"note,omitempty"`
	// InvokeAsync is true for an integration with Lambda's deprecated
	// InvokeAsync API, always asynchronous, which reads no invocation type.
	InvokeAsync bool `json:"invokeAsync,omitempty"`

	unset bool // the mapping's stage variable is not set on the stage
}

// Lambda's invocation types, as X-Amz-Invocation-Type carries them.
const (
	eventType           = "Event"
	requestResponseType = "RequestResponse"
	dryRunType          = "DryRun"
)

// Classify tells how method m invokes its backend, from its integration
// alone: a pure function of what GetResources (embed=methods) or GetMethod
// returns. stageVariables are the stage's variables, nil when no stage is
// named; a mapping from a stage variable is read through them.
func Classify(m types.Method, stageVariables map[string]string) Invocation {
	in := m.MethodIntegration
	if in == nil {
		return Invocation{Class: None, Note: "the method has no integration; API Gateway refuses to deploy the API until it has one"}
	}
	switch strings.ToUpper(string(in.Type)) {
	case string(types.IntegrationTypeAwsProxy):
		return Invocation{Class: Proxy, Note: "a Lambda proxy integration always invokes synchronously"}
	case string(types.IntegrationTypeMock):
		return Invocation{Class: Mock}
	case string(types.IntegrationTypeHttp), string(types.IntegrationTypeHttpProxy):
		return Invocation{Class: HTTP}
	case string(types.IntegrationTypeAws):
	default:
		return Invocation{Class: OtherService, Note: "integration type " + string(in.Type)}
	}
	uri := deref(in.Uri)
	if _, ok := invokeAsyncURI(uri); ok {
		return Invocation{Class: Async, InvokeAsync: true, Note: "through Lambda's deprecated InvokeAsync API (path/2014-11-13/functions/.../invoke-async/), which always invokes asynchronously, takes payloads up to 256 KB and reads no X-Amz-Invocation-Type"}
	}
	if _, _, _, ok := cfn.SplitInvocationURI(uri); !ok {
		service, note := serviceOf(uri)
		return Invocation{Class: OtherService, Source: service, Note: note}
	}
	for _, ct := range sortedKeys(in.RequestTemplates) {
		if macro.OverridesInvocationType(in.RequestTemplates[ct]) {
			return Invocation{Class: Template, Source: ct, Note: "the request template for " + ct + " sets X-Amz-Invocation-Type ($context.requestOverride), after the parameter mappings"}
		}
	}
	keys := invocationTypeKeys(in.RequestParameters)
	if len(keys) == 0 {
		return Invocation{Class: Sync, Note: "no X-Amz-Invocation-Type mapping: Lambda's default, RequestResponse"}
	}
	inv := fromSource(in.RequestParameters[keys[0]], stageVariables)
	if len(keys) > 1 {
		inv.Note = join(inv.Note, "X-Amz-Invocation-Type is mapped "+itoa(len(keys))+" times, in different cases ("+strings.Join(keys, ", ")+"): API Gateway sends one of them")
	}
	return inv
}

// fromSource classifies an X-Amz-Invocation-Type mapping's source.
func fromSource(source string, stageVariables map[string]string) Invocation {
	inv := Invocation{Source: source}
	if len(source) >= 2 && strings.HasPrefix(source, "'") && strings.HasSuffix(source, "'") {
		inv.Class, inv.Note = staticType(source[1 : len(source)-1])
		return inv
	}
	if name, ok := strings.CutPrefix(source, cfn.HeaderSource); ok {
		inv.Class, inv.Header = Client, name
		return inv
	}
	if part, ok := strings.CutPrefix(source, "method.request."); ok {
		kind, name, _ := strings.Cut(part, ".")
		inv.Class, inv.Note = Client, "the caller chooses with the "+requestPart(kind)+" "+name
		return inv
	}
	if name, ok := strings.CutPrefix(source, "stageVariables."); ok {
		if stageVariables == nil {
			inv.Class, inv.Note = Varies, "the stage variable "+name+" chooses; name the stage with --stage to read it"
			return inv
		}
		value, set := stageVariables[name]
		if !set {
			inv.Class, inv.unset = Sync, true
			inv.Note = "the stage variable " + name + " is not set on this stage, so API Gateway sends no invocation type: Lambda's default, RequestResponse"
			return inv
		}
		inv.Class, inv.Note = staticType(value)
		inv.Note = join("the stage variable "+name+" is "+value, inv.Note)
		return inv
	}
	inv.Class, inv.Note = Varies, "mapped from "+source
	return inv
}

// staticType classifies a literal invocation type.
func staticType(value string) (Class, string) {
	switch value {
	case eventType:
		return Async, ""
	case requestResponseType:
		return Sync, ""
	case dryRunType:
		return Invalid, "DryRun: Lambda only checks that the call would be allowed, and the function never runs"
	}
	return Invalid, "'" + value + "' is not an invocation type (Event, RequestResponse or DryRun, in that case): Lambda refuses every call"
}

// requestPart names a method request parameter's location in words.
func requestPart(kind string) string {
	switch kind {
	case "querystring", "multivaluequerystring":
		return "query string parameter"
	case "path":
		return "path parameter"
	case "header", "multivalueheader":
		return "header"
	case "body":
		return "body field"
	}
	return kind
}

// invocationTypeKeys are the request parameters that map
// X-Amz-Invocation-Type, in any case, sorted.
func invocationTypeKeys(params map[string]string) []string {
	var keys []string
	for k := range params {
		if strings.EqualFold(k, cfn.InvocationTypeParameter) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// serviceOf names the AWS service of an API Gateway integration URI,
// arn:PARTITION:apigateway:REGION:SERVICE:..., and says more in words.
func serviceOf(uri string) (service, note string) {
	segs := strings.SplitN(uri, ":", 6)
	if len(segs) < 6 || segs[0] != "arn" || segs[2] != "apigateway" {
		return "", "integration URI " + uri
	}
	if segs[4] == "lambda" {
		return "lambda", "Lambda, but not its Invoke API: " + segs[5]
	}
	return segs[4], ""
}

// invokeAsyncURI reads an integration URI of Lambda's deprecated
// InvokeAsync API, arn:PARTITION:apigateway:REGION:lambda:path/2014-11-13/functions/FUNCTION/invoke-async/,
// and returns the URI of its Invoke API for the same function.
func invokeAsyncURI(uri string) (invoke string, ok bool) {
	segs := strings.SplitN(uri, ":", 6)
	if len(segs) < 6 || segs[0] != "arn" || segs[2] != "apigateway" || segs[4] != "lambda" {
		return "", false
	}
	fn, ok := strings.CutPrefix(segs[5], "path/2014-11-13/functions/")
	if !ok {
		return "", false
	}
	if fn, ok = strings.CutSuffix(strings.TrimSuffix(fn, "/"), "/invoke-async"); !ok || fn == "" {
		return "", false
	}
	return cfn.InvocationURI(segs[1], segs[3], fn), true
}
