package macro

import (
	"slices"
	"strconv"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// OpenAPIShorthand is the operation extension that asks for asynchronous
// invocation in an inline OpenAPI document.
const OpenAPIShorthand = "x-async-invoke"

// operations are the keys of a path item that hold operations.
var operations = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace", cfn.AnyMethodExtension}

// document expands x-async-invoke in the inline OpenAPI document under key
// (Body of a RestApi, DefinitionBody of a SAM Api). Documents in S3 cannot be
// seen by a macro.
func (e *expander) document(id string, props *tree.Object, key string, where *loc) {
	if props == nil {
		return
	}
	body, _ := props.Get(key)
	doc, ok := body.(*tree.Object)
	if !ok || isIntrinsic(doc) {
		if hasText(body, OpenAPIShorthand) {
			e.fail(codeDocumentText, where.at(key), "is written as text (a string, or an intrinsic function of strings) that holds x-async-invoke; the macro reads an OpenAPI document only when it is written as an object, and API Gateway would drop the unknown extension and invoke synchronously; write %s as an object (YAML or JSON; intrinsic functions may be used in its values)", key)
		}
		return
	}
	pv, _ := doc.Get("paths")
	paths, ok := pv.(*tree.Object)
	if !ok {
		return
	}
	_, oas3 := doc.Get("openapi")
	dwhere := where.at(key)
	// API Gateway imports the paths under the document's base path as the
	// API's basepath mode says; "" when the template does not tell.
	prefix, knownPrefix := cfn.DocumentBasePath(e.res.Type(id), props, doc, e.text)
	resourcePath := func(path string) string {
		if !knownPrefix {
			return ""
		}
		return cfn.ImportedPath(prefix, path)
	}
	for _, pm := range paths.Members {
		// A path item or an operation may be an Fn::If (SAM's own tests
		// write one): each branch is one, expanded where it stands.
		eachBranch(pm.Value, dwhere.at("paths").at(pm.Key), func(item *tree.Object, iwhere *loc) {
			if item.Has(OpenAPIShorthand) {
				e.fail(codeMisplaced, iwhere.at(OpenAPIShorthand), "x-async-invoke goes on an operation (get, post, ...), not on the path item; move it into each operation that should be asynchronous")
			}
			for _, om := range item.Members {
				if !isOperation(om.Key) {
					continue
				}
				eachBranch(om.Value, iwhere.at(om.Key), func(op *tree.Object, owhere *loc) {
					if in, _ := op.Get(cfn.IntegrationExtension); in != nil {
						if in, isObj := in.(*tree.Object); isObj && in.Has(OpenAPIShorthand) {
							e.fail(codeMisplaced, owhere.at(cfn.IntegrationExtension).at(OpenAPIShorthand), "x-async-invoke goes on the operation, beside %s, not inside it; move it up one level", cfn.IntegrationExtension)
							in.Delete(OpenAPIShorthand) // reported
							return
						}
					}
					if op.Has(OpenAPIShorthand) {
						e.operation(id, doc, item, op, oas3, route{method: om.Key, path: resourcePath(pm.Key)}, owhere)
						if merges, global := e.mergesDefinitions(id); key == "DefinitionBody" && merges {
							e.merged = append(e.merged, mergedOperation{api: id, r: route{method: om.Key, path: pm.Key}, global: global})
						}
					}
				})
			}
		})
	}
}

// eachBranch calls f with v, an object that is not an intrinsic function,
// or with each branch of v, an Fn::If (nested ones too), where, in the
// document, it stands. A branch that is !Ref AWS::NoValue, and anything
// else, is left alone.
func eachBranch(v any, where *loc, f func(o *tree.Object, where *loc)) {
	if k, arg, ok := tree.Only(v); ok && k == "Fn::If" {
		if a, isList := arg.([]any); isList && len(a) == 3 {
			eachBranch(a[1], where.at("Fn::If").at("1"), f)
			eachBranch(a[2], where.at("Fn::If").at("2"), f)
		}
		return
	}
	if o, ok := v.(*tree.Object); ok && !isIntrinsic(o) {
		f(o, where)
	}
}

// hasText reports whether any string in v holds s.
func hasText(v any, s string) bool {
	return !tree.Walk(v, func(_ []string, x any) tree.Step {
		if t, ok := x.(string); ok && strings.Contains(t, s) {
			return tree.Stop
		}
		return tree.Continue
	})
}

func isOperation(key string) bool {
	for _, k := range operations {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// operation expands x-async-invoke on one OpenAPI operation.
func (e *expander) operation(apiID string, doc, item, op *tree.Object, oas3 bool, r route, where *loc) {
	raw, _ := op.Get(OpenAPIShorthand)
	op.Delete(OpenAPIShorthand)
	o, ok := e.options(raw, where.at(OpenAPIShorthand))
	if !ok {
		e.checkDestinations(o.Config)
		return
	}
	iv, has := op.Get(cfn.IntegrationExtension)
	in, isObj := iv.(*tree.Object)
	switch {
	case !has:
		e.fail(codeNoIntegration, where, "has x-async-invoke but no %s; add one with uri: the function's invocation URI", cfn.IntegrationExtension)
		e.checkDestinations(o.Config)
		return
	case isObj && in.Has("$ref"):
		e.fail(codeIntegrationRef, where.at(cfn.IntegrationExtension), "is a $ref; REST APIs do not follow $ref in %s (x-amazon-apigateway-integrations in components is supported only for HTTP APIs), so API Gateway would import this method without an integration; write the integration on the operation itself", cfn.IntegrationExtension)
		e.checkDestinations(o.Config)
		return
	case !isObj || isIntrinsic(in):
		e.fail(codeUnreadable, where.at(cfn.IntegrationExtension), "is %s, which the macro cannot see through; write it as a plain object (intrinsic functions may be used in its values)", cfn.TypeName(iv))
		e.checkDestinations(o.Config)
		return
	}
	iwhere := where.at(cfn.IntegrationExtension)
	header := o.Header
	if o.Mode == Client {
		var good bool
		if header, good = e.declareHeaderParameter(doc, item, op, in, o, oas3, where); !good {
			header, ok = o.Header, false // the integration is still checked, with the header as the shorthand names it
		}
	}
	converted := isProxyIntegration(in, cfn.OpenAPIIntegration)
	targets, known, good := e.integration(in, cfn.OpenAPIIntegration, o, o.source(header), iwhere)
	ok = good && ok
	if o.Event == EventProxy && !e.operationProxyEvent(apiID, doc, op, in, oas3, converted, where) {
		ok = false
	}
	if !in.Has("passthroughBehavior") {
		in.Set("passthroughBehavior", "when_no_match")
	}
	if !in.Has("contentHandling") {
		in.Set("contentHandling", "CONVERT_TO_TEXT")
	}
	if e.openAPIResponses(in, o, iwhere) {
		ok = e.declareResponses(doc, op, in, oas3, where) && ok
		if o.Accepted && !e.acceptOperation(op, in, o, oas3, where) {
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
		e.stats.Operations++
		e.expanded = append(e.expanded, expanded{api: tree.NewObject("Ref", apiID), where: where, value: op})
		e.operationPreflight(apiID, r.method, item, o, where)
	}
	if in.Has("credentials") {
		o.Permission = false // API Gateway calls Lambda with that role: no resource policy needed
	}
	e.wantPermissions(targets, o, tree.NewObject("Ref", apiID), r, iwhere.at("uri"))
	e.settings(targets, o)
	e.invokesLatest(targets, iwhere.at("uri"))
}

// openAPIResponses adds the default integration response when there is
// none. Without a default response (the key "default"), API Gateway has
// nothing to answer a successful invocation with, and every call fails
// with 500.
func (e *expander) openAPIResponses(in *tree.Object, o Options, where *loc) bool {
	v, has := in.Get("responses")
	rs, isObj := v.(*tree.Object)
	if has && (!isObj || isIntrinsic(rs)) {
		e.fail(codeUnreadable, where.at("responses"), "is %s; it must be an object of integration responses", cfn.TypeName(v))
		return false
	}
	if !has {
		rs = &tree.Object{}
	}
	taken := ""
	for _, m := range rs.Members {
		if r, ok := m.Value.(*tree.Object); ok {
			if s, ok := r.Get("statusCode"); ok {
				if code, ok := scalarString(s); ok && code == o.StatusCode {
					taken = m.Key
				}
			}
		}
	}
	if rs.Has("default") {
		return true
	}
	if taken != "" {
		e.fail(codeDefaultResponse, where.at("responses").at(taken), "has no default response (the key default), so API Gateway would answer every successful call with 500; the macro adds one with status %s, which this response already uses; give x-async-invoke a StatusCode for it (e.g. StatusCode: '202') or add a default response yourself", o.StatusCode)
		return false
	}
	rs.Set("default", tree.NewObject("statusCode", o.StatusCode))
	if !has {
		in.Set("responses", rs)
	}
	return true
}

// declareResponses adds an operation response for every integration
// response status the operation does not declare, with the headers the
// integration responses of that status map: API Gateway refuses an
// integration response without its method response, and one that maps a
// header its method response does not declare. An operation response of
// yours that lacks such a header (directly or through a local $ref) is
// refused, with what to add.
func (e *expander) declareResponses(doc, op, in *tree.Object, oas3 bool, where *loc) bool {
	iv, _ := in.Get("responses")
	irs, _ := iv.(*tree.Object)
	if irs == nil || irs.Len() == 0 {
		return true
	}
	rs, ok := e.object(op, "responses", where)
	if !ok {
		return false
	}
	added := map[*tree.Object]bool{}
	for _, m := range irs.Members {
		r, isObj := m.Value.(*tree.Object)
		if !isObj {
			continue
		}
		sv, _ := r.Get("statusCode")
		status, known := scalarString(sv)
		if !known {
			continue
		}
		headers := mappedHeaders(r, "responseParameters")
		v, has := rs.Get(status)
		if !has {
			resp := tree.NewObject("description", status+" response")
			rs.Set(status, resp)
			added[resp] = true
			v = resp
		}
		resp, isObj := v.(*tree.Object)
		if !isObj || isIntrinsic(resp) {
			continue
		}
		if ref, isRef := resp.Get("$ref"); isRef {
			if resp = localRef(doc, ref); resp == nil {
				continue // not a response the macro can see
			}
		}
		hv, hasHeaders := resp.Get("headers")
		hs, isHeaders := hv.(*tree.Object)
		if hasHeaders && (!isHeaders || isIntrinsic(hs)) {
			continue
		}
		for _, h := range headers {
			if hs != nil && indexFold(hs, h) >= 0 {
				continue
			}
			if !added[resp] {
				e.fail(codeResponseHeader, where.at("responses").at(status), "declares no header %s, which the integration response %s maps (%s%s), so API Gateway refuses the import (Invalid mapping expression parameter specified); add %s to this response's headers", h, m.Key, responseHeader, h, headerSchema(h, oas3))
				ok = false
				continue
			}
			if hs == nil {
				hs = &tree.Object{}
				resp.Set("headers", hs)
			}
			hs.Set(h, headerObject(oas3))
		}
	}
	return ok
}

// headerObject declares a string header in the document's dialect.
func headerObject(oas3 bool) *tree.Object {
	schema := tree.NewObject("type", "string")
	if oas3 {
		return tree.NewObject("schema", schema)
	}
	return schema
}

// headerSchema is how a header is declared, as a message writes it.
func headerSchema(h string, oas3 bool) string {
	if oas3 {
		return h + ": {schema: {type: string}}"
	}
	return h + ": {type: string}"
}

// declareHeaderParameter makes the operation declare the client's header,
// in the document's dialect, unless the operation or its path item does in
// any case (directly or through a local $ref). It returns the header as
// declared.
func (e *expander) declareHeaderParameter(doc, item, op, in *tree.Object, o Options, oas3 bool, where *loc) (string, bool) {
	for _, owner := range []*tree.Object{op, item} {
		name, required, found := declaredHeader(doc, owner, o.Header)
		if !found {
			continue
		}
		if o.requiredSet && required != o.Required {
			e.fail(codeHeaderRequired, where.at("parameters"), "declares the header %s with required: %v, which conflicts with x-async-invoke Required: %v; remove one of them", name, required, o.Required)
			return "", false
		}
		return name, true
	}
	name := mappedHeader(in, cfn.OpenAPIIntegration, o.Header)
	if name == "" {
		name = o.Header
	}
	pv, has := op.Get("parameters")
	params, isList := pv.([]any)
	if has && !isList {
		e.fail(codeUnreadable, where.at("parameters"), "is %s; it must be a list of parameters", cfn.TypeName(pv))
		return "", false
	}
	p := tree.NewObject("name", name, "in", "header", "required", o.Required)
	if oas3 {
		p.Set("schema", tree.NewObject("type", "string"))
	} else {
		p.Set("type", "string")
	}
	op.Set("parameters", append(params, p))
	return name, true
}

// declaredHeader finds the header parameter that an operation or path item
// declares, directly or through a local $ref, in any case.
func declaredHeader(doc, owner *tree.Object, header string) (name string, required, found bool) {
	pv, _ := owner.Get("parameters")
	params, _ := pv.([]any)
	for _, p := range params {
		po, ok := p.(*tree.Object)
		if !ok {
			continue
		}
		if ref, isRef := po.Get("$ref"); isRef {
			po = localRef(doc, ref)
			if po == nil {
				continue
			}
		}
		in, _ := po.Get("in")
		n, _ := po.Get("name")
		if s, ok := n.(string); ok && in == "header" && strings.EqualFold(s, header) {
			r, _ := po.Get("required")
			b, _ := boolean(r)
			return s, b, true
		}
	}
	return "", false, false
}

// localRef follows a JSON pointer such as #/components/parameters/X.
func localRef(doc *tree.Object, ref any) *tree.Object {
	s, ok := ref.(string)
	if !ok || !strings.HasPrefix(s, "#/") {
		return nil
	}
	var cur any = doc
	for _, part := range strings.Split(s[2:], "/") {
		o, ok := cur.(*tree.Object)
		if !ok {
			return nil
		}
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		cur, _ = o.Get(part)
	}
	o, _ := cur.(*tree.Object)
	return o
}

// mergesDefinitions reports whether SAM Api id has MergeDefinitions: true,
// its own or, when it has none, from Globals' Api section (global).
func (e *expander) mergesDefinitions(id string) (merges, global bool) {
	v := e.res.SAMProperty(cfn.SAMGlobalsFor(e.fragment, cfn.TypeSAMAPI), id, "MergeDefinitions")
	if b, ok := v.(bool); ok {
		v = strconv.FormatBool(b)
	}
	own := e.res.Properties(id).Has("MergeDefinitions")
	return e.literal(v) == "true", !own
}

// mergedOperation is an asynchronous operation in the DefinitionBody of a
// SAM Api with MergeDefinitions: true.
type mergedOperation struct {
	api    string
	r      route
	global bool // MergeDefinitions comes from Globals' Api section
}

// mergedEvents refuses a SAM function's Api event on the path and method
// of an asynchronous operation of a SAM Api with MergeDefinitions: SAM then
// writes the event's Lambda proxy integration over the operation's, and the
// method runs synchronously. An event on the ANY method of such a path is
// fine (API Gateway prefers the operation's own method to ANY); an event on
// a method of a path whose asynchronous operation is ANY is not (that
// method's calls would go to the event's proxy integration). Events of any
// shape are read without assumptions: what SAM refuses itself (Events that
// is not an object) is left to SAM; a Path or Method the macro cannot read
// on such an API is refused, since the event may be on the operation.
func (e *expander) mergedEvents() {
	if len(e.merged) == 0 {
		return
	}
	e.res.Each(func(id string, _ *tree.Object) {
		if e.res.Type(id) != cfn.TypeSAMFunction {
			return
		}
		ev, _ := e.res.Properties(id).Get("Events")
		events, _ := ev.(*tree.Object)
		if events == nil || isIntrinsic(events) {
			return // none; or not an object of named events, which SAM refuses
		}
		for _, m := range events.Members {
			event, _ := m.Value.(*tree.Object)
			if typ, _ := event.Get("Type"); typ != "Api" {
				continue
			}
			where := resourcesLoc.at(id).at("Properties").at("Events").at(m.Key)
			pv, _ := event.Get("Properties")
			p, _ := pv.(*tree.Object)
			api, _ := p.Get("RestApiId")
			apiID := cfn.RestAPI(api)
			if !slices.ContainsFunc(e.merged, func(op mergedOperation) bool { return op.api == apiID }) {
				continue // another API, or SAM's implicit one, whose document SAM writes itself
			}
			path, pathOK := p.Get("Path")
			ps, isStr := path.(string)
			method, _ := p.Get("Method")
			ms, isStr2 := method.(string)
			if !pathOK || !isStr || !isStr2 {
				key, v := "Path", path
				if isStr {
					key, v = "Method", method
				}
				e.fail(codeMergeDefinitions, where.at("Properties").at(key), "is %s; %s has MergeDefinitions: true and asynchronous operations, over which SAM would write this event's Lambda proxy integration if it is on one of them, and the macro cannot tell whether it is; write Path and Method as strings", describe(v), apiID)
				continue
			}
			for _, op := range e.merged {
				if op.api != apiID || ps != op.r.path || !mergeConflict(ms, op.r.method) {
					continue
				}
				fix := "set MergeDefinitions: false"
				if op.global {
					fix = "set MergeDefinitions: false on " + op.api + " (it overrides Globals' Api section, which sets it to true)"
				}
				what := "writes this event's Lambda proxy integration over that operation, and the method would run synchronously"
				if strings.EqualFold(op.r.method, cfn.AnyMethodExtension) && !strings.EqualFold(ms, "any") {
					what = "adds this event's Lambda proxy integration as the " + strings.ToUpper(ms) + " operation, which API Gateway prefers to the asynchronous " + cfn.AnyMethodExtension + ", and " + strings.ToUpper(ms) + " calls would run synchronously"
				}
				e.fail(codeMergeDefinitions, where,
					"is on %s %s of %s, whose DefinitionBody invokes asynchronously there; with MergeDefinitions: true SAM %s; remove this event (the operation already invokes the function), or %s", strings.ToUpper(ms), op.r.path, op.api, what, fix)
				break
			}
		}
	})
}

// mergeConflict reports whether a SAM Api event on method (as SAM reads
// it: any case, ANY for every method) takes calls from the operation of an
// OpenAPI document under key op (post, x-amazon-apigateway-any-method).
func mergeConflict(method, op string) bool {
	if strings.EqualFold(method, "any") {
		return strings.EqualFold(op, cfn.AnyMethodExtension)
	}
	return strings.EqualFold(method, op) || strings.EqualFold(op, cfn.AnyMethodExtension)
}

// samFunction refuses AsyncInvoke on a SAM function's Api event.
func (e *expander) samFunction(id string, props *tree.Object, where *loc) {
	if props == nil {
		return
	}
	ev, _ := props.Get("Events")
	events, ok := ev.(*tree.Object)
	if !ok {
		return
	}
	for _, m := range events.Members {
		event, ok := m.Value.(*tree.Object)
		if !ok {
			continue
		}
		pv, _ := event.Get("Properties")
		p, ok := pv.(*tree.Object)
		if !ok || !p.Has(Shorthand) {
			continue
		}
		e.fail(codeSAMEvent, where.at("Events").at(m.Key).at("Properties").at(Shorthand),
			"SAM function events always use Lambda proxy integrations, which invoke the function synchronously; "+
				"declare the operation in the AWS::Serverless::Api's DefinitionBody instead, with "+
				"x-amazon-apigateway-integration {type: aws, uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${%s.Arn}/invocations} "+
				"and x-async-invoke: always", id)
	}
}
