package macro

import (
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Execution roles and their policies: the roles of the template a function
// may run with, whether their policies already allow a grant (as IAM
// matches actions), the policies the macro adds to them, and the policy
// documents it adds to a SAM function's Policies for the role SAM makes.

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

// noteOutsideRole notes the grants a role from outside the template needs
// to deliver p's records: the macro cannot add them.
func (e *expander) noteOutsideRole(p *configPlan) {
	for _, d := range p.destinations() {
		var actions []string
		for _, g := range d.d.grants() {
			if !slices.Contains(actions, g.action) {
				actions = append(actions, g.action)
			}
		}
		e.note(p.first.at(d.option), "sends the records of %s's asynchronous invocations to a destination, but %s may run with an execution role defined outside this template, to which the macro cannot add a policy: allow that role %s on the destination where it is defined, or the stack fails when it creates the configuration (\"The provided execution role does not have permissions\")",
			p.t.Function, p.t.Function, strings.Join(actions, ", "))
	}
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

func hasGrant(list []grant, g grant) bool {
	for _, x := range list {
		if x.action == g.action && tree.Equal(x.resource, g.resource) {
			return true
		}
	}
	return false
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

// addSAMRolePolicies lets the role SAM makes for p's function use the keys
// of p's destinations: SAM's EventInvokeConfig property grants the role
// the destination's own action only. With destinations (a configuration
// other than SAM's), it grants the destinations' actions too. The grants go
// into the function's Policies as a policy document (SAM makes it an
// inline policy of the role, which the function, and so its
// configuration, waits for), under the conditions of the destinations the
// function lacks; what Policies grants already is not repeated.
func (e *expander) addSAMRolePolicies(p *configPlan, destinations bool) {
	fn := p.t.Function
	props := e.res.Properties(fn)
	pv, has := props.Get("Policies")
	list, isList := pv.([]any)
	if has && !isList {
		list = []any{pv} // SAM reads one policy as a list of it
	}
	var base []string
	for _, c := range e.configConditions(p) {
		if fc := e.res.Condition(fn); c != fc && !cfn.Implied(e.conditions, c, []string{fc}) {
			base = append(base, c)
		}
	}
	// One policy document per destination: each exists where its
	// destination does (its Condition, or an Fn::If in the option). A
	// grant two destinations need (their key) goes into the document of
	// the one whose conditions hold wherever the other's do.
	type need struct {
		grants     []grant
		conditions []string
	}
	var needs []need
	for _, od := range p.destinations() {
		d := od.d
		var needed []grant
		if destinations {
			needed = d.grants()
		} else if d.key.arn != nil {
			for _, action := range d.kind.KeyActions {
				needed = append(needed, grant{action, d.key.arn})
			}
		}
		cs := slices.Clone(base)
		for _, c := range e.unmet(p, d) {
			if !contains(cs, c) {
				cs = append(cs, c)
			}
		}
		needs = append(needs, need{needed, cs})
	}
	// covered reports whether needs[j] gives g wherever needs[i] needs it,
	// in its stead: under conditions that hold wherever i's do (fewer, or
	// as many and first).
	covered := func(i, j int, g grant) bool {
		a, b := needs[i].conditions, needs[j].conditions
		return i != j && hasGrant(needs[j].grants, g) && (len(b) < len(a) || len(b) == len(a) && j < i) &&
			!slices.ContainsFunc(b, func(c string) bool { return !cfn.Implied(e.conditions, c, a) })
	}
	changed := false
	for i, n := range needs {
		var grants []grant
		for _, g := range n.grants {
			elsewhere := false
			for j := range needs {
				elsewhere = elsewhere || covered(i, j, g)
			}
			if elsewhere || hasGrant(grants, g) || slices.ContainsFunc(list, func(item any) bool { return allows(item, g) }) {
				continue
			}
			grants = append(grants, g)
		}
		if len(grants) == 0 {
			continue
		}
		var item any = tree.NewObject("Version", "2012-10-17", "Statement", statements(grants))
		if c := e.condition(n.conditions); c != "" {
			item = tree.NewObject("Fn::If", []any{c, item, tree.NewObject("Ref", "AWS::NoValue")})
		}
		if !slices.ContainsFunc(list, func(x any) bool { return tree.Equal(x, item) }) {
			list, changed = append(list, item), true
		}
	}
	if changed {
		props.Set("Policies", list)
	}
}

// grant is one permission the execution role needs to deliver records.
type grant struct {
	action   string
	resource any
}
