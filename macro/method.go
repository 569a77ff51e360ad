package macro

import (
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// method expands AsyncInvoke on an AWS::ApiGateway::Method. Every
// problem of the shorthand is reported that does not follow from another:
// the destinations whatever else is wrong; the integration's problems, Event:
// proxy's, the responses' and Accepted's each whatever the others'. A
// shorthand that cannot be read, or a method whose integration cannot be
// read, is checked no further than its destinations; a function that is not
// known (a problem of the URI) has no configuration checks; a default
// integration response that cannot be found or added, no Accepted checks.
func (e *expander) method(id string, props *tree.Object, where *loc) {
	raw, _ := props.Get(Shorthand)
	props.Delete(Shorthand)
	o, ok := e.options(raw, where.at(Shorthand))
	if !ok {
		e.checkDestinations(o.Config)
		return
	}
	iv, has := props.Get("Integration")
	if !has {
		e.fail(codeNoIntegration, where, "has AsyncInvoke but no Integration; add Integration with Uri: !GetAtt Function.Arn")
		e.checkDestinations(o.Config)
		return
	}
	in, isObj := iv.(*tree.Object)
	if !isObj || isIntrinsic(in) {
		e.fail(codeUnreadable, where.at("Integration"), "is %s, which the macro cannot see through; write Integration as a plain object (intrinsic functions may be used in its properties)", cfn.TypeName(iv))
		e.checkDestinations(o.Config)
		return
	}
	iwhere := where.at("Integration")
	header := o.Header
	if o.Mode == Client {
		params, good := e.object(props, "RequestParameters", where)
		if good {
			header, good = e.declareHeader(params, in, o, where.at("RequestParameters"))
		}
		if !good {
			header, ok = o.Header, false // the integration is still checked, with the header as the shorthand names it
		}
	}
	converted := isProxyIntegration(in, cfn.MethodIntegration)
	targets, known, good := e.integration(in, cfn.MethodIntegration, o, o.source(header), iwhere)
	ok = good && ok
	if o.Event == EventProxy && !e.methodProxyEvent(props, in, converted, iwhere) {
		ok = false
	}
	if e.integrationResponses(in, o, iwhere) {
		ok = e.methodResponses(props, in, where) && ok
		if o.Accepted && !e.acceptMethod(props, in, o, where) {
			ok = false
		}
	} else {
		ok = false
	}
	if !known {
		e.checkDestinations(o.Config)
		return
	}
	if ok {
		e.stats.Methods++
		e.expanded = append(e.expanded, expanded{api: valueOf(props, "RestApiId"), method: id, where: where, value: props})
		e.methodPreflight(props, o, where)
	}
	api, _ := props.Get("RestApiId")
	httpMethod, _ := props.Get("HttpMethod")
	resourceID, _ := props.Get("ResourceId")
	path, err := e.res.ResourcePath(resourceID, cfn.RestAPI(api))
	if err != nil {
		path = ""
	}
	m, _ := httpMethod.(string)
	if in.Has("Credentials") {
		o.Permission = false // API Gateway calls Lambda with that role: no resource policy needed
	}
	e.wantPermissions(targets, o, api, route{method: m, path: path}, where.at("Integration").at("Uri"))
	e.settings(targets, o)
	e.invokesLatest(targets, where.at("Integration").at("Uri"))
}

// declareHeader makes the method declare the client's header in its
// RequestParameters, unless it does in any case (header names are not
// case-sensitive, but API Gateway matches a mapping to a declared
// parameter exactly). It returns the header as declared.
func (e *expander) declareHeader(params, in *tree.Object, o Options, where *loc) (string, bool) {
	for _, m := range params.Members {
		name, isHeader := strings.CutPrefix(m.Key, headerSource)
		if !isHeader || !strings.EqualFold(name, o.Header) {
			continue
		}
		if b, isBool := boolean(e.resolved(m.Value)); isBool && o.requiredSet && b != o.Required {
			e.fail(codeHeaderRequired, where.at(m.Key), "declares the header %s with required %v, which conflicts with AsyncInvoke Required: %v; remove one of them", name, b, o.Required)
			return "", false
		}
		return name, true
	}
	name := mappedHeader(in, cfn.MethodIntegration, o.Header)
	if name == "" {
		name = o.Header
	}
	params.Set(headerSource+name, o.Required)
	return name, true
}

// integrationResponses adds the default integration response when there is
// none. Without a default one (a response without SelectionPattern), API
// Gateway has nothing to answer a successful invocation with, and every
// call fails with 500.
func (e *expander) integrationResponses(in *tree.Object, o Options, where *loc) bool {
	v, has := in.Get("IntegrationResponses")
	list, isList := v.([]any)
	if !has || (isList && len(list) == 0) {
		in.Set("IntegrationResponses", []any{tree.NewObject("StatusCode", o.StatusCode)})
		return true
	}
	if !isList {
		if _, isObj := v.(*tree.Object); isObj {
			return true // an intrinsic function: left as written
		}
		e.fail(codeUnreadable, where.at("IntegrationResponses"), "is %s; it must be a list of integration responses", cfn.TypeName(v))
		return false
	}
	hasDefault := false
	taken := -1
	for i, r := range list {
		r, isObj := r.(*tree.Object)
		if !isObj {
			continue
		}
		if s, ok := r.Get("StatusCode"); ok {
			if code, ok := scalarString(e.resolved(s)); ok && code == o.StatusCode {
				taken = i
			}
		}
		if p, has := r.Get("SelectionPattern"); !has || e.resolved(p) == "" {
			hasDefault = true
		}
	}
	if hasDefault {
		return true
	}
	if taken >= 0 {
		e.fail(codeDefaultResponse, where.at("IntegrationResponses").at(itoa(taken)), "has no default response (one without SelectionPattern), so API Gateway would answer every successful call with 500; the macro adds one with status %s, which this response already uses; give AsyncInvoke a StatusCode for it (e.g. StatusCode: '202') or add a default response yourself", o.StatusCode)
		return false
	}
	in.Set("IntegrationResponses", append(list, tree.NewObject("StatusCode", o.StatusCode)))
	return true
}

// methodResponses adds a method response for every integration response
// status that lacks one, declaring each header the integration responses
// of that status map: API Gateway refuses an integration response whose
// status the method does not declare, or that maps a header its method
// response does not declare ("Invalid mapping expression parameter
// specified: method.response.header.X"). A method response of yours that
// lacks such a header is refused, with the line to add.
func (e *expander) methodResponses(props, in *tree.Object, where *loc) bool {
	v, has := props.Get("MethodResponses")
	list, isList := v.([]any)
	if has && !isList {
		return true // an intrinsic function: left as written
	}
	iv, _ := in.Get("IntegrationResponses")
	irs, _ := iv.([]any)
	added := map[*tree.Object]bool{}
	ok := true
	for i, x := range irs {
		r, isObj := x.(*tree.Object)
		if !isObj {
			continue
		}
		status, hasStatus := r.Get("StatusCode")
		if !hasStatus {
			continue
		}
		headers := mappedHeaders(r, "ResponseParameters")
		at := e.methodResponse(list, status)
		if at < 0 {
			s := tree.Clone(status)
			if code, isCode := scalarString(status); isCode {
				s = code // CloudFormation's StatusCode is a string
			}
			resp := tree.NewObject("StatusCode", s)
			list = append(list, resp)
			added[resp] = true
			at = len(list) - 1
		}
		resp, _ := list[at].(*tree.Object)
		pv, hasParams := resp.Get("ResponseParameters")
		params, isParams := pv.(*tree.Object)
		if hasParams && (!isParams || isIntrinsic(params)) {
			continue // written so that the macro cannot see it
		}
		for _, h := range headers {
			key := responseHeader + h
			if params != nil && indexFold(params, key) >= 0 {
				continue
			}
			if added[resp] {
				if params == nil {
					params = &tree.Object{}
					resp.Set("ResponseParameters", params)
				}
				params.Set(key, false)
				continue
			}
			mwhere := where.at("MethodResponses").at(itoa(at))
			if hasParams {
				mwhere = mwhere.at("ResponseParameters")
			}
			e.fail(codeResponseHeader, mwhere, "declares no %s, which integration response %d (status %s) maps, so API Gateway refuses the deployment (Invalid mapping expression parameter specified: %s); add %s: false to this method response's ResponseParameters", key, i, describe(status), key, key)
			ok = false
		}
	}
	if len(added) > 0 {
		props.Set("MethodResponses", list)
	}
	return ok
}

// responseHeader begins a method response header's parameter name.
const responseHeader = "method.response.header."

// mappedHeaders are the method response headers an integration response
// maps in its parameters (key: ResponseParameters or responseParameters),
// in order; none when they are written so that the macro cannot see them.
func mappedHeaders(r *tree.Object, key string) []string {
	v, _ := r.Get(key)
	params, _ := v.(*tree.Object)
	if params == nil || isIntrinsic(params) {
		return nil
	}
	var out []string
	for _, m := range params.Members {
		if h, found := strings.CutPrefix(m.Key, responseHeader); found && h != "" {
			out = append(out, h)
		}
	}
	return out
}

// methodResponse is the index of the method response in list with status:
// the same code, or the same intrinsic function; -1 when there is none.
func (e *expander) methodResponse(list []any, status any) int {
	want, known := scalarString(e.resolved(status))
	for i, r := range list {
		if r, isObj := r.(*tree.Object); isObj {
			if s, ok := r.Get("StatusCode"); ok {
				if code, ok := scalarString(e.resolved(s)); (ok && known && code == want) || tree.Equal(s, status) {
					return i
				}
			}
		}
	}
	return -1
}
