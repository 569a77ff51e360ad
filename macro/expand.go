package macro

import (
	"fmt"
	"slices"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Shorthand is the property on AWS::ApiGateway::Method that asks for
// asynchronous invocation.
const Shorthand = "AsyncInvoke"

// Stats counts what one expansion did.
type Stats struct {
	Methods     int // AWS::ApiGateway::Method resources expanded
	Operations  int // OpenAPI operations expanded
	Permissions int // AWS::Lambda::Permission resources added
	Configs     int // asynchronous invocation configurations added
	// Deployments counts the AWS::ApiGateway::Deployment resources given
	// a new logical ID, so that CloudFormation deploys what the macro
	// expanded to the stages that run them (deployment.go).
	Deployments int
	// Notes are what the expansion left for you to do because it cannot
	// be done in this template: a permission for a function defined
	// elsewhere, a policy for a role defined elsewhere (the template
	// deploys, but until that is done calls fail, or, for a role, the
	// stack does); and what the output does that you may not expect
	// (each Problem's Kind says which). asyncinvoke check reports them as
	// warnings.
	Notes []Problem
}

type expander struct {
	stack      Stack
	res        *cfn.Resources
	params     cfn.Parameters // the template's parameters and their values
	conditions *tree.Object
	fragment   *tree.Object
	problems   Problems
	perms      permissions
	expanded   []expanded // the methods and operations expanded, for redeploy
	plans      configs
	merged     []mergedOperation
	latest     []latestCall // the calls of a function itself, for NoteOtherQualifier
	stats      Stats
	rawNames   map[string]map[string]bool // the names in sections kept raw, once read (names.go)
}

// Stack is where a template is deployed, as the macro request tells.
type Stack struct {
	Region    string // e.g. us-east-1; "" when not known
	AccountID string
}

// partition is the AWS partition of the stack's region, or "".
func (s Stack) partition() string { return cfn.Partition(s.Region) }

// Expand expands the shorthand in a template (a macro's template fragment)
// in place. values are the template parameter values; a parameter without
// one takes its Default. When the template cannot be expanded the error is
// Problems, listing every problem found, and the fragment must be
// discarded. Expand never succeeds with a shorthand left in the fragment.
func Expand(fragment any, values map[string]any) (Stats, error) {
	return ExpandFor(fragment, values, Stack{})
}

// ExpandFor is Expand for a template deployed in a known stack, which lets
// the macro recognize permissions written with a literal region or account.
func ExpandFor(fragment any, values map[string]any, stack Stack) (Stats, error) {
	e := &expander{params: cfn.Parameters{Given: values}, stack: stack}
	if e.run(fragment) {
		e.leftovers(fragment)
	}
	if len(e.problems) > 0 {
		return e.stats, e.problems
	}
	return e.stats, nil
}

// fail records a problem: the rule it breaks, where, and what to do.
func (e *expander) fail(code Code, where *loc, format string, args ...any) {
	e.problems = append(e.problems, Problem{Path: where.path(), Message: fmt.Sprintf(format, args...), Code: code})
}

// note records what the user must do for the output to work (Stats.Notes).
func (e *expander) note(where *loc, format string, args ...any) {
	e.noteOf(NoteLeftToYou, where, format, args...)
}

// noteOf records a note of a kind, once: a note about what several
// methods share (an API's) is said once.
func (e *expander) noteOf(kind NoteKind, where *loc, format string, args ...any) {
	n := Problem{Path: where.path(), Message: fmt.Sprintf(format, args...), Code: kind.Code(), Kind: kind}
	for _, have := range e.stats.Notes {
		if have.Kind == n.Kind && have.Message == n.Message && slices.Equal(have.Path, n.Path) {
			return
		}
	}
	e.stats.Notes = append(e.stats.Notes, n)
}

// reported reports whether a problem was reported at path.
func (e *expander) reported(path []string) bool {
	s := Path(path).String()
	for _, p := range e.problems {
		if p.Path.String() == s {
			return true
		}
	}
	return false
}

// run expands the fragment and reports whether it is a template, whose
// leftover shorthands remain to be checked.
func (e *expander) run(fragment any) bool {
	f, ok := fragment.(*tree.Object)
	if !ok {
		e.fail(codeNotTemplate, nil, "the template is %s; a template must be an object with a Resources section", cfn.TypeName(fragment))
		return false
	}
	r, ok := f.Get("Resources")
	if !ok {
		e.snippet(f)
		return false
	}
	section, ok := r.(*tree.Object)
	if !ok {
		e.fail(codeNotTemplate, resourcesLoc, "is %s; Resources must be an object of logical IDs and resources", cfn.TypeName(r))
		return false
	}
	e.read(f, section)
	e.loops(section)
	e.res.Each(e.resource)
	e.mergedEvents()
	if len(e.problems) == 0 {
		e.stats.Permissions = e.perms.add(e)
	}
	e.stats.Configs = e.addInvokeConfigs() // checks even when there are problems, adds only when none
	if len(e.problems) == 0 {
		e.redeploy()
		e.noteOtherQualifiers()
	}
	return true
}

// read notes what the expansion looks up in a template: its parameters,
// conditions, resources and permissions.
func (e *expander) read(f, resources *tree.Object) {
	e.fragment = f
	e.params = cfn.NewParameters(f, e.params.Given)
	c, _ := f.Get("Conditions")
	e.conditions, _ = c.(*tree.Object)
	e.res = cfn.NewResources(resources)
	e.perms.init(e)
}

// resource dispatches on the resource type.
func (e *expander) resource(id string, res *tree.Object) {
	typ, _ := res.Get("Type")
	t, _ := typ.(string)
	props, _ := res.Get("Properties")
	p, _ := props.(*tree.Object)
	where := resourcesLoc.at(id).at("Properties")
	switch t {
	case cfn.TypeMethod:
		if p != nil && p.Has(Shorthand) {
			e.method(id, p, where)
		}
		return
	case cfn.TypeRestAPI:
		e.document(id, p, "Body", where)
	case cfn.TypeSAMAPI:
		e.document(id, p, "DefinitionBody", where)
	case cfn.TypeSAMFunction:
		e.samFunction(id, p, where)
	case cfn.TypeSAMHTTPAPI, cfn.TypeHTTPAPI:
		e.httpAPIDocument(t, p, where)
	}
	if p == nil || !p.Has(Shorthand) {
		return
	}
	switch t {
	case cfn.TypeRestAPI, cfn.TypeSAMAPI:
		e.fail(codeNotMethod, where.at(Shorthand), "AsyncInvoke goes on each AWS::ApiGateway::Method, or as x-async-invoke on an operation of the API's OpenAPI document; move it there")
	case cfn.TypeHTTPAPI, cfn.TypeHTTPIntegration, cfn.TypeHTTPRoute, cfn.TypeSAMHTTPAPI:
		e.fail(codeHTTPAPI, where.at(Shorthand), "%s is an HTTP API, and HTTP APIs only support Lambda proxy integrations, which always invoke synchronously; use a REST API (AWS::ApiGateway::RestApi with AWS::ApiGateway::Method) for asynchronous invocation", t)
	default:
		e.fail(codeNotMethod, where.at(Shorthand), "AsyncInvoke applies only to AWS::ApiGateway::Method (and x-async-invoke to operations of a REST API's OpenAPI document), not to %s; remove it", describeType(t))
	}
}

// httpAPIDocument refuses x-async-invoke in an HTTP API's OpenAPI document.
func (e *expander) httpAPIDocument(t string, p *tree.Object, where *loc) {
	if p == nil {
		return
	}
	for _, key := range []string{"Body", "DefinitionBody"} {
		doc, _ := p.Get(key)
		shorthandKeys(doc, func(path []string) {
			if path[len(path)-1] == OpenAPIShorthand {
				l := where.at(key)
				for _, s := range path {
					l = l.at(s)
				}
				e.fail(codeHTTPAPI, l, "%s is an HTTP API, and HTTP APIs only support Lambda proxy integrations, which always invoke synchronously; use a REST API (AWS::ApiGateway::RestApi or AWS::Serverless::Api) for asynchronous invocation", t)
			}
		})
	}
}
