package oracle

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Use is one shorthand of a template as written: what the author asked for.
type Use struct {
	Where      string // its path, for messages
	Method     string // the AWS::ApiGateway::Method's logical ID, or ""
	API        string // the RestApi or SAM Api of an OpenAPI operation
	Path, Verb string // the operation's
	Mode       string // always or client ("" when it cannot be read)
	Header     string // client mode: the header the caller sets
	Permission bool   // the macro is to add the permission
	Settings   bool   // it gives asynchronous invocation settings
	Event      string // body or proxy
	Accepted   bool   // answer 202 with the request ID
	URI        any    // the integration's URI as written
	Shorthand  any    // the shorthand as written
}

// Uses lists the shorthands of template t, read as the README describes
// them (values are the template parameter values given).
func Uses(t *tree.Object, values map[string]any) []Use {
	var uses []Use
	resources := section(t, "Resources")
	for _, m := range members(resources) {
		r, _ := m.Value.(*tree.Object)
		typ, _ := get(r, "Type").(string)
		props, _ := get(r, "Properties").(*tree.Object)
		switch typ {
		case "AWS::ApiGateway::Method":
			if sh, ok := props.Get("AsyncInvoke"); ok {
				integ, _ := get(props, "Integration").(*tree.Object)
				uses = append(uses, read(t, values, Use{Where: "Resources." + m.Key, Method: m.Key, URI: get(integ, "Uri")}, sh))
			}
		case "AWS::ApiGateway::RestApi", "AWS::Serverless::Api":
			body := "Body"
			if typ == "AWS::Serverless::Api" {
				body = "DefinitionBody"
			}
			doc, _ := get(props, body).(*tree.Object)
			paths, _ := get(doc, "paths").(*tree.Object)
			for _, p := range members(paths) {
				for _, item := range branches(p.Value) {
					for _, op := range members(item) {
						for _, o := range branches(op.Value) {
							if sh, ok := o.Get("x-async-invoke"); ok {
								integ, _ := get(o, "x-amazon-apigateway-integration").(*tree.Object)
								u := Use{Where: "Resources." + m.Key + "." + body + ".paths." + p.Key + "." + op.Key,
									API: m.Key, Path: p.Key, Verb: op.Key, URI: get(integ, "uri"), Shorthand: sh}
								uses = append(uses, read(t, values, u, sh))
							}
						}
					}
				}
			}
		}
	}
	return uses
}

// branches are the objects v may be: v, or each branch of an Fn::If.
func branches(v any) []*tree.Object {
	if k, a, ok := tree.Only(v); ok && k == "Fn::If" {
		args, _ := a.([]any)
		if len(args) == 3 {
			return append(branches(args[1]), branches(args[2])...)
		}
	}
	if o, ok := v.(*tree.Object); ok && refName(o) == "" {
		return []*tree.Object{o}
	}
	return nil
}

func read(t *tree.Object, values map[string]any, u Use, sh any) Use {
	u.Header, u.Permission, u.Event = "InvocationType", true, "body"
	o, isObj := sh.(*tree.Object)
	if isObj && refName(o) == "" {
		sh = get(o, "Mode")
		if h, ok := o.Get("Header"); ok {
			u.Header = paramValue(t, values, h)
		}
		if p, ok := o.Get("Permission"); ok {
			u.Permission = paramValue(t, values, p) != "false"
		}
		if e, ok := o.Get("Event"); ok {
			u.Event = strings.ToLower(strings.TrimSpace(paramValue(t, values, e)))
		}
		if a, ok := o.Get("Accepted"); ok {
			u.Accepted = strings.EqualFold(paramValue(t, values, a), "true")
		}
		for _, k := range []string{"OnFailure", "OnSuccess", "MaximumRetryAttempts", "MaximumEventAgeInSeconds"} {
			u.Settings = u.Settings || o.Has(k)
		}
	}
	u.Mode = paramValue(t, values, sh)
	return u
}

// paramValue is a literal's text, or a Ref'd parameter's value or Default.
func paramValue(t *tree.Object, values map[string]any, v any) string {
	if name := refName(v); name != "" {
		if x, ok := values[name]; ok {
			return scalar(x)
		}
		p, _ := section(t, "Parameters").Get(name)
		po, _ := p.(*tree.Object)
		if d, ok := po.Get("Default"); ok {
			return scalar(d)
		}
		return ""
	}
	if v == nil {
		return ""
	}
	return scalar(v)
}

// Failure is what one oracle found wrong with one template.
type Failure struct {
	Oracle string // crash, consistency, refusal-location, refusal-reason, refused, expanded, leftover, idempotence, yaml, sam, lint, async, responses, event, accepted, permission, settings, grant
	Detail string
}

func (f Failure) String() string { return f.Oracle + ": " + f.Detail }

// invocationURI is what an integration URI invokes: a function's ARN,
// with its qualifier.
var invocationURI = regexp.MustCompile(`^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/(.+?)\$?/invocations$`)

// invoked is the function ARN (qualified or not) that a URI, or a
// function reference written as a URI, invokes; "" when it cannot be known.
func (w *world) invoked(uri any) string {
	s, ok := w.Str(uri)
	if !ok {
		return ""
	}
	if m := invocationURI.FindStringSubmatch(s); m != nil {
		s = m[1]
	} else if strings.Contains(s, ":apigateway:") {
		return ""
	}
	// $LATEST is the function itself (Lambda keeps no permissions and no
	// configuration apart for it).
	return strings.TrimSuffix(w.functionARN(s), ":$LATEST")
}

// Async checks that every shorthand's method or operation invokes the
// function asynchronously in the deployed template d (after SAM): a
// Lambda (AWS) integration with a POST, X-Amz-Invocation-Type mapped from
// 'Event' or from the client's header (declared on the method), a default
// integration response with its method response, and the URI of what the
// author wrote, in every world where the method, or the operation (which
// an Fn::If around it or its path item may leave out), exists as written.
// in is the template as written.
func Async(d, in *tree.Object, uses []Use, values map[string]any) []Failure {
	var fs failures
	for _, w := range worlds(d, values) {
		win := w.on(in)
		for _, u := range uses {
			where := u.Where + " (" + w.Label + ")"
			if u.Method != "" {
				if !w.Exists(u.Method) {
					continue
				}
				fs.add("async", where, w.methodAsync(u, win))
				continue
			}
			if !w.Exists(u.API) || !win.hasOperation(u) {
				continue
			}
			fs.add("async", where, w.operationAsync(u, win))
		}
	}
	return fs.list
}

// failures collects failures without repeating one in another world.
type failures struct {
	seen map[string]bool
	list []Failure
}

func (f *failures) add(oracle, where, problem string) {
	if problem == "" {
		return
	}
	// The same problem in another region is the same problem.
	problem = strings.ReplaceAll(problem, ":eu-west-1:", ":us-east-1:")
	key := oracle + problem + strings.SplitN(where, " (", 2)[0]
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	if !f.seen[key] {
		f.seen[key] = true
		f.list = append(f.list, Failure{oracle, where + ": " + problem})
	}
}

// on is the same world for another template (the one as written).
func (w *world) on(t *tree.Object) *world {
	c := *w
	c.t, c.res = t, section(t, "Resources")
	c.conds, c.pending = map[string]bool{}, map[string]bool{}
	return &c
}

func (w *world) methodAsync(u Use, in *world) string {
	p := w.Props(u.Method)
	integ, _ := get(p, "Integration").(*tree.Object)
	if integ == nil {
		return "has no Integration"
	}
	if t, _ := w.Str(get(integ, "Type")); !strings.EqualFold(t, "AWS") {
		return fmt.Sprintf("Integration.Type is %q, not AWS", t)
	}
	if m, _ := w.Str(get(integ, "IntegrationHttpMethod")); m != "POST" {
		return fmt.Sprintf("IntegrationHttpMethod is %q, not POST", m)
	}
	params, _ := get(integ, "RequestParameters").(*tree.Object)
	declared, _ := get(p, "RequestParameters").(*tree.Object)
	if msg := w.mapping(u, params, func(name string) bool { return declared.Has("method.request.header." + name) }); msg != "" {
		return msg
	}
	status := ""
	responses, _ := get(integ, "IntegrationResponses").([]any)
	for _, r := range responses {
		ro, _ := r.(*tree.Object)
		if sp, _ := w.Str(get(ro, "SelectionPattern")); sp == "" {
			status, _ = w.Str(get(ro, "StatusCode"))
			break
		}
	}
	if status == "" {
		return "has no default integration response: every call would answer 500"
	}
	found := false
	methodResponses, _ := get(p, "MethodResponses").([]any)
	for _, r := range methodResponses {
		ro, _ := r.(*tree.Object)
		if s, _ := w.Str(get(ro, "StatusCode")); s == status {
			found = true
		}
	}
	if !found {
		return "has no method response " + status + " for its default integration response"
	}
	return w.sameTarget(u, in, get(integ, "Uri"))
}

// hasOperation reports whether u's operation is in its API's document in
// this world, with u's shorthand: a path item or operation inside an Fn::If
// exists only where its branch is chosen (and each branch may have a
// shorthand of its own).
func (w *world) hasOperation(u Use) bool {
	op := getObj(getObj(get(w.document(u.API), "paths"), u.Path), u.Verb)
	if op == nil {
		return false
	}
	want, _ := w.Resolve(u.Shorthand)
	return tree.Equal(getObj(op, "x-async-invoke"), want)
}

func (w *world) operationAsync(u Use, in *world) string {
	doc := w.document(u.API)
	paths, _ := get(doc, "paths").(*tree.Object)
	item, _ := get(paths, u.Path).(*tree.Object)
	op, _ := get(item, u.Verb).(*tree.Object)
	if op == nil {
		return "the operation is gone"
	}
	integ, _ := get(op, "x-amazon-apigateway-integration").(*tree.Object)
	if integ == nil {
		return "has no x-amazon-apigateway-integration"
	}
	if t, _ := w.Str(get(integ, "type")); !strings.EqualFold(t, "aws") {
		return fmt.Sprintf("the integration's type is %q, not aws", t)
	}
	if m, _ := w.Str(get(integ, "httpMethod")); !strings.EqualFold(m, "POST") {
		return fmt.Sprintf("the integration's httpMethod is %q, not POST", m)
	}
	params, _ := get(integ, "requestParameters").(*tree.Object)
	declared := func(name string) bool {
		for _, ps := range []any{get(op, "parameters"), get(item, "parameters")} {
			l, _ := ps.([]any)
			for _, p := range l {
				po := w.deref(doc, p)
				if in, _ := get(po, "in").(string); in == "header" && get(po, "name") == name {
					return true
				}
			}
		}
		return false
	}
	if msg := w.mapping(u, params, declared); msg != "" {
		return msg
	}
	responses, _ := get(integ, "responses").(*tree.Object)
	def, _ := get(responses, "default").(*tree.Object)
	if def == nil {
		return "has no default integration response: every call would answer 500"
	}
	status, _ := w.Str(get(def, "statusCode"))
	opResponses, _ := get(op, "responses").(*tree.Object)
	if !opResponses.Has(status) {
		return "has no response " + status + " for its default integration response"
	}
	return w.sameTarget(u, in, get(integ, "uri"))
}

// deref follows a local $ref of a parameter.
func (w *world) deref(doc *tree.Object, p any) *tree.Object {
	po, _ := p.(*tree.Object)
	r, ok := get(po, "$ref").(string)
	if !ok {
		return po
	}
	var v any = doc
	for _, k := range strings.Split(strings.TrimPrefix(r, "#/"), "/") {
		o, _ := v.(*tree.Object)
		v = get(o, k)
	}
	o, _ := v.(*tree.Object)
	return o
}

// document is the OpenAPI document of the REST API id, resolved.
func (w *world) document(id string) *tree.Object {
	p := w.Props(id)
	doc, _ := get(p, "Body").(*tree.Object)
	if doc == nil {
		doc, _ = get(p, "DefinitionBody").(*tree.Object)
	}
	return doc
}

// mapping checks the X-Amz-Invocation-Type mapping of an integration.
func (w *world) mapping(u Use, params *tree.Object, declared func(string) bool) string {
	var value any
	for _, m := range members(params) {
		if strings.EqualFold(m.Key, "integration.request.header.X-Amz-Invocation-Type") {
			value = m.Value
		}
	}
	v, _ := w.Str(value)
	switch u.Mode {
	case "always":
		if v != "'Event'" {
			return fmt.Sprintf("X-Amz-Invocation-Type is mapped from %q, not 'Event': the call is synchronous", v)
		}
	case "client":
		h, ok := strings.CutPrefix(v, "method.request.header.")
		if !ok || !strings.EqualFold(h, u.Header) {
			return fmt.Sprintf("X-Amz-Invocation-Type is mapped from %q, not the header %s", v, u.Header)
		}
		if !declared(h) {
			return fmt.Sprintf("maps X-Amz-Invocation-Type from method.request.header.%s, which the method does not declare: API Gateway refuses the mapping", h)
		}
	}
	return ""
}

// sameTarget checks that the integration invokes what the author named.
func (w *world) sameTarget(u Use, in *world, uri any) string {
	want := in.invoked(u.URI)
	if want == "" {
		return ""
	}
	got := w.invoked(uri)
	if got != want {
		s, _ := w.Str(uri)
		return fmt.Sprintf("invokes %q (URI %q), not %q as written", got, s, want)
	}
	return ""
}

// Permissions checks that API Gateway may invoke what each shorthand's
// integration invokes, from its method, in every world where the method
// exists: some AWS::Lambda::Permission for apigateway.amazonaws.com on
// exactly that function, alias or version (Lambda matches the qualifier),
// whose SourceArn, if any, matches the method's execute-api ARN (IAM's
// wildcards), with the resource path API Gateway imports for an operation
// under its basepath mode. Functions outside the template, stage
// variables, Permission: false and integrations with Credentials are
// skipped: the README leaves them to the author.
func Permissions(d *tree.Object, uses []Use, values map[string]any) []Failure {
	var fs failures
	for _, w := range worlds(d, values) {
		for _, u := range uses {
			if !u.Permission {
				continue
			}
			where := u.Where + " (" + w.Label + ")"
			fs.add("permission", where, w.permission(u))
		}
	}
	return fs.list
}

func (w *world) permission(u Use) string {
	var integ *tree.Object
	var api, resourcePath, verb string
	if u.Method != "" {
		if !w.Exists(u.Method) {
			return ""
		}
		p := w.Props(u.Method)
		integ, _ = get(p, "Integration").(*tree.Object)
		api, _ = w.Str(get(p, "RestApiId"))
		var ok bool
		if resourcePath, ok = w.resourcePath(get(p, "ResourceId")); !ok {
			return ""
		}
		verb, _ = w.Str(get(p, "HttpMethod"))
	} else {
		if !w.Exists(u.API) {
			return ""
		}
		op, _ := getObj(getObj(get(w.document(u.API), "paths"), u.Path), u.Verb).(*tree.Object)
		integ, _ = get(op, "x-amazon-apigateway-integration").(*tree.Object)
		api, _ = w.ref(u.API)
		resourcePath, verb = w.importedPath(u.API, u.Path), strings.ToUpper(u.Verb)
	}
	if integ == nil || get(integ, "Credentials") != nil || get(integ, "credentials") != nil {
		return ""
	}
	fn := w.invokedFunction(get(integ, "Uri"), get(integ, "uri"))
	if fn == "" {
		return ""
	}
	segs := strings.Split(strings.Trim(resourcePath, "/"), "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			segs[i] = "x1"
		}
	}
	source := "arn:aws:execute-api:" + w.region + ":" + account + ":" + api + "/anystage/" + verb + "/" + strings.Join(segs, "/")
	for _, m := range members(w.res) {
		if w.Type(m.Key) != "AWS::Lambda::Permission" || !w.Exists(m.Key) {
			continue
		}
		p := w.Props(m.Key)
		action, _ := w.Str(get(p, "Action"))
		principal, _ := w.Str(get(p, "Principal"))
		name, ok := w.Str(get(p, "FunctionName"))
		if !ok || !globMatch(strings.ToLower(action), "lambda:invokefunction") || principal != "apigateway.amazonaws.com" ||
			w.functionARN(name) != fn {
			continue
		}
		if s, has := p.Get("SourceArn"); has {
			arn, ok := w.Str(s)
			if !ok || !globMatch(arn, source) {
				continue
			}
		}
		return ""
	}
	return fmt.Sprintf("no AWS::Lambda::Permission lets API Gateway invoke %s from %s: every call answers 500", fn, source)
}

func getObj(v any, key string) any {
	o, _ := v.(*tree.Object)
	return get(o, key)
}

// invokedFunction is the ARN of the template function (qualified as
// invoked) that a URI invokes, when it exists in this world; else "".
func (w *world) invokedFunction(uris ...any) string {
	for _, uri := range uris {
		if uri == nil {
			continue
		}
		arn := w.invoked(uri)
		if arn == "" || strings.Contains(arn, "${stageVariables.") {
			return ""
		}
		for _, m := range members(w.res) {
			t := w.Type(m.Key)
			if t != "AWS::Lambda::Function" && t != "AWS::Serverless::Function" || !w.Exists(m.Key) {
				continue
			}
			base, _ := w.att(m.Key, "Arn")
			if arn == base || strings.HasPrefix(arn, base+":") {
				return arn
			}
		}
	}
	return ""
}

// resourcePath is the path of a method's ResourceId.
func (w *world) resourcePath(id any) (string, bool) {
	if k, a, ok := tree.Only(id); ok && k == "Fn::GetAtt" {
		if l, _ := a.([]any); len(l) == 2 && l[1] == "RootResourceId" {
			return "/", true
		}
	}
	r := refName(id)
	if r == "" || w.Type(r) != "AWS::ApiGateway::Resource" {
		return "", false
	}
	p := w.Props(r)
	parent, ok := w.resourcePath(get(p, "ParentId"))
	part, ok2 := w.Str(get(p, "PathPart"))
	return path.Join(parent, part), ok && ok2
}

// importedPath is the resource path API Gateway makes of an OpenAPI path
// under the document's base path and the RestApi's basepath parameter
// (ignore, the default; prepend; split: the base path without its first
// segment), as the API Gateway Developer Guide describes importing.
func (w *world) importedPath(api, p string) string {
	doc := w.document(api)
	mode := "ignore"
	if params, ok := get(w.Props(api), "Parameters").(*tree.Object); ok {
		if m, ok := w.Str(get(params, "basepath")); ok {
			mode = m
		}
	}
	base, _ := w.Str(get(doc, "basePath"))
	if servers, ok := get(doc, "servers").([]any); ok && len(servers) > 0 {
		// OpenAPI 3: the first server variable named basePath, else the
		// path of the first server's url (the developer guide, "Set the
		// OpenAPI basePath property").
		base = ""
		found := false
		for _, sv := range servers {
			if v := getObj(getObj(sv, "variables"), "basePath"); v != nil && !found {
				base, _ = w.Str(getObj(v, "default"))
				found = true
			}
		}
		s, _ := servers[0].(*tree.Object)
		url, _ := w.Str(get(s, "url"))
		vars, _ := getObj(s, "variables").(*tree.Object)
		for _, m := range members(vars) {
			d, _ := w.Str(getObj(m.Value, "default"))
			url = strings.ReplaceAll(url, "{"+m.Key+"}", d)
		}
		if i := strings.Index(url, "://"); i >= 0 && !found {
			url = url[i+3:]
			if j := strings.Index(url, "/"); j >= 0 {
				base = url[j:]
			}
		}
	}
	switch mode {
	case "prepend":
		return path.Join("/", base, p)
	case "split":
		segs := strings.SplitN(strings.Trim(base, "/"), "/", 2)
		if len(segs) == 2 {
			return path.Join("/", segs[1], p)
		}
	}
	return p
}

// globMatch is IAM's wildcard match: * any run of characters, ? one.
func globMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if globMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && globMatch(pattern[1:], s[1:])
	}
	return s != "" && s[0] == pattern[0] && globMatch(pattern[1:], s[1:])
}

// Grants checks, in every world, that the execution role of each function
// with an AWS::Lambda::EventInvokeConfig may deliver to its destinations
// (Lambda's documentation: sqs:SendMessage, sns:Publish,
// lambda:InvokeFunction, events:PutEvents, s3:PutObject and s3:ListBucket;
// kms:GenerateDataKey, and kms:Decrypt for a queue or topic, on the
// template's key that encrypts the destination), and that the
// configuration waits for the policy that grants it: Lambda checks the role
// when the configuration is created. Roles and keys from outside the
// template are skipped: the README leaves them to the author.
//
// owned are the failures of configurations that a shorthand's settings
// configure (the macro's, or the author's identical one, which the macro
// is to make work); others are the author's own, reported as others.
func Grants(d, in *tree.Object, uses []Use, values map[string]any) (owned, others []Failure) {
	var own, other failures
	for _, w := range worlds(d, values) {
		win := w.on(in)
		configured := map[string]bool{}
		for _, u := range uses {
			if u.Settings {
				configured[win.invoked(u.URI)] = true
			}
		}
		for _, m := range members(w.res) {
			if w.Type(m.Key) != "AWS::Lambda::EventInvokeConfig" || !w.Exists(m.Key) {
				continue
			}
			fs := &other
			if configured[w.configured(m.Key)] {
				fs = &own
			}
			fs.add("grant", "Resources."+m.Key+" ("+w.Label+")", strings.Join(w.grants(m.Key), "; "))
		}
	}
	return own.list, other.list
}

// configured is the ARN of what an EventInvokeConfig configures.
func (w *world) configured(config string) string {
	p := w.Props(config)
	name, _ := w.Str(get(p, "FunctionName"))
	arn := w.functionARN(name)
	if q, _ := w.Str(get(p, "Qualifier")); q != "" && q != "$LATEST" {
		arn += ":" + q
	}
	return arn
}

func (w *world) grants(config string) []string {
	p := w.Props(config)
	name, _ := w.Str(get(p, "FunctionName"))
	fn := w.resourceNamed(name, "AWS::Lambda::Function", "AWS::Serverless::Function")
	if fn == "" || !w.Exists(fn) {
		return nil
	}
	roleARN, _ := w.Str(get(w.Props(fn), "Role"))
	role := ""
	if n, ok := strings.CutPrefix(roleARN, "arn:aws:iam::"+account+":role/"); ok {
		role = w.resourceNamed(n, "AWS::IAM::Role")
	}
	if role == "" || !w.Exists(role) {
		return nil
	}
	statements := w.statements(role)
	deps := w.dependencies(config)
	var problems, missing []string
	dc, _ := get(p, "DestinationConfig").(*tree.Object)
	for _, when := range []string{"OnFailure", "OnSuccess"} {
		dest, ok := w.Str(getObj(get(dc, when), "Destination"))
		if !ok {
			continue
		}
		for _, need := range w.needs(dest) {
			var holders []string
			waits := false
			for _, s := range statements {
				if s.allows(need.action, need.resource) {
					holders = append(holders, s.holder)
					waits = waits || deps[s.holder]
				}
			}
			switch {
			case len(holders) == 0:
				if m := need.action + " on " + need.resource; !slices.Contains(missing, m) {
					missing = append(missing, m)
				}
			case need.atCreation && !waits:
				problems = append(problems, fmt.Sprintf("does not wait for %s, which grants %s on %s: Lambda checks the role when the configuration is created", strings.Join(holders, " or "), need.action, need.resource))
			}
		}
	}
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("role %s may not %s: Lambda cannot deliver the records", role, strings.Join(missing, ", ")))
	}
	return problems
}

type need struct {
	action, resource string
	atCreation       bool // Lambda checks it when the configuration is created
}

// needs are the permissions delivering to the destination ARN takes.
func (w *world) needs(dest string) []need {
	var out []need
	service := strings.SplitN(dest, ":", 4)
	if len(service) < 3 {
		return nil
	}
	switch service[2] {
	case "sqs":
		out = append(out, need{"sqs:SendMessage", dest, true})
	case "sns":
		out = append(out, need{"sns:Publish", dest, true})
	case "lambda":
		out = append(out, need{"lambda:InvokeFunction", dest, true})
	case "events":
		out = append(out, need{"events:PutEvents", dest, true})
	case "s3":
		out = append(out, need{"s3:PutObject", dest + "/*", true}, need{"s3:ListBucket", dest, true})
	}
	if key := w.keyOf(dest); key != "" {
		out = append(out, need{"kms:GenerateDataKey", key, false})
		if service[2] != "s3" {
			out = append(out, need{"kms:Decrypt", key, false})
		}
	}
	return out
}

// keyOf is the ARN of the template's KMS key that encrypts the
// destination with ARN dest, or "".
func (w *world) keyOf(dest string) string {
	for _, m := range members(w.res) {
		if !w.Exists(m.Key) {
			continue
		}
		var key any
		switch w.Type(m.Key) {
		case "AWS::SQS::Queue", "AWS::SNS::Topic":
			key = get(w.Props(m.Key), "KmsMasterKeyId")
		case "AWS::S3::Bucket":
			rules, _ := getObj(get(w.Props(m.Key), "BucketEncryption"), "ServerSideEncryptionConfiguration").([]any)
			if len(rules) > 0 {
				key = getObj(getObj(rules[0], "ServerSideEncryptionByDefault"), "KMSMasterKeyID")
			}
		default:
			continue
		}
		arn, _ := w.att(m.Key, "Arn")
		if arn == "" {
			arn, _ = w.att(m.Key, "TopicArn")
		}
		if arn != dest || key == nil {
			continue
		}
		k, ok := w.Str(key)
		if !ok {
			return ""
		}
		if rest, ok := strings.CutPrefix(k, "arn:aws:kms:"+w.region+":"+account+":"); ok && strings.HasPrefix(rest, "alias/") {
			k = rest // an alias's ARN: that alias, in the stack's region and account
		}
		if strings.HasPrefix(k, "alias/") {
			alias := ""
			for _, a := range members(w.res) {
				if n, _ := w.Str(get(w.Props(a.Key), "AliasName")); w.Type(a.Key) == "AWS::KMS::Alias" && n == k && w.Exists(a.Key) {
					alias = a.Key
				}
			}
			if alias == "" {
				return "" // an AWS managed key, or one from outside the template
			}
			if k, ok = w.Str(get(w.Props(alias), "TargetKeyId")); !ok {
				return ""
			}
		}
		id := k
		if i := strings.LastIndex(k, ":key/"); i >= 0 {
			id = k[i+5:]
		}
		if w.Type(id) == "AWS::KMS::Key" {
			arn, _ := w.att(id, "Arn")
			return arn
		}
		return ""
	}
	return ""
}

// resourceNamed is the resource of one of types whose name is name.
func (w *world) resourceNamed(name string, types ...string) string {
	for _, m := range members(w.res) {
		if !slices.Contains(types, w.Type(m.Key)) {
			continue
		}
		if n, _ := w.ref(m.Key); n == name || strings.HasSuffix(name, ":function:"+n) {
			return m.Key
		}
	}
	return ""
}

type statement struct {
	holder            string // the role or policy resource that has it
	actions, resource []string
}

func (s statement) allows(action, resource string) bool {
	a, r := false, false
	for _, x := range s.actions {
		a = a || globMatch(strings.ToLower(x), strings.ToLower(action))
	}
	for _, x := range s.resource {
		r = r || globMatch(x, resource)
	}
	return a && r
}

// statements are the Allow statements of role's inline policies and of
// the policy resources attached to it, in this world.
func (w *world) statements(role string) []statement {
	var out []statement
	add := func(holder string, doc any) {
		st := getObj(doc, "Statement")
		list, ok := st.([]any)
		if !ok {
			list = []any{st}
		}
		for _, s := range list {
			so, _ := s.(*tree.Object)
			if e, _ := w.Str(get(so, "Effect")); e != "Allow" || get(so, "Condition") != nil {
				continue
			}
			out = append(out, statement{holder, w.strs(get(so, "Action")), w.strs(get(so, "Resource"))})
		}
	}
	policies, _ := get(w.Props(role), "Policies").([]any)
	for _, p := range policies {
		add(role, getObj(p, "PolicyDocument"))
	}
	name, _ := w.ref(role)
	for _, m := range members(w.res) {
		if t := w.Type(m.Key); t != "AWS::IAM::Policy" && t != "AWS::IAM::ManagedPolicy" || !w.Exists(m.Key) {
			continue
		}
		p := w.Props(m.Key)
		if slices.Contains(w.strs(get(p, "Roles")), name) {
			add(m.Key, get(p, "PolicyDocument"))
		}
	}
	return out
}

func (w *world) strs(v any) []string {
	l, ok := v.([]any)
	if !ok {
		l = []any{v}
	}
	var out []string
	for _, x := range l {
		if s, ok := w.Str(x); ok {
			out = append(out, s)
		}
	}
	return out
}

// dependencies are the resources id waits for in this world: its
// DependsOn and every resource it refers to, transitively.
func (w *world) dependencies(id string) map[string]bool {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(id string) {
		r, _ := w.res.Get(id)
		rr, _ := w.Resolve(r)
		ro, _ := rr.(*tree.Object)
		var next []string
		switch d := get(ro, "DependsOn").(type) {
		case string:
			next = append(next, d)
		case []any:
			for _, x := range d {
				s, _ := x.(string)
				next = append(next, s)
			}
		}
		walk(rr, func(o *tree.Object) {
			k, a, ok := tree.Only(o)
			if !ok {
				return
			}
			switch k {
			case "Ref":
				s, _ := a.(string)
				next = append(next, strings.SplitN(s, ".", 2)[0])
			case "Fn::GetAtt":
				switch a := a.(type) {
				case []any:
					if len(a) > 0 {
						s, _ := a[0].(string)
						next = append(next, s)
					}
				case string:
					next = append(next, strings.SplitN(a, ".", 2)[0])
				}
			case "Fn::Sub":
				s, _ := a.(string)
				if l, ok := a.([]any); ok && len(l) > 0 {
					s, _ = l[0].(string)
				}
				for _, m := range subVar.FindAllStringSubmatch(s, -1) {
					next = append(next, strings.SplitN(m[1], ".", 2)[0])
				}
			}
		})
		for _, n := range next {
			if w.res.Has(n) && !seen[n] {
				seen[n] = true
				visit(n)
			}
		}
	}
	visit(id)
	return seen
}

var subVar = regexp.MustCompile(`\$\{([^!}][^}]*)\}`)

// Settings checks that every shorthand's asynchronous invocation settings
// apply wherever its method exists: in every world where the method (or
// its API, and its operation, which an Fn::If may leave out) and the
// function it invokes exist, exactly one
// AWS::Lambda::EventInvokeConfig configures what it invokes, with the
// shorthand's MaximumRetryAttempts and MaximumEventAgeInSeconds, and its
// destinations where they exist (README; issue 16 case 8: retries and event
// age apply always, a destination where its resource exists; where it does
// not, SAM's configuration may send the records to a queue or topic SAM
// makes, as the README says).
func Settings(d, in *tree.Object, uses []Use, values map[string]any) []Failure {
	var fs failures
	for _, w := range worlds(d, values) {
		win := w.on(in)
		for _, u := range uses {
			if !u.Settings || (u.Method != "" && !w.Exists(u.Method)) || (u.Method == "" && (!w.Exists(u.API) || !win.hasOperation(u))) {
				continue
			}
			fs.add("settings", u.Where+" ("+w.Label+")", w.settings(u, win))
		}
	}
	return fs.list
}

func (w *world) settings(u Use, in *world) string {
	arn := in.invokedFunction(u.URI) // a function of the template that exists here
	if arn == "" || strings.Contains(arn, "${") {
		return ""
	}
	sh := in.shorthand(u)
	var configs []string
	for _, m := range members(w.res) {
		if w.Type(m.Key) == "AWS::Lambda::EventInvokeConfig" && w.Exists(m.Key) && w.configured(m.Key) == arn {
			configs = append(configs, m.Key)
		}
	}
	switch len(configs) {
	case 0:
		return "no AWS::Lambda::EventInvokeConfig configures " + arn + " here: the settings do not apply"
	case 1:
	default:
		return "configurations " + strings.Join(configs, ", ") + " all configure " + arn
	}
	p := w.Props(configs[0])
	var diffs []string
	for _, k := range []string{"MaximumRetryAttempts", "MaximumEventAgeInSeconds"} {
		want, ok := in.Str(get(sh, k))
		if !ok && get(sh, k) != nil {
			continue // not known here
		}
		if got, _ := w.Str(get(p, k)); got != want {
			diffs = append(diffs, fmt.Sprintf("%s is %q, not %q", k, got, want))
		}
	}
	dc, _ := get(p, "DestinationConfig").(*tree.Object)
	for _, k := range []string{"OnFailure", "OnSuccess"} {
		v, given := sh.Get(k)
		want, ok := in.Str(v)
		if given && !ok {
			continue // not known here
		}
		if given && in.missing(v) {
			want = "" // its resource does not exist here
		}
		got, _ := w.Str(getObj(get(dc, k), "Destination"))
		if !sameInRegion(got, want) && !(want == "" && w.samOwnDestination(configs[0], k, got)) {
			diffs = append(diffs, fmt.Sprintf("%s is %q, not %q", k, got, want))
		}
	}
	if len(diffs) > 0 {
		return configs[0] + " configures " + arn + " otherwise than the shorthand: " + strings.Join(diffs, "; ")
	}
	return ""
}

// sameInRegion compares two ARNs of one world: the SAM translator, run in
// us-east-1, writes that region where a template reads AWS::Region (as SAM
// run in the stack's region writes that one).
func sameInRegion(a, b string) bool {
	return strings.ReplaceAll(a, ":eu-west-1:", ":us-east-1:") == strings.ReplaceAll(b, ":eu-west-1:", ":us-east-1:")
}

// samOwnDestination reports whether arn is the queue or topic SAM makes
// for the configuration config it made from a function's EventInvokeConfig
// property, for records on (OnFailure or OnSuccess) where a Destination
// under a condition is not given: <Function>EventInvokeConfig<on>Queue or
// Topic (SAM's translator; README: a destination under a condition goes
// inside Destination for SAM, which then sends the records there).
func (w *world) samOwnDestination(config, on, arn string) bool {
	if !strings.HasSuffix(config, "EventInvokeConfig") {
		return false
	}
	for _, kind := range []string{"Queue", "Topic"} {
		id := config + on + kind
		if !w.Exists(id) {
			continue
		}
		if a, _ := w.att(id, "Arn"); a == arn {
			return true
		}
		if a, _ := w.att(id, "TopicArn"); a == arn {
			return true
		}
	}
	return false
}

// shorthand is a use's object form, resolved in this world.
func (w *world) shorthand(u Use) *tree.Object {
	var v any
	if u.Method != "" {
		v = get(w.Props(u.Method), "AsyncInvoke")
	} else {
		op, _ := getObj(getObj(get(w.document(u.API), "paths"), u.Path), u.Verb).(*tree.Object)
		v = get(op, "x-async-invoke")
	}
	o, _ := v.(*tree.Object)
	if o == nil {
		o = &tree.Object{}
	}
	return o
}

// missing reports whether v refers to a resource that does not exist here.
func (w *world) missing(v any) bool {
	gone := false
	walk(v, func(o *tree.Object) {
		k, a, ok := tree.Only(o)
		if !ok {
			return
		}
		var ids []string
		switch k {
		case "Ref":
			s, _ := a.(string)
			ids = append(ids, strings.SplitN(s, ".", 2)[0])
		case "Fn::GetAtt":
			if l, ok := a.([]any); ok && len(l) > 0 {
				s, _ := l[0].(string)
				ids = append(ids, s)
			}
		case "Fn::Sub":
			s, _ := a.(string)
			for _, m := range subVar.FindAllStringSubmatch(s, -1) {
				ids = append(ids, strings.SplitN(m[1], ".", 2)[0])
			}
		}
		for _, id := range ids {
			gone = gone || w.res.Has(id) && !w.Exists(id)
		}
	})
	return gone
}
