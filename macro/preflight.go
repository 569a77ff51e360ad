package macro

import (
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// An ANY method takes every HTTP method its resource has no method of its
// own for, OPTIONS too: browsers' CORS preflights then reach the function
// through the asynchronous integration, and are answered with the method's
// response, which carries no Access-Control-Allow-* headers unless the
// integration response maps them, so browsers refuse the call. Before the
// conversion a proxy handler could answer the preflight itself. The macro
// says so (NotePreflight) unless the resource has an OPTIONS method, which
// API Gateway prefers to ANY.

// methodPreflight notes an ANY method whose resource has no OPTIONS method
// in the template.
func (e *expander) methodPreflight(props *tree.Object, o Options, where *loc) {
	m, _ := e.resolved(valueOf(props, "HttpMethod")).(string)
	if !strings.EqualFold(m, "ANY") {
		return
	}
	api, resource := valueOf(props, "RestApiId"), valueOf(props, "ResourceId")
	options := false
	e.res.Each(func(id string, _ *tree.Object) {
		if e.res.Type(id) != cfn.TypeMethod {
			return
		}
		p := e.res.Properties(id)
		hm, _ := e.resolved(valueOf(p, "HttpMethod")).(string)
		if strings.EqualFold(hm, "OPTIONS") && tree.Equal(valueOf(p, "RestApiId"), api) && tree.Equal(valueOf(p, "ResourceId"), resource) {
			options = true
		}
	})
	if !options {
		e.noteOf(NotePreflight, where.at("HttpMethod"), "is ANY, and this resource has no OPTIONS method: %s", preflight(o, "add an AWS::ApiGateway::Method with HttpMethod OPTIONS on this resource"))
	}
}

// operationPreflight notes an x-amazon-apigateway-any-method operation
// whose path item has no options operation, on an API whose CORS
// configuration SAM does not write one for (a SAM Api's Cors).
func (e *expander) operationPreflight(api, method string, item *tree.Object, o Options, where *loc) {
	if !strings.EqualFold(method, cfn.AnyMethodExtension) || indexFold(item, "options") >= 0 {
		return
	}
	if e.res.Type(api) == cfn.TypeSAMAPI && e.res.SAMProperty(cfn.SAMGlobalsFor(e.fragment, cfn.TypeSAMAPI), api, "Cors") != nil {
		return // SAM adds an options operation to every path
	}
	e.noteOf(NotePreflight, where, "is %s, and its path has no options operation: %s", cfn.AnyMethodExtension, preflight(o, "add an options operation to this path"))
}

// preflight says what becomes of a CORS preflight and what to do. What the
// function gets is the method's event: with Event: proxy, a proxy event
// whose httpMethod is OPTIONS; with Event: body, the preflight's body,
// which is empty, and Lambda passes an empty payload as {}
// (aws/aws-lambda-dotnet#834), so the function cannot tell the preflight
// from a call whose body is {}.
func preflight(o Options, add string) string {
	how := "asynchronously"
	if o.Mode == Client {
		how = "synchronously (a preflight carries no " + o.Header + " header)"
	}
	if o.Event == EventProxy {
		how += ", with a proxy event whose httpMethod is OPTIONS,"
	} else {
		how += ", with the preflight's empty body, which Lambda gives the function as {}, so that it cannot tell the preflight from a call whose body is {},"
	}
	return "API Gateway routes browsers' CORS preflights (OPTIONS) to this method, so a preflight invokes the function " + how + " and is answered with this method's response, without Access-Control-Allow-* headers, and browsers refuse the call; " + add + ", an integration of type MOCK that answers the CORS headers, and map Access-Control-Allow-Origin on this method's integration responses (README, Browsers and CORS)"
}
