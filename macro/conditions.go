package macro

import (
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Conditions: what the macro adds exists where what it serves does (the
// function's, the alias's, the API's Condition), under one condition, an
// Fn::And the macro adds when there are several. What one condition says
// of another (implied, excluded) is cfn.Implied and cfn.Excluded.

// needs lists the conditions of what a permission for t from API api
// needs to exist: the function's, the alias's or version's, the API's.
func (e *expander) needs(t target, api string) []string {
	var cs []string
	for _, id := range []string{t.Function, t.Resource, api} {
		if c := e.res.Condition(id); id != "" && c != "" && !contains(cs, c) {
			cs = append(cs, c)
		}
	}
	return cs
}

// condition is the one condition that is true when all of cs are: the
// only one, or a new Fn::And condition named after them.
func (e *expander) condition(cs []string) string {
	switch len(cs) {
	case 0:
		return ""
	case 1:
		return cs[0]
	}
	if e.conditions == nil {
		e.conditions = &tree.Object{}
		e.fragment.Set("Conditions", e.conditions)
	}
	all := make([]any, len(cs))
	for i, c := range cs {
		all[i] = tree.NewObject("Condition", c)
	}
	both := tree.NewObject("Fn::And", all)
	found := ""
	name := freeName("AsyncInvoke"+strings.Join(cs, "And"), maxConditionName, func(name string) bool {
		if existing, has := e.conditions.Get(name); has && tree.Equal(existing, both) {
			found = name // added by an earlier permission, or expansion
			return false
		}
		return e.named(name)
	})
	if found == "" {
		e.conditions.Set(name, both)
	}
	return name
}

// isCondition refuses a name that is not a condition of the template.
func (e *expander) isCondition(c string, where *loc) bool {
	if c != "" && e.conditions.Has(c) {
		return true
	}
	e.fail(codeCondition, where, "must name a condition of the template's Conditions section, not %s", describe(c))
	return false
}
