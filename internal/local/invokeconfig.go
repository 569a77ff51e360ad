package local

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Lambda's defaults for asynchronous invocation (cfn.AsyncSettings).
var (
	DefaultRetryAttempts = int(cfn.MaximumRetryAttempts.Default)
	DefaultEventAge      = time.Duration(cfn.MaximumEventAgeInSeconds.Default) * time.Second
)

// The placeholders that stand, in the ARNs of invocation records, for the
// region and account a deployed stack would have.
const (
	localRegion  = "us-east-1"
	localAccount = "123456789012"
)

// AsyncConfig is how Lambda handles the asynchronous invocations of one
// function, alias or version: what its AWS::Lambda::EventInvokeConfig (or
// a SAM function's EventInvokeConfig property) says, else Lambda's
// defaults.
type AsyncConfig struct {
	MaximumRetryAttempts int           // retries of a failed invocation, 0 to 2
	MaximumEventAge      time.Duration // how long Lambda keeps trying, 60s to 6h
	OnSuccess, OnFailure *Destination  // where invocation records go; nil: nowhere
	Source               string        // where the template configures it; "" for Lambda's defaults
}

// defaultConfig is Lambda's configuration of a function that has none.
var defaultConfig = AsyncConfig{MaximumRetryAttempts: DefaultRetryAttempts, MaximumEventAge: DefaultEventAge}

// Destination is where Lambda sends the invocation records of a function,
// alias or version.
type Destination struct {
	// Name is the logical ID of the destination (a queue, topic, function,
	// bus or bucket of the template), or a file-name-safe form of its ARN:
	// the folder its records are written to.
	Name string
	// ARN is the destination as the template gives it, for the log.
	ARN string
}

// Target is what an integration invokes: a function of the template and
// a qualifier, "$LATEST", an alias name, or a version (a version number, or
// the logical ID of an AWS::Lambda::Version, whose number is known only once
// deployed).
type Target struct {
	FunctionID string // the function's logical ID
	Qualifier  string
}

func (t Target) String() string { return t.FunctionID + ":" + t.Qualifier }

// ARN is the target's qualified function ARN in a placeholder region and
// account, as invocation records name it.
func (t Target) ARN() string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s:%s", localRegion, localAccount, t.FunctionID, t.Qualifier)
}

// values reads what a template's values are at deploy time, as far as the
// template and the given parameter values tell.
type values struct {
	res     *cfn.Resources
	params  cfn.Parameters
	globals *tree.Object // SAM's Globals for functions
}

func newValues(t *tree.Object, given map[string]any) *values {
	return &values{res: newTemplate(t).Resources, params: cfn.NewParameters(t, given), globals: cfn.SAMGlobals(t)}
}

// parameter is the value of a template parameter: the one given, else its
// Default.
func (v *values) parameter(name string) (string, bool) {
	val, found := v.params.Value(name)
	switch val := val.(type) {
	case string:
		return val, found
	case json.Number:
		return string(val), true
	case bool:
		return strconv.FormatBool(val), true
	}
	return "", false
}

// text is the string x is at deploy time: a literal, a Ref to a parameter,
// a Fn::Sub or Fn::Join of these. The pseudo parameters take the local
// placeholders, and !GetAtt Version.Version the version's logical ID.
func (v *values) text(x any) (string, bool) {
	flat, ok := cfn.Flatten(x)
	if !ok {
		return "", false
	}
	return v.resolve(flat)
}

// resolve is text for a value already flattened (cfn.Flatten).
func (v *values) resolve(flat string) (string, bool) {
	var b strings.Builder
	for _, p := range cfn.SplitSub(flat) {
		if p.Ref == "" {
			b.WriteString(strings.ReplaceAll(p.Text, "${!", "${"))
			continue
		}
		id, attr := cfn.SplitRef(p.Ref)
		switch {
		case p.Ref == "AWS::Region":
			b.WriteString(localRegion)
		case p.Ref == "AWS::AccountId":
			b.WriteString(localAccount)
		case p.Ref == "AWS::Partition":
			b.WriteString("aws")
		case attr == "Version" && v.res.Type(id) == cfn.TypeVersion:
			b.WriteString(id)
		case attr == "":
			s, ok := v.parameter(id)
			if !ok {
				return "", false
			}
			b.WriteString(s)
		default:
			return "", false
		}
	}
	return b.String(), true
}

// integer is the whole number x is at deploy time.
func (v *values) integer(x any) (int, bool) {
	if n, ok := number(x); ok {
		return n, true
	}
	s, ok := v.text(x)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// target reads what an integration URI invokes: the function, and the
// qualifier of its alias or version, else $LATEST; a stage variable in the
// qualifier takes its value on stage.
func (v *values) target(uri any, stage Stage) (Target, bool) {
	fn := v.res.InvokedFunction(uri)
	if fn == "" {
		return Target{}, false
	}
	flat, _ := cfn.Flatten(uri)
	if _, _, f, ok := cfn.SplitInvocationURI(flat); ok {
		flat = f
	}
	ref, _ := cfn.ParseFunctionARN(flat)
	t := Target{FunctionID: fn, Qualifier: "$LATEST"}
	id, attr := cfn.SplitRef(ref.Head)
	switch typ := v.res.Type(id); {
	case typ == cfn.TypeAlias:
		name, _ := v.res.Properties(id).Get("Name")
		t.Qualifier, _ = v.text(name)
	case typ == cfn.TypeVersion:
		t.Qualifier = id
	case typ == cfn.TypeSAMFunction && attr == "Alias":
		t.Qualifier, _ = v.text(v.samProperty(id, "AutoPublishAlias"))
	case typ == cfn.TypeSAMFunction && attr == "Version":
		t.Qualifier = id + ".Version" // SAM's version: nothing configures it but its own EventInvokeConfig
	case ref.Qualifier != "":
		q, ok := v.resolve(ref.Qualifier)
		if !ok {
			q = ref.Qualifier
		}
		// A stage variable names the alias or version on the route's
		// stage; one the stage does not set leaves it unknown, so no
		// configuration applies.
		q, _ = withStageVariables(q, stage)
		t.Qualifier = q
	}
	if t.Qualifier == "" {
		t.Qualifier = "?"
	}
	return t, true
}

// samProperty is a function's property as SAM makes it with Globals.
func (v *values) samProperty(fn, key string) any { return v.res.SAMProperty(v.globals, fn, key) }

// AsyncConfigs reads the asynchronous invocation configuration of every
// function, alias and version of an (expanded) template that has one: its
// AWS::Lambda::EventInvokeConfig resources, and the EventInvokeConfig
// property of SAM functions, which SAM applies to the function's alias when
// it has AutoPublishAlias, else to $LATEST. Parameters take the given
// values, else their Default. It returns a warning for each setting it
// cannot read, which it leaves at Lambda's default.
func AsyncConfigs(t *tree.Object, given map[string]any) (map[Target]AsyncConfig, []string) {
	v := newValues(t, given)
	configs := map[Target]AsyncConfig{}
	var warnings []string
	add := func(target Target, c AsyncConfig, id string) {
		if prev, dup := configs[target]; dup {
			warnings = append(warnings, fmt.Sprintf("%s and %s both configure the asynchronous invocation of %s; CloudFormation would fail to create the second; the first applies here", prev.Source, c.Source, target))
			return
		}
		if cond := v.res.Condition(id); cond != "" {
			warnings = append(warnings, fmt.Sprintf("%s: Resources.%s has Condition %s, which this server does not evaluate; its settings apply", c.Source, id, cond))
		}
		configs[target] = c
	}
	v.res.Each(func(id string, _ *tree.Object) {
		src := "Resources." + id + ".Properties"
		switch v.res.Type(id) {
		case cfn.TypeEventInvokeConfig:
			p := v.res.Properties(id)
			name, _ := p.Get("FunctionName")
			fn := v.res.InvokedFunction(name)
			if fn == "" {
				warnings = append(warnings, fmt.Sprintf("%s.FunctionName: %s is not a function of this template; its settings are not applied here", src, short(name)))
				return
			}
			q, _ := p.Get("Qualifier")
			qualifier, ok := v.text(q)
			if !ok || qualifier == "" {
				warnings = append(warnings, fmt.Sprintf("%s.Qualifier: cannot tell which alias or version %s is; its settings are not applied here", src, short(q)))
				return
			}
			c, ws := v.config(p, src, "", fn)
			warnings = append(warnings, ws...)
			add(Target{fn, qualifier}, c, id)
		case cfn.TypeSAMFunction:
			p, _ := v.samProperty(id, "EventInvokeConfig").(*tree.Object)
			if p == nil {
				return
			}
			target := Target{id, "$LATEST"}
			if alias := v.samProperty(id, "AutoPublishAlias"); alias != nil {
				name, ok := v.text(alias)
				if !ok || name == "" {
					warnings = append(warnings, fmt.Sprintf("%s.AutoPublishAlias: cannot tell the alias %s names; the EventInvokeConfig of %s is not applied here", src, short(alias), id))
					return
				}
				target.Qualifier = name
			}
			c, ws := v.config(p, src+".EventInvokeConfig", id, id)
			warnings = append(warnings, ws...)
			add(target, c, id)
		}
	})
	return configs, warnings
}

var noValue = tree.NewObject("Ref", "AWS::NoValue")

// ifTrue is X of Fn::If [Condition, X, Y], as the macro writes a
// destination that exists only under a condition, or a number that depends
// on one: this server does not evaluate conditions, and takes them as true,
// as it does a resource's Condition; it says so in a warning. Anything else
// is returned as is.
func (v *values) ifTrue(x any, where string, warnings *[]string) any {
	k, arg, _ := tree.Only(x)
	a, _ := arg.([]any)
	if k != "Fn::If" || len(a) != 3 {
		return x
	}
	*warnings = append(*warnings, fmt.Sprintf("%s: Fn::If on condition %v, which this server does not evaluate; its first branch applies", where, a[0]))
	return v.ifTrue(a[1], where, warnings)
}

// config reads the settings of an EventInvokeConfig: the resource's
// properties, or (samFunction set) a SAM function's property, whose SQS
// and SNS destinations SAM creates when they have no Destination.
func (v *values) config(p *tree.Object, src, samFunction, fn string) (AsyncConfig, []string) {
	c := defaultConfig
	c.Source = src
	var warnings []string
	for _, s := range cfn.AsyncSettings {
		x, has := p.Get(s.Property)
		if !has {
			continue
		}
		x = v.ifTrue(x, src+"."+s.Property, &warnings)
		switch n, ok := v.integer(x); {
		case tree.Equal(x, noValue): // Lambda's default
		case ok && s.Allows(int64(n)) && s == cfn.MaximumRetryAttempts:
			c.MaximumRetryAttempts = n
		case ok && s.Allows(int64(n)):
			c.MaximumEventAge = time.Duration(n) * time.Second
		default:
			warnings = append(warnings, fmt.Sprintf("%s.%s: %s is not a whole number from %d to %d, as Lambda requires; %s gets Lambda's default, %d", src, s.Property, short(x), s.Min, s.Max, fn, s.Default))
		}
	}
	dc, _ := getObject(p, "DestinationConfig")
	for _, kind := range []string{"OnSuccess", "OnFailure"} {
		ov, _ := dc.Get(kind)
		ov = v.ifTrue(ov, src+".DestinationConfig."+kind, &warnings)
		on, _ := ov.(*tree.Object)
		if on == nil {
			continue
		}
		where := src + ".DestinationConfig." + kind + ".Destination"
		x, has := on.Get("Destination")
		x = v.ifTrue(x, where, &warnings)
		has = has && !tree.Equal(x, noValue)
		var d *Destination
		typ, _ := on.Get("Type")
		t, _ := typ.(string)
		samMade := ""
		if samFunction != "" {
			samMade = cfn.SAMDestinationID(samFunction, kind, t)
		}
		switch {
		case has:
			if d = v.destination(x); d == nil {
				warnings = append(warnings, fmt.Sprintf("%s: cannot tell which resource or ARN %s is; its records are only logged", where, short(x)))
				d = &Destination{ARN: short(x)}
			}
		case samMade != "":
			// SAM creates a queue or topic named after the function.
			d = &Destination{Name: samMade, ARN: "the " + t + " destination SAM creates, " + samMade}
		default:
			warnings = append(warnings, fmt.Sprintf("%s: missing; %s has no %s destination here", where, fn, kind))
			continue
		}
		if kind == "OnSuccess" {
			c.OnSuccess = d
		} else {
			c.OnFailure = d
		}
	}
	return c, warnings
}

// destination reads a destination ARN: a Ref or Fn::GetAtt of a resource of
// the template is named by its logical ID, any other ARN by itself, except
// the value of a NoEcho parameter, which is never shown: by the
// parameter's name.
func (v *values) destination(x any) *Destination {
	if id := cfn.RefID(x); id != "" {
		if _, isResource := v.res.Get(id); isResource {
			return &Destination{Name: id, ARN: short(x)}
		}
		p, _ := v.params.Declared(id)
		if noEcho, _ := p.Get("NoEcho"); noEcho == true || noEcho == "true" {
			return &Destination{Name: id, ARN: short(x) + " (NoEcho)"}
		}
	}
	s, ok := v.text(x)
	if !ok || s == "" {
		return nil
	}
	return &Destination{Name: safeName(s), ARN: s}
}

// safeName is s with every character but ASCII letters, digits, '.', '-'
// and '_' replaced by '_': a file name on every system. An ARN's colons
// and slashes become underscores, so it cannot be a logical ID.
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	if s := string(b); s != "." && s != ".." {
		return s
	}
	return "_"
}

// short writes a template value as the short YAML form would: !Ref X,
// !GetAtt X.Attr, a string as itself, anything else as JSON.
func short(x any) string {
	k, arg, _ := tree.Only(x)
	switch {
	case k == "Ref":
		if s, ok := arg.(string); ok {
			return "!Ref " + s
		}
	case k == "Fn::GetAtt":
		if id, attr := cfn.GetAtt(arg); id != "" {
			return "!GetAtt " + id + "." + attr
		}
	case k == "Fn::Sub":
		if s, vars, ok := cfn.SubArgs(arg); ok && vars == nil {
			return "!Sub " + s
		}
	}
	if s, ok := x.(string); ok {
		return s
	}
	return describe(x)
}

// describeConfig says, on one line, how a target's asynchronous
// invocations are handled.
func describeConfig(c AsyncConfig) string {
	var b strings.Builder
	retries := "retries"
	if c.MaximumRetryAttempts == 1 {
		retries = "retry"
	}
	fmt.Fprintf(&b, "%d %s, events kept %s", c.MaximumRetryAttempts, retries, age(c.MaximumEventAge))
	for _, d := range []struct {
		kind string
		d    *Destination
	}{{"on success", c.OnSuccess}, {"on failure", c.OnFailure}} {
		if d.d != nil {
			fmt.Fprintf(&b, ", %s to %s", d.kind, d.d.describe())
		}
	}
	if c.OnFailure == nil {
		b.WriteString(", no on-failure destination (a failed event is dropped)")
	}
	if c.Source == "" {
		b.WriteString(" (Lambda's defaults: nothing configures it)")
	} else {
		fmt.Fprintf(&b, " (%s)", c.Source)
	}
	return b.String()
}

func (d *Destination) describe() string {
	if d.Name == "" || d.Name == safeName(d.ARN) {
		return d.ARN
	}
	if strings.Contains(d.ARN, d.Name) {
		return d.Name
	}
	return d.Name + " (" + d.ARN + ")"
}

// age writes a maximum event age in hours when it is whole hours, else in
// seconds, as MaximumEventAgeInSeconds gives it: 6h, 90s.
func age(d time.Duration) string {
	if d%time.Hour == 0 {
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/time.Second)) + "s"
}

// targets reads what each Lambda route invokes, and logs how the
// asynchronous invocations of each target that a route may invoke
// asynchronously are handled.
func (s *Server) targets(t *tree.Object, given map[string]any) {
	v := newValues(t, given)
	logged := map[Target]bool{}
	for i := range s.routes {
		r := &s.routes[i]
		if r.FunctionID == "" || !r.invokesLambda() {
			continue
		}
		target, ok := v.target(r.uri, r.Stage)
		if !ok {
			target = Target{r.FunctionID, "$LATEST"}
		}
		r.target = target
		if r.Kind == cfn.Lambda && r.InvocationType != "" && r.Broken == "" && !logged[target] {
			logged[target] = true
			s.log.Printf("%s: asynchronous invocations: %s", target, describeConfig(s.config(target)))
		}
	}
}

// config is a target's asynchronous invocation configuration, or Lambda's
// defaults.
func (s *Server) config(t Target) AsyncConfig {
	if c, ok := s.configs[t]; ok {
		return c
	}
	return defaultConfig
}
