package oracle

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Options checks what the shorthand's options Event and Accepted make of
// each shorthand's method or operation once deployed (after SAM), in every
// world where it exists as written, as the README says (The function's
// event; Answering 202), rendering the templates the deployed integration
// carries with velocityjs, and that API Gateway takes its responses:
//
//   - Event: proxy: a request template for application/json,
//     application/x-www-form-urlencoded, text/plain and every binary media
//     type of the API without a wildcard; each template, rendered on a
//     request of its content type, gives that request's proxy event, with
//     isBase64Encoded true exactly where the API treats the type as binary;
//     PassthroughBehavior NEVER or WHEN_NO_TEMPLATES (a request of another
//     type is answered 415, never passed as its bare body); ContentHandling
//     CONVERT_TO_TEXT (a binary body reaches the template base64-encoded).
//   - Event: body: the request templates the author wrote, and no other.
//   - Accepted: the default integration response answers 202 (in always
//     mode), maps X-Request-Id from Lambda's answer's x-amzn-RequestId, and
//     its template answers {"requestId": ...} with Lambda's request ID; in
//     client mode only when the client's header says Event (202), a DryRun
//     204 without a body, any other call the function's result as it is.
//     The method responses of its status, and 202, declare the header.
//   - Every integration response has a method response (an operation's
//     response) of its status, which declares each header it maps: API
//     Gateway refuses to deploy a mapping of an undeclared header ("Invalid
//     mapping expression parameter specified"), and answers a call that
//     selects a status without a method response 500 ("Output mapping
//     refers to an invalid method response").
func Options(d, in *tree.Object, uses []Use, values map[string]any, v *Velocity) []Failure {
	var fs failures
	for _, w := range worlds(d, values) {
		win := w.on(in)
		for _, u := range uses {
			where := u.Where + " (" + w.Label + ")"
			var m, written *method
			if u.Method != "" {
				if !w.Exists(u.Method) {
					continue
				}
				m, written = w.method(u.Method, win), win.method(u.Method, win)
			} else {
				if !w.Exists(u.API) || !win.hasOperation(u) {
					continue
				}
				m, written = w.operation(u, win), win.operation(u, win)
			}
			if m.integ == nil {
				continue // Async says so
			}
			// Every status gets its method response (the macro adds the
			// missing ones); a header the author's method response
			// declares in another case is the author's (the macro takes
			// it as declared).
			missing, headers := m.undeclared()
			_, had := written.undeclared()
			for _, p := range missing {
				fs.add("responses", where, p)
			}
			for _, p := range headers {
				if !slices.Contains(had, p) {
					fs.add("responses", where, p)
				}
			}
			switch u.Event {
			case "proxy":
				fs.add("event", where, w.proxyEvent(m, v))
			case "body":
				if got := get(m.integ, m.d.requestTemplates); !tree.Equal(got, m.written) {
					t, _ := got.(*tree.Object)
					fs.add("event", where, fmt.Sprintf("with Event: body has request templates (for %s) the author did not write: the function gets what they make, not the body", strings.Join(keys(t), ", ")))
				}
			}
			if u.Accepted {
				fs.add("accepted", where, m.accepted(u, v))
			}
		}
	}
	return fs.list
}

// dialect are the keys of an integration, and of its responses, in an
// AWS::ApiGateway::Method or an OpenAPI operation.
type dialect struct {
	requestTemplates, passthrough, contentHandling, responseTemplates, responseParameters string
}

var (
	methodDialect    = dialect{"RequestTemplates", "PassthroughBehavior", "ContentHandling", "ResponseTemplates", "ResponseParameters"}
	operationDialect = dialect{"requestTemplates", "passthroughBehavior", "contentHandling", "responseTemplates", "responseParameters"}
)

// A method is a deployed method or operation, resolved in one world: its
// integration, its integration responses, and what its method responses
// declare.
type method struct {
	w       *world
	d       dialect
	integ   *tree.Object
	written any // the integration's request templates as the author wrote them
	// responses are the integration responses; the default one has no
	// selection pattern.
	responses []integrationResponse
	// declares reports whether a method response of status exists, and
	// whether it declares header name.
	declares func(status, name string) (exists, declared bool)
	binary   []string // the REST API's binary media types
}

type integrationResponse struct {
	status    string
	isDefault bool
	r         *tree.Object
}

func (w *world) method(id string, in *world) *method {
	p := w.Props(id)
	integ, _ := get(p, "Integration").(*tree.Object)
	written, _ := get(in.Props(id), "Integration").(*tree.Object)
	m := &method{w: w, d: methodDialect, integ: integ, written: get(written, "RequestTemplates")}
	list, _ := get(integ, "IntegrationResponses").([]any)
	for _, x := range list {
		r, _ := x.(*tree.Object)
		status, _ := w.Str(get(r, "StatusCode"))
		sp, _ := w.Str(get(r, "SelectionPattern"))
		m.responses = append(m.responses, integrationResponse{status, sp == "", r})
	}
	methodResponses, _ := get(p, "MethodResponses").([]any)
	m.declares = func(status, name string) (bool, bool) {
		for _, x := range methodResponses {
			r, _ := x.(*tree.Object)
			if s, _ := w.Str(get(r, "StatusCode")); s == status {
				params, _ := get(r, "ResponseParameters").(*tree.Object)
				return true, params.Has("method.response.header." + name)
			}
		}
		return false, false
	}
	m.binary = w.binaryMediaTypes(restAPI(get(p, "RestApiId")))
	return m
}

func (w *world) operation(u Use, in *world) *method {
	op, _ := getObj(getObj(get(w.document(u.API), "paths"), u.Path), u.Verb).(*tree.Object)
	written, _ := getObj(getObj(get(in.document(u.API), "paths"), u.Path), u.Verb).(*tree.Object)
	integ, _ := get(op, "x-amazon-apigateway-integration").(*tree.Object)
	writtenInteg, _ := get(written, "x-amazon-apigateway-integration").(*tree.Object)
	m := &method{w: w, d: operationDialect, integ: integ, written: get(writtenInteg, "requestTemplates")}
	responses, _ := get(integ, "responses").(*tree.Object)
	for _, r := range members(responses) {
		ro, _ := r.Value.(*tree.Object)
		status, _ := w.Str(get(ro, "statusCode"))
		m.responses = append(m.responses, integrationResponse{status, r.Key == "default", ro})
	}
	opResponses, _ := get(op, "responses").(*tree.Object)
	doc := w.document(u.API)
	m.declares = func(status, name string) (bool, bool) {
		r, ok := opResponses.Get(status)
		if !ok {
			return false, false
		}
		headers, _ := get(w.deref(doc, r), "headers").(*tree.Object)
		return true, headers.Has(name)
	}
	m.binary = w.binaryMediaTypes(u.API)
	return m
}

// restAPI is the logical ID a method's RestApiId names (Ref, or GetAtt of
// RestApiId).
func restAPI(v any) string {
	if name := refName(v); name != "" {
		return name
	}
	if k, a, ok := tree.Only(v); ok && k == "Fn::GetAtt" {
		if l, ok := a.([]any); ok && len(l) > 0 {
			s, _ := l[0].(string)
			return s
		}
		s, _ := a.(string)
		return strings.SplitN(s, ".", 2)[0]
	}
	return ""
}

// binaryMediaTypes are the binary media types of REST API id, as API
// Gateway reads them: its BinaryMediaTypes and its document's
// x-amazon-apigateway-binary-media-types, with / written ~1 as SAM and
// API Gateway's patch operations write it.
func (w *world) binaryMediaTypes(id string) []string {
	if id == "" || w.Type(id) != "AWS::ApiGateway::RestApi" {
		return nil
	}
	var out []string
	for _, v := range []any{get(w.Props(id), "BinaryMediaTypes"), get(w.document(id), "x-amazon-apigateway-binary-media-types")} {
		for _, t := range w.strs(v) {
			out = append(out, strings.ToLower(strings.ReplaceAll(t, "~1", "/")))
		}
	}
	return out
}

// isBinary: API Gateway treats a content type as binary when a binary
// media type names it, or a wildcard (image/*, */*) covers it.
func isBinary(contentType string, binary []string) bool {
	t := strings.ToLower(contentType)
	main, _, _ := strings.Cut(t, "/")
	return slices.Contains(binary, t) || slices.Contains(binary, "*/*") || slices.Contains(binary, main+"/*")
}

// undeclared lists the integration responses without a method response
// of their status, and the headers they map that it does not declare.
func (m *method) undeclared() (missing, headers []string) {
	for _, r := range m.responses {
		exists, _ := m.declares(r.status, "")
		if !exists {
			missing = append(missing, fmt.Sprintf("its integration response %s has no method response %s: a call it answers fails with 500 (Output mapping refers to an invalid method response)", r.status, r.status))
			continue
		}
		params, _ := get(r.r, m.d.responseParameters).(*tree.Object)
		for _, k := range keys(params) {
			name, ok := strings.CutPrefix(k, "method.response.header.")
			if !ok {
				continue
			}
			if _, declared := m.declares(r.status, name); !declared {
				headers = append(headers, fmt.Sprintf("its integration response %s maps the header %s, which method response %s does not declare: API Gateway refuses the deployment (Invalid mapping expression parameter specified)", r.status, name, r.status))
			}
		}
	}
	return missing, headers
}

// proxyContentTypes are the content types the README says Event: proxy
// writes a request template for, besides the API's binary media types.
var proxyContentTypes = []string{"application/json", "application/x-www-form-urlencoded", "text/plain"}

func (w *world) proxyEvent(m *method, v *Velocity) string {
	templates, _ := get(m.integ, m.d.requestTemplates).(*tree.Object)
	want := slices.Clone(proxyContentTypes)
	for _, t := range m.binary {
		if !strings.Contains(t, "*") && !slices.Contains(want, t) {
			want = append(want, t)
		}
	}
	for _, t := range want {
		if !slices.ContainsFunc(keys(templates), func(k string) bool { return strings.EqualFold(k, t) }) {
			return fmt.Sprintf("with Event: proxy has no request template for %s (it has %s): API Gateway answers such a request 415 without invoking the function", t, strings.Join(keys(templates), ", "))
		}
	}
	for _, tm := range members(templates) {
		text, ok := w.Str(tm.Value)
		if !ok {
			return fmt.Sprintf("with Event: proxy, its request template for %s cannot be read", tm.Key)
		}
		if msg := proxyTemplate(v, text, tm.Key, isBinary(tm.Key, m.binary)); msg != "" {
			return fmt.Sprintf("with Event: proxy, its request template for %s %s", tm.Key, msg)
		}
	}
	if p, _ := w.Str(get(m.integ, m.d.passthrough)); !strings.EqualFold(p, "NEVER") && !strings.EqualFold(p, "WHEN_NO_TEMPLATES") {
		return fmt.Sprintf("with Event: proxy has passthrough behavior %q: a request of a content type without a template reaches the function as its bare body, not the proxy event (want NEVER)", p)
	}
	if c, _ := w.Str(get(m.integ, m.d.contentHandling)); !strings.EqualFold(c, "CONVERT_TO_TEXT") {
		return fmt.Sprintf("with Event: proxy has content handling %q: a binary body reaches the template as bytes it cannot read (want CONVERT_TO_TEXT)", c)
	}
	return ""
}

// proxyRequest is a request of content type ct, as a mapping template
// reads it: a binary body is given base64-encoded (CONVERT_TO_TEXT).
func proxyRequest(ct string, binary bool) Request {
	body := `{"order":"it's \"42\"","note":"a/b\\c"}`
	if binary {
		body = base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 0xff, '"', '\''})
	}
	return Request{
		Context: map[string]any{
			"accountId": account, "apiId": "a1b2c3d4e5", "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
			"domainPrefix": "a1b2c3d4e5", "extendedRequestId": "Xy1AbCdEfGhIjKl=", "httpMethod": "POST",
			"path": "/prod/jobs/42", "protocol": "HTTP/1.1", "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
			"requestTime": "09/Apr/2015:12:34:56 +0000", "requestTimeEpoch": 1428582896000, "resourceId": "abc123",
			"resourcePath": "/jobs/{id}", "stage": "prod", "identity": map[string]any{"sourceIp": "203.0.113.7", "userAgent": "curl/8.5.0"},
		},
		Params: map[string]map[string]string{
			"header":      {"Content-Type": ct, "X-Trace": "t'1"},
			"querystring": {"q": "a b"},
			"path":        {"id": "42"},
		},
		Body: body,
	}
}

// proxyTemplate renders a request template on a request of content type ct
// and checks that it gives that request's proxy event (format 1.0). It
// returns what is wrong, or "".
func proxyTemplate(v *Velocity, text, ct string, binary bool) string {
	r := proxyRequest(ct, binary)
	out, err := v.Render(text, r)
	if err != nil {
		return "does not render: " + err.Error()
	}
	var event struct {
		Resource, Path, HTTPMethod string
		Headers                    map[string]string
		QueryStringParameters      map[string]string
		PathParameters             map[string]string
		RequestContext             struct{ RequestID string }
		Body                       *string
		IsBase64Encoded            *bool
	}
	if err := json.Unmarshal([]byte(out.Output), &event); err != nil {
		return fmt.Sprintf("does not make a JSON event (%v): %.120q", err, out.Output)
	}
	var diffs []string
	check := func(field string, got, want any) {
		if fmt.Sprint(got) != fmt.Sprint(want) {
			diffs = append(diffs, fmt.Sprintf("%s %v, not %v", field, got, want))
		}
	}
	check("resource", event.Resource, r.Context["resourcePath"])
	check("path", event.Path, "/jobs/42")
	check("httpMethod", event.HTTPMethod, "POST")
	check("headers", event.Headers, r.Params["header"])
	check("queryStringParameters", event.QueryStringParameters, r.Params["querystring"])
	check("pathParameters", event.PathParameters, r.Params["path"])
	check("requestContext.requestId", event.RequestContext.RequestID, r.Context["requestId"])
	if event.Body == nil || *event.Body != r.Body {
		diffs = append(diffs, fmt.Sprintf("body %s, not %q", encode(event.Body), r.Body))
	}
	if event.IsBase64Encoded == nil || *event.IsBase64Encoded != binary {
		diffs = append(diffs, fmt.Sprintf("isBase64Encoded %s, not %v (the API's binary media types)", encode(event.IsBase64Encoded), binary))
	}
	if len(diffs) > 0 {
		return "does not make the request's proxy event: " + strings.Join(diffs, "; ")
	}
	return ""
}

// requestID is Lambda's request ID for a call, as the response template
// of Accepted reads it ($context.awsEndpointRequestId).
const requestID = "8f5e2a3c-0b1d-4e6f-9a7b-123456789abc"

func (m *method) accepted(u Use, v *Velocity) string {
	var def *integrationResponse
	for i := range m.responses {
		if m.responses[i].isDefault {
			def = &m.responses[i]
			break
		}
	}
	if def == nil {
		return "with Accepted has no default integration response"
	}
	w := m.w
	if u.Mode == "always" && def.status != "202" {
		return fmt.Sprintf("with Accepted answers %s, not 202", def.status)
	}
	params, _ := get(def.r, m.d.responseParameters).(*tree.Object)
	header := ""
	for _, k := range keys(params) {
		if strings.EqualFold(k, "method.response.header.X-Request-Id") {
			header = strings.TrimPrefix(k, "method.response.header.")
			if s, _ := w.Str(get(params, k)); s != "integration.response.header.x-amzn-RequestId" {
				return fmt.Sprintf("with Accepted maps X-Request-Id from %q, not Lambda's request ID (integration.response.header.x-amzn-RequestId)", s)
			}
		}
	}
	if header == "" {
		return "with Accepted does not map X-Request-Id in its default integration response"
	}
	statuses := []string{def.status}
	if u.Mode == "client" && def.status != "202" {
		statuses = append(statuses, "202")
	}
	for _, s := range statuses {
		if _, declared := m.declares(s, header); !declared {
			return fmt.Sprintf("with Accepted, its method response %s does not declare %s", s, header)
		}
	}
	templates, _ := get(def.r, m.d.responseTemplates).(*tree.Object)
	var text string
	for _, k := range keys(templates) {
		if strings.EqualFold(k, "application/json") {
			text, _ = w.Str(get(templates, k))
		}
	}
	if text == "" {
		return "with Accepted has no application/json response template in its default integration response"
	}
	return acceptedTemplate(v, text, u)
}

// acceptedTemplate renders the default response's template of Accepted on
// Lambda's answers to the calls the README names, and checks what each
// call gets: in always mode the request ID; in client mode 202 and the
// request ID when the client's header (in lower case, as HTTP/2 sends it)
// says Event, 204 and no body for a DryRun, and the function's result, as
// it is, for a synchronous call or one without the header.
func acceptedTemplate(v *Velocity, text string, u Use) string {
	type call struct {
		name, invocationType, body string
		status                     int
		output                     string // "id": the request ID as JSON
	}
	result := `{"total":42,"items":["a"]}`
	calls := []call{{"a call", "", "", 0, "id"}}
	if u.Mode == "client" {
		calls = []call{
			{"an asynchronous call", "Event", "", 202, "id"},
			{"a DryRun", "DryRun", "", 204, ""},
			{"a synchronous call", "RequestResponse", result, 0, result},
			{"a call without the header", "", result, 0, result},
		}
	}
	for _, c := range calls {
		headers := map[string]string{}
		if c.invocationType != "" {
			headers[strings.ToLower(u.Header)] = c.invocationType
		}
		r := Request{
			Context: map[string]any{"awsEndpointRequestId": requestID, "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"},
			Params:  map[string]map[string]string{"header": headers, "querystring": {}, "path": {}},
			Body:    c.body,
		}
		out, err := v.Render(text, r)
		if err != nil {
			return "with Accepted, its response template does not render: " + err.Error()
		}
		if u.Mode == "always" && out.Status == 202 {
			out.Status = 0 // the response's own status
		}
		if out.Status != c.status {
			return fmt.Sprintf("with Accepted, %s gets status %d from the response template, not %d", c.name, out.Status, c.status)
		}
		got := strings.TrimSpace(out.Output)
		switch c.output {
		case "id":
			var body struct{ RequestID *string }
			if json.Unmarshal([]byte(got), &body) != nil || body.RequestID == nil || *body.RequestID != requestID {
				return fmt.Sprintf("with Accepted, %s is answered %.100q, not {\"requestId\":%q}", c.name, got, requestID)
			}
		default:
			if got != c.output {
				return fmt.Sprintf("with Accepted, %s is answered %.100q, not %.100q", c.name, got, c.output)
			}
		}
	}
	return ""
}

func encode(v any) string {
	if v == nil {
		return "none"
	}
	b, _ := json.Marshal(v)
	if o, ok := v.(*tree.Object); ok {
		b = tree.Encode(o)
	}
	return string(b)
}
