package local

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Route is one method of a REST API, as API Gateway would route it.
type Route struct {
	API      string // logical ID of the REST API
	Method   string // GET, POST, ..., or ANY
	Path     string // e.g. /jobs/{id}
	Source   string // where the template declares it
	segments []string
	target   Target // what a Lambda integration invokes; set by NewServer, which knows the parameters
	Integration
}

// Integration is what a route does with a request.
type Integration struct {
	Kind     string // "AWS" (Lambda non-proxy), "AWS_PROXY" or "MOCK"
	Function string // logical ID of the invoked function
	// InvocationType is what X-Amz-Invocation-Type is mapped from: a static
	// 'value', method.request.header.Name, or "" (RequestResponse).
	InvocationType string
	Responses      []Response
	uri            any // the integration URI, as the template writes it
	// Broken says why the route cannot work as written; it is answered as
	// API Gateway answers a broken integration.
	Broken string
}

// Response is an integration response.
type Response struct {
	StatusCode       string
	SelectionPattern string // empty: the default response
	Headers          map[string]string
}

// template is a template's resources, for reading its REST APIs.
type template struct{ *cfn.Resources }

func newTemplate(t *tree.Object) *template {
	rv, _ := t.Get("Resources")
	section, _ := rv.(*tree.Object)
	return &template{cfn.NewResources(section)}
}

// Routes reads the REST APIs of an (expanded) template: AWS::ApiGateway::Method
// resources on AWS::ApiGateway::Resource paths, and the operations of inline
// OpenAPI documents. It returns the routes and a warning for each thing it
// cannot serve as API Gateway would.
func Routes(t *tree.Object) ([]Route, []string) {
	tt := newTemplate(t)
	var routes []Route
	var warnings []string
	tt.Each(func(id string, _ *tree.Object) {
		switch tt.Type(id) {
		case "AWS::ApiGateway::Method":
			r, err := tt.methodRoute(id)
			if err != nil {
				warnings = append(warnings, err.Error())
				return
			}
			routes = append(routes, r)
		case "AWS::ApiGateway::RestApi":
			routes = append(routes, tt.documentRoutes(id, "Body")...)
		case "AWS::Serverless::Api":
			routes = append(routes, tt.documentRoutes(id, "DefinitionBody")...)
		}
	})
	for i := range routes {
		r := &routes[i]
		r.segments = splitPath(r.Path)
		if r.Broken == "" && (r.Kind == "AWS" || r.Kind == "AWS_PROXY") && !tt.permitted(r.Function) {
			r.Broken = fmt.Sprintf("the template gives API Gateway no permission to invoke %s (no AWS::Lambda::Permission for apigateway.amazonaws.com on it); API Gateway would answer 500", r.Function)
		}
		if r.Broken != "" {
			warnings = append(warnings, fmt.Sprintf("%s %s (%s): %s", r.Method, r.Path, r.Source, r.Broken))
		}
	}
	sort.SliceStable(routes, func(i, j int) bool { return routes[i].Path < routes[j].Path })
	return routes, warnings
}

// function resolves the function an integration URI invokes, directly or
// through an alias or version, to the logical ID of its
// AWS::Lambda::Function or AWS::Serverless::Function.
func (t *template) function(uri any) (string, error) {
	if id := t.InvokedFunction(uri); id != "" {
		return id, nil
	}
	return "", fmt.Errorf("its integration URI %s does not name a function of this template; point it at a running endpoint with --function-endpoint, or use !GetAtt Function.Arn", describe(uri))
}

func describe(v any) string {
	b := tree.Encode(v)
	if len(b) > 120 {
		b = append(b[:117], "..."...)
	}
	return string(b)
}

// permitted reports whether the template lets API Gateway invoke fn (or
// an alias or version of it).
func (t *template) permitted(fn string) bool {
	permitted := false
	t.Each(func(id string, _ *tree.Object) {
		p := t.Properties(id)
		if permitted || t.Type(id) != cfn.TypePermission || p == nil {
			return
		}
		principal, _ := p.Get("Principal")
		if s, ok := principal.(string); !ok || !strings.HasPrefix(s, "apigateway.") {
			return
		}
		target, _ := p.Get("FunctionName")
		permitted = t.InvokedFunction(target) == fn
	})
	return permitted
}

func (t *template) methodRoute(id string) (Route, error) {
	p := t.Properties(id)
	src := "Resources." + id
	if p == nil {
		return Route{}, fmt.Errorf("%s: no Properties", src)
	}
	api := cfn.RefID(mustGet(p, "RestApiId"))
	if api == "" {
		return Route{}, fmt.Errorf("%s: RestApiId is not !Ref a REST API of this template; not served", src)
	}
	path, err := t.ResourcePath(mustGet(p, "ResourceId"), api)
	if err != nil {
		return Route{}, fmt.Errorf("%s: %v; not served", src, err)
	}
	method, _ := mustGet(p, "HttpMethod").(string)
	r := Route{API: api, Method: strings.ToUpper(method), Path: path, Source: src}
	in, _ := mustGet(p, "Integration").(*tree.Object)
	if in == nil {
		r.Broken = "the method has no Integration"
		return r, nil
	}
	r.Integration = t.integration(in, cfnKeys)
	return r, nil
}

func mustGet(o *tree.Object, key string) any {
	v, _ := o.Get(key)
	return v
}

// keys names the integration properties of CloudFormation or OpenAPI.
type keys struct {
	Type, URI, RequestParameters, RequestTemplates, Responses, StatusCode, SelectionPattern, ResponseParameters string
}

var (
	cfnKeys     = keys{"Type", "Uri", "RequestParameters", "RequestTemplates", "IntegrationResponses", "StatusCode", "SelectionPattern", "ResponseParameters"}
	openAPIKeys = keys{"type", "uri", "requestParameters", "requestTemplates", "responses", "statusCode", "", "responseParameters"}
)

func (t *template) integration(in *tree.Object, k keys) Integration {
	var ig Integration
	typ, _ := mustGet(in, k.Type).(string)
	ig.Kind = strings.ToUpper(typ)
	ig.Responses = responses(mustGet(in, k.Responses), k)
	ig.uri = mustGet(in, k.URI)
	switch ig.Kind {
	case "AWS", "AWS_PROXY":
		fn, err := t.function(mustGet(in, k.URI))
		if err != nil {
			ig.Broken = err.Error()
			return ig
		}
		ig.Function = fn
	case "MOCK":
		return ig
	default:
		ig.Broken = fmt.Sprintf("integration type %q is not emulated here (only Lambda AWS, AWS_PROXY and MOCK integrations are)", typ)
		return ig
	}
	if ig.Kind == "AWS" {
		if rp, ok := mustGet(in, k.RequestParameters).(*tree.Object); ok {
			for _, m := range rp.Members {
				if strings.EqualFold(m.Key, "integration.request.header.X-Amz-Invocation-Type") {
					ig.InvocationType, _ = m.Value.(string)
				}
			}
		}
		if rt, ok := mustGet(in, k.RequestTemplates).(*tree.Object); ok && rt.Len() > 0 {
			ig.Broken = "it has request templates (VTL), which this server does not evaluate"
		}
	}
	return ig
}

func responses(v any, k keys) []Response {
	var out []Response
	add := func(pattern string, r *tree.Object) {
		var sc string
		switch v := mustGet(r, k.StatusCode).(type) {
		case string:
			sc = v
		case json.Number:
			sc = string(v)
		}
		resp := Response{StatusCode: sc, SelectionPattern: pattern, Headers: map[string]string{}}
		if rp, ok := mustGet(r, k.ResponseParameters).(*tree.Object); ok {
			for _, m := range rp.Members {
				name, found := strings.CutPrefix(m.Key, "method.response.header.")
				val, _ := m.Value.(string)
				if found && len(val) >= 2 && strings.HasPrefix(val, "'") && strings.HasSuffix(val, "'") {
					resp.Headers[name] = val[1 : len(val)-1]
				}
			}
		}
		out = append(out, resp)
	}
	switch rs := v.(type) {
	case []any: // CloudFormation IntegrationResponses
		for _, e := range rs {
			if r, ok := e.(*tree.Object); ok {
				p, _ := mustGet(r, k.SelectionPattern).(string)
				add(p, r)
			}
		}
	case *tree.Object: // OpenAPI responses: pattern -> response
		for _, m := range rs.Members {
			if r, ok := m.Value.(*tree.Object); ok {
				p := m.Key
				if p == "default" {
					p = ""
				}
				add(p, r)
			}
		}
	}
	return out
}

func (t *template) documentRoutes(api, key string) []Route {
	p := t.Properties(api)
	if p == nil {
		return nil
	}
	doc, _ := mustGet(p, key).(*tree.Object)
	if doc == nil {
		return nil
	}
	paths, _ := mustGet(doc, "paths").(*tree.Object)
	if paths == nil {
		return nil
	}
	var routes []Route
	for _, pm := range paths.Members {
		item, _ := pm.Value.(*tree.Object)
		if item == nil {
			continue
		}
		for _, om := range item.Members {
			op, ok := om.Value.(*tree.Object)
			method := strings.ToUpper(om.Key)
			if method == "X-AMAZON-APIGATEWAY-ANY-METHOD" {
				method = "ANY"
			}
			if !ok || !httpMethods[method] {
				continue
			}
			r := Route{API: api, Method: method, Path: pm.Key, Source: "Resources." + api + ".Properties." + key + ".paths." + pm.Key + "." + om.Key}
			in, _ := mustGet(op, "x-amazon-apigateway-integration").(*tree.Object)
			if in == nil {
				r.Broken = "the operation has no x-amazon-apigateway-integration"
			} else {
				r.Integration = t.integration(in, openAPIKeys)
			}
			routes = append(routes, r)
		}
	}
	return routes
}

var httpMethods = map[string]bool{"GET": true, "PUT": true, "POST": true, "DELETE": true, "OPTIONS": true, "HEAD": true, "PATCH": true, "ANY": true}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match finds the route for a request as API Gateway does: first the most
// specific resource (literal path segments before {param} before {proxy+}),
// then the request's method on it, else its ANY method. nil means API
// Gateway's 403 Missing Authentication Token.
func match(routes []Route, method, path string) (*Route, map[string]string) {
	segs := splitPath(path)
	bestPath, bestScore := "", ""
	var bestParams map[string]string
	for i := range routes {
		score, ps, ok := matchPath(routes[i].segments, segs)
		if ok && (bestParams == nil || score < bestScore) {
			bestPath, bestScore, bestParams = routes[i].Path, score, ps
		}
	}
	var anyRoute *Route
	for i := range routes {
		r := &routes[i]
		if r.Path != bestPath || bestParams == nil {
			continue
		}
		if r.Method == method {
			return r, bestParams
		}
		if r.Method == "ANY" {
			anyRoute = r
		}
	}
	if anyRoute == nil {
		return nil, nil
	}
	return anyRoute, bestParams
}

// matchPath scores a match: one character per segment, lower is more specific.
func matchPath(pattern, segs []string) (string, map[string]string, bool) {
	var score strings.Builder
	params := map[string]string{}
	for i, p := range pattern {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "+}") {
			if i != len(pattern)-1 || i >= len(segs) {
				return "", nil, false
			}
			params[p[1:len(p)-2]] = strings.Join(segs[i:], "/")
			score.WriteByte('2')
			return score.String(), params, true
		}
		if i >= len(segs) {
			return "", nil, false
		}
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			params[p[1:len(p)-1]] = segs[i]
			score.WriteByte('1')
			continue
		}
		if p != segs[i] {
			return "", nil, false
		}
		score.WriteByte('0')
	}
	if len(pattern) != len(segs) {
		return "", nil, false
	}
	return score.String(), params, true
}
