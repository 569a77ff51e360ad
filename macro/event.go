package macro

import (
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Event says what an asynchronously invoked function receives: the option
// Event of the shorthand's object form.
type Event string

const (
	// EventBody passes the request body as the event, as a Lambda
	// non-proxy integration without a request template does (the default).
	EventBody Event = "body"
	// EventProxy gives the function API Gateway's Lambda proxy event
	// (format 1.0), built by ProxyEventTemplate.
	EventProxy Event = "proxy"
)

// ProxyContentTypes are the content types the request templates of
// Event: proxy are written for, besides the API's binary media types. A
// request of any other type is answered 415 (passthrough behavior NEVER):
// without a template it would reach the function as its bare body. A
// request without Content-Type is mapped as application/json.
var ProxyContentTypes = []string{"application/json", "application/x-www-form-urlencoded", "text/plain"}

// ContentTemplate is one request template: the content type it is selected
// by, and its text.
type ContentTemplate struct {
	ContentType string
	Template    string
}

// ProxyRequestTemplates are the request templates of Event: proxy for an
// API whose binary media types are binaryMediaTypes (as API Gateway reads
// them: image/png, image/*, */*; SAM's image~1png is read as image/png):
// one per content type of ProxyContentTypes and per binary media type
// without a wildcard, each the template of ProxyEventTemplate whose
// isBase64Encoded says whether API Gateway treats that type as binary.
// asyncinvoke audit installs the same templates on a deployed API.
func ProxyRequestTemplates(binaryMediaTypes []string) []ContentTemplate {
	var types []string
	add := func(t string) {
		for _, have := range types {
			if strings.EqualFold(have, t) {
				return
			}
		}
		types = append(types, t)
	}
	for _, t := range ProxyContentTypes {
		add(t)
	}
	for _, t := range binaryMediaTypes {
		if t = cfn.MediaType(t); t != "" && !strings.Contains(t, "*") {
			add(t)
		}
	}
	out := make([]ContentTemplate, len(types))
	for i, t := range types {
		out[i] = ContentTemplate{ContentType: t, Template: ProxyEventTemplate(cfn.IsBinary(t, binaryMediaTypes))}
	}
	return out
}

// ProxyEventTemplate is the request mapping template that builds API
// Gateway's Lambda proxy event, format 1.0 (API Gateway Developer Guide,
// "Input format of a Lambda function for proxy integration"), from what a
// mapping template can read: $input.params() (one value per name), $input.body,
// $context and $stageVariables. binary is the value of isBase64Encoded: the
// template selected for a binary media type gets the body base64-encoded
// (contentHandling CONVERT_TO_TEXT).
//
// Every string passes through $util.escapeJavaScript, whose \' the
// replaceAll turns back into ' (the form the mapping template reference
// prescribes): JSON has no \' escape. A map without entries and an identity
// field without a value are null, as in the proxy integration's event.
//
// So is a body without bytes, which a template cannot see: API Gateway's
// $input.body reads an empty body as {} (LocalStack's tests recorded against
// AWS, test_input_body_formatting). The template reads {} as no body when
// the request has no Content-Type header (a request with content has one,
// RFC 9110 section 8.3: a GET, or a POST without data) and in the template of
// a binary media type (base64 has no braces); an empty body sent with a
// Content-Type gives "{}". The README lists what differs from the proxy
// integration's event. Every string is written with $!, so that a value that
// is not there is "" rather than the reference's text.
func ProxyEventTemplate(binary bool) string {
	if binary {
		return strings.ReplaceAll(proxyEventTemplate, "@base64@", "true")
	}
	return strings.ReplaceAll(proxyEventTemplate, "@base64@", "false")
}

// esc writes a string escaped for JSON; E in the template below.
const esc = `.replaceAll("\\'","'")`

// proxyEventTemplate is ProxyEventTemplate's text: E(x) stands for
// $!util.escapeJavaScript(x) followed by esc, @base64@ for isBase64Encoded.
var proxyEventTemplate = expandE(`#set($ps = $input.params())
#set($s = $stageVariables)
#if(!$s)#set($s = {})#end
#set($ms = [$ps.header, $ps.header, $ps.querystring, $ps.querystring, $ps.path, $s])
#set($path = "$!context.path")
#set($stage = "/$!context.stage")
#set($domain = "$!context.domainName")
#if($domain.contains(".execute-api."))#if($path == $stage)#set($path = "/")#elseif($path.startsWith("$stage/"))#set($path = $path.substring($stage.length()))#end#end
#set($body = "$!input.body")
#set($typed = false)
#foreach($k in $ps.header.keySet())#if($k.equalsIgnoreCase("Content-Type"))#set($typed = true)#end#end
#set($epoch = "$!context.requestTimeEpoch")
#set($a = $context.authorizer)
#set($claims = false)
#foreach($k in $context.authorizer.claims.keySet())#set($claims = true)#end
{"resource":"$!context.resourcePath","path":"E($path)","httpMethod":"$!context.httpMethod",
#foreach($n in ["headers","multiValueHeaders","queryStringParameters","multiValueQueryStringParameters","pathParameters","stageVariables"])#set($m = {})#set($m = $ms.get($foreach.index))#set($multi = $n.startsWith("multi"))"$n":#if($m.size() > 0){#foreach($k in $m.keySet())"E($k)":#if($multi)[#end"E($m.get($k))"#if($multi)]#end#if($foreach.hasNext),#end#end}#else null#end,
#end
"requestContext":{"resourceId":"$!context.resourceId","resourcePath":"$!context.resourcePath","httpMethod":"$!context.httpMethod","extendedRequestId":"$!context.extendedRequestId","requestTime":"$!context.requestTime","path":"E($context.path)","accountId":"$!context.accountId","protocol":"$!context.protocol","stage":"$!context.stage","domainPrefix":"$!context.domainPrefix","requestTimeEpoch":#if($epoch == "")0#else$epoch#end,"requestId":"E($context.requestId)","domainName":"$!context.domainName","apiId":"$!context.apiId",
"identity":{#foreach($k in ["cognitoIdentityPoolId","accountId","cognitoIdentityId","caller","apiKey","apiKeyId","accessKey","sourceIp","cognitoAuthenticationType","cognitoAuthenticationProvider","userArn","userAgent","user","principalOrgId"])#set($v = "$!context.identity.get($k)")"$k":#if($v == "")null#else"E($v)"#end,#end
#foreach($k in ["vpcId","vpceId"])#set($v = "$!context.identity.get($k)")#if($v != "")"$k":"E($v)",#end#end
"clientCert":#if("$!context.identity.clientCert.clientCertPem" == "")null#else{"clientCertPem":"E($context.identity.clientCert.clientCertPem)","subjectDN":"E($context.identity.clientCert.subjectDN)","issuerDN":"E($context.identity.clientCert.issuerDN)","serialNumber":"$!context.identity.clientCert.serialNumber","validity":{"notBefore":"$!context.identity.clientCert.validity.notBefore","notAfter":"$!context.identity.clientCert.validity.notAfter"}}#end},
"authorizer":#if($claims)#set($sep = ""){"claims":{#foreach($k in $context.authorizer.claims.keySet())$sep"E($k)":"E($context.authorizer.claims.get($k))"#set($sep = ",")#end}}#elseif($a && $a.size() > 0)#set($sep = ""){#foreach($k in $a.keySet())#if($k != "claims")$sep"E($k)":"E($a.get($k))"#set($sep = ",")#end#end}#else null#end},
"body":#if($body == "" || $body == "{}" && (@base64@ || !$typed))null#else"E($body)"#end,
"isBase64Encoded":@base64@}
`)

// expandE writes E(x) out.
func expandE(t string) string {
	var b strings.Builder
	for {
		i := strings.Index(t, "E($")
		if i < 0 {
			b.WriteString(t)
			return b.String()
		}
		b.WriteString(t[:i])
		// E( ... ) with balanced parentheses: its argument is a reference.
		depth, j := 0, i+1
		for ; j < len(t); j++ {
			if t[j] == '(' {
				depth++
			} else if t[j] == ')' {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		b.WriteString("$!util.escapeJavaScript(" + t[i+2:j] + ")" + esc)
		t = t[j+1:]
	}
}

// isProxyEventTemplate reports whether a request template is one that
// Event: proxy writes, with either value of isBase64Encoded.
func isProxyEventTemplate(v any) bool {
	s, ok := v.(string)
	return ok && (s == ProxyEventTemplate(false) || s == ProxyEventTemplate(true))
}

// integration keys of Event: proxy, in each dialect.
func passthroughKey(d cfn.IntegrationKeys) (key, never string) {
	if d == cfn.MethodIntegration {
		return "PassthroughBehavior", "NEVER"
	}
	return "passthroughBehavior", "never"
}

func contentHandlingKey(d cfn.IntegrationKeys) string {
	if d == cfn.MethodIntegration {
		return "ContentHandling"
	}
	return "contentHandling"
}

// proxyEvent makes a Lambda non-proxy integration give the function the
// proxy event: the request templates of ProxyRequestTemplates for the API's
// binary media types, passthrough behavior NEVER (a request of another
// content type is answered 415 instead of reaching the function as its bare
// body), and content handling CONVERT_TO_TEXT (a binary body reaches the
// template base64-encoded, rather than as bytes no template can read). It
// keeps templates it wrote itself and refuses the author's own, and refuses
// settings that would let a request bypass the templates.
//
// converted says the integration was a Lambda proxy integration (AWS_PROXY),
// for which PassthroughBehavior has no effect: WHEN_NO_MATCH (which API
// Gateway's own exports write) becomes NEVER rather than being refused.
func (e *expander) proxyEvent(in *tree.Object, d cfn.IntegrationKeys, binary []string, converted bool, where *loc) bool {
	ok := true
	want := ProxyRequestTemplates(binary)
	templates := &tree.Object{}
	if v, has := in.Get(d.RequestTemplates); has {
		t, isObj := v.(*tree.Object)
		if !isObj || isIntrinsic(t) {
			e.fail(codeRequestTemplates, where.at(d.RequestTemplates), "is %s; with Event: proxy the macro writes the request templates that build the proxy event: remove %s", cfn.TypeName(v), d.RequestTemplates)
			return false
		}
		templates = t
		kept := t.Members[:0]
		for _, m := range t.Members {
			if isProxyEventTemplate(m.Value) && !hasContentType(want, m.Key) {
				continue // the macro's, for a binary media type the API no longer has
			}
			kept = append(kept, m)
		}
		t.Members = kept
		for _, m := range t.Members {
			if !isProxyEventTemplate(m.Value) || !hasContentType(want, m.Key) {
				e.fail(codeRequestTemplates, where.at(d.RequestTemplates).at(m.Key), "is a request template of your own, but with Event: proxy the macro writes the request templates, which build API Gateway's Lambda proxy event for every content type it accepts (%s); remove this template, or write Event: body and keep it (the function then gets what your template makes)", strings.Join(contentTypes(want), ", "))
				ok = false
			}
		}
	}
	key, never := passthroughKey(d)
	switch v, has := in.Get(key); s := v.(type) {
	case nil:
		if !has {
			in.Set(key, never)
		} else {
			e.fail(codePassthrough, where.at(key), "is null; remove it, and Event: proxy sets %s", never)
			ok = false
		}
	case string:
		if u := strings.ToUpper(s); u == "WHEN_NO_MATCH" && converted {
			in.Set(key, never) // it had no effect on the proxy integration
		} else if u == "WHEN_NO_MATCH" {
			e.fail(codePassthrough, where.at(key), "is %s: a request whose Content-Type has no template would reach the function as its bare body instead of the proxy event; with Event: proxy write %s (API Gateway answers 415 to a content type without a template), or leave %s out and the macro sets it", s, never, key)
			ok = false
		} else if u != "NEVER" && u != "WHEN_NO_TEMPLATES" {
			e.fail(codePassthrough, where.at(key), "is %q, which is not a passthrough behavior; write %s, or leave %s out and the macro sets it", s, never, key)
			ok = false
		}
	default:
		e.fail(codePassthrough, where.at(key), "is %s; with Event: proxy write %s, or leave %s out and the macro sets it", cfn.TypeName(v), never, key)
		ok = false
	}
	ch := contentHandlingKey(d)
	switch v, has := in.Get(ch); s := v.(type) {
	case nil:
		if !has {
			in.Set(ch, "CONVERT_TO_TEXT")
		} else {
			e.fail(codeContentHandling, where.at(ch), "is null; remove it, and Event: proxy sets CONVERT_TO_TEXT")
			ok = false
		}
	case string:
		if !strings.EqualFold(s, "CONVERT_TO_TEXT") {
			e.fail(codeContentHandling, where.at(ch), "is %s: the request template would get the body as bytes it cannot read; with Event: proxy write CONVERT_TO_TEXT (a binary body reaches the template, and the function, base64-encoded, with isBase64Encoded true), or leave %s out and the macro sets it", s, ch)
			ok = false
		}
	default:
		e.fail(codeContentHandling, where.at(ch), "is %s; with Event: proxy write CONVERT_TO_TEXT, or leave %s out and the macro sets it", cfn.TypeName(v), ch)
		ok = false
	}
	if !ok {
		return false
	}
	for _, w := range want {
		if i := indexFold(templates, w.ContentType); i >= 0 {
			templates.Members[i].Value = w.Template // the variant the API's binary media types ask for now
		} else {
			templates.Set(w.ContentType, w.Template)
		}
	}
	if !in.Has(d.RequestTemplates) {
		in.Set(d.RequestTemplates, templates)
	}
	return true
}

func hasContentType(ts []ContentTemplate, t string) bool {
	for _, w := range ts {
		if strings.EqualFold(w.ContentType, t) {
			return true
		}
	}
	return false
}

func contentTypes(ts []ContentTemplate) []string {
	out := make([]string, len(ts))
	for i, w := range ts {
		out[i] = w.ContentType
	}
	return out
}

// binaryMediaTypes are the binary media types of REST API api (a logical
// ID) and of its OpenAPI document doc (nil when none): the RestApi's or SAM
// Api's BinaryMediaTypes (with SAM's Globals), and the document's
// x-amazon-apigateway-binary-media-types, but for a SAM Api whose
// BinaryMediaTypes (its own or Globals') are given: SAM writes those into
// the document in place of the document's own list, which API Gateway then
// never sees (cfn.SAMReplacesDocumentTypes). ok is false,
// with a problem, when they are written so that the macro cannot read them.
func (e *expander) binaryMediaTypes(api string, doc *tree.Object, where *loc) (types []string, ok bool) {
	ok = true
	fail := func(at *loc, format string, args ...any) {
		ok = false
		if !e.reported(at.path()) { // once for all the API's methods
			e.fail(codeBinaryMediaTypes, at, format+"; used by Event: proxy at %s", append(args, where.path())...)
		}
	}
	read := func(v any, at *loc) {
		switch v := e.resolved(v).(type) {
		case nil:
		case string: // a CommaDelimitedList parameter's value
			for _, t := range strings.Split(v, ",") {
				if t = strings.TrimSpace(t); t != "" {
					types = append(types, t)
				}
			}
		case []any:
			for i, x := range v {
				if s, isStr := e.resolved(x).(string); isStr {
					types = append(types, s)
				} else {
					fail(at.at(itoa(i)), "is %s; Event: proxy must know the API's binary media types to tell the function whether API Gateway base64-encoded a body (isBase64Encoded): write them as strings", cfn.TypeName(x))
				}
			}
		default:
			fail(at, "is %s; Event: proxy must know the API's binary media types to tell the function whether API Gateway base64-encoded a body (isBase64Encoded): write them as a list of strings, or Ref a parameter", cfn.TypeName(v))
		}
	}
	props := e.res.Properties(api)
	own, _ := props.Get("BinaryMediaTypes")
	var globals any
	if e.res.Type(api) == cfn.TypeSAMAPI {
		if g := cfn.SAMGlobalsFor(e.fragment, cfn.TypeSAMAPI); g != nil {
			globals, _ = g.Get("BinaryMediaTypes")
		}
	}
	samReplaces := e.res.Type(api) == cfn.TypeSAMAPI && cfn.SAMReplacesDocumentTypes(e.resolved(own), e.resolved(globals))
	if doc != nil && !samReplaces {
		v, _ := doc.Get(cfn.BinaryMediaTypesExtension)
		read(v, docLoc(api, e.res.Type(api)).at(cfn.BinaryMediaTypesExtension))
	}
	if _, has := e.res.Get(api); !has {
		return types, ok
	}
	read(own, resourcesLoc.at(api).at("Properties").at("BinaryMediaTypes"))
	switch e.res.Type(api) {
	case cfn.TypeSAMAPI:
		read(globals, &loc{key: "Globals"})
		if doc == nil && !samReplaces {
			body, _ := props.Get("DefinitionBody")
			if b, isObj := body.(*tree.Object); isObj {
				v, _ := b.Get(cfn.BinaryMediaTypesExtension)
				read(v, resourcesLoc.at(api).at("Properties").at("DefinitionBody").at(cfn.BinaryMediaTypesExtension))
			}
		}
	case cfn.TypeRestAPI:
		if doc == nil {
			body, _ := props.Get("Body")
			if b, isObj := body.(*tree.Object); isObj {
				v, _ := b.Get(cfn.BinaryMediaTypesExtension)
				read(v, resourcesLoc.at(api).at("Properties").at("Body").at(cfn.BinaryMediaTypesExtension))
			}
		}
	}
	return types, ok
}

// docLoc is where the OpenAPI document of api is.
func docLoc(api, typ string) *loc {
	key := "Body"
	if typ == cfn.TypeSAMAPI {
		key = "DefinitionBody"
	}
	return resourcesLoc.at(api).at("Properties").at(key)
}

// methodProxyEvent applies Event: proxy to an AWS::ApiGateway::Method's
// integration, with the binary media types of its REST API.
func (e *expander) methodProxyEvent(props, in *tree.Object, converted bool, where *loc) bool {
	api, _ := props.Get("RestApiId")
	id := cfn.RestAPI(api)
	if _, ok := e.res.Get(id); !ok {
		e.note(where.at(cfn.MethodIntegration.RequestTemplates), "Event: proxy cannot see the binary media types of the REST API %s, which is not a resource of this template: its request templates say isBase64Encoded false for every content type; if that API treats one of %s as binary, or has other binary media types, define the method in the API's template", describe(api), strings.Join(ProxyContentTypes, ", "))
	}
	binary, ok := e.binaryMediaTypes(id, nil, where)
	if !ok || !e.proxyEvent(in, cfn.MethodIntegration, binary, converted, where) {
		return false
	}
	mv, _ := props.Get("RequestModels")
	if models, isObj := mv.(*tree.Object); isObj && !isIntrinsic(models) {
		mwhere := where.parent.at("RequestModels")
		for _, m := range models.Members {
			e.noteUntemplated(m.Key, binary, converted, mwhere.at(m.Key))
		}
	}
	return true
}

// operationProxyEvent applies Event: proxy to an OpenAPI operation's
// integration, with the binary media types of its REST API.
func (e *expander) operationProxyEvent(api string, doc, op, in *tree.Object, oas3, converted bool, where *loc) bool {
	binary, ok := e.binaryMediaTypes(api, doc, where)
	if !ok || !e.proxyEvent(in, cfn.OpenAPIIntegration, binary, converted, where.at(cfn.IntegrationExtension)) {
		return false
	}
	// The request content types the operation declares: Swagger's consumes
	// (the operation's, else the document's), OpenAPI 3's requestBody.
	if oas3 {
		rv, _ := op.Get("requestBody")
		body, _ := rv.(*tree.Object)
		bwhere := where.at("requestBody")
		if ref, isRef := body.Get("$ref"); isRef {
			body, bwhere = localRef(doc, ref), refLoc(docLoc(api, e.res.Type(api)), ref)
		}
		cv, _ := body.Get("content")
		if content, isObj := cv.(*tree.Object); isObj && !isIntrinsic(content) {
			for _, m := range content.Members {
				e.noteUntemplated(m.Key, binary, converted, bwhere.at("content").at(m.Key))
			}
		}
		return true
	}
	cv, has := op.Get("consumes")
	cwhere := where.at("consumes")
	if !has {
		cv, _ = doc.Get("consumes")
		cwhere = docLoc(api, e.res.Type(api)).at("consumes")
	}
	consumes, _ := cv.([]any)
	for i, c := range consumes {
		if t, isStr := c.(string); isStr {
			e.noteUntemplated(t, binary, converted, cwhere.at(itoa(i)))
		}
	}
	return true
}

// refLoc is where a local $ref (#/components/...) points in the document at
// doc.
func refLoc(doc *loc, ref any) *loc {
	s, _ := ref.(string)
	at := doc
	for _, part := range strings.Split(strings.TrimPrefix(s, "#/"), "/") {
		at = at.at(strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~"))
	}
	return at
}

// noteUntemplated notes a request content type a method declares that
// Event: proxy has no request template for, which API Gateway answers with
// 415 (PassthroughBehavior NEVER). A type with a wildcard is not said.
func (e *expander) noteUntemplated(contentType string, binary []string, converted bool, where *loc) {
	t, _, _ := strings.Cut(contentType, ";")
	if t = cfn.MediaType(t); t == "" || strings.Contains(t, "*") || hasContentType(ProxyRequestTemplates(binary), t) {
		return
	}
	was := ""
	if converted {
		was = ", where the proxy integration took any content type"
	}
	add := "add " + t + " to the API's binary media types"
	if cfn.IsBinary(t, binary) {
		add = "list " + t + " itself among the API's binary media types (the wildcard that covers it gets no template)"
	}
	e.noteOf(NoteContentType, where, "declares the request content type %s, for which Event: proxy writes no request template: API Gateway answers a request of that type 415 Unsupported Media Type without invoking the function (PassthroughBehavior NEVER%s); to accept it, %s, and the function gets its body base64-encoded with isBase64Encoded true, as from a proxy integration", t, was, add)
}

// isProxyIntegration reports whether an integration is a Lambda proxy
// integration (AWS_PROXY, in any case).
func isProxyIntegration(in *tree.Object, d cfn.IntegrationKeys) bool {
	t, _ := in.Get(d.Type)
	s, _ := t.(string)
	return strings.EqualFold(s, "AWS_PROXY")
}
