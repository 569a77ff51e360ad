package macro

import (
	"strings"

	"github.com/asyncinvoke/asyncinvoke/tree"
)

// method expands AsyncInvoke on an AWS::ApiGateway::Method.
func (e *expander) method(id string, res, props *tree.Object, where *loc) {
	raw, _ := props.Get(Shorthand)
	props.Delete(Shorthand)
	o, ok := e.options(raw, where.at(Shorthand))
	if !ok {
		return
	}
	iv, has := props.Get("Integration")
	if !has {
		e.fail(where, "has AsyncInvoke but no Integration; add Integration with Uri: !GetAtt Function.Arn")
		return
	}
	in, isObj := iv.(*tree.Object)
	if !isObj || isIntrinsic(in) {
		e.fail(where.at("Integration"), "is %s, which the macro cannot see through; write Integration as a plain object (intrinsic functions may be used in its properties)", tree.TypeName(iv))
		return
	}
	iwhere := where.at("Integration")
	t, ok := e.integration(in, cfnIntegration, o, iwhere)
	if !ok {
		return
	}
	if o.Mode == Client {
		params, good := e.object(props, "RequestParameters", where)
		if !good {
			return
		}
		if !hasHeaderParameter(params, "method.request.header.", o.Header) {
			params.Set("method.request.header."+o.Header, o.Required)
		}
	}
	statuses, ok := e.integrationResponses(in, o, iwhere)
	if !ok {
		return
	}
	e.methodResponses(props, statuses, where)
	e.stats.Methods++
	if o.Permission && t.ID != "" {
		api, _ := props.Get("RestApiId")
		e.perms.want(t, api)
	}
}

// hasHeaderParameter reports whether params declares the header under
// prefix; header names are not case-sensitive.
func hasHeaderParameter(params *tree.Object, prefix, header string) bool {
	for _, m := range params.Members {
		if len(m.Key) > len(prefix) && strings.HasPrefix(m.Key, prefix) && strings.EqualFold(m.Key[len(prefix):], header) {
			return true
		}
	}
	return false
}

// integrationResponses adds the default integration response when there is
// none and returns the status codes of all of them.
func (e *expander) integrationResponses(in *tree.Object, o Options, where *loc) ([]string, bool) {
	v, has := in.Get("IntegrationResponses")
	list, isList := v.([]any)
	if !has || (isList && len(list) == 0) {
		in.Set("IntegrationResponses", []any{tree.NewObject("StatusCode", o.StatusCode)})
		return []string{o.StatusCode}, true
	}
	if !isList {
		if _, isObj := v.(*tree.Object); isObj {
			return nil, true // an intrinsic function: left as written
		}
		e.fail(where.at("IntegrationResponses"), "is %s; it must be a list of integration responses", tree.TypeName(v))
		return nil, false
	}
	var statuses []string
	for _, r := range list {
		if r, isObj := r.(*tree.Object); isObj {
			if s, ok := r.Get("StatusCode"); ok {
				if code, ok := scalarString(s); ok {
					statuses = append(statuses, code)
				}
			}
		}
	}
	return statuses, true
}

// methodResponses adds a method response for every integration response
// status that lacks one: API Gateway refuses an integration response whose
// status the method does not declare.
func (e *expander) methodResponses(props *tree.Object, statuses []string, where *loc) {
	v, has := props.Get("MethodResponses")
	list, isList := v.([]any)
	if has && !isList {
		return // an intrinsic function: left as written
	}
	added := false
	for _, s := range statuses {
		if !declaresStatus(list, s) {
			list = append(list, tree.NewObject("StatusCode", s))
			added = true
		}
	}
	if added {
		props.Set("MethodResponses", list)
	}
}

// declaresStatus reports whether a list of method responses has status.
func declaresStatus(list []any, status string) bool {
	for _, r := range list {
		if r, isObj := r.(*tree.Object); isObj {
			if s, ok := r.Get("StatusCode"); ok {
				if code, ok := scalarString(s); ok && code == status {
					return true
				}
			}
		}
	}
	return false
}
