package local

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/macro"
)

// Route is one method of a REST API, as API Gateway would route it.
type Route struct {
	API      string // logical ID of the REST API
	Method   string // GET, POST, ..., or ANY
	Path     string // e.g. /jobs/{id}
	Source   string // where the template declares it
	api      any    // the RestApiId, as the template writes it (!Ref API for a document's operation)
	segments []string
	target   Target // what a Lambda integration invokes; set by NewServer, which knows the parameters
	// binaryTypes are the binary media types of the route's API.
	binaryTypes []string
	// Stage is the stage of the route's API that it is served on.
	Stage Stage
	Integration
}

// Integration is what a route does with a request.
type Integration struct {
	Kind       cfn.IntegrationType // cfn.Lambda (non-proxy), cfn.LambdaProxy or cfn.Mock
	FunctionID string              // logical ID of the function a Lambda integration invokes
	// InvocationType is what X-Amz-Invocation-Type is mapped from: a static
	// 'value', method.request.header.Name, or "" (RequestResponse).
	InvocationType string
	Responses      []Response
	// RequestTemplates are the request mapping templates, by content
	// type, in the template's order; Passthrough is the integration's
	// PassthroughBehavior (cfn.WhenNoMatch when it has none).
	RequestTemplates []MappingTemplate
	Passthrough      string
	uri              any  // the integration URI, as the template writes it
	credentials      bool // API Gateway calls Lambda with a role of the integration
	// Broken says why the route cannot work as written; it is answered as
	// API Gateway answers a broken integration.
	Broken string
	// ContentHandling is the integration's CONVERT_TO_TEXT or
	// CONVERT_TO_BINARY, "" when it has none.
	ContentHandling string
}

// Response is an integration response.
type Response struct {
	StatusCode       string
	SelectionPattern string // empty: the default response
	// Parameters map method response headers (method.response.header.X)
	// from their sources ('literal', integration.response.header.Y, ...).
	Parameters []Parameter
	Templates  []MappingTemplate // the response templates, by content type
	pattern    *regexp.Regexp    // SelectionPattern, matched against the whole errorMessage
}

// template is a template's resources, for reading its REST APIs.
type template struct{ *cfn.Resources }

func newTemplate(t *tree.Object) *template {
	section, _ := valueOf(t, "Resources").(*tree.Object)
	return &template{cfn.NewResources(section)}
}

// Routes reads the REST APIs of an (expanded) template: AWS::ApiGateway::Method
// resources on AWS::ApiGateway::Resource paths, and the operations of inline
// OpenAPI documents. It returns the routes and a warning for each thing it
// cannot serve as API Gateway would. parameters are the values of template
// parameters (the others take their Default), which the permissions of the
// template may use. Each API is served on its stage named stage, else on the
// stage its template declares (chooseStage).
func Routes(t *tree.Object, parameters map[string]any, stage string) ([]Route, []string) {
	tt := newTemplate(t)
	vals := newValues(t, parameters)
	var routes []Route
	var warnings []string
	tt.Each(func(id string, _ *tree.Object) {
		switch tt.Type(id) {
		case cfn.TypeMethod:
			r, err := tt.methodRoute(id)
			if err != nil {
				warnings = append(warnings, err.Error())
				return
			}
			routes = append(routes, r)
		case cfn.TypeRestAPI, cfn.TypeSAMAPI:
			key := "Body"
			if tt.Type(id) == cfn.TypeSAMAPI {
				key = "DefinitionBody"
			}
			rs, warning := tt.documentRoutes(id, key, vals.text)
			routes = append(routes, rs...)
			if warning != "" {
				warnings = append(warnings, warning)
			}
		}
	})
	binary := map[string][]string{} // by API
	stages := map[string]Stage{}
	apiGlobals := cfn.SAMGlobalsFor(t, cfn.TypeSAMAPI)
	for i := range routes {
		r := &routes[i]
		types, read := binary[r.API]
		if !read {
			var warning string
			types, warning = tt.binaryMediaTypes(r.API, apiGlobals, vals.text)
			binary[r.API] = types
			if warning != "" {
				warnings = append(warnings, warning)
			}
			declared, ws := tt.declaredStages(r.API, apiGlobals, vals)
			chosen, w := chooseStage(r.API, declared, stage)
			if w != "" {
				ws = append(ws, w)
			}
			stages[r.API], warnings = chosen, append(warnings, ws...)
		}
		r.binaryTypes = types
		r.Stage = stages[r.API]
		r.segments = splitPath(r.Path)
		if r.Broken == "" && r.needsPermission() && !macro.Permitted(t, parameters, r.api, r.Method, r.Path, r.uri) {
			r.Broken = fmt.Sprintf("the template gives API Gateway no permission to invoke %s from %s %s of %s (no AWS::Lambda::Permission for %s on it, or on the alias or version the integration invokes, whose SourceArn covers this method); API Gateway would answer 500",
				r.FunctionID, r.Method, r.Path, r.API, cfn.APIGatewayPrincipal)
		}
		if r.Broken != "" {
			warnings = append(warnings, r.warning())
		}
	}
	sort.SliceStable(routes, func(i, j int) bool { return routes[i].Path < routes[j].Path })
	return routes, warnings
}

// invokesLambda reports whether the route's integration invokes a Lambda
// function, with a proxy integration or not.
func (r *Route) invokesLambda() bool { return r.Kind == cfn.Lambda || r.Kind == cfn.LambdaProxy }

// needsPermission reports whether API Gateway needs a permission on the
// function the route invokes: a Lambda integration without Credentials (a
// role API Gateway assumes to call Lambda, which needs none).
func (r *Route) needsPermission() bool { return r.invokesLambda() && !r.credentials }

// warning says why the route is broken.
func (r *Route) warning() string {
	return fmt.Sprintf("%s %s (%s): %s", r.Method, r.Path, r.Source, r.Broken)
}

// invokedFunction resolves the function an integration URI invokes,
// directly or through an alias or version, to the logical ID of its
// AWS::Lambda::Function or AWS::Serverless::Function.
func (t *template) invokedFunction(uri any) (string, error) {
	if id := t.InvokedFunction(uri); id != "" {
		return id, nil
	}
	return "", fmt.Errorf("its integration URI %s does not name a function of this template (a literal ARN, a parameter or an import names one defined elsewhere), which this server can neither build nor name with --function-endpoint (that takes a logical ID of this template); to try this route here, declare the function, or a stand-in, in the template and point the integration at it with !GetAtt Function.Arn", describe(uri))
}

func describe(v any) string {
	b := tree.Encode(v)
	if len(b) > 120 {
		b = append(b[:117], "..."...)
	}
	return string(b)
}

func (t *template) methodRoute(id string) (Route, error) {
	p := t.Properties(id)
	src := "Resources." + id
	if p == nil {
		return Route{}, fmt.Errorf("%s: no Properties", src)
	}
	restAPI := valueOf(p, "RestApiId")
	api := cfn.RefID(restAPI)
	if api == "" {
		return Route{}, fmt.Errorf("%s: RestApiId is not !Ref a REST API of this template; not served", src)
	}
	path, err := t.ResourcePath(valueOf(p, "ResourceId"), api)
	if err != nil {
		return Route{}, fmt.Errorf("%s: %v; not served", src, err)
	}
	method, _ := valueOf(p, "HttpMethod").(string)
	r := Route{API: api, Method: strings.ToUpper(method), Path: path, Source: src, api: restAPI}
	in, _ := valueOf(p, "Integration").(*tree.Object)
	if in == nil {
		r.Broken = "the method has no Integration"
		return r, nil
	}
	r.Integration = t.integration(in, cfn.MethodIntegration)
	return r, nil
}

// valueOf is the value of o's member key, nil when o has none.
func valueOf(o *tree.Object, key string) any {
	v, _ := o.Get(key)
	return v
}

func (t *template) integration(in *tree.Object, k cfn.IntegrationKeys) Integration {
	var ig Integration
	typ, _ := valueOf(in, k.Type).(string)
	ig.Kind = cfn.IntegrationType(strings.ToUpper(typ))
	ig.uri = valueOf(in, k.URI)
	ig.credentials = in.Has(k.Credentials)
	var err error
	switch ig.Kind {
	case cfn.Lambda, cfn.LambdaProxy:
		if ig.FunctionID, err = t.invokedFunction(ig.uri); err != nil {
			ig.Broken = err.Error()
			return ig
		}
	case cfn.Mock:
	default:
		ig.Broken = fmt.Sprintf("integration type %q is not emulated here (only Lambda AWS, AWS_PROXY and MOCK integrations are)", typ)
		return ig
	}
	if ig.Responses, err = responses(valueOf(in, k.Responses), k); err != nil {
		ig.Broken = err.Error()
		return ig
	}
	if ig.Kind == cfn.Lambda {
		if rp, ok := valueOf(in, k.RequestParameters).(*tree.Object); ok {
			for _, m := range rp.Members {
				if strings.EqualFold(m.Key, cfn.InvocationTypeParameter) {
					ig.InvocationType, _ = m.Value.(string)
				}
			}
		}
	}
	if ig.Kind == cfn.Lambda || ig.Kind == cfn.Mock {
		if err := ig.readTemplates(in, k); err != nil {
			ig.Broken = err.Error()
		}
	}
	return ig
}

// responses reads integration responses: CloudFormation's list, or
// OpenAPI's object keyed by selection pattern. It compiles each selection
// pattern, and fails on one that is not a regular expression.
func responses(v any, k cfn.IntegrationKeys) ([]Response, error) {
	var out []Response
	add := func(pattern string, r *tree.Object) error {
		var sc string
		switch v := valueOf(r, k.StatusCode).(type) {
		case string:
			sc = v
		case json.Number:
			sc = string(v)
		}
		resp := Response{StatusCode: sc, SelectionPattern: pattern}
		if pattern != "" {
			// API Gateway matches the pattern against the whole errorMessage.
			re, err := regexp.Compile("^(?:" + pattern + ")$")
			if err != nil {
				return fmt.Errorf("the SelectionPattern %q of its integration response %s is not a regular expression this server can read (RE2 syntax, close to the Java syntax of API Gateway): %s", pattern, sc, regexpError(err))
			}
			resp.pattern = re
		}
		var err error
		if resp.Parameters, err = responseParameters(valueOf(r, k.ResponseParameters), sc); err != nil {
			return err
		}
		if resp.Templates, err = mappingTemplates(valueOf(r, k.ResponseTemplates), "the response template of its integration response "+sc); err != nil {
			return err
		}
		out = append(out, resp)
		return nil
	}
	switch rs := v.(type) {
	case []any: // CloudFormation IntegrationResponses
		for _, e := range rs {
			if r, ok := e.(*tree.Object); ok {
				p, _ := valueOf(r, k.SelectionPattern).(string)
				if err := add(p, r); err != nil {
					return nil, err
				}
			}
		}
	case *tree.Object: // OpenAPI responses: pattern -> response
		for _, m := range rs.Members {
			if r, ok := m.Value.(*tree.Object); ok {
				p := m.Key
				if p == "default" {
					p = ""
				}
				if err := add(p, r); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}

// regexpError is a regular expression's error without the pattern, which
// the caller names (anchored as compiled, it would not read as written).
func regexpError(err error) string {
	var re *syntax.Error
	if errors.As(err, &re) {
		return re.Code.String()
	}
	return err.Error()
}

// documentRoutes reads the operations of an API's inline OpenAPI document,
// on the paths API Gateway imports them to (under the base path, as the
// API's basepath mode says). It warns when the template does not tell them.
func (t *template) documentRoutes(api, key string, text func(any) (string, bool)) ([]Route, string) {
	p := t.Properties(api)
	if p == nil {
		return nil, ""
	}
	doc, _ := valueOf(p, key).(*tree.Object)
	if doc == nil {
		return nil, ""
	}
	paths, _ := valueOf(doc, "paths").(*tree.Object)
	if paths == nil {
		return nil, ""
	}
	var warning string
	prefix, known := cfn.DocumentBasePath(t.Type(api), p, doc, text)
	if !known {
		warning = fmt.Sprintf("%s: the template does not tell its import's basepath mode (Parameters.basepath) or its document's base path, so its operations are served on their paths as written (API Gateway's basepath ignore)", api)
	}
	var routes []Route
	for _, pm := range paths.Members {
		item, _ := firstBranch(pm.Value).(*tree.Object)
		if item == nil {
			continue
		}
		for _, om := range item.Members {
			op, ok := firstBranch(om.Value).(*tree.Object)
			if tree.Equal(op, noValue) {
				continue
			}
			method := strings.ToUpper(om.Key)
			if strings.EqualFold(om.Key, cfn.AnyMethodExtension) {
				method = "ANY"
			}
			if !ok || !httpMethods[method] {
				continue
			}
			r := Route{API: api, Method: method, Path: cfn.ImportedPath(prefix, pm.Key), Source: "Resources." + api + ".Properties." + key + ".paths." + pm.Key + "." + om.Key,
				api: tree.NewObject("Ref", api)}
			in, _ := valueOf(op, cfn.IntegrationExtension).(*tree.Object)
			if in == nil {
				r.Broken = "the operation has no " + cfn.IntegrationExtension
			} else {
				r.Integration = t.integration(in, cfn.OpenAPIIntegration)
			}
			routes = append(routes, r)
		}
	}
	return routes, warning
}

// firstBranch is v or, when v is an Fn::If (as SAM's and the macro's
// documents write a path item or an operation under a condition), its first
// branch: this server takes conditions as true.
func firstBranch(v any) any {
	for range 64 {
		k, arg, _ := tree.Only(v)
		a, _ := arg.([]any)
		if k != "Fn::If" || len(a) != 3 {
			break
		}
		v = a[1]
	}
	return v
}

var httpMethods = map[string]bool{"GET": true, "PUT": true, "POST": true, "DELETE": true, "OPTIONS": true, "HEAD": true, "PATCH": true, "ANY": true}
