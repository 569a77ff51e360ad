package gen

import (
	"maps"
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// An api is a REST API of the template.
type api struct {
	id       string
	kind     string // apiMethods, apiBody (a RestApi's Body) or apiSAM (a SAM Api's DefinitionBody)
	oas3     bool   // the document is OpenAPI 3 (else Swagger 2)
	cond     condSet
	props    *tree.Object
	paths    *tree.Object            // the document's paths
	items    map[string]*tree.Object // its path items, by path (a path's value may be an Fn::If)
	doc      *tree.Object            // the document
	pathRes  map[string]string       // apiMethods: path -> its AWS::ApiGateway::Resource ("" for the root)
	ops      map[string]bool         // "path verb" taken
	merge    bool                    // MergeDefinitions on the API
	basepath string                  // the RestApi's Parameters basepath, when given
	features []string
}

const (
	apiMethods = "methods"
	apiBody    = "body"
	apiSAM     = "sam"
)

// A function is a function of the template.
type function struct {
	id      string
	sam     bool
	cond    condSet
	props   *tree.Object
	roles   []*role // the template roles that may run it
	samRole bool    // SAM creates its role
	// ownConfig is a SAM function's EventInvokeConfig property, as the
	// author wrote it; configured: the template has an
	// AWS::Lambda::EventInvokeConfig for it.
	ownConfig  *tree.Object
	configured bool
	alias      string // AutoPublishAlias, its own or Globals'
	aliases    map[string]string
	version    string
	events     *tree.Object
	features   []string
}

// A role is an IAM role of the template.
type role struct {
	id      string
	cond    condSet
	props   *tree.Object
	granted bool // the author grants it destinations already
}

// A target is what an integration invokes, as its Uri names it.
type target struct {
	fn       *function // nil: a function outside the template
	expr     any
	q        string // "" (the function), an alias name, "version:<ID>", "samversion" (SAM's Function.Version), or "stagevar"
	perm     any    // a Lambda permission's FunctionName for it
	id       string // the template alias or version resource, or the function
	cond     condSet
	features []string
}

func (t target) key() string { return t.fn.id + ":" + t.q }

// A use is one shorthand: a method, or an operation of a document.
type use struct {
	api         *api
	path, verb  string
	t           target
	cond        condSet // the method's (apiMethods)
	method      string  // the AWS::ApiGateway::Method's logical ID
	props       *tree.Object
	integration *tree.Object
	op          *tree.Object // the OpenAPI operation
	mode        string       // always or client
	modeValue   any          // how Mode is written
	sh          *tree.Object // the object form, when used
	event       string       // Event as the macro reads it: "body" (also when not given) or "proxy"
	accepted    bool         // Accepted as the macro reads it
	proxy       bool         // the integration is written AWS_PROXY (Event: proxy makes it AWS)
	cors        string       // the status of the author's default integration response that maps a CORS header
	s           *settings
	features    []string
}

func (u *use) feature(b *builder) func(string) {
	return func(f string) { b.feature(f); u.features = append(u.features, f) }
}

// object turns the shorthand into its object form and returns it.
func (u *use) object() *tree.Object {
	if u.sh == nil {
		u.sh = obj("Mode", u.modeValue)
	}
	return u.sh
}

// settings are the asynchronous invocation settings of one invoked
// function, alias or version, as the first shorthand gave them.
type settings struct {
	retries, age         any
	onFailure, onSuccess *dest
	ifFailure            bool // OnFailure is written inside Fn::If
}

// A dest is a destination for invocation records.
type dest struct {
	id    string
	kind  string // sqs, sns, lambda, events, s3, or external
	cond  condSet
	expr  any // how a shorthand names it
	alt   any // another way to name the same (nil: none)
	props *tree.Object
	key   string // the template KMS key that encrypts it, or ""

	onSuccess bool // drawn for OnSuccess
}

func (b *builder) build() {
	choose(b, samChoice, b, b.feature)
	maybe(b, templateFeatures, b, 0.25, b.feature)
	maybe(b, nameFeatures, b, 0.08, b.feature)
	for n := 1 + b.intn(4); n > 0; n-- {
		b.newUse()
	}
	for _, f := range b.finish {
		f()
	}
	for _, f := range b.late {
		f()
	}
	b.sharedGrants()
	for _, f := range b.fns {
		if f.sam && f.events == nil {
			b.feature("sam-function-without-events")
			f.features = append(f.features, "sam-function-without-events")
		}
	}
}

// sharedGrants records "role-grant-under-two-conditions" when a role
// needs a grant for one destination under two sets of conditions: two
// configurations that run with it send to the destination, and exist
// under different conditions (their function's, and the conditions of
// their destinations).
func (b *builder) sharedGrants() {
	sends := map[*role]map[string][]condSet{} // by role and destination as written
	for _, key := range sortedKeys(b.settings) {
		s := b.settings[key]
		f := b.function(strings.SplitN(key, ":", 2)[0])
		if s == nil || f == nil {
			continue
		}
		cond := f.cond
		for _, d := range []*dest{s.onFailure, s.onSuccess} {
			if d != nil {
				cond = cond.union(d.cond)
			}
		}
		for _, r := range f.roles {
			for _, d := range []*dest{s.onFailure, s.onSuccess} {
				if d == nil || r.granted {
					continue
				}
				if sends[r] == nil {
					sends[r] = map[string][]condSet{}
				}
				to := string(tree.Encode(d.expr))
				for _, c := range sends[r][to] {
					if !slices.Equal(c, cond) {
						b.feature("role-grant-under-two-conditions")
					}
				}
				sends[r][to] = append(sends[r][to], cond)
			}
		}
	}
}

// pickAPI returns an API for a new shorthand: a new one, or one of those
// the template has.
func (b *builder) pickAPI() *api {
	if len(b.apis) > 0 && (len(b.apis) == 2 || b.chance(0.7)) {
		return oneOf(b, b.apis...)
	}
	a := &api{ops: map[string]bool{}, items: map[string]*tree.Object{}}
	rec := func(f string) { b.feature(f); a.features = append(a.features, f) }
	a.cond = b.ownCond("api")
	if b.longAPI {
		a.id, b.longAPI = b.longID("Api", 255-len("AsyncInvokePermission")-b.intn(40)), false
		rec("name-long-api")
	} else {
		a.id = b.id("Api")
	}
	choose(b, apiForms, a, rec)
	b.apis = append(b.apis, a)
	maybe(b, apiFeatures, a, 0.3, rec)
	return a
}

var paths = []string{"/", "/jobs", "/jobs/{id}", "/reports/{reportId}/runs", "/v2/a_b/live-v2"}

// longPath is an OpenAPI path longer than YAML's simple keys (128).
var longPath = "/" + strings.Repeat("segment/", 17) + "{id}"

var verbs = []string{"post", "put", "get", "delete", "patch"}

func (b *builder) newUse() {
	a := b.pickAPI()
	u := &use{api: a}
	rec := u.feature(b)
	for range 20 {
		u.path, u.verb = oneOf(b, paths...), oneOf(b, verbs...)
		if a.kind != apiMethods && b.chance(0.05) {
			u.path = longPath
			rec("path-long")
		}
		if !a.ops[u.path+" "+u.verb] {
			break
		}
	}
	if a.ops[u.path+" "+u.verb] {
		return
	}
	a.ops[u.path+" "+u.verb] = true
	u.t = b.pickTarget(a)
	for _, f := range u.t.features {
		rec(f)
	}
	b.place(u)
	choose(b, modes, u, rec)
	for _, group := range options {
		choose(b, group, u, rec)
	}
	if u.t.fn != nil {
		b.giveSettings(u, rec)
	}
	maybe(b, useFeatures, u, 0.15, rec)
	if u.sh != nil {
		u.shorthandParent().Set(b.shorthandKey(u), u.sh)
	} else {
		u.shorthandParent().Set(b.shorthandKey(u), u.modeValue)
	}
	b.uses = append(b.uses, u)
}

func (b *builder) shorthandKey(u *use) string {
	if u.api.kind == apiMethods {
		return "AsyncInvoke"
	}
	return "x-async-invoke"
}

func (u *use) shorthandParent() *tree.Object {
	if u.api.kind == apiMethods {
		return u.props
	}
	return u.op
}

// place writes the method or operation of a shorthand, without it.
func (b *builder) place(u *use) {
	a := u.api
	if a.kind == apiMethods {
		u.cond = a.cond.union(u.t.cond)
		if own := b.ownCond("method"); own != nil {
			u.cond = u.cond.union(own)
			u.features = append(u.features, "cond-method")
		}
		u.method = b.id(methodName(u.path, u.verb))
		u.integration = obj("Uri", u.t.expr)
		u.props = obj("RestApiId", ref(a.id), "ResourceId", b.resourceID(a, u.path),
			"HttpMethod", strings.ToUpper(u.verb), "AuthorizationType", "NONE")
		u.props.Set("Integration", u.integration)
		b.add(u.method, "AWS::ApiGateway::Method", u.cond, u.props)
		return
	}
	io := a.items[u.path]
	if io == nil {
		io = &tree.Object{}
		a.items[u.path] = io
		a.paths.Set(u.path, io)
	}
	u.integration = obj("uri", u.t.expr)
	u.op = obj("x-amazon-apigateway-integration", u.integration)
	io.Set(u.verb, u.op)
}

func methodName(path, verb string) string {
	name := strings.ToUpper(verb[:1]) + verb[1:]
	for _, s := range strings.Split(path, "/") {
		name += pascal(s)
	}
	return name
}

// pascal makes a path segment part of a logical ID.
func pascal(s string) string {
	var out []byte
	up := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			if up {
				c -= 'a' - 'A'
			}
			out, up = append(out, c), false
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			out, up = append(out, c), false
		default:
			up = true
		}
	}
	return string(out)
}

// resourceID is a method's ResourceId for path, creating the
// AWS::ApiGateway::Resource chain it needs.
func (b *builder) resourceID(a *api, path string) any {
	if path == "/" {
		return getAtt(a.id, "RootResourceId")
	}
	if id, ok := a.pathRes[path]; ok {
		return ref(id)
	}
	i := strings.LastIndex(path, "/")
	parentPath := path[:i]
	if parentPath == "" {
		parentPath = "/"
	}
	parent := b.resourceID(a, parentPath)
	id := b.id(a.id + pascal(strings.ReplaceAll(path, "/", " ")))
	b.add(id, "AWS::ApiGateway::Resource", a.cond, obj("RestApiId", ref(a.id), "ParentId", parent, "PathPart", path[i+1:]))
	a.pathRes[path] = id
	return ref(id)
}

// pickTarget chooses what a shorthand of API a invokes, and how the
// integration names it.
func (b *builder) pickTarget(a *api) target {
	if b.chance(0.06) {
		t := target{}
		choose(b, externalTargets, &t, func(f string) { b.feature(f); t.features = append(t.features, f) })
		return t
	}
	var fits []*function
	for _, f := range b.fns {
		// A document refers to the function from the API resource, which
		// must not outlive it; a method carries both conditions.
		if a.kind == apiMethods || a.cond.covers(f.cond) {
			fits = append(fits, f)
		}
	}
	var f *function
	if len(fits) > 0 && b.chance(0.4) {
		f = oneOf(b, fits...)
	} else {
		var cond condSet
		if a.kind == apiMethods {
			cond = b.ownCond("function")
		} else {
			cond = b.subset(a.cond)
		}
		f = b.newFunction(cond)
	}
	t := target{fn: f}
	choose(b, targets, &t, func(f string) { b.feature(f); t.features = append(t.features, f) })
	t.cond = f.cond
	return t
}

func (b *builder) newFunction(cond condSet) *function {
	f := &function{cond: cond, aliases: map[string]string{}}
	rec := func(s string) { b.feature(s); f.features = append(f.features, s) }
	if b.longFunction {
		// Long enough that a name made of it and a suffix (AsyncInvokeConfig,
		// SAM's EventInvokeConfig) is over 255, short enough to be one.
		f.id, b.longFunction = b.longID("Worker", 240+b.intn(16)), false
		rec("name-long-function")
	} else {
		f.id = b.id("Worker")
	}
	f.props = &tree.Object{}
	choose(b, functionKinds, f, rec)
	if f.sam {
		f.props.Set("CodeUri", "s3://artifacts/worker.zip")
		if b.globalValue("Function", "Runtime") == nil {
			f.props.Set("Handler", "bootstrap")
			f.props.Set("Runtime", "provided.al2023")
		}
		if a, ok := b.globalValue("Function", "AutoPublishAlias").(string); ok {
			f.alias = a
			f.features = append(f.features, "globals-auto-publish-alias", aliasFeature(a))
		}
	} else {
		f.props.Set("Runtime", "provided.al2023")
		f.props.Set("Handler", "bootstrap")
		f.props.Set("Code", obj("S3Bucket", "artifacts", "S3Key", "worker.zip"))
	}
	if role, ok := f.props.Get("x-role"); ok { // set by the kind, written last
		f.props.Delete("x-role")
		f.props.Set("Role", role)
	}
	typ := "AWS::Lambda::Function"
	if f.sam {
		typ = "AWS::Serverless::Function"
	}
	b.add(f.id, typ, f.cond, f.props)
	b.fns = append(b.fns, f)
	maybe(b, functionFeatures, f, 0.3, rec)
	return f
}

// roleFor returns a template role whose condition f's covers: a new one or
// one the template has.
func (b *builder) roleFor(f *function) *role {
	var fits []*role
	for _, r := range b.roles {
		if f.cond.covers(r.cond) && !strings.Contains(r.id, "Prod") && !strings.Contains(r.id, "Dev") {
			fits = append(fits, r)
		}
	}
	if len(fits) > 0 && b.chance(0.45) {
		r := oneOf(b, fits...)
		f.features = append(f.features, "role-shared")
		b.feature("role-shared")
		for _, other := range b.fns {
			if slices.Contains(other.roles, r) && !slices.Equal(other.cond, f.cond) {
				b.feature("role-shared-across-conditions")
			}
		}
		return r
	}
	return b.newRole("Role", b.subset(f.cond))
}

func (b *builder) newRole(base string, cond condSet) *role {
	r := &role{cond: cond}
	if b.longRole {
		r.id, b.longRole = b.longID(base, 100+b.intn(28)), false
		b.feature("name-long-role")
	} else {
		r.id = b.id(base)
	}
	r.props = obj("AssumeRolePolicyDocument", assumeLambda())
	b.add(r.id, "AWS::IAM::Role", cond, r.props)
	b.roles = append(b.roles, r)
	return r
}

// roleRef names role r as a function's Role, in a form from roleForms.
func (b *builder) roleRef(f *function, r *role) any {
	var v any
	choose(b, roleForms, r, func(s string) {
		b.feature(s)
		f.features = append(f.features, s)
		v = roleExpr(s, r.id)
	})
	return v
}

// giveSettings gives a shorthand asynchronous invocation settings: the
// first shorthand of a function (alias, version) draws them, the others
// repeat them or give none.
func (b *builder) giveSettings(u *use, rec func(string)) {
	key := u.t.key()
	s, seen := b.settings[key]
	switch {
	case !seen:
		samUnqualified := u.t.fn.sam && u.t.fn.alias != "" && u.t.q != u.t.fn.alias
		if !b.chance(0.5) || samUnqualified && !b.chance(0.2) || u.t.q == "stagevar" && !b.chance(0.3) {
			b.settings[key] = nil
			return
		}
		s = b.newSettings(u, rec)
		b.settings[key] = s
		if u.t.q == "stagevar" {
			b.mustRefuse("settings behind a stage variable")
		}
		if u.t.fn.sam && u.t.fn.alias != "" && u.t.q != u.t.fn.alias {
			b.mustRefuse("settings for a SAM function with AutoPublishAlias, invoked other than through its alias")
		}
	case s == nil:
		return
	case b.chance(0.4):
		return // this shorthand gives none
	case b.chance(0.05):
		rec("settings-conflict")
		b.mustRefuse("two shorthands give one function different settings")
		u.object().Set("MaximumRetryAttempts", num(2))
		u.object().Set("MaximumEventAgeInSeconds", num(61))
		return
	default:
		rec("settings-repeated")
	}
	o := u.object()
	if s.retries != nil {
		o.Set("MaximumRetryAttempts", s.retries)
	}
	if s.age != nil {
		o.Set("MaximumEventAgeInSeconds", s.age)
	}
	for _, d := range []struct {
		key string
		d   *dest
	}{{"OnFailure", s.onFailure}, {"OnSuccess", s.onSuccess}} {
		if d.d == nil {
			continue
		}
		v := d.d.expr
		if seen && d.d.alt != nil && b.chance(0.5) {
			v = d.d.alt
			rec("destination-written-otherwise")
		}
		if d.key == "OnFailure" && s.ifFailure {
			v = ifThen(b.atom(atomFeature), v, ref("AWS::NoValue"))
		}
		o.Set(d.key, v)
	}
	u.s = s
}

// conditionalSetting is what a refusal of a setting written with Fn::If
// must say (issue 16 case 10: support it, or say how to make a setting
// conditional).
const conditionalSetting = `(?i)Fn::If|condition`

func (b *builder) newSettings(u *use, rec func(string)) *settings {
	s := &settings{}
	for s.retries == nil && s.age == nil && s.onFailure == nil && s.onSuccess == nil {
		if b.chance(0.3) {
			if b.chance(0.2) {
				s.retries = b.param("Retries", obj("Type", "Number", "Default", num(1), "MinValue", num(0), "MaxValue", num(2)))
				rec("option-retries-parameter")
			} else if b.chance(0.1) {
				s.retries = ifThen(b.atom(atomFeature), num(0), num(2))
				rec("option-retries-fn-if")
				b.mayRefuseIf(conditionalSetting)
			} else {
				s.retries = num(b.intn(3))
				rec("option-retries")
			}
		}
		if b.chance(0.3) {
			s.age = num(oneOf(b, 60, 600, 3600, 21600))
			rec("option-event-age")
		}
		if b.chance(0.6) {
			s.onFailure = b.pickDest(u, false, rec)
			rec("option-on-failure")
			if b.chance(0.06) {
				s.ifFailure = true
				rec("option-on-failure-fn-if")
				b.mayRefuseIf(conditionalSetting)
			}
		}
		if b.chance(0.35) {
			s.onSuccess = b.pickDest(u, true, rec)
			rec("option-on-success")
		}
	}
	return s
}

// pickDest chooses a destination: one of the template's or a new one.
func (b *builder) pickDest(u *use, onSuccess bool, rec func(string)) *dest {
	var fits []*dest
	for _, d := range b.dests {
		if !onSuccess || d.kind != "s3" {
			fits = append(fits, d)
		}
	}
	if len(fits) > 0 && b.chance(0.45) {
		return oneOf(b, fits...)
	}
	d := &dest{cond: b.ownCond("destination"), onSuccess: onSuccess}
	choose(b, destinationKinds, d, func(f string) {
		if f == "destination-s3" && onSuccess {
			b.mustRefuse("S3 for OnSuccess")
		}
		rec(f)
	})
	if d.kind == "sqs" || d.kind == "sns" || d.kind == "s3" {
		choose(b, keyForms, d, rec)
	}
	b.dests = append(b.dests, d)
	return d
}

// newKey adds a KMS key (and its alias when wanted) whose condition d's covers.
func (b *builder) newKey(d *dest) (key, alias string) {
	cond := b.subset(d.cond)
	key = b.id("Key")
	b.add(key, "AWS::KMS::Key", cond, obj("KeyPolicy", policyDocument(obj(
		"Effect", "Allow", "Principal", obj("AWS", sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")),
		"Action", "kms:*", "Resource", "*"))))
	d.key = key
	alias = b.id(key + "Alias")
	b.add(alias, "AWS::KMS::Alias", cond, obj("AliasName", "alias/"+strings.ToLower(alias), "TargetKeyId", ref(key)))
	return key, alias
}

// samFunctions lists the SAM functions whose condition covers c.
func (b *builder) samFunctions(c condSet) []*function {
	var out []*function
	for _, f := range b.fns {
		if f.sam && f.cond.covers(c) {
			out = append(out, f)
		}
	}
	return out
}

// addEvent gives SAM function f an event.
func (b *builder) addEvent(f *function, name string, e *tree.Object) {
	if f.events == nil {
		f.events = &tree.Object{}
		f.props.Set("Events", f.events)
	}
	f.events.Set(b.eventName(f, name), e)
}

func (b *builder) eventName(f *function, name string) string {
	n := name
	for i := 2; f.events.Has(n); i++ {
		n = name + string(rune('0'+i))
	}
	return n
}

// sortedKeys is for deterministic iteration over maps.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
