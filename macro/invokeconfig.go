package macro

import (
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
	if c.empty() {
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
		if !sameSettings(p, c, onFailure, onSuccess) {
			e.fail(where, "gives %s other asynchronous invocation settings than %s does; a function (or alias, or version) has one configuration: give both the same OnFailure, OnSuccess, MaximumRetryAttempts and MaximumEventAgeInSeconds", t.ID, p.first.path())
		}
	}
}

func sameSettings(p *configPlan, c InvokeConfig, onFailure, onSuccess *destination) bool {
	same := func(a, b *destination) bool {
		return (a == nil) == (b == nil) && (a == nil || tree.Equal(a.arn, b.arn))
	}
	return same(p.onFailure, onFailure) && same(p.onSuccess, onSuccess) &&
		(p.c.Retries == nil) == (c.Retries == nil) && p.c.retryValue == c.retryValue &&
		(p.c.Age == nil) == (c.Age == nil) && p.c.ageValue == c.ageValue
}

// addInvokeConfigs writes the planned configurations: a SAM function's
// EventInvokeConfig property, or an AWS::Lambda::EventInvokeConfig, and the
// policy that lets a role of the template deliver the records. It returns
// how many configurations it added.
func (e *expander) addInvokeConfigs() int {
	type pending struct {
		p    *configPlan
		role string // the execution role of the template to grant to, or ""
	}
	var todo []pending
	grants := map[string][]grant{} // by role
	var roles []string
	for _, key := range e.plans.order {
		p := e.plans.plans[key]
		sam := e.res.Type(p.t.Function) == cfn.TypeSAMFunction
		if sam && !e.samQualifierMatches(p) {
			continue
		}
		if existing, where := e.existingConfig(p, sam); existing {
			if where != nil {
				e.fail(where, "configures the asynchronous invocation of %s differently from the AsyncInvoke options at %s; a function (or alias, or version) has one configuration: make them the same, or remove one", p.t.ID, p.first.path())
			}
			continue
		}
		role := e.executionRole(p.t.Function)
		if role != "" {
			for _, d := range []*destination{p.onFailure, p.onSuccess} {
				if d == nil {
					continue
				}
				for _, g := range d.grants() {
					if e.granted(role, g) || hasGrant(grants[role], g) {
						continue
					}
					if grants[role] == nil {
						roles = append(roles, role)
					}
					grants[role] = append(grants[role], g)
				}
			}
		}
		todo = append(todo, pending{p: p, role: role})
	}
	if len(e.problems) > 0 {
		return 0
	}
	policies := map[string]string{}
	for _, role := range roles {
		policies[role] = e.addPolicy(role, grants[role])
	}
	for _, x := range todo {
		policy := policies[x.role]
		if e.res.Type(x.p.t.Function) == cfn.TypeSAMFunction {
			e.samInvokeConfig(x.p, policy)
		} else {
			e.invokeConfigResource(x.p, policy)
		}
	}
	return len(todo)
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

// existingConfig finds a configuration the template already has for the
// plan's target. where is set when it differs from the plan.
func (e *expander) existingConfig(p *configPlan, sam bool) (bool, *loc) {
	if sam {
		v, has := e.res.Properties(p.t.Function).Get("EventInvokeConfig")
		if !has {
			return false, nil
		}
		if tree.Equal(v, e.samConfig(p)) {
			return true, nil
		}
		return true, resourcesLoc.at(p.t.Function).at("Properties").at("EventInvokeConfig")
	}
	found, differs := false, ""
	qualifier := e.qualifier(p.t)
	e.res.Each(func(id string, _ *tree.Object) {
		props := e.res.Properties(id)
		if found || e.res.Type(id) != "AWS::Lambda::EventInvokeConfig" || props == nil {
			return
		}
		fn, _ := props.Get("FunctionName")
		q, _ := props.Get("Qualifier")
		if e.res.InvokedFunction(fn) != p.t.Function || !sameValue(e, q, qualifier) {
			return
		}
		found = true
		want := e.configProperties(p)
		for _, key := range []string{"MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"} {
			a, _ := props.Get(key)
			b, _ := want.Get(key)
			if !sameValue(e, a, b) {
				differs = id
			}
		}
	})
	if differs != "" {
		return true, resourcesLoc.at(differs).at("Properties")
	}
	return found, nil
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
func (e *expander) invokeConfigResource(p *configPlan, policy string) {
	props := tree.NewObject("FunctionName", tree.NewObject("Ref", p.t.Function), "Qualifier", e.qualifier(p.t))
	props.Members = append(props.Members, e.configProperties(p).Members...)
	res := tree.NewObject("Type", "AWS::Lambda::EventInvokeConfig")
	if c := e.condition(e.needs(p.t.target, "")); c != "" {
		res.Set("Condition", c)
	}
	var dependsOn []any
	if policy != "" {
		dependsOn = append(dependsOn, policy) // Lambda checks the role may deliver
	}
	if e.res.Type(p.t.Resource) == cfn.TypeAlias {
		dependsOn = append(dependsOn, p.t.Resource) // the Qualifier names it
	}
	if len(dependsOn) > 0 {
		res.Set("DependsOn", dependsOn)
	}
	res.Set("Properties", props)
	e.res.Section.Set(e.freeID(p.t.ID+"AsyncInvokeConfig"), res)
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

// samInvokeConfig sets a SAM function's EventInvokeConfig property: SAM
// creates the configuration, and the policies when it creates the role.
func (e *expander) samInvokeConfig(p *configPlan, policy string) {
	e.res.Properties(p.t.Function).Set("EventInvokeConfig", e.samConfig(p))
	if policy == "" {
		return
	}
	// SAM's configuration names the function: making the function wait for
	// the policy makes the configuration wait for it too.
	res, _ := e.res.Get(p.t.Function)
	switch d, _ := res.Get("DependsOn"); d := d.(type) {
	case nil:
		res.Set("DependsOn", []any{policy})
	case string:
		res.Set("DependsOn", []any{d, policy})
	case []any:
		res.Set("DependsOn", append(d, policy))
	}
}

// executionRole is the logical ID of the AWS::IAM::Role of this template
// that fn runs with, or "" (a role from elsewhere, or SAM's own).
func (e *expander) executionRole(fn string) string {
	role := e.samProperty(fn, "Role")
	k, arg, ok := tree.Only(role)
	if !ok || k != "Fn::GetAtt" {
		return ""
	}
	if id, attr := cfn.GetAtt(arg); attr == "Arn" && e.res.Type(id) == "AWS::IAM::Role" {
		return id
	}
	return ""
}

// addPolicy adds the policy that lets role deliver the records and returns
// its logical ID.
func (e *expander) addPolicy(role string, grants []grant) string {
	statements := make([]any, len(grants))
	for i, g := range grants {
		statements[i] = tree.NewObject("Effect", "Allow", "Action", g.action, "Resource", tree.Clone(g.resource))
	}
	res := tree.NewObject("Type", "AWS::IAM::Policy")
	if c := e.res.Condition(role); c != "" {
		res.Set("Condition", c)
	}
	res.Set("Properties", tree.NewObject(
		"PolicyName", "AsyncInvokeDestinations",
		"Roles", []any{tree.NewObject("Ref", role)},
		"PolicyDocument", tree.NewObject("Version", "2012-10-17", "Statement", statements),
	))
	id := e.freeID(role + "AsyncInvokeDestinationsPolicy")
	e.res.Section.Set(id, res)
	return id
}

func hasGrant(list []grant, g grant) bool {
	for _, x := range list {
		if x.action == g.action && tree.Equal(x.resource, g.resource) {
			return true
		}
	}
	return false
}

// granted reports whether the template already allows role the grant: a
// statement of its own policies, or of an AWS::IAM::Policy,
// AWS::IAM::RolePolicy or AWS::IAM::ManagedPolicy attached to it.
func (e *expander) granted(role string, g grant) bool {
	var docs []any
	if policies, _ := e.res.Properties(role).Get("Policies"); policies != nil {
		list, _ := policies.([]any)
		for _, p := range list {
			if po, ok := p.(*tree.Object); ok {
				d, _ := po.Get("PolicyDocument")
				docs = append(docs, d)
			}
		}
	}
	ref := tree.NewObject("Ref", role)
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
		if attached {
			d, _ := props.Get("PolicyDocument")
			docs = append(docs, d)
		}
	})
	for _, d := range docs {
		if allows(d, g) {
			return true
		}
	}
	return false
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
