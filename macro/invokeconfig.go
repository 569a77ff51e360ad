package macro

import (
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Asynchronous invocation configurations, collected and decided. Each
// shorthand with OnFailure, OnSuccess, MaximumRetryAttempts or
// MaximumEventAgeInSeconds asks for the configuration of what its
// integration invokes (wantInvokeConfig); a function, alias or version has
// one (configs). addInvokeConfigs decides whose each becomes (decide: the
// template's own, SAM's from a SAM function's property, or the macro's),
// groups the grants its role needs into policies (configgroup.go) and
// writes it (configwrite.go); roles.go reads the execution roles and what
// their policies allow.

// configPlan is the asynchronous invocation configuration that one
// function, alias or version gets.
type configPlan struct {
	t                    resolved
	c                    InvokeConfig
	onFailure, onSuccess *destination
	first                *loc // the first shorthand that asks for it
}

// configs plans one configuration per invoked function, alias or version.
type configs struct {
	plans map[string]*configPlan
	order []string
}

// wantInvokeConfig asks for the configuration the options of a shorthand
// give the targets its integration invokes.
func (e *expander) wantInvokeConfig(targets []resolved, o Options) {
	c := o.Config
	if c.empty() || c.refused {
		return
	}
	where := c.where
	var onFailure, onSuccess *destination
	ok := true
	if c.OnFailure != nil {
		d, good := e.optionDestination(c.OnFailure, true, where.at("OnFailure"))
		onFailure, ok = &d, ok && good
	}
	if c.OnSuccess != nil {
		d, good := e.optionDestination(c.OnSuccess, false, where.at("OnSuccess"))
		onSuccess, ok = &d, ok && good
	}
	if !ok {
		return
	}
	if len(targets) == 0 {
		e.fail(codeUnconfigurable, where, "gives asynchronous invocation settings, but the macro cannot tell which function the integration invokes; name it with !GetAtt Function.Arn (or its alias), or remove OnFailure, OnSuccess, MaximumRetryAttempts and MaximumEventAgeInSeconds")
		return
	}
	for _, t := range targets {
		switch {
		case t.external:
			e.fail(codeUnconfigurable, where, "gives asynchronous invocation settings for a function defined outside this template; configure them where it is defined (AWS::Lambda::EventInvokeConfig), or remove OnFailure, OnSuccess, MaximumRetryAttempts and MaximumEventAgeInSeconds")
			continue
		case t.StageVariable:
			e.fail(codeUnconfigurable, where, "gives asynchronous invocation settings, but a stage variable chooses the alias invoked; write one AWS::Lambda::EventInvokeConfig per alias yourself, or remove OnFailure, OnSuccess, MaximumRetryAttempts and MaximumEventAgeInSeconds")
			continue
		case t.Function == "" || t.Name == nil:
			e.fail(codeUnconfigurable, where, "gives asynchronous invocation settings, but the macro cannot tell which function (and alias) the integration invokes; name it with !GetAtt Function.Arn (or its alias), or remove the settings")
			continue
		}
		if e.plans.plans == nil {
			e.plans.plans = map[string]*configPlan{}
		}
		key := t.key()
		p, exists := e.plans.plans[key]
		if !exists {
			e.plans.plans[key] = &configPlan{t: t, c: c, onFailure: onFailure, onSuccess: onSuccess, first: where}
			e.plans.order = append(e.plans.order, key)
			continue
		}
		if !sameSettings(e, p, c, onFailure, onSuccess) {
			e.fail(codeSettingsDiffer, where, "gives %s other asynchronous invocation settings than %s does; a function (or alias, or version) has one configuration: give both the same OnFailure, OnSuccess, MaximumRetryAttempts and MaximumEventAgeInSeconds", t.ID, p.first.path())
		}
	}
}

func sameSettings(e *expander, p *configPlan, c InvokeConfig, onFailure, onSuccess *destination) bool {
	same := func(a, b *destination) bool {
		return (a == nil) == (b == nil) && (a == nil || sameSetting(e, a.arn, b.arn) && sameConditions(a.conditions, b.conditions))
	}
	return same(p.onFailure, onFailure) && same(p.onSuccess, onSuccess) &&
		sameSetting(e, p.c.Retries, c.Retries) && sameSetting(e, p.c.Age, c.Age)
}

// sameConditions reports whether a and b hold the same conditions, in any
// order.
func sameConditions(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(c string) bool { return !contains(b, c) })
}

// addInvokeConfigs writes the planned configurations: a SAM function's
// EventInvokeConfig property, or an AWS::Lambda::EventInvokeConfig, and the
// policies that let the execution role deliver the records when it is a role
// of the template. It returns how many configurations it added. Every plan
// is decided and its grants grouped, so that every problem is reported;
// nothing is written when there is one.
func (e *expander) addInvokeConfigs() int {
	var todo []*decided
	var policies policyGroups
	for _, key := range e.plans.order {
		if x := e.decide(e.plans.plans[key]); x != nil {
			policies.plan(e, x)
			todo = append(todo, x)
		}
	}
	policies.group(e)
	if len(e.problems) > 0 {
		return 0
	}
	for _, g := range policies.order {
		e.addPolicy(g)
	}
	added := 0
	for _, x := range todo {
		if e.writeConfig(x) {
			added++
		}
	}
	return added
}

// planDestination is a destination of a plan, and the option that gives it.
type planDestination struct {
	option string // OnFailure or OnSuccess
	d      *destination
}

// destinations are the destinations of p, OnFailure's first.
func (p *configPlan) destinations() []planDestination {
	var ds []planDestination
	if p.onFailure != nil {
		ds = append(ds, planDestination{"OnFailure", p.onFailure})
	}
	if p.onSuccess != nil {
		ds = append(ds, planDestination{"OnSuccess", p.onSuccess})
	}
	return ds
}

// decided is a plan whose configuration is decided: whose it is, and what
// grants its role what delivering needs.
type decided struct {
	p           *configPlan
	roles       []string // the roles of the template the function may run with
	samFunction bool     // the function is a SAM function
	sam         bool     // a SAM function whose EventInvokeConfig property the macro sets
	samRole     bool     // a SAM function whose role SAM makes, which may need grants (on keys, or all of them)
	// existing is the template's own identical configuration, or the SAM
	// function's ID when SAM makes it from the function's property; "".
	existing  string
	dependsOn []string       // resources of the template that grant the role what it needs
	groups    []*policyGroup // the policies of this expansion that grant it
}

// decide decides whose configuration p becomes: the template's own (or
// the one SAM makes from a SAM function's property), SAM's from the
// property the macro sets, or the macro's AWS::Lambda::EventInvokeConfig.
// It returns nil when it refuses p, and notes what is left to the user.
func (e *expander) decide(p *configPlan) *decided {
	fn := p.t.Function
	roles, outside, sams := e.executionRoles(fn)
	if sams && (len(roles) > 0 || outside) && len(p.destinations()) > 0 {
		// SAM grants its own role the destinations only through the
		// EventInvokeConfig property, which the roles of the other
		// branch cannot wait for.
		e.fail(codeSAMRoleConditional, p.first, "sends %s's asynchronous invocation records to a destination, but %s.Role is set only under a condition, so SAM creates the execution role under the other and the macro cannot give that role the policy to deliver (the stack would fail when it creates the configuration); set Role in both branches, or leave Role out so SAM creates the role and its policy", fn, fn)
		return nil
	}
	if outside {
		e.noteOutsideRole(p)
	}
	e.noteUnknownKeys(p)
	e.noteKeyPolicies(p, outside || e.anyNamed(roles))
	sam := e.res.Type(fn) == cfn.TypeSAMFunction
	// The macro sets the property when SAM makes the role (unless it
	// is from elsewhere) and SAM can make the configuration of it;
	// else it writes the configuration itself.
	samRole := sam && len(roles) == 0
	samProperty := samRole && e.samCanConfigure(p)
	if sam && !e.samQualifierMatches(p) || samProperty && !e.samGlobalsAgree(p) {
		return nil
	}
	existing, differs, onlyUnder := e.existingConfig(p, sam, samProperty)
	switch {
	case onlyUnder != "":
		e.fail(codeConfigDiffers, differs, "configures the asynchronous invocation of %s only where %s holds (its Condition), but the AsyncInvoke options at %s apply wherever %s exists; a function (or alias, or version) has one configuration: remove its Condition (a destination that exists only under a condition goes inside DestinationConfig, OnFailure: !If [%s, {Destination: ...}, !Ref AWS::NoValue], as the macro writes it), or remove the settings from one of the two", p.t.ID, onlyUnder, p.first.path(), p.t.ID, onlyUnder)
		return nil
	case differs != nil && sam && !e.isConfigResource(differs):
		e.fail(codeConfigDiffers, differs, "is what SAM makes %s's asynchronous invocation configuration from (with Globals' Function section merged in), and its settings differ from the AsyncInvoke options at %s; a function (or alias, or version) has one configuration: make them the same, or remove one", p.t.ID, p.first.path())
		return nil
	case differs != nil:
		e.fail(codeConfigDiffers, differs, "configures the asynchronous invocation of %s differently from the AsyncInvoke options at %s; a function (or alias, or version) has one configuration: make them the same, or remove one", p.t.ID, p.first.path())
		return nil
	}
	return &decided{p: p, roles: roles, samFunction: sam, sam: samProperty, existing: existing, samRole: samRole && !outside}
}

// isConfigResource reports whether l is in an AWS::Lambda::EventInvokeConfig
// of the template (rather than in SAM's property, or Globals).
func (e *expander) isConfigResource(l *loc) bool {
	path := l.path()
	return len(path) > 1 && path[0] == "Resources" && e.res.Type(path[1]) == cfn.TypeEventInvokeConfig
}

// configConditions are the conditions of what a plan's configuration
// configures: the function, the alias or version. A destination that exists
// only under other conditions does not make the configuration conditional
// (its retries and event age apply everywhere): it applies only where it
// exists (onlyWhere).
func (e *expander) configConditions(p *configPlan) []string {
	return e.needs(p.t.target, "")
}

// unmet are the conditions of destination d that plan p's configuration
// does not imply.
func (e *expander) unmet(p *configPlan, d *destination) []string {
	var unmet []string
	cs := e.configConditions(p)
	for _, c := range d.conditions {
		if !cfn.Implied(e.conditions, c, cs) {
			unmet = append(unmet, c)
		}
	}
	return unmet
}

// samCanConfigure reports whether SAM can make p's configuration from a SAM
// function's EventInvokeConfig property: a destination under a condition
// the function lacks must be a queue or topic (SAM refuses a Destination
// under a condition for the other kinds, "Destination is required if Type
// is not SQS or SNS", and makes a queue or topic of its own where the
// condition does not hold), and the logical IDs SAM gives what it makes,
// <Function>EventInvokeConfig and that queue or topic, must fit
// CloudFormation's limit. Otherwise the function, whose role SAM makes,
// gets the macro's AWS::Lambda::EventInvokeConfig, and its role the grants
// in the function's Policies.
func (e *expander) samCanConfigure(p *configPlan) bool {
	if len(cfn.SAMEventInvokeConfigID(p.t.Function)) > maxLogicalID {
		return false
	}
	for _, d := range p.destinations() {
		if len(e.unmet(p, d.d)) == 0 {
			continue
		}
		id := cfn.SAMDestinationID(p.t.Function, d.option, d.d.kind.Type)
		if id == "" || len(id) > maxLogicalID {
			return false
		}
	}
	return true
}

// samGlobalsAgree refuses settings for a SAM function whose property the
// macro sets when Globals' Function section has an EventInvokeConfig that
// would change them: SAM merges the two.
func (e *expander) samGlobalsAgree(p *configPlan) bool {
	gc := e.res.SAMGlobal(cfn.SAMGlobals(e.fragment), p.t.Function, "EventInvokeConfig")
	if gc == nil {
		return true
	}
	ours := e.samConfig(p)
	if sameSetting(e, cfn.MergeGlobals(gc, ours), ours) {
		return true
	}
	e.fail(codeSAMGlobals, p.first, "gives asynchronous invocation settings for %s, but Globals' Function section has an EventInvokeConfig, which SAM merges with these into other settings than either; move the settings to the shorthand and remove them from Globals, or give them there only", p.t.Function)
	return false
}

// samQualifierMatches reports whether SAM's EventInvokeConfig property of
// a SAM function configures what the integration invokes: the alias when
// the function has AutoPublishAlias, else $LATEST. It refuses otherwise.
func (e *expander) samQualifierMatches(p *configPlan) bool {
	fn := p.t.Function
	alias := e.samProperty(fn, "AutoPublishAlias")
	viaAlias := tree.Equal(p.t.Name, tree.NewObject("Ref", fn+".Alias"))
	unqualified := tree.Equal(p.t.Name, tree.NewObject("Fn::GetAtt", []any{fn, "Arn"}))
	switch {
	case alias != nil && viaAlias, alias == nil && unqualified:
		return true
	case alias != nil:
		e.fail(codeSAMQualifier, p.first, "gives asynchronous invocation settings for %s, but SAM configures asynchronous invocation of %s (AutoPublishAlias) on its alias, not on what this integration invokes; invoke the alias (!Ref %s.Alias or ${%s.Arn}:%s) so that the settings apply to the calls", p.t.ID, fn, fn, fn, e.literal(alias))
	default:
		e.fail(codeSAMQualifier, p.first, "gives asynchronous invocation settings for %s, but SAM configures asynchronous invocation of %s on $LATEST, which this integration does not invoke; invoke !GetAtt %s.Arn, or give the alias its own AWS::Lambda::EventInvokeConfig", p.t.ID, fn, fn)
	}
	return false
}

// existingConfig finds the configuration the template already has for the
// plan's target: the logical ID of an identical AWS::Lambda::EventInvokeConfig,
// or the SAM function's when SAM makes an identical one from its
// EventInvokeConfig property; or where one differs. samProperty: the macro
// would set that property itself, and Globals are compared apart. An
// AWS::Lambda::EventInvokeConfig with identical settings that exists only
// under a condition the target does not imply differs too: onlyUnder is
// that condition.
func (e *expander) existingConfig(p *configPlan, sam, samProperty bool) (found string, differs *loc, onlyUnder string) {
	if sam && !samProperty {
		// SAM makes a configuration from the property (merged with
		// Globals') on what the integration invokes (samQualifierMatches),
		// beside any the macro would write.
		v := e.samProperty(p.t.Function, "EventInvokeConfig")
		switch {
		case v == nil:
			// none: the macro writes its own
		case sameSetting(e, v, e.samConfig(p)):
			return p.t.Function, nil, ""
		case e.res.Properties(p.t.Function).Has("EventInvokeConfig"):
			return "", resourcesLoc.at(p.t.Function).at("Properties").at("EventInvokeConfig"), ""
		default:
			return "", locOf([]string{"Globals", "Function", "EventInvokeConfig"}), ""
		}
	}
	if samProperty {
		v, has := e.res.Properties(p.t.Function).Get("EventInvokeConfig")
		switch {
		case !has:
			// the template may have an AWS::Lambda::EventInvokeConfig
		case sameSetting(e, v, e.samConfig(p)):
			return p.t.Function, nil, ""
		default:
			return "", resourcesLoc.at(p.t.Function).at("Properties").at("EventInvokeConfig"), ""
		}
	}
	other := ""
	qualifier := e.qualifier(p.t)
	e.res.Each(func(id string, _ *tree.Object) {
		props := e.res.Properties(id)
		if found != "" || other != "" || e.res.Type(id) != cfn.TypeEventInvokeConfig || props == nil {
			return
		}
		fn, _ := props.Get("FunctionName")
		q, _ := props.Get("Qualifier")
		if e.res.InvokedFunction(fn) != p.t.Function || !sameValue(e, q, qualifier) {
			return
		}
		want := e.configProperties(p)
		for _, key := range []string{"MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"} {
			a, _ := props.Get(key)
			b, _ := want.Get(key)
			if !sameSetting(e, a, b) {
				other = id
				return
			}
		}
		if c := e.res.Condition(id); c != "" && !cfn.Implied(e.conditions, c, e.configConditions(p)) {
			other, onlyUnder = id, c
			return
		}
		found = id
	})
	switch {
	case onlyUnder != "":
		return "", resourcesLoc.at(other).at("Condition"), onlyUnder
	case other != "":
		return "", resourcesLoc.at(other).at("Properties"), ""
	}
	return found, nil, ""
}

// sameSetting compares settings as deployed: where an Fn::If chooses by a
// condition, in every combination of the conditions they choose by (so that
// OnFailure: !If [C, {Destination: X}, !Ref AWS::NoValue] and
// DestinationConfig: !If [C, {OnFailure: {Destination: X}}, !Ref
// AWS::NoValue] are the same); objects whatever the order of their keys,
// destinations however their ARNs are written, numbers by value.
func sameSetting(e *expander, a, b any) bool {
	cs := ifConditions(ifConditions(nil, a), b)
	if len(cs) > maxChosenConditions {
		return sameChosen(e, a, b) // as written
	}
	for w := range 1 << len(cs) {
		holds := map[string]bool{}
		for i, c := range cs {
			holds[c] = w&(1<<i) != 0
		}
		if !sameChosen(e, chosen(a, holds), chosen(b, holds)) {
			return false
		}
	}
	return true
}

// maxChosenConditions bounds the combinations sameSetting compares in.
const maxChosenConditions = 6

// sameChosen compares settings without Fn::If as deployed.
func sameChosen(e *expander, a, b any) bool {
	ao, aok := a.(*tree.Object)
	bo, bok := b.(*tree.Object)
	switch {
	case aok && bok && !isIntrinsic(ao) && !isIntrinsic(bo):
		if ao.Len() != bo.Len() {
			return false
		}
		for _, m := range ao.Members {
			v, has := bo.Get(m.Key)
			if !has || !sameChosen(e, m.Value, v) {
				return false
			}
		}
		return true
	case aok && b == nil && ao.Len() == 0, bok && a == nil && bo.Len() == 0:
		// An empty DestinationConfig is none (where an Fn::If in it
		// chose !Ref AWS::NoValue for each destination).
		return true
	}
	if sameValue(e, a, b) {
		return true
	}
	fa, oka := cfn.Flatten(a)
	fb, okb := cfn.Flatten(b)
	if oka && okb && fa == fb && !strings.Contains(fa, cfn.Opaque) {
		return true
	}
	id := e.destinationNamed(a)
	return id != "" && id == e.destinationNamed(b)
}

// ifConditions adds to cs the conditions the Fn::If functions in v
// choose by.
func ifConditions(cs []string, v any) []string {
	tree.Walk(v, func(_ []string, x any) tree.Step {
		if c, _, _, ok := ifArgs(x); ok && !contains(cs, c) {
			cs = append(cs, c)
		}
		return tree.Continue
	})
	return cs
}

// chosen is v where each condition c holds as holds[c] says: each Fn::If
// on one of them replaced by its branch, and !Ref AWS::NoValue taken out
// (nil when v is it).
func chosen(v any, holds map[string]bool) any {
	if c, a, b, ok := ifArgs(v); ok {
		if h, known := holds[c]; known {
			if h {
				return chosen(a, holds)
			}
			return chosen(b, holds)
		}
	}
	switch v := v.(type) {
	case *tree.Object:
		if tree.Equal(v, noValue) {
			return nil
		}
		o := &tree.Object{}
		for _, m := range v.Members {
			if x := chosen(m.Value, holds); x != nil {
				o.Set(m.Key, x)
			}
		}
		return o
	case []any:
		var list []any
		for _, x := range v {
			if x := chosen(x, holds); x != nil {
				list = append(list, x)
			}
		}
		return list
	}
	return v
}

// sameValue compares two values as deployed: numbers by value, parameters
// by their values.
func sameValue(e *expander, a, b any) bool {
	if tree.Equal(a, b) {
		return true
	}
	if x, ok := integer(a); ok {
		y, ok := integer(b)
		return ok && x == y
	}
	la, lb := e.literal(a), e.literal(b)
	return la != "" && la == lb
}
