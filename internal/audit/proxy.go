package audit

import (
	"maps"
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// proxyClientRefusal says why --event proxy does not go with client mode.
const proxyClientRefusal = "--event proxy with --mode client would break every caller of it today: a call without the header (all of them) runs synchronously through a non-proxy integration, which does not read statusCode, headers and body from the function's result, so the caller gets that JSON as a 200 body, and redirects, errors, headers and binary bodies are lost; use --mode always (every call answers at once), or give asynchronous callers a method of their own"

// proxyWarnings say what the callers of a proxy method lose when --event
// proxy makes it an always asynchronous non-proxy integration: the
// function's response, content types without a template, values given
// twice, and what a mapping template cannot read of an authorizer (the
// README's table of what differs from the proxy integration's event).
func (r *Report) proxyWarnings(row Row) []string {
	contentTypes := slices.Sorted(maps.Keys(proxyEvent(r.binaryMediaTypes).Templates))
	w := []string{
		"its callers get the function's own status code, headers and body now; made asynchronous, every call answers at once with the default integration response (200, no body)",
		"only a request whose Content-Type is " + strings.Join(contentTypes, ", ") + " (or none, read as application/json) reaches the function; any other is answered 415 (passthrough behavior NEVER)",
		"a header or query string parameter given more than once reaches the function with one value, in multiValueHeaders and multiValueQueryStringParameters too",
	}
	switch strings.ToUpper(deref(row.def.AuthorizationType)) {
	case "COGNITO_USER_POOLS":
		w = append(w, "its Cognito user pool authorizer's claims reach the function as sub, email, username and scope only: cognito:groups, cognito:username and custom claims are no longer in requestContext.authorizer.claims")
	case "CUSTOM":
		w = append(w, "its Lambda authorizer's context values reach the function as strings")
	}
	return w
}

// proxyRefusal says why a proxy method is not made asynchronous as it is.
const proxyRefusal = "is a Lambda proxy integration (AWS_PROXY), which always invokes synchronously; only a non-proxy (AWS) integration invokes asynchronously, and through one the function would receive the request body instead of the proxy event it is written for"

// convertProxy plans making a proxy method asynchronous, with --event
// proxy only: the integration is put anew as a Lambda non-proxy
// integration of the same function, whose request templates (the macro's
// Event: proxy, see proxyEvent) build the proxy event, so that the
// function's event does not change.
func (r *Report) convertProxy(row Row, o FixOptions) ([]Step, *Finding) {
	if o.Event != "proxy" {
		return nil, refused(row, proxyRefusal+": use --event proxy, which keeps the event (the macro's Event: proxy), or change the function and the integration together")
	}
	if o.Mode == Client {
		return nil, refused(row, proxyClientRefusal)
	}
	tmpl := proxyEvent(r.binaryMediaTypes)
	in := row.def.MethodIntegration
	params := maps.Clone(in.RequestParameters)
	if params == nil {
		params = map[string]string{}
	}
	for _, k := range invocationTypeKeys(params) {
		delete(params, k)
	}
	mapping, steps := r.mapping(row, o)
	params[cfn.InvocationTypeParameter] = mapping
	put := &apigateway.PutIntegrationInput{
		RestApiId: aws.String(r.API.ID), ResourceId: aws.String(row.ResourceID), HttpMethod: aws.String(row.Method),
		Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"), Uri: in.Uri, Credentials: in.Credentials,
		RequestParameters: params, RequestTemplates: tmpl.Templates, PassthroughBehavior: aws.String(tmpl.Passthrough),
		ContentHandling: tmpl.ContentHandling, CacheNamespace: in.CacheNamespace,
	}
	if len(in.CacheKeyParameters) > 0 { // an empty list is sent as none, as the command writes it
		put.CacheKeyParameters = in.CacheKeyParameters
	}
	if in.TimeoutInMillis != 0 {
		put.TimeoutInMillis = aws.Int32(in.TimeoutInMillis)
	}
	steps = append(steps, Step{Method: row.Key(), Why: "make it a Lambda non-proxy integration of the same function whose request template builds the proxy event, and map X-Amz-Invocation-Type from " + params[cfn.InvocationTypeParameter], input: put})
	converted := row
	converted.def.MethodIntegration = &types.Integration{} // put anew: no integration responses
	return r.responsesAndPermission(steps, row, converted, o.StatusCode)
}
