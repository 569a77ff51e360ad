package macro

import (
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Configurations, written: the macro's AWS::Lambda::EventInvokeConfig, a
// SAM function's EventInvokeConfig property, or the template's own
// configuration made to wait (DependsOn, or a conditional reference in its
// Metadata) for what grants its role what delivering needs.

// writeConfig writes x's configuration, or makes the template's wait for
// what grants the role what it needs, and reports whether it added one.
func (e *expander) writeConfig(x *decided) bool {
	// Lambda checks the role may deliver: the configuration waits for
	// what grants it.
	conditions := e.configConditions(x.p)
	if x.existing != "" && x.existing != x.p.t.Function {
		conditions = nil
		if c := e.res.Condition(x.existing); c != "" {
			conditions = []string{c}
		}
	}
	dependsOn, waits := e.waitsFor(x, conditions)
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
		return false
	case x.sam:
		e.res.Properties(x.p.t.Function).Set("EventInvokeConfig", e.samConfig(x.p))
	default:
		e.invokeConfigResource(x.p, dependsOn, waits)
	}
	return true
}

// waitsFor is what a configuration that exists where conditions hold must
// wait for before Lambda checks x's role: in its DependsOn what exists
// wherever it does, and a conditional reference to what exists only under
// a condition it does not have (CloudFormation refuses a DependsOn on a
// resource that may not exist).
func (e *expander) waitsFor(x *decided, conditions []string) (dependsOn []string, waits []conditionalWait) {
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
	for _, g := range x.groups {
		wait(g.id, g.conditions)
	}
	return dependsOn, waits
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
	e.res.Section.Set(e.freeID(e.configID(p)), res)
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
func (e *expander) samConfig(p *configPlan) *tree.Object { return e.configSettings(p, true) }

// configProperties are the settings of an AWS::Lambda::EventInvokeConfig.
func (e *expander) configProperties(p *configPlan) *tree.Object { return e.configSettings(p, false) }

// configSettings are the settings of p's configuration: an
// AWS::Lambda::EventInvokeConfig's, or (sam) a SAM function's
// EventInvokeConfig property, which gives each destination its Type and
// takes a destination under a condition inside Destination (SAM makes a
// queue or topic of its own for the other case: samCanConfigure). A
// destination under a condition the configuration lacks is there only
// where it holds (onlyWhere).
func (e *expander) configSettings(p *configPlan, sam bool) *tree.Object {
	o := &tree.Object{}
	settings := []struct {
		s cfn.AsyncSetting
		v any
	}{{cfn.MaximumRetryAttempts, p.c.Retries}, {cfn.MaximumEventAgeInSeconds, p.c.Age}}
	if sam {
		settings[0], settings[1] = settings[1], settings[0] // as SAM's documentation orders them
	}
	for _, x := range settings {
		if x.v != nil {
			o.Set(x.s.Property, tree.Clone(x.v))
		}
	}
	dc := &tree.Object{}
	for _, od := range []planDestination{{"OnSuccess", p.onSuccess}, {"OnFailure", p.onFailure}} {
		switch d := od.d; {
		case d == nil:
		case sam:
			dc.Set(od.option, tree.NewObject("Type", d.kind.Type, "Destination", e.onlyWhere(p, d, tree.Clone(d.arn))))
		default:
			dc.Set(od.option, e.onlyWhere(p, d, tree.NewObject("Destination", tree.Clone(d.arn))))
		}
	}
	if dc.Len() > 0 {
		o.Set("DestinationConfig", dc)
	}
	return o
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
