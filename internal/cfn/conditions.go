package cfn

import "github.com/asyncinvoke/asyncinvoke/internal/tree"

// What one condition of a template says of others, read from the
// definitions of its Conditions section (an object of condition names and
// definitions; nil when the template has none): through named conditions
// ({"Condition": name}), Fn::And, Fn::Or and Fn::Not, never by evaluating
// Fn::Equals. What exists only under conditions that exclude each other is
// never created; what exists under conditions that imply another's exists
// only where that one does. Nesting deeper than 16 is not followed.

// maxConditionDepth bounds how deep definitions are followed (a cycle of
// conditions, which CloudFormation refuses, would not end).
const maxConditionDepth = 16

// Implied reports whether condition c is true whenever all of cs are: one
// of them requires it (is it, or an Fn::And of conditions that includes it,
// such as the macro writes), or it is an Fn::And of conditions each implied.
func Implied(conditions *tree.Object, c string, cs []string) bool {
	holds := map[string]bool{}
	for _, x := range cs {
		requires(conditions, tree.NewObject("Condition", x), true, holds, map[string]bool{}, 0)
	}
	return impliedBy(conditions, c, holds, 0)
}

func impliedBy(conditions *tree.Object, c string, holds map[string]bool, depth int) bool {
	if holds[c] {
		return true
	}
	def, _ := conditions.Get(c)
	k, arg, _ := tree.Only(def)
	parts, _ := arg.([]any)
	if k != "Fn::And" || len(parts) == 0 || depth > maxConditionDepth {
		return false
	}
	for _, p := range parts {
		pk, name, _ := tree.Only(p)
		n, _ := name.(string)
		if pk != "Condition" || !impliedBy(conditions, n, holds, depth+1) {
			return false
		}
	}
	return true
}

// Excluded reports whether conditions cs can never hold together: what
// they require, through Fn::And and named conditions, includes a condition
// and Fn::Not of it (IsProd and NotProd, or IsProd and
// !And [!Not [!Condition IsProd], ...]).
func Excluded(conditions *tree.Object, cs []string) bool {
	holds, fails := map[string]bool{}, map[string]bool{}
	for _, c := range cs {
		requires(conditions, tree.NewObject("Condition", c), true, holds, fails, 0)
	}
	for c := range holds {
		if fails[c] {
			return true
		}
	}
	return false
}

// requires notes the named conditions that v (a condition's definition)
// needs to hold (or, when want is false, to fail) for v to be want.
func requires(conditions *tree.Object, v any, want bool, holds, fails map[string]bool, depth int) {
	if depth > maxConditionDepth {
		return
	}
	k, arg, _ := tree.Only(v)
	parts, _ := arg.([]any)
	switch {
	case k == "Condition":
		name, _ := arg.(string)
		if name == "" {
			return
		}
		if want {
			holds[name] = true
		} else {
			fails[name] = true
		}
		def, _ := conditions.Get(name)
		requires(conditions, def, want, holds, fails, depth+1)
	case k == "Fn::Not" && len(parts) == 1:
		requires(conditions, parts[0], !want, holds, fails, depth+1)
	case k == "Fn::And" && want, k == "Fn::Or" && !want:
		for _, p := range parts {
			requires(conditions, p, want, holds, fails, depth+1)
		}
	}
}
