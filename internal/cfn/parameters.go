package cfn

import "github.com/asyncinvoke/asyncinvoke/internal/tree"

// Parameters are a template's parameters and the values a deployment
// gives them: a parameter's value is the one given, else its Default.
type Parameters struct {
	Section *tree.Object   // the template's Parameters section; nil when it has none
	Given   map[string]any // the values given, by parameter name
}

// NewParameters reads the Parameters section of template t.
func NewParameters(t *tree.Object, given map[string]any) Parameters {
	s, _ := t.Get("Parameters")
	section, _ := s.(*tree.Object)
	return Parameters{Section: section, Given: given}
}

// Declared is the declaration of parameter name (its Type, Default...).
func (p Parameters) Declared(name string) (*tree.Object, bool) {
	v, ok := p.Section.Get(name)
	d, isObj := v.(*tree.Object)
	return d, ok && isObj
}

// Value is parameter name's value at deploy time: the one given, else its
// Default. ok is false when it has neither.
func (p Parameters) Value(name string) (v any, ok bool) {
	if v, ok := p.Given[name]; ok {
		return v, true
	}
	if d, declared := p.Declared(name); declared {
		return d.Get("Default")
	}
	return nil, false
}

// Resolve is v as deployed when the template tells it: a Ref to a
// parameter becomes its Value; anything else, and a parameter without a
// value, is v itself.
func (p Parameters) Resolve(v any) any {
	if k, name, ok := tree.Only(v); ok && k == "Ref" {
		n, _ := name.(string)
		if val, ok := p.Value(n); ok {
			return val
		}
	}
	return v
}
