package gen

import (
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// The feature tables. Each row is one feature; its name is what a Case
// records and what the known-failure predicates of the test read. To add
// a feature, add a row to the table of the element it varies.

const literalRole = "arn:aws:iam::123456789012:role/worker"

// samChoice: whether the template lists SAM's transform (after the macro),
// which allows SAM resources.
var samChoice = []row[*builder]{
	{name: "transform-sam", apply: func(b *builder, _ *builder) { b.sam = true }},
	{name: "transform-plain"},
}

// templateFeatures are drawn once per template, each independently.
var templateFeatures = []row[*builder]{
	{name: "globals-auto-publish-alias", ok: isSAM, apply: func(b *builder, _ *builder) {
		b.global("Function", "AutoPublishAlias", b.aliasName())
	}},
	{name: "globals-function-properties", ok: isSAM, apply: func(b *builder, _ *builder) {
		b.global("Function", "Runtime", "provided.al2023")
		b.global("Function", "Handler", "bootstrap")
		b.global("Function", "Timeout", num(10))
	}},
	{name: "globals-api-merge-definitions", ok: isSAM, apply: func(b *builder, _ *builder) {
		b.global("Api", "MergeDefinitions", true)
		b.globalMerge = true
	}},
	{name: "globals-event-invoke-config", ok: func(b *builder, _ *builder) bool { return b.sam && b.chance(0.3) }, apply: func(b *builder, _ *builder) {
		b.global("Function", "EventInvokeConfig", obj("MaximumRetryAttempts", num(1)))
		b.late = append(b.late, func() {
			for _, key := range sortedKeys(b.settings) {
				s := b.settings[key]
				f := b.function(strings.SplitN(key, ":", 2)[0])
				if s == nil || f == nil || !f.sam {
					continue
				}
				// SAM merges Globals' into the function's property (its
				// own keys win). Where the macro sets the property, the
				// shorthand's MaximumRetryAttempts wins; elsewhere
				// SAM's configuration is the existing one (README,
				// issue 16 case 5), equal to the shorthand's settings
				// or refused.
				var same bool
				switch {
				case b.samSetsProperty(f):
					same = s.retries != nil
				case f.ownConfig != nil:
					c, _ := b.configOf(s, f.cond, true)
					same = s.retries != nil && tree.Equal(f.ownConfig, c)
				default:
					c, _ := b.configOf(s, f.cond, true)
					same = tree.Equal(obj("MaximumRetryAttempts", num(1)), c)
				}
				if !same {
					b.mustRefuse("Globals' EventInvokeConfig would change the settings of " + f.id)
				}
			}
		})
	}},
	{name: "globals-api-binary-media-types", ok: isSAM, apply: func(b *builder, _ *builder) {
		b.global("Api", "BinaryMediaTypes", []any{"image~1gif"})
	}},
	{name: "parameter-named-asyncinvoke", apply: func(b *builder, _ *builder) {
		b.param("AsyncInvoke", obj("Type", "String", "Default", "unused"))
		b.tmpl.Set("Metadata", obj("Uses", ref("AsyncInvoke")))
	}},
}

func isSAM(b *builder, _ *builder) bool { return b.sam }

// nameFeatures put names near CloudFormation's limits, or equal to those
// the macro generates.
var nameFeatures = []row[*builder]{
	{name: "name-long-function", p: 0.15, apply: func(b *builder, _ *builder) { b.longFunction = true }},
	{name: "name-long-api", apply: func(b *builder, _ *builder) { b.longAPI = true }},
	{name: "name-long-role", apply: func(b *builder, _ *builder) { b.longRole = true }},
	{name: "name-long-condition", apply: func(b *builder, _ *builder) { b.longCondition = true }},
	// A parameter, a resource or an output named as the macro names what
	// it adds (README: Permissions, destinations).
	{name: "name-collide-parameter", apply: func(b *builder, _ *builder) {
		b.finish = append(b.finish, func() {
			if n := b.generatedName(); n != "" && !b.names[n] {
				b.names[n] = true
				b.params.Set(n, obj("Type", "String", "Default", "taken"))
			}
		})
	}},
	{name: "name-collide-resource", apply: func(b *builder, _ *builder) {
		b.finish = append(b.finish, func() {
			if n := b.generatedName(); n != "" && !b.names[n] {
				b.names[n] = true
				b.add(n, "AWS::SNS::Topic", nil, nil)
			}
		})
	}},
	{name: "name-collide-output", apply: func(b *builder, _ *builder) {
		b.finish = append(b.finish, func() {
			if n := b.generatedName(); n != "" && !b.names[n] {
				b.names[n] = true
				b.output(n, "taken")
			}
		})
	}},
}

// generatedName is a name the macro gives what it adds for one of the
// shorthands: its permission, configuration or policy.
func (b *builder) generatedName() string {
	for _, u := range b.uses {
		t := u.t
		if t.fn == nil || t.q == "stagevar" {
			continue
		}
		base := t.id
		if t.fn.sam && t.q != "" {
			base = t.fn.id + "Alias"
		}
		switch b.intn(3) {
		case 0:
			return base + u.api.id + "AsyncInvokePermission"
		case 1:
			if u.s != nil {
				return base + "AsyncInvokeConfig"
			}
		case 2:
			if u.s != nil && len(t.fn.roles) > 0 {
				return t.fn.roles[0].id + "AsyncInvokeDestinationsPolicy"
			}
		}
		return base + u.api.id + "AsyncInvokePermission"
	}
	return ""
}

// aliasNames are alias names, some of which SAM spells otherwise in the
// logical IDs it makes (README: SAM alias names, issue 16 case 3).
var aliasNames = []row[*string]{
	{name: "alias-name-plain", apply: func(_ *builder, s *string) { *s = "live" }},
	{name: "alias-name-dash", apply: func(_ *builder, s *string) { *s = "live-v2" }},
	{name: "alias-name-underscore", apply: func(_ *builder, s *string) { *s = "a_b" }},
	{name: "alias-name-digit", apply: func(_ *builder, s *string) { *s = "v2" }},
	{name: "alias-name-mixed", apply: func(_ *builder, s *string) { *s = "Prod_2-x" }},
}

// aliasFeature is the feature of an alias name.
func aliasFeature(name string) string {
	for _, r := range aliasNames {
		var s string
		r.apply(nil, &s)
		if s == name {
			return r.name
		}
	}
	return ""
}

func (b *builder) aliasName() string {
	var s string
	choose(b, aliasNames, &s, b.feature)
	return s
}

// apiForms: how a REST API is written.
var apiForms = []row[*api]{
	{name: "api-methods", weight: 30, apply: func(b *builder, a *api) {
		a.kind, a.pathRes = apiMethods, map[string]string{}
		a.props = obj("Name", strings.ToLower(a.id[:min(len(a.id), 20)]))
		b.add(a.id, "AWS::ApiGateway::RestApi", a.cond, a.props)
	}},
	{name: "api-swagger-body", weight: 20, apply: func(b *builder, a *api) { b.document(a, apiBody, false) }},
	{name: "api-openapi3-body", weight: 20, apply: func(b *builder, a *api) { b.document(a, apiBody, true) }},
	{name: "api-sam-swagger", weight: 20, ok: func(b *builder, _ *api) bool { return b.sam }, apply: func(b *builder, a *api) { b.document(a, apiSAM, false) }},
	{name: "api-sam-openapi3", weight: 20, ok: func(b *builder, _ *api) bool { return b.sam }, apply: func(b *builder, a *api) { b.document(a, apiSAM, true) }},
}

func (b *builder) document(a *api, kind string, oas3 bool) {
	a.kind, a.oas3 = kind, oas3
	a.paths = &tree.Object{}
	info := obj("title", strings.ToLower(a.id[:min(len(a.id), 20)]), "version", "1.0")
	if oas3 {
		a.doc = obj("openapi", "3.0.1", "info", info)
	} else {
		a.doc = obj("swagger", "2.0", "info", info)
	}
	choose(b, basepathModes, a, func(f string) { b.feature(f); a.features = append(a.features, f) })
	a.doc.Set("paths", a.paths)
	if kind == apiSAM {
		a.props = obj("StageName", "prod", "DefinitionBody", a.doc)
		b.add(a.id, "AWS::Serverless::Api", a.cond, a.props)
		return
	}
	a.props = obj("Name", strings.ToLower(a.id[:min(len(a.id), 20)]), "Body", a.doc)
	if a.basepath != "" {
		a.props.Set("Parameters", obj("basepath", a.basepath))
	}
	b.add(a.id, "AWS::ApiGateway::RestApi", a.cond, a.props)
}

// basepathModes: the document's base path and how API Gateway imports it
// (the RestApi's Parameters: basepath; ignore when not given, and always
// for SAM, which passes no parameters).
var basepathModes = []row[*api]{
	{name: "basepath-none", weight: 30},
	{name: "basepath-default", apply: setBasePath("")},
	{name: "basepath-ignore", ok: restAPIBody, apply: setBasePath("ignore")},
	{name: "basepath-prepend", ok: restAPIBody, apply: setBasePath("prepend")},
	{name: "basepath-split", ok: restAPIBody, apply: setBasePath("split")},
}

func restAPIBody(_ *builder, a *api) bool { return a.kind == apiBody }

func setBasePath(mode string) func(*builder, *api) {
	return func(b *builder, a *api) {
		base := oneOf(b, "/v1", "/v1/api")
		if a.oas3 {
			a.doc.Set("servers", []any{obj("url", "https://api.example.com"+base)})
		} else {
			a.doc.Set("basePath", base)
		}
		a.basepath = mode
	}
}

// binaryMediaTypes are lists of binary media types as authors write them:
// a type, types, and wildcards, which make the types they cover binary
// (README: The function's event).
var binaryMediaTypes = [][]string{{"image/png"}, {"application/octet-stream", "image/png"}, {"image/*"}, {"*/*"}, {"application/json"}}

// binaryList is a list of binary media types, in SAM's spelling
// (image~1png) on a SAM Api's property.
func (b *builder) binaryList(sam bool) []any {
	var out []any
	for _, t := range oneOf(b, binaryMediaTypes...) {
		if sam {
			t = strings.ReplaceAll(t, "/", "~1")
		}
		out = append(out, t)
	}
	return out
}

// apiFeatures vary an API once it exists.
var apiFeatures = []row[*api]{
	// Binary media types, which Event: proxy reads: the API's property, or
	// the document's extension.
	{name: "api-binary-media-types", apply: func(b *builder, a *api) {
		a.props.Set("BinaryMediaTypes", b.binaryList(a.kind == apiSAM))
	}},
	{name: "api-binary-media-types-document", ok: func(_ *builder, a *api) bool { return a.kind != apiMethods }, apply: func(b *builder, a *api) {
		a.doc.Set("x-amazon-apigateway-binary-media-types", b.binaryList(false))
	}},
	{name: "sam-api-merge-definitions", ok: func(_ *builder, a *api) bool { return a.kind == apiSAM }, apply: func(_ *builder, a *api) {
		a.props.Set("MergeDefinitions", true)
		a.merge = true
	}},
}

// functionKinds: the function's type and how its role is written.
var functionKinds = []row[*function]{
	{name: "function-plain-literal-role", apply: func(b *builder, f *function) { b.afterProps(f, literalRole) }},
	{name: "function-plain-template-role", weight: 30, apply: func(b *builder, f *function) {
		r := b.roleFor(f)
		f.roles = []*role{r}
		b.afterProps(f, b.roleRef(f, r))
	}},
	{name: "function-plain-parameter-role", apply: func(b *builder, f *function) {
		b.afterProps(f, b.param("RoleArn", obj("Type", "String", "Default", literalRole)))
	}},
	{name: "function-plain-if-role", apply: func(b *builder, f *function) { b.afterProps(f, b.roleIf(f, true)) }},
	{name: "function-sam-own-role", weight: 20, ok: samOnly, apply: func(_ *builder, f *function) { f.sam, f.samRole = true, true }},
	{name: "function-sam-template-role", weight: 20, ok: samOnly, apply: func(b *builder, f *function) {
		f.sam = true
		r := b.roleFor(f)
		f.roles = []*role{r}
		b.afterProps(f, b.roleRef(f, r))
	}},
	{name: "function-sam-if-role", ok: samOnly, apply: func(b *builder, f *function) {
		f.sam = true
		b.afterProps(f, b.roleIf(f, false))
	}},
}

func samOnly(b *builder, _ *function) bool { return b.sam }

// afterProps sets the function's Role once its other properties are written.
func (b *builder) afterProps(f *function, role any) {
	f.props.Set("x-role", role) // moved to the end by newFunction
}

// roleIf is a Role chosen by Fn::If between two roles.
func (b *builder) roleIf(f *function, literalBranch bool) any {
	rec := func(s string) { b.feature(s); f.features = append(f.features, s) }
	switch {
	case b.chance(0.5):
		rec("role-if-exclusive")
		prod := b.newRole("ProdRole", condSet{atomProd})
		dev := b.newRole("DevRole", condSet{atomNotProd})
		f.roles = []*role{prod, dev}
		return ifThen(b.atom(atomProd), getAtt(prod.id, "Arn"), getAtt(dev.id, "Arn"))
	case literalBranch && b.chance(0.5):
		rec("role-if-literal")
		prod := b.newRole("ProdRole", condSet{atomProd})
		f.roles = []*role{prod}
		return ifThen(b.atom(atomProd), getAtt(prod.id, "Arn"), literalRole)
	default:
		rec("role-if-two-roles")
		one, two := b.roleFor(f), b.newRole("OtherRole", b.subset(f.cond))
		f.roles = []*role{one, two}
		return ifThen(b.atom(atomFeature), b.roleRef(f, one), getAtt(two.id, "Arn"))
	}
}

// roleForms: how a function's Role names a role of the template.
var roleForms = []row[*role]{
	{name: "role-getatt", weight: 30},
	{name: "role-sub-arn"},
	{name: "role-sub-name"},
}

func roleExpr(form, id string) any {
	switch form {
	case "role-sub-arn":
		return sub("${" + id + ".Arn}")
	case "role-sub-name":
		return sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${" + id + "}")
	}
	return getAtt(id, "Arn")
}

// functionFeatures vary a function once it exists.
var functionFeatures = []row[*function]{
	{name: "sam-auto-publish-alias", ok: isSAMFunction, apply: func(b *builder, f *function) {
		if f.alias != "" {
			b.feature("sam-alias-overrides-globals")
		}
		f.alias = b.aliasName()
		f.features = append(f.features, aliasFeature(f.alias))
		f.props.Set("AutoPublishAlias", f.alias)
	}},
	{name: "sam-event-schedule", ok: isSAMFunction, apply: func(b *builder, f *function) {
		b.addEvent(f, "Tick", obj("Type", "Schedule", "Properties", obj("Schedule", "rate(1 hour)")))
	}},
	{name: "sam-events-empty", ok: func(b *builder, f *function) bool { return f.sam && f.events == nil }, apply: func(_ *builder, f *function) {
		f.events = &tree.Object{}
		f.props.Set("Events", f.events)
	}},
	// SAM's own EventInvokeConfig property: the configuration the template
	// already has (equal settings add nothing, others are refused).
	{name: "sam-own-event-invoke-config", ok: isSAMFunction, apply: func(b *builder, f *function) {
		b.finish = append(b.finish, func() { b.samOwnConfig(f) })
	}},
}

func isSAMFunction(_ *builder, f *function) bool { return f.sam }

func (b *builder) samOwnConfig(f *function) {
	if f.configured {
		return // the template configures it with a resource
	}
	var s *settings
	for _, key := range sortedKeys(b.settings) {
		if strings.HasPrefix(key, f.id+":") && b.settings[key] != nil {
			s = b.settings[key]
		}
	}
	if s != nil && b.chance(0.6) {
		if c, ok := b.configOf(s, f.cond, true); ok {
			b.feature("sam-own-event-invoke-config-same")
			f.ownConfig = c
			f.props.Set("EventInvokeConfig", f.ownConfig)
			b.samMadeWait(f, s)
			return
		}
	}
	// Settings no shorthand gives (event ages are 60, 600, 3600, 21600).
	f.ownConfig = obj("MaximumRetryAttempts", num(0), "MaximumEventAgeInSeconds", num(120))
	f.props.Set("EventInvokeConfig", f.ownConfig)
	if s != nil {
		b.feature("sam-own-event-invoke-config-different")
		b.mustRefuse("SAM's EventInvokeConfig of " + f.id + " differs from the shorthand's settings")
	}
}

// samMadeWait: SAM's own configuration of f sends the records of a queue
// or topic destination, where its condition does not hold, to a queue or
// topic SAM makes; when f may run with a role of the template that exists
// only under a condition f lacks, the macro may refuse it (README: the
// policy that allows that role to send there could be waited for only
// through f's Metadata, which SAM gives its queue too: a circular
// dependency).
func (b *builder) samMadeWait(f *function, s *settings) {
	if !slices.ContainsFunc(f.roles, func(r *role) bool { return !f.cond.covers(r.cond) }) {
		return
	}
	for _, d := range []*dest{s.onFailure, s.onSuccess} {
		if d == nil {
			continue
		}
		if t := samDestinationType[d.kind]; (t == "SQS" || t == "SNS") && (!f.cond.covers(d.cond) || d == s.onFailure && s.ifFailure) {
			b.mayRefuseIf(`a circular dependency; let \w+ run only with roles that exist wherever it does`)
		}
	}
}

// samSetsProperty reports whether the macro gives SAM function f's
// settings as its EventInvokeConfig property: when SAM makes its role, and
// the logical ID SAM gives the configuration, <Function>EventInvokeConfig,
// fits CloudFormation's 255 characters (README: a function whose logical ID
// is near the limit gets the macro's AWS::Lambda::EventInvokeConfig).
func (b *builder) samSetsProperty(f *function) bool {
	return f.samRole && len(f.id)+len("EventInvokeConfig") <= 255
}

// configOf is settings s as a configuration of a target under cond writes
// them, as the macro means the shorthand (README: a destination that exists
// only under a condition the target lacks gets records only there, through
// an Fn::If on that condition): SAM's EventInvokeConfig property (the
// Fn::If inside Destination), or an AWS::Lambda::EventInvokeConfig's
// properties. ok is false when a destination would need two conditions,
// which the macro joins in a condition it names itself.
func (b *builder) configOf(s *settings, cond condSet, sam bool) (c *tree.Object, ok bool) {
	c = &tree.Object{}
	if s.retries != nil {
		c.Set("MaximumRetryAttempts", s.retries)
	}
	if s.age != nil {
		c.Set("MaximumEventAgeInSeconds", s.age)
	}
	dc := &tree.Object{}
	ok = true
	for _, d := range []struct {
		key string
		d   *dest
	}{{"OnSuccess", s.onSuccess}, {"OnFailure", s.onFailure}} {
		if d.d == nil {
			continue
		}
		var only []string // the conditions the target lacks
		if !cond.covers(d.d.cond) {
			only = append(only, b.condition(d.d.cond))
		}
		if d.key == "OnFailure" && s.ifFailure && !cond.covers(condSet{atomFeature}) && !slices.Contains(only, b.atom(atomFeature)) {
			only = append(only, b.atom(atomFeature))
		}
		var expr any = d.d.expr
		if len(only) > 1 {
			ok = false
		} else if len(only) == 1 && sam {
			expr = ifThen(only[0], expr, ref("AWS::NoValue"))
		}
		var v any = obj("Destination", expr)
		if sam {
			v = obj("Type", samDestinationType[d.d.kind], "Destination", expr)
		} else if len(only) == 1 {
			v = ifThen(only[0], v, ref("AWS::NoValue"))
		}
		dc.Set(d.key, v)
	}
	if dc.Len() > 0 {
		c.Set("DestinationConfig", dc)
	}
	return c, ok
}

var samDestinationType = map[string]string{"sqs": "SQS", "sns": "SNS", "lambda": "Lambda", "events": "EventBridge", "s3": "S3Bucket", "external": "SQS"}

// targets: how an integration names the function it invokes.
var targets = []row[*target]{
	{name: "target-getatt", weight: 40, apply: func(_ *builder, t *target) { t.function(getAtt(t.fn.id, "Arn")) }},
	{name: "target-ref", apply: func(_ *builder, t *target) { t.function(ref(t.fn.id)) }},
	{name: "target-sub", apply: func(_ *builder, t *target) { t.function(sub("${" + t.fn.id + ".Arn}")) }},
	{name: "target-invocation-uri", apply: func(_ *builder, t *target) {
		t.function(sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + t.fn.id + ".Arn}/invocations"))
	}},
	{name: "target-docs-typo", apply: func(_ *builder, t *target) {
		t.function(sub("arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + t.fn.id + ".Arn}$/invocations"))
	}},
	{name: "target-alias-ref", weight: 20, ok: plainFunction, apply: func(b *builder, t *target) {
		id, name := b.templateAlias(t.fn)
		t.alias(ref(id), id, name)
	}},
	{name: "target-alias-arn", ok: plainFunction, apply: func(b *builder, t *target) {
		id, name := b.templateAlias(t.fn)
		t.alias(getAtt(id, "AliasArn"), id, name)
	}},
	{name: "target-alias-sub", ok: plainFunction, apply: func(b *builder, t *target) {
		id, name := b.templateAlias(t.fn)
		t.alias(sub("${"+t.fn.id+".Arn}:"+name), id, name)
	}},
	{name: "target-alias-parameter", ok: plainFunction, apply: func(b *builder, t *target) {
		id, name := b.templateAlias(t.fn)
		p := "Stage" + id
		b.param(p, obj("Type", "String", "Default", name))
		t.alias(sub("${"+t.fn.id+".Arn}:${"+p+"}"), id, name)
	}},
	{name: "target-version-ref", ok: plainFunction, apply: func(b *builder, t *target) {
		v := b.version(t.fn)
		t.expr, t.q, t.perm, t.id = ref(v), "version:"+v, ref(v), v
	}},
	{name: "target-sam-alias-ref", weight: 30, ok: samAlias, apply: func(_ *builder, t *target) {
		t.expr, t.q, t.perm, t.id = ref(t.fn.id+".Alias"), t.fn.alias, ref(t.fn.id+".Alias"), t.fn.id
	}},
	{name: "target-sam-alias-sub", weight: 20, ok: samAlias, apply: func(_ *builder, t *target) {
		t.expr, t.q, t.perm, t.id = sub("${"+t.fn.id+".Arn}:"+t.fn.alias), t.fn.alias, ref(t.fn.id+".Alias"), t.fn.id
	}},
	{name: "target-sam-version-ref", weight: 5, ok: samAlias, apply: func(_ *builder, t *target) {
		t.expr, t.q, t.perm, t.id = ref(t.fn.id+".Version"), "samversion", ref(t.fn.id+".Version"), t.fn.id
	}},
	{name: "target-stage-variable", weight: 3, apply: func(_ *builder, t *target) {
		t.expr, t.q, t.id = sub("${"+t.fn.id+".Arn}:${!stageVariables.alias}"), "stagevar", t.fn.id
	}},
}

func plainFunction(_ *builder, t *target) bool { return !t.fn.sam }
func samAlias(_ *builder, t *target) bool      { return t.fn.sam && t.fn.alias != "" }

func (t *target) function(expr any) {
	t.expr, t.perm, t.id = expr, getAtt(t.fn.id, "Arn"), t.fn.id
}

func (t *target) alias(expr any, id, name string) {
	t.expr, t.q, t.perm, t.id = expr, name, ref(id), id
}

// externalTargets invoke a function from outside the template.
var externalTargets = []row[*target]{
	{name: "target-external-arn", apply: func(_ *builder, t *target) {
		t.expr = "arn:aws:lambda:us-east-1:123456789012:function:shared"
	}},
	{name: "target-external-parameter", apply: func(b *builder, t *target) {
		t.expr = b.param("SharedFunctionArn", obj("Type", "String", "Default", "arn:aws:lambda:us-east-1:123456789012:function:shared"))
	}},
}

// version is the function's AWS::Lambda::Version, added when first needed.
func (b *builder) version(f *function) string {
	if f.version == "" {
		f.version = b.id(f.id + "Version")
		b.add(f.version, "AWS::Lambda::Version", f.cond, obj("FunctionName", ref(f.id)))
	}
	return f.version
}

// templateAlias is an AWS::Lambda::Alias of f: one it has, or a new one.
func (b *builder) templateAlias(f *function) (id, name string) {
	if len(f.aliases) > 0 && b.chance(0.6) {
		name = oneOf(b, sortedKeys(f.aliases)...)
		return f.aliases[name], name
	}
	name = b.aliasName()
	if id, ok := f.aliases[name]; ok {
		return id, name
	}
	id = b.id(f.id + "Alias" + pascal(name))
	b.add(id, "AWS::Lambda::Alias", f.cond, obj("FunctionName", ref(f.id),
		"FunctionVersion", getAtt(b.version(f), "Version"), "Name", name))
	f.aliases[name] = id
	return id, name
}

// modes: how the shorthand gives its mode.
var modes = []row[*use]{
	{name: "mode-always", weight: 30, apply: func(_ *builder, u *use) { u.mode, u.modeValue = "always", "always" }},
	{name: "mode-client", weight: 30, apply: func(_ *builder, u *use) { u.mode, u.modeValue = "client", "client" }},
	{name: "mode-parameter", apply: func(b *builder, u *use) {
		if p, ok := b.params.Get("InvocationMode"); ok {
			d, _ := p.(*tree.Object).Get("Default")
			u.mode = d.(string)
		} else {
			u.mode = oneOf(b, "always", "client")
		}
		u.modeValue = b.param("InvocationMode", obj("Type", "String", "Default", u.mode, "AllowedValues", []any{"always", "client"}))
	}},
	{name: "mode-object", weight: 20, apply: func(b *builder, u *use) {
		u.mode = oneOf(b, "always", "client")
		u.modeValue = u.mode
		u.object()
	}},
}

// options of the object form, one choice per group (the asynchronous
// invocation settings are drawn per invoked function: giveSettings).
var options = [][]row[*use]{{
	{name: "option-header-default", weight: 60},
	{name: "option-header", ok: client, apply: func(_ *builder, u *use) { u.object().Set("Header", "X-Invocation-Mode") }},
	{name: "option-header-parameter", ok: client, apply: func(b *builder, u *use) {
		u.object().Set("Header", b.param("HeaderName", obj("Type", "String", "Default", "X-Mode")))
	}},
}, {
	{name: "option-required-default", weight: 60},
	{name: "option-required", ok: client, apply: func(b *builder, u *use) { u.object().Set("Required", b.chance(0.5)) }},
}, {
	{name: "option-permission-default", weight: 80},
	{name: "option-permission-false", apply: func(_ *builder, u *use) { u.object().Set("Permission", false) }},
	{name: "option-permission-parameter", apply: func(b *builder, u *use) {
		u.object().Set("Permission", b.param("GrantPermission", obj("Type", "String", "Default", "true", "AllowedValues", []any{"true", "false"})))
	}},
}, {
	// Event (README: The function's event): body, the default, or proxy,
	// which makes the integration build API Gateway's proxy event (and an
	// AWS_PROXY integration asynchronous: integration-proxy-event-proxy).
	{name: "option-event-default", weight: 40},
	{name: "option-event-body", apply: func(_ *builder, u *use) { u.object().Set("Event", "body") }},
	{name: "option-event-proxy", weight: 35, apply: func(_ *builder, u *use) {
		u.event = "proxy"
		u.object().Set("Event", "proxy")
	}},
	{name: "option-event-parameter", weight: 5, apply: func(b *builder, u *use) {
		u.event = b.paramDefault("EventShape", "body", "proxy")
		u.object().Set("Event", b.param("EventShape", obj("Type", "String", "Default", u.event, "AllowedValues", []any{"body", "proxy"})))
	}},
}, {
	// Accepted (README: Answering 202): the default integration response
	// answers 202 with the request ID, in client mode only when the call
	// is asynchronous (a DryRun answers 204).
	{name: "option-accepted-default", weight: 40},
	{name: "option-accepted-true", weight: 35, apply: func(b *builder, u *use) { b.accept(u, true, true) }},
	{name: "option-accepted-false", apply: func(_ *builder, u *use) { u.object().Set("Accepted", false) }},
	{name: "option-accepted-parameter", weight: 5, apply: func(b *builder, u *use) {
		v := b.paramDefault("AnswerAccepted", "true", "false")
		b.accept(u, b.param("AnswerAccepted", obj("Type", "String", "Default", v, "AllowedValues", []any{"true", "false"})), v == "true")
	}},
}, {
	{name: "option-status-code-default", weight: 60},
	{name: "option-status-code", apply: func(b *builder, u *use) {
		code := oneOf(b, "202", "204")
		if u.accepted && u.mode == "always" {
			// Accepted answers every call 202: another status is refused
			// (README: Answering 202), which hides the rest.
			if code = "202"; b.chance(0.2) {
				code = "204"
				b.mustRefuseSaying("Accepted in always mode with StatusCode 204", `StatusCode`)
			}
		}
		u.object().Set("StatusCode", code)
	}},
}}

func client(_ *builder, u *use) bool { return u.mode == "client" }

// paramDefault is the Default of the template's parameter name, or one of
// values when the template has no such parameter yet.
func (b *builder) paramDefault(name string, values ...string) string {
	if p, ok := b.params.Get(name); ok {
		d, _ := p.(*tree.Object).Get("Default")
		return d.(string)
	}
	return oneOf(b, values...)
}

// accept gives u the option Accepted, written v, which the macro reads as
// on.
func (b *builder) accept(u *use, v any, on bool) {
	u.object().Set("Accepted", v)
	u.accepted = on
}

// destinationKinds: where a destination sends records.
var destinationKinds = []row[*dest]{
	{name: "destination-sqs", weight: 30, apply: func(b *builder, d *dest) {
		d.kind, d.id = "sqs", b.id("Queue")
		d.expr, d.alt = getAtt(d.id, "Arn"), sub("${"+d.id+".Arn}")
		d.props = &tree.Object{}
		b.add(d.id, "AWS::SQS::Queue", d.cond, d.props)
	}},
	{name: "destination-sns", weight: 20, apply: func(b *builder, d *dest) {
		d.kind, d.id = "sns", b.id("Topic")
		d.expr = ref(d.id)
		d.props = &tree.Object{}
		b.add(d.id, "AWS::SNS::Topic", d.cond, d.props)
	}},
	{name: "destination-lambda", apply: func(b *builder, d *dest) {
		d.kind, d.id = "lambda", b.id("Sink")
		d.expr = getAtt(d.id, "Arn")
		b.add(d.id, "AWS::Lambda::Function", d.cond, obj("Runtime", "provided.al2023", "Handler", "bootstrap",
			"Role", literalRole, "Code", obj("S3Bucket", "artifacts", "S3Key", "worker.zip")))
	}},
	{name: "destination-eventbridge", apply: func(b *builder, d *dest) {
		d.kind, d.id = "events", b.id("Bus")
		d.expr = getAtt(d.id, "Arn")
		b.add(d.id, "AWS::Events::EventBus", d.cond, obj("Name", strings.ToLower(d.id)))
	}},
	{name: "destination-s3", ok: func(b *builder, d *dest) bool { return !d.onSuccess || b.chance(0.1) }, apply: func(b *builder, d *dest) {
		d.kind, d.id = "s3", b.id("Archive")
		d.expr = getAtt(d.id, "Arn")
		d.props = &tree.Object{}
		b.add(d.id, "AWS::S3::Bucket", d.cond, d.props)
	}},
	{name: "destination-literal-arn", apply: func(_ *builder, d *dest) {
		d.kind, d.expr, d.cond = "external", "arn:aws:sqs:us-east-1:123456789012:shared-dlq", nil
	}},
	{name: "destination-import-value", weight: 2, apply: func(b *builder, d *dest) {
		d.kind, d.expr, d.cond = "external", obj("Fn::ImportValue", "shared-dlq-arn"), nil
		b.mayRefuseIf(`(?i)ImportValue|cannot see`)
	}},
	{name: "destination-parameter", apply: func(b *builder, d *dest) {
		d.kind, d.cond = "external", nil
		d.expr = b.param("DeadLetterArn", obj("Type", "String", "Default", "arn:aws:sqs:us-east-1:123456789012:shared-dlq"))
	}},
}

// keyForms: whether a queue, topic or bucket is encrypted, and how it names
// its KMS key.
var keyForms = []row[*dest]{
	{name: "kms-none", weight: 60},
	{name: "kms-key-ref", apply: func(b *builder, d *dest) { k, _ := b.newKey(d); d.encrypt(ref(k)) }},
	{name: "kms-key-arn", apply: func(b *builder, d *dest) { k, _ := b.newKey(d); d.encrypt(getAtt(k, "Arn")) }},
	{name: "kms-alias-ref", apply: func(b *builder, d *dest) { _, a := b.newKey(d); d.encrypt(ref(a)) }},
	{name: "kms-alias-name", apply: func(b *builder, d *dest) { _, a := b.newKey(d); d.encrypt("alias/" + strings.ToLower(a)) }},
	{name: "kms-external-alias", apply: func(_ *builder, d *dest) { d.encrypt("alias/shared") }},
	{name: "kms-external-arn", apply: func(_ *builder, d *dest) {
		d.encrypt("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	}},
	{name: "kms-aws-managed", ok: func(_ *builder, d *dest) bool { return d.kind != "s3" }, apply: func(_ *builder, d *dest) {
		d.encrypt("alias/aws/" + d.kind)
	}},
}

func (d *dest) encrypt(key any) {
	if d.kind == "s3" {
		d.props.Set("BucketEncryption", obj("ServerSideEncryptionConfiguration", []any{obj(
			"ServerSideEncryptionByDefault", obj("SSEAlgorithm", "aws:kms", "KMSMasterKeyID", key))}))
		return
	}
	d.props.Set("KmsMasterKeyId", key)
}

// useFeatures vary a shorthand's method or operation, and add what the
// author already has for it.
var useFeatures = []row[*use]{
	{name: "existing-permission", ok: permissible, apply: func(b *builder, u *use) {
		b.permission(u, u.cond, sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${"+u.api.id+"}/*/*"))
	}},
	{name: "existing-permission-method", ok: permissible, apply: func(b *builder, u *use) {
		b.permission(u, u.cond, sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${"+u.api.id+"}/*/"+
			strings.ToUpper(u.verb)+starParams(u.path)))
	}},
	{name: "existing-permission-no-source", ok: permissible, apply: func(b *builder, u *use) { b.permission(u, u.cond, nil) }},
	{name: "existing-permission-conditional", ok: permissible, apply: func(b *builder, u *use) {
		extra := oneOf(b, atomProd, atomNotProd, atomFeature, atomDev)
		b.permission(u, u.cond.with(extra), sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${"+u.api.id+"}/*/*"))
	}},
	{name: "existing-permission-stage", ok: permissible, apply: func(b *builder, u *use) {
		b.permission(u, u.cond, sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${"+u.api.id+"}/prod/*/*"))
	}},
	// An AWS::Lambda::EventInvokeConfig the author wrote for what u
	// invokes: the shorthand's settings as the macro writes them (README:
	// the same configuration), other settings, or the same settings under
	// a condition the function lacks (both refused).
	{name: "existing-event-invoke-config-same", ok: existingConfigFits, apply: func(b *builder, u *use) { b.existingEventInvokeConfig(u, "same") }},
	{name: "existing-event-invoke-config-different", ok: rarely(existingConfigFits), apply: func(b *builder, u *use) { b.existingEventInvokeConfig(u, "different") }},
	{name: "existing-event-invoke-config-conditional", ok: rarely(existingConfigFits), apply: func(b *builder, u *use) { b.existingEventInvokeConfig(u, "conditional") }},
	{name: "existing-policy-grant", ok: hasDestinationsAndRole, apply: func(b *builder, u *use) { b.existingPolicy(u, nil) }},
	{name: "existing-policy-conditional", ok: hasDestinationsAndRole, apply: func(b *builder, u *use) {
		b.existingPolicy(u, condSet{oneOf(b, atomProd, atomFeature, atomNotProd)})
	}},
	{name: "role-inline-grant", ok: inlineGrantFits, apply: func(b *builder, u *use) {
		r := u.t.fn.roles[0]
		r.granted = true
		r.props.Set("Policies", []any{obj("PolicyName", "deliver", "PolicyDocument", policyDocument(grants(u.s)...))})
	}},
	{name: "method-restapiid-getatt", ok: onMethod, apply: func(_ *builder, u *use) { u.props.Set("RestApiId", getAtt(u.api.id, "RestApiId")) }},
	{name: "method-error-response", ok: onMethod, apply: func(_ *builder, u *use) {
		u.integration.Set("IntegrationResponses", []any{obj("StatusCode", "500", "SelectionPattern", ".*failed.*")})
		u.props.Set("MethodResponses", []any{obj("StatusCode", "500")})
	}},
	{name: "method-header-declared", ok: func(b *builder, u *use) bool { return onMethod(b, u) && u.mode == "client" }, apply: func(_ *builder, u *use) {
		u.props.Set("RequestParameters", obj("method.request.header."+strings.ToLower(u.header()), u.required()))
	}},
	// The author's default integration response, mapping a CORS header
	// (README: Browsers and CORS): the method response the macro adds for
	// it declares the header. With Accepted in always mode it answers 202
	// (another status is refused).
	{name: "integration-response-cors-header", apply: func(_ *builder, u *use) {
		status := "200"
		if u.accepted && u.mode == "always" {
			status = "202"
		}
		u.cors = status
		cors := obj("method.response.header.Access-Control-Allow-Origin", "'*'")
		if u.api.kind == apiMethods {
			list, _ := u.integration.Get("IntegrationResponses")
			l, _ := list.([]any)
			u.integration.Set("IntegrationResponses", append(l, obj("StatusCode", status, "ResponseParameters", cors)))
			return
		}
		rs, _ := u.integration.Get("responses")
		ro, _ := rs.(*tree.Object)
		if ro == nil {
			ro = &tree.Object{}
			u.integration.Set("responses", ro)
		}
		ro.Set("default", obj("statusCode", status, "responseParameters", cors))
	}},
	{name: "integration-type-lowercase", apply: func(_ *builder, u *use) {
		if u.api.kind == apiMethods {
			u.integration.Set("Type", "aws")
		} else {
			u.integration.Set("type", "AWS")
		}
	}},
	// A Lambda proxy integration: refused without Event: proxy, whose
	// message names it (README: The function's event); with it, the macro
	// makes it AWS.
	{name: "integration-proxy", ok: rarely(func(_ *builder, u *use) bool { return u.event != "proxy" }), apply: func(b *builder, u *use) {
		b.mustRefuseSaying("a Lambda proxy integration (AWS_PROXY) without Event: proxy", `Event: proxy`)
		u.proxyIntegration()
	}},
	{name: "integration-proxy-event-proxy", p: 0.5, ok: func(_ *builder, u *use) bool { return u.event == "proxy" }, apply: func(_ *builder, u *use) {
		u.proxyIntegration()
	}},
	// PassthroughBehavior as the author wrote it: with Event: proxy,
	// WHEN_NO_MATCH would pass a request of another content type to the
	// function as its bare body, so it is refused on an AWS integration,
	// and becomes NEVER on an AWS_PROXY one, where it had no effect.
	{name: "integration-passthrough-when-no-templates", p: 0.08, apply: func(_ *builder, u *use) {
		u.integration.Set(u.key("PassthroughBehavior"), u.value("WHEN_NO_TEMPLATES"))
	}},
	{name: "integration-passthrough-when-no-match", p: 0.08, ok: func(b *builder, u *use) bool {
		refused := u.event == "proxy" && !u.proxy
		return !u.integration.Has(u.key("PassthroughBehavior")) && (!refused || b.chance(0.3))
	}, apply: func(b *builder, u *use) {
		u.integration.Set(u.key("PassthroughBehavior"), u.value("WHEN_NO_MATCH"))
		if u.event == "proxy" && !u.proxy {
			b.mustRefuseSaying("PassthroughBehavior WHEN_NO_MATCH with Event: proxy", `(?i)\bnever\b`)
		}
	}},
	{name: "integration-credentials", apply: func(b *builder, u *use) {
		id := b.id("ApiGatewayRole")
		b.add(id, "AWS::IAM::Role", nil, obj("AssumeRolePolicyDocument", obj("Version", "2012-10-17", "Statement", []any{obj(
			"Effect", "Allow", "Principal", obj("Service", "apigateway.amazonaws.com"), "Action", "sts:AssumeRole")})))
		key := "Credentials"
		if u.api.kind != apiMethods {
			key = "credentials"
		}
		u.integration.Set(key, getAtt(id, "Arn"))
	}},
	{name: "operation-responses", ok: onOperation, apply: func(b *builder, u *use) {
		ok := obj("description", "ok")
		u.op.Set("responses", obj("200", ok))
		if u.cors == "200" {
			// The author's response of the status whose integration
			// response maps the CORS header: it must declare it (README:
			// a method response of yours that lacks such a header is
			// refused with the line to add).
			if b.chance(0.5) {
				b.mustRefuseSaying("an operation response of the author's lacks the header its integration response maps", `Access-Control-Allow-Origin`)
				return
			}
			h := obj("type", "string")
			if u.api.oas3 {
				h = obj("schema", h)
			}
			ok.Set("headers", obj("Access-Control-Allow-Origin", h))
		}
	}},
	{name: "operation-error-response", ok: onOperation, apply: func(_ *builder, u *use) {
		rs, _ := u.integration.Get("responses")
		ro, _ := rs.(*tree.Object)
		if ro == nil {
			ro = &tree.Object{}
			u.integration.Set("responses", ro)
		}
		ro.Set(".*failed.*", obj("statusCode", "500"))
	}},
	{name: "operation-header-parameter", ok: func(b *builder, u *use) bool { return onOperation(b, u) && u.mode == "client" }, apply: func(_ *builder, u *use) {
		p := obj("name", strings.ToLower(u.header()), "in", "header", "required", u.required())
		if u.api.oas3 {
			p.Set("schema", obj("type", "string"))
		} else {
			p.Set("type", "string")
		}
		u.op.Set("parameters", []any{p})
	}},
	{name: "operation-path-in-fn-if", ok: rarely(onOperation), apply: func(b *builder, u *use) {
		if item := u.api.items[u.path]; item != nil {
			u.api.paths.Set(u.path, ifThen(b.atom(atomFeature), item, ref("AWS::NoValue")))
			b.mayRefuseIf(`Fn::If`)
		}
	}},
	{name: "operation-in-fn-if", ok: rarely(onOperation), apply: func(b *builder, u *use) {
		u.api.items[u.path].Set(u.verb, ifThen(b.atom(atomFeature), u.op, ref("AWS::NoValue")))
		b.mayRefuseIf(`Fn::If`)
	}},
	{name: "sam-event-same-operation", p: 0.4, ok: samEventFits, apply: func(b *builder, u *use) {
		f := oneOf(b, b.samFunctions(u.api.cond)...)
		b.addEvent(f, "Call", obj("Type", "Api", "Properties", obj("RestApiId", ref(u.api.id), "Path", u.path, "Method", u.verb)))
		if u.api.merge || b.globalMerge {
			b.mustRefuse("an Api event on an asynchronous operation of an API with MergeDefinitions")
		}
	}},
	{name: "sam-event-other-path", p: 0.3, ok: samEventFits, apply: func(b *builder, u *use) {
		f := oneOf(b, b.samFunctions(u.api.cond)...)
		b.addEvent(f, "Status", obj("Type", "Api", "Properties", obj("RestApiId", ref(u.api.id), "Path", "/status/{id}", "Method", "get")))
	}},
}

// rarely makes a row of an optional table apply a fifth as often: those
// that make the macro refuse the template hide the rest of it.
func rarely(ok func(*builder, *use) bool) func(*builder, *use) bool {
	return func(b *builder, u *use) bool { return (ok == nil || ok(b, u)) && b.chance(0.15) }
}

func permissible(_ *builder, u *use) bool { return u.t.fn != nil && u.t.q != "stagevar" }
func onMethod(_ *builder, u *use) bool    { return u.api.kind == apiMethods }
func onOperation(_ *builder, u *use) bool { return u.api.kind != apiMethods }

func samEventFits(b *builder, u *use) bool {
	return u.api.kind == apiSAM && len(b.samFunctions(u.api.cond)) > 0 && !u.api.ops["/status/{id} get"]
}

// existingConfigFits: u gives settings for a function invoked unqualified
// that has no configuration yet (a SAM function without AutoPublishAlias,
// and no EventInvokeConfig in Globals, from which SAM would make one),
// whose settings a configuration can write.
func existingConfigFits(b *builder, u *use) bool {
	f := u.t.fn
	if u.s == nil || u.t.q != "" || b.existingConfig[u.t.key()] ||
		f.sam && (f.alias != "" || b.globalValue("Function", "EventInvokeConfig") != nil) {
		return false
	}
	_, ok := b.configOf(u.s, u.t.cond, false)
	return ok
}

func hasDestinationsAndRole(_ *builder, u *use) bool {
	return u.s != nil && (u.s.onFailure != nil || u.s.onSuccess != nil) && u.t.fn != nil && len(u.t.fn.roles) > 0
}

// inlineGrantFits: the role may refer to the destinations (and keys) only
// if it exists only where they do.
func inlineGrantFits(b *builder, u *use) bool {
	if !hasDestinationsAndRole(b, u) {
		return false
	}
	r := u.t.fn.roles[0]
	for _, d := range []*dest{u.s.onFailure, u.s.onSuccess} {
		if d != nil && (!r.cond.covers(d.cond) || d.key != "" && !r.cond.covers(b.resourceCond(d.key))) {
			return false
		}
	}
	return true
}

// proxyIntegration makes u's integration a Lambda proxy integration, as
// each dialect spells it.
func (u *use) proxyIntegration() {
	u.proxy = true
	u.integration.Set(u.key("Type"), u.value("AWS_PROXY"))
}

// key is an integration's key in u's dialect: the method's, or the
// OpenAPI extension's (the same in lower camel case).
func (u *use) key(k string) string {
	if u.api.kind == apiMethods {
		return k
	}
	return strings.ToLower(k[:1]) + k[1:]
}

// value is an enumerated value in u's dialect: upper case on a method,
// lower case in OpenAPI (as API Gateway's exports write them).
func (u *use) value(v string) string {
	if u.api.kind == apiMethods {
		return v
	}
	return strings.ToLower(v)
}

// required is the shorthand's Required option.
func (u *use) required() bool {
	r, _ := u.sh.Get("Required")
	b, _ := r.(bool)
	return b
}

// header is the client header a shorthand names, as written (a parameter's default).
func (u *use) header() string {
	h, ok := u.sh.Get("Header")
	if !ok {
		return "InvocationType"
	}
	if s, ok := h.(string); ok {
		return s
	}
	return "X-Mode"
}

// starParams writes a path for a SourceArn, path parameters as *.
func starParams(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			segs[i] = "*"
		}
	}
	return strings.Join(segs, "/")
}

// permission adds the author's AWS::Lambda::Permission for what u invokes.
func (b *builder) permission(u *use, cond condSet, sourceARN any) {
	if !cond.satisfiable() {
		return
	}
	if u.api.kind != apiMethods {
		cond = cond.union(u.api.cond).union(u.t.cond)
	}
	p := obj("Action", "lambda:InvokeFunction", "FunctionName", u.t.perm, "Principal", "apigateway.amazonaws.com")
	if sourceARN != nil {
		p.Set("SourceArn", sourceARN)
	}
	b.add(b.id(u.t.id+"Invoke"), "AWS::Lambda::Permission", cond, p)
}

func (b *builder) existingEventInvokeConfig(u *use, kind string) {
	s, cond := u.s, u.t.cond
	b.existingConfig[u.t.key()] = true
	u.t.fn.configured = true
	p := obj("FunctionName", ref(u.t.fn.id), "Qualifier", "$LATEST")
	switch kind {
	case "different":
		p.Set("MaximumRetryAttempts", num(0))
		p.Set("MaximumEventAgeInSeconds", num(120))
		b.mustRefuse("the template configures " + u.t.fn.id + " differently")
	case "conditional":
		// The settings, under a condition the function lacks: they
		// would apply only there (README: refused).
		for _, a := range compatible {
			if !cond.covers(condSet{a}) {
				cond = cond.with(a)
				break
			}
		}
		b.mustRefuse("the template configures " + u.t.fn.id + " only under a condition")
		fallthrough
	default:
		c, _ := b.configOf(s, u.t.cond, false)
		p.Members = append(p.Members, c.Members...)
	}
	b.add(b.id(u.t.fn.id+"Config"), "AWS::Lambda::EventInvokeConfig", cond, p)
}

// grants are statements that allow delivery to every destination of s,
// with wildcard actions as authors write them.
func grants(s *settings) []any {
	var out []any
	for _, d := range []*dest{s.onFailure, s.onSuccess} {
		if d == nil {
			continue
		}
		switch d.kind {
		case "sqs":
			out = append(out, allow("sqs:*", d.expr))
		case "sns":
			out = append(out, allow("sns:Publish", d.expr))
		case "lambda":
			out = append(out, allow("lambda:InvokeFunction", d.expr))
		case "events":
			out = append(out, allow("events:*", d.expr))
		case "s3":
			out = append(out, allow([]any{"s3:PutObject", "s3:ListBucket"}, []any{d.expr, sub("${" + d.id + ".Arn}/*")}))
		case "external":
			out = append(out, allow("sqs:SendMessage", d.expr))
		}
		if d.key != "" {
			out = append(out, allow([]any{"kms:GenerateDataKey", "kms:Decrypt"}, getAtt(d.key, "Arn")))
		}
	}
	return out
}

// existingPolicy adds the author's AWS::IAM::Policy that grants the role
// of u's function its destinations, under extra conditions too.
func (b *builder) existingPolicy(u *use, extra condSet) {
	r := u.t.fn.roles[0]
	cond := r.cond.union(extra)
	for _, d := range []*dest{u.s.onFailure, u.s.onSuccess} {
		if d != nil {
			cond = cond.union(d.cond)
			if d.key != "" {
				cond = cond.union(b.resourceCond(d.key))
			}
		}
	}
	if !cond.satisfiable() {
		return
	}
	r.granted = true
	id := b.id(r.id + "Grants")
	b.add(id, "AWS::IAM::Policy", cond, obj("PolicyName", "grants", "Roles", []any{ref(r.id)},
		"PolicyDocument", policyDocument(grants(u.s)...)))
}

// resourceCond is the condSet a resource was added under.
func (b *builder) resourceCond(id string) condSet {
	r, _ := b.res.Get(id)
	c := conditionOf(r.(*tree.Object))
	for a, name := range b.atomName {
		if name == c {
			return condSet{a}
		}
	}
	if c == "" {
		return nil
	}
	return condSet(strings.Split(c, "And"))
}

func (b *builder) function(id string) *function {
	for _, f := range b.fns {
		if f.id == id {
			return f
		}
	}
	return nil
}
