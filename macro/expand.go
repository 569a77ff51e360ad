// Package macro is the AsyncInvoke transformation: it expands the
// AsyncInvoke shorthand on AWS::ApiGateway::Method resources and
// x-async-invoke in inline OpenAPI documents into the Lambda non-proxy
// integration that makes API Gateway invoke a function asynchronously,
// fixes the integration URI and adds the invoke permission.
//
// It works on the generic tree of package tree, changes only what the
// shorthand owns, and refuses what cannot work with Problems that name the
// resource and property path. It does no I/O and calls no AWS API.
package macro

import (
	"fmt"

	"github.com/asyncinvoke/asyncinvoke/cfn"
	"github.com/asyncinvoke/asyncinvoke/tree"
)

// Shorthand is the property on AWS::ApiGateway::Method that asks for
// asynchronous invocation.
const Shorthand = "AsyncInvoke"

// Stats counts what one expansion did.
type Stats struct {
	Methods     int // AWS::ApiGateway::Method resources expanded
	Operations  int // OpenAPI operations expanded
	Permissions int // AWS::Lambda::Permission resources added
}

type expander struct {
	res        *cfn.Resources
	parameters *tree.Object
	conditions *tree.Object
	fragment   *tree.Object
	values     map[string]any
	problems   Problems
	perms      permissions
	stats      Stats
}

// Expand expands the shorthand in a template (or a macro's template
// fragment) in place. values are the template parameter values; a parameter
// without one takes its Default. When the template cannot be expanded the
// error is Problems, listing every problem found, and the fragment must be
// discarded.
func Expand(fragment any, values map[string]any) (Stats, error) {
	e := &expander{values: values}
	e.run(fragment)
	if len(e.problems) > 0 {
		return e.stats, e.problems
	}
	return e.stats, nil
}

func (e *expander) fail(where *loc, format string, args ...any) {
	e.problems = append(e.problems, Problem{Path: where.path(), Message: fmt.Sprintf(format, args...)})
}

func (e *expander) run(fragment any) {
	f, ok := fragment.(*tree.Object)
	if !ok {
		e.fail(nil, "the template is %s; a template must be an object with a Resources section", tree.TypeName(fragment))
		return
	}
	e.fragment = f
	e.res = cfn.NewResources(nil)
	if p, ok := f.Get("Parameters"); ok {
		e.parameters, _ = p.(*tree.Object)
	}
	if c, ok := f.Get("Conditions"); ok {
		e.conditions, _ = c.(*tree.Object)
	}
	r, ok := f.Get("Resources")
	if !ok {
		return
	}
	section, ok := r.(*tree.Object)
	if !ok {
		e.fail(resourcesLoc, "is %s; Resources must be an object of logical IDs and resources", tree.TypeName(r))
		return
	}
	e.res = cfn.NewResources(section)
	e.perms.init(e)
	e.res.Each(e.resource)
	if len(e.problems) == 0 {
		e.stats.Permissions = e.perms.add(e)
	}
}

// resource dispatches on the resource type.
func (e *expander) resource(id string, res *tree.Object) {
	typ, _ := res.Get("Type")
	t, _ := typ.(string)
	props, _ := res.Get("Properties")
	p, _ := props.(*tree.Object)
	where := resourcesLoc.at(id).at("Properties")
	switch t {
	case "AWS::ApiGateway::Method":
		if p != nil && p.Has(Shorthand) {
			e.method(id, res, p, where)
		}
		return
	case "AWS::ApiGateway::RestApi":
		e.document(id, p, "Body", where)
	case "AWS::Serverless::Api":
		e.document(id, p, "DefinitionBody", where)
	case "AWS::Serverless::Function":
		e.samFunction(id, p, where)
	}
	if p == nil || !p.Has(Shorthand) {
		return
	}
	switch t {
	case "AWS::ApiGateway::RestApi", "AWS::Serverless::Api":
		e.fail(where.at(Shorthand), "AsyncInvoke goes on each AWS::ApiGateway::Method, or as x-async-invoke on an operation of the API's OpenAPI document; move it there")
	case "AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Route", "AWS::Serverless::HttpApi":
		e.fail(where.at(Shorthand), "%s is an HTTP API, and HTTP APIs only support Lambda proxy integrations, which always invoke synchronously; use a REST API (AWS::ApiGateway::RestApi with AWS::ApiGateway::Method) for asynchronous invocation", t)
	default:
		e.fail(where.at(Shorthand), "AsyncInvoke applies only to AWS::ApiGateway::Method (and x-async-invoke to operations of a REST API's OpenAPI document), not to %s; remove it", describeType(t))
	}
}

func describeType(t string) string {
	if t == "" {
		return "a resource without a Type"
	}
	return t
}
