package cfn

import "github.com/asyncinvoke/asyncinvoke/internal/tree"

// SAMGlobals is the Function section of a template's Globals, which SAM
// merges into every AWS::Serverless::Function; nil when there is none.
func SAMGlobals(t *tree.Object) *tree.Object {
	g, _ := t.Get("Globals")
	gs, _ := g.(*tree.Object)
	f, _ := gs.Get("Function")
	fo, _ := f.(*tree.Object)
	return fo
}

// MergeGlobals is a SAM function's property as SAM makes it from the
// Globals' value and the function's own: the function's values win,
// objects are merged key by key.
func MergeGlobals(global, own any) any {
	g, gok := global.(*tree.Object)
	o, ook := own.(*tree.Object)
	if !gok || !ook || IsIntrinsicValue(g) || IsIntrinsicValue(o) {
		if own != nil {
			return own
		}
		return global
	}
	m := &tree.Object{}
	for _, member := range g.Members {
		if ov, has := o.Get(member.Key); has {
			m.Set(member.Key, MergeGlobals(member.Value, ov))
		} else {
			m.Set(member.Key, member.Value)
		}
	}
	for _, member := range o.Members {
		if !m.Has(member.Key) {
			m.Set(member.Key, member.Value)
		}
	}
	return m
}

// SAMProperty is a property of function fn as deployed: for a SAM
// function, merged with globals (SAMGlobals) as SAM merges it.
func (r *Resources) SAMProperty(globals *tree.Object, fn, key string) any {
	own, _ := r.Properties(fn).Get(key)
	if r.Type(fn) != TypeSAMFunction {
		return own
	}
	global, _ := globals.Get(key)
	return MergeGlobals(global, own)
}
