package audit

import (
	"maps"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

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
