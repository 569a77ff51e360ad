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
		d, good := e.destination(c.OnFailure, true, where.at("OnFailure"))
		onFailure, ok = &d, ok && good
	}
	if c.OnSuccess != nil {
		d, good := e.destination(c.OnSuccess, false, where.at("OnSuccess"))
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
		return (a == nil) == (b == nil) && (a == nil || sameSetting(e, a.arn, b.arn))
	}
	return same(p.onFailure, onFailure) && same(p.onSuccess, onSuccess) &&
		(p.c.Retries == nil) == (c.Retries == nil) && p.c.retryValue == c.retryValue &&
		(p.c.Age == nil) == (c.Age == nil) && p.c.ageValue == c.ageValue
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
		samRole   bool     // a SAM function whose role SAM makes, which may need grants on keys
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
		if sam && (!e.samQualifierMatches(p) || !e.samGlobalsAgree(p, len(roles) == 0)) {
			continue
		}
		existing, differs := e.existingConfig(p, sam && len(roles) == 0)
		if differs != nil {
			e.fail(differs, "configures the asynchronous invocation of %s differently from the AsyncInvoke options at %s; a function (or alias, or version) has one configuration: make them the same, or remove one", p.t.ID, p.first.path())
			continue
		}
		x := pending{p: p, sam: sam && len(roles) == 0, existing: existing, samRole: sam && len(roles) == 0 && !outside}
		conditions := e.configConditions(p)
		for _, role := range roles {
			for _, d := range []*destination{p.onFailure, p.onSuccess} {
				if d == nil {
					continue
				}
				// The conditions under which the function runs with this
				// role and has this configuration.
				all := slices.Clone(conditions)
				if c := e.res.Condition(role); c != "" && !contains(all, c) {
					all = append(all, c)
				}
				if e.excluded(all) {
					continue // the function never runs with this role
				}
				for _, g := range d.grants(e) {
					if by, ok := e.granted(role, g, all); ok {
						if by != "" && !slices.Contains(x.dependsOn, by) {
							x.dependsOn = append(x.dependsOn, by)
						}
						continue
					}
					gk := role + "\x00" + strings.Join(all, ",")
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
				if !e.implied(c, conditions) {
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
		if x.samRole && (x.sam || x.existing == x.p.t.Function) {
			e.addSAMKeyPolicy(x.p)
		}
		switch {
		case x.existing != "":
			if x.existing != x.p.t.Function { // not a SAM function's own property: it would wait for its own destination
				e.addDependsOn(x.existing, dependsOn)
				e.addWaits(x.existing, waits)
			}
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
		for _, g := range d.d.grants(e) {
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

// configConditions are the conditions of what a plan's configuration
// refers to: the function, the alias or version, the destinations.
func (e *expander) configConditions(p *configPlan) []string {
	cs := e.needs(p.t.target, "")
	for _, d := range []*destination{p.onFailure, p.onSuccess} {
		if d == nil {
			continue
		}
		if c := e.res.Condition(d.resource); d.resource != "" && c != "" && !contains(cs, c) {
			cs = append(cs, c)
		}
	}
	return cs
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
	switch v := v.(type) {
	case []any:
		return slices.ContainsFunc(v, func(x any) bool { return refersTo(x, id) })
	case *tree.Object:
		if k, arg, ok := tree.Only(v); ok && k == "Ref" && arg == id {
			return true
		}
		for _, m := range v.Members {
			if refersTo(m.Value, id) {
				return true
			}
		}
	}
	return false
}

// samGlobalsAgree refuses settings for a SAM function when Globals'
// Function section has an EventInvokeConfig that would change them: SAM
// merges the two into the property (samProperty), or, when the macro writes
// the configuration itself, makes a second one.
func (e *expander) samGlobalsAgree(p *configPlan, samProperty bool) bool {
	gc, has := cfn.SAMGlobals(e.fragment).Get("EventInvokeConfig")
	if !has {
		return true
	}
	ours := e.samConfig(p)
	if samProperty && sameSetting(e, cfn.MergeGlobals(gc, ours), ours) {
		return true
	}
	e.fail(p.first, "gives asynchronous invocation settings for %s, but Globals' Function section has an EventInvokeConfig, which SAM %s; move the settings to the shorthand and remove them from Globals, or give them there only", p.t.Function,
		map[bool]string{true: "merges with these into other settings than either", false: "turns into a second configuration beside the one the macro writes (the function's role is a role of the template)"}[samProperty])
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
		e.fail(p.first, "gives asynchronous invocation settings for %s, but SAM configures asynchronous invocation of %s (AutoPublishAlias) on its alias, not on what this integration invokes; invoke the alias (!Ref %s.Alias or ${%s.Arn}:%s) so that the settings apply to the calls", p.t.ID, fn, fn, fn, e.literal(alias))
	default:
		e.fail(p.first, "gives asynchronous invocation settings for %s, but SAM configures asynchronous invocation of %s on $LATEST, which this integration does not invoke; invoke !GetAtt %s.Arn, or give the alias its own AWS::Lambda::EventInvokeConfig", p.t.ID, fn, fn)
	}
	return false
}

// existingConfig finds the configuration the template already has for the
// plan's target: the logical ID of an identical AWS::Lambda::EventInvokeConfig
// (or, for samProperty, the SAM function's own when identical), or where one
// differs.
func (e *expander) existingConfig(p *configPlan, samProperty bool) (string, *loc) {
	if samProperty {
		v, has := e.res.Properties(p.t.Function).Get("EventInvokeConfig")
		switch {
		case !has:
			return "", nil
		case sameSetting(e, v, e.samConfig(p)):
			return p.t.Function, nil
		}
		return "", resourcesLoc.at(p.t.Function).at("Properties").at("EventInvokeConfig")
	}
	found, differs := "", ""
	qualifier := e.qualifier(p.t)
	e.res.Each(func(id string, _ *tree.Object) {
		props := e.res.Properties(id)
		if found != "" || differs != "" || e.res.Type(id) != cfn.TypeEventInvokeConfig || props == nil {
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
				differs = id
				return
			}
		}
		found = id
	})
	if differs != "" {
		return "", resourcesLoc.at(differs).at("Properties")
	}
	return found, nil
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
	if p.onSuccess != nil {
		dc.Set("OnSuccess", tree.NewObject("Destination", tree.Clone(p.onSuccess.arn)))
	}
	if p.onFailure != nil {
		dc.Set("OnFailure", tree.NewObject("Destination", tree.Clone(p.onFailure.arn)))
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
	var dependsOn []any
	for _, g := range grantors {
		dependsOn = append(dependsOn, g) // Lambda checks the role may deliver
	}
	switch {
	case e.res.Type(p.t.Resource) == cfn.TypeAlias:
		dependsOn = append(dependsOn, p.t.Resource) // the Qualifier names it
	case tree.Equal(p.t.Name, tree.NewObject("Ref", p.t.Function+".Alias")):
		if name := e.literal(e.samProperty(p.t.Function, "AutoPublishAlias")); name != "" {
			dependsOn = append(dependsOn, p.t.Function+"Alias"+logicalPart(name)) // the alias SAM makes
		}
	}
	if len(dependsOn) > 0 {
		res.Set("DependsOn", dependsOn)
	}
	if len(waits) > 0 {
		var refs []any
		for _, w := range waits {
			refs = append(refs, w.ref())
		}
		res.Set("Metadata", tree.NewObject(waitsForKey, refs))
	}
	res.Set("Properties", props)
	e.res.Section.Set(e.freeID(p.t.ID+"AsyncInvokeConfig"), res)
}

// waitsForKey is the Metadata key of the configuration the macro writes
// that lists the conditional grants it waits for.
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
	if p.onSuccess != nil {
		dc.Set("OnSuccess", tree.NewObject("Type", p.onSuccess.kind, "Destination", tree.Clone(p.onSuccess.arn)))
	}
	if p.onFailure != nil {
		dc.Set("OnFailure", tree.NewObject("Type", p.onFailure.kind, "Destination", tree.Clone(p.onFailure.arn)))
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
				if c == "" || !e.excluded(append(slices.Clone(fnConditions), c)) {
					visit(a[1])
				}
				if c == "" || !e.implied(c, fnConditions) {
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
		case e.res.Type(id) != "AWS::IAM::Role":
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
	res := tree.NewObject("Type", "AWS::IAM::Policy")
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
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
			roles, _ := props.Get("Roles")
			list, _ := roles.([]any)
			for _, r := range list {
				attached = attached || tree.Equal(r, ref) || r == role
			}
		case "AWS::IAM::RolePolicy":
			name, _ := props.Get("RoleName")
			attached = tree.Equal(name, ref) || name == role
		}
		if c := e.res.Condition(id); c != "" && !e.implied(c, conditions) {
			return
		}
		if d, _ := props.Get("PolicyDocument"); by == "" && attached && allows(d, g) {
			by = id
		}
	})
	return by, by != ""
}

// allows reports whether a policy document has an Allow statement for the
// grant's action (or a wildcard of it) on its resource (or *).
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
		if anyOf(action, func(v any) bool { return actionMatches(v, g.action) }) &&
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

func actionMatches(v any, action string) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	service, _, _ := strings.Cut(action, ":")
	return s == "*" || strings.EqualFold(s, action) || strings.EqualFold(s, service+":*")
}
