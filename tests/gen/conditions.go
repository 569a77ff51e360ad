package gen

import (
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// A condSet is the conditions a resource exists under, as atoms (below),
// all of which must hold; nil means always.
type condSet []string

// The condition atoms. Each is a condition of the template over the
// parameters Env and Feature or the region; IsProd excludes NotProd and
// IsDev. A resource's own condition is drawn from compatible: any union of
// those can hold, so that a referrer can always carry the conditions of
// what it refers to. NotProd and IsDev appear only through features that
// build conditions which exclude each other on purpose.
const (
	atomProd    = "IsProd"
	atomNotProd = "NotProd"
	atomDev     = "IsDev"
	atomFeature = "HasFeature"
	atomRegion  = "InUsEast1"
)

var compatible = []string{atomProd, atomFeature, atomRegion}

var exclusive = [][2]string{{atomProd, atomNotProd}, {atomProd, atomDev}}

func (c condSet) with(more ...string) condSet {
	out := slices.Clone(c)
	for _, a := range more {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

func (c condSet) union(o condSet) condSet { return c.with(o...) }

// covers reports whether c holds wherever o does (every atom of c is in o).
func (o condSet) covers(c condSet) bool {
	for _, a := range c {
		if !slices.Contains(o, a) {
			return false
		}
	}
	return true
}

// satisfiable reports whether the atoms can all hold at once.
func (c condSet) satisfiable() bool {
	for _, e := range exclusive {
		if slices.Contains(c, e[0]) && slices.Contains(c, e[1]) {
			return false
		}
	}
	return true
}

// ownCond draws a resource's own condition: usually none.
func (b *builder) ownCond(kind string) condSet {
	if !b.chance(0.2) {
		return nil
	}
	a := oneOf(b, compatible...)
	b.feature("cond-" + kind)
	return condSet{a}
}

// subset draws a subset of c.
func (b *builder) subset(c condSet) condSet {
	var out condSet
	for _, a := range c {
		if b.chance(0.5) {
			out = append(out, a)
		}
	}
	return out
}

// atom declares an atom's condition (and its parameter) and returns its name.
func (b *builder) atom(a string) string {
	if name, ok := b.atomName[a]; ok {
		return name
	}
	name := a
	if a == atomRegion && b.longCondition {
		name = b.longID("InUsEast1", 255)
	} else {
		b.names[name] = true
	}
	b.atomName[a] = name
	env := func() any {
		return b.param("Env", obj("Type", "String", "Default", "dev", "AllowedValues", []any{"prod", "dev", "test"}))
	}
	var expr any
	switch a {
	case atomProd:
		expr = obj("Fn::Equals", []any{env(), "prod"})
	case atomDev:
		expr = obj("Fn::Equals", []any{env(), "dev"})
	case atomNotProd:
		expr = obj("Fn::Not", []any{obj("Condition", b.atom(atomProd))})
	case atomFeature:
		expr = obj("Fn::Equals", []any{b.param("Feature", obj("Type", "String", "Default", "off", "AllowedValues", []any{"on", "off"})), "on"})
	case atomRegion:
		expr = obj("Fn::Equals", []any{ref("AWS::Region"), "us-east-1"})
	}
	b.conds.Set(name, expr)
	return name
}

// condition declares the condition that holds when every atom of c does
// and returns its name; "" for none.
func (b *builder) condition(c condSet) string {
	switch len(c) {
	case 0:
		return ""
	case 1:
		return b.atom(c[0])
	}
	var names, parts []string
	for _, a := range c {
		n := b.atom(a)
		names = append(names, n)
		parts = append(parts, a)
	}
	name := strings.Join(parts, "And")
	if b.conds.Has(name) {
		return name
	}
	b.names[name] = true
	var args []any
	for _, n := range names {
		args = append(args, obj("Condition", n))
	}
	b.conds.Set(name, obj("Fn::And", args))
	return name
}

// conditionOf is the resource's Condition name, or "".
func conditionOf(r *tree.Object) string {
	c, _ := r.Get("Condition")
	s, _ := c.(string)
	return s
}
