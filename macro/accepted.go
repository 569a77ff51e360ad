package macro

import (
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// AcceptedStatus is the status a method with Accepted answers an
// asynchronous call with: 202 Accepted, the call is queued, not done.
const AcceptedStatus = "202"

// RequestIDHeader is the response header in which a method with Accepted
// gives the request ID it also gives in its body.
const RequestIDHeader = "X-Request-Id"

// requestIDSource is where the header's ID comes from, as a response
// parameter mapping: the x-amzn-RequestId header of Lambda's answer to the
// Invoke call, the request ID of the invocation. Lambda runs the
// asynchronous invocation under that ID (the function's context has it,
// and its log lines), keeps it on every retry, and writes it into the
// invocation record a destination receives (requestContext.requestId).
// Public templates map it so on Lambda integrations; the body's ID comes
// from $context.awsEndpointRequestId, "the AWS endpoint's request ID", as a
// response template cannot read the integration response's headers. See
// the README, "Accepted".
const requestIDSource = "integration.response.header.x-amzn-RequestId"

// formerRequestIDSource is the mapping earlier versions of the macro wrote
// (the same ID, from the context variable): a mapping of X-Request-Id from
// it is the macro's, and becomes requestIDSource.
const formerRequestIDSource = "context.awsEndpointRequestId"

// AcceptedResponseTemplate is the response template of the default
// integration response of a method with Accepted: {"requestId": "..."}
// with Lambda's request ID. In client mode the same integration response
// answers synchronous calls: header is the method request header the
// client chooses the invocation type with ("" in always mode), and the
// template answers the ID, and overrides the status to 202, only when that
// header asks for Event; a DryRun (validated, never run: no invocation will
// have its ID) gets 204 and no body; a synchronous call's result passes as
// it is.
//
// The template reads the header, not Lambda's answer: API Gateway's
// $input.body reads an empty body as {} (README, Accepted), so an empty
// answer and a function's result {} look the same. It finds the header in
// any case, as HTTP names it.
func AcceptedResponseTemplate(header string) string {
	if header == "" {
		return acceptedTemplate
	}
	return acceptedClientPrefix + header + acceptedClientSuffix
}

const (
	acceptedTemplate     = `{"requestId":"$!context.awsEndpointRequestId"}`
	acceptedClientPrefix = `#set($t = "")#foreach($k in $input.params().header.keySet())#if($k.equalsIgnoreCase('`
	acceptedClientSuffix = `'))#set($t = $input.params().header.get($k))#end#end#if($t == "Event")#set($context.responseOverride.status = ` + AcceptedStatus + `)` + acceptedTemplate + `#elseif($t == "DryRun")#set($context.responseOverride.status = 204)#else$input.body#end`
)

// isAcceptedTemplate reports whether a response template is one Accepted
// writes, in either mode and for any header.
func isAcceptedTemplate(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if s == acceptedTemplate {
		return true
	}
	header, found := strings.CutPrefix(s, acceptedClientPrefix)
	header, found2 := strings.CutSuffix(header, acceptedClientSuffix)
	return found && found2 && isToken(header) && !strings.Contains(header, "'")
}

// acceptedKeys are an integration response's keys in each dialect.
func acceptedKeys(d cfn.IntegrationKeys) (templates, parameters string) {
	if d == cfn.MethodIntegration {
		return "ResponseTemplates", "ResponseParameters"
	}
	return "responseTemplates", "responseParameters"
}

const requestIDParameter = "method.response.header." + RequestIDHeader

// accept makes the default integration response r of a method with Accepted
// answer the request ID: its status (202 in always mode), its response
// template and the header's mapping. It keeps what it wrote itself and
// refuses what the author wrote that would answer otherwise. It returns the
// header as the mapping names it (the method response must declare that
// name), "" when it refuses.
func (e *expander) accept(r *tree.Object, d cfn.IntegrationKeys, o Options, where *loc) string {
	ok := true
	status, _ := r.Get(d.StatusCode)
	if code, _ := scalarString(e.resolved(status)); o.Mode == Always && code != AcceptedStatus {
		e.fail(codeAcceptedStatus, where.at(d.StatusCode), "is %s, but Accepted answers every call with %s from the default integration response (the one without a selection pattern); make it '%s', or remove this response and the macro adds it", describe(status), AcceptedStatus, AcceptedStatus)
		ok = false // its template and mapping are still checked
	}
	tk, pk := acceptedKeys(d)
	clientHeader := ""
	if o.Mode == Client {
		clientHeader = o.Header
	}
	want := AcceptedResponseTemplate(clientHeader)
	if v, has := r.Get(tk); !has {
		r.Set(tk, tree.NewObject("application/json", want))
	} else if t, isObj := v.(*tree.Object); !isObj || isIntrinsic(t) {
		e.fail(codeResponseTemplate, where.at(tk), "is %s; with Accepted the macro writes the default response's template: remove %s", cfn.TypeName(v), tk)
		ok = false
	} else {
		for i, m := range t.Members {
			if !strings.EqualFold(m.Key, "application/json") || !isAcceptedTemplate(m.Value) {
				e.fail(codeResponseTemplate, where.at(tk).at(m.Key), "is a response template of your own, but with Accepted the macro writes the default response's body, {\"requestId\": ...}; remove this template, or Accepted")
				ok = false
				continue
			}
			t.Members[i].Value = want // the mode's template
		}
		if ok && t.Len() == 0 {
			t.Set("application/json", want)
		}
	}
	params, good := e.object(r, pk, where)
	if !good {
		return ""
	}
	key := requestIDParameter
	if i := indexFold(params, requestIDParameter); i >= 0 {
		key = params.Members[i].Key
		if v := params.Members[i].Value; v == requestIDSource || v == formerRequestIDSource {
			params.Members[i].Value = requestIDSource
		} else {
			e.fail(codeRequestIDMapped, where.at(pk).at(key), "maps %s from %s, but with Accepted it carries the request ID (%s); remove this mapping, or Accepted", RequestIDHeader, describe(params.Members[i].Value), requestIDSource)
			ok = false
		}
	} else {
		params.Set(key, requestIDSource)
	}
	if !ok {
		return ""
	}
	return strings.TrimPrefix(key, "method.response.header.")
}

// acceptedStatuses are the statuses the default integration response
// answers with, whose method responses declare every header it maps (the
// request ID's, and any other, such as Access-Control-Allow-Origin): 202,
// and in client mode the default response's own, which answers
// synchronous calls (the template overrides it to 202 for an asynchronous
// one, and the 202 needs the headers as much as the macro's X-Request-Id).
func (e *expander) acceptedStatuses(r *tree.Object, d cfn.IntegrationKeys, o Options) []string {
	out := []string{AcceptedStatus}
	if o.Mode == Client {
		s, _ := r.Get(d.StatusCode)
		if code, ok := scalarString(e.resolved(s)); ok && code != AcceptedStatus {
			out = append(out, code)
		}
	}
	return out
}

// defaultIntegrationResponse is a method's default integration response
// (the first without a selection pattern), and where it is.
func (e *expander) defaultIntegrationResponse(in *tree.Object, where *loc) (*tree.Object, *loc) {
	v, _ := in.Get("IntegrationResponses")
	list, _ := v.([]any)
	for i, x := range list {
		r, ok := x.(*tree.Object)
		if !ok {
			continue
		}
		if p, has := r.Get("SelectionPattern"); !has || e.resolved(p) == "" {
			return r, where.at("IntegrationResponses").at(itoa(i))
		}
	}
	return nil, nil
}

// acceptMethod applies Accepted to an AWS::ApiGateway::Method whose
// integration responses have a default one: the response, and the method
// responses that declare the header.
func (e *expander) acceptMethod(props, in *tree.Object, o Options, where *loc) bool {
	iwhere := where.at("Integration")
	r, rwhere := e.defaultIntegrationResponse(in, iwhere)
	if r == nil {
		e.fail(codeUnreadable, iwhere.at("IntegrationResponses"), "is written so that the macro cannot find its default response; with Accepted write IntegrationResponses as a list (or leave it out and the macro adds it)")
		return false
	}
	if e.accept(r, cfn.MethodIntegration, o, rwhere) == "" {
		return false
	}
	headers := mappedHeaders(r, "ResponseParameters")
	v, _ := props.Get("MethodResponses")
	list, isList := v.([]any)
	if v != nil && !isList {
		e.fail(codeUnreadable, where.at("MethodResponses"), "is %s; with Accepted write MethodResponses as a list (or leave it out and the macro adds it)", cfn.TypeName(v))
		return false
	}
	for _, status := range e.acceptedStatuses(r, cfn.MethodIntegration, o) {
		var resp *tree.Object
		for _, x := range list {
			if m, isObj := x.(*tree.Object); isObj {
				if s, _ := m.Get("StatusCode"); func() bool { c, _ := scalarString(e.resolved(s)); return c == status }() {
					resp = m
					break
				}
			}
		}
		if resp == nil {
			resp = tree.NewObject("StatusCode", status)
			list = append(list, resp)
		}
		params, good := e.object(resp, "ResponseParameters", where.at("MethodResponses"))
		if !good {
			return false
		}
		for _, h := range headers {
			if indexFold(params, responseHeader+h) < 0 {
				params.Set(responseHeader+h, false)
			}
		}
	}
	props.Set("MethodResponses", list)
	return true
}

// acceptOperation applies Accepted to an OpenAPI operation: its
// integration's default response, and the operation's responses, which
// declare the header in the document's dialect.
func (e *expander) acceptOperation(op, in *tree.Object, o Options, oas3 bool, where *loc) bool {
	iwhere := where.at(cfn.IntegrationExtension)
	rv, _ := in.Get("responses")
	rs, _ := rv.(*tree.Object)
	dv, _ := rs.Get("default")
	r, isObj := dv.(*tree.Object)
	if !isObj || isIntrinsic(r) {
		e.fail(codeUnreadable, iwhere.at("responses").at("default"), "is %s; with Accepted write it as an object (or leave it out and the macro adds it)", cfn.TypeName(dv))
		return false
	}
	if e.accept(r, cfn.OpenAPIIntegration, o, iwhere.at("responses").at("default")) == "" {
		return false
	}
	mapped := mappedHeaders(r, "responseParameters")
	responses, ok := e.object(op, "responses", where)
	if !ok {
		return false
	}
	for _, status := range e.acceptedStatuses(r, cfn.OpenAPIIntegration, o) {
		v, has := responses.Get(status)
		resp, isObj := v.(*tree.Object)
		if !has {
			resp = tree.NewObject("description", status+" response")
			responses.Set(status, resp)
		} else if !isObj || isIntrinsic(resp) {
			e.fail(codeUnreadable, where.at("responses").at(status), "is %s; with Accepted write it as an object, so that the macro can declare its %s header", cfn.TypeName(v), RequestIDHeader)
			return false
		}
		headers, good := e.object(resp, "headers", where.at("responses").at(status))
		if !good {
			return false
		}
		for _, h := range mapped {
			if indexFold(headers, h) < 0 {
				headers.Set(h, headerObject(oas3))
			}
		}
	}
	return true
}
