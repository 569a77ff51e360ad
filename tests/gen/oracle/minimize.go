package oracle

import (
	"slices"
	"strings"
	"time"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Minimize makes a failing template smaller while it still fails with
// signature sig: it removes, one at a time, resources, the entries of the
// other sections, OpenAPI paths and operations, properties and shorthand
// options, keeping each removal after which the template still fails that
// way. It stops after budget.
//
// A template that the macro expands although the README says it refuses
// it ("expanded") is not made smaller: the reason it must be refused is a
// feature of the whole template, which a smaller one may have lost.
func (o *Oracles) Minimize(in *tree.Object, want Expect, sig string, budget time.Duration) *tree.Object {
	deadline := time.Now().Add(budget)
	best := tree.Clone(in).(*tree.Object)
	if strings.HasPrefix(sig, "expanded: ") {
		return best
	}
	for changed := true; changed && time.Now().Before(deadline); {
		changed = false
		for _, p := range candidates(best) {
			if time.Now().After(deadline) {
				break
			}
			try := tree.Clone(best).(*tree.Object)
			if !remove(try, p) || dangling(try) {
				continue
			}
			if slices.Contains(o.Check(try, want).Signatures(), sig) {
				best, changed = try, true
			}
		}
	}
	return best
}

// candidates are the paths of what Minimize tries to remove, the largest
// first.
func candidates(t *tree.Object) [][]string {
	var out [][]string
	resources := section(t, "Resources")
	for _, m := range members(resources) {
		out = append(out, []string{"Resources", m.Key})
	}
	for _, s := range []string{"Outputs", "Conditions", "Parameters", "Metadata"} {
		for _, m := range members(section(t, s)) {
			out = append(out, []string{s, m.Key})
		}
	}
	for _, g := range members(section(t, "Globals")) {
		o, _ := g.Value.(*tree.Object)
		for _, m := range members(o) {
			out = append(out, []string{"Globals", g.Key, m.Key})
		}
	}
	for _, m := range members(resources) {
		r, _ := m.Value.(*tree.Object)
		props, _ := get(r, "Properties").(*tree.Object)
		for _, body := range []string{"Body", "DefinitionBody"} {
			doc, _ := get(props, body).(*tree.Object)
			paths, _ := get(doc, "paths").(*tree.Object)
			for _, p := range members(paths) {
				out = append(out, []string{"Resources", m.Key, "Properties", body, "paths", p.Key})
			}
			for _, p := range members(paths) {
				item, _ := p.Value.(*tree.Object)
				for _, op := range members(item) {
					out = append(out, []string{"Resources", m.Key, "Properties", body, "paths", p.Key, op.Key})
					o, _ := op.Value.(*tree.Object)
					for _, k := range keys(o) {
						out = append(out, []string{"Resources", m.Key, "Properties", body, "paths", p.Key, op.Key, k})
					}
					sh, _ := get(o, "x-async-invoke").(*tree.Object)
					for _, k := range keys(sh) {
						out = append(out, []string{"Resources", m.Key, "Properties", body, "paths", p.Key, op.Key, "x-async-invoke", k})
					}
				}
			}
		}
		if c, ok := r.Get("Condition"); ok && c != nil {
			out = append(out, []string{"Resources", m.Key, "Condition"})
		}
		for _, k := range keys(props) {
			out = append(out, []string{"Resources", m.Key, "Properties", k})
		}
		sh, _ := get(props, "AsyncInvoke").(*tree.Object)
		for _, k := range keys(sh) {
			out = append(out, []string{"Resources", m.Key, "Properties", "AsyncInvoke", k})
		}
		events, _ := get(props, "Events").(*tree.Object)
		for _, k := range keys(events) {
			out = append(out, []string{"Resources", m.Key, "Properties", "Events", k})
		}
	}
	return out
}

// remove deletes the member at path p, reporting whether it was there.
func remove(t *tree.Object, p []string) bool {
	o := t
	for _, k := range p[:len(p)-1] {
		next, _ := o.Get(k)
		if o, _ = next.(*tree.Object); o == nil {
			return false
		}
	}
	if !o.Delete(p[len(p)-1]) {
		return false
	}
	if o.Len() == 0 && len(p) == 2 {
		t.Delete(p[0]) // an empty section
	}
	return true
}

// dangling reports whether t refers to a resource, parameter or condition
// it does not have: such a template would only show that it is broken.
func dangling(t *tree.Object) bool {
	has := func(s, name string) bool {
		if s == "" {
			return strings.HasPrefix(name, "AWS::") || section(t, "Resources").Has(name) || section(t, "Parameters").Has(name)
		}
		return section(t, s).Has(name)
	}
	bad := false
	var visit func(v any, inResource bool)
	visit = func(v any, inResource bool) {
		switch x := v.(type) {
		case *tree.Object:
			if x == nil {
				return
			}
			if k, a, ok := tree.Only(x); ok {
				switch k {
				case "Ref":
					s, _ := a.(string)
					bad = bad || !has("", strings.SplitN(s, ".", 2)[0])
				case "Fn::GetAtt":
					if l, ok := a.([]any); ok && len(l) > 0 {
						s, _ := l[0].(string)
						bad = bad || !has("", s)
					}
				case "Condition":
					s, _ := a.(string)
					bad = bad || !has("Conditions", s)
				case "Fn::If":
					if l, ok := a.([]any); ok && len(l) > 0 {
						s, _ := l[0].(string)
						bad = bad || !has("Conditions", s)
					}
				case "Fn::Sub":
					s, _ := a.(string)
					if l, ok := a.([]any); ok && len(l) > 0 {
						s, _ = l[0].(string)
						vars, _ := l[1].(*tree.Object)
						for _, m := range subVar.FindAllStringSubmatch(s, -1) {
							if vars.Has(m[1]) {
								continue
							}
							bad = bad || !has("", strings.SplitN(m[1], ".", 2)[0])
						}
						visit(l[1], false)
						return
					}
					for _, m := range subVar.FindAllStringSubmatch(s, -1) {
						bad = bad || !has("", strings.SplitN(m[1], ".", 2)[0])
					}
				}
			}
			for _, m := range x.Members {
				visit(m.Value, false)
			}
		case []any:
			for _, e := range x {
				visit(e, false)
			}
		}
	}
	for _, m := range members(section(t, "Resources")) {
		r, _ := m.Value.(*tree.Object)
		if c, ok := get(r, "Condition").(string); ok && !has("Conditions", c) {
			return true
		}
		switch d := get(r, "DependsOn").(type) {
		case string:
			bad = bad || !has("", d)
		case []any:
			for _, x := range d {
				s, _ := x.(string)
				bad = bad || !has("", s)
			}
		}
		visit(get(r, "Properties"), true)
		visit(get(r, "Metadata"), true)
	}
	for _, s := range []string{"Conditions", "Outputs", "Globals"} {
		visit(section(t, s), false)
	}
	return bad
}
