package macro

import (
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// The grants an execution role of the template needs to deliver records,
// grouped into the policies the macro adds: one per role and set of
// conditions (those of the role, the function and the destination), unless
// a policy of the template, or one already planned, grants it wherever it
// is needed. A grant the role needs under several sets of conditions (two
// functions' destinations encrypted with one key, one of them under a
// condition) goes once into the policy of the set that holds wherever any
// of the others does, whichever configuration is planned first.

// policyGroup is a policy the macro adds: grants to one role, under one
// set of conditions.
type policyGroup struct {
	role       string
	conditions []string // of the role, the function (alias) and the destinations
	grants     []grant
	id         string // the logical ID, once added
}

// policyGroups are the policies the macro adds, one per role and set of
// conditions, in the order they are planned.
type policyGroups struct {
	byKey map[string]*policyGroup
	order []*policyGroup
	needs []roleNeed // every grant planned, in order, until grouped
}

// roleNeed is a grant a role of the template needs to deliver a plan's
// records to one destination, wherever conditions hold. made is the queue
// or topic SAM makes for that destination when the grant is on it, or "".
type roleNeed struct {
	x          *decided
	role       string
	od         planDestination
	g          grant
	conditions []string
	made       string
}

// plan notes the grants that x's roles of the template need to deliver
// its records; group then groups every plan's into policies.
func (ps *policyGroups) plan(e *expander, x *decided) {
	for _, role := range x.roles {
		for _, od := range x.p.destinations() {
			ps.planGrants(e, x, role, od)
		}
	}
}

// group groups the grants planned into policies, or notes the template's
// own policies that grant them (x.dependsOn).
func (ps *policyGroups) group(e *expander) {
	for _, n := range ps.needs {
		ps.need(e, n)
	}
}

// weakest are the conditions, among those of every grant to n's role of
// n's grant, that hold wherever n's do: the fewest, the first of those.
func (ps *policyGroups) weakest(e *expander, n roleNeed) []string {
	best := n.conditions
	for _, m := range ps.needs {
		if m.role != n.role || len(m.conditions) >= len(best) || !hasGrant([]grant{m.g}, n.g) ||
			slices.ContainsFunc(m.conditions, func(c string) bool { return !cfn.Implied(e.conditions, c, n.conditions) }) {
			continue
		}
		best = m.conditions
	}
	return best
}

// planGrants plans the grants role needs to deliver x's records to
// one destination: where the function runs with this role and has this
// configuration (base), and the destination exists (all).
func (ps *policyGroups) planGrants(e *expander, x *decided, role string, od planDestination) {
	p, d := x.p, od.d
	base := slices.Clone(e.configConditions(p))
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
		return // the function never runs with this role
	}
	samMade := x.existing == p.t.Function && x.samFunction && e.samMadeDestination(p, d, od.option) != nil
	for _, g := range d.grants() {
		where, made := all, ""
		if samMade && tree.Equal(g.resource, d.arn) {
			// Where d does not exist, SAM's configuration sends the
			// records to its own queue or topic.
			g.resource, where = e.samMadeDestination(p, d, od.option), base
			made = cfn.SAMDestinationID(p.t.Function, od.option, d.kind.Type)
		} else if cfn.Excluded(e.conditions, where) {
			continue
		}
		ps.needs = append(ps.needs, roleNeed{x, role, od, g, where, made})
	}
}

// need plans grant n.g to n.role wherever n.conditions hold: a policy of
// the template that grants it (which the configuration waits for), else
// one of this expansion's, under the weakest conditions any plan needs it
// under that hold wherever these do.
func (ps *policyGroups) need(e *expander, n roleNeed) {
	x, role, od, g, conditions, made := n.x, n.role, n.od, n.g, n.conditions, n.made
	fn, d := x.p.t.Function, od.d
	if by, ok := e.granted(role, g, conditions); ok {
		if by != "" && x.existing == fn && mentions(e.res.Section, by, fn) {
			e.failCycle(x.p, by)
		}
		if c := e.res.Condition(by); by != "" && made != "" && c != "" && mentions(e.res.Section, by, made) && e.waitsByMetadata(x, []string{c}) {
			e.failSAMMadeWait(x.p, role, od, made)
			return
		}
		if by != "" && !slices.Contains(x.dependsOn, by) {
			x.dependsOn = append(x.dependsOn, by)
		}
		return
	}
	if x.existing == fn && d.resource == fn {
		e.failCycle(x.p, fn) // the macro's policy would name the function
	}
	if made != "" && e.waitsByMetadata(x, conditions) {
		e.failSAMMadeWait(x.p, role, od, made)
		return
	}
	conditions = ps.weakest(e, n)
	pg := ps.covering(e, role, conditions, g) // a policy of this expansion grants it where it is needed
	if pg == nil {
		key := role + "\x00" + strings.Join(conditions, ",")
		if pg = ps.byKey[key]; pg == nil {
			if ps.byKey == nil {
				ps.byKey = map[string]*policyGroup{}
			}
			pg = &policyGroup{role: role, conditions: conditions}
			ps.byKey[key] = pg
			ps.order = append(ps.order, pg)
		}
	}
	if !hasGrant(pg.grants, g) {
		pg.grants = append(pg.grants, g)
	}
	if !slices.Contains(x.groups, pg) {
		x.groups = append(x.groups, pg)
	}
}

// covering is a policy already planned that grants role g wherever
// conditions all hold (its own conditions are implied by them), as a
// second expansion would find it among the template's policies; or nil.
func (ps *policyGroups) covering(e *expander, role string, all []string, g grant) *policyGroup {
	for _, pg := range ps.order {
		if pg.role != role || !hasGrant(pg.grants, g) {
			continue
		}
		if !slices.ContainsFunc(pg.conditions, func(c string) bool { return !cfn.Implied(e.conditions, c, all) }) {
			return pg
		}
	}
	return nil
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
	e.fail(codeCycle, p.first, "sends %s's asynchronous invocation records to a destination with SAM's configuration (%s's EventInvokeConfig property) and a role of the template: that configuration can wait for the role's policy only through %s, and %s, a circular dependency; give %s's records another destination, or write the AWS::Lambda::EventInvokeConfig yourself in place of the property", fn, fn, fn, what, fn)
}

// waitsByMetadata reports whether x's configuration, when SAM makes it from
// a SAM function's property, can wait for a policy that exists where
// conditions hold only through the function's Metadata (writeConfig): when
// the function lacks one of them.
func (e *expander) waitsByMetadata(x *decided, conditions []string) bool {
	cs := e.configConditions(x.p)
	return slices.ContainsFunc(conditions, func(c string) bool { return !cfn.Implied(e.conditions, c, cs) })
}

// failSAMMadeWait refuses a plan whose configuration SAM makes from a SAM
// function's EventInvokeConfig property, sending the records of od, where
// its destination does not exist, to made, the queue or topic SAM makes,
// when role, a role of the template the function may run with, exists
// only under a condition the function lacks: the policy that allows the
// role to send to made exists only there too, so the configuration can
// wait for it only through the function's Metadata, which SAM, when it
// passes Metadata through (cfn-lint has it do so), gives made too: made
// would wait for the policy that refers to it, a circular dependency.
func (e *expander) failSAMMadeWait(p *configPlan, role string, od planDestination, made string) {
	fn, c := p.t.Function, e.res.Condition(role)
	if e.reported(p.first.path()) {
		return
	}
	dest := od.d.resource
	if dest == "" {
		dest = describe(od.d.arn)
	}
	e.fail(codeSAMMadeWait, p.first, "sends %s's asynchronous invocation records (%s) to %s where %s, through SAM's configuration (%s's EventInvokeConfig property), which sends them elsewhere to a %s SAM makes, %s; %s may run with role %s, which exists only where %s holds (its Condition), so the policy that lets it send to %s exists only there too, and SAM's configuration can wait for that policy only through %s's Metadata, which SAM also gives %s when it passes Metadata through (as cfn-lint has it, reporting E3004): a circular dependency; let %s run only with roles that exist wherever it does, or write its AWS::Lambda::EventInvokeConfig yourself in place of the EventInvokeConfig property (SAM then makes no %s)",
		fn, od.option, dest, holdsWhere(e.unmet(p, od.d)), fn, od.d.kind.Noun, made, fn, role, c, made, fn, made, fn, od.d.kind.Noun)
}

// holdsWhere says where conditions cs all hold, in messages.
func holdsWhere(cs []string) string {
	if len(cs) == 1 {
		return cs[0] + " holds"
	}
	return strings.Join(cs, " and ") + " hold"
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
