package cli

import (
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
	"github.com/asyncinvoke/asyncinvoke/macro"
)

// A shorthand with a typo is no shorthand: the macro does not see it, so
// CloudFormation refuses a method's unknown property (AsyncInvok), and API
// Gateway ignores an operation's unknown extension (x-async-invok) and
// imports a synchronous method. check reports a key near the shorthand
// where the shorthand goes (E2003).

// misspelled reports the keys of t that look like a misspelled shorthand,
// where the shorthand goes: a method's Properties and Integration; an
// inline OpenAPI document's path items, operations and their integrations.
func (l *linter) misspelled(r rule) {
	section, _ := l.t.Get("Resources")
	rs, _ := section.(*tree.Object)
	res := cfn.NewResources(rs)
	res.Each(func(id string, _ *tree.Object) {
		props := res.Properties(id)
		if props == nil {
			return
		}
		at := []string{"Resources", id, "Properties"}
		switch res.Type(id) {
		case cfn.TypeMethod:
			const refused = "the macro does not expand it, and CloudFormation refuses the unknown property"
			l.keys(r, props, at, macro.Shorthand, "", refused)
			if in, ok := props.Get("Integration"); ok {
				l.keys(r, in, with(at, "Integration"), macro.Shorthand, ", on the method's Properties beside Integration", refused)
			}
		case cfn.TypeRestAPI:
			l.openAPIKeys(r, props, with(at, "Body"))
		case cfn.TypeSAMAPI:
			l.openAPIKeys(r, props, with(at, "DefinitionBody"))
		}
	})
}

// openAPIKeys reports misspelled shorthands in the inline OpenAPI document at
// the end of at (a key of props).
func (l *linter) openAPIKeys(r rule, props *tree.Object, at []string) {
	body, _ := props.Get(at[len(at)-1])
	doc, _ := body.(*tree.Object)
	pv, _ := doc.Get("paths")
	paths, _ := pv.(*tree.Object)
	if paths == nil {
		return
	}
	const ignored = "the macro does not see it, and API Gateway ignores the unknown extension and invokes synchronously"
	for _, pm := range paths.Members {
		item, _ := pm.Value.(*tree.Object)
		if item == nil {
			continue
		}
		iat := with(at, "paths", pm.Key)
		l.keys(r, item, iat, macro.OpenAPIShorthand, ", on each operation (get, post, ...)", ignored)
		for _, om := range item.Members {
			op, _ := om.Value.(*tree.Object)
			if op == nil || !isOperation(om.Key) {
				continue
			}
			l.keys(r, op, with(iat, om.Key), macro.OpenAPIShorthand, "", ignored)
			if in, ok := op.Get(cfn.IntegrationExtension); ok {
				l.keys(r, in, with(iat, om.Key, cfn.IntegrationExtension), macro.OpenAPIShorthand, ", on the operation beside "+cfn.IntegrationExtension, ignored)
			}
		}
	}
}

// isOperation reports whether a path item's key holds an operation.
func isOperation(key string) bool {
	switch strings.ToLower(key) {
	case "get", "put", "post", "delete", "options", "head", "patch", "trace", cfn.AnyMethodExtension:
		return true
	}
	return false
}

// keys reports each key of v (an object) that looks like a misspelling of
// either shorthand, suggesting want (and where it goes, when elsewhere),
// and saying what becomes of it as written.
func (l *linter) keys(r rule, v any, at []string, want, where, asWritten string) {
	o, _ := v.(*tree.Object)
	if o == nil {
		return
	}
	for _, m := range o.Members {
		if m.Key == macro.Shorthand || m.Key == macro.OpenAPIShorthand {
			continue // the macro expands or refuses it
		}
		if nearly(m.Key, macro.Shorthand) || nearly(m.Key, macro.OpenAPIShorthand) {
			l.add(r, with(at, m.Key), "%s is not a shorthand: did you mean %s%s? As written, %s", m.Key, want, where, asWritten)
		}
	}
}

// nearly reports whether key is name written otherwise: in another case,
// or with at most two letters added, left out, changed or swapped.
func nearly(key, name string) bool {
	return distance(strings.ToLower(key), strings.ToLower(name)) <= 2
}

// distance is the optimal string alignment distance between a and b: how
// many bytes must be inserted, deleted, substituted or swapped with their
// neighbour to turn one into the other. It stops counting beyond 3 when
// the lengths alone say so.
func distance(a, b string) int {
	if d := len(a) - len(b); d > 3 || d < -3 {
		return 4
	}
	// rows i-2, i-1 and i of the table of distances between prefixes
	prev2, prev, cur := make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
