package macro

import (
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

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
		e.fail(where, "gives asynchronous invocation settings, but the macro cannot tell which function the integration invokes; name it with !GetAtt Function.Arn (or its alias), or remove OnFailure, OnSuccess, MaximumRetryAttempts and MaximumEventAgeInSeconds")
		return
	}
	for _, t := range targets {
		switch {
		case t.external:
			e.fail(where, "gives asynchronous invocation settings for a function defined outside this template; configure them where it is defined (AWS::Lambda::EventInvokeConfig), or remove OnFailure, OnSuccess, MaximumRetryAttempts and MaximumEventAgeInSeconds")
			continue
		case t.StageVariable:
			e.fail(where, "gives asynchronous invocation settings, but a stage variable chooses the alias invoked; write one AWS::Lambda::EventInvokeConfig per alias yourself, or remove OnFailure, OnSuccess, MaximumRetryAttempts and MaximumEventAgeInSeconds")
			continue
		case t.Function == "" || t.Name == nil:
			e.fail(where, "gives asynchronous invocation settings, but the macro cannot tell which function (and alias) the integration invokes; name it with !GetAtt Function.Arn (or its alias), or remove the settings")
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
			e.fail(where, "gives %s other asynchronous invocation settings than %s does; a function (or alias, or version) has one configuration: give both the same OnFailure, OnSuccess, MaximumRetryAttempts and MaximumEventAgeInSeconds", t.ID, p.first.path())
		}
	}
}

func sameSettings(e *expander, p *configPlan, c InvokeConfig, onFailure, onSuccess *destination) bool {
	same := func(a, b *destination) bool {
		return (a == nil) == (b == nil) && (a == nil || sameSetting(e, a.arn, b.arn) && slices.Equal(a.conditions, b.conditions))
	}
	return same(p.onFailure, onFailure) && same(p.onSuccess, onSuccess) &&
		sameSetting(e, p.c.Retries, c.Retries) && sameSetting(e, p.c.Age, c.Age)
}

// addInvokeConfigs writes the planned configurations: a SAM function's
// EventInvokeConfig property, or an AWS::Lambda::EventInvokeConfig, and the
// policies that let the execution role deliver the records when it is a role
// of the template. It returns how many configurations it added.
func (e *expander) addInvokeConfigs() int {
	type pending struct {
		p         *configPlan
		sam       bool     // a SAM function whose property the macro sets
		existing  string   // the template's own identical configuration, or ""
		dependsOn []string // resources that grant the role what it needs
		groups    []string // the policy groups the plan needs
		samRole   bool     // a SAM function whose role SAM makes, which may need grants (on keys, or all of them)
	}
	var todo []pending
	groups := map[string]*policyGroup{}
	var order []string
	for _, key := range e.plans.order {
		p := e.plans.plans[key]
		fn := p.t.Function
		roles, outside, sams := e.executionRoles(fn)
		if sams && (len(roles) > 0 || outside) && (p.onFailure != nil || p.onSuccess != nil) {
			// SAM grants its own role the destinations only through the
			// EventInvokeConfig property, which the roles of the other
			// branch cannot wait for.
			e.fail(p.first, "sends %s's asynchronous invocation records to a destination, but %s.Role is set only under a condition, so SAM creates the execution role under the other and the macro cannot give that role the policy to deliver (the stack would fail when it creates the configuration); set Role in both branches, or leave Role out so SAM creates the role and its policy", fn, fn)
			continue
		}
		if outside {
			e.noteOutsideRole(p)
		}
		e.noteUnknownKeys(p)
		sam := e.res.Type(fn) == cfn.TypeSAMFunction
		// The macro sets the property when SAM makes the role (unless it
		// is from elsewhere) and SAM can make the configuration of it;
		// else it writes the configuration itself.
		samRole := sam && len(roles) == 0
		samProperty := samRole && e.samCanConfigure(p)
		if sam && !e.samQualifierMatches(p) || samProperty && !e.samGlobalsAgree(p) {
			continue
		}
		existing, differs, onlyUnder := e.existingConfig(p, sam, samProperty)
		switch {
		case onlyUnder != "":
			e.fail(differs, "configures the asynchronous invocation of %s only where %s holds (its Condition), but the AsyncInvoke options at %s apply wherever %s exists; a function (or alias, or version) has one configuration: remove its Condition (a destination that exists only under a condition goes inside DestinationConfig, OnFailure: !If [%s, {Destination: ...}, !Ref AWS::NoValue], as the macro writes it), or remove the settings from one of the two", p.t.ID, onlyUnder, p.first.path(), p.t.ID, onlyUnder)
			continue
		case differs != nil && sam:
			e.fail(differs, "is what SAM makes %s's asynchronous invocation configuration from (with Globals' Function section merged in), and its settings differ from the AsyncInvoke options at %s; a function (or alias, or version) has one configuration: make them the same, or remove one", p.t.ID, p.first.path())
			continue
		case differs != nil:
			e.fail(differs, "configures the asynchronous invocation of %s differently from the AsyncInvoke options at %s; a function (or alias, or version) has one configuration: make them the same, or remove one", p.t.ID, p.first.path())
			continue
		}
		x := pending{p: p, sam: samProperty, existing: existing, samRole: samRole && !outside}
		conditions := e.configConditions(p)
		for _, role := range roles {
			for _, od := range []struct {
				on string
				d  *destination
			}{{"OnFailure", p.onFailure}, {"OnSuccess", p.onSuccess}} {
				d := od.d
				if d == nil {
					continue
				}
				// The conditions under which the function runs with this
				// role and has this configuration (base), and the
				// destination exists (all): where the role needs the grant.
				base := slices.Clone(conditions)
				if c := e.res.Condition(role); c != "" && !contains(base, c) {
					base = append(base, c)
				}
				all := slices.Clone(base)
				for _, c := range d.conditions {
					if !contains(all, c) {
						all = append(all, c)
					}
				}
				if cfn.Excluded(e.conditions, base) {
					continue // the function never runs with this role
				}
				samMade := existing == fn && sam && e.samMadeDestination(p, d, od.on) != nil
				for _, g := range d.grants() {
					all := all
					if samMade && tree.Equal(g.resource, d.arn) {
						// Where d does not exist, SAM's configuration
						// sends the records to its own queue or topic.
						g.resource, all = e.samMadeDestination(p, d, od.on), base
					} else if cfn.Excluded(e.conditions, all) {
						continue
					}
					if by, ok := e.granted(role, g, all); ok {
						if by != "" && existing == fn && mentions(e.res.Section, by, fn) {
							e.failCycle(p, by)
						}
						if by != "" && !slices.Contains(x.dependsOn, by) {
							x.dependsOn = append(x.dependsOn, by)
						}
						continue
					}
					if existing == fn && d.resource == fn {
						e.failCycle(p, fn) // the macro's policy would name the function
					}
					gk := role + "\x00" + strings.Join(all, ",")
					if covering := coveringGroup(e, groups, order, role, all, g); covering != "" {
						gk = covering // a policy of this expansion grants it where it is needed
					}
					if groups[gk] == nil {
						groups[gk] = &policyGroup{role: role, conditions: all}
						order = append(order, gk)
					}
					if !hasGrant(groups[gk].grants, g) {
						groups[gk].grants = append(groups[gk].grants, g)
					}
					if !slices.Contains(x.groups, gk) {
						x.groups = append(x.groups, gk)
					}
				}
			}
		}
		todo = append(todo, x)
	}
	if len(e.problems) > 0 {
		return 0
	}
	for _, gk := range order {
		e.addPolicy(groups[gk])
	}
	added := 0
	for _, x := range todo {
		// Lambda checks the role may deliver: the configuration waits for
		// what grants it. What exists only under a condition the
		// configuration does not have cannot be in its DependsOn
		// (CloudFormation refuses a DependsOn on a resource that may not
		// exist): the configuration the macro writes waits for it through a
		// reference under that condition instead.
		conditions := e.configConditions(x.p)
		if x.existing != "" && x.existing != x.p.t.Function {
			conditions = nil
			if c := e.res.Condition(x.existing); c != "" {
				conditions = []string{c}
			}
		}
		var dependsOn []string
		var waits []conditionalWait
		wait := func(id string, cs []string) {
			var unmet []string
			for _, c := range cs {
				if !cfn.Implied(e.conditions, c, conditions) {
					unmet = append(unmet, c)
				}
			}
			if len(unmet) == 0 {
				dependsOn = append(dependsOn, id)
			} else {
				waits = append(waits, conditionalWait{id: id, conditions: unmet})
			}
		}
		for _, by := range x.dependsOn {
			var cs []string
			if c := e.res.Condition(by); c != "" {
				cs = []string{c}
			}
			wait(by, cs)
		}
		for _, gk := range x.groups {
			wait(groups[gk].id, groups[gk].conditions)
		}
		if x.samRole {
			// SAM's configuration grants SAM's role the destinations;
			// any other, the macro's policy documents in Policies.
			samMakes := x.existing == x.p.t.Function || x.sam && x.existing == ""
			e.addSAMRolePolicies(x.p, !samMakes)
		}
		switch {
		case x.existing != "":
			// The template's configuration, or SAM's, made from the
			// function's property: it refers to the function, which
			// then waits for what grants the role (SAM copies the
			// function's DependsOn to the function, and its Metadata to
			// both).
			e.addDependsOn(x.existing, dependsOn)
			e.addWaits(x.existing, waits)
		case x.sam:
			e.res.Properties(x.p.t.Function).Set("EventInvokeConfig", e.samConfig(x.p))
			added++
		default:
			e.invokeConfigResource(x.p, dependsOn, waits)
			added++
		}
	}
	return added
}

// noteOutsideRole notes the grants a role from outside the template needs
// to deliver p's records: the macro cannot add them.
func (e *expander) noteOutsideRole(p *configPlan) {
	for _, d := range []struct {
		key string
		d   *destination
	}{{"OnFailure", p.onFailure}, {"OnSuccess", p.onSuccess}} {
		if d.d == nil {
			continue
		}
		var actions []string
		for _, g := range d.d.grants() {
			if !slices.Contains(actions, g.action) {
				actions = append(actions, g.action)
			}
		}
		e.note(p.first.at(d.key), "sends the records of %s's asynchronous invocations to a destination, but %s may run with an execution role defined outside this template, to which the macro cannot add a policy: allow that role %s on the destination where it is defined, or the stack fails when it creates the configuration (\"The provided execution role does not have permissions\")",
			p.t.Function, p.t.Function, strings.Join(actions, ", "))
	}
}

// policyGroup is a policy the macro adds: grants to one role, under one
// set of conditions.
type policyGroup struct {
	role       string
	conditions []string // of the role, the function (alias) and the destinations
	grants     []grant
	id         string // the logical ID, once added
}

// coveringGroup is a policy group already planned that grants role g
// wherever conditions all hold (its own conditions are implied by them),
// as a second expansion would find it among the template's policies; or "".
func coveringGroup(e *expander, groups map[string]*policyGroup, order []string, role string, all []string, g grant) string {
	for _, gk := range order {
		pg := groups[gk]
		if pg.role != role || !hasGrant(pg.grants, g) {
			continue
		}
		if !slices.ContainsFunc(pg.conditions, func(c string) bool { return !cfn.Implied(e.conditions, c, all) }) {
			return gk
		}
	}
	return ""
}

// configConditions are the conditions of what a plan's configuration
// configures: the function, the alias or version. A destination that exists
// only under other conditions does not make the configuration conditional
// (its retries and event age apply everywhere): it applies only where it
// exists (onlyWhere).
func (e *expander) configConditions(p *configPlan) []string {
	return e.needs(p.t.target, "")
}

// onlyWhere is v where destination d exists, and nothing elsewhere, in the
// configuration of plan p: Fn::If on d's conditions that the
// configuration's do not imply (one condition, or one the macro makes true
// when all are), or v itself.
func (e *expander) onlyWhere(p *configPlan, d *destination, v any) any {
	if c := e.condition(e.unmet(p, d)); c != "" {
		return tree.NewObject("Fn::If", []any{c, v, tree.NewObject("Ref", "AWS::NoValue")})
	}
	return v
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

// addDependsOn adds logical IDs to a resource's DependsOn.
func (e *expander) addDependsOn(id string, ids []string) {
	if len(ids) == 0 {
		return
	}
	res, _ := e.res.Get(id)
	var list []any
	switch d, _ := res.Get("DependsOn"); d := d.(type) {
	case string:
		list = []any{d}
	case []any:
		list = d
	}
	added := false
	for _, x := range ids {
		if !slices.Contains(list, any(x)) {
			list = append(list, x)
			added = true
		}
	}
	if added {
		res.Set("DependsOn", list)
	}
}

// addWaits makes the template's own configuration id wait for the
// conditional grants it does not wait for yet, through references in its
// Metadata, as the configuration the macro writes does. Metadata the macro
// cannot add to is left as written, and the wait is noted.
func (e *expander) addWaits(id string, waits []conditionalWait) {
	res, _ := e.res.Get(id)
	md, has := res.Get("Metadata")
	var missing []any
	for _, w := range waits {
		if !refersTo(md, w.id) {
			missing = append(missing, w.ref())
		}
	}
	if len(missing) == 0 {
		return
	}
	mo, isObject := md.(*tree.Object)
	switch {
	case !has:
		mo = &tree.Object{}
		res.Set("Metadata", mo)
	case !isObject || isIntrinsic(mo):
		mo = nil
	}
	var list []any
	if mo != nil {
		v, hasKey := mo.Get(waitsForKey)
		list, isObject = v.([]any)
		if hasKey && !isObject {
			mo = nil
		}
	}
	if mo == nil {
		var ids []string
		for _, w := range waits {
			ids = append(ids, w.id)
		}
		e.note(resourcesLoc.at(id).at("Metadata"), "%s must wait for %s, which exist only under conditions %s lacks, before Lambda checks its execution role may deliver to its destinations; the macro adds conditional references to them under Metadata.%s, but cannot add to this Metadata: add them yourself, or the stack may fail when it creates %s", id, strings.Join(ids, ", "), id, waitsForKey, id)
		return
	}
	mo.Set(waitsForKey, append(list, missing...))
}

// refersTo reports whether v holds a Ref to id.
func refersTo(v any, id string) bool {
	return !tree.Walk(v, func(_ []string, x any) tree.Step {
		if k, arg, ok := tree.Only(x); ok && k == "Ref" && arg == id {
			return tree.Stop
		}
		return tree.Continue
	})
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
	for _, d := range []struct {
		key string
		d   *destination
	}{{"OnFailure", p.onFailure}, {"OnSuccess", p.onSuccess}} {
		if d.d == nil || len(e.unmet(p, d.d)) == 0 {
			continue
		}
		id := cfn.SAMDestinationID(p.t.Function, d.key, d.d.kind.Type)
		if id == "" || len(id) > maxLogicalID {
			return false
		}
	}
	return true
}

// samMadeDestination is the resource of the grant of destination d (on:
// OnFailure or OnSuccess) when SAM makes p's configuration from a SAM
// function's EventInvokeConfig property for a role of the template, and d
// exists only under conditions the function lacks: where they do not hold,
// SAM sends the records to a queue or topic of its own, which it grants
// only a role it makes, so the role needs the grant on !If [condition, d,
// SAM's queue or topic] wherever the configuration exists. nil otherwise.
func (e *expander) samMadeDestination(p *configPlan, d *destination, on string) any {
	unmet := e.unmet(p, d)
	id := cfn.SAMDestinationID(p.t.Function, on, d.kind.Type)
	if len(unmet) == 0 || id == "" {
		return nil
	}
	own := cfn.RefValue(id, d.kind.SAMCreatesARN)
	return tree.NewObject("Fn::If", []any{e.condition(unmet), tree.Clone(d.arn), own})
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
	e.fail(p.first, "gives asynchronous invocation settings for %s, but Globals' Function section has an EventInvokeConfig, which SAM merges with these into other settings than either; move the settings to the shorthand and remove them from Globals, or give them there only", p.t.Function)
	return false
}

// failCycle refuses a plan whose configuration is SAM's, made from a SAM
// function's EventInvokeConfig property for a role of the template: the
// configuration waits for what grants the role through the function, and
// id, which grants it, refers to the function.
func (e *expander) failCycle(p *configPlan, id string) {
	fn := p.t.Function
	if e.reported(p.first.path()) {
		return
	}
	what := id + " (the policy that allows " + fn + "'s role to deliver) refers to " + fn
	if id == fn {
		what = "the policy that allows " + fn + "'s role to deliver would refer to " + fn + " itself"
	}
	e.fail(p.first, "sends %s's asynchronous invocation records to a destination with SAM's configuration (%s's EventInvokeConfig property) and a role of the template: that configuration can wait for the role's policy only through %s, and %s, a circular dependency; give %s's records another destination, or write the AWS::Lambda::EventInvokeConfig yourself in place of the property", fn, fn, fn, what, fn)
}

// mentions reports whether resource id of section refers to resource ref:
// by Ref (SAM's ref.Alias too), Fn::GetAtt, or ${ref} in a Fn::Sub.
func mentions(section *tree.Object, id, ref string) bool {
	v, _ := section.Get(id)
	return !tree.Walk(v, func(_ []string, x any) tree.Step {
		k, arg, ok := tree.Only(x)
		if !ok {
			return tree.Continue
		}
		s, _ := arg.(string)
		switch k {
		case "Ref":
			if x, _ := cfn.SplitRef(s); x == ref {
				return tree.Stop
			}
		case "Fn::GetAtt":
			if x, _ := cfn.GetAtt(arg); x == ref {
				return tree.Stop
			}
		case "Fn::Sub":
			text, _, _ := cfn.SubArgs(arg)
			for _, part := range cfn.SplitSub(text) {
				if x, _ := cfn.SplitRef(part.Ref); part.Ref != "" && x == ref {
					return tree.Stop
				}
			}
		}
		return tree.Continue
	})
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
		e.fail(p.first, "gives asynchronous invocation settings for %s, but SAM configures asynchronous invocation of %s (AutoPublishAlias) on its alias, not on what this integration invokes; invoke the alias (!Ref %s.Alias or ${%s.Arn}:%s) so that the settings apply to the calls", p.t.ID, fn, fn, fn, e.literal(alias))
	default:
		e.fail(p.first, "gives asynchronous invocation settings for %s, but SAM configures asynchronous invocation of %s on $LATEST, which this integration does not invoke; invoke !GetAtt %s.Arn, or give the alias its own AWS::Lambda::EventInvokeConfig", p.t.ID, fn, fn)
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

// sameSetting compares settings as deployed: objects whatever the order of
// their keys, ARNs however they are written, numbers by value.
func sameSetting(e *expander, a, b any) bool {
	ao, aok := a.(*tree.Object)
	bo, bok := b.(*tree.Object)
	if aok && bok && !isIntrinsic(ao) && !isIntrinsic(bo) {
		if ao.Len() != bo.Len() {
			return false
		}
		for _, m := range ao.Members {
			v, has := bo.Get(m.Key)
			if !has || !sameSetting(e, m.Value, v) {
				return false
			}
		}
		return true
	}
	if sameValue(e, a, b) {
		return true
	}
	fa, oka := cfn.Flatten(a)
	fb, okb := cfn.Flatten(b)
	return oka && okb && fa == fb && !strings.Contains(fa, cfn.Opaque)
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

// qualifier is the Qualifier of the target's AWS::Lambda::EventInvokeConfig.
func (e *expander) qualifier(t resolved) any {
	switch {
	case e.res.Type(t.Resource) == cfn.TypeAlias:
		name, _ := e.res.Properties(t.Resource).Get("Name")
		return tree.Clone(name)
	case e.res.Type(t.Resource) == cfn.TypeVersion:
		return tree.NewObject("Fn::GetAtt", []any{t.Resource, "Version"})
	}
	if tree.Equal(t.Name, tree.NewObject("Ref", t.Function+".Alias")) {
		return tree.Clone(e.samProperty(t.Function, "AutoPublishAlias"))
	}
	if k, arg, _ := tree.Only(t.Name); k == "Fn::Sub" {
		s, _ := arg.(string)
		q := strings.TrimPrefix(s, "${"+t.Function+".Arn}:")
		if id, attr, ok := cfn.SplitSubVar(q); ok && attr == "" {
			return tree.NewObject("Ref", id)
		}
		if !strings.Contains(q, "${") {
			return q
		}
		return tree.NewObject("Fn::Sub", q)
	}
	return "$LATEST"
}

// configProperties are the settings of an AWS::Lambda::EventInvokeConfig.
func (e *expander) configProperties(p *configPlan) *tree.Object {
	o := &tree.Object{}
	if p.c.Retries != nil {
		o.Set("MaximumRetryAttempts", tree.Clone(p.c.Retries))
	}
	if p.c.Age != nil {
		o.Set("MaximumEventAgeInSeconds", tree.Clone(p.c.Age))
	}
	dc := &tree.Object{}
	if d := p.onSuccess; d != nil {
		dc.Set("OnSuccess", e.onlyWhere(p, d, tree.NewObject("Destination", tree.Clone(d.arn))))
	}
	if d := p.onFailure; d != nil {
		dc.Set("OnFailure", e.onlyWhere(p, d, tree.NewObject("Destination", tree.Clone(d.arn))))
	}
	if dc.Len() > 0 {
		o.Set("DestinationConfig", dc)
	}
	return o
}

// invokeConfigResource adds the AWS::Lambda::EventInvokeConfig of a plain
// function, its alias or version.
func (e *expander) invokeConfigResource(p *configPlan, grantors []string, waits []conditionalWait) {
	props := tree.NewObject("FunctionName", tree.NewObject("Ref", p.t.Function), "Qualifier", e.qualifier(p.t))
	props.Members = append(props.Members, e.configProperties(p).Members...)
	res := tree.NewObject("Type", cfn.TypeEventInvokeConfig)
	if c := e.condition(e.configConditions(p)); c != "" {
		res.Set("Condition", c)
	}
	var dependsOn, refs []any
	for _, g := range grantors {
		dependsOn = append(dependsOn, g) // Lambda checks the role may deliver
	}
	switch {
	case e.res.Type(p.t.Resource) == cfn.TypeAlias:
		dependsOn = append(dependsOn, p.t.Resource) // the Qualifier names it
	case tree.Equal(p.t.Name, tree.NewObject("Ref", p.t.Function+".Alias")):
		// The Qualifier names the alias SAM makes: by its logical ID when
		// the template writes its name, else by SAM's reference to it,
		// which SAM resolves whatever the parameter's value.
		if name, ok := e.samProperty(p.t.Function, "AutoPublishAlias").(string); ok {
			dependsOn = append(dependsOn, cfn.SAMAliasID(p.t.Function, name))
		} else {
			refs = append(refs, tree.NewObject("Ref", p.t.Function+".Alias"))
		}
	}
	if len(dependsOn) > 0 {
		res.Set("DependsOn", dependsOn)
	}
	for _, w := range waits {
		refs = append(refs, w.ref())
	}
	if len(refs) > 0 {
		res.Set("Metadata", tree.NewObject(waitsForKey, refs))
	}
	res.Set("Properties", props)
	e.res.Section.Set(e.freeID(p.t.ID+"AsyncInvokeConfig"), res)
}

// waitsForKey is the Metadata key of the configuration the macro writes
// that lists the conditional grants (and the SAM alias named by a
// parameter) it waits for.
const waitsForKey = "AsyncInvokeWaitsFor"

// conditionalWait is a resource that exists only under conditions, which
// a configuration must wait for when they hold.
type conditionalWait struct {
	id         string
	conditions []string
}

// ref is a reference to w's resource when its conditions hold and nothing
// otherwise: a reference makes CloudFormation create the resource first,
// where a DependsOn on a resource that may not exist is refused.
func (w conditionalWait) ref() any {
	var v any = tree.NewObject("Ref", w.id)
	for i := len(w.conditions) - 1; i >= 0; i-- {
		v = tree.NewObject("Fn::If", []any{w.conditions[i], v, tree.NewObject("Ref", "AWS::NoValue")})
	}
	return v
}

// samConfig is a SAM function's EventInvokeConfig property for the plan.
func (e *expander) samConfig(p *configPlan) *tree.Object {
	o := &tree.Object{}
	if p.c.Age != nil {
		o.Set("MaximumEventAgeInSeconds", tree.Clone(p.c.Age))
	}
	if p.c.Retries != nil {
		o.Set("MaximumRetryAttempts", tree.Clone(p.c.Retries))
	}
	dc := &tree.Object{}
	// SAM takes a destination under a condition inside Destination, and
	// makes a queue or topic of its own for the other case (only for
	// those kinds: samCanConfigure).
	if d := p.onSuccess; d != nil {
		dc.Set("OnSuccess", tree.NewObject("Type", d.kind.Type, "Destination", e.onlyWhere(p, d, tree.Clone(d.arn))))
	}
	if d := p.onFailure; d != nil {
		dc.Set("OnFailure", tree.NewObject("Type", d.kind.Type, "Destination", e.onlyWhere(p, d, tree.Clone(d.arn))))
	}
	if dc.Len() > 0 {
		o.Set("DestinationConfig", dc)
	}
	return o
}

// executionRoles are the AWS::IAM::Role resources of this template that fn
// may run with: !GetAtt Role.Arn, the role's ARN spelled out with its name,
// a branch of a Fn::If that the function's Condition allows. None for a
// role from elsewhere, or SAM's own.
// outside reports that fn may run with a role from elsewhere, and sams
// that a SAM function has a Role only under a condition, so that SAM makes
// its role under the other.
func (e *expander) executionRoles(fn string) (roles []string, outside, sams bool) {
	var fnConditions []string
	if c := e.res.Condition(fn); c != "" {
		fnConditions = []string{c}
	}
	var visit func(v any)
	visit = func(v any) {
		if k, arg, ok := tree.Only(v); ok && k == "Fn::If" {
			if a, ok := arg.([]any); ok && len(a) == 3 {
				c, _ := a[0].(string)
				if c == "" || !cfn.Excluded(e.conditions, append(slices.Clone(fnConditions), c)) {
					visit(a[1])
				}
				if c == "" || !cfn.Implied(e.conditions, c, fnConditions) {
					visit(a[2]) // not when the function exists only if c holds
				}
			}
			return
		}
		if tree.Equal(v, tree.NewObject("Ref", "AWS::NoValue")) {
			sams = e.res.Type(fn) == cfn.TypeSAMFunction // SAM's own role
			return
		}
		flat, ok := cfn.Flatten(v)
		if !ok {
			outside = true
			return
		}
		id, attr, ok := cfn.SplitSubVar(flat)
		if !ok || attr != "Arn" {
			id = ""
			if segs := cfn.SplitARN(flat); len(segs) == 6 && segs[2] == "iam" {
				if name, isRole := strings.CutPrefix(segs[5], "role/"); isRole {
					if i, a, ok := cfn.SplitSubVar(name); ok && a == "" {
						id = i // a role's Ref is its name
					}
				}
			}
		}
		switch {
		case e.res.Type(id) != cfn.TypeRole:
			outside = true
		case !slices.Contains(roles, id):
			roles = append(roles, id)
		}
	}
	if role := e.samProperty(fn, "Role"); role != nil {
		visit(role)
	}
	return roles, outside, sams
}

// addPolicy adds a group's policy, named by its logical ID (a role's inline
// policies must have different names), and notes that ID.
func (e *expander) addPolicy(g *policyGroup) {
	res := tree.NewObject("Type", cfn.TypePolicy)
	c := e.condition(g.conditions)
	if c != "" {
		res.Set("Condition", c)
	}
	id := e.freeID(g.role + c + "AsyncInvokeDestinationsPolicy")
	res.Set("Properties", tree.NewObject(
		"PolicyName", policyName(id),
		"Roles", []any{tree.NewObject("Ref", g.role)},
		"PolicyDocument", tree.NewObject("Version", "2012-10-17", "Statement", statements(g.grants)),
	))
	e.res.Section.Set(id, res)
	g.id = id
}

// statements are the policy statements that allow grants, one a grant.
func statements(grants []grant) []any {
	list := make([]any, len(grants))
	for i, g := range grants {
		list[i] = tree.NewObject("Effect", "Allow", "Action", g.action, "Resource", tree.Clone(g.resource))
	}
	return list
}

func hasGrant(list []grant, g grant) bool {
	for _, x := range list {
		if x.action == g.action && tree.Equal(x.resource, g.resource) {
			return true
		}
	}
	return false
}

// granted reports whether the template already allows role the grant
// whenever conditions hold: in a policy of its own (by "", which the role's
// functions wait for anyway), or in an AWS::IAM::Policy, AWS::IAM::RolePolicy
// or AWS::IAM::ManagedPolicy attached to it (by its logical ID, which a
// configuration must wait for) that exists whenever conditions hold. A
// policy that exists only under another condition does not count: where it
// is not created, Lambda finds the role without the grant and refuses the
// configuration.
func (e *expander) granted(role string, g grant, conditions []string) (string, bool) {
	if policies, _ := e.res.Properties(role).Get("Policies"); policies != nil {
		list, _ := policies.([]any)
		for _, p := range list {
			po, _ := p.(*tree.Object)
			d, _ := po.Get("PolicyDocument")
			if allows(d, g) {
				return "", true
			}
		}
	}
	ref := tree.NewObject("Ref", role)
	by := ""
	e.res.Each(func(id string, _ *tree.Object) {
		props := e.res.Properties(id)
		attached := false
		switch e.res.Type(id) {
		case cfn.TypePolicy, cfn.TypeManagedPolicy:
			roles, _ := props.Get("Roles")
			list, _ := roles.([]any)
			for _, r := range list {
				attached = attached || tree.Equal(r, ref) || r == role
			}
		case cfn.TypeRolePolicy:
			name, _ := props.Get("RoleName")
			attached = tree.Equal(name, ref) || name == role
		}
		if c := e.res.Condition(id); c != "" && !cfn.Implied(e.conditions, c, conditions) {
			return
		}
		if d, _ := props.Get("PolicyDocument"); by == "" && attached && allows(d, g) {
			by = id
		}
	})
	return by, by != ""
}

// allows reports whether a policy document has an Allow statement for the
// grant's action (as IAM matches actions: cfn.ActionMatches) on its
// resource (or *).
func allows(doc any, g grant) bool {
	d, _ := doc.(*tree.Object)
	st, _ := d.Get("Statement")
	statements, isList := st.([]any)
	if !isList {
		statements = []any{st}
	}
	for _, s := range statements {
		so, _ := s.(*tree.Object)
		if effect, _ := so.Get("Effect"); effect != "Allow" {
			continue
		}
		action, _ := so.Get("Action")
		resource, _ := so.Get("Resource")
		if anyOf(action, func(v any) bool { s, _ := v.(string); return cfn.ActionMatches(s, g.action) }) &&
			anyOf(resource, func(v any) bool { return v == "*" || tree.Equal(v, g.resource) }) {
			return true
		}
	}
	return false
}

func anyOf(v any, f func(any) bool) bool {
	if list, ok := v.([]any); ok {
		for _, x := range list {
			if f(x) {
				return true
			}
		}
		return false
	}
	return f(v)
}
